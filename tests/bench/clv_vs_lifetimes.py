#!/usr/bin/env python3
"""Benchmark: `crm fit` (release build) against the Python package lifetimes on the same
simulated customer summary. Not a timed test: run by hand, it writes BENCHMARKS_CLV.md.

Set-up (once):
    python3 -m venv /tmp/ltvenv
    /tmp/ltvenv/bin/pip install lifetimes==0.11.3 numpy==1.24.4 pandas==1.5.3 scipy==1.10.1 \
        autograd==1.9.1 dill==0.4.1 "setuptools<81"
    cargo build --release --bin crm && trunk build --release
Run (from the repository root):
    /tmp/ltvenv/bin/python tests/bench/clv_vs_lifetimes.py [--n 1000000] [--pnbd-n 100000]
        [--chromium-runs 3]   (0 skips the browser; the browser runs tests/bench/clv_chromium.mjs)

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
CRM = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "release", "crm")


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


def time_chromium(path, model, runs):
    """Fit through the built app in headless Chromium (tests/bench/clv_chromium.mjs)."""
    out = subprocess.run(
        ["node", os.path.join(HERE, "clv_chromium.mjs"), path, model, str(runs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(out.stdout + out.stderr)


def time_lifetimes(df, model):
    from lifetimes import BetaGeoFitter, ParetoNBDFitter

    f = BetaGeoFitter(penalizer_coef=0.0) if model == "bgnbd" else ParetoNBDFitter(penalizer_coef=0.0)
    t0 = time.perf_counter()
    f.fit(df["frequency"], df["recency"], df["T"])
    dt = time.perf_counter() - t0
    return dt, {k: float(v) for k, v in f.params_.items()}


def to_days(df):
    """The same customers with recency and T at day resolution (as any summary of a dated
    transaction log is): whole days, expressed in weeks."""
    d = df.copy()
    d["recency"] = np.round(d["recency"] * 7.0) / 7.0
    d["T"] = np.round(d["T"] * 7.0) / 7.0
    return d


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--pnbd-n", type=int, default=100_000)
    ap.add_argument("--chromium-runs", type=int, default=3, help="0 skips the browser")
    ap.add_argument("--out", default=os.path.join(HERE, "BENCHMARKS_CLV.md"))
    args = ap.parse_args()
    if not os.path.exists(CRM):
        sys.exit(f"{CRM} is missing: run cargo build --release --bin crm first")
    if args.chromium_runs and not os.path.exists(os.path.join(ROOT, "dist", "index.html")):
        sys.exit("dist/ is missing: run trunk build --release first (or --chromium-runs 0)")
    work = "/tmp/clv_bench"
    os.makedirs(work, exist_ok=True)
    t0 = time.perf_counter()
    df = simulate(args.n)
    sim_s = time.perf_counter() - t0
    load = os.getloadavg()[0]

    rows = []
    for resolution, frame in [("days", to_days(df)), ("continuous", df)]:
        for model, d in [("bgnbd", frame), ("pnbd", frame.head(args.pnbd_n))]:
            path = os.path.join(work, f"summary_{resolution}_{len(d)}.csv")
            if not os.path.exists(path):
                d.to_csv(path, index=False)
            c_s, c_out = time_crm(path, model)
            b = time_chromium(path, model, args.chromium_runs) if args.chromium_runs else None
            l_s, l_par = time_lifetimes(d, model)
            rows.append((model, resolution, len(d), c_s, c_out, b, l_s, l_par))
            print(model, resolution, len(d), f"crm {c_s:.2f} s", f"chromium {b and median(b['fit_seconds'])}",
                  f"lifetimes {l_s:.2f} s", flush=True)

    lines = [
        "# Lifetime-value fits: crm against lifetimes",
        "",
        "Produced by `tests/bench/clv_vs_lifetimes.py` (command below); not a timed test. All columns come",
        "from one run on the same machine (2 cores; load average "
        f"{load:.1f} at the start of the run, other work was running).",
        "",
        f"Data: {args.n:,} customers simulated from BG/NBD with the CDNOW estimates (r=0.243, alpha=4.414,",
        "a=0.793, b=2.426; weeks; acquired over 12 weeks, observed to week 39), in "
        f"{sim_s:.1f} s. 'days': recency and T at day",
        "resolution, as in any summary of a dated transaction log (many customers share (x, t_x, T));",
        "'continuous': the same customers with times to 4 decimals, so nearly every customer is distinct",
        "(the worst case for grouping). Pareto/NBD runs on the first rows (lifetimes takes minutes on a",
        "million).",
        "",
        "- 'crm native': the fit itself (grouping, staged search, standard errors) as `crm fit --json`",
        "  reports it, built with `cargo build --release --bin crm`.",
        "- 'crm in Chromium': the same fit in the app's web worker in headless Chromium, as the page",
        "  reports it (\"Fitted in\"), after uploading the CSV (tests/bench/clv_chromium.mjs; median of "
        f"{args.chromium_runs}).",
        "- 'lifetimes': `BetaGeoFitter` / `ParetoNBDFitter` `.fit()` on in-memory columns, no weights.",
        "",
        "| model | data | customers | crm native fit (s) | crm in Chromium fit (s) | lifetimes fit (s) | lifetimes / crm native | lifetimes / crm Chromium | crm parameters | lifetimes parameters |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for model, resolution, n, c_s, c_out, b, l_s, l_par in rows:
        cp = c_out.get("params", {})
        fit_s = c_out.get("seconds", {}).get("fit", c_s)
        fmt = lambda d: ", ".join(f"{k}={v:.4f}" for k, v in d.items())
        if b:
            b_s = median(b["fit_seconds"])
            b_cols = f"{b_s:.2f} | {l_s:.2f} | {l_s / fit_s:.0f}× | {l_s / b_s:.0f}×"
        else:
            b_cols = f"– | {l_s:.2f} | {l_s / fit_s:.0f}× | –"
        lines.append(f"| {model} | {resolution} | {n:,} | {fit_s:.2f} | {b_cols} | {fmt(cp)} | {fmt(l_par)} |")
    lines += [
        "",
        "Command:",
        "",
        "```",
        "cargo build --release --bin crm && trunk build --release",
        f"/tmp/ltvenv/bin/python tests/bench/clv_vs_lifetimes.py --n {args.n} --pnbd-n {args.pnbd_n}"
        f" --chromium-runs {args.chromium_runs}",
        "```",
        "",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
