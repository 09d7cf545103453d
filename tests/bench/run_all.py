#!/usr/bin/env python3
"""Every benchmark in one run, written to tests/bench/RESULTS.md and RESULTS.json.

    .ci/dev.sh bench [--quick] [--runs N] [--no-browser]
    (or, with the tools installed: python3 tests/bench/run_all.py [--quick] ...)

What it does, in order (nothing here is a test: figures are recorded, not asserted):
1. installs lifetimes and its pins into its own virtual environment (CRM_BENCH_VENV, default
   ~/.cache/crm-bench-venv) when missing, and builds `crm` (`cargo build --release`), the csv
   crate's bare record loop (tests/bench/csv_raw) and, unless --no-browser, the page
   (`trunk build --release`);
2. import: a seeded transaction log (tests/bench/make_log.py; 2,000,000 rows, about 52 MB;
   200,000 rows with --quick) summarised by `crm summarize`, by pandas + lifetimes
   (tests/bench/summary_lifetimes.py) and read by the csv crate's loop, interleaved run by
   run, each process timed from outside (CPU = user + system, peak resident memory);
3. fits: simulated customer summaries of 10^4, 10^5 and 10^6 customers (10^4 and 10^5 with
   --quick): BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma by `crm fit` (the fit as it reports
   it, and the whole process) and by lifetimes in the same run, interleaved; the CLV
   computation (`crm predict`: BG/NBD + Gamma-Gamma fits and every customer's CLV, whole
   process) against lifetimes' `customer_lifetime_value` (fits excluded);
4. the browser (headless Chromium, the built dist/): app shell load time and wasm sizes
   (load_chromium.mjs), import of a 1,000,000-row log (import_chromium.mjs; 100,000 with
   --quick), the fits timed inside the page (clv_chromium.mjs), and with the full size the
   Lifetime value page and main-thread blocks on the 1,000,000-row log (ltv_large.mjs) and
   peak browser memory while importing it (import_large.mjs).
Medians over --runs repeated runs (default 3). The machine's load average is recorded before
and after: on a shared machine, compare figures from one run only.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository when clv_vs_lifetimes is imported
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
CRM = os.path.join(TARGET, "release", "crm")
CSV_RAW = os.path.join(TARGET, "csv-raw", "release", "csv-raw")
PINS = [
    "lifetimes==0.11.3", "numpy==1.24.4", "pandas==1.5.3", "scipy==1.10.1",
    "autograd==1.9.1", "dill==0.4.1", "setuptools<81",
]
# The targets (benchmarks, not tests).
TARGETS = {
    "summary_vs_lifetimes_cpu": 10.0,
    "import_share_of_csv_rate": 0.5,
    "peak_memory_over_file": 3.0,
    "browser_import_1m_ms": 500,
    "ltv_page_1m_s": 2.0,
    "longest_main_thread_task_ms": 50,
    "app_wasm_gzip_bytes": 600 * 1024,
    "shell_ms": 1000,
}


def log(msg):
    print(f"== {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, cwd=ROOT, **kw)


def timed(cmd, env=None):
    """Runs `cmd` under /usr/bin/time -v: (stdout, wall s, cpu s, peak MB)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, text=True, capture_output=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    def field(name):
        m = re.search(rf"{re.escape(name)}: ([0-9.]+)", p.stderr)
        return float(m.group(1)) if m else float("nan")
    cpu = field("User time (seconds)") + field("System time (seconds)")
    peak = field("Maximum resident set size (kbytes)") / 1024.0
    return p.stdout, wall, cpu, peak


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def venv_python():
    venv = os.environ.get("CRM_BENCH_VENV") or os.path.expanduser("~/.cache/crm-bench-venv")
    py = os.path.join(venv, "bin", "python")
    ok = os.path.exists(py) and subprocess.run(
        [py, "-c", "import lifetimes, pandas; assert pandas.__version__ == '1.5.3'"],
        capture_output=True).returncode == 0
    if not ok:
        log(f"installing lifetimes and its pins into {venv}")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q"] + PINS, check=True)
    return py


