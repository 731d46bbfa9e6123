package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.dpsgd.Network;

/**
 * The server's side of an RGB DCGAN run's rounds, as one JVM and the aggregator both drive it: {@link #begin} a
 * round, add the networks of each of its {@link #participants} in that order, {@link #finish} it. Sample level
 * ({@link DcganFederation.Server}: every client every round, their networks averaged) or user level
 * ({@link UserLevelFederation.Server}: a Poisson draw of clients, their clipped discriminator deltas noised).
 */
public interface FederationServer {

    /** Whether every round of the run is done. */
    boolean finished();

    /** Starts the next round; returns its number, from 1. */
    int begin();

    /** The clients whose networks the round started last takes, in the order they are to be added. */
    int[] participants();

    /** Ends the round; what it returns is released. */
    DcganFederation.Round finish();

    /** The latest round begun (0 before the first). */
    int round();

    /** The run's clients. */
    int clients();

    /** ε after the rounds finished so far (original conversion); +∞ when non-private. */
    double epsilon();

    Network discriminator();

    Network generator();
}
