package dev.fedgan.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fedgan.protocol.KafkaAccess;
import dev.fedgan.protocol.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The least-privilege table is exactly what each service's channels use: every topic it consumes or produces (its
 * dead-letter topic too) and every consumer group, no more (a grant nobody uses is a privilege too many) and no less
 * (a missing one stops the service in the secure mode).
 */
class KafkaAccessTest {

    private static final Pattern CHANNEL = Pattern.compile(
            "mp\\.messaging\\.(incoming|outgoing)\\.[a-z-]+\\.(topics?|group\\.id|dead-letter-queue\\.topic)");

    @Test
    void eachServiceIsGrantedWhatItsChannelsUseAndNothingElse() throws IOException {
        for (KafkaAccess a : KafkaAccess.of(Topics.withPrefix(Topics.DEFAULT_PREFIX))) {
            if (a.user().equals(KafkaAccess.SUBMITTER)) {
                continue;
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of("../../services", a.user(),
                    "src/main/resources/application.properties"))) {
                p.load(r);
            }
            TreeSet<String> reads = new TreeSet<>();
            TreeSet<String> writes = new TreeSet<>();
            TreeSet<String> groups = new TreeSet<>();
            for (String key : p.stringPropertyNames()) {
                Matcher m = CHANNEL.matcher(key);
                if (!m.matches()) {
                    continue;
                }
                String value = p.getProperty(key).strip();
                if (m.group(2).equals("group.id")) {
                    groups.add(value);
                } else if (m.group(1).equals("incoming") && m.group(2).startsWith("topic")) {
                    for (String topic : value.split(",")) { // "topics" lists several
                        reads.add(topic.strip());
                    }
                } else {
                    writes.add(value);
                }
            }
            assertEquals(reads, new TreeSet<>(a.reads()), a.user() + " reads");
            assertEquals(writes, new TreeSet<>(a.writes()), a.user() + " writes");
            assertEquals(groups, new TreeSet<>(a.groups()), a.user() + " groups");
        }
    }

    @Test
    void theSubmitterSeesNoMembersAndNoDeadLetters() {
        Topics t = Topics.withPrefix(Topics.DEFAULT_PREFIX);
        KafkaAccess submitter = KafkaAccess.of(t).stream().filter(a -> a.user().equals(KafkaAccess.SUBMITTER))
                .findFirst().orElseThrow();
        assertEquals(List.of(t.rounds(), t.images()), submitter.reads());
        assertEquals(List.of(t.experiments(), t.fairnessSweeps(), t.rgbRequests()), submitter.writes());
    }
}
