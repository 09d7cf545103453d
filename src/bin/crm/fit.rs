//! `crm fit` and `crm predict`: fit a lifetime-value model on a customer summary, a transaction
//! log or a cohort file, and write per-customer predictions.
//!
//! Input is read with the shared importer helpers of `input.rs` (the browser app's detection,
//! mapping and validation); cohort files through `crm::io::import::cohort::read_cohorts`.

use crate::input::InputArgs;
use crm::analysis::clv::{fit_model, fit_spend, predict, value_intervals, IntervalRequest};
use crm::domain::clv::intervals::IntervalReport;
use crm::domain::clv::{ClvSettings, ModelKind, SbgParams, SpendFallback};
use crm::domain::customers::CustomerSummary;
use serde_json::{json, Map, Value};
use std::io::Write;

/// A model `crm fit` fits.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitModel {
    /// BG/NBD.
    #[value(alias = "bg", alias = "bg/nbd", alias = "bg-nbd", alias = "bg_nbd")]
    Bgnbd,
    /// Pareto/NBD.
    #[value(
        alias = "pareto",
        alias = "paretonbd",
        alias = "pareto/nbd",
        alias = "pareto-nbd"
    )]
    Pnbd,
    /// MBG/NBD.
    #[value(alias = "mbg", alias = "mbg/nbd", alias = "mbg-nbd", alias = "mbg_nbd")]
    Mbgnbd,
    /// Gamma-Gamma spend.
    #[value(alias = "gammagamma", alias = "gamma-gamma")]
    Gg,
    /// Shifted-beta-geometric cohort survival.
    Sbg,
    /// BG/BB for discrete periods (a grouped summary with whole periods, or a log cut into
    /// `--period`s).
    #[value(alias = "bg/bb", alias = "bg-bb", alias = "bg_bb")]
    Bgbb,
}

impl FitModel {
    fn btyd(self) -> Option<ModelKind> {
        match self {
            FitModel::Bgnbd => Some(ModelKind::BgNbd),
            FitModel::Pnbd => Some(ModelKind::ParetoNbd),
            FitModel::Mbgnbd => Some(ModelKind::MbgNbd),
            FitModel::Gg | FitModel::Sbg | FitModel::Bgbb => None,
        }
    }
}

/// A purchase model `crm predict` fits.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PredictModel {
    /// BG/NBD.
    #[value(alias = "bg", alias = "bg/nbd", alias = "bg-nbd", alias = "bg_nbd")]
    Bgnbd,
    /// Pareto/NBD.
    #[value(
        alias = "pareto",
        alias = "paretonbd",
        alias = "pareto/nbd",
        alias = "pareto-nbd"
    )]
    Pnbd,
    /// MBG/NBD.
    #[value(alias = "mbg", alias = "mbg/nbd", alias = "mbg-nbd", alias = "mbg_nbd")]
    Mbgnbd,
    /// BG/BB for discrete periods (horizon in periods, discount per period).
    #[value(alias = "bg/bb", alias = "bg-bb", alias = "bg_bb")]
    Bgbb,
}

impl PredictModel {
    fn btyd(self) -> Option<ModelKind> {
        match self {
            PredictModel::Bgnbd => Some(ModelKind::BgNbd),
            PredictModel::Pnbd => Some(ModelKind::ParetoNbd),
            PredictModel::Mbgnbd => Some(ModelKind::MbgNbd),
            PredictModel::Bgbb => None,
        }
    }
}

/// Arguments of `crm fit`.
#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// Input file and how to read it.
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Model: BG/NBD, Pareto/NBD, MBG/NBD, Gamma-Gamma spend or sBG cohort survival.
    #[arg(long, value_enum, ignore_case = true, default_value = "bgnbd")]
    pub model: FitModel,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// BG/BB from a transaction log: the period length (week, month, quarter or year;
    /// default year).
    #[arg(long)]
    pub period: Option<String>,
    /// Level of the customer-equity interval printed after a purchase-model fit (12 months,
    /// 1 % a month, margin 1, 200 parameter draws).
    #[arg(long, default_value_t = 0.9)]
    pub equity_interval: f64,
    /// Skip the customer equity and its interval (no spend model fitted).
    #[arg(long)]
    pub no_equity: bool,
}

