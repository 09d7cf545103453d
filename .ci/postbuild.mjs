// Trunk post-build hook (Trunk.toml [[hooks]]): runs on the staging folder before it becomes dist/.
// 1. Moves Trunk's inline module loader into a file, so the page's Content-Security-Policy needs
//    no 'unsafe-inline' for scripts (Trunk 0.21 always writes its loader inline).
// 2. Writes the release id and the list of every built file into sw.js, which precaches them on
//    install (offline from the first visit) under a cache named after the release.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) { console.error('postbuild: TRUNK_STAGING_DIR is not set (run by trunk)'); process.exit(1); }
const indexPath = path.join(dir, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');

// 1. Inline scripts → files.
let n = 0;
html = html.replace(/<script(\s+type="module")?([^>]*)>([\s\S]*?)<\/script>/g, (whole, mod, attrs, body) => {
  if (/\ssrc=/.test(attrs) || body.trim() === '') return whole;
  const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);
  const name = `loader-${hash}.js`;
  fs.writeFileSync(path.join(dir, name), body.trim() + '\n');
  n += 1;
  return `<script${mod || ''}${attrs} src="./${name}"></script>`;
});
if (/<script(?![^>]*\ssrc=)[^>]*>\s*\S/.test(html)) {
  console.error('postbuild: an inline script is left in index.html'); process.exit(1);
}
if (/script-src[^;"]*'unsafe-inline'/.test(html)) {
  console.error("postbuild: the Content-Security-Policy allows 'unsafe-inline' scripts"); process.exit(1);
}
fs.writeFileSync(indexPath, html);

// 2. Precache list and release id.
const files = [];
(function walk(d, rel) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(path.join(d, e.name), r);
    else if (e.name !== 'sw.js') files.push(r);
  }
})(dir, '');
files.sort();
const h = crypto.createHash('sha256');
for (const f of files) { h.update(f); h.update(fs.readFileSync(path.join(dir, f))); }
const release = h.digest('hex').slice(0, 16);
const swPath = path.join(dir, 'sw.js');
let sw = fs.readFileSync(swPath, 'utf8');
const list = ['./', ...files.map((f) => `./${f}`)].map((u) => JSON.stringify(u)).join(', ');
if (!sw.includes("'/*@RELEASE@*/dev'") || !sw.includes('[/*@PRECACHE@*/]')) {
  console.error('postbuild: sw.js lacks its placeholders'); process.exit(1);
}
sw = sw.replace("'/*@RELEASE@*/dev'", JSON.stringify(release)).replace('[/*@PRECACHE@*/]', `[${list}]`);
fs.writeFileSync(swPath, sw);
fs.writeFileSync(path.join(dir, 'release.txt'), release + '\n');
console.log(`postbuild: ${n} inline script(s) moved to files; ${files.length} files precached as release ${release}`);
