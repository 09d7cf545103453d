//! Segmentation requests: what the page asks the worker for (built from the settings, keyed
//! for the results cache), and the customers' CLV and survey answers a request carries.

use super::Settings;
use crate::domain::customers::CustomerSummary;
use crate::domain::segmentation::RfmCutPoints;
use crate::domain::segmentation::SegmentMap;
use crate::ui::components::Load;
use crate::ui::state::{AppContext, Source};
use crate::worker::clv;
use crate::worker::error::WorkerError;
use crate::worker::segment::{self, NeedsRequest, SegmentResult};
use std::rc::Rc;
use yew::prelude::*;

/// The summary without its customers: what a lifetime-value or segmentation request carries
/// (the worker holds the customers).
pub fn summary_header(s: &CustomerSummary) -> CustomerSummary {
    CustomerSummary {
        time_unit: s.time_unit,
        observation_end: s.observation_end,
        calibration_end: s.calibration_end,
        holdout_length: s.holdout_length,
        customers: Vec::new(),
        returns_rows: s.returns_rows,
        excluded: Vec::new(),
    }
}

/// Runs (or reads from the cache) a segmentation in the worker and shows its progress and
/// result through `load`. Shared by the Segments and Value & strategy pages. The worker segments
/// the customers it holds for `src` (the request carries the summary's header only); while
/// the dataset is sent to it again the page shows work in progress.
pub fn run_segmentation(
    ctx: &AppContext,
    src: &Source,
    key: &str,
    req: segment::SegmentRequest,
    load: &UseStateHandle<Load<Rc<SegmentResult>>>,
) {
    load.set(Load::Loading {
        fraction: None,
        stage: "Segmenting customers".into(),
    });
    let l = load.clone();
    ctx.ctl.segment(src, key, req, move |r| match r {
        Ok(s) => l.set(Load::Ready(s)),
        // The dataset is being sent again: the segmentation re-runs when it is active.
        Err(WorkerError::Resending { .. }) => {}
        Err(e) => l.set(Load::Failed(e.to_string())),
    });
}

/// The cached default lifetime-value fit when it has per-customer figures (shared, not
/// copied: a page reads it on every render, and a million customers' CLV and P(alive) are
/// 16 MB).
pub fn clv_fit(ctx: &AppContext, src: &Source) -> Option<Rc<clv::ClvResult>> {
    ctx.ctl
        .cached_clv(src, clv::DEFAULT_KEY)
        .filter(|r| !r.clv.is_empty())
}

/// Per-customer CLV and P(alive) from the cached default lifetime-value fit, summary order:
/// copies, for a request that carries them to the worker.
pub fn clv_vectors(ctx: &AppContext, src: &Source) -> Option<(Vec<f64>, Vec<f64>)> {
    clv_fit(ctx, src).map(|r| (r.clv.clone(), r.p_alive.clone()))
}

fn parse_cuts(s: &str) -> Result<Vec<f64>, String> {
    let mut v = Vec::new();
    for part in s.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        v.push(
            part.trim()
                .parse::<f64>()
                .map_err(|_| format!("\"{part}\" is not a number"))?,
        );
    }
    Ok(v)
}

/// Builds the request for these settings; the key names the cached result.
pub(super) fn request(
    src: &Source,
    st: &Settings,
    clvs: Option<&clv::ClvResult>,
    needs: Option<NeedsRequest>,
) -> Result<(String, segment::SegmentRequest), String> {
    let summary = src
        .data
        .summary
        .as_ref()
        .ok_or("This dataset has no customer summary.")?;
    // The worker holds the customers.
    let mut req = segment::default_request(summary_header(summary));
    req.rfm.bins = st.bins;
    req.rfm.monetary = st.monetary;
    if st.cuts.iter().any(|c| !c.trim().is_empty()) {
        let cuts = RfmCutPoints {
            recency: parse_cuts(&st.cuts[0]).map_err(|e| format!("Recency cut points: {e}"))?,
            frequency: parse_cuts(&st.cuts[1]).map_err(|e| format!("Frequency cut points: {e}"))?,
            monetary: parse_cuts(&st.cuts[2]).map_err(|e| format!("Monetary cut points: {e}"))?,
        };
        req.rfm.cut_points = Some(cuts);
    }
    req.map = st.map.clone();
    req.cluster = st.cluster.clone();
    req.tiers_by_clv = st.tiers_by_clv;
    if let Some(fit) = clvs {
        req.clv = Some(fit.clv.clone());
        req.p_alive = Some(fit.p_alive.clone());
    }
    req.needs = needs;
    let probe = serde_json::to_string(&(
        &req.rfm,
        &req.map,
        &req.cluster,
        req.tiers_by_clv,
        req.needs
            .as_ref()
            .map(|n| (&n.attributes, n.rows.len(), n.k, n.seed)),
        req.clv.as_ref().map(|v| (v.len(), v.iter().sum::<f64>())),
    ))
    .unwrap_or_default();
    let is_default = req.rfm == crate::domain::segmentation::RfmParams::default()
        && req.map == SegmentMap::rxf()
        && req.cluster.is_none()
        && req.needs.is_none()
        && req.clv.is_none();
    let key = if is_default {
        segment::DEFAULT_KEY.to_string()
    } else {
        format!(
            "segments/{:016x}",
            crate::io::key::stable_hash(probe.bytes())
        )
    };
    Ok((key, req))
}

/// Importance columns (names starting with imp_ or containing "importance") of the survey.
pub(super) fn needs_request(ctx: &AppContext, seed: u64) -> Option<NeedsRequest> {
    let survey = ctx.state.workspace.survey.as_ref()?.data.survey.clone()?;
    let cols: Vec<&crate::io::import::survey::SurveyItem> = survey
        .items
        .iter()
        .filter(|i| {
            let n = i.name.to_lowercase();
            n.starts_with("imp_") || n.starts_with("importance")
        })
        .collect();
    if cols.len() < 2 {
        return None;
    }
    let n = cols.first().map_or(0, |c| c.values.len());
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    for i in 0..n {
        let row: Option<Vec<f64>> = cols
            .iter()
            .map(|c| c.values.get(i).copied().flatten())
            .collect();
        if let Some(row) = row {
            ids.push(
                survey
                    .ids
                    .as_ref()
                    .and_then(|v| v.get(i).cloned())
                    .unwrap_or_else(|| format!("response {}", i + 1)),
            );
            rows.push(row);
        }
    }
    (rows.len() >= 10).then(|| NeedsRequest {
        attributes: cols.iter().map(|c| c.name.clone()).collect(),
        ids,
        rows,
        k: 3,
        seed,
    })
}
