//! Grouped summaries and BG/BB for `crm fit` and `crm predict`: a file with a count column
//! (`crm::io::import::grouped`) is read as that many identical customers; `--model bgbb` fits
//! the discrete-time BG/BB model on a grouped file with whole periods (lifetimes' `frequency,
//! recency, periods, weights`) or on a transaction log cut into periods (`--period`).

use crate::input::{import_options, load_table, mapping, summary_options, InputArgs};
use crm::domain::clv::{BgBbGroup, BgBbParams, FittedBgBb};
use crm::domain::customers::Period;
use crm::io::import::grouped::{is_grouped, load_grouped, GroupedSummary};
use crm::io::import::{import_table, BadRows, DataKind, ImportSettings};
use serde_json::{json, Map};
use std::io::Write;

/// Header words that make a file worth reading as a grouped summary.
const COUNT_WORDS: &[&str] = &["weight", "count", "custs", "customers"];

/// Reads the file as a grouped summary when it is one (a count column by name); `None`
/// otherwise. Only the first line is looked at before reading the whole table.
///
/// # Errors
/// A message starting with the file name for an unreadable file or bad rows.
pub fn read_grouped(input: &InputArgs) -> Result<Option<GroupedSummary>, String> {
    let name = input.file.display().to_string();
    let head = std::fs::read(&input.file).map_err(|e| format!("{name}: {e}"))?;
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first).to_ascii_lowercase();
    if !COUNT_WORDS.iter().any(|w| first.contains(w)) {
        return Ok(None);
    }
    let (table, _) = load_table(input)?;
    if !is_grouped(&table) {
        return Ok(None);
    }
    let (g, _) = load_grouped(&table, 20).map_err(|e| format!("{name}: {e}"))?;
    Ok(Some(g))
}

/// The BG/BB histories of the input and a sentence saying where they came from.
fn bgbb_input(input: &InputArgs, period: Option<&str>) -> Result<(Vec<BgBbGroup>, String), String> {
    let name = input.file.display().to_string();
    if let Some(g) = read_grouped(input)? {
        if !(g.discrete || g.all_whole()) {
            return Err(format!(
                "{name}: BG/BB needs whole periods (x, t_x and n as whole numbers); this grouped summary has fractional times"
            ));
        }
        return Ok((
            g.to_bgbb_groups(),
            format!(
                "grouped summary: {} groups, {} customers",
                g.rows.len(),
                g.n_customers()
            ),
        ));
    }
    let period = match period {
        Some(p) => Period::parse(p)
            .ok_or_else(|| format!("--period {p}: expected week, month, quarter or year"))?,
        None => Period::Year,
    };
    let (table, _) = load_table(input)?;
    let options = summary_options(input)?;
    let mut settings = ImportSettings {
        options: import_options(input)?,
        bad_rows: if input.strict {
            BadRows::Fail
        } else {
            BadRows::Skip
        },
        ..Default::default()
    };
    if input.customer.is_some() || input.date.is_some() || input.amount.is_some() {
        settings.mapping = Some(mapping(input, &table)?);
    }
    settings.kind = Some(DataKind::Transactions);
    let imp = import_table(&table, &settings, &options, &mut |_, _| {})
        .map_err(|e| format!("{name}: {e}"))?;
    let h = crm::analysis::discrete::from_log(&imp.transactions, period, options.observation_end);
    let mut note = h.source;
    for n in &h.notes {
        note.push_str("; ");
        note.push_str(n);
    }
    Ok((h.groups, note))
}

fn fit(groups: &[BgBbGroup]) -> Result<FittedBgBb, String> {
    BgBbParams::default()
        .fit(groups, &mut |_| {})
        .map_err(|e| e.to_string())
}

