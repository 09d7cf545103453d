#!/usr/bin/env python3
"""Writes a seeded synthetic transaction log for the import benchmarks.

    python3 tests/bench/make_log.py ROWS OUT.csv [--seed 7]

Columns customer_id,date,amount; rows in date order (as exports usually are); about 26 bytes a
row, so 2,000,000 rows make about 52 MB. Customers buy at rates drawn from a Gamma
distribution over two years, amounts from a log-normal. Same seed, same bytes (pure Python,
no numpy: the stream does not depend on a library version).
"""
import argparse
import datetime
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    customers = max(1, a.rows // 10)
    days = 730
    start = datetime.date(2023, 1, 1)
    # Each customer's weight (purchase rate) and first day; rows pick a customer by weight and a
    # day on or after the customer's first.
    weights = [rng.gammavariate(0.6, 1.0) + 1e-6 for _ in range(customers)]
    first = [rng.randrange(days) for _ in range(customers)]
    ids = rng.choices(range(customers), weights=weights, k=a.rows)
    rows = []
    for c in ids:
        d = first[c] + rng.randrange(days - first[c])
        amount = round(rng.lognormvariate(3.0, 0.8), 2)
        rows.append((d, c, amount))
    rows.sort()
    dates = [(start + datetime.timedelta(days=i)).isoformat() for i in range(days)]
    with open(a.out, "w", newline="") as f:
        f.write("customer_id,date,amount\n")
        f.writelines(f"C{c:07d},{dates[d]},{amount:.2f}\n" for d, c, amount in rows)


if __name__ == "__main__":
    main()
