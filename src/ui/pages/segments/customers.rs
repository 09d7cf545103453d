//! A segment's customers, listed a page at a time by the worker (it holds each customer's
//! segment and scores: see [`crate::worker::segment`]); searched, sorted and exported there
//! too, so the page never holds the segment's million rows.

use crate::ui::components::{table::csv_note, Cell, Section};
use crate::ui::state::{AppContext, Source};
use crate::worker::segment::{
    CustomerPage, CustomerQuery, CustomerRow, SegmentAnswer, SegmentQuery, SegmentResult,
};
use std::rc::Rc;
use yew::prelude::*;

/// Rows per page.
const PAGE_ROWS: u32 = 10;

/// Props of [`SegmentCustomers`].
#[derive(Properties, Clone)]
pub(super) struct Props {
    pub ctx: AppContext,
    pub src: Source,
    /// The segmentation's view.
    pub result: Rc<SegmentResult>,
    /// The segment listed.
    pub segment: String,
    /// Whether the CLV and P(alive) columns are shown.
    pub has_clv: bool,
}

impl PartialEq for Props {
    fn eq(&self, o: &Self) -> bool {
        self.ctx == o.ctx
            && self.src == o.src
            && Rc::ptr_eq(&self.result, &o.result)
            && self.segment == o.segment
            && self.has_clv == o.has_clv
    }
}

/// A customer's cells, in [`CustomerRow::COLUMNS`] order.
fn cells(row: &CustomerRow, segment: &str, has_clv: bool) -> Vec<Cell> {
    let s = &row.score;
    let mut cells = vec![
        Cell::Text(s.id.clone()),
        Cell::Text(segment.to_string()),
        Cell::Num(f64::from(s.r), 0),
        Cell::Num(f64::from(s.f), 0),
        Cell::Num(f64::from(s.m), 0),
        Cell::Num(s.recency_days, 0),
        Cell::Num(f64::from(s.frequency), 0),
        Cell::Num(s.monetary, 2),
    ];
    if has_clv {
        cells.push(Cell::Num(row.clv.unwrap_or(f64::NAN), 2));
        cells.push(Cell::Num(row.p_alive.unwrap_or(f64::NAN), 3));
    }
    cells
}

