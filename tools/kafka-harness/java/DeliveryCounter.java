// A producer that counts what became of every record it sent, from its own
// delivery callbacks, and prints the counts as one JSON line (the truth of
// the client-failures and sasl scenarios).
//
// Usage: DeliveryCounter BOOTSTRAP CLIENT_ID TOPIC RECORDS SIZE PARTITIONS OVERSIZED PAUSE_MS [K=V ...]
//   Record i goes to partition i % PARTITIONS with SIZE bytes of value, except
//   OVERSIZED records spread evenly over the run that carry 4000 bytes (past a
//   topic's max.message.bytes of 1024, say). One record is sent every PAUSE_MS
//   and every record is its own batch (batch.size=0, linger.ms=0), so a
//   rejected record is rejected alone and never split and retried. K=V are
//   producer properties (SASL settings, say).
// Output, the last line: DELIVERY {"sent":N,"acked":N,"failed":N,
//   "acked_by_partition":{"0":N,...},"failed_by_error":{"RecordTooLargeException":N},
//   "failed_by_partition":{"0":N,...},"auth_failed":N,"auth_succeeded":N}
// auth_failed/auth_succeeded are the client's own failed-/successful-
// authentication-total metrics (SASL handshakes over all its connections).
import java.util.*;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class DeliveryCounter {
    static final Map<String, Long> ackedByPartition = new TreeMap<>();
    static final Map<String, Long> failedByError = new TreeMap<>();
    static final Map<String, Long> failedByPartition = new TreeMap<>();
    static final AtomicLong acked = new AtomicLong(), failed = new AtomicLong();

    static synchronized void count(Map<String, Long> m, String k) { m.merge(k, 1L, Long::sum); }

    static synchronized void failedRecord(Exception e, int partition) {
        failed.incrementAndGet();
        count(failedByError, e.getClass().getSimpleName());
        count(failedByPartition, Integer.toString(partition));
    }

    static String json(Map<String, Long> m) {
        StringBuilder sb = new StringBuilder("{");
        String sep = "";
        for (var e : m.entrySet()) { sb.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue()); sep = ","; }
        return sb.append('}').toString();
    }

    static long metric(Producer<?, ?> p, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : p.metrics().entrySet())
            if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                return Math.round(((Number) e.getValue().metricValue()).doubleValue());
        return -1;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], clientId = args[1], topic = args[2];
        int n = Integer.parseInt(args[3]), size = Integer.parseInt(args[4]);
        int partitions = Integer.parseInt(args[5]), oversized = Integer.parseInt(args[6]);
        long pauseMs = Long.parseLong(args[7]);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "0");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        for (int a = 8; a < args.length; a++) {
            int eq = args[a].indexOf('=');
            p.put(args[a].substring(0, eq), args[a].substring(eq + 1));
        }
        long sent = 0;
        long authFailed, authOk;
        try (Producer<byte[], byte[]> prod = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                boolean big = oversized > 0 && (long) i * oversized / n != (long) (i + 1) * oversized / n;
                byte[] value = new byte[big ? 4000 : size];
                Arrays.fill(value, (byte) 'x');
                final int part = i % partitions;
                sent++;
                try {
                    prod.send(new ProducerRecord<>(topic, part, null, value), (md, e) -> {
                        if (e == null) { acked.incrementAndGet(); count(ackedByPartition, Integer.toString(part)); }
                        else failedRecord(e, part);
                    });
                } catch (Exception e) {
                    failedRecord(e, part);
                }
                if (pauseMs > 0) Thread.sleep(pauseMs);
            }
            prod.flush();
            authFailed = metric(prod, "failed-authentication-total");
            authOk = metric(prod, "successful-authentication-total");
        }
        synchronized (DeliveryCounter.class) {
            System.out.println("DELIVERY {\"sent\":" + sent + ",\"acked\":" + acked.get() + ",\"failed\":" + failed.get()
                + ",\"acked_by_partition\":" + json(ackedByPartition) + ",\"failed_by_error\":" + json(failedByError)
                + ",\"failed_by_partition\":" + json(failedByPartition)
                + ",\"auth_failed\":" + authFailed + ",\"auth_succeeded\":" + authOk + "}");
        }
    }
}