def versions(py):
    v = {}
    for name, cmd in [
        ("rustc", ["rustc", "--version"]),
        ("cargo", ["cargo", "--version"]),
        ("trunk", ["trunk", "--version"]),
        ("node", ["node", "--version"]),
        ("chromium", ["/usr/bin/chromium", "--version"]),
    ]:
        try:
            v[name] = run(cmd).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            v[name] = None
    v["python (lifetimes)"] = run([py, "-c", "import sys, lifetimes, pandas, numpy, scipy; print(sys.version.split()[0], 'lifetimes', lifetimes.__version__, 'pandas', pandas.__version__, 'numpy', numpy.__version__, 'scipy', scipy.__version__)"]).stdout.strip()
    try:
        v["commit"] = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        v["commit"] = None
    return v


def machine():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform()}


def build(browser):
    log("cargo build --release --bin crm")
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "crm"], check=True, cwd=ROOT)
    log("building the csv crate's bare record loop (tests/bench/csv_raw)")
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(TARGET, "csv-raw"))
    subprocess.run(["cargo", "build", "--release", "--manifest-path",
                    os.path.join(HERE, "csv_raw", "Cargo.toml")], check=True, cwd=ROOT, env=env)
    if browser:
        log("trunk build --release")
        subprocess.run(["trunk", "build", "--release"], check=True, cwd=ROOT)


def bench_import(py, rows, runs, work):
    path = os.path.join(work, f"log_{rows}.csv")
    if not os.path.exists(path):
        log(f"writing a {rows}-row transaction log")
        subprocess.run([sys.executable, os.path.join(HERE, "make_log.py"), str(rows), path], check=True)
    size = os.path.getsize(path)
    res = {"crm": [], "lifetimes": [], "csv_raw": []}
    out = os.path.join(work, "summary.csv")
    for r in range(runs):
        log(f"import run {r + 1}/{runs}")
        _, wall, cpu, peak = timed([CRM, "summarize", path, "-o", out])
        res["crm"].append({"wall": wall, "cpu": cpu, "peak_mb": peak})
        o, wall, cpu, peak = timed([py, os.path.join(HERE, "summary_lifetimes.py"), path])
        res["lifetimes"].append({"wall": wall, "cpu": cpu, "peak_mb": peak, "inner": json.loads(o)["seconds"]})
        o, wall, cpu, peak = timed([CSV_RAW, path])
        res["csv_raw"].append({"wall": wall, "cpu": cpu, "peak_mb": peak, "inner": json.loads(o)["seconds"]})
    m = {k: {f: med([x[f] for x in v]) for f in v[0]} for k, v in res.items()}
    # /usr/bin/time counts in hundredths of a second: a small file can read as 0.
    raw_cpu = max(m["csv_raw"]["cpu"], 0.01)
    with open(out) as f:
        customers = sum(1 for _ in f) - 1
    return {
        "file": os.path.basename(path), "rows": rows, "bytes": size, "customers": customers,
        "runs": res, "median": m,
        "lifetimes_over_crm_cpu": m["lifetimes"]["cpu"] / m["crm"]["cpu"],
        "crm_mb_per_s_cpu": size / 1e6 / m["crm"]["cpu"],
        # CPU time of the whole csv-raw process (reading the file included), as for crm: on
        # a shared machine its wall-clock loop time counts other people's work too.
        "csv_raw_mb_per_s": size / 1e6 / raw_cpu,
        "import_share_of_csv_rate": raw_cpu / m["crm"]["cpu"],
        "crm_peak_over_file": m["crm"]["peak_mb"] * 1024 * 1024 / size,
        "lifetimes_peak_over_file": m["lifetimes"]["peak_mb"] * 1024 * 1024 / size,
    }


