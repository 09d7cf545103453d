//! The score cards (NPS, CSAT, CES with their intervals) and the NPS test between two groups.

use super::analysis::{self, Analysis, Settings};
use super::{caution, edit, edit_text, p_words};
use crate::ui::components::explain::Explain;
use crate::ui::components::{Input, Section};
use crate::ui::format;
use yew::prelude::*;

pub(super) fn score_cards(a: &Analysis, cur: &Settings) -> Html {
    let err = |e: &str| html! { <span class="errbox">{ e }</span> };
    html! {
        <div class="grid" data-testid="score-cards">
            <div class="card kpi" data-testid="nps-card">
                <span class="label">{ "Net Promoter Score (−100 to 100)" }</span>
                { match &a.nps {
                    None => html! { <span class="sub">{ "No NPS column chosen." }</span> },
                    Some(Err(e)) => err(e),
                    Some(Ok(s)) => html! { <>
                        <span class="value" data-testid="nps-value">{ crate::ui::format::fixed(s.nps, 1) }</span>
                        <Explain filled={crate::analysis::explain::nps(s, &crate::ui::format::current())} label="Net Promoter Score" testid="explain-nps" />
                        <span class="sub" data-testid="nps-ci">{ format!("95% interval {:.1} to {:.1}", s.ci_low, s.ci_high) }</span>
                        <span class="sub" data-testid="nps-breakdown">{ format!("promoters {} ({}), passives {} ({}), detractors {} ({})",
                            s.promoters, format::percent(s.p, 1), s.passives, format::percent(if s.n > 0 { s.passives as f64 / s.n as f64 } else { 0.0 }, 1), s.detractors, format::percent(s.d, 1)) }</span>
                        <span class="sub" data-testid="nps-n">{ format!("n = {}{}", s.n, if s.invalid > 0 { format!(" ({} answers off the 0–10 scale left out)", s.invalid) } else { String::new() }) }</span>
                        { caution(&s.caution) }
                    </> },
                } }
            </div>
            <div class="card kpi" data-testid="csat-card">
                <span class="label">{ cur.csat.as_ref().map_or("CSAT".to_string(), |q| format!("CSAT: top-{} box on {}–{}", cur.top_boxes, q.min, q.max)) }</span>
                { match &a.csat {
                    None => html! { <span class="sub">{ "No CSAT column chosen." }</span> },
                    Some(Err(e)) => err(e),
                    Some(Ok(s)) => html! { <>
                        <span class="value" data-testid="csat-value">{ format::percent(s.share, 1) }</span>
                        <Explain filled={crate::analysis::explain::csat(s, &crate::ui::format::current())} label="CSAT" testid="explain-csat" />
                        <span class="sub" data-testid="csat-ci">{ format!("95% interval {} to {} (Wilson)", format::percent(s.ci_low, 1), format::percent(s.ci_high, 1)) }</span>
                        <span class="sub">{ format!("{} of {} satisfied; mean {:.2}", crate::ui::format::count(s.top), crate::ui::format::count(s.n), s.mean) }</span>
                        <span class="sub" data-testid="csat-n">{ format!("n = {}", s.n) }</span>
                        { caution(&s.caution) }
                    </> },
                } }
            </div>
            <div class="card kpi" data-testid="ces-card">
                <span class="label">{ cur.ces.as_ref().map_or("Customer Effort Score".to_string(), |q| format!("Customer Effort Score ({}–{}, agreeing it was easy)", q.min, q.max)) }</span>
                { match &a.ces {
                    None => html! { <span class="sub">{ "No CES column chosen." }</span> },
                    Some(Err(e)) => err(e),
                    Some(Ok(s)) => html! { <>
                        <span class="value" data-testid="ces-value">{ crate::ui::format::fixed(s.mean, 2) }</span>
                        <span class="sub">{ format!("95% interval {:.2} to {:.2}", s.ci_low, s.ci_high) }</span>
                        <span class="sub">{ format!("agree (5–7) {}; net (6–7 minus 1–3) {}{} points", format::percent(s.agree, 1), if s.net > 0.0 { "+" } else { "" }, format::fixed(100.0 * s.net, 1)) }</span>
                        <span class="sub" data-testid="ces-n">{ format!("n = {}", s.n) }</span>
                        { caution(&s.caution) }
                    </> },
                } }
            </div>
            <div class="card kpi" data-testid="overall-card">
                <span class="label">{ cur.overall.as_ref().map_or("Overall satisfaction".to_string(), |q| format!("Overall satisfaction (mean on {}–{})", q.min, q.max)) }</span>
                { match a.overall {
                    None => html! { <span class="sub">{ "No overall satisfaction column chosen." }</span> },
                    Some((m, n)) => html! { <>
                        <span class="value" data-testid="overall-value">{ crate::ui::format::fixed(m, 2) }</span>
                        <span class="sub">{ format!("n = {n}") }</span>
                        { caution(&crate::domain::satisfaction::caution(n).1) }
                    </> },
                } }
            </div>
        </div>
    }
}

