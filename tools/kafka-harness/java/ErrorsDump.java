// Prints the Kafka protocol error table (code<TAB>name, sorted by code) from the
// Errors enum of the kafka-clients jar on the classpath; used by extract-schema.sh.
import java.util.Arrays;
import java.util.Comparator;
import org.apache.kafka.common.protocol.Errors;

public class ErrorsDump {
    public static void main(String[] args) {
        Errors[] all = Errors.values();
        Arrays.sort(all, Comparator.comparingInt(e -> e.code()));
        StringBuilder sb = new StringBuilder("code\tname\n");
        for (Errors e : all) {
            sb.append(e.code()).append('\t').append(e.name()).append('\n');
        }
        System.out.print(sb);
    }
}