LT_FIT = r"""
import json, sys, time
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, ModifiedBetaGeoFitter, GammaGammaFitter
path, model = sys.argv[1], sys.argv[2]
df = pd.read_csv(path, dtype={"customer_id": str})
t0 = time.perf_counter()
if model == "gg":
    r = df[df["frequency"] > 0]
    f = GammaGammaFitter(penalizer_coef=0.0).fit(r["frequency"], r["monetary_value"])
elif model == "clv":
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(df["frequency"], df["recency"], df["T"])
    r = df[df["frequency"] > 0]
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(r["frequency"], r["monetary_value"])
    t0 = time.perf_counter()
    clv = ggf.customer_lifetime_value(bgf, df["frequency"], df["recency"], df["T"],
        df["monetary_value"], time=12, discount_rate=0.01, freq="W")
else:
    f = {"bgnbd": BetaGeoFitter, "pnbd": ParetoNBDFitter, "mbgnbd": ModifiedBetaGeoFitter}[model](penalizer_coef=0.0)
    f.fit(df["frequency"], df["recency"], df["T"])
dt = time.perf_counter() - t0
params = {} if model == "clv" else {k: float(v) for k, v in f.params_.items()}
print(json.dumps({"seconds": dt, "params": params}))
"""


def bench_fits(py, sizes, runs, work, pnbd_max):
    sys.path.insert(0, HERE)
    from clv_vs_lifetimes import simulate  # noqa: E402  (numpy and pandas: run under the venv)
    rows = []
    files = {}
    for n in sizes:
        p = os.path.join(work, f"summary_{n}.csv")
        if not os.path.exists(p):
            simulate(n).to_csv(p, index=False)
        files[n] = p
    lt_script = os.path.join(work, "lt_fit.py")
    with open(lt_script, "w") as f:
        f.write(LT_FIT)
    models = ["bgnbd", "pnbd", "mbgnbd", "gg", "clv"]
    res = {}
    for r in range(runs):
        for n in sizes:
            for model in models:
                log(f"fits run {r + 1}/{runs}: {model} on {n}")
                key = (model, n)
                e = res.setdefault(key, {"crm_fit": [], "crm_wall": [], "crm_cpu": [], "crm_peak_mb": [], "lifetimes": [], "crm_params": None, "lifetimes_params": None})
                if model == "clv":
                    _, wall, cpu, peak = timed([CRM, "predict", files[n], "--model", "bgnbd", "--time-unit", "week"])
                    e["crm_fit"].append(None)
                else:
                    o, wall, cpu, peak = timed([CRM, "fit", files[n], "--model", model, "--time-unit", "week", "--json", "--no-equity"])
                    j = json.loads(o)
                    e["crm_fit"].append(j.get("seconds", {}).get("fit"))
                    e["crm_params"] = j.get("params")
                e["crm_wall"].append(wall)
                e["crm_cpu"].append(cpu)
                e["crm_peak_mb"].append(peak)
                if model == "pnbd" and n > pnbd_max:
                    e["lifetimes"].append(None)
                    continue
                o, _, _, _ = timed([py, lt_script, files[n], model])
                j = json.loads(o)
                e["lifetimes"].append(j["seconds"])
                e["lifetimes_params"] = j["params"] or None
    for (model, n), e in res.items():
        m = {k: med(v) for k, v in e.items() if isinstance(v, list)}
        crm_t = m["crm_fit"] if m["crm_fit"] is not None else m["crm_wall"]
        rows.append({
            "model": model, "customers": n, "runs": e, "median": m,
            "lifetimes_over_crm": (m["lifetimes"] / crm_t) if m["lifetimes"] and crm_t else None,
            "crm_params": e["crm_params"], "lifetimes_params": e["lifetimes_params"],
        })
    return rows


