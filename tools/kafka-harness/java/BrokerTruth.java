// Asks the broker for the ground truth of a scenario and prints it as JSON:
// per partition of every non-internal topic, records = latest - earliest offset
// (ListOffsets), and for the named consumer groups their type and committed offsets.
// Usage: BrokerTruth BOOTSTRAP [GROUP ...]
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

public class BrokerTruth {
    static String q(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafkatap-truth");
        try (Admin admin = Admin.create(p)) {
            Set<String> names = admin.listTopics().names().get();
            Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get();
            List<TopicPartition> tps = new ArrayList<>();
            Map<String, String> ids = new TreeMap<>();
            for (TopicDescription d : desc.values()) {
                if (d.isInternal()) continue;
                ids.put(d.name(), d.topicId().toString());
                for (TopicPartitionInfo i : d.partitions()) tps.add(new TopicPartition(d.name(), i.partition()));
            }
            tps.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>(), earliest = new HashMap<>();
            for (TopicPartition tp : tps) { latest.put(tp, OffsetSpec.latest()); earliest.put(tp, OffsetSpec.earliest()); }
            var lo = admin.listOffsets(latest).all().get();
            var eo = admin.listOffsets(earliest).all().get();
            StringBuilder sb = new StringBuilder("{\n  \"partitions\": [");
            String sep = "\n";
            for (TopicPartition tp : tps) {
                long end = lo.get(tp).offset(), start = eo.get(tp).offset();
                sb.append(sep).append("    {\"topic\": ").append(q(tp.topic())).append(", \"partition\": ").append(tp.partition())
                  .append(", \"records\": ").append(end - start).append(", \"end_offset\": ").append(end).append("}");
                sep = ",\n";
            }
            sb.append("\n  ],\n  \"topic_ids\": {");
            sep = "";
            for (var e : ids.entrySet()) { sb.append(sep).append(q(e.getKey())).append(": ").append(q(e.getValue())); sep = ", "; }
            sb.append("},\n  \"groups\": [");
            sep = "\n";
            for (int a = 1; a < args.length; a++) {
                String g = args[a];
                ConsumerGroupDescription cg = admin.describeConsumerGroups(List.of(g)).all().get().get(g);
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(g).partitionsToOffsetAndMetadata().get();
                long total = 0;
                for (OffsetAndMetadata o : committed.values()) if (o != null) total += o.offset();
                sb.append(sep).append("    {\"group\": ").append(q(g)).append(", \"type\": ").append(q(cg.type().toString()))
                  .append(", \"state\": ").append(q(cg.groupState().toString()))
                  .append(", \"committed_offset_total\": ").append(total).append("}");
                sep = ",\n";
            }
            sb.append("\n  ]\n}\n");
            System.out.print(sb);
        }
    }
}
