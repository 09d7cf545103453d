//! `crm segment`: RFM scores and a named map, k-means clusters, or value tiers, written per
//! customer as CSV, with a summary per segment on stderr. Every figure comes from
//! [`crm::analysis::segment`], the functions the app's worker runs.

use crate::input::{load_summary, InputArgs};
use crm::analysis::segment::{self as seg, ClusterRequest, Feature, SegmentRow};
use crm::domain::segmentation::TierScheme;
use crm::domain::segmentation::{MonetaryKind, RfmParams, RfmResult, RfmScore, SegmentMap};
use std::io::Write;

/// Segmentation method.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// RFM scores and a named segment map.
    Rfm,
    /// k-means on log-transformed, standardized recency, frequency and monetary value.
    Kmeans,
    /// Value tiers by historical spend.
    Tiers,
}

/// Named segment map.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapArg {
    /// R × F (the default).
    Rxf,
    /// R vs (F+M)/2, 11 segments.
    Fm,
    /// The R package `rfm`'s ranges.
    Rfm,
}

impl MapArg {
    fn map(self) -> Result<SegmentMap, String> {
        let code = match self {
            MapArg::Rxf => "rxf",
            MapArg::Fm => "fm",
            MapArg::Rfm => "rfm",
        };
        SegmentMap::preset(code).ok_or_else(|| format!("--map: no preset named {code:?}"))
    }
}

/// Monetary value of the RFM score.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Monetary {
    /// Total spend.
    Total,
    /// Mean spend per purchase occasion.
    Mean,
}

impl From<Monetary> for MonetaryKind {
    fn from(m: Monetary) -> Self {
        match m {
            Monetary::Total => MonetaryKind::Total,
            Monetary::Mean => MonetaryKind::Mean,
        }
    }
}

/// Tier scheme.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tiers {
    /// Platinum 5%, Gold 15%, Iron 30%, Lead 50%.
    Pyramid,
    /// Heavy 20%, Medium 30%, Light 50%.
    #[value(alias = "heavy")]
    Hml,
}

impl Tiers {
    fn scheme(self) -> TierScheme {
        match self {
            Tiers::Pyramid => TierScheme::pyramid(),
            Tiers::Hml => TierScheme::heavy_medium_light(),
        }
    }
}

/// Arguments of `crm segment`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file and how to read it (any supported export; boxed: it is large, and `Command`
    /// holds it by value).
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Method.
    #[arg(long, value_enum, default_value = "rfm")]
    pub method: Method,
    /// Segment map for rfm.
    #[arg(long, value_enum, default_value = "rxf")]
    pub map: MapArg,
    /// Number of clusters for kmeans (default: chosen by silhouette over 2..=10).
    #[arg(long)]
    pub k: Option<u32>,
    /// Seed for kmeans.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Bins per RFM dimension.
    #[arg(long, default_value_t = 5)]
    pub bins: u32,
    /// Monetary value of the RFM score (and of the k-means monetary feature); tiers always
    /// rank customers by total spend, as the app does.
    #[arg(long, value_enum, default_value = "total")]
    pub monetary: Monetary,
    /// Tier scheme for tiers.
    #[arg(long, value_enum, default_value = "pyramid")]
    pub tiers: Tiers,
    /// Write the CSV here instead of stdout.
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
}

/// Runs `crm segment`.
pub fn run(args: &Args) -> Result<(), String> {
    let (summary, report) = load_summary(&args.input)?;
    eprint!("{report}");
    let rfm = RfmParams {
        bins: args.bins,
        monetary: args.monetary.into(),
        ..Default::default()
    }
    .fit(&summary)
    .map_err(|e| e.to_string())?;
    for w in &rfm.warnings {
        eprintln!("warning: {w}");
    }
    let spend = seg::historical_spend(&summary);
    let (header, rows, table) = match args.method {
        Method::Rfm => rfm_rows(&rfm, &spend, args.map.map()?),
        Method::Kmeans => kmeans_rows(&rfm, &spend, args)?,
        Method::Tiers => tier_rows(&rfm, &spend, args.tiers.scheme())?,
    };
    write_csv(args.output.as_deref(), &header, &rows)?;
    print_summary(&table);
    Ok(())
}

type Table = (Vec<String>, Vec<Vec<String>>, Vec<SegmentRow>);

