#!/usr/bin/env python3
"""Independent RDP accountant for the sampled Gaussian mechanism (stdlib only), to derive golden epsilons.

Written from the formulas of tensorflow_privacy's rdp_accountant.py (Mironov, Talwar, Zhang 2019), not from the
Java code: integer orders by the exact binomial sum, fractional orders by the erfc series; the original
(2019) and the improved (Canonne-Kamath-Steinke / Asoodeh et al.) RDP -> (eps, delta) conversions.
"""
import math
import sys

ORDERS = [1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5] + [float(a) for a in range(5, 64)] + [128.0, 256.0, 512.0]


def lse(xs):
    m = max(xs)
    if m == -math.inf:
        return -math.inf
    return m + math.log(sum(math.exp(x - m) for x in xs))


def log_comb(n, k):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def log_a_int(q, s, a):
    terms = []
    for i in range(a + 1):
        terms.append(log_comb(a, i) + i * math.log(q) + (a - i) * math.log1p(-q) + (i * i - i) / (2 * s * s))
    return lse(terms)


def log_add(x, y):
    a, b = min(x, y), max(x, y)
    if a == -math.inf:
        return b
    return b + math.log1p(math.exp(a - b))


def log_sub(x, y):
    if y == -math.inf:
        return x
    return x + math.log1p(-math.exp(y - x))


def log_erfc(x):
    v = math.erfc(x)
    if v > 0:
        return math.log(v)
    # asymptotic, only for very large x
    return -x * x - math.log(x) - 0.5 * math.log(math.pi) + math.log1p(-1 / (2 * x * x))


def log_a_frac(q, s, a):
    log_a0, log_a1 = -math.inf, -math.inf
    i = 0
    z0 = s * s * math.log(1 / q - 1) + 0.5
    while True:
        # generalized binomial coefficient C(a, i), sign tracked separately
        coef = 1.0
        log_coef = 0.0
        sign = 1
        for k in range(i):
            f = (a - k) / (k + 1)
            if f < 0:
                sign = -sign
            log_coef += math.log(abs(f))
        j = a - i
        log_t0 = log_coef + i * math.log(q) + j * math.log1p(-q)
        log_t1 = log_coef + j * math.log(q) + i * math.log1p(-q)
        log_e0 = math.log(0.5) + log_erfc((i - z0) / (math.sqrt(2) * s))
        log_e1 = math.log(0.5) + log_erfc((z0 - j) / (math.sqrt(2) * s))
        log_s0 = log_t0 + (i * i - i) / (2 * s * s) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * s * s) + log_e1
        if sign > 0:
            log_a0 = log_add(log_a0, log_s0)
            log_a1 = log_add(log_a1, log_s1)
        else:
            log_a0 = log_sub(log_a0, log_s0)
            log_a1 = log_sub(log_a1, log_s1)
        i += 1
        if max(log_s0, log_s1) < -30:
            break
    return log_add(log_a0, log_a1)


def rdp_step(q, s, a):
    if q == 0:
        return 0.0
    if q == 1:
        return a / (2 * s * s)
    if float(a).is_integer():
        return log_a_int(q, s, int(a)) / (a - 1)
    return log_a_frac(q, s, a) / (a - 1)


def eps_original(rdp, delta):
    best = min(range(len(ORDERS)), key=lambda k: rdp[k] - math.log(delta) / (ORDERS[k] - 1))
    return rdp[best] - math.log(delta) / (ORDERS[best] - 1), ORDERS[best]


def eps_improved(rdp, delta):
    best, best_order = math.inf, None
    for a, r in zip(ORDERS, rdp):
        if a <= 1.01:
            continue
        if delta * delta + math.exp(-r) - 1 >= 0:
            e = 0.0
        else:
            e = r + math.log1p(-1 / a) - (math.log(delta) + math.log(a)) / (a - 1)
        if e < best:
            best, best_order = e, a
    return max(0.0, best), best_order


def default_delta(n):
    return min(1e-5, n ** -1.1)


def report(label, q, z, steps, delta):
    rdp = [steps * rdp_step(q, z, a) for a in ORDERS]
    eo, ao = eps_original(rdp, delta)
    ei, ai = eps_improved(rdp, delta)
    print(f"{label}: q={q!r} z={z} T={steps} delta={delta!r}: original {eo!r} (order {ao}), improved {ei!r} (order {ai})")


if __name__ == "__main__":
    # Self-check against the reference's golden values (dp-fedavg-gan-reference.md section 7).
    report("golden compute_dp_sgd_privacy_test 60000/150/1.3/15ep (0.941870567 / 0.7242234026)", 150 / 60000, 1.3, 6000, 1e-5)
    report("golden compute_dp_sgd_privacy_test 100000/100/1.0/30ep (1.70928734 / 1.4154988495)", 100 / 100000, 1.0, 30000, 1e-7)
    report("golden docstring 60000/256/1.12/60ep (2.9224 / 2.5216)", 256 / 60000, 1.12, math.ceil(60 * 60000 / 256), 1e-5)
    print("default_delta(25) =", repr(default_delta(25)), " 25^-1.1 =", repr(25 ** -1.1))
    print("default_delta(850) =", repr(default_delta(850)), " 850^-1.1 =", repr(850 ** -1.1))
    print("default_delta(3400) =", repr(default_delta(3400)), " 3400^-1.1 =", repr(3400 ** -1.1))
    print("default_delta(1e6) =", repr(default_delta(10 ** 6)), " 10^-6.6 =", repr(10 ** -6.6))
    report("N=850 m=10 z=1.0 T=1000 default delta", 10 / 850, 1.0, 1000, default_delta(850))
    report("N=3400 m=10 z=1.0 T=1000 default delta", 10 / 3400, 1.0, 1000, default_delta(3400))
    report("N=25 m=5 z=1.0 T=100 default delta", 5 / 25, 1.0, 100, default_delta(25))
    report("N=1e6 m=1000 z=1.0 T=1000 default delta", 1000 / 10 ** 6, 1.0, 1000, default_delta(10 ** 6))
