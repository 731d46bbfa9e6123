package dev.fedgan.core.privacy;

import java.util.List;

/**
 * What {@link PrivacyCalculator} answers: the (epsilon, delta) guarantee of T steps of the Sampled Gaussian
 * Mechanism, under both conversions, with the inputs it was computed from.
 *
 * @param population         N, the number of users (or examples) sampled from; null when only q was given
 * @param sampledPerRound    m, expected users (or examples) per round (Poisson, q = m/N); null when q was given directly
 * @param q                  the sampling rate, m / N or as given
 * @param noiseMultiplier    z, noise standard deviation divided by the clip norm
 * @param steps              T, the number of rounds (steps)
 * @param delta              delta of the guarantee
 * @param deltaIsDefault     whether delta is the default min(1e-5, 1 / N^1.1)
 * @param epsilonOriginal    epsilon under the original 2019 conversion
 * @param bestOrderOriginal  the Renyi order achieving it
 * @param epsilonImproved    epsilon under the improved 2020 conversion
 * @param bestOrderImproved  the Renyi order achieving it
 * @param orders             the Renyi orders searched
 * @param samplingAssumption the sampling the estimate is for (Poisson with rate q), in words
 */
public record PrivacyEstimate(Long population, Integer sampledPerRound, double q, double noiseMultiplier, long steps,
                              double delta, boolean deltaIsDefault, double epsilonOriginal, double bestOrderOriginal,
                              double epsilonImproved, double bestOrderImproved, List<Double> orders,
                              String samplingAssumption) {

    public PrivacyEstimate {
        orders = orders == null ? null : List.copyOf(orders);
    }
}
