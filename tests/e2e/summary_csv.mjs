// A seeded customer-summary CSV of `n` customers (id, frequency, recency, T, monetary_value: the
// `lifetimes` columns, weeks), the same bytes on every run: 60% one-time buyers, up to 39 repeat
// purchase days, up to two years observed. Used by the split k-means end-to-end test and the
// segmentation benchmarks (tests/bench/segment_chromium.mjs, segment_pool.mjs).
import fs from 'node:fs';

export function writeSummaryCsv(file, n) {
  let seed = 2024; // mulberry32: a small seeded generator with exact 32-bit arithmetic.
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = fs.openSync(file, 'w');
  let buf = 'customer_id,frequency,recency,T,monetary_value\n';
  for (let i = 0; i < n; i++) {
    const T = 1 + Math.floor(rand() * 104 * 7) / 7; // weeks observed, day resolution
    const x = rand() < 0.6 ? 0 : 1 + Math.floor(rand() * 39); // repeat purchase days
    const tx = x === 0 ? 0 : Math.floor(rand() * T * 7) / 7;
    const m = x === 0 ? 0 : 5 + rand() * 195;
    buf += `C${String(i).padStart(7, '0')},${x},${tx.toFixed(4)},${T.toFixed(4)},${m.toFixed(2)}\n`;
    if (buf.length > 1 << 20) { fs.writeSync(out, buf); buf = ''; }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
  return file;
}
