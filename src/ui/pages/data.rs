//! The Data page: add files (drop, pick, paste), see what was understood, choose how logs are
//! summarised, manage saved datasets, move a project between machines.

use crate::domain::customers::{
    excluded_sentence_in, ExcludedCustomers, ReturnsPolicy, SummaryOptions, TimeUnit,
};
use crate::io::import::{
    BadRows, DateFormat, DecimalSep, Delimiter, Mapping, Role, ValidationReport,
};
use crate::io::storage::{DataKind, DatasetMeta};
use crate::ui::components::settings::{FormatSuggestion, NumberFormatPanel};
use crate::ui::components::status::{self, StatusView};
use crate::ui::components::Section;
use crate::ui::components::{Cell, DataTable, Input};
use crate::ui::format;
use crate::ui::state::{AppContext, FailedImport, Source};
use crate::worker::tasks::ImportSettings;
use std::rc::Rc;
use yew::prelude::*;

fn select(
    label: &str,
    testid: &str,
    options: Vec<(String, String)>,
    current: &str,
    on: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            on.emit(s.value());
        }
    });
    html! {
        <label>{ label }
            <select {onchange} data-testid={testid.to_string()}>
                { for options.into_iter().map(|(v, t)| html! { <option value={v.clone()} selected={v == current}>{ t }</option> }) }
            </select>
        </label>
    }
}

fn kind_code(k: DataKind) -> &'static str {
    match k {
        DataKind::Transactions => "transactions",
        DataKind::Summary => "summary",
        DataKind::Survey => "survey",
        DataKind::Cohort => "cohort",
    }
}

fn kind_from_code(s: &str) -> Option<DataKind> {
    match s {
        "transactions" => Some(DataKind::Transactions),
        "summary" => Some(DataKind::Summary),
        "survey" => Some(DataKind::Survey),
        "cohort" => Some(DataKind::Cohort),
        _ => None,
    }
}

/// A change the user makes to the import settings.
type Edit = Box<dyn Fn(&mut ImportSettings, &str)>;

#[derive(Properties, PartialEq)]
struct SettingsProps {
    meta: DatasetMeta,
    settings: ImportSettings,
    /// Column names to map (empty when the file could not be read into columns).
    headers: Vec<String>,
    /// The mapping in use (transaction logs).
    mapping: Option<Mapping>,
    /// Sheets of a workbook.
    sheets: Vec<String>,
}