/// `crm fit --model bgbb`.
///
/// # Errors
/// A message for unreadable input or impossible histories.
pub fn run_fit_bgbb(input: &InputArgs, period: Option<&str>, as_json: bool) -> Result<(), String> {
    let (groups, note) = bgbb_input(input, period)?;
    let f = fit(&groups)?;
    let c = &f.convergence;
    if as_json {
        let mut params = Map::new();
        let mut ses = Map::new();
        for p in &f.params {
            params.insert(p.name.clone(), json!(p.value));
            ses.insert(p.name.clone(), json!(p.std_error));
        }
        let out = json!({
            "model": "bgbb",
            "input": note,
            "params": params,
            "std_errors": ses,
            "log_likelihood": f.log_likelihood,
            "converged": c.converged,
            "iterations": c.iterations,
            "gradient_norm": c.gradient_norm,
            "reason": c.reason,
            "n_customers": f.n_customers,
            "n_groups": f.n_groups,
        });
        let text = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    let mut text = vec![format!(
        "BG/BB on {} customers ({} distinct (x, t_x, n) groups); {note}",
        f.n_customers, f.n_groups
    )];
    for p in &f.params {
        let se = p
            .std_error
            .map_or_else(|| String::from("n/a"), |v| format!("{v:.4}"));
        text.push(format!(
            "  {:<6} {:>12.6}   (se {se})   {}",
            p.name, p.value, p.description
        ));
    }
    text.push(format!("log-likelihood: {:.4}", f.log_likelihood));
    text.push(format!(
        "converged: {} ({}; {} iterations; gradient norm {:.2e})",
        if c.converged { "yes" } else { "NO" },
        c.reason,
        c.iterations,
        c.gradient_norm
    ));
    println!("{}", text.join("\n"));
    Ok(())
}

/// `crm predict --model bgbb`: one row per (x, t_x, n) group with its count; P(alive) in the
/// next period, expected periods with a transaction in the next `horizon` periods and DERT at
/// `discount` per period, each per customer; totals (× count) on stderr.
///
/// # Errors
/// As [`run_fit_bgbb`], and for a horizon that is not a whole number of periods or a discount
/// rate that is not above 0.
pub fn run_predict_bgbb(
    input: &InputArgs,
    period: Option<&str>,
    horizon: f64,
    discount: f64,
) -> Result<(), String> {
    if !(horizon >= 0.0 && horizon.fract() == 0.0 && horizon <= 1e6) {
        return Err(format!(
            "--horizon {horizon}: BG/BB needs a whole number of periods"
        ));
    }
    if !(discount > 0.0 && discount.is_finite()) {
        return Err(format!(
            "--discount {discount}: the discount rate per period must be above 0"
        ));
    }
    let (groups, note) = bgbb_input(input, period)?;
    let groups = crm::domain::clv::bgbb::group_histories(groups);
    let f = fit(&groups)?;
    if !f.convergence.converged {
        eprintln!(
            "crm: warning: the BG/BB fit did not converge ({})",
            f.convergence.reason
        );
    }
    let preds = f.predict(&groups, horizon as u32, discount);
    let (mut alive, mut expected, mut dert) = (0.0, 0.0, 0.0);
    for p in &preds {
        let n = p.group.count as f64;
        alive += n * p.p_alive;
        expected += n * p.expected;
        dert += n * p.dert;
    }
    eprintln!(
        "crm: BG/BB ({note}): expected alive next period {alive:.1}, expected transactions in the next {horizon} periods {expected:.1}, DERT at {discount} per period {dert:.1} (totals over {} customers)",
        f.n_customers
    );
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let result = (|| -> std::io::Result<()> {
        writeln!(w, "x,t_x,n,count,p_alive,expected_transactions,dert")?;
        for p in &preds {
            let g = p.group;
            writeln!(
                w,
                "{},{},{},{},{},{},{}",
                g.x, g.t_x, g.n, g.count, p.p_alive, p.expected, p.dert
            )?;
        }
        w.flush()
    })();
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| e.to_string()),
    }
}

/// Writes per-group predictions of a continuous-time model on a grouped summary: the customer
/// columns of `crm predict` plus `count`; totals (× count) on stderr.
///
/// # Errors
/// Write errors.
pub fn write_grouped_predictions(
    w: &mut impl Write,
    groups: &GroupedSummary,
    preds: &[crm::domain::clv::CustomerPrediction],
    ranges: Option<&[crm::domain::clv::intervals::CustomerRanges]>,
) -> std::io::Result<()> {
    write!(
        w,
        "id,x,t_x,T,count,p_alive,expected_purchases,expected_spend,clv"
    )?;
    if ranges.is_some() {
        write!(
            w,
            ",p_alive_lower,p_alive_upper,expected_purchases_lower,expected_purchases_upper,clv_lower,clv_upper"
        )?;
    }
    writeln!(w)?;
    let (mut customers, mut purchases, mut equity) = (0u64, 0.0, 0.0);
    for (i, (p, g)) in preds.iter().zip(&groups.rows).enumerate() {
        let n = g.count as f64;
        customers += g.count;
        purchases += n * p.expected_purchases;
        equity += n * p.clv;
        write!(
            w,
            "{},{},{},{},{},{},{},{},{}",
            p.id,
            p.x,
            p.t_x,
            p.t,
            g.count,
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
    eprintln!(
        "crm: grouped summary: {} groups, {customers} customers; expected purchases {purchases:.1}, customer equity {equity:.2} (each group's figures × its count)",
        groups.rows.len()
    );
    Ok(())
}
