package dev.fedgan.core.gan;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.privacy.SeededState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A training run's complete state in one directory: {@code generator.zip}, {@code critic.zip} (every tensor as
 * .npy, batch-norm statistics included) and {@code state.json} (round, configuration, accountant entries, the
 * seeded generators' positions, the client ids, the population size N that sets q). Resuming a seeded run continues
 * exactly as if it had not stopped.
 */
public final class GanCheckpoint {

    public static final int FORMAT = 1;

    /**
     * The JSON part. Secure runs store null generator states: fresh randomness continues them. {@code populationSize}
     * is N, which sets q = m/N (the selection's N̂); null in checkpoints written before it existed, meaning the number
     * of clients. {@code clip} is the next round's clip norm (adaptive clipping moves it); null in checkpoints written
     * before it existed, meaning the configured one.
     */
    public record State(int format, int round, GanTrainingConfig config, double delta, RdpAccountant.State accountant,
            SeededState noise, SeededState sampler, List<String> clients, Integer populationSize, Double clip) {
    }

    private GanCheckpoint() {
    }

    /** Everything of a run but its weights: what {@code state.json} holds. */
    public static State state(FederatedGanTraining run) {
        if (run.roundInProgress()) {
            throw new IllegalStateException("cannot checkpoint in the middle of round " + (run.round() + 1));
        }
        return new State(FORMAT, run.round(), run.config(), run.delta(), run.accountant().state(), run.noise().state(),
                run.sampler().state(), run.clientIds(), run.population(), run.clip());
    }

    /** Writes {@code dir} atomically (a sibling temp directory renamed into place). */
    public static void save(FederatedGanTraining run, Path dir) {
        if (run.roundInProgress()) {
            throw new IllegalStateException("cannot checkpoint " + dir + " in the middle of round " + (run.round() + 1));
        }
        try {
            Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            try (OutputStream out = Files.newOutputStream(tmp.resolve("generator.zip"))) {
                run.generator().write(out);
            }
            try (OutputStream out = Files.newOutputStream(tmp.resolve("critic.zip"))) {
                run.critic().write(out);
            }
            Json.write(tmp.resolve("state.json"), state(run));
            FileTrees.delete(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Continues a run from {@code dir} on the same clients. Fails, naming the file, on a missing or corrupt part,
     * another preset's weights, or a different population.
     */
    public static FederatedGanTraining resume(Path dir, List<WriterData> clients) throws IOException {
        return resume(dir, clients.stream().map(WriterData::id).toList(), clients);
    }

    /** Continues a run whose clients train elsewhere (the aggregator service), on the checkpoint's client ids. */
    public static FederatedGanTraining resumeRemote(Path dir) throws IOException {
        return resume(dir, null, null);
    }

    private static FederatedGanTraining resume(Path dir, List<String> ids, List<WriterData> clients) throws IOException {
        Path statePath = dir.resolve("state.json");
        if (!Files.isRegularFile(statePath)) {
            throw new IOException(dir + ": not a checkpoint (no state.json)");
        }
        State s;
        try {
            s = Json.read(statePath, State.class);
        } catch (RuntimeException e) {
            throw new IOException(statePath + ": unreadable checkpoint state (" + e.getMessage() + ")", e);
        }
        if (s.format() != FORMAT) {
            throw new IOException(statePath + ": checkpoint format " + s.format() + ", this build reads " + FORMAT);
        }
        if (ids != null && !ids.equals(s.clients())) {
            throw new IOException(statePath + ": the checkpoint was trained on another population ("
                    + s.clients().size() + " clients, now " + ids.size() + ")");
        }
        GanPreset p = s.config().preset();
        NetworkWeights generator = readWeights(dir.resolve("generator.zip"), GanNetworks.generatorLayout(p));
        NetworkWeights critic = readWeights(dir.resolve("critic.zip"), GanNetworks.criticLayout(p));
        GaussianNoise noise = s.noise() == null ? GaussianNoise.secure() : GaussianNoise.restore(s.noise());
        ClientSampler sampler = s.sampler() == null ? ClientSampler.secure() : ClientSampler.restore(s.sampler());
        int populationSize = s.populationSize() != null ? s.populationSize() : s.clients().size();
        double clip = s.clip() != null ? s.clip() : s.config().clip();
        return new FederatedGanTraining(s.config(), s.clients(), clients, populationSize, s.delta(), generator, critic,
                s.round(), clip, RdpAccountant.restore(s.accountant()), noise, sampler);
    }

    private static NetworkWeights readWeights(Path file, NetworkWeights layout) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": missing");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return NetworkWeights.read(in, layout, file.toString());
        }
    }
}