/// What the user can correct: kind, format, column roles, bad-row policy.
#[component]
fn SettingsEditor(p: &SettingsProps) -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let apply = {
        let (ctl, meta, settings) = (ctx.ctl.clone(), p.meta.clone(), p.settings.clone());
        move |f: Edit| {
            let (ctl, meta, settings) = (ctl.clone(), meta.clone(), settings.clone());
            Callback::from(move |v: String| {
                let mut s = settings.clone();
                f(&mut s, &v);
                ctl.reimport(meta.clone(), s);
            })
        }
    };
    let o = &p.settings.options;
    let kind = p.settings.kind.map_or("auto", kind_code);
    let delim = o.delimiter.map_or("auto", |d| match d {
        Delimiter::Comma => "comma",
        Delimiter::Semicolon => "semicolon",
        Delimiter::Tab => "tab",
        Delimiter::Pipe => "pipe",
        Delimiter::Whitespace => "spaces",
    });
    let header = match o.has_header {
        None => "auto",
        Some(true) => "yes",
        Some(false) => "no",
    };
    let decimal = match o.decimal {
        None => "auto",
        Some(DecimalSep::Dot) => "dot",
        Some(DecimalSep::Comma) => "comma",
    };
    let date = match &o.date_format {
        None => "auto".to_string(),
        Some(DateFormat::Ymd) => "ymd".into(),
        Some(DateFormat::Dmy) => "dmy".into(),
        Some(DateFormat::Mdy) => "mdy".into(),
        Some(DateFormat::Compact) => "compact".into(),
        Some(DateFormat::ExcelSerial) => "excel".into(),
        Some(DateFormat::Pattern(x)) => x.clone(),
    };
    let opts = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    let cols: Vec<(String, String)> =
        std::iter::once(("none".to_string(), "(not in this file)".to_string()))
            .chain(
                p.headers
                    .iter()
                    .enumerate()
                    .map(|(i, h)| (i.to_string(), format!("{}: {h}", i + 1))),
            )
            .collect();
    html! {
        <details class="card" open={p.headers.is_empty()} data-testid="settings-editor">
            <summary><strong>{ "Correct how this file is read" }</strong></summary>
            <div class="row">
                { select("This file holds", "set-kind", opts(&[("auto", "Detect automatically"), ("transactions", "Transactions"), ("summary", "Customer summary"), ("survey", "Survey responses"), ("cohort", "Subscription cohort")]), kind,
                    apply(Box::new(|s, v| s.kind = kind_from_code(v)))) }
                { select("Columns separated by", "set-delimiter", opts(&[("auto", "Detect"), ("comma", "comma ,"), ("semicolon", "semicolon ;"), ("tab", "tab"), ("pipe", "pipe |"), ("spaces", "runs of spaces")]), delim,
                    apply(Box::new(|s, v| s.options.delimiter = Delimiter::parse(v)))) }
                { select("First row is a header", "set-header", opts(&[("auto", "Detect"), ("yes", "Yes"), ("no", "No")]), header,
                    apply(Box::new(|s, v| s.options.has_header = match v { "yes" => Some(true), "no" => Some(false), _ => None }))) }
                { select("Decimal separator", "set-decimal", opts(&[("auto", "Detect"), ("dot", "dot 1,234.56"), ("comma", "comma 1.234,56")]), decimal,
                    apply(Box::new(|s, v| s.options.decimal = match v { "dot" => Some(DecimalSep::Dot), "comma" => Some(DecimalSep::Comma), _ => None }))) }
                { select("Dates", "set-dates", opts(&[("auto", "Detect"), ("ymd", "year-month-day"), ("dmy", "day/month/year"), ("mdy", "month/day/year"), ("compact", "YYYYMMDD"), ("excel", "Excel serial numbers")]), &date,
                    apply(Box::new(|s, v| s.options.date_format = if v == "auto" { None } else { DateFormat::parse(v) }))) }
                if p.sheets.len() > 1 {
                    { select("Sheet", "set-sheet", p.sheets.iter().map(|x| (x.clone(), x.clone())).collect(), p.settings.options.sheet.as_deref().unwrap_or(""),
                        apply(Box::new(|s, v| s.options.sheet = Some(v.to_string())))) }
                }
                { select("Rows that cannot be used", "set-bad-rows", opts(&[("skip", "Skip them (listed below)"), ("fail", "Refuse the file")]), if p.settings.bad_rows == BadRows::Fail { "fail" } else { "skip" },
                    apply(Box::new(|s, v| s.bad_rows = if v == "fail" { BadRows::Fail } else { BadRows::Skip }))) }
            </div>
            if let Some(m) = &p.mapping {
                <h3>{ "Column roles" }</h3>
                <p class="note">{ "Matched from the header names; change any of them. Your choice is remembered for files with the same columns." }</p>
                <div class="row" data-testid="mapping">
                    { for Role::ALL.iter().map(|role| {
                        let role = *role;
                        let cur = m.get(role).map_or("none".to_string(), |c| c.to_string());
                        let base = m.clone();
                        let required = matches!(role, Role::Customer | Role::Date | Role::Amount);
                        let label = format!("{}{}", role.name(), if required { " *" } else { "" });
                        select(&label, &format!("map-{}", role.name().replace(' ', "-")), cols.clone(), &cur,
                            apply(Box::new(move |s, v| {
                                let mut mm = s.mapping.clone().unwrap_or_else(|| base.clone());
                                mm.set(role, v.parse::<u32>().ok());
                                s.mapping = Some(mm);
                            })))
                    }) }
                </div>
            }
        </details>
    }
}

