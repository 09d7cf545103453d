//! `crm fit` and `crm predict`: fit a lifetime-value model on a customer summary, a transaction
//! log or a cohort file, and write per-customer predictions.
//!
//! Input is read by [`load_input`], a deliberately small loader (comma, semicolon, tab or
//! whitespace separated text, simple quoting) kept in one function so it can be swapped for
//! the real importer (`crm::io::import`) when it lands.

use crate::input::InputArgs;
use chrono::NaiveDate;
use crm::domain::clv::{
    predict_customers, BtydParams, ClvSettings, FittedModel, GammaGammaParams, ModelKind, SbgParams,
};
use crm::domain::customers::{
    summarize, CustomerRecord, CustomerSummary, ReturnsPolicy, SummaryOptions, TimeUnit,
    Transaction,
};
use serde_json::{json, Map, Value};
use std::io::Write;

/// Arguments of `crm fit`.
#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// Input file and how to read it.
    #[command(flatten)]
    pub input: InputArgs,
    /// Model: bgnbd, pnbd, mbgnbd, gg (Gamma-Gamma spend) or sbg (cohort survival).
    #[arg(long, default_value = "bgnbd")]
    pub model: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `crm predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// Input file and how to read it.
    #[command(flatten)]
    pub input: InputArgs,
    /// Model: bgnbd, pnbd or mbgnbd.
    #[arg(long, default_value = "bgnbd")]
    pub model: String,
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
}

/// What the loader produced.
#[derive(Debug)]
enum Loaded {
    /// Customers (from a summary file or a transaction log).
    Customers(CustomerSummary),
    /// Survivor counts of a cohort (first = cohort size).
    Cohort(Vec<f64>),
}

fn split_line(line: &str) -> Vec<String> {
    let sep = if line.contains(',') {
        Some(',')
    } else if line.contains(';') {
        Some(';')
    } else if line.contains('\t') {
        Some('\t')
    } else {
        None
    };
    let fields: Vec<&str> = match sep {
        Some(c) => line.split(c).collect(),
        None => line.split_whitespace().collect(),
    };
    fields
        .into_iter()
        .map(|f| f.trim().trim_matches('"').trim().to_string())
        .collect()
}

fn find_col(
    header: &[String],
    wanted: Option<&str>,
    names: &[&str],
    default: Option<usize>,
) -> Result<Option<usize>, String> {
    if let Some(w) = wanted {
        if let Ok(pos) = w.parse::<usize>() {
            return if pos >= 1 && pos <= header.len() {
                Ok(Some(pos - 1))
            } else {
                Err(format!(
                    "column {pos} does not exist (the file has {} columns)",
                    header.len()
                ))
            };
        }
        return header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(w))
            .map(Some)
            .ok_or_else(|| format!("no column named \"{w}\""));
    }
    Ok(header
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        .or(default))
}

fn parse_date(s: &str, format: Option<&str>) -> Option<NaiveDate> {
    if let Some(f) = format {
        return NaiveDate::parse_from_str(s, f).ok();
    }
    let head = s.get(..10).unwrap_or(s);
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(head, f).ok())
        .or_else(|| NaiveDate::parse_from_str(s, "%Y%m%d").ok())
}

fn number(s: &str, what: &str, line: usize) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("line {line}, column \"{what}\": expected a number, found \"{s}\""))
}

/// Reads the input file: (a) a customer summary with columns frequency/x, recency/t_x, T and
/// optionally monetary_value/m; (b) a transaction log customer_id,date,amount (summarised with
/// the time unit, end, calibration end and returns options); (c) for `sbg`, a cohort file whose
/// last numeric field on each line is the number still active (first = cohort size).
///
/// Temporary: to be replaced by the shared importer (`crm::io::import`).
fn load_input(input: &InputArgs, model: &str) -> Result<Loaded, String> {
    let path = input.file.display().to_string();
    if input.sheet.is_some() {
        return Err(format!(
            "{path}: spreadsheets are not read by this command yet; export the sheet as CSV"
        ));
    }
    let text = std::fs::read_to_string(&input.file).map_err(|e| format!("{path}: {e}"))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let time_unit = TimeUnit::parse(&input.time_unit).ok_or_else(|| {
        format!(
            "--time-unit: expected day, week or month, found \"{}\"",
            input.time_unit
        )
    })?;
    if model == "sbg" {
        let mut counts = Vec::new();
        for (n, l) in &lines {
            let fields = split_line(l);
            match fields.last().map(|f| f.parse::<f64>()) {
                Some(Ok(v)) => counts.push(v),
                _ if counts.is_empty() => continue, // a header
                _ => return Err(format!("{path}: line {n}: expected a count, found \"{l}\"")),
            }
        }
        return Ok(Loaded::Cohort(counts));
    }
    let Some(((_, first), rest)) = lines.split_first() else {
        return Err(format!("{path}: the file is empty"));
    };
    let header: Vec<String> = split_line(first)
        .into_iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let freq = find_col(&header, None, &["frequency", "x"], None)?;
    let rec = find_col(&header, None, &["recency", "t_x"], None)?;
    let age = find_col(&header, None, &["t"], None)?;
    if let (Some(fi), Some(ri), Some(ti)) = (freq, rec, age) {
        let mi = find_col(
            &header,
            None,
            &["monetary_value", "monetary", "m", "zbar"],
            None,
        )?;
        let idi = find_col(&header, None, &["customer_id", "id", "customer"], None)?;
        let mut customers = Vec::new();
        for (n, l) in rest {
            let f = split_line(l);
            let get = |i: usize, name: &str| -> Result<f64, String> {
                let v = f
                    .get(i)
                    .ok_or_else(|| format!("{path}: line {n}: column \"{name}\" is missing"))?;
                number(v, name, *n).map_err(|e| format!("{path}: {e}"))
            };
            let id = match idi.and_then(|i| f.get(i)) {
                Some(v) => v.clone(),
                None => (customers.len() + 1).to_string(),
            };
            let m = match mi {
                Some(i) => get(i, "monetary")?,
                None => 0.0,
            };
            customers.push(CustomerRecord::from_stats(
                id,
                get(fi, "frequency")?,
                get(ri, "recency")?,
                get(ti, "T")?,
                m,
            ));
        }
        return Ok(Loaded::Customers(CustomerSummary {
            time_unit,
            observation_end: None,
            calibration_end: None,
            holdout_length: 0.0,
            customers,
            returns_rows: 0,
        }));
    }
    // A transaction log.
    let has_header = split_line(first).iter().all(|f| f.parse::<f64>().is_err())
        && parse_date(
            &split_line(first).get(1).cloned().unwrap_or_default(),
            input.date_format.as_deref(),
        )
        .is_none();
    let (ci, di, ai) = if has_header {
        (
            find_col(
                &header,
                input.customer.as_deref(),
                &["customer_id", "customer", "id", "client"],
                Some(0),
            )?,
            find_col(
                &header,
                input.date.as_deref(),
                &["date", "order_date", "day"],
                Some(1),
            )?,
            find_col(
                &header,
                input.amount.as_deref(),
                &["amount", "value", "revenue", "price", "sales"],
                Some(2),
            )?,
        )
    } else {
        let pos = |w: &Option<String>, d: usize| {
            w.as_deref()
                .and_then(|v| v.parse::<usize>().ok())
                .map_or(d, |p| p.saturating_sub(1))
        };
        (
            Some(pos(&input.customer, 0)),
            Some(pos(&input.date, 1)),
            Some(pos(&input.amount, 2)),
        )
    };
    let (Some(ci), Some(di), Some(ai)) = (ci, di, ai) else {
        return Err(format!(
            "{path}: could not find the customer, date and amount columns"
        ));
    };
    let body: &[(usize, &str)] = if has_header { rest } else { &lines };
    let mut log = Vec::with_capacity(body.len());
    for (n, l) in body {
        let f = split_line(l);
        let cell = |i: usize, name: &str| {
            f.get(i)
                .ok_or_else(|| format!("{path}: line {n}: column \"{name}\" is missing"))
        };
        let d = cell(di, "date")?;
        let date = parse_date(d, input.date_format.as_deref()).ok_or_else(|| {
            format!("{path}: line {n}, column \"date\": expected a date, found \"{d}\"")
        })?;
        log.push(Transaction {
            customer_id: cell(ci, "customer")?.clone(),
            date,
            amount: number(cell(ai, "amount")?, "amount", *n)
                .map_err(|e| format!("{path}: {e}"))?,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        });
    }
    let day = |s: &Option<String>, flag: &str| -> Result<Option<NaiveDate>, String> {
        s.as_deref()
            .map(|v| {
                parse_date(v, None)
                    .ok_or_else(|| format!("{flag}: expected a date (YYYY-MM-DD), found \"{v}\""))
            })
            .transpose()
    };
    let returns = match input.returns.to_ascii_lowercase().as_str() {
        "net" => ReturnsPolicy::Net,
        "drop" => ReturnsPolicy::Drop,
        "keep" => ReturnsPolicy::Keep,
        other => {
            return Err(format!(
                "--returns: expected net, drop or keep, found \"{other}\""
            ))
        }
    };
    let options = SummaryOptions {
        time_unit,
        observation_end: day(&input.end, "--end")?,
        calibration_end: day(&input.calibration_end, "--calibration-end")?,
        returns,
    };
    summarize(&log, &options)
        .map(Loaded::Customers)
        .map_err(|e| format!("{path}: {e}"))
}

fn customers_of(loaded: Loaded) -> Result<CustomerSummary, String> {
    match loaded {
        Loaded::Customers(s) => Ok(s),
        Loaded::Cohort(_) => Err(String::from("expected customer data")),
    }
}

fn btyd_kind(model: &str) -> Result<ModelKind, String> {
    ModelKind::parse(model).ok_or_else(|| {
        format!("--model: expected bgnbd, pnbd, mbgnbd, gg or sbg, found \"{model}\"")
    })
}

fn fit_btyd(kind: ModelKind, s: &CustomerSummary) -> Result<FittedModel, String> {
    BtydParams::new(kind)
        .check()
        .and_then(|p| p.fit(s, &mut |_| {}))
        .map_err(|e| e.to_string())
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
    let model = args.model.trim().to_ascii_lowercase();
    if !matches!(model.as_str(), "gg" | "gammagamma" | "gamma-gamma" | "sbg") {
        btyd_kind(&model)?;
    }
    let loaded = load_input(&args.input, &model)?;
    let mut out = Map::new();
    let mut text = Vec::new();
    let mut params = Map::new();
    let mut ses = Map::new();
    let (convergence, ll, n) = match model.as_str() {
        "gg" | "gammagamma" | "gamma-gamma" => {
            let s = customers_of(loaded)?;
            let f = GammaGammaParams::default()
                .fit(&s.customers, &mut |_| {})
                .map_err(|e| e.to_string())?;
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
            text.push(format!(
                "  population mean spend: {:.4}",
                f.params.population_mean()
            ));
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
        "sbg" => {
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
        other => {
            let kind = btyd_kind(other)?;
            let s = customers_of(loaded)?;
            let f = fit_btyd(kind, &s)?;
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
            (f.convergence, f.log_likelihood, f.n_customers)
        }
    };
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Runs `crm predict`.
pub fn run_predict(args: &PredictArgs) -> Result<(), String> {
    let kind = btyd_kind(&args.model)?;
    let s = customers_of(load_input(&args.input, kind.code())?)?;
    let fitted = fit_btyd(kind, &s)?;
    if !fitted.convergence.converged {
        eprintln!(
            "crm: warning: the {} fit did not converge ({})",
            kind.name(),
            fitted.convergence.reason
        );
    }
    let gg = GammaGammaParams::default().fit(&s.customers, &mut |_| {});
    let spend = match &gg {
        Ok(g) => {
            if g.correlation_warning {
                eprintln!(
                    "crm: warning: frequency and spend are correlated ({:.2}); Gamma-Gamma assumes independence",
                    g.frequency_spend_correlation
                );
            }
            Some(g.params)
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
    let preds = predict_customers(&fitted, spend.as_ref(), &s.customers, &settings)
        .map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let result = write_predictions(&mut w, &preds).and_then(|()| w.flush());
    match result {
        // `crm predict ... | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| e.to_string()),
    }
}

fn write_predictions(
    w: &mut impl Write,
    preds: &[crm::domain::clv::CustomerPrediction],
) -> std::io::Result<()> {
    writeln!(
        w,
        "id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv"
    )?;
    for p in preds {
        writeln!(
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
    }
    Ok(())
}
