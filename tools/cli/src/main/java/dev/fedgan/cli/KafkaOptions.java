package dev.fedgan.cli;

import dev.fedgan.protocol.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** Where the services' Kafka is and who we are there: {@code --bootstrap}, {@code --kafka-config}, {@code --topic-prefix}. */
final class KafkaOptions {

    @Option(names = "--bootstrap", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}",
            description = "Kafka bootstrap servers. Default: $KAFKA_BOOTSTRAP_SERVERS or the local dev stack, ${DEFAULT-VALUE}.")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:FEDGAN_KAFKA_CONFIG}",
            description = "Kafka client properties for a secured cluster (security.protocol, sasl.mechanism, "
                    + "sasl.jaas.config, ssl.truststore.*): the submitter's identity (docs/security.md). Default: "
                    + "$FEDGAN_KAFKA_CONFIG, or none (plaintext).")
    Path config;

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

    /** The local dev stack's Kafka as the client whose properties are in {@code config} (null: plaintext). */
    static KafkaOptions local(Path config) {
        KafkaOptions k = local();
        k.config = config;
        return k;
    }

    /**
     * The Kafka client properties in {@code file}.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     */
    static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Kafka client properties " + file + ": "
                    + e.getMessage(), e);
        }
        return p;
    }

    Topics topics() {
        return Topics.withPrefix(prefix);
    }

    /**
     * The client properties: the {@code --kafka-config} file's, then the bootstrap servers and the client id.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     */
    Properties common() {
        Properties p = config == null ? new Properties() : read(config);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "fedgan-cli");
        return p;
    }
}
