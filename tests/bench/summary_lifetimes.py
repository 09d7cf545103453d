#!/usr/bin/env python3
"""The reference import: pandas read_csv + lifetimes' summary_data_from_transaction_data on a
transaction log (customer_id,date,amount), daily periods, observed to the last date. Prints
{"seconds", "customers"} as JSON (the whole process is timed from outside by run_all.py).

    VENV/bin/python tests/bench/summary_lifetimes.py LOG.csv [--out summary.csv]
"""
import argparse
import json
import time

import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--out")
    a = ap.parse_args()
    t0 = time.perf_counter()
    df = pd.read_csv(a.log, parse_dates=["date"])
    s = summary_data_from_transaction_data(
        df, "customer_id", "date", monetary_value_col="amount", freq="D",
        observation_period_end=df["date"].max(),
    )
    dt = time.perf_counter() - t0
    if a.out:
        s.to_csv(a.out)
    print(json.dumps({"seconds": dt, "customers": int(len(s))}))


if __name__ == "__main__":
    main()