/// Arguments of `crm predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// Input file and how to read it.
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Purchase model.
    #[arg(long, value_enum, ignore_case = true, default_value = "bgnbd")]
    pub model: PredictModel,
    /// Horizon of expected purchases, in model time units.
    #[arg(long, default_value_t = 52.0)]
    pub horizon: f64,
    /// CLV horizon in months (discount periods).
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Discount rate per month.
    #[arg(long, default_value_t = 0.01)]
    pub discount: f64,
    /// Margin as a share of spend.
    #[arg(long, default_value_t = 1.0)]
    pub margin: f64,
    /// Model time units per month (default: 4.345 weeks, 30 days or 1 month).
    #[arg(long)]
    pub units_per_month: Option<f64>,
    /// BG/BB from a transaction log: the period length (week, month, quarter or year;
    /// default year).
    #[arg(long)]
    pub period: Option<String>,
    /// Add lower and upper columns for P(alive), expected purchases and CLV at this level
    /// (e.g. 0.9 for 90 %).
    #[arg(long)]
    pub interval: Option<f64>,
    /// Parameter draws for the intervals.
    #[arg(long, default_value_t = 200)]
    pub draws: u32,
    /// Use a parametric bootstrap with this many refits instead of parameter draws.
    #[arg(long)]
    pub bootstrap: Option<u32>,
    /// Seed of the draws or of the bootstrap.
    #[arg(long, default_value_t = crm::domain::clv::intervals::DEFAULT_SEED)]
    pub seed: u64,
}

/// Prints an interval report's totals and notes to stderr.
fn report_totals(r: &IntervalReport, seconds: f64) {
    eprintln!(
        "crm: customer equity {:.2} ({:.0}% range {:.2} to {:.2}); expected purchases {:.2} ({:.2} to {:.2}); {} sets ({}), {} distinct (x, t_x, T), {seconds:.2} s",
        r.equity.estimate,
        100.0 * r.level,
        r.equity.range.lower,
        r.equity.range.upper,
        r.total_purchases.estimate,
        r.total_purchases.range.lower,
        r.total_purchases.range.upper,
        r.sets,
        match r.method {
            crm::domain::clv::intervals::IntervalMethod::ParameterDraws => "parameter draws",
            crm::domain::clv::intervals::IntervalMethod::Bootstrap => "parametric bootstrap",
        },
        r.distinct_groups
    );
    for n in &r.notes {
        eprintln!("crm: note: {n}");
    }
}

/// What the loader produced.
#[derive(Debug)]
enum Loaded {
    /// Customers (from a summary file or a transaction log).
    Customers(CustomerSummary),
    /// Survivor counts of a cohort (first = cohort size).
    Cohort(Vec<f64>),
}

/// Reads the input with the shared importer (the same detection, mapping and validation as the
/// browser app): cohort counts for `sbg`, otherwise a customer summary (a precomputed summary
/// file or one built from a transaction log). The import report goes to stderr.
fn load_input(input: &InputArgs, cohort: bool) -> Result<Loaded, String> {
    if cohort {
        let (table, _) = crate::input::load_table(input)?;
        let cohorts = crm::io::import::cohort::read_cohorts(&table)
            .map_err(|e| format!("{}: {e}", input.file.display()))?;
        let first = cohorts
            .cohorts
            .into_iter()
            .next()
            .ok_or_else(|| format!("{}: no cohort counts found", input.file.display()))?;
        return Ok(Loaded::Cohort(first.active));
    }
    if let Some(g) = crate::grouped::read_grouped(input)? {
        let unit = crate::input::summary_options(input)?.time_unit;
        return Ok(Loaded::Customers(g.to_summary(unit)));
    }
    let (mut summary, report) = crate::input::load_summary(input)?;
    if input.timings || std::env::var_os("CRM_VERBOSE").is_some() {
        eprint!("{report}");
    }
    if summary.customers.iter().all(|c| c.monetary == 0.0) {
        fill_zbar(input, &mut summary)?;
    }
    Ok(Loaded::Customers(summary))
}