fn report_view(r: &ValidationReport) -> Html {
    if r.issues.is_empty() && r.rows_rejected == 0 {
        return html! {
            <div class="okbox" data-testid="report-ok">{ format!("All {} rows were read without problems.", crate::ui::format::count(r.rows_read)) }
                if r.negative_amounts > 0 { { format!(" {} rows have negative amounts (returns); see 'Returns' below.", crate::ui::format::count(r.negative_amounts)) } }
            </div>
        };
    }
    html! {
        <div class="warnbox" data-testid="report">
            <strong>{ format!("{} of {} rows used; {} could not be used.", crate::ui::format::count(r.rows_used), crate::ui::format::count(r.rows_read), crate::ui::format::count(r.rows_rejected)) }</strong>
            <ul>{ for r.by_kind.iter().map(|k| html! { <li>{ format!("{}: {}", k.kind.name(), crate::ui::format::count(k.count)) }</li> }) }</ul>
            <details>
                <summary>{ format!("Every problem, with its row and line ({} listed{})", crate::ui::format::count(r.issues.len()),
                    if r.issues_not_shown > 0 { format!(", {} more not shown", crate::ui::format::count(r.issues_not_shown)) } else { String::new() }) }</summary>
                <ul data-testid="issues">{ for r.issues.iter().map(|i| html! { <li>{ i.to_string() }</li> }) }</ul>
            </details>
            if r.negative_amounts > 0 { <p>{ format!("{} rows have negative amounts (returns).", crate::ui::format::count(r.negative_amounts)) }</p> }
        </div>
    }
}

