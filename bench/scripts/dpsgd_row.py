"""Appends one row to bench/results/dpsgd-fashion.csv from a 'fedgan dpsgd train --json' result.

Usage: dpsgd_row.py RESULT.json CSV COMMIT TARGET COMMAND
"""
import datetime
import json
import sys

result, csv, commit, target, command = sys.argv[1:6]
r = json.load(open(result))
p = r["provenance"]
d = p.get("privacy")
row = [datetime.date.today().isoformat(), commit, target,
       "%.4f" % d["epsilon_original"] if d else "inf", "%.4f" % d["epsilon_improved"] if d else "inf",
       "%.0e" % d["delta"] if d else "", "%.4f" % d["noise_multiplier"] if d else "0", str(p["batch_size"]),
       str(p["epochs"]), str(d["steps"]) if d else "", "%.4f" % p["test_accuracy"], "%.0f" % p["train_seconds"],
       '"' + command + '"']
with open(csv, "a") as f:
    f.write(",".join(row) + "\n")
print(",".join(row))