/// The customers of one segment: the card appears with the first page.
#[component]
pub(super) fn SegmentCustomers(p: &Props) -> Html {
    let page = use_state(|| 0u32);
    let sort = use_state(|| None::<(u32, bool)>);
    let search = use_state(String::new);
    let shown = use_state(|| None::<Rc<CustomerPage>>);
    let failed = use_state(|| None::<String>);
    {
        let (page, sort, search) = (page.clone(), sort.clone(), search.clone());
        use_effect_with(p.segment.clone(), move |_| {
            page.set(0);
            sort.set(None);
            search.set(String::new());
        });
    }
    {
        let (shown, failed) = (shown.clone(), failed.clone());
        let props = p.clone();
        let deps = (
            Rc::as_ptr(&p.result) as usize,
            p.segment.clone(),
            *page,
            *sort,
            (*search).clone(),
        );
        use_effect_with(deps, move |(_, segment, page, sort, search)| {
            let q = CustomerQuery {
                segment: segment.clone(),
                search: search.clone(),
                sort: *sort,
                offset: page * PAGE_ROWS,
                limit: PAGE_ROWS,
            };
            let query = SegmentQuery::Customers(q.clone());
            props
                .ctx
                .ctl
                .segment_query(&props.src, &props.result, query, move |r| match r {
                    // A newer question was asked meanwhile: its answer is the one shown.
                    Ok(SegmentAnswer::Customers(a)) if a.query == q => {
                        failed.set(None);
                        shown.set(Some(Rc::new(a)));
                    }
                    Ok(SegmentAnswer::Customers(_)) => {}
                    Ok(_) => failed.set(Some(
                        crate::worker::error::WorkerError::Unexpected.to_string(),
                    )),
                    Err(crate::worker::error::WorkerError::Resending { .. }) => {}
                    Err(e) => failed.set(Some(e.to_string())),
                });
        });
    }
    let name = p.segment.clone();
    let Some(a) = (*shown).clone().filter(|a| a.query.segment == name) else {
        return match &*failed {
            Some(e) => {
                html! { <p class="errbox" data-testid="segment-customers-failed">{ e }</p> }
            }
            None => {
                html! { <p class="note" data-testid="segment-customers-loading">{ format!("Listing the customers in \"{name}\"…") }</p> }
            }
        };
    };
    let has_clv = p.has_clv;
    let n_cols = if has_clv { 10 } else { 8 };
    let headers: Vec<&str> = CustomerRow::COLUMNS.iter().take(n_cols).copied().collect();
    let export = {
        let props = p.clone();
        let (failed, headers) = (failed.clone(), headers.clone());
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let q = CustomerQuery {
            offset: 0,
            limit: u32::try_from(a.matched).unwrap_or(u32::MAX),
            ..a.query.clone()
        };
        Callback::from(move |_: MouseEvent| {
            let (headers, failed, segment) = (headers.clone(), failed.clone(), q.segment.clone());
            let file = format!(
                "segment-{}.csv",
                segment
                    .to_lowercase()
                    .replace(|c: char| !c.is_alphanumeric(), "-")
            );
            let query = SegmentQuery::Customers(q.clone());
            props
                .ctx
                .ctl
                .segment_query(&props.src, &props.result, query, move |r| match r {
                    Ok(SegmentAnswer::Customers(a)) => {
                        let body: Vec<Vec<String>> = a
                            .rows
                            .iter()
                            .map(|r| cells(r, &segment, has_clv).iter().map(Cell::raw).collect())
                            .collect();
                        let csv = crate::io::export::write_csv_with(
                            &headers,
                            &body,
                            crate::ui::format::csv_delimiter(),
                        );
                        crate::ui::components::download::bytes(
                            &file,
                            "text/csv;charset=utf-8",
                            csv.as_bytes(),
                        );
                    }
                    Ok(_) => failed.set(Some(
                        crate::worker::error::WorkerError::Unexpected.to_string(),
                    )),
                    Err(e) => failed.set(Some(e.to_string())),
                });
        })
    };
    let on_search = {
        let (search, page) = (search.clone(), page.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                search.set(t.value());
                page.set(0);
            }
        })
    };
    let pages = u32::try_from(a.matched.div_ceil(u64::from(PAGE_ROWS)).max(1)).unwrap_or(1);
    let cur = (*page).min(pages - 1);
    let first = a.first.as_ref().map(|f| (f.score.id.as_str(), &f.score));
    html! {
        <Section id="segment-customers" title={format!("Customers in \"{name}\" ({})", a.in_segment)} testid="segment-customers-card">
            { crate::ui::components::explain::segment_figures(&p.result, &name, first) }
            <div data-testid="segment-customers">
                <div class="row">
                    <label>{ "Search" }
                        <input type="search" placeholder="id or text…" oninput={on_search} value={(*search).clone()} data-testid="table-search" />
                    </label>
                    <span class="note" data-testid="segment-customers-count">{ format!("{} of {} rows", crate::ui::format::count(a.matched), crate::ui::format::count(a.in_segment)) }</span>
                    <button class="secondary" onclick={export} data-testid="export-csv">{ "Export CSV" }</button>
                    { csv_note() }
                </div>
                if let Some(e) = &*failed { <p class="errbox">{ e }</p> }
                <div class="scroll">
                <table class="data">
                    <thead><tr>
                    { for headers.iter().enumerate().map(|(i, h)| {
                        let (s, pg) = (sort.clone(), page.clone());
                        let i = i as u32;
                        let now = *sort;
                        let arrow = match now { Some((c, true)) if c == i => " ▲", Some((c, false)) if c == i => " ▼", _ => "" };
                        let aria = match now { Some((c, true)) if c == i => "ascending", Some((c, false)) if c == i => "descending", _ => "none" };
                        html! { <th class={classes!((i >= 2).then_some("num"))} aria-sort={aria}>
                            <button onclick={move |_| { s.set(Some((i, !matches!(now, Some((c, true)) if c == i)))); pg.set(0); }}>{ format!("{h}{arrow}") }</button>
                        </th> }
                    }) }
                    </tr></thead>
                    <tbody>
                    { for a.rows.iter().map(|r| html! {
                        <tr>{ for cells(r, &name, has_clv).iter().map(|c| html! { <td class={classes!(matches!(c, Cell::Num(..)).then_some("num"))}>{ c.show() }</td> }) }</tr>
                    }) }
                    </tbody>
                </table>
                </div>
                <div class="pager">
                    <button class="secondary" disabled={cur == 0} data-testid="customers-prev" onclick={let pg = page.clone(); move |_| pg.set(cur.saturating_sub(1))}>{ "‹ Previous" }</button>
                    <span class="note" data-testid="customers-page">{ format!("Page {} of {}", cur + 1, pages) }</span>
                    <button class="secondary" disabled={cur + 1 >= pages} data-testid="customers-next" onclick={let pg = page.clone(); move |_| pg.set(cur + 1)}>{ "Next ›" }</button>
                </div>
            </div>
        </Section>
    }
}
