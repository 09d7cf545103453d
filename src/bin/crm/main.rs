//! `crm`: the app's engine headless. Reads the same files with the same detection and prints
//! the same figures as the browser app.

#[cfg(not(target_arch = "wasm32"))]
mod compare;
#[cfg(not(target_arch = "wasm32"))]
mod fit;
#[cfg(not(target_arch = "wasm32"))]
mod grouped;
#[cfg(not(target_arch = "wasm32"))]
mod input;
#[cfg(not(target_arch = "wasm32"))]
mod lesson;
#[cfg(not(target_arch = "wasm32"))]
mod report;
#[cfg(not(target_arch = "wasm32"))]
mod satisfaction;
#[cfg(not(target_arch = "wasm32"))]
mod segment;
#[cfg(not(target_arch = "wasm32"))]
mod simulate;
#[cfg(not(target_arch = "wasm32"))]
mod summarize;

#[cfg(not(target_arch = "wasm32"))]
use clap::{Parser, Subcommand};

/// Customer analytics from the command line: summaries, lifetime value, segments, satisfaction.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Parser)]
#[command(name = "crm", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(Subcommand)]
enum Command {
    /// Read a transaction log, print the validation report and write the customer summary (CSV).
    Summarize(summarize::Args),
    /// Fit a lifetime-value model and print its parameters, log-likelihood and convergence.
    Fit(fit::FitArgs),
    /// Write per-customer P(alive), expected purchases and CLV as CSV.
    Predict(fit::PredictArgs),
    /// Segment customers (RFM, k-means, value tiers) and write scores and segments as CSV.
    Segment(segment::Args),
    /// Score a survey (NPS, CSAT, CES, ...) with confidence intervals.
    Satisfaction(satisfaction::Args),
    /// Compare BG/NBD, MBG/NBD and Pareto/NBD (fit, holdout) and recommend one.
    Compare(compare::Args),
    /// Generate a customer base from a model with known parameters (a log, or sBG survivors).
    Simulate(simulate::Args),
    /// Write the report of the whole analysis as one XLSX workbook (what the app downloads).
    Report(report::Args),
    /// Write a lesson's workbook (`crm lesson bgnbd -o bgnbd.xlsx`: BG/NBD step by step).
    Lesson(lesson::Args),
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summarize(a) => summarize::run(&a),
        Command::Fit(a) => fit::run_fit(&a),
        Command::Predict(a) => fit::run_predict(&a),
        Command::Segment(a) => segment::run(&a),
        Command::Satisfaction(a) => satisfaction::run(&a),
        Command::Compare(a) => compare::run(&a),
        Command::Simulate(a) => simulate::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Lesson(a) => lesson::run(&a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crm: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
