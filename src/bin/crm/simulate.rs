//! `crm simulate`: a customer base generated from a model with known parameters, written as
//! the file the app opens for that model: a transaction log (`customer_id,date,amount`) for
//! BG/NBD, MBG/NBD and Pareto/NBD (with Gamma-Gamma spend), a cohort's survivor counts
//! (`period,active`) for sBG. The generators are `crm::domain::sample`'s, the same the app's
//! sample data and simulator use; the same seed gives the same bytes.

use chrono::NaiveDate;
use crm::analysis::simulator::{generate, SimRequest};
use crm::domain::sample::{parse_sim_model, SimModel};

/// Arguments of `crm simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model: bgnbd, mbgnbd, pnbd or sbg.
    #[arg(long)]
    pub model: String,
    /// Number of customers (sBG: the cohort size).
    #[arg(long, default_value_t = 10_000)]
    pub customers: u32,
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// True parameters, e.g. `r=0.243,alpha=4.414,a=0.793,b=2.426` (weeks); Pareto/NBD
    /// `r=…,alpha=…,s=…,beta=…`; sBG `alpha=…,beta=…`.
    #[arg(long)]
    pub params: String,
    /// Gamma-Gamma spend parameters `p=…,q=…,gamma=…` (default: 6.25, 3.74, 15.44).
    #[arg(long)]
    pub spend: Option<String>,
    /// Weeks of observation from the start for a log (default 39); periods for sBG (default 12).
    #[arg(long)]
    pub periods: Option<u32>,
    /// Weeks over which customers make their first purchase (default 12).
    #[arg(long, default_value_t = 12)]
    pub acquisition_weeks: u32,
    /// First day of the log (YYYY-MM-DD).
    #[arg(long, default_value = "2024-01-01")]
    pub start: String,
    /// Output file (`-` for standard output).
    #[arg(short, long)]
    pub output: String,
}

/// Parses `p=…,q=…,gamma=…`.
fn parse_spend(text: &str) -> Result<(f64, f64, f64), String> {
    let mut v = [f64::NAN; 3];
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("--spend: \"{part}\" is not name=value"))?;
        let i = ["p", "q", "gamma"]
            .iter()
            .position(|n| *n == name.trim())
            .ok_or_else(|| {
                format!(
                    "--spend: unknown parameter \"{}\" (give p, q, gamma)",
                    name.trim()
                )
            })?;
        v[i] = value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| format!("--spend: {} must be a positive number", name.trim()))?;
    }
    if v.iter().any(|x| x.is_nan()) {
        return Err("--spend needs p, q and gamma".into());
    }
    Ok((v[0], v[1], v[2]))
}

/// Runs `crm simulate`.
///
/// # Errors
/// A message naming the bad argument, or the file that could not be written.
pub fn run(args: &Args) -> Result<(), String> {
    if args.customers == 0 {
        return Err("--customers must be at least 1".into());
    }
    let model = parse_sim_model(&args.model, &args.params).map_err(|e| format!("--params: {e}"))?;
    let sbg = matches!(model, SimModel::Sbg { .. });
    if sbg && args.spend.is_some() {
        return Err("--spend applies to transaction logs, not to sBG cohorts".into());
    }
    let mut req = SimRequest {
        model,
        customers: args.customers,
        seed: args.seed,
        periods: args.periods.unwrap_or(if sbg { 12 } else { 39 }),
        acquisition_weeks: args.acquisition_weeks,
        start: NaiveDate::parse_from_str(&args.start, "%Y-%m-%d")
            .map_err(|_| format!("--start {}: expected YYYY-MM-DD", args.start))?,
        ..Default::default()
    };
    if let Some(s) = &args.spend {
        let (p, q, g) = parse_spend(s)?;
        req.gamma_gamma = [p, q, g];
    }
    let file = generate(&req, args.customers)?;
    if let Some(end) = file.observation_end {
        eprintln!(
            "crm: {} customers, {} purchases, {} to {end} ({} weeks observed)",
            args.customers,
            file.bytes
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                .saturating_sub(1),
            req.start,
            req.periods
        );
    }
    let text = String::from_utf8_lossy(&file.bytes);
    if args.output == "-" {
        print!("{text}");
        Ok(())
    } else {
        std::fs::write(&args.output, &file.bytes).map_err(|e| format!("{}: {e}", args.output))
    }
}