/// The shared summary reader knows m / monetary / mean spend; Fader and Hardie's CDNOW files
/// call the mean repeat spend `zbar`. When no spend was read, take it from such a column
/// (matched on the first column, the customer id).
fn fill_zbar(input: &InputArgs, summary: &mut CustomerSummary) -> Result<(), String> {
    let (table, _) = crate::input::load_table(input)?;
    let Some(col) = table
        .headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case("zbar"))
    else {
        return Ok(());
    };
    let mut by_id = std::collections::HashMap::new();
    for i in 0..table.row_count() as usize {
        if let (Some(id), Some(v)) = (table.cell(i, 0), table.cell(i, col)) {
            if let Ok(v) = v.trim().parse::<f64>() {
                by_id.insert(id.trim().to_string(), v);
            }
        }
    }
    for c in &mut summary.customers {
        if let Some(v) = by_id.get(c.id.as_str()) {
            c.monetary = if c.x > 0.0 { *v } else { 0.0 };
        }
    }
    Ok(())
}

fn customers_of(loaded: Loaded) -> Result<CustomerSummary, String> {
    match loaded {
        Loaded::Customers(s) => Ok(s),
        Loaded::Cohort(_) => Err(String::from("expected customer data")),
    }
}

fn print_json(v: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn fmt_se(se: Option<f64>) -> String {
    se.map_or_else(|| String::from("n/a"), |v| format!("{v:.4}"))
}

/// Runs `crm fit`.
pub fn run_fit(args: &FitArgs) -> Result<(), String> {
    if args.model == FitModel::Bgbb {
        return crate::grouped::run_fit_bgbb(&args.input, args.period.as_deref(), args.json);
    }
    let started = std::time::Instant::now();
    let loaded = load_input(&args.input, args.model == FitModel::Sbg)?;
    let load_seconds = started.elapsed().as_secs_f64();
    let fit_started = std::time::Instant::now();
    let mut out = Map::new();
    let mut text = Vec::new();
    let mut params = Map::new();
    let mut ses = Map::new();
    let mut equity = None;
    let (convergence, ll, n) = match (args.model, args.model.btyd()) {
        (FitModel::Gg, _) => {
            let s = customers_of(loaded)?;
            let f = fit_spend(&s.customers)?;
            text.push(format!(
                "Gamma-Gamma spend model on {} repeat customers",
                f.n_customers
            ));
            for ((name, v), se) in ["p", "q", "gamma"]
                .iter()
                .zip([f.params.p, f.params.q, f.params.gamma])
                .zip(f.std_errors)
            {
                text.push(format!("  {name:<6} {v:>12.6}   (se {})", fmt_se(se)));
                params.insert((*name).to_string(), json!(v));
                ses.insert((*name).to_string(), json!(se));
            }
            let mean = f.population_mean();
            text.push(format!("  population mean spend: {:.4}", mean.value));
            if let Some(why) = f.fallback() {
                text.push(format!("  note: {}", why.message()));
            }
            out.insert(
                "spend_fallback".into(),
                json!(f.fallback().map(SpendFallback::message)),
            );
            text.push(format!(
                "frequency-spend correlation: {:.3}{}",
                f.frequency_spend_correlation,
                if f.correlation_warning {
                    "  WARNING: above 0.3, the independence assumption is doubtful"
                } else {
                    ""
                }
            ));
            out.insert("model".into(), json!("gg"));
            out.insert(
                "frequency_spend_correlation".into(),
                json!(f.frequency_spend_correlation),
            );
            out.insert("correlation_warning".into(), json!(f.correlation_warning));
            (f.convergence, f.log_likelihood, f.n_customers)
        }
        (FitModel::Sbg, _) | (_, None) => {
            let Loaded::Cohort(counts) = loaded else {
                return Err(String::from("expected cohort counts"));
            };
            let f = SbgParams::default()
                .fit(&counts, &mut |_| {})
                .map_err(|e| e.to_string())?;
            text.push(format!(
                "shifted-beta-geometric on a cohort of {} over {} periods",
                f.n_customers, f.periods
            ));
            for ((name, v), se) in ["alpha", "beta"]
                .iter()
                .zip([f.params.alpha, f.params.beta])
                .zip(f.std_errors)
            {
                text.push(format!("  {name:<6} {v:>12.6}   (se {})", fmt_se(se)));
                params.insert((*name).to_string(), json!(v));
                ses.insert((*name).to_string(), json!(se));
            }
            let retention: Vec<f64> = (1..=f.periods + 5).map(|t| f.params.retention(t)).collect();
            let projected = f.projected_survivors(f.periods + 5);
            text.push(format!(
                "  retention by period: {}",
                retention
                    .iter()
                    .map(|r| format!("{r:.3}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
            out.insert("model".into(), json!("sbg"));
            out.insert("retention".into(), json!(retention));
            out.insert("projected_survivors".into(), json!(projected));
            (f.convergence, f.log_likelihood, f.n_customers)
        }
        (_, Some(kind)) => {
            let s = customers_of(loaded)?;
            let f = fit_model(kind, &s, &mut |_| {})?;
            text.push(format!(
                "{} on {} customers ({} distinct (x, t_x, T) groups), time unit: {}",
                kind.name(),
                f.n_customers,
                f.n_groups,
                f.time_unit.name()
            ));
            for p in &f.params {
                text.push(format!(
                    "  {:<6} {:>12.6}   (se {})   {}",
                    p.name,
                    p.value,
                    fmt_se(p.std_error),
                    p.description
                ));
                params.insert(p.name.clone(), json!(p.value));
                ses.insert(p.name.clone(), json!(p.std_error));
            }
            out.insert("model".into(), json!(kind.code()));
            out.insert("time_unit".into(), json!(f.time_unit.name()));
            out.insert("n_groups".into(), json!(f.n_groups));
            if !args.no_equity {
                equity = Some((f.clone(), s));
            }
            (f.convergence, f.log_likelihood, f.n_customers)
        }
    };
    // Wall-clock seconds spent reading the file and fitting (with standard errors), for
    // benchmarks: the fit alone is what compares with another library's `.fit()`.
    out.insert(
        "seconds".into(),
        json!({"load": load_seconds, "fit": fit_started.elapsed().as_secs_f64()}),
    );
    if let Some((f, s)) = equity {
        match equity_interval(&f, &s, args.equity_interval) {
            Ok(r) => {
                text.push(format!(
                    "customer equity (12 months, 1% a month, margin 1): {:.2} ({:.0}% range {:.2} to {:.2}, {} parameter draws)",
                    r.equity.estimate,
                    100.0 * r.level,
                    r.equity.range.lower,
                    r.equity.range.upper,
                    r.sets
                ));
                for n in &r.notes {
                    text.push(format!("  note: {n}"));
                }
                out.insert(
                    "equity".into(),
                    json!({"estimate": r.equity.estimate, "lower": r.equity.range.lower,
                           "upper": r.equity.range.upper, "level": r.level, "notes": r.notes}),
                );
            }
            Err(e) => {
                text.push(format!("customer equity: no interval ({e})"));
                out.insert("equity".into(), json!({"error": e}));
            }
        }
    }
    if args.json {
        out.insert("params".into(), Value::Object(params));
        out.insert("std_errors".into(), Value::Object(ses));
        out.insert("log_likelihood".into(), json!(ll));
        out.insert("converged".into(), json!(convergence.converged));
        out.insert("iterations".into(), json!(convergence.iterations));
        out.insert("gradient_norm".into(), json!(convergence.gradient_norm));
        out.insert("reason".into(), json!(convergence.reason));
        out.insert("n_customers".into(), json!(n));
        return print_json(&Value::Object(out));
    }
    text.push(format!("log-likelihood: {ll:.4}"));
    text.push(format!(
        "converged: {} ({}; {} iterations; gradient norm {:.2e})",
        if convergence.converged { "yes" } else { "NO" },
        convergence.reason,
        convergence.iterations,
        convergence.gradient_norm
    ));
    println!("{}", text.join("\n"));
    Ok(())
}

/// Customer equity over 12 months (1 % a month, margin 1) with its parameter-draw interval,
/// spend from Gamma-Gamma when it fits, else each customer's own mean spend.
fn equity_interval(
    f: &crm::domain::clv::FittedModel,
    s: &CustomerSummary,
    level: f64,
) -> Result<IntervalReport, String> {
    let spend = fit_spend(&s.customers).ok();
    let settings = ClvSettings::monthly(s.time_unit, 12, 0.01, 1.0);
    let request = IntervalRequest {
        level,
        ..IntervalRequest::default()
    };
    value_intervals(
        f,
        spend.as_ref(),
        &s.customers,
        &settings,
        &request,
        &mut |_| {},
    )
}

/// One CSV field: neutralised if a spreadsheet would run it as a formula
/// ([`crm::io::export::neutralize_cell`]), then quoted if needed.
fn csv_field(s: &str) -> String {
    let s = crm::io::export::neutralize_cell(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Runs `crm predict`.
pub fn run_predict(args: &PredictArgs) -> Result<(), String> {
    let Some(kind) = args.model.btyd() else {
        return crate::grouped::run_predict_bgbb(
            &args.input,
            args.period.as_deref(),
            args.horizon,
            args.discount,
        );
    };
    let grouped = crate::grouped::read_grouped(&args.input)?;
    let s = customers_of(load_input(&args.input, false)?)?;
    let fitted = fit_model(kind, &s, &mut |_| {})?;
    if !fitted.convergence.converged {
        eprintln!(
            "crm: warning: the {} fit did not converge ({})",
            kind.name(),
            fitted.convergence.reason
        );
    }
    let spend = match fit_spend(&s.customers) {
        Ok(g) => {
            if g.correlation_warning {
                eprintln!(
                    "crm: warning: frequency and spend are correlated ({:.2}); Gamma-Gamma assumes independence",
                    g.frequency_spend_correlation
                );
            }
            Some(g)
        }
        Err(e) => {
            eprintln!(
                "crm: warning: no Gamma-Gamma spend model ({e}); using each customer's mean spend"
            );
            None
        }
    };
    let mut settings = ClvSettings::monthly(s.time_unit, args.months, args.discount, args.margin);
    settings.purchase_horizon = args.horizon;
    if let Some(k) = args.units_per_month {
        settings.units_per_period = k;
    }
    let preds = predict(&fitted, spend.as_ref(), &s.customers, &settings)?;
    let ranges = match args.interval {
        Some(level) => {
            let started = std::time::Instant::now();
            let request = IntervalRequest {
                level,
                draws: args.draws,
                bootstrap: args.bootstrap,
                seed: args.seed,
            };
            let r = value_intervals(
                &fitted,
                spend.as_ref(),
                &s.customers,
                &settings,
                &request,
                &mut |_| {},
            )?;
            report_totals(&r, started.elapsed().as_secs_f64());
            Some(r.customers)
        }
        None => None,
    };
    let mut fallbacks: Vec<(SpendFallback, u64)> = Vec::new();
    for f in preds.iter().filter_map(|p| p.spend_fallback) {
        match fallbacks.iter_mut().find(|(g, _)| *g == f) {
            Some((_, n)) => *n += 1,
            None => fallbacks.push((f, 1)),
        }
    }
    for (f, n) in fallbacks {
        eprintln!("crm: note: {n} customer(s): {}", f.message());
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let result = match &grouped {
        Some(g) => crate::grouped::write_grouped_predictions(&mut w, g, &preds, ranges.as_deref()),
        None => write_predictions(&mut w, &preds, ranges.as_deref()),
    }
    .and_then(|()| w.flush());
    match result {
        // `crm predict ... | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| e.to_string()),
    }
}

fn write_predictions(
    w: &mut impl Write,
    preds: &[crm::domain::clv::CustomerPrediction],
    ranges: Option<&[crm::domain::clv::intervals::CustomerRanges]>,
) -> std::io::Result<()> {
    write!(
        w,
        "id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv"
    )?;
    if ranges.is_some() {
        write!(
            w,
            ",p_alive_lower,p_alive_upper,expected_purchases_lower,expected_purchases_upper,clv_lower,clv_upper"
        )?;
    }
    writeln!(w)?;
    for (i, p) in preds.iter().enumerate() {
        write!(
            w,
            "{},{},{},{},{},{},{},{}",
            csv_field(&p.id),
            p.x,
            p.t_x,
            p.t,
            p.p_alive,
            p.expected_purchases,
            p.expected_spend,
            p.clv
        )?;
        if let Some(r) = ranges.and_then(|r| r.get(i)) {
            write!(
                w,
                ",{},{},{},{},{},{}",
                r.p_alive.lower,
                r.p_alive.upper,
                r.expected_purchases.lower,
                r.expected_purchases.upper,
                r.clv.lower,
                r.clv.upper
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}
