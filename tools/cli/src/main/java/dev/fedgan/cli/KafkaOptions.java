package dev.fedgan.cli;

import dev.fedgan.protocol.Topics;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** Where the services' Kafka is: {@code --bootstrap} and {@code --topic-prefix}. */
final class KafkaOptions {

    @Option(names = "--bootstrap", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}",
            description = "Kafka bootstrap servers. Default: $KAFKA_BOOTSTRAP_SERVERS or the local dev stack, ${DEFAULT-VALUE}.")
    String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of the fedgan topics (default: ${DEFAULT-VALUE}).")
    String prefix;

    /** The local dev stack's Kafka, default prefix. */
    static KafkaOptions local() {
        KafkaOptions k = new KafkaOptions();
        k.bootstrap = LocalServices.BOOTSTRAP;
        k.prefix = Topics.DEFAULT_PREFIX;
        return k;
    }

    Topics topics() {
        return Topics.withPrefix(prefix);
    }

    Properties common() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "fedgan-cli");
        return p;
    }
}
