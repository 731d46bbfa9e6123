#!/usr/bin/env python3
"""Checks `fedgan privacy epsilon` against independent accountants on random cases it has not seen.

Usage: bench/accountant-crosscheck.py [--dp-accounting SRC] [CASES] [SEED]

Each case draws N, m, z, T and δ at random and asks the command line (`./fedgan privacy epsilon --json`, Poisson
sampling) for ε under both conversions. The reference is computed here from the definition, in 40-digit
arithmetic (mpmath): A_α = E[(1 − q + q·exp((2x − 1)/(2z²)))^α] over x ~ N(0, z²), by the exact binomial sum for
integer α and by quadrature for fractional α; RDP = T·ln(A_α)/(α − 1) at the command's orders; then the original
(ε = RDP − ln δ/(α − 1)) and the improved (ε = RDP + ln(1 − 1/α) − ln(δα)/(α − 1)) conversions, minimised over
the orders. With --dp-accounting SRC (the `python/dp_accounting` folder of github.com/google/differential-privacy)
Google's RdpAccountant is asked too; its fractional orders sum the absolute values of the signed series (an upper
bound), so it is reported, not required to agree. Appends one row per case to
bench/results/accountant-crosscheck.csv; exits 1 if any relative difference to the reference exceeds 1e-6.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import types

import mpmath as mp

TOLERANCE = 1e-6
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
mp.mp.dps = 40


def log_a(q, z, a):
    q, z, a = mp.mpf(q), mp.mpf(z), mp.mpf(a)
    if a == int(a):
        n = int(a)
        return mp.log(mp.fsum(mp.binomial(n, i) * (1 - q) ** (n - i) * q ** i * mp.exp((i * i - i) / (2 * z * z))
                              for i in range(n + 1)))
    kink = mp.mpf(1) / 2 + z * z * mp.log((1 - q) / q)
    f = lambda x: mp.exp(-x * x / (2 * z * z) + a * mp.log(1 - q + q * mp.exp((2 * x - 1) / (2 * z * z)))) \
        / (z * mp.sqrt(2 * mp.pi))
    return mp.log(mp.quad(f, sorted({-mp.inf, -10 * z, mp.mpf(0), kink, a, a + 10 * z, mp.inf})))


def reference(q, z, t, delta, orders):
    best_orig, best_impr = mp.inf, mp.inf
    for a in orders:
        if q == 1:
            rdp = t * mp.mpf(a) / (2 * mp.mpf(z) ** 2)
        else:
            rdp = t * log_a(q, z, a) / (mp.mpf(a) - 1)
        a = mp.mpf(a)
        best_orig = min(best_orig, rdp - mp.log(delta) / (a - 1))
        if delta ** 2 + mp.expm1(-rdp) > 0:
            impr = mp.mpf(0)
        else:
            impr = rdp + mp.log(1 - 1 / a) - mp.log(delta * a) / (a - 1)
        best_impr = min(best_impr, impr)
    return float(best_orig), float(max(0, best_impr))


def dp_accounting_epsilon(src, q, z, t, delta, orders):
    if "absl.logging" not in sys.modules:
        try:
            import absl.logging  # noqa: F401
        except ImportError:
            absl, log = types.ModuleType("absl"), types.ModuleType("absl.logging")
            for name in ("info", "warning", "log", "vlog", "debug", "error"):
                setattr(log, name, lambda *a, **k: None)
            absl.logging = log
            sys.modules["absl"], sys.modules["absl.logging"] = absl, log
        sys.path.insert(0, src)
    import dp_accounting
    from dp_accounting import rdp
    acc = rdp.RdpAccountant(orders, dp_accounting.NeighboringRelation.ADD_OR_REMOVE_ONE)
    acc.compose(dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(z)), t)
    return acc.get_epsilon(delta)


def fedgan(n, m, z, t, delta):
    out = subprocess.run([os.path.join(TOP, "fedgan"), "privacy", "epsilon", "-N", str(n), "-m", str(m), "-z", repr(z),
                          "-T", str(t), "--delta", repr(delta), "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def relative(x, y):
    return 0.0 if x == y else abs(x - y) / max(abs(y), 1e-300)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dp-accounting", metavar="SRC")
    p.add_argument("cases", nargs="?", type=int, default=20)
    p.add_argument("seed", nargs="?", type=int, default=random.SystemRandom().randrange(1 << 31))
    args = p.parse_args()
    rng = random.Random(args.seed)
    rows, worst = [], 0.0
    for k in range(args.cases):
        n = rng.choice([50, 300, 3400, 60000, 10 ** 6]) + rng.randrange(1000)
        m = max(1, min(n, int(n * 10 ** rng.uniform(-4, -0.3))))
        z = round(10 ** rng.uniform(-0.4, 1.0), 4)
        t = rng.choice([1, 7, 100, 1000, 5000, 20000])
        delta = 10 ** rng.uniform(-9, -4)
        ours = fedgan(n, m, z, t, delta)
        orig, impr = reference(ours["q"], z, t, delta, ours["orders"])
        google = dp_accounting_epsilon(args.dp_accounting, ours["q"], z, t, delta, ours["orders"]) \
            if args.dp_accounting else float("nan")
        rel = max(relative(ours["epsilon_original"], orig), relative(ours["epsilon_improved"], impr))
        worst = max(worst, rel)
        rows.append([args.seed, k, n, m, ours["q"], z, t, delta, ours["epsilon_original"], orig,
                     ours["epsilon_improved"], impr, rel, google])
        print(f"N={n} m={m} z={z} T={t} δ={delta:.3g}: ε improved fedgan {ours['epsilon_improved']:.12g}, "
              f"reference {impr:.12g}; original {ours['epsilon_original']:.12g} / {orig:.12g}; "
              f"relative difference {rel:.1e}" + (f"; dp_accounting {google:.12g}" if args.dp_accounting else ""))
    path = os.path.join(TOP, "bench", "results", "accountant-crosscheck.csv")
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["seed", "case", "population", "clients_per_round", "q", "noise_multiplier", "rounds", "delta",
                        "epsilon_original", "reference_original", "epsilon_improved", "reference_improved",
                        "relative_difference", "dp_accounting_improved"])
        w.writerows(rows)
    print(f"seed {args.seed}: {args.cases} cases, worst relative difference {worst:.1e} (tolerance {TOLERANCE:g})")
    sys.exit(0 if worst <= TOLERANCE else 1)


if __name__ == "__main__":
    main()
