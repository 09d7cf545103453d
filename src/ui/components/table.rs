//! A data table for up to millions of rows: sort by any column, search, page, export as CSV,
//! click a row. Only the visible page is rendered; with [`LazyRows`] only the visible page's
//! cells are even built (a table of a million customers costs nothing until it is sorted,
//! searched or exported).

use std::rc::Rc;
use yew::prelude::*;

/// One cell: text, or a number shown with a fixed number of decimals and sorted numerically.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// Number and decimals to show.
    Num(f64, u8),
}

impl Cell {
    /// The cell as shown: numbers grouped by thousands in the chosen format (`"22,658"`).
    pub fn show(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v, d) => crate::ui::format::thousands(*v, usize::from(*d)),
        }
    }
    /// The cell in a CSV export: numbers in full, with the chosen decimal separator.
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v, _) if !v.is_finite() => String::new(),
            Cell::Num(v, _) if crate::ui::format::current().decimal == ',' => {
                format!("{v}").replace('.', ",")
            }
            Cell::Num(v, _) => format!("{v}"),
        }
    }
}

/// Says next to a CSV download which delimiter the file uses, when it is not the comma.
pub fn csv_note() -> Html {
    if crate::ui::format::csv_delimiter() == b';' {
        html! { <span class="note" data-testid="csv-delimiter-note">{ "CSV columns are separated by ; (the decimal separator is a comma)" }</span> }
    } else {
        html! {}
    }
}

/// Rows built on demand, one at a time (see [`LazyRows`]).
pub trait RowSource {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether there are no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The cells of row `i` (empty when out of range).
    fn row(&self, i: usize) -> Vec<Cell>;
    /// Cell `col` of row `i`, for sorting (by default built from the whole row).
    fn cell(&self, i: usize, col: usize) -> Option<Cell> {
        self.row(i).into_iter().nth(col)
    }
}

impl RowSource for Vec<Vec<Cell>> {
    fn len(&self) -> usize {
        self.len()
    }
    fn row(&self, i: usize) -> Vec<Cell> {
        self.get(i).cloned().unwrap_or_default()
    }
    fn cell(&self, i: usize, col: usize) -> Option<Cell> {
        self.get(i)?.get(col).cloned()
    }
}

/// Rows built on demand, compared by identity (a new source is a new table).
#[derive(Clone)]
pub struct LazyRows(pub Rc<dyn RowSource>);

