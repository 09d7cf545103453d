//! A lesson's editable table of rows (the RFM and share-of-wallet lessons): the rows live in a
//! state handle; [`RowTable`] gives each cell its edit callback and renders the "Add a
//! customer" / "Remove the last customer" buttons, within the lesson's bounds.

use yew::prelude::*;

/// The editable rows of a lesson's table, between one and `max` of them.
pub struct RowTable<T: 'static> {
    rows: UseStateHandle<Vec<T>>,
    max: usize,
}

impl<T: Clone + 'static> RowTable<T> {
    /// The table over `rows`, holding at most `max` rows.
    pub fn new(rows: &UseStateHandle<Vec<T>>, max: usize) -> Self {
        RowTable {
            rows: rows.clone(),
            max,
        }
    }

    /// A callback writing a committed edit of row `i` with `set` (an edit of a row no longer
    /// there changes nothing).
    pub fn edit<V: 'static>(&self, i: usize, set: impl Fn(&mut T, V) + 'static) -> Callback<V> {
        let rows = self.rows.clone();
        Callback::from(move |v: V| {
            let mut rs = (*rows).clone();
            if let Some(r) = rs.get_mut(i) {
                set(r, v);
            }
            rows.set(rs);
        })
    }

    /// The add and remove buttons (`data-testid` `<prefix>-add`, `<prefix>-remove`): a new
    /// row is `make(rows so far)`; the last row stays.
    pub fn buttons(&self, prefix: &str, make: fn(usize) -> T) -> Html {
        let (n, max) = (self.rows.len(), self.max);
        let add = {
            let rows = self.rows.clone();
            Callback::from(move |_: MouseEvent| {
                let mut rs = (*rows).clone();
                if rs.len() < max {
                    rs.push(make(rs.len()));
                }
                rows.set(rs);
            })
        };
        let remove = {
            let rows = self.rows.clone();
            Callback::from(move |_: MouseEvent| {
                let mut rs = (*rows).clone();
                if rs.len() > 1 {
                    rs.pop();
                }
                rows.set(rs);
            })
        };
        html! {
            <>
                <button class="secondary" onclick={add} disabled={n >= max} data-testid={format!("{prefix}-add")}>{ "Add a customer" }</button>
                <button class="secondary" onclick={remove} disabled={n <= 1} data-testid={format!("{prefix}-remove")}>{ "Remove the last customer" }</button>
            </>
        }
    }
}