fn nps_test_view(t: &analysis::NpsTest, testid: &str) -> Html {
    let d = &t.diff;
    html! {
        <div data-testid={testid.to_string()}>
            <p>{ format!("NPS {:.1} ({}, n = {}) against {:.1} ({}, n = {}): difference {:+.1} points, 95% interval {:+.1} to {:+.1}; z = {}.",
                t.a.1.nps, t.a.0, t.a.1.n, t.b.1.nps, t.b.0, t.b.1.n, d.difference, d.ci_low, d.ci_high,
                d.z.map_or("–".into(), |z| crate::ui::format::fixed(z, 2))) }</p>
            <Explain filled={crate::analysis::explain::groups::nps_difference(t, &crate::ui::format::current())} label="the difference of the two NPS" testid={format!("explain-{testid}")} />
            <p><strong>{ p_words(d.p_value) }</strong></p>
            if d.too_few { <p class="warnbox">{ "One of the groups has fewer than 30 answers: treat the test as a rough indication." }</p> }
        </div>
    }
}

pub(super) fn nps_test_card(
    h: &UseStateHandle<Option<Settings>>,
    cur: &Settings,
    a: &Analysis,
    seg_note: Option<&str>,
) -> Html {
    if a.nps.is_none() {
        return html! {};
    }
    let on_date = edit_text(h, cur, |s, v| s.split = v.parse::<chrono::NaiveDate>().ok());
    let seg_sel = |label: &str,
                   testid: &str,
                   chosen: Option<String>,
                   f: fn(&mut Settings, String)| {
        let onchange = edit(h, cur, f);
        html! { <label>{ label }{ " " }<select {onchange} data-testid={testid.to_string()}>
            { for a.segments.iter().map(|g| html! { <option value={g.clone()} selected={chosen.as_deref() == Some(g.as_str())}>{ g }</option> }) }
        </select></label> }
    };
    let by_seg = a.nps_by_segment.as_ref().map(|t| match t {
        Ok(t) => (t.a.0.clone(), t.b.0.clone()),
        Err(_) => (String::new(), String::new()),
    });
    html! {
        <Section id="nps-test" title="Is the NPS of two groups really different?" testid="nps-test">
            <p class="note">{ "A z-test on the difference of two NPS values, using each NPS's standard error. The p-value is the chance of a gap at least this large if both groups really had the same NPS." }</p>
            <h3>{ "Two periods" }</h3>
            <label>{ "Split date " }<Input kind="date" value={cur.split.map(|d| d.to_string()).unwrap_or_default()} on={on_date} testid="nps-split" /></label>
            { match &a.nps_by_date {
                None => html! { <p class="note">{ "Needs a date column and a split date." }</p> },
                Some(Err(e)) => html! { <p class="warnbox">{ e }</p> },
                Some(Ok(t)) => nps_test_view(t, "nps-test-date"),
            } }
            <h3>{ "Two segments" }</h3>
            if let Some(n) = seg_note { <p class="note">{ n }</p> }
            if a.segments.len() >= 2 {
                <div class="row">
                    { seg_sel("Segment", "nps-seg-a", by_seg.as_ref().map(|x| x.0.clone()), |s, v| s.seg_a = Some(v)) }
                    { seg_sel("against", "nps-seg-b", by_seg.as_ref().map(|x| x.1.clone()), |s, v| s.seg_b = Some(v)) }
                </div>
            }
            { match &a.nps_by_segment {
                None => html! {},
                Some(Err(e)) => html! { <p class="warnbox">{ e }</p> },
                Some(Ok(t)) => nps_test_view(t, "nps-test-segment"),
            } }
        </Section>
    }
}
