// The import engine in V8 without a browser: feeds FILE to the WebAssembly build of the web
// worker's `ImportJob` in 1 MiB slices (the worker's SLICE_BYTES), then builds the summary,
// RUNS times, and prints each phase's time. From tests/bench/wasm_engine:
//
//   cargo build --release --target wasm32-unknown-unknown
//   wasm-bindgen --target nodejs --keep-debug --out-dir pkg target/wasm32-unknown-unknown/release/wasm_engine.wasm
//   node run.cjs /tmp/bench_1000000.csv 9          # the file import_chromium.mjs writes
//   node --cpu-prof run.cjs /tmp/bench_1000000.csv 3   # where the time goes (a .cpuprofile)
//
// (The repository's .cargo/config.toml gives the build WebAssembly SIMD, as for the app.)
const fs = require('fs');
const { Job } = require('./pkg/wasm_engine.js');

const [file, runsArg] = process.argv.slice(2);
const bytes = fs.readFileSync(file);
const SLICE = 1 << 20;
const feed = [], finish = [];
for (let run = 0; run < Number(runsArg || 5); run++) {
  const t0 = performance.now();
  const job = new Job(bytes.length);
  for (let at = 0; at < bytes.length; at += SLICE) {
    const error = job.feed(bytes.subarray(at, at + SLICE));
    if (error) throw new Error(error);
  }
  const t1 = performance.now();
  const customers = job.finish();
  const t2 = performance.now();
  job.free();
  if (customers < 0) throw new Error('the import failed');
  feed.push(t1 - t0);
  finish.push(t2 - t1);
  console.log(`run ${run + 1}: feeding ${(t1 - t0).toFixed(0)} ms, summary ${(t2 - t1).toFixed(0)} ms, ${customers} customers`);
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(0);
console.log(`${file}: ${bytes.length} bytes; medians: feeding ${median(feed)} ms, summary ${median(finish)} ms`);
