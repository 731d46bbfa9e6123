package dev.fedgan.core.privacy;

/** How Renyi DP at a set of orders is turned into an (epsilon, delta) guarantee. */
public enum Conversion {

    /**
     * The original rule of tensorflow_privacy (2019; Mironov 2017, Proposition 3):
     * epsilon = min over alpha of RDP(alpha) - ln(delta) / (alpha - 1).
     */
    ORIGINAL("original 2019 conversion"),

    /**
     * The improved rule tensorflow_privacy uses since December 2020 (Canonne, Kamath, Steinke 2020; Asoodeh et al.):
     * for alpha > 1.01, epsilon = RDP(alpha) + ln(1 - 1/alpha) - (ln delta + ln alpha) / (alpha - 1); epsilon = 0 at
     * an order where delta^2 + e^(-RDP(alpha)) - 1 >= 0; orders <= 1.01 give nothing otherwise; the minimum over the
     * orders, floored at 0. At every order above 1.01 it is smaller than the original rule.
     */
    IMPROVED("improved 2020 conversion");

    private final String description;

    Conversion(String description) {
        this.description = description;
    }

    /** A few words for reports, e.g. "improved 2020 conversion". */
    public String description() {
        return description;
    }
}
