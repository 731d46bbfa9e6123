"""Appends one row to bench/results/private-debug.csv from a 'fedgan debug --private --json' result.

Usage: private_debug_row.py RESULT.json CSV COMMIT TARGET SEED SECONDS COMMAND
"""
import csv as csvlib
import datetime
import json
import os
import sys

result, csv, commit, target, seed, seconds, command = sys.argv[1:8]
r = json.load(open(result))
plan = r["private_plan"]
last = {side: r["gans"][side]["gan"]["last"] for side in ("low", "high")}
low = last["low"]["mean_pixel"]
high = last["high"]["mean_pixel"]
bound = min(0.3, -r["gans"]["scale"]["lab_mean_pixel"] / 2)  # PolarityScale.bound()


def last_clip(gan):
    """The clip of the GAN's last round, from its released rounds.csv."""
    rows = list(csvlib.DictReader(open(os.path.join(result[:-len(".json")], "gans", gan, "rounds.csv"))))
    return float(rows[-1]["clip"])


rule = plan.get("adaptive_clip")
clip = ("adaptive %g: S 0.1 to %.3g / %.3g" % (rule["target_quantile"], last_clip("low_accuracy"),
                                                 last_clip("high_accuracy"))) if rule else "fixed 0.1"
row = [datetime.date.today().isoformat(), commit, target, seed, str(r["selection"]["users"]),
       "%.4f" % float(r["privacy"]["epsilon_improved"]), "%.0e" % r["privacy"]["delta"],
       "%.4g" % r["selection"]["noise_multiplier"],
       str(r["gans"]["low"]["population_size"]), str(r["gans"]["high"]["population_size"]),
       str(plan["clients_per_round"]), "%.4f" % plan["noise_multiplier"], str(plan["rounds"]), clip,
       "%+.3f" % low, "%+.3f" % high, "%.3f" % (low - high), "%.3f" % bound,
       "%.3f" % last["low"]["classifier_score"], "%.3f" % last["high"]["classifier_score"],
       "%.1f" % last["low"]["frechet_distance"], "%.1f" % last["high"]["frechet_distance"],
       str(r["inversion_found"]).lower(), seconds, '"' + command + '"']
with open(csv, "a") as f:
    f.write(",".join(row) + "\n")
print(",".join(row))