impl PartialEq for LazyRows {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Props of [`DataTable`].
#[derive(Properties, PartialEq)]
pub struct DataTableProps {
    /// Column headers.
    pub headers: Rc<Vec<String>>,
    /// Rows of cells.
    #[prop_or_default]
    pub rows: Rc<Vec<Vec<Cell>>>,
    /// Rows built on demand instead of `rows` (only the visible page is built).
    #[prop_or_default]
    pub lazy: Option<LazyRows>,
    /// File name for the CSV export.
    pub export_name: AttrValue,
    /// Test id.
    #[prop_or_default]
    pub testid: AttrValue,
    /// Rows per page.
    #[prop_or(25)]
    pub page_size: usize,
    /// Called with the row index when a row is clicked (or Enter is pressed on it).
    #[prop_or_default]
    pub on_select: Option<Callback<usize>>,
    /// Index of the selected row, highlighted.
    #[prop_or_default]
    pub selected: Option<usize>,
}

/// The table.
#[component]
pub fn DataTable(p: &DataTableProps) -> Html {
    let sort = use_state(|| None::<(usize, bool)>);
    let query = use_state(String::new);
    let page = use_state(|| 0usize);
    let src: LazyRows = match &p.lazy {
        Some(l) => l.clone(),
        None => LazyRows(p.rows.clone()),
    };
    let order = {
        // Keyed by identity: comparing a million rows by value on each render would cost more
        // than the page.
        let key = (
            Rc::as_ptr(&src.0) as *const () as usize,
            Rc::as_ptr(&p.rows) as usize,
        );
        let src = src.clone();
        use_memo(((*sort), (*query).clone(), key), move |(sort, q, _)| {
            let rows = &src.0;
            let q = q.trim().to_lowercase();
            let mut idx: Vec<usize> = (0..rows.len())
                .filter(|&i| {
                    q.is_empty()
                        || rows
                            .row(i)
                            .iter()
                            .any(|c| matches!(c, Cell::Text(s) if s.to_lowercase().contains(&q)))
                })
                .collect();
            if let Some((col, asc)) = *sort {
                let keys: Vec<Option<Cell>> = (0..rows.len()).map(|i| rows.cell(i, col)).collect();
                crate::domain::order::sort_by(&mut idx, |&a, &b| {
                    let o = match (
                        keys.get(a).and_then(Option::as_ref),
                        keys.get(b).and_then(Option::as_ref),
                    ) {
                        (Some(Cell::Num(x, _)), Some(Cell::Num(y, _))) => x.total_cmp(y),
                        (Some(x), Some(y)) => x.show().cmp(&y.show()),
                        _ => std::cmp::Ordering::Equal,
                    };
                    if asc {
                        o
                    } else {
                        o.reverse()
                    }
                });
            }
            idx
        })
    };
    let pages = order.len().div_ceil(p.page_size).max(1);
    let cur = (*page).min(pages - 1);
    let start = cur * p.page_size;
    let on_search = {
        let (query, page) = (query.clone(), page.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(t.value());
                page.set(0);
            }
        })
    };
    let export = {
        let (headers, rows, order, name) = (
            p.headers.clone(),
            src.0.clone(),
            order.clone(),
            p.export_name.clone(),
        );
        Callback::from(move |_| {
            let body: Vec<Vec<String>> = order
                .iter()
                .map(|&i| rows.row(i).iter().map(Cell::raw).collect())
                .collect();
            let csv = crate::io::export::write_csv_with(
                &headers,
                &body,
                crate::ui::format::csv_delimiter(),
            );
            super::download::bytes(&name, "text/csv;charset=utf-8", csv.as_bytes());
        })
    };
    html! {
        <div data-testid={p.testid.clone()}>
            <div class="row">
                <label>{ "Search" }
                    <input type="search" placeholder="id or text…" oninput={on_search} value={(*query).clone()} data-testid="table-search" />
                </label>
                <span class="note">{ format!("{} of {} rows", crate::ui::format::count(order.len()), crate::ui::format::count(src.0.len())) }</span>
                <button class="secondary" onclick={export} data-testid="export-csv">{ "Export CSV" }</button>
                { csv_note() }
            </div>
            <div class="scroll">
            <table class="data">
                <thead><tr>
                { for p.headers.iter().enumerate().map(|(i, h)| {
                    let s = sort.clone();
                    let cur = *sort;
                    let arrow = match cur { Some((c, true)) if c == i => " ▲", Some((c, false)) if c == i => " ▼", _ => "" };
                    let aria = match cur { Some((c, true)) if c == i => "ascending", Some((c, false)) if c == i => "descending", _ => "none" };
                    let num = src.0.cell(0, i).is_some_and(|c| matches!(c, Cell::Num(..)));
                    html! { <th class={classes!(num.then_some("num"))} aria-sort={aria}>
                        <button onclick={move |_| s.set(Some((i, !matches!(cur, Some((c, true)) if c == i))))}>{ format!("{h}{arrow}") }</button>
                    </th> }
                }) }
                </tr></thead>
                <tbody>
                { for order.iter().skip(start).take(p.page_size).map(|&i| {
                    let row = src.0.row(i);
                    let sel = p.on_select.clone();
                    let sel2 = p.on_select.clone();
                    let click = move |_| if let Some(s) = &sel { s.emit(i) };
                    let key = move |e: KeyboardEvent| if e.key() == "Enter" { if let Some(s) = &sel2 { s.emit(i) } };
                    let clickable = p.on_select.is_some();
                    html! {
                        <tr class={classes!(clickable.then_some("clickable"), (p.selected == Some(i)).then_some("selected"))}
                            onclick={click} onkeydown={key} tabindex={if clickable { "0" } else { "-1" }}>
                            { for row.iter().map(|c| html! { <td class={classes!(matches!(c, Cell::Num(..)).then_some("num"))}>{ c.show() }</td> }) }
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            </div>
            <div class="pager">
                <button class="secondary" disabled={cur == 0} onclick={let pg = page.clone(); move |_| pg.set(cur.saturating_sub(1))}>{ "‹ Previous" }</button>
                <span class="note">{ format!("Page {} of {}", cur + 1, pages) }</span>
                <button class="secondary" disabled={cur + 1 >= pages} onclick={let pg = page.clone(); move |_| pg.set(cur + 1)}>{ "Next ›" }</button>
            </div>
        </div>
    }
}
