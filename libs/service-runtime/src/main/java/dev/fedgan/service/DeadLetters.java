package dev.fedgan.service;

import dev.fedgan.protocol.MessageException;
import dev.fedgan.objectstore.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What a service cannot process goes to the {@code dead-letter} topic through the Kafka connector's
 * dead-letter-queue strategy: the record's value unchanged, the exception's message in the
 * {@code dead-letter-reason} header. This names the service at the start of that reason ({@code "aggregator: ..."})
 * and counts it as {@code fedgan_dead_letters_total{service, reason}}, the reason tag being the kind of failure:
 * {@code message} (malformed, unknown schema, absurd field), a storage failure ({@code missing}, {@code corrupt},
 * {@code wrong_size}, {@code invalid}, ...), or {@code error}.
 *
 * <p>A record of {@link #PER_CLIENT} (one client's task or update) is logged and dead-lettered but not counted:
 * metrics are released (docs/privacy.md), and whether a client's update is unusable (e.g. a delta with NaN) depends
 * on that client's data. The dead-letter topic and the log are inside the trusted boundary.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** The channels whose records are one client's: {@code round-tasks} and {@code client-updates}. */
    public static final Set<String> PER_CLIENT = Set.of("round-tasks", "client-updates");

    private final MeterRegistry registry;
    private final String service;

    /** @param application the Quarkus application name, {@code fedgan-<service>} (the artifact id) */
    public DeadLetters(MeterRegistry registry, @ConfigProperty(name = "quarkus.application.name") String application) {
        this.registry = registry;
        this.service = application.replaceFirst("^fedgan-", "");
    }

    /** Exports the count at 0 from the start, so that dashboards and alerts see the series before a first failure. */
    void onStart(@Observes StartupEvent event) {
        counter("message");
    }

    /** The service's name as dead letters and the metric carry it, e.g. {@code aggregator}. */
    public String service() {
        return service;
    }

    private Counter counter(String kind) {
        return Counter.builder("fedgan.dead.letters").tag("service", service).tag("reason", kind)
                .description("Records sent to the dead-letter topic, by service and kind of failure").register(registry);
    }

    /**
     * Counts (unless {@code topic} is {@link #PER_CLIENT}) and logs {@code e}; returns the exception to throw so that
     * the connector dead-letters the record.
     */
    public RuntimeException reject(String topic, RuntimeException e) {
        String kind = e instanceof MessageException ? "message"
                : e instanceof StorageException s ? s.reason().name().toLowerCase(Locale.ROOT)
                : e instanceof IllegalArgumentException ? "invalid" : "error";
        if (!PER_CLIENT.contains(topic)) {
            counter(kind).increment();
        }
        String reason = service + ": " + e.getMessage();
        LOG.warnf("%s record to dead-letter: %s", topic, reason);
        return new MessageException(reason, e);
    }
}
