//! The architecture rules made real: each layer under `src` may only reach down. Fails on any
//! `use`, path or `extern crate` naming a crate the layer must not use (in either spelling), on
//! any `crate::` path (plain or inside a `use crate::{…}` group) into a layer above it, and, in
//! `src/domain`, on clocks (the domain never reads the time).
//!
//! | layer | must not name |
//! | --- | --- |
//! | domain | yew, web-sys, js-sys, gloo, wasm-bindgen, rexie; `crate::{analysis, io, worker, ui}`; clocks |
//! | analysis | yew, web-sys, js-sys, gloo, wasm-bindgen, rexie; `crate::{worker, ui}` |
//! | io | yew; `crate::{worker, ui}` |
//! | worker | yew; `crate::ui` |

#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};

/// The browser and UI crates, named as in code (`web_sys`) and as in Cargo.toml (`web-sys`).
const BROWSER: &[&str] = &[
    "yew",
    "yew_router",
    "web_sys",
    "js_sys",
    "gloo",
    "gloo_worker",
    "wasm_bindgen",
    "wasm_bindgen_futures",
    "rexie",
    "web-sys",
    "js-sys",
    "wasm-bindgen",
];

/// The UI framework alone: io and the worker may use the browser, never the UI.
const UI_FRAMEWORK: &[&str] = &["yew", "yew_router"];

/// One layer's rule.
struct Layer {
    /// The folder under `src`.
    dir: &'static str,
    /// Crates the layer must not name anywhere in code.
    crates: &'static [&'static str],
    /// Top-level modules of this crate the layer must not reach through `crate::`.
    modules: &'static [&'static str],
    /// Whether reading the clock is forbidden.
    no_clock: bool,
    /// The least number of source files expected (guards against a moved folder).
    min_files: usize,
    /// Files (relative to the crate root) known to break the rule today, each a TODO to fix.
    /// Empty: a file listed here that no longer breaks the rule fails the test too.
    known_offenders: &'static [&'static str],
}

const DOMAIN: Layer = Layer {
    dir: "src/domain",
    crates: BROWSER,
    modules: &["analysis", "io", "worker", "ui"],
    no_clock: true,
    min_files: 5,
    known_offenders: &[],
};

const ANALYSIS: Layer = Layer {
    dir: "src/analysis",
    crates: BROWSER,
    modules: &["worker", "ui"],
    no_clock: false,
    min_files: 1,
    known_offenders: &[],
};

const IO: Layer = Layer {
    dir: "src/io",
    crates: UI_FRAMEWORK,
    modules: &["worker", "ui"],
    no_clock: false,
    min_files: 5,
    known_offenders: &[],
};

const WORKER: Layer = Layer {
    dir: "src/worker",
    crates: UI_FRAMEWORK,
    modules: &["ui"],
    no_clock: false,
    min_files: 2,
    known_offenders: &[],
};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of one line, without its `//` comment (doc comments included).
fn code_of(line: &str) -> &str {
    line.split("//").next().unwrap_or("")
}

/// A token of code: a word (identifier or crate name), `::`, `{`, `}` or `,`, with its line.
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Path,
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Vec<(usize, Tok<'_>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = code_of(line);
        let mut rest = code;
        while let Some(c) = rest.chars().next() {
            if c.is_ascii_alphanumeric() || c == '_' {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                out.push((i + 1, Tok::Word(&rest[..end])));
                rest = &rest[end..];
                continue;
            }
            let (tok, len) = match c {
                ':' if rest.starts_with("::") => (Some(Tok::Path), 2),
                '{' => (Some(Tok::Open), 1),
                '}' => (Some(Tok::Close), 1),
                ',' => (Some(Tok::Comma), 1),
                _ => (None, c.len_utf8()),
            };
            out.extend(tok.map(|t| (i + 1, t)));
            rest = &rest[len..];
        }
    }
    out
}

