"""Compares an engine's customer summary and grouped summary with `crm summarize`.

usage: python3 compare_summary.py DIR
DIR holds crm_summary.csv (from `crm summarize ... -o`), summary.csv (customer_id,x,t_x,T,m) and
grouped.csv (x,t_x,T,count) from the engine. Standard library only. Exits non-zero on a difference.
"""
import csv, os, sys
from collections import Counter

d = sys.argv[1]
crm = {r["id"]: r for r in csv.DictReader(open(os.path.join(d, "crm_summary.csv")))}
eng = {r["customer_id"]: r for r in csv.DictReader(open(os.path.join(d, "summary.csv")))}
if crm.keys() != eng.keys():
    sys.exit(f"customers differ: crm {len(crm)}, engine {len(eng)}")
worst = 0.0
for k, a in crm.items():
    b = eng[k]
    if int(a["x"]) != int(b["x"]):
        sys.exit(f"customer {k}: x {a['x']} vs {b['x']}")
    for ca, cb in (("t_x", "t_x"), ("T", "T"), ("monetary", "m")):
        worst = max(worst, abs(float(a[ca]) - float(b[cb])))
if worst > 1e-5:
    sys.exit(f"largest difference in t_x, T or m: {worst}")
key = lambda r: (int(r["x"]), round(float(r["t_x"]), 5), round(float(r["T"]), 5))
ours = Counter(key(r) for r in crm.values())
theirs = {key(r): int(r["count"]) for r in csv.DictReader(open(os.path.join(d, "grouped.csv")))}
if dict(ours) != theirs:
    sys.exit("grouped summaries differ")
print(f"same: {len(crm)} customers, sum x {sum(int(r['x']) for r in crm.values())}, "
      f"{len(theirs)} (x, t_x, T) groups, largest difference {worst:.1e}")
