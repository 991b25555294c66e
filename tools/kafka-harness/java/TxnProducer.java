// A transactional producer for the `transactions` capture: commits and aborts
// transactions of RECORDS records each under one transactional.id and prints
// what it did, as the ground truth of the scenario.
// Usage: TxnProducer BOOTSTRAP TOPIC TRANSACTIONAL_ID COMMITS ABORTS RECORDS
//        TxnProducer BOOTSTRAP TOPIC TRANSACTIONAL_ID fence RECORDS
// The abort transactions are spread evenly among the commits. Every
// transaction is flushed before it ends, so its records reach the broker and
// are aborted there (not dropped unsent in the client).
// "fence": producer A begins a transaction and writes RECORDS records, then
// producer B initializes the same transactional.id (the coordinator aborts A's
// open transaction and fences A); A's commit fails; B commits one transaction.
// The last line is "txn-truth {json}" (counts for the truth file).
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

public class TxnProducer {
    static KafkaProducer<String, String> open(String bootstrap, String tid, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, tid);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        KafkaProducer<String, String> prod = new KafkaProducer<>(p);
        prod.initTransactions();
        return prod;
    }

    static void send(KafkaProducer<String, String> prod, String topic, int txn, int n) {
        for (int j = 0; j < n; j++) {
            String v = String.format("txn %04d record %d %s", txn, j, "x".repeat(60));
            prod.send(new ProducerRecord<>(topic, "k" + j, v));
        }
        prod.flush();
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1], tid = args[2];
        int committed = 0, aborted = 0, fenced = 0;
        long recCommitted = 0, recAborted = 0;
        if (args[3].equals("fence")) {
            int n = Integer.parseInt(args[4]);
            KafkaProducer<String, String> a = open(bootstrap, tid, tid + "-a");
            a.beginTransaction();
            send(a, topic, 0, n);
            KafkaProducer<String, String> b = open(bootstrap, tid, tid + "-b");
            // B's InitProducerId made the coordinator abort A's open transaction.
            aborted++; recAborted += n;
            try {
                a.commitTransaction();
                throw new IllegalStateException("producer A was not fenced");
            } catch (KafkaException e) {
                fenced++;
                System.out.println("producer A fenced: " + e);
            }
            a.close();
            b.beginTransaction();
            send(b, topic, 1, n);
            b.commitTransaction();
            committed++; recCommitted += n;
            b.close();
        } else {
            int commits = Integer.parseInt(args[3]), aborts = Integer.parseInt(args[4]);
            int n = Integer.parseInt(args[5]), total = commits + aborts;
            KafkaProducer<String, String> prod = open(bootstrap, tid, tid);
            for (int i = 0; i < total; i++) {
                boolean abort = (long) (i + 1) * aborts / total > (long) i * aborts / total;
                prod.beginTransaction();
                send(prod, topic, i, n);
                if (abort) {
                    prod.abortTransaction();
                    aborted++; recAborted += n;
                } else {
                    prod.commitTransaction();
                    committed++; recCommitted += n;
                }
            }
            prod.close();
        }
        System.out.println("txn-truth {\"transactional_id\": \"" + tid + "\", \"topic\": \"" + topic
            + "\", \"committed\": " + committed + ", \"aborted\": " + aborted
            + ", \"fenced\": " + fenced + ", \"records_committed\": " + recCommitted
            + ", \"records_aborted\": " + recAborted + "}");
    }
}