/// The lines (1-based) where a `crate::` path, or an item of a `crate::{…}` group, starts with
/// one of `modules`.
fn module_lines(text: &str, modules: &[&str]) -> Vec<usize> {
    let toks = tokens(text);
    let mut lines = Vec::new();
    let mut i = 0;
    while i + 2 < toks.len() {
        if toks[i].1 != Tok::Word("crate") || toks[i + 1].1 != Tok::Path {
            i += 1;
            continue;
        }
        match &toks[i + 2] {
            (line, Tok::Word(w)) if modules.contains(w) => lines.push(*line),
            (_, Tok::Open) => {
                // The first word of each item at the group's own depth.
                let mut depth = 1;
                let mut at_item = true;
                for (line, tok) in &toks[i + 3..] {
                    match tok {
                        Tok::Open => depth += 1,
                        Tok::Close => depth -= 1,
                        Tok::Comma if depth == 1 => {
                            at_item = true;
                            continue;
                        }
                        Tok::Word(w) if depth == 1 && at_item && modules.contains(w) => {
                            lines.push(*line)
                        }
                        _ => {}
                    }
                    at_item = false;
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => {}
        }
        i += 2;
    }
    lines
}

/// Returns the offending (line number, line) pairs of one file's text under `layer`'s rule.
fn violations(layer: &Layer, text: &str) -> Vec<(usize, String)> {
    let reached = module_lines(text, layer.modules);
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = code_of(line);
        let names_crate = code
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|w| !w.is_empty())
            .any(|w| {
                layer.crates.contains(&w)
                    || (layer.crates.contains(&"gloo") && w.starts_with("gloo_"))
            });
        let uses_clock = layer.no_clock
            && (code.contains("SystemTime::now")
                || code.contains("Instant::now")
                || code.contains("Utc::now")
                || code.contains("Local::now"));
        if names_crate || uses_clock || reached.contains(&(i + 1)) {
            found.push((i + 1, line.trim().to_string()));
        }
    }
    found
}

/// Checks every file of `layer`; files on its known-offender list are reported as TODOs and must
/// still offend (so the list shrinks as they are fixed).
fn check(layer: &Layer, what: &str) {
    let crate_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_root.join(layer.dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(
        files.len() >= layer.min_files,
        "expected at least {} sources under {}",
        layer.min_files,
        root.display()
    );
    let mut bad = Vec::new();
    let mut offenders = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source file");
        let rel = f
            .strip_prefix(crate_root)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        let found = violations(layer, &text);
        if !found.is_empty() {
            offenders.push(rel.clone());
        }
        if layer.known_offenders.contains(&rel.as_str()) {
            continue;
        }
        for (n, line) in found {
            bad.push(format!("{rel}:{n}: {line}"));
        }
    }
    let stale: Vec<&str> = layer
        .known_offenders
        .iter()
        .copied()
        .filter(|f| !offenders.iter().any(|o| o == f))
        .collect();
    assert!(
        bad.is_empty() && stale.is_empty(),
        "{} {what}:\n{}\n{}{}",
        layer.dir,
        bad.join("\n"),
        if stale.is_empty() {
            String::new()
        } else {
            format!(
                "no longer offend, remove from known_offenders: {}\n",
                stale.join(", ")
            )
        },
        if layer.known_offenders.is_empty() {
            String::new()
        } else {
            format!(
                "TODO, known offenders still to fix: {}",
                layer.known_offenders.join(", ")
            )
        },
    );
}

#[test]
fn domain_does_not_touch_the_browser_the_clock_or_the_layers_above() {
    check(
        &DOMAIN,
        "must stay pure (no browser, no clock, no analysis/io/worker/ui)",
    );
}

#[test]
fn analysis_uses_neither_the_worker_the_ui_nor_the_browser() {
    check(&ANALYSIS, "must stay pure (domain and io data types only)");
}

#[test]
fn io_does_not_reach_the_worker_or_the_ui() {
    check(&IO, "must not use the worker or the UI");
}

#[test]
fn worker_does_not_reach_the_ui() {
    check(&WORKER, "must not use the UI");
}