fn base_cells(s: &RfmScore) -> Vec<String> {
    vec![
        s.id.clone(),
        s.recency_days.to_string(),
        s.frequency.to_string(),
        format!("{:.2}", s.monetary),
        s.r.to_string(),
        s.f.to_string(),
        s.m.to_string(),
    ]
}

fn header(extra: &[&str]) -> Vec<String> {
    ["id", "recency_days", "frequency", "monetary", "r", "f", "m"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn rfm_rows(rfm: &RfmResult, spend: &[f64], map: SegmentMap) -> Table {
    eprintln!("map: {}", map.name);
    let (names, of) = seg::assign_segments(&map, rfm);
    let rows = rfm
        .scores
        .iter()
        .zip(&of)
        .map(|(s, &g)| {
            let mut r = base_cells(s);
            r.push(names.get(usize::from(g)).cloned().unwrap_or_default());
            r
        })
        .collect();
    let describe = |n: &str| map.describe(n).to_string();
    let table = seg::segment_table(&names, &of, rfm, spend, None, None, &describe);
    (header(&["segment"]), rows, table)
}

fn kmeans_rows(rfm: &RfmResult, spend: &[f64], args: &Args) -> Result<Table, String> {
    let req = ClusterRequest {
        features: vec![Feature::Recency, Feature::Frequency, Feature::Monetary],
        seed: args.seed,
        k: args.k,
        ..Default::default()
    };
    let c = seg::cluster(rfm, None, None, &req)?;
    eprintln!("silhouette by k:");
    for p in &c.search.curve {
        eprintln!("  k={:<2} silhouette={:.3}", p.k, p.silhouette);
    }
    eprintln!("best k by silhouette = {}", c.search.best_k);
    let model = &c.model;
    eprintln!(
        "k-means: k={}, seed={}, inertia={:.1}, converged={}",
        model.k, model.seed, model.inertia, model.converged
    );
    let names: Vec<String> = model
        .profiles
        .iter()
        .map(|p| format!("{}: {}", p.cluster + 1, p.label))
        .collect();
    let rows = rfm
        .scores
        .iter()
        .zip(&model.labels)
        .map(|(s, &l)| {
            let mut r = base_cells(s);
            r.push((l + 1).to_string());
            r.push(names.get(l as usize).cloned().unwrap_or_default());
            r
        })
        .collect();
    let table = seg::segment_table(&names, &model.labels, rfm, spend, None, None, &|_| {
        String::new()
    });
    Ok((header(&["cluster", "segment"]), rows, table))
}

fn tier_rows(rfm: &RfmResult, spend: &[f64], scheme: TierScheme) -> Result<Table, String> {
    let basis = seg::tier_values(spend, None, false);
    let tiers = seg::value_tiers(&scheme, &basis.values).map_err(|e| e.to_string())?;
    // Ranks (1 = most valuable, ties by id) from the same values.
    let ids: Vec<(String, f64)> = rfm
        .scores
        .iter()
        .zip(&basis.values)
        .map(|(s, &v)| (s.id.clone(), v))
        .collect();
    let ranked = scheme.assign(&ids).map_err(|e| e.to_string())?;
    let names: Vec<String> = scheme.tiers.iter().map(|t| t.name.clone()).collect();
    let rows = rfm
        .scores
        .iter()
        .zip(&tiers.tier_of)
        .zip(&ranked.assignments)
        .map(|((s, &t), a)| {
            let mut r = base_cells(s);
            r.push(a.rank.to_string());
            r.push(names.get(usize::from(t)).cloned().unwrap_or_default());
            r
        })
        .collect();
    let table = seg::segment_table(&names, &tiers.tier_of, rfm, spend, None, None, &|_| {
        String::new()
    });
    Ok((header(&["rank", "segment"]), rows, table))
}

fn write_csv(
    path: Option<&std::path::Path>,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<(), String> {
    let out: Box<dyn Write> = match path {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    // The app's CSV writer: text cells that a spreadsheet would run as formulas are neutralised.
    let mut out = out;
    out.write_all(crm::io::export::write_csv(header, rows).as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())
}

fn print_summary(table: &[SegmentRow]) {
    eprintln!(
        "{:<40} {:>9} {:>7} {:>13}",
        "segment", "customers", "share", "revenue share"
    );
    for row in table.iter().filter(|r| r.customers > 0) {
        eprintln!(
            "{:<40} {:>9} {:>6.1}% {:>12.1}%",
            row.name,
            row.customers,
            100.0 * row.customer_share,
            100.0 * row.revenue_share
        );
    }
}