/// Customers of the log who are not in the summary, by reason, with their ids.
fn excluded_view(excluded: &[ExcludedCustomers]) -> Html {
    let Some(sentence) = excluded_sentence_in(excluded, crate::ui::format::count::<u64>) else {
        return Html::default();
    };
    html! {
        <div class="warnbox" data-testid="excluded-customers">
            <strong>{ format!("{sentence}.") }</strong>
            { for excluded.iter().map(|e| html! {
                <details>
                    <summary>{ format!("{} {} ({} listed{})", crate::ui::format::count(e.count), e.reason.describe(), crate::ui::format::count(e.ids.len()),
                        if e.not_listed() > 0 { format!(", {} more not shown", crate::ui::format::count(e.not_listed())) } else { String::new() }) }</summary>
                    <p class="note">{ e.ids.join(", ") }</p>
                </details>
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SourceProps {
    source: Source,
}

#[component]
fn SourceView(p: &SourceProps) -> Html {
    let d = &p.source.data;
    let settings: ImportSettings = p.source.meta.import_settings.clone();
    let preview_headers = Rc::new(
        d.preview
            .headers
            .iter()
            .zip(
                d.preview
                    .types
                    .iter()
                    .map(|t| t.name())
                    .chain(std::iter::repeat("")),
            )
            .map(|(h, t)| {
                if t.is_empty() {
                    h.clone()
                } else {
                    format!("{h} ({t})")
                }
            })
            .collect::<Vec<_>>(),
    );
    let preview_rows = Rc::new(
        d.preview
            .rows
            .iter()
            .zip(d.preview.lines.iter())
            .map(|(r, line)| {
                std::iter::once(Cell::Num(*line as f64, 0))
                    .chain(r.iter().map(|c| Cell::Text(c.clone())))
                    .collect()
            })
            .collect::<Vec<_>>(),
    );
    let preview_headers = Rc::new(
        std::iter::once("line".to_string())
            .chain(preview_headers.iter().cloned())
            .collect::<Vec<_>>(),
    );
    let det = &d.detection;
    let mut badges = vec![format!("{} rows", crate::ui::format::count(d.rows))];
    if let Some(e) = det.encoding {
        badges.push(format!("encoding: {}", e.name()));
    }
    if let Some(x) = det.delimiter {
        badges.push(format!("separator: {}", x.name()));
    }
    if let Some(sh) = &det.sheet {
        badges.push(format!("sheet: {sh}"));
    }
    badges.push(if det.has_header {
        "header row".into()
    } else {
        "no header row".into()
    });
    badges.push(format!("decimal: {}", det.decimal.as_char()));
    if let Some(f) = &det.date_format {
        badges.push(format!("dates: {}", f.describe()));
    }
    let testid = format!(
        "source-{}",
        match p.source.meta.kind {
            DataKind::Survey => "survey",
            DataKind::Cohort => "cohort",
            _ => "transactions",
        }
    );
    html! {
        <div class="card" data-testid={testid}>
            <h3>{ format!("{} — {}", p.source.meta.kind.label(), p.source.meta.name) }</h3>
            <div class="row" data-testid="detection">
                { for badges.iter().map(|b| html! { <span class="badge">{ b }</span> }) }
            </div>
            { for det.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
            <FormatSuggestion decimal={det.decimal.as_char()} examples={det.columns.iter().filter_map(|c| c.example.clone()).collect::<Vec<_>>()} />
            if let Some(r) = &d.report { { report_view(r) } }
            if let Some(s) = &d.summary { { excluded_view(&s.excluded) } }
            if let Some(s) = &d.summary {
                <div class="grid" data-testid="summary-kpis">
                    <div class="kpi"><span class="label">{ "Customers" }</span><span class="value" data-testid="n-customers">{ crate::ui::format::count(s.customers.len()) }</span></div>
                    if d.purchases > 0 {
                        <div class="kpi"><span class="label">{ "Purchases" }</span><span class="value" data-testid="n-transactions">{ crate::ui::format::count(d.purchases) }</span></div>
                    }
                    <div class="kpi"><span class="label">{ "Repeat buyers" }</span><span class="value" data-testid="n-repeat">{ crate::ui::format::count(crate::analysis::explain::data::repeat_buyers(s, &crate::ui::format::current()).value as u64) }</span></div>
                    <div class="kpi"><span class="label">{ "Observation end" }</span><span class="value">{ s.observation_end.map(|d| d.to_string()).unwrap_or_else(|| "–".into()) }</span></div>
                </div>
            }
            { crate::ui::components::explain_figures::data_figures(d) }
            if let Some(sv) = &d.survey {
                <p data-testid="survey-info">{ format!("{} responses, {} numeric questions, {} text questions{}{}", crate::ui::format::count(d.rows), sv.items.len(), sv.text_items.len(),
                    sv.id_column.as_ref().map(|c| format!(", ids in \"{c}\"")).unwrap_or_default(),
                    sv.date_column.as_ref().map(|c| format!(", dates in \"{c}\"")).unwrap_or_default()) }</p>
            }
            if let Some(c) = &d.cohort {
                <p data-testid="cohort-info">{ format!("{} cohort(s): {}", c.cohorts.len(), c.cohorts.iter().map(|x| x.name.clone()).collect::<Vec<_>>().join(", ")) }</p>
                { for c.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
            }
            <SettingsEditor meta={p.source.meta.clone()} settings={settings} headers={d.preview.headers.clone()} mapping={d.mapping.clone()} sheets={det.sheets.clone()} />
            <h3>{ "First rows as read" }</h3>
            <DataTable headers={preview_headers} rows={preview_rows} export_name="preview.csv" page_size={10} testid="preview" />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FailedProps {
    failed: FailedImport,
}

#[component]
fn FailedView(p: &FailedProps) -> Html {
    html! {
        <div class="card" data-testid="import-failed">
            <h3>{ format!("Could not read {}", p.failed.meta.file_name) }</h3>
            <div class="errbox" role="alert" data-testid="import-error">{ &p.failed.message }</div>
            <p class="note">{ "The file is saved in this browser. Correct the settings below, or delete it from the list further down." }</p>
            <SettingsEditor meta={p.failed.meta.clone()} settings={p.failed.settings.clone()} headers={Vec::<String>::new()} mapping={None::<Mapping>} sheets={Vec::<String>::new()} />
        </div>
    }
}

/// The Data page.
/// Props of [`JobLine`].
#[derive(Properties, PartialEq)]
struct JobLineProps {
    cancel: Callback<()>,
}

/// The job under way (an import, a project file), with Cancel for the worker's jobs: drawn
/// again alone when its progress moves, not the whole page (see
/// [`crate::ui::state::ProgressContext`]).
#[component]
fn JobLine(p: &JobLineProps) -> Html {
    match crate::ui::state::use_progress() {
        Some(j) => html! {
            <StatusView kind="loading" message={j.stage.clone()} fraction={Some(j.fraction)} on_cancel={(j.job != 0).then_some(p.cancel.clone())} />
        },
        None => html! {},
    }
}

#[component]
pub fn DataPage() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    let state = ctx.state.clone();
    let ctl = ctx.ctl.clone();
    let over = use_state(|| false);
    let kind_choice = use_state(|| None::<DataKind>);
    let paste = use_state(String::new);
    let local_error = use_state(|| None::<String>);

    let add_bytes = {
        let (ctl, kind_choice) = (ctl.clone(), kind_choice.clone());
        Callback::from(move |(name, bytes): (String, Vec<u8>)| {
            ctl.add_file(name, *kind_choice, bytes);
        })
    };
    let on_files = {
        let (ctl, kind_choice, local_error) =
            (ctl.clone(), kind_choice.clone(), local_error.clone());
        Callback::from(move |files: web_sys::FileList| {
            local_error.set(None);
            for i in 0..files.length() {
                if let Some(f) = files.get(i) {
                    ctl.add_blob(f, *kind_choice);
                }
            }
        })
    };
    let on_input = {
        let on_files = on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                if let Some(files) = input.files() {
                    on_files.emit(files);
                }
                input.set_value("");
            }
        })
    };
    let on_drop = {
        let (on_files, over) = (on_files.clone(), over.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            if let Some(files) = e.data_transfer().and_then(|d| d.files()) {
                on_files.emit(files);
            }
        })
    };
    let on_drag_over = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(true);
        })
    };
    let on_drag_leave = {
        let over = over.clone();
        Callback::from(move |_: DragEvent| over.set(false))
    };
    let on_paste_input = {
        let paste = paste.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                paste.set(t.value());
            }
        })
    };
    let on_paste_use = {
        let (paste, add_bytes) = (paste.clone(), add_bytes.clone());
        Callback::from(move |_| {
            if !paste.trim().is_empty() {
                add_bytes.emit(("pasted.tsv".into(), paste.as_bytes().to_vec()));
                paste.set(String::new());
            }
        })
    };
    let on_kind = {
        let kind_choice = kind_choice.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                kind_choice.set(kind_from_code(&s.value()));
            }
        })
    };
    let on_project = {
        let (ctl, local_error) = (ctl.clone(), local_error.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(f) = input.files().and_then(|fs| fs.get(0)) else {
                return;
            };
            local_error.set(None);
            ctl.import_project(f);
            input.set_value("");
        })
    };

    let opts = state.summary_options.clone();
    let active_tx = state
        .workspace
        .transactions
        .as_ref()
        .map(|s| s.meta.clone());
    let set_opts = {
        let (ctl, active_tx) = (ctl.clone(), active_tx.clone());
        Callback::from(move |o: SummaryOptions| ctl.set_summary_options(o, active_tx.clone()))
    };
    let on_unit = {
        let (set_opts, opts) = (set_opts.clone(), opts.clone());
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let mut o = opts.clone();
                o.time_unit = TimeUnit::parse(&s.value()).unwrap_or_default();
                set_opts.emit(o);
            }
        })
    };
    let on_returns = {
        let (set_opts, opts) = (set_opts.clone(), opts.clone());
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let mut o = opts.clone();
                o.returns = match s.value().as_str() {
                    "drop" => ReturnsPolicy::Drop,
                    "keep" => ReturnsPolicy::Keep,
                    _ => ReturnsPolicy::Net,
                };
                set_opts.emit(o);
            }
        })
    };
    let date_input = |current: Option<chrono::NaiveDate>,
                      apply: fn(&mut SummaryOptions, Option<chrono::NaiveDate>),
                      testid: &'static str| {
        let (set_opts, opts) = (set_opts.clone(), opts.clone());
        let cb = Callback::from(move |v: String| {
            let mut o = opts.clone();
            apply(&mut o, v.parse::<chrono::NaiveDate>().ok());
            set_opts.emit(o);
        });
        html! { <Input kind="date" value={current.map(|d| d.to_string()).unwrap_or_default()} on={cb} testid={testid} /> }
    };

    let cancel = {
        let ctl = ctl.clone();
        Callback::from(move |_| ctl.worker.cancel())
    };

    html! {
        <section>
            <h1>{ "Your data" }</h1>
            <p class="lead">{ "Drop an export from your shop, CRM or survey tool. It is read here, in your browser, and kept in this browser's storage until you delete it." }</p>

            if let Some(m) = &state.storage_unavailable {
                <div class="warnbox">{ format!("Browser storage is unavailable ({m}). You can work normally, but nothing will be kept after you close the tab.") }</div>
            }
            if let status::Load::Loading { stage, .. } = &state.boot {
                <StatusView kind="loading" message={stage.clone()} />
            }
            if let status::Load::Failed(m) = &state.boot {
                <StatusView kind="error" message={m.clone()} />
            }
            <JobLine {cancel} />
            if let Some(e) = state.error.clone().or_else(|| (*local_error).clone()) {
                <StatusView kind="error" message={e} />
            }

            <Section id="add" title="Add data">
                <div class={classes!("drop", (*over).then_some("over"))} ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave} data-testid="dropzone">
                    <p><strong>{ "Drop files here" }</strong>{ " — CSV, TSV, text dumps, Excel (.xlsx, .xls) or OpenDocument (.ods)" }</p>
                    <div class="row" style="justify-content:center">
                        <label>{ "…or choose files" }
                            <input type="file" multiple=true onchange={on_input} data-testid="file-input"
                                accept=".csv,.tsv,.txt,.xlsx,.xls,.ods,.dat,text/csv,text/plain" />
                        </label>
                        <label>{ "This file holds" }
                            <select onchange={on_kind} data-testid="kind-select">
                                <option value="auto" selected=true>{ "Detect automatically" }</option>
                                <option value="transactions">{ "Transactions (one row per purchase)" }</option>
                                <option value="summary">{ "Customer summary (x, t_x, T, spend)" }</option>
                                <option value="survey">{ "Survey responses" }</option>
                                <option value="cohort">{ "Subscription cohort (active per period)" }</option>
                            </select>
                        </label>
                    </div>
                </div>
                <details>
                    <summary>{ "Paste from a spreadsheet" }</summary>
                    <textarea aria-label="Pasted data" value={(*paste).clone()} oninput={on_paste_input} data-testid="paste-area"
                        placeholder="Copy cells in Excel or Sheets (with the header row) and paste them here" />
                    <button onclick={on_paste_use} data-testid="paste-use">{ "Use pasted data" }</button>
                </details>
            </Section>

            <Section id="summarise" title="How purchases are summarised">
                <div class="row">
                    <label>{ "Time unit" }
                        <select onchange={on_unit} data-testid="time-unit">
                            { for [TimeUnit::Day, TimeUnit::Week, TimeUnit::Month].iter().map(|u| html! {
                                <option value={u.name()} selected={*u == opts.time_unit}>{ u.name() }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ "Observation end (default: last date)" }
                        { date_input(opts.observation_end, |o, d| o.observation_end = d, "obs-end") }
                    </label>
                    <label>{ "Calibration end (optional holdout split)" }
                        { date_input(opts.calibration_end, |o, d| o.calibration_end = d, "cal-end") }
                    </label>
                    <label>{ "Returns (negative amounts)" }
                        <select onchange={on_returns} data-testid="returns">
                            <option value="net" selected={opts.returns == ReturnsPolicy::Net}>{ "Net against the same day" }</option>
                            <option value="drop" selected={opts.returns == ReturnsPolicy::Drop}>{ "Drop them" }</option>
                            <option value="keep" selected={opts.returns == ReturnsPolicy::Keep}>{ "Keep them as they are" }</option>
                        </select>
                    </label>
                </div>
                <p class="note">{ "Purchases on the same day count once; the first purchase is not a repeat. Every model reads this summary." }</p>
            </Section>

            <Section id="open" title="Open now" class={classes!()}>
            if state.workspace.transactions.is_none() && state.workspace.survey.is_none() && state.workspace.cohort.is_none() {
                <StatusView kind="empty" message="No data is open. Drop a file above, or load the sample data.">
                    <button onclick={let c = ctl.clone(); move |_| c.load_sample()} data-testid="load-sample">{ "Load sample data" }</button>
                </StatusView>
            }
            if let Some(f) = &state.failed { <FailedView failed={f.clone()} /> }
            { for [&state.workspace.transactions, &state.workspace.survey, &state.workspace.cohort].into_iter().flatten().map(|s| html! { <SourceView source={s.clone()} /> }) }
            </Section>

            <NumberFormatPanel />

            <Section id="saved" title="Saved in this browser">
                <DatasetList datasets={state.datasets.clone()} />
                <p class="note" data-testid="storage-used">{ format!("Storage used: {}", format::bytes(state.bytes_used)) }</p>
                { for state.storage_problems.iter().map(|p| html! { <div class="errbox">{ p }</div> }) }
                <div class="row">
                    <button class="secondary" onclick={let c = ctl.clone(); move |_| c.export_project()} data-testid="export-project">{ "Export project file" }</button>
                    <label>{ "Import a project file" }
                        <input type="file" accept=".crmproject,.json" onchange={on_project} data-testid="import-project" />
                    </label>
                    <button class="secondary" onclick={let c = ctl.clone(); move |_| c.load_sample()} data-testid="reload-sample">{ "Add sample data" }</button>
                    <button class="danger" onclick={let c = ctl.clone(); move |_| {
                        if gloo::dialogs::confirm("Delete every saved dataset from this browser?") { c.clear_all() }
                    }} data-testid="clear-all">{ "Delete everything" }</button>
                </div>
            </Section>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DatasetListProps {
    datasets: Vec<DatasetMeta>,
}

#[component]
fn DatasetList(p: &DatasetListProps) -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return html! {};
    };
    if p.datasets.is_empty() {
        return html! { <p class="note">{ "Nothing saved yet." }</p> };
    }
    let ws = &ctx.state.workspace;
    let active: Vec<String> = [&ws.transactions, &ws.survey, &ws.cohort]
        .into_iter()
        .flatten()
        .map(|s| s.meta.id.clone())
        .collect();
    html! {
        <table class="data" data-testid="datasets">
            <thead><tr><th>{ "Name" }</th><th>{ "Kind" }</th><th>{ "File" }</th><th class="num">{ "Size" }</th><th>{ "Added" }</th><th>{ "" }</th></tr></thead>
            <tbody>
            { for p.datasets.iter().map(|m| {
                let is_active = active.contains(&m.id);
                let ctl = ctx.ctl.clone();
                let (m1, m2, m3) = (m.clone(), m.clone(), m.clone());
                let (c1, c2, c3) = (ctl.clone(), ctl.clone(), ctl.clone());
                html! {
                    <tr>
                        <td>{ &m.name }{ if is_active { html!{ <span class="badge good">{ " open" }</span> } } else { html!{} } }</td>
                        <td>{ m.kind.label() }</td>
                        <td>{ &m.file_name }</td>
                        <td class="num">{ format::bytes(m.size_bytes) }</td>
                        <td>{ m.added.get(..16).unwrap_or(&m.added).replace('T', " ") }</td>
                        <td class="row">
                            <button class="secondary" disabled={is_active} onclick={move |_| c1.open(m1.clone())}>{ "Open" }</button>
                            <button class="secondary" onclick={move |_| {
                                if let Some(n) = gloo::dialogs::prompt("New name", Some(&m2.name)) { if !n.trim().is_empty() { c2.rename(m2.id.clone(), n) } }
                            }}>{ "Rename" }</button>
                            <button class="secondary" onclick={move |_| {
                                if gloo::dialogs::confirm(&format!("Delete \"{}\" from this browser?", m3.name)) { c3.delete(m3.clone(), is_active) }
                            }}>{ "Delete" }</button>
                        </td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
    }
}