#[test]
fn the_guard_catches_each_forbidden_import() {
    for line in [
        "use yew::prelude::*;",
        "use web_sys::Window;",
        "let d = js_sys::Date::now();",
        "use gloo::timers::callback::Timeout;",
        "use gloo_worker::Worker;",
        "use wasm_bindgen::prelude::*;",
        "extern crate wasm_bindgen;",
        "let t = std::time::SystemTime::now();",
        "use crate::worker::tasks::Task;",
        "use crate::ui::App;",
        "use crate::io::import::read_table;",
        "use crate::analysis::Report;",
    ] {
        assert_eq!(violations(&DOMAIN, line).len(), 1, "not caught: {line}");
    }
    assert!(violations(&DOMAIN, "// yew is mentioned in a comment only").is_empty());
    assert!(violations(&DOMAIN, "/// See [`crate::worker::tasks`].").is_empty());
    assert!(violations(&DOMAIN, "let yewness = 1; let gloom = 2;").is_empty());
    assert!(violations(&DOMAIN, "use crate::domain::rfm::Rfm;").is_empty());
}

#[test]
fn the_guard_keeps_analysis_off_the_worker_the_ui_and_the_browser() {
    for line in [
        "use crate::worker::tasks::Task;",
        "fn f(t: crate::worker::protocol::Request) {}",
        "use crate::ui::components::Chart;",
        "use crate::{domain::rfm, worker::tasks};",
        "use yew::prelude::*;",
        "use web_sys::Window;",
        "let d = js_sys::Date::now();",
        "use gloo::timers::callback::Timeout;",
        "use wasm_bindgen::JsValue;",
    ] {
        assert_eq!(violations(&ANALYSIS, line).len(), 1, "not caught: {line}");
    }
    // A group spread over lines is caught on the line that names the forbidden layer.
    let group = "use crate::{\n    domain::{rfm, clv::{Fit, Model}},\n    ui::App,\n};";
    assert_eq!(
        violations(&ANALYSIS, group),
        vec![(3, "ui::App,".to_string())]
    );
    // The layers below are allowed, and so are words that merely contain a layer's name.
    for line in [
        "use crate::domain::rfm::Rfm;",
        "use crate::io::storage::DataKind;",
        "use crate::{domain::{worker, ui}, io};",
        "let worker = crate::domain::worker_count(ui);",
        "use my_crate::worker::Task;",
        "use crate::workers::Task;",
    ] {
        assert!(
            violations(&ANALYSIS, line).is_empty(),
            "wrongly caught: {line}"
        );
    }
}

#[test]
fn the_guard_keeps_io_off_the_worker_and_the_ui_but_lets_it_use_the_browser() {
    for line in [
        "use crate::worker::tasks::ImportSettings;",
        "use crate::ui::App;",
        "use crate::{domain::Customer, worker};",
        "use yew::prelude::*;",
    ] {
        assert_eq!(violations(&IO, line).len(), 1, "not caught: {line}");
    }
    for line in [
        "use wasm_bindgen::JsValue;",
        "let a = js_sys::Uint8Array::new(&v);",
        "use crate::domain::Customer;",
    ] {
        assert!(violations(&IO, line).is_empty(), "wrongly caught: {line}");
    }
}

#[test]
fn the_guard_keeps_the_worker_off_the_ui() {
    for line in [
        "use crate::ui::state::AppState;",
        "use crate::{io, ui::hooks};",
        "use yew::prelude::*;",
        "use yew_router::prelude::*;",
    ] {
        assert_eq!(violations(&WORKER, line).len(), 1, "not caught: {line}");
    }
    for line in [
        "use crate::worker::tasks::Task;",
        "use crate::io::storage::DataKind;",
        "use crate::analysis::Report;",
        "use gloo_worker::Worker;",
    ] {
        assert!(
            violations(&WORKER, line).is_empty(),
            "wrongly caught: {line}"
        );
    }
}
