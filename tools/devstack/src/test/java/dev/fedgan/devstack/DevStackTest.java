package dev.fedgan.devstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev stack against its real servers, over sockets, with the plain Kafka clients and the MinIO client. */
class DevStackTest {

    private static final int MIB = 1024 * 1024;

    private static DevStack stack;
    private static long startMillis;

    @BeforeAll
    static void startStack() {
        long t0 = System.nanoTime();
        stack = DevStack.startTemporary(DevStack.Ports.FREE);
        startMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("dev stack started in " + startMillis + " ms: " + stack.bootstrapServers()
                + ", " + stack.s3Endpoint());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            Path dir = stack.dir();
            long t0 = System.nanoTime();
            stack.close();
            System.out.println("dev stack stopped in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertFalse(Files.exists(dir), "the temporary directory is deleted on close");
        }
    }

    @Test
    void producesAndConsumesThroughACreatedTopic() throws Exception {
        stack.kafka().createTopic("rounds", 2);
        stack.kafka().createTopic("rounds", 2); // an existing topic is fine
        try (Admin admin = stack.kafka().admin()) {
            assertEquals(2, admin.describeTopics(List.of("rounds")).allTopicNames().get()
                    .get("rounds").partitions().size());
        }
        try (KafkaProducer<String, String> producer = stringProducer(stack)) {
            RecordMetadata sent = producer.send(new ProducerRecord<>("rounds", "round-1", "{\"round\":1}"))
                    .get(30, TimeUnit.SECONDS);
            assertEquals("rounds", sent.topic());
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("rounds"));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(1, got.size(), "one record consumed");
            assertEquals("round-1", got.get(0).key());
            assertEquals("{\"round\":1}", got.get(0).value());
            consumer.commitSync();
        }
    }

    /** Kafka's default limit of about 1 MiB per message stays: tensors go through S3 and Kafka carries references. */
    @Test
    void messagesAboveOneMebibyteAreRejected() throws Exception {
        stack.kafka().createTopic("big", 1);
        // Just under the broker's message.max.bytes (1 MiB + 12 bytes of overhead allowance): accepted.
        try (KafkaProducer<byte[], byte[]> producer = bytesProducer(stack, MIB)) {
            producer.send(new ProducerRecord<>("big", new byte[MIB - 1024])).get(30, TimeUnit.SECONDS);
            // Above the producer's own max.request.size (1 MiB by default): refused before it leaves the client.
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("big", new byte[2 * MIB])).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
        }
        // A client that allows itself 4 MiB: the broker refuses it.
        try (KafkaProducer<byte[], byte[]> producer = bytesProducer(stack, 4 * MIB)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("big", new byte[2 * MIB])).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("server"), e.getCause().getMessage());
        }
    }

    @Test
    void storesA12MegabyteObjectInPartsAndReadsItBack() throws Exception {
        byte[] data = new byte[12_000_000];
        new Random(42).nextBytes(data);
        try (MinioClient minio = minio(stack, stack.secretKey())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket("tensors").build());
            assertTrue(minio.bucketExists(BucketExistsArgs.builder().bucket("tensors").build()));
            // 5 MiB parts: a 3-part multipart upload.
            minio.putObject(PutObjectArgs.builder().bucket("tensors").object("round-1/client-7.bin")
                    .stream(new ByteArrayInputStream(data), data.length, 5L * MIB)
                    .contentType("application/octet-stream").build());

            StatObjectResponse stat = minio.statObject(StatObjectArgs.builder()
                    .bucket("tensors").object("round-1/client-7.bin").build());
            assertEquals(data.length, stat.size());
            assertTrue(stat.etag().endsWith("-3"), "a multipart ETag of 3 parts, got " + stat.etag());

            byte[] back;
            try (GetObjectResponse in = minio.getObject(GetObjectArgs.builder()
                    .bucket("tensors").object("round-1/client-7.bin").build())) {
                back = in.readAllBytes();
            }
            assertArrayEquals(data, back);

            List<String> names = new ArrayList<>();
            for (Result<Item> item : minio.listObjects(ListObjectsArgs.builder()
                    .bucket("tensors").prefix("round-1/").recursive(true).build())) {
                names.add(item.get().objectName() + ":" + item.get().size());
            }
            assertEquals(List.of("round-1/client-7.bin:" + data.length), names);
        }
    }

    @Test
    void aWrongSecretKeyIsRejected() throws Exception {
        try (MinioClient minio = minio(stack, "not-the-secret")) {
            ErrorResponseException e = assertThrows(ErrorResponseException.class, minio::listBuckets);
            assertEquals(403, e.response().code());
            assertEquals("SignatureDoesNotMatch", e.errorResponse().code());
            // A HEAD has no error body: the client only sees the 403.
            e = assertThrows(ErrorResponseException.class,
                    () -> minio.bucketExists(BucketExistsArgs.builder().bucket("tensors").build()));
            assertEquals(403, e.response().code());
        }
    }

    @Test
    void twoStacksOnFreePortsDoNotCollide() throws Exception {
        try (DevStack other = DevStack.startTemporary(DevStack.Ports.FREE)) {
            Set<Integer> ports = Set.of(stack.ports().kafka(), stack.ports().controller(), stack.ports().s3(),
                    other.ports().kafka(), other.ports().controller(), other.ports().s3());
            assertEquals(6, ports.size(), "six distinct ports: " + stack.ports() + " " + other.ports());
            assertNotEquals(stack.kafka().clusterId(), other.kafka().clusterId());

            other.kafka().createTopic("only-in-other", 1);
            try (KafkaProducer<String, String> producer = stringProducer(other)) {
                producer.send(new ProducerRecord<>("only-in-other", "x")).get(30, TimeUnit.SECONDS);
            }
            try (Admin admin = stack.kafka().admin()) {
                assertFalse(admin.listTopics().names().get().contains("only-in-other"));
            }
            try (MinioClient minio = minio(other, other.secretKey())) {
                minio.makeBucket(MakeBucketArgs.builder().bucket("only-in-other").build());
            }
            try (MinioClient minio = minio(stack, stack.secretKey())) {
                assertFalse(minio.bucketExists(BucketExistsArgs.builder().bucket("only-in-other").build()));
            }

            // Fixed ports that are taken: a clear error, not a half-started stack.
            IllegalStateException taken = assertThrows(IllegalStateException.class,
                    () -> DevStack.startTemporary(new DevStack.Ports(stack.ports().kafka(), 0, 0)));
            assertTrue(taken.getMessage().contains("in use"), taken.getMessage());
            taken = assertThrows(IllegalStateException.class,
                    () -> DevStack.startTemporary(new DevStack.Ports(0, 0, other.ports().s3())));
            assertTrue(taken.getMessage().contains("in use"), taken.getMessage());
        }
    }

    @Test
    void aStackOnADirectoryKeepsTopicsAndObjectsAcrossRestarts(@TempDir Path dir) throws Exception {
        String clusterId;
        try (DevStack first = DevStack.start(dir, DevStack.Ports.FREE)) {
            clusterId = first.kafka().clusterId();
            first.kafka().createTopic("kept", 3);
            try (MinioClient minio = minio(first, first.secretKey())) {
                minio.makeBucket(MakeBucketArgs.builder().bucket("kept").build());
                byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
                minio.putObject(PutObjectArgs.builder().bucket("kept").object("a.txt")
                        .stream(new ByteArrayInputStream(hello), hello.length, -1).build());
            }
        }
        assertTrue(Files.isDirectory(dir.resolve("kafka")) && Files.isDirectory(dir.resolve("s3")));
        try (DevStack second = DevStack.start(dir, DevStack.Ports.FREE)) {
            assertEquals(clusterId, second.kafka().clusterId());
            try (Admin admin = second.kafka().admin()) {
                assertEquals(3, admin.describeTopics(List.of("kept")).allTopicNames().get()
                        .get("kept").partitions().size());
            }
            try (MinioClient minio = minio(second, second.secretKey());
                 GetObjectResponse in = minio.getObject(GetObjectArgs.builder().bucket("kept").object("a.txt").build())) {
                assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void kafkaAndS3RunAsSeparateStacksOnOneDirectory(@TempDir Path dir) throws Exception {
        try (DevStack kafkaOnly = DevStack.start(dir, DevStack.Ports.FREE, "k", "secret-k",
                EnumSet.of(DevStack.Part.KAFKA))) {
            try (DevStack s3Only = DevStack.start(dir, DevStack.Ports.FREE, "k", "secret-k",
                    EnumSet.of(DevStack.Part.S3))) {
                kafkaOnly.kafka().createTopic("apart", 1);
                try (MinioClient minio = minio(s3Only, "secret-k")) {
                    minio.makeBucket(MakeBucketArgs.builder().bucket("apart").build());
                }
                assertEquals(0, kafkaOnly.ports().s3());
                assertEquals(0, s3Only.ports().kafka());
                assertFalse(kafkaOnly.describe().contains("S3 endpoint"), kafkaOnly.describe());
                assertFalse(s3Only.describe().contains("Kafka bootstrap"), s3Only.describe());
                IllegalStateException noS3 = assertThrows(IllegalStateException.class, kafkaOnly::s3Endpoint);
                assertEquals("this dev stack runs Kafka only", noS3.getMessage());
            }
        }
        assertTrue(Files.isDirectory(dir.resolve("kafka")) && Files.isDirectory(dir.resolve("s3/apart")));
    }

    @Test
    void parsesTheCommandLine() {
        DevStack.Options defaults = DevStack.Options.parse();
        assertEquals(DevStack.Ports.DEFAULT, defaults.ports);
        assertEquals(new DevStack.Ports(19092, 19093, 19000), defaults.ports);
        assertEquals(EmbeddedS3.DEFAULT_ACCESS_KEY, defaults.accessKey);

        DevStack.Options o = DevStack.Options.parse("--kafka-port", "29092", "--s3-port=29000", "--dir", "/tmp/x",
                "--access-key", "ak", "--secret-key=sk-secret");
        assertEquals(new DevStack.Ports(29092, 19093, 29000), o.ports);
        assertEquals(Path.of("/tmp/x"), o.dir);
        assertEquals("ak", o.accessKey);
        assertEquals("sk-secret", o.secretKey);
        assertEquals(new DevStack.Ports(0, 0, 0), DevStack.Options.parse("--free-ports").ports);
        assertEquals(new DevStack.Ports(0, 0, 9000), DevStack.Options.parse("--free-ports", "--s3-port", "9000").ports);
        assertTrue(DevStack.Options.parse("-h").help);
        assertEquals(EnumSet.allOf(DevStack.Part.class), defaults.parts);
        assertEquals(EnumSet.of(DevStack.Part.S3), DevStack.Options.parse("--only", "S3", "--dir", "/tmp/x").parts);
        assertEquals(EnumSet.of(DevStack.Part.KAFKA), DevStack.Options.parse("--dir=/tmp/x", "--only=kafka").parts);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--only", "kafka"))
                .getMessage().startsWith("--only needs --dir"));
        assertEquals("--only takes kafka or s3, got 'minio'", assertThrows(IllegalArgumentException.class,
                () -> DevStack.Options.parse("--only", "minio", "--dir", "/tmp/x")).getMessage());

        assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--nope"));
        assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--kafka-port"));
        assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--kafka-port", "x"));
        assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--kafka-port", "70000"));
        assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--kafka-port", "19000"));
        assertThrows(IllegalArgumentException.class, () -> new DevStack.Ports(1, 1, 0));

        ByteArrayOutputStream help = new ByteArrayOutputStream();
        DevStack.usage(new PrintStream(help, true, StandardCharsets.UTF_8));
        String text = help.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--kafka-port") && text.contains("19092") && text.contains("--help"), text);
    }

    private static KafkaProducer<String, String> stringProducer(DevStack s) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static KafkaProducer<byte[], byte[]> bytesProducer(DevStack s, int maxRequestSize) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L * MIB);
        return new KafkaProducer<>(props);
    }

    private static MinioClient minio(DevStack s, String secretKey) {
        return MinioClient.builder().endpoint(s.s3Endpoint()).credentials(s.accessKey(), secretKey)
                .region(EmbeddedS3.REGION).build();
    }
}
