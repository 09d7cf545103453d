//! The architecture rule made real: nothing under `src/domain` may use the browser or the UI
//! framework. Fails on any `use`, path or `extern crate` naming yew, web-sys, js-sys, gloo or
//! wasm-bindgen (in either spelling), and on clocks (the domain never reads the time).

#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};

const FORBIDDEN: [&str; 10] = [
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
];

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

/// Returns the offending (line number, line) pairs of one file's text.
fn violations(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let words: Vec<&str> = code
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|w| !w.is_empty())
            .collect();
        let names_crate = words
            .iter()
            .any(|w| FORBIDDEN.contains(w) || w.starts_with("gloo_"));
        let uses_clock = code.contains("SystemTime::now")
            || code.contains("Instant::now")
            || code.contains("Utc::now")
            || code.contains("Local::now");
        if names_crate || uses_clock {
            found.push((i + 1, line.trim().to_string()));
        }
    }
    found
}

#[test]
fn domain_does_not_touch_the_browser_or_the_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() >= 5,
        "expected the domain sources under {}",
        root.display()
    );
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source file");
        for (n, line) in violations(&text) {
            bad.push(format!("{}:{n}: {line}", f.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "src/domain must stay pure:\n{}",
        bad.join("\n")
    );
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
    ] {
        assert_eq!(violations(line).len(), 1, "not caught: {line}");
    }
    assert!(violations("// yew is mentioned in a comment only").is_empty());
    assert!(violations("let yewness = 1; let gloom = 2;").is_empty());
}
