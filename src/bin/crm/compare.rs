//! `crm compare`: BG/NBD, MBG/NBD and Pareto/NBD on the same customers, side by side, with the
//! recommendation (`crm::analysis::compare`, the table the Lifetime value page shows). A
//! transaction log is split at `--calibration-end` (default: 2/3 of the observed period) and
//! the models are checked on the holdout; a summary file is compared by fit alone.

use crate::input::{load_summary_with_log, summary_options, InputArgs};
use crm::analysis::compare::{compare, CompareRequest, Comparison};
use crm::domain::customers::Period;

/// Arguments of `crm compare`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file and how to read it (`--calibration-end` sets the holdout split).
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also fit BG/BB on the log cut into this period (week, month, quarter or year), scored
    /// on the holdout only (its likelihood is on period data).
    #[arg(long)]
    pub period: Option<String>,
}

/// Runs `crm compare`.
///
/// # Errors
/// A message for unreadable input or data that cannot be compared.
pub fn run(args: &Args) -> Result<(), String> {
    let mut whole = (*args.input).clone();
    whole.calibration_end = None;
    let (summary, transactions, report) = load_summary_with_log(&whole)?;
    let options = summary_options(&whole)?;
    let calibration_end = summary_options(&args.input)?.calibration_end;
    let req = CompareRequest {
        summary,
        transactions,
        summary_options: options,
        calibration_end,
        period: None,
    };
    let period = match args.period.as_deref() {
        Some(p) => Some(
            Period::parse(p)
                .ok_or_else(|| format!("--period {p}: expected week, month, quarter or year"))?,
        ),
        None => None,
    };
    let mut c = compare(&req, &mut |_, _| {})?;
    if let Some(p) = period {
        crm::analysis::discrete::add_to_comparison(&mut c, &req, p, &mut |_, _| {});
    }
    if args.json {
        let text = serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        eprint!("{report}");
        print!("{}", to_text(&c));
    }
    Ok(())
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| String::from("-"), f)
}

/// The comparison as a plain-text table.
pub fn to_text(c: &Comparison) -> String {
    let unit = c.time_unit.name();
    let mut s = String::new();
    match c.calibration_end {
        Some(d) => s.push_str(&format!(
            "Models fitted on {} customers up to {d} (calibration); holdout {:.1} {unit}s\n",
            c.n_customers, c.holdout_length
        )),
        None => s.push_str(&format!(
            "Models fitted on {} customers (no holdout)\n",
            c.n_customers
        )),
    }
    s.push_str(&format!(
        "{:<11} {:>12} {:>2} {:>11} {:>11} {:>9} {:>12} {:>9} {:>10} {:>10}\n",
        "model", "LL", "k", "AIC", "BIC", "converged", "LR vs NBD", "p", "cust. MAE", "tracking"
    ));
    let mut other_data = false;
    for m in &c.models {
        let h = m.holdout.as_ref();
        // A row whose AIC is not shown has its likelihood on other data (BG/BB on periods).
        let apart = !m.aic.is_finite();
        other_data |= apart;
        s.push_str(&format!(
            "{:<11} {:>12} {:>2} {:>11} {:>11} {:>9} {:>12} {:>9} {:>10} {:>10}\n",
            if apart {
                format!("{}*", m.name)
            } else {
                m.name.clone()
            },
            format!("{:.2}", m.log_likelihood),
            m.k,
            opt(m.aic.is_finite().then_some(m.aic), |v| format!("{v:.2}")),
            opt(m.bic.is_finite().then_some(m.bic), |v| format!("{v:.2}")),
            if m.converged { "yes" } else { "no" },
            opt(m.lr_vs_nbd.as_ref().map(|t| t.statistic), |v| format!(
                "{v:.2}"
            )),
            opt(m.lr_vs_nbd.as_ref().map(|t| t.p_value), |v| format!(
                "{v:.2e}"
            )),
            opt(h.map(|h| h.customer_mae), |v| format!("{v:.4}")),
            opt(h.and_then(|h| h.tracking_mape), |v| format!(
                "{:.1}%",
                100.0 * v
            )),
        ));
    }
    if other_data {
        s.push_str(
            "* log-likelihood on period data (different data): compare on the holdout only\n",
        );
    }
    if let Some(n) = &c.nbd {
        s.push_str(&format!(
            "NBD without drop-out: r {:.4}, alpha {:.4}, LL {:.2}\n",
            n.r, n.alpha, n.log_likelihood
        ));
    }
    for m in &c.models {
        let Some(h) = &m.holdout else { continue };
        s.push_str(&format!(
            "\n{}: holdout purchases by calibration frequency (mean per customer; total predicted {:.1}, actual {:.0})\n",
            m.name, h.total_predicted, h.total_actual
        ));
        s.push_str("  x   customers   actual  predicted\n");
        for r in &h.by_frequency {
            let x = if r.calibration_x >= crm::domain::clv::validation::TOP_BIN {
                format!("{}+", r.calibration_x)
            } else {
                r.calibration_x.to_string()
            };
            s.push_str(&format!(
                "  {x:<3} {:>9} {:>8.3} {:>10.3}\n",
                r.n_customers, r.actual, r.predicted
            ));
        }
    }
    s.push_str(&format!(
        "\nRecommendation: {}\n",
        c.recommendation.headline
    ));
    for r in &c.recommendation.reasons {
        s.push_str(&format!("  - {r}\n"));
    }
    s.push_str(&format!("Rule: {}\n", c.recommendation.rule));
    for n in &c.notes {
        s.push_str(&format!("Note: {n}\n"));
    }
    s
}
