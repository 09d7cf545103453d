#!/usr/bin/env python3
"""Benchmark: `crm fit` (release build) against the Python package lifetimes on the same
simulated customer summary. Not a timed test: run by hand, it writes BENCHMARKS_CLV.md.

Set-up (once):
    python3 -m venv /tmp/ltvenv
    /tmp/ltvenv/bin/pip install lifetimes==0.11.3 numpy==1.24.4 pandas==1.5.3 scipy==1.10.1 \
        autograd==1.9.1 dill==0.4.1 "setuptools<81"
    cargo build --profile native --bin crm
Run (from the repository root):
    /tmp/ltvenv/bin/python tests/bench/clv_vs_lifetimes.py [--n 1000000] [--pnbd-n 100000]

The summary is simulated from BG/NBD with the CDNOW estimates (r=0.243, alpha=4.414, a=0.793,
b=2.426; weeks; customers acquired over 12 weeks, observed to week 39). lifetimes' Pareto/NBD
takes minutes on a million customers, so by default Pareto/NBD runs on the first --pnbd-n rows
(both tools on the same rows).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CRM = os.path.join(ROOT, "target", "native", "crm")


def simulate(n, seed=1, r=0.243, alpha=4.414, a=0.793, b=2.426, horizon=39.0):
    rng = np.random.default_rng(seed)
    T = horizon - rng.uniform(0.0, 12.0, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n)
    tx = np.zeros(n)
    t = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-12))
        bought = t[idx] <= T[idx]
        buy = idx[bought]
        x[buy] += 1
        tx[buy] = t[buy]
        active[idx[~bought]] = False
        dropped = buy[rng.uniform(size=buy.size) < p[buy]]
        active[dropped] = False
    m = np.where(x > 0, rng.gamma(6.25, 1.0, n) * 3.0, 0.0)
    return pd.DataFrame(
        {
            "customer_id": np.arange(n).astype(str),
            "frequency": x,
            "recency": np.round(tx, 4),
            "T": np.round(T, 4),
            "monetary_value": np.round(m, 2),
        }
    )


def time_crm(path, model):
    t0 = time.perf_counter()
    out = subprocess.run(
        [CRM, "fit", path, "--model", model, "--time-unit", "week", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    dt = time.perf_counter() - t0
    return dt, json.loads(out.stdout)


def time_lifetimes(df, model):
    from lifetimes import BetaGeoFitter, ParetoNBDFitter

    f = BetaGeoFitter(penalizer_coef=0.0) if model == "bgnbd" else ParetoNBDFitter(penalizer_coef=0.0)
    t0 = time.perf_counter()
    f.fit(df["frequency"], df["recency"], df["T"])
    dt = time.perf_counter() - t0
    return dt, {k: float(v) for k, v in f.params_.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--pnbd-n", type=int, default=100_000)
    ap.add_argument("--out", default=os.path.join(HERE, "BENCHMARKS_CLV.md"))
    args = ap.parse_args()
    if not os.path.exists(CRM):
        sys.exit(f"{CRM} is missing: run cargo build --profile native --bin crm first")
    work = "/tmp/clv_bench"
    os.makedirs(work, exist_ok=True)
    t0 = time.perf_counter()
    df = simulate(args.n)
    sim_s = time.perf_counter() - t0
    full = os.path.join(work, f"summary_{args.n}.csv")
    df.to_csv(full, index=False)
    small_df = df.head(args.pnbd_n)
    small = os.path.join(work, f"summary_{args.pnbd_n}.csv")
    small_df.to_csv(small, index=False)

    rows = []
    for model, path, d in [("bgnbd", full, df), ("pnbd", small, small_df)]:
        c_s, c_out = time_crm(path, model)
        l_s, l_par = time_lifetimes(d, model)
        rows.append((model, len(d), c_s, c_out, l_s, l_par))
        print(model, len(d), f"crm {c_s:.2f} s", f"lifetimes {l_s:.2f} s", flush=True)

    lines = [
        "# Lifetime-value fits: crm against lifetimes",
        "",
        "Produced by `tests/bench/clv_vs_lifetimes.py` (command below); not a timed test.",
        f"Simulated BG/NBD summary (r=0.243, alpha=4.414, a=0.793, b=2.426, weeks), {args.n:,} customers,"
        f" simulated in {sim_s:.1f} s. Machine: 2 cores. Wall clock. 'crm fit' is the fit itself",
        "(grouping, multi-start search, standard errors) as `crm fit --json` reports it; 'crm total'",
        "adds the process start and reading the CSV through the importer. lifetimes: `.fit()` only,",
        "on in-memory columns. The ratio compares the two fits.",
        "",
        "| model | customers | crm fit (s) | crm total (s) | lifetimes fit (s) | lifetimes / crm fit | crm parameters | lifetimes parameters |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for model, n, c_s, c_out, l_s, l_par in rows:
        cp = c_out.get("params", {})
        fit_s = c_out.get("seconds", {}).get("fit", c_s)
        fmt = lambda d: ", ".join(f"{k}={v:.4f}" for k, v in d.items())
        lines.append(
            f"| {model} | {n:,} | {fit_s:.2f} | {c_s:.2f} | {l_s:.2f} | {l_s / fit_s:.1f}× | {fmt(cp)} | {fmt(l_par)} |"
        )
    lines += [
        "",
        "Command:",
        "",
        "```",
        f"/tmp/ltvenv/bin/python tests/bench/clv_vs_lifetimes.py --n {args.n} --pnbd-n {args.pnbd_n}",
        "```",
        "",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
