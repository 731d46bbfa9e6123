package dev.fedgan.clientupdate;

import dev.fedgan.core.gan.StepWarmUp;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.FedganConfig;
import dev.fedgan.service.Sent;
import dev.fedgan.modelstore.ModelStore;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * {@code round-tasks} → {@code client-updates}: one sampled client's part of a round (reference section 4.3), or a
 * group's where the critic is small (its clients trained together, as in one JVM). The work is
 * {@link RemoteClientStep}: broadcast weights from the object store, the core's critic steps on the clients' data (on
 * the {@link ComputeThread}), each delta back to the store; this class announces each client's update, keyed by
 * experiment.
 *
 * <p>Tasks are taken one at a time, in order, but a task's delta is stored and announced while the next task's
 * critic steps run (at most one store behind: a task is taken once the previous task has trained and the one before
 * it has stored its deltas). A task is acknowledged only once its announcements are on the broker, so a replica that dies
 * mid-task leaves it to be redelivered. A task that cannot be processed (malformed or unknown-schema JSON, a missing
 * or corrupt object, an unknown client) is nacked: the Kafka connector's dead-letter-queue strategy writes it to
 * {@code dead-letter} with the reason in the {@code dead-letter-reason} header; consumption goes on.
 *
 * <p>It exports no metric of its tasks (how many, how long): they are the sampled clients' (metrics are released,
 * docs/privacy.md). Its log has a line per task.
 */
@ApplicationScoped
public class ClientUpdateService {

    private final RemoteClientStep step;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Emitter<String> updates;
    /** Stores deltas, one at a time, while the compute thread trains the next task. */
    private final ExecutorService storing = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedgan-delta-store");
        t.setDaemon(true);
        return t;
    });
    /** The last task's delta stored (or failed): the next task after the one training waits for it. */
    private CompletableFuture<?> lastStored = CompletableFuture.completedFuture(null);

    public ClientUpdateService(ModelStore models, ComputeThread compute, DeadLetters deadLetters,
            @Channel("client-updates") Emitter<String> updates) {
        this.step = new RemoteClientStep(models);
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.updates = updates;
    }

    /**
     * Starts the task's critic steps and its delta's store behind them; the returned stage completes when the next
     * task may start (this one trained, the previous one stored). The task itself is acked or nacked later.
     */
    @Incoming("round-tasks")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> process(Message<String> message) {
        RoundTask task;
        try {
            task = Messages.decode(message.getPayload(), RoundTask.class);
        } catch (RuntimeException e) {
            return message.nack(deadLetters.reject("round-tasks", e));
        }
        CompletableFuture<RemoteClientStep.Trained> trained = compute.submit(() -> step.train(task));
        CompletableFuture<List<ClientUpdateReady>> stored = trained.thenApplyAsync(step::store, storing);
        stored.thenCompose(ready -> announce(ready, task)).whenComplete((ready, failure) -> {
            if (failure == null) {
                message.ack();
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                RuntimeException e = cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
                message.nack(deadLetters.reject("round-tasks", e));
            }
        });
        CompletableFuture<?> previous = lastStored;
        lastStored = stored;
        return CompletableFuture.allOf(trained, previous).handle((v, e) -> null);
    }

    /**
     * Sends each update's announcement keyed by experiment to the partition its task names for its client (the
     * aggregator shard that sums it; -1 where it names none); completes when the broker has them all.
     */
    private CompletableFuture<Void> announce(List<ClientUpdateReady> ready, RoundTask task) {
        List<RoundTask.Member> clients = task.clients();
        CompletableFuture<?>[] sent = new CompletableFuture<?>[ready.size()];
        for (int c = 0; c < ready.size(); c++) {
            Integer partition = clients.get(c).updatePartition();
            sent[c] = Sent.keyed(updates, ready.get(c).experimentId(), Messages.encode(ready.get(c)),
                    partition == null ? -1 : partition);
        }
        return CompletableFuture.allOf(sent);
    }

    /** Runs {@code fedgan.warm-up.critic-steps} critic steps of the tiny networks ({@link StepWarmUp}); 0 runs none. */
    void onStart(@Observes StartupEvent event, FedganConfig config) {
        compute.warmUp("critic steps", config.warmUp().criticSteps(), StepWarmUp::criticSteps);
    }

    void onStop(@Observes ShutdownEvent event) {
        storing.shutdownNow();
    }
}
