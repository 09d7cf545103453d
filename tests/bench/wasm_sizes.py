#!/usr/bin/env python3
"""Size breakdown of a wasm file by crate / crm module, from its `name` section.

Usage:
  python3 tests/bench/wasm_sizes.py [WASM] [--depth N] [--top N] [--grep REGEX] [--shipped DIST_WASM]

WASM defaults to $CARGO_TARGET_DIR/wasm32-unknown-unknown/app/app.wasm (cargo's output before
wasm-bindgen and wasm-opt, which still has the `name` section). Function body sizes come from the
code section; names are demangled (Rust legacy mangling: `_ZN..17h<hash>E`, by c++filt when it is
on PATH, else a built-in decoder). A function is put in the group of the first path that names one
of our modules or a crate: `crm::ui::pages::ltv::...` goes to `crm::ui::pages::ltv` (--depth 4,
counting `crm`), `<alloc::vec::Vec<T> as core::clone::Clone>::clone` to `alloc`. "gzip" is the
group's bodies concatenated and compressed alone (zlib level 9), so groups do not add up to the
file's figure. --grep lists the matching functions (for instance `sort::stable`) with sizes.
--shipped also prints the raw and gzip -9 size of the shipped file (dist/app-*_bg.wasm).
"""
import argparse
import glob
import gzip
import os
import re
import shutil
import subprocess
import sys
import zlib


def leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def sections(buf):
    assert buf[:4] == b"\0asm", "not a wasm file"
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, p = leb(buf, pos + 1)
        yield sid, p, p + size
        pos = p + size


def imported_functions(buf, start):
    count, p = leb(buf, start)
    funcs = 0
    for _ in range(count):
        for _ in range(2):  # module, field
            n, p = leb(buf, p)
            p += n
        kind = buf[p]
        p += 1
        if kind == 0:  # function: type index
            _, p = leb(buf, p)
            funcs += 1
        elif kind == 1:  # table: reftype, limits
            p += 1
            flags, p = leb(buf, p)
            _, p = leb(buf, p)
            if flags & 1:
                _, p = leb(buf, p)
        elif kind == 2:  # memory: limits
            flags, p = leb(buf, p)
            _, p = leb(buf, p)
            if flags & 1:
                _, p = leb(buf, p)
        elif kind == 3:  # global: valtype, mut
            p += 2
        elif kind == 4:  # tag
            p += 1
            _, p = leb(buf, p)
        else:
            raise ValueError(f"import kind {kind}")
    return funcs


def parse(path):
    buf = open(path, "rb").read()
    n_imports = 0
    bodies = []
    names = {}
    other = {}
    for sid, s, e in sections(buf):
        if sid == 2:
            n_imports = imported_functions(buf, s)
        elif sid == 10:
            count, p = leb(buf, s)
            for _ in range(count):
                size, q = leb(buf, p)
                bodies.append(buf[q : q + size])
                p = q + size
            other["code"] = e - s
        elif sid == 0:
            n, p = leb(buf, s)
            name = buf[p : p + n].decode()
            p += n
            other["custom " + name] = e - p
            if name == "name":
                while p < e:
                    sub = buf[p]
                    size, q = leb(buf, p + 1)
                    if sub == 1:
                        count, r = leb(buf, q)
                        for _ in range(count):
                            idx, r = leb(buf, r)
                            ln, r = leb(buf, r)
                            names[idx] = buf[r : r + ln].decode("utf-8", "replace")
                            r += ln
                    p = q + size
        elif sid == 11:
            other["data"] = e - s
            other["data_bytes"] = buf[s:e]
    funcs = []
    for i, body in enumerate(bodies):
        funcs.append((names.get(n_imports + i, f"func{n_imports + i}"), body))
    return buf, funcs, other


def demangle_all(raw):
    if shutil.which("c++filt"):
        out = subprocess.run(
            ["c++filt"], input="\n".join(raw), capture_output=True, text=True, check=True
        ).stdout.split("\n")
        if len(out) >= len(raw):
            return [strip_hash(x) for x in out[: len(raw)]]
    return [strip_hash(builtin_demangle(x)) for x in raw]


def builtin_demangle(s):
    if not s.startswith("_ZN"):
        return s
    p, parts = 3, []
    while p < len(s) and s[p] != "E":
        m = re.match(r"\d+", s[p:])
        if not m:
            return s
        n = int(m.group())
        p += len(m.group())
        parts.append(s[p : p + n])
        p += n
    out = "::".join(parts)
    for a, b in [("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$C$", ","), ("$RF$", "&"),
                 ("$BP$", "*"), ("$u7b$", "{"), ("$u7d$", "}"), ("$u27$", "'"), ("..", "::")]:
        out = out.replace(a, b)
    return out


