#!/usr/bin/env bash
# One entry point for people and CI.
#   .ci/dev.sh serve   install what is missing, build, and serve the app on http://127.0.0.1:8080
#   .ci/dev.sh test    install what is missing and run every test tier
#   .ci/dev.sh bench [--quick] [--runs N] [--no-browser]
#                      install what is missing (lifetimes into its own venv too), build, run every
#                      benchmark and write tests/bench/RESULTS.md and RESULTS.json
# Each tool is installed only when missing or at the wrong version, so a warm machine is fast.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
DUCKDB_VERSION=2.0.1
# The wasm-bindgen CLI must match the library version locked in Cargo.lock (pinned with = in Cargo.toml).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
PORT=${PORT:-8080}

# Each stage's heading says how long the command has run, so a slow stage shows in CI's log.
started=$(date +%s)
log() { printf '\n\033[1m== %s\033[0m (at %d s)\n' "$*" "$(( $(date +%s) - started ))"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_tools() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown
  fi
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
  local pkgs=()
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  [ -x /usr/bin/chromedriver ] || pkgs+=(chromium-driver)
  # python3 -m venv needs ensurepip (Debian's python3-venv) for the DuckDB check.
  python3 -c 'import ensurepip' 2>/dev/null || pkgs+=(python3-venv)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}"
  fi
  # The two build tools are compiled from source once. Trunk's own release profile asks for fat
  # LTO in one codegen unit, which took 32 min on a fresh 2-core machine; these tools only drive
  # other programs (cargo, wasm-opt) or rewrite a few MB of wasm, so they are built without
  # LTO and in parallel codegen units (the same code; only whole-program inlining is lost).
  local tool_profile=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false)
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    log "installing trunk $TRUNK_VERSION (several minutes, once)"
    # Without the default update check: a build here never asks the registry for a newer trunk.
    "${tool_profile[@]}" cargo install --locked --force --no-default-features --features rustls "trunk@$TRUNK_VERSION"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Without --locked: the registry here lacks some of its locked dependency versions.
    "${tool_profile[@]}" cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
  if [ ! -f tests/e2e/node_modules/.package-lock.json ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
    log "installing playwright-core and binaryen (npm; the system Chromium is used, no browser download)"
    (cd tests/e2e && npm ci --no-audit --no-fund)
  fi
  # Trunk finds wasm-opt on PATH: use Binaryen 132 from npm (Debian's 108 cannot parse the
  # reference-types output of wasm-bindgen 0.2.130).
  export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH"
  # DuckDB's Python package for tests/grouped_sql.rs (the README's SQL on a real engine), in a
  # virtual environment outside the repository; the test fails without it under dev.sh.
  local py_venv="${CRM_PY_VENV:-$HOME/.cache/crm-py-venv}"
  if ! "$py_venv/bin/python" -c 'import duckdb' 2>/dev/null; then
    log "installing duckdb $DUCKDB_VERSION (pip, into $py_venv; seconds)"
    python3 -m venv "$py_venv"
    "$py_venv/bin/pip" install -q "duckdb==$DUCKDB_VERSION"
  fi
  export CRM_PYTHON="$py_venv/bin/python" CRM_REQUIRE_DUCKDB=1
}

build_release() {
  log "trunk build --release"
  trunk build --release
}

case "${1:-}" in
  serve)
    install_tools
    build_release
    log "serving on http://127.0.0.1:$PORT (Ctrl-C to stop); the app opens on built-in sample data"
    exec node tests/e2e/serve.mjs dist "$PORT"
    ;;
  test)
    install_tools
    log "format";  cargo fmt --all -- --check
    log "clippy (native)"; cargo clippy --all-targets --locked -- -D warnings
    # For wasm32: the library, the page and worker binaries and the browser tests (the other
    # test files run natively only, and the native pass above checks them).
    log "clippy (wasm32)"
    cargo clippy --lib --bins --test browser --test browser_storage --locked --target wasm32-unknown-unknown -- -D warnings
    log "native tests"; cargo test --locked
    log "browser tests (wasm-bindgen-test in headless Chromium)"
    CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
      cargo test --locked --target wasm32-unknown-unknown --test browser
    CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 cargo test --target wasm32-unknown-unknown --test browser_storage
    build_release
    log "end-to-end tests (Playwright + system Chromium against dist/ on loopback)"
    (cd tests/e2e && node --test --test-concurrency=1 ./*.test.mjs)
    log "all tiers passed in $(( $(date +%s) - started )) s"
    ;;
  bench)
    shift
    install_tools
    log "benchmarks (tests/bench/run_all.py $*)"
    exec python3 tests/bench/run_all.py "$@"
    ;;
  *)
    echo "usage: .ci/dev.sh serve|test|bench [--quick]" >&2; exit 2 ;;
esac
