package dev.fedgan.core.gan;

import dev.fedgan.core.privacy.ClippedSum;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;

/**
 * The updates of some of a round's clients, checked, clipped and summed ({@link ClippedSum}), with what they report
 * (critic steps, losses, zeroed deltas): what one aggregator shard contributes to a round, to be added to the others
 * by the round's owner ({@link FederatedGanTraining#addShare}) before the noise. With DP the round's result is the
 * same to the bit however its clients were split into shares and in whatever order each share received them.
 *
 * <p>A share is not noised: it stays inside the trusted aggregator and its storage, never released.
 */
public final class RoundShare {

    /** What a round's updates report besides their deltas; added over the clients, in any order. */
    static final class Reports {
        double lossSum;
        int nonFinite;
        int criticSteps;

        void count(ClientUpdate u) {
            lossSum += u.loss();
            nonFinite += u.nonFinite() ? 1 : 0;
            criticSteps += u.steps();
        }

        void add(Reports other) {
            lossSum += other.lossSum;
            nonFinite += other.nonFinite;
            criticSteps += other.criticSteps;
        }
    }

    private static final int MAGIC = 0x46475253; // "FGRS"
    private final int round;
    private final ClippedSum sum;
    final Reports reports = new Reports();

    private RoundShare(int round, ClippedSum sum) {
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, got " + round);
        }
        this.round = round;
        this.sum = sum;
    }

    /**
     * An empty share of round {@code round} (0-based) of a critic of {@code length} weights: with DP its deltas are
     * clipped to {@code clipNorm}, the round's S; null sums them example-weighted, without DP.
     */
    public static RoundShare of(int round, int length, Double clipNorm) {
        return new RoundShare(round, ClippedSum.of(length, clipNorm));
    }

    /**
     * Adds one client's update: clipped and summed now (the delta is not kept). A client's second update is ignored.
     *
     * @return whether it counted (false: a duplicate)
     * @throws IllegalArgumentException if the update is of another round, or its delta of another length
     */
    public boolean add(ClientUpdate u) {
        if (u.round() != round) {
            throw new IllegalArgumentException("update of client " + u.clientId() + " for round " + (u.round() + 1)
                    + " offered to a share of round " + (round + 1));
        }
        if (sum.add(u.clientId(), u.delta(), u.nonFinite() ? 0 : u.realExamples()) == ClippedSum.Outcome.DUPLICATE) {
            return false;
        }
        reports.count(u);
        return true;
    }

    /** The round, 0-based. */
    public int round() {
        return round;
    }

    /** The clients summed, rejected ones included. */
    public Set<String> clients() {
        return sum.clients();
    }

    ClippedSum sum() {
        return sum;
    }

    /** Writes the share (binary: magic, round, reports, then the {@link ClippedSum}). Trusted storage only. */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeInt(round);
        d.writeDouble(reports.lossSum);
        d.writeInt(reports.nonFinite);
        d.writeInt(reports.criticSteps);
        d.flush();
        sum.writeTo(out);
    }

    /**
     * Reads a share {@link #writeTo written} before.
     *
     * @param where names the source in error messages
     * @throws IOException naming {@code where} and the fault if the bytes are not a round share
     */
    public static RoundShare readFrom(InputStream in, String where) throws IOException {
        DataInputStream d = new DataInputStream(in);
        try {
            if (d.readInt() != MAGIC) {
                throw new IOException(where + ": not a round share (bad magic number)");
            }
            int round = d.readInt();
            double lossSum = d.readDouble();
            int nonFinite = d.readInt();
            int criticSteps = d.readInt();
            if (round < 0 || nonFinite < 0 || criticSteps < 0) {
                throw new IOException(where + ": invalid round share header");
            }
            RoundShare share = new RoundShare(round, ClippedSum.readFrom(in, where));
            share.reports.lossSum = lossSum;
            share.reports.nonFinite = nonFinite;
            share.reports.criticSteps = criticSteps;
            return share;
        } catch (EOFException e) {
            throw new IOException(where + ": truncated round share", e);
        }
    }

    @Override
    public String toString() {
        return "RoundShare[round " + (round + 1) + ", " + sum + "]";
    }
}