def strip_hash(s):
    """Drops the legacy hash suffix and v0-style crate disambiguators (`core[c5930c85a12de822]`)."""
    return re.sub(r"\[[0-9a-f]{8,16}\]", "", re.sub(r"::h[0-9a-f]{16}$", "", s))


CRATE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*")
SKIP = {"impl", "as", "dyn", "mut", "const", "for", "fn", "unsafe", "extern"}


def group_of(name, depth):
    """First path in the name that is ours (crm::...) decides; else the first crate path."""
    if name.startswith("__wbindgen_describe"):
        return "(wasm-bindgen descriptors: the CLI drops them)"
    paths = [m.group() for m in CRATE.finditer(name) if m.group().split("::")[0] not in SKIP]
    for p in paths:
        if p.startswith("crm::"):
            parts = p.split("::")
            # serde derives sit in `const _: () = { impl ... }`: name them for what they are.
            if "_" in parts[:depth]:
                return "::".join(parts[: parts.index("_")]) + " (serde derives)"
            return "::".join(parts[:depth])
    # <X as Trait>::f: the impl's type crate, unless it is a std type and the trait is someone's.
    for p in paths:
        if "::" in p:
            return p.split("::")[0]
    return name.split("::")[0] if "::" in name else "(other)"


def gz(data):
    return len(zlib.compress(data, 9))


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    ap.add_argument("wasm", nargs="?", default=f"{target}/wasm32-unknown-unknown/app/app.wasm")
    ap.add_argument("--depth", type=int, default=4, help="path segments kept for crm::... groups")
    ap.add_argument("--top", type=int, default=40, help="groups to print")
    ap.add_argument("--grep", help="list functions whose demangled name matches this regex")
    ap.add_argument("--shipped", nargs="?", const="dist", help="dist folder (or file) to size too")
    a = ap.parse_args()

    buf, funcs, other = parse(a.wasm)
    names = demangle_all([n for n, _ in funcs])
    total = sum(len(b) for _, b in funcs)
    print(f"{a.wasm}: {len(buf):,} B raw, {gz(buf):,} B zlib -9; {len(funcs):,} functions, "
          f"code bodies {total:,} B")
    print("sections: " + ", ".join(f"{k} {v:,} B" for k, v in other.items() if k != "data_bytes"))
    if "data_bytes" in other:
        print(f"data section alone: {gz(other['data_bytes']):,} B zlib -9")

    groups = {}
    for name, (_, body) in zip(names, funcs):
        groups.setdefault(group_of(name, a.depth), []).append(body)
    rows = sorted(groups.items(), key=lambda kv: -sum(len(b) for b in kv[1]))
    print(f"\n{'group':<44} {'raw B':>10} {'gzip B':>9} {'funcs':>6}")
    for g, bodies in rows[: a.top]:
        raw = sum(len(b) for b in bodies)
        print(f"{g[:44]:<44} {raw:>10,} {gz(b''.join(bodies)):>9,} {len(bodies):>6}")
    rest = rows[a.top :]
    if rest:
        raw = sum(len(b) for _, bs in rest for b in bs)
        print(f"{'(' + str(len(rest)) + ' more groups)':<44} {raw:>10,}")

    if a.grep:
        rx = re.compile(a.grep)
        hits = [(len(b), n) for n, (_, b) in zip(names, funcs) if rx.search(n)]
        hits.sort(reverse=True)
        body = b"".join(b for n, (_, b) in zip(names, funcs) if rx.search(n))
        print(f"\n/{a.grep}/: {len(hits)} functions, {sum(h[0] for h in hits):,} B raw, "
              f"{gz(body):,} B zlib -9")
        for size, n in hits[:60]:
            print(f"{size:>8,}  {n[:160]}")

    if a.shipped:
        files = [a.shipped] if a.shipped.endswith(".wasm") else \
            sorted(glob.glob(os.path.join(a.shipped, "app-*_bg.wasm")))
        for f in files:
            data = open(f, "rb").read()
            g = len(gzip.compress(data, 9, mtime=0))
            line = f"\nshipped {f}: {len(data):,} B raw, {g:,} B gzip -9 (Python)"
            if shutil.which("node"):
                # The figure load_chromium.mjs and LIMITS.md report: node's zlib, level 9.
                js = "const z=require('zlib'),fs=require('fs');" \
                     "console.log(z.gzipSync(fs.readFileSync(process.argv[1]),{level:9}).length)"
                ng = int(subprocess.run(["node", "-e", js, f], capture_output=True, text=True,
                                        check=True).stdout)
                line += f", {ng:,} B node gzip -9"
            print(line)


if __name__ == "__main__":
    sys.exit(main())
