//! `crm segment`: RFM scores and a named map, k-means clusters, or value tiers, written per
//! customer as CSV, with a summary per segment on stderr.

use crate::input::{load_summary, InputArgs};
use crm::domain::segmentation::kmeans::{choose_k, FeatureMatrix, KMeansParams, KSearchParams};
use crm::domain::segmentation::{MonetaryKind, RfmParams, RfmResult, SegmentMap, TierScheme};
use std::collections::HashMap;
use std::io::Write;

/// Arguments of `crm segment`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file and how to read it (any supported export; boxed: it is large, and `Command`
    /// holds it by value).
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Method: rfm, kmeans or tiers.
    #[arg(long, default_value = "rfm")]
    pub method: String,
    /// Segment map for rfm: rxf (default), fm (R vs (F+M)/2, 11 segments) or rfm (R package).
    #[arg(long, default_value = "rxf")]
    pub map: String,
    /// Number of clusters for kmeans (default: chosen by silhouette over 2..=10).
    #[arg(long)]
    pub k: Option<u32>,
    /// Seed for kmeans.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Bins per RFM dimension.
    #[arg(long, default_value_t = 5)]
    pub bins: u32,
    /// Monetary value: total or mean spend.
    #[arg(long, default_value = "total")]
    pub monetary: String,
    /// Tier scheme for tiers: pyramid or hml (heavy / medium / light).
    #[arg(long, default_value = "pyramid")]
    pub tiers: String,
    /// Write the CSV here instead of stdout.
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
}

/// Runs `crm segment`.
pub fn run(args: &Args) -> Result<(), String> {
    let (summary, report) = load_summary(&args.input)?;
    eprint!("{report}");
    let monetary = match args.monetary.as_str() {
        "total" => MonetaryKind::Total,
        "mean" => MonetaryKind::Mean,
        other => {
            return Err(format!(
                "--monetary: expected total or mean, found {other:?}"
            ))
        }
    };
    let rfm = RfmParams {
        bins: args.bins,
        monetary,
        ..Default::default()
    }
    .fit(&summary)
    .map_err(|e| e.to_string())?;
    for w in &rfm.warnings {
        eprintln!("warning: {w}");
    }
    let revenue: HashMap<&str, f64> = summary
        .customers
        .iter()
        .map(|c| (c.id.as_str(), c.total_spend))
        .collect();
    let (header, rows, segments) = match args.method.as_str() {
        "rfm" => rfm_rows(&rfm, &args.map)?,
        "kmeans" => kmeans_rows(&rfm, args)?,
        "tiers" => tier_rows(&rfm, &args.tiers)?,
        other => {
            return Err(format!(
                "--method: expected rfm, kmeans or tiers, found {other:?}"
            ))
        }
    };
    write_csv(args.output.as_deref(), &header, &rows)?;
    print_summary(&rfm, &segments, &revenue);
    Ok(())
}

type Table = (Vec<String>, Vec<Vec<String>>, Vec<String>);