def node(script, *args, timeout=3600):
    """Runs a browser benchmark; its output lines (the scripts print text or JSON lines)."""
    p = subprocess.run(["node", os.path.join(HERE, script), *map(str, args)], text=True,
                       capture_output=True, cwd=ROOT, timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    if p.returncode != 0:
        lines.append(f"exit {p.returncode}: {p.stderr.strip()[-800:]}")
    return lines


def first_json(lines):
    for l in lines:
        if l.startswith("{"):
            try:
                return json.loads(l)
            except ValueError:
                pass
    return None


def bench_browser(quick, runs, work, fit_sizes, big_log):
    out = {}
    log("browser: app shell and sizes")
    out["load"] = {"lines": node("load_chromium.mjs", max(runs, 3))}
    j = first_json(out["load"]["lines"])
    if j:
        out["load"].update(j)
        out["load"]["shell_ms_median"] = med(j["shell_ms"])
    rows = 100_000 if quick else 1_000_000
    log(f"browser: import of {rows} rows")
    lines = node("import_chromium.mjs", rows)
    m = next((re.search(r"median (\d+) ms", l) for l in lines if "median" in l), None)
    out["import"] = {"rows": rows, "lines": lines, "median_ms": int(m.group(1)) if m else None}
    n = fit_sizes[-1]
    log(f"browser: fits on {n} customers")
    lines = node("clv_chromium.mjs", os.path.join(work, f"summary_{n}.csv"), "bgnbd,pnbd,mbgnbd", runs)
    out["fits"] = {"customers": n, "lines": lines,
                   "results": [json.loads(l) for l in lines if l.startswith("{")]}
    if not quick and big_log:
        log("browser: Lifetime value page on the 1,000,000-row log")
        lines = node("ltv_large.mjs", big_log)
        m = next((re.search(r"parameters on screen after ([0-9.]+) s, validation after ([0-9.]+) s.*longest (\d+) ms", l) for l in lines if "parameters on screen" in l), None)
        out["ltv"] = {"lines": lines, "params_s": float(m.group(1)) if m else None,
                      "validation_s": float(m.group(2)) if m else None,
                      "longest_task_ms": int(m.group(3)) if m else None}
        log("browser: peak memory and main-thread blocks importing the log")
        lines = node("import_large.mjs", big_log)
        rss = [int(x) for l in lines for x in re.findall(r"Chromium RSS (\d+) MB", l)]
        longest = [int(x) for l in lines for x in re.findall(r"longest (\d+) ms", l)]
        out["import_large"] = {"lines": lines[-12:], "peak_rss_mb": max(rss) if rss else None,
                               "longest_task_ms": max(longest) if longest else None}
    return out


def fmt(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def markdown(r):
    L = ["# Benchmarks: crm against lifetimes, natively and in Chromium", "",
         f"Written by `.ci/dev.sh bench{' --quick' if r['quick'] else ''}` (tests/bench/run_all.py) on {r['date']}; "
         f"medians of {r['runs']} runs. Load average before {r['load_before']}, after {r['load_after']} "
         f"on {r['machine']['cores']} cores ({r['machine']['cpu']}, {r['machine']['memory_gib']} GiB): "
         "the machine may be shared, so compare figures within this table only. CPU = user + system "
         "time of the whole process (/usr/bin/time).", "",
         "Versions: " + "; ".join(f"{k} {v}" for k, v in r["versions"].items() if v), ""]
    i = r["import"]
    m = i["median"]
    L += ["## Summary of a transaction log (native)", "",
          f"Input: `{i['file']}` from `tests/bench/make_log.py {i['rows']}` (seed 7): {i['rows']:,} rows, "
          f"{i['bytes'] / 1e6:.1f} MB, {i['customers']:,} customers.", "",
          "| tool | CPU (s) | wall (s) | peak memory (MB) | peak / file |",
          "| --- | --- | --- | --- | --- |",
          f"| `crm summarize` (cargo build --release) | {fmt(m['crm']['cpu'])} | {fmt(m['crm']['wall'])} | {fmt(m['crm']['peak_mb'], 0)} | {fmt(i['crm_peak_over_file'])} |",
          f"| pandas read_csv + lifetimes summary_data_from_transaction_data | {fmt(m['lifetimes']['cpu'])} | {fmt(m['lifetimes']['wall'])} | {fmt(m['lifetimes']['peak_mb'], 0)} | {fmt(i['lifetimes_peak_over_file'])} |",
          f"| csv crate record loop (tests/bench/csv_raw; its loop alone, wall {fmt(m['csv_raw']['inner'], 3)} s) | {fmt(m['csv_raw']['cpu'])} | {fmt(m['csv_raw']['wall'])} | {fmt(m['csv_raw']['peak_mb'], 0)} | - |",
          "",
          "| target | measured | met |", "| --- | --- | --- |",
          f"| lifetimes CPU / crm CPU ≥ {TARGETS['summary_vs_lifetimes_cpu']} | {fmt(i['lifetimes_over_crm_cpu'], 1)} | {'yes' if i['lifetimes_over_crm_cpu'] >= TARGETS['summary_vs_lifetimes_cpu'] else 'no'} |",
          f"| crm rate ≥ {TARGETS['import_share_of_csv_rate']} × csv crate's rate ({fmt(i['csv_raw_mb_per_s'], 0)} MB/s) | {fmt(i['crm_mb_per_s_cpu'], 0)} MB/s = {fmt(i['import_share_of_csv_rate'])} × | {'yes' if i['import_share_of_csv_rate'] >= TARGETS['import_share_of_csv_rate'] else 'no'} |",
          f"| peak memory < {TARGETS['peak_memory_over_file']} × file | {fmt(i['crm_peak_over_file'])} × | {'yes' if i['crm_peak_over_file'] < TARGETS['peak_memory_over_file'] else 'no'} |",
          ""]
    L += ["## Fits and CLV (native)", "",
          "Simulated customer summaries (BG/NBD, CDNOW estimates; tests/bench/clv_vs_lifetimes.py `simulate`, seed 1), weeks. "
          "'crm fit' is the fit as `crm fit --json --no-equity` reports it (grouping, search, standard errors); "
          "'crm process' the whole command (reading the file included). lifetimes: its `.fit()` alone. "
          "CLV: `crm predict --model bgnbd` (both fits and every customer's 12-month CLV, whole process) against "
          "lifetimes' `customer_lifetime_value` alone (its fits excluded).", "",
          "| model | customers | crm fit (s) | crm process wall (s) | crm process CPU (s) | crm peak (MB) | lifetimes (s) | lifetimes / crm |",
          "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for f in r["fits"]:
        m = f["median"]
        L.append(f"| {f['model']} | {f['customers']:,} | {fmt(m['crm_fit'], 3)} | {fmt(m['crm_wall'], 3)} | {fmt(m['crm_cpu'], 3)} | {fmt(m['crm_peak_mb'], 0)} | {fmt(m['lifetimes'], 3)} | {fmt(f['lifetimes_over_crm'], 1)} |")
    L += ["", f"Pareto/NBD in lifetimes is skipped above {r['pnbd_max']:,} customers (minutes per fit).", ""]
    b = r.get("browser")
    if b:
        L += ["## In headless Chromium (timed inside the page)", ""]
        ld = b.get("load", {})
        L += ["| measure | value | target |", "| --- | --- | --- |",
              f"| app shell on screen, loopback (median ms) | {fmt(ld.get('shell_ms_median'))} | < {TARGETS['shell_ms']} |",
              f"| page wasm ({ld.get('app_wasm')}) gzip | {fmt(ld.get('app_wasm_gzip_bytes'))} B ({fmt(ld.get('app_wasm_bytes'))} B raw) | < {TARGETS['app_wasm_gzip_bytes']} B |",
              f"| worker wasm gzip | {fmt(ld.get('worker_wasm_gzip_bytes'))} B ({fmt(ld.get('worker_wasm_bytes'))} B raw) | - |",
              f"| import {b['import']['rows']:,} rows, file chosen to summary on screen (median ms) | {fmt(b['import']['median_ms'])} | < {TARGETS['browser_import_1m_ms']} (1,000,000 rows) |"]
        if "ltv" in b:
            L += [f"| Lifetime value page, 1,000,000-row log: parameters / validation (s) | {fmt(b['ltv']['params_s'], 1)} / {fmt(b['ltv']['validation_s'], 1)} | < {TARGETS['ltv_page_1m_s']} |",
                  f"| longest main-thread task, fit (ms) | {fmt(b['ltv']['longest_task_ms'])} | < {TARGETS['longest_main_thread_task_ms']} |"]
        if "import_large" in b:
            L += [f"| peak browser memory importing the log (MB) | {fmt(b['import_large']['peak_rss_mb'])} | - |",
                  f"| longest main-thread task, import (ms) | {fmt(b['import_large']['longest_task_ms'])} | < {TARGETS['longest_main_thread_task_ms']} |"]
        L += ["", "Fits in the page (clv_chromium.mjs: the fit time the worker reports; wall = button to parameters on screen):", ""]
        for x in b["fits"]["results"]:
            L.append(f"- {x.get('model')} on {x.get('customers')} customers: fit {fmt(med(x.get('fit_seconds', [])), 3)} s, wall {fmt(med(x.get('wall_seconds', [])), 3)} s")
        L += ["", "Raw output of the browser scripts:", "", "```"]
        for k, v in b.items():
            for l in v.get("lines", []):
                L.append(f"{k}: {l}")
        L += ["```", ""]
    # What limits each figure is written up once, in LIMITS.md (not copied here).
    L += ["What limits each target, and every measurement with its command: `tests/bench/LIMITS.md`.", ""]
    L += ["Reproduce: `.ci/dev.sh bench" + (" --quick" if r["quick"] else "") + "` (installs what is missing, builds, runs; "
          "`--no-browser` skips Chromium).", ""]
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10^4 and 10^5 customers, a 200,000-row log")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="use the binaries and dist/ already built")
    ap.add_argument("--pnbd-max", type=int, default=100_000, help="largest Pareto/NBD fit asked of lifetimes")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "crm-bench"))
    ap.add_argument("--out", default=HERE)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    py = venv_python()
    # The fit benchmark imports numpy and pandas: rerun under the venv's Python.
    if not os.environ.get("CRM_BENCH_IN_VENV"):
        os.execve(py, [py] + sys.argv, dict(os.environ, CRM_BENCH_IN_VENV="1"))
    browser = not a.no_browser and shutil.which("node") is not None
    if not a.no_build:
        build(browser)
    load = lambda: ", ".join(f"{x:.2f}" for x in os.getloadavg())  # noqa: E731
    r = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
         "quick": a.quick, "runs": a.runs, "pnbd_max": a.pnbd_max, "load_before": load(),
         "machine": machine(), "versions": versions(py), "targets": TARGETS}
    rows = 200_000 if a.quick else 2_000_000
    sizes = [10_000, 100_000] if a.quick else [10_000, 100_000, 1_000_000]
    r["import"] = bench_import(py, rows, a.runs, a.work)
    r["fits"] = bench_fits(py, sizes, a.runs, a.work, a.pnbd_max)
    if browser:
        big = None
        if not a.quick:
            big = os.path.join(a.work, "log_1000000.csv")
            if not os.path.exists(big):
                subprocess.run([sys.executable, os.path.join(HERE, "make_log.py"), "1000000", big], check=True)
        r["browser"] = bench_browser(a.quick, a.runs, a.work, sizes, big)
    r["load_after"] = load()
    with open(os.path.join(a.out, "RESULTS.json"), "w") as f:
        json.dump(r, f, indent=1, default=str)
    with open(os.path.join(a.out, "RESULTS.md"), "w") as f:
        f.write(markdown(r))
    log(f"wrote {os.path.join(a.out, 'RESULTS.md')} and RESULTS.json")


if __name__ == "__main__":
    main()
