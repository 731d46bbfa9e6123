"""Appends one row to bench/results/private-debug.csv from a 'fedgan debug --private --json' result.

Usage: private_debug_row.py RESULT.json CSV COMMIT TARGET SEED SECONDS COMMAND
"""
import datetime
import json
import sys

result, csv, commit, target, seed, seconds, command = sys.argv[1:8]
r = json.load(open(result))
plan = r["private_plan"]
low = r["gans"]["low"]["gan"]["last"]["mean_pixel"]
high = r["gans"]["high"]["gan"]["last"]["mean_pixel"]
bound = min(0.3, -r["gans"]["scale"]["lab_mean_pixel"] / 2)  # PolarityScale.bound()
row = [datetime.date.today().isoformat(), commit, target, seed, str(r["selection"]["users"]),
       "%.4f" % r["privacy"]["epsilon_improved"], "%.0e" % r["privacy"]["delta"],
       str(r["gans"]["low"]["population_size"]), str(r["gans"]["high"]["population_size"]),
       str(plan["clients_per_round"]), "%.4f" % plan["noise_multiplier"], str(plan["rounds"]),
       "%+.3f" % low, "%+.3f" % high, "%.3f" % (low - high), "%.3f" % bound,
       str(r["inversion_found"]).lower(), seconds, '"' + command + '"']
with open(csv, "a") as f:
    f.write(",".join(row) + "\n")
print(",".join(row))