fn base_cells(s: &crm::domain::segmentation::RfmScore) -> Vec<String> {
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

fn rfm_rows(rfm: &RfmResult, map: &str) -> Result<Table, String> {
    let map = SegmentMap::preset(map)
        .ok_or_else(|| format!("--map: expected rxf, fm or rfm, found {map:?}"))?;
    eprintln!("map: {}", map.name);
    let mut rows = Vec::new();
    let mut segs = Vec::new();
    for s in &rfm.scores {
        let seg = map.assign_score(s).to_string();
        let mut r = base_cells(s);
        r.push(seg.clone());
        rows.push(r);
        segs.push(seg);
    }
    Ok((header(&["segment"]), rows, segs))
}

fn kmeans_rows(rfm: &RfmResult, args: &Args) -> Result<Table, String> {
    let names = vec!["recency".to_string(), "frequency".into(), "monetary".into()];
    let data = rfm
        .scores
        .iter()
        .flat_map(|s| [s.recency_days, f64::from(s.frequency), s.monetary.max(0.0)])
        .collect();
    let x = FeatureMatrix { names, data };
    let base = KMeansParams {
        seed: args.seed,
        log1p: true,
        standardize: true,
        ..Default::default()
    };
    let model = match args.k {
        Some(k) => KMeansParams { k, ..base }
            .fit(&x)
            .map_err(|e| e.to_string())?,
        None => {
            let search = choose_k(
                &x,
                &KSearchParams {
                    kmeans: base,
                    ..Default::default()
                },
            )
            .map_err(|e| e.to_string())?;
            eprintln!("silhouette by k:");
            for p in &search.curve {
                eprintln!("  k={:<2} silhouette={:.3}", p.k, p.silhouette);
            }
            eprintln!("chosen k = {}", search.best_k);
            search.best
        }
    };
    eprintln!(
        "k-means: k={}, seed={}, inertia={:.1}, converged={}",
        model.k, model.seed, model.inertia, model.converged
    );
    let labels: Vec<String> = model
        .profiles
        .iter()
        .map(|p| format!("{}: {}", p.cluster + 1, p.label))
        .collect();
    let mut rows = Vec::new();
    let mut segs = Vec::new();
    for (s, &l) in rfm.scores.iter().zip(&model.labels) {
        let seg = labels.get(l as usize).cloned().unwrap_or_default();
        let mut r = base_cells(s);
        r.push((l + 1).to_string());
        r.push(seg.clone());
        rows.push(r);
        segs.push(seg);
    }
    Ok((header(&["cluster", "segment"]), rows, segs))
}

fn tier_rows(rfm: &RfmResult, scheme: &str) -> Result<Table, String> {
    let scheme = match scheme {
        "pyramid" => TierScheme::pyramid(),
        "hml" | "heavy" => TierScheme::heavy_medium_light(),
        other => return Err(format!("--tiers: expected pyramid or hml, found {other:?}")),
    };
    let values: Vec<(String, f64)> = rfm
        .scores
        .iter()
        .map(|s| (s.id.clone(), s.monetary))
        .collect();
    let t = scheme.assign(&values).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    let mut segs = Vec::new();
    for (s, a) in rfm.scores.iter().zip(&t.assignments) {
        let mut r = base_cells(s);
        r.push(a.rank.to_string());
        r.push(a.tier.clone());
        rows.push(r);
        segs.push(a.tier.clone());
    }
    Ok((header(&["rank", "segment"]), rows, segs))
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
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header).map_err(|e| e.to_string())?;
    for r in rows {
        w.write_record(r).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())
}

fn print_summary(rfm: &RfmResult, segments: &[String], revenue: &HashMap<&str, f64>) {
    let mut order: Vec<String> = Vec::new();
    let mut agg: HashMap<&str, (u64, f64)> = HashMap::new();
    for (s, seg) in rfm.scores.iter().zip(segments) {
        if !agg.contains_key(seg.as_str()) {
            order.push(seg.clone());
        }
        let e = agg.entry(seg.as_str()).or_insert((0, 0.0));
        e.0 += 1;
        e.1 += revenue.get(s.id.as_str()).copied().unwrap_or(0.0);
    }
    let n = segments.len().max(1) as f64;
    let total: f64 = agg.values().map(|v| v.1).sum();
    order.sort_by(|a, b| {
        let ca = agg.get(a.as_str()).map_or(0, |v| v.0);
        let cb = agg.get(b.as_str()).map_or(0, |v| v.0);
        cb.cmp(&ca).then(a.cmp(b))
    });
    eprintln!(
        "{:<40} {:>9} {:>7} {:>13}",
        "segment", "customers", "share", "revenue share"
    );
    for seg in &order {
        let (c, r) = agg.get(seg.as_str()).copied().unwrap_or((0, 0.0));
        let rs = if total != 0.0 { r / total } else { 0.0 };
        eprintln!(
            "{:<40} {:>9} {:>6.1}% {:>12.1}%",
            seg,
            c,
            100.0 * c as f64 / n,
            100.0 * rs
        );
    }
}
