//! The (x, t_x, T) weighting: identical customers are grouped with a weight (the
//! log-likelihood of a group is weight × that of one member), coarsened copies of the data for
//! the cheap first stages of a large fit, and [`Prepared`]: the groups indexed so the
//! likelihood is evaluated once per distinct value of T, t_x and their pairs with x.

use rustc_hash::FxHashMap;

/// One group of identical customers (x, t_x, T) and how many customers it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    /// Repeat purchases.
    pub x: f64,
    /// Recency.
    pub t_x: f64,
    /// Age.
    pub t: f64,
    /// Number (or total weight) of customers with these statistics.
    pub weight: f64,
}

/// Groups identical (x, t_x, T) rows (exactly equal bits), summing their weights. Exact: the
/// log-likelihood of a group is weight × the log-likelihood of one member. Groups come out
/// sorted by (x, T, t_x). Sorting, rather than hashing, keeps a million distinct rows cheap.
pub fn group_rows(rows: impl IntoIterator<Item = (f64, f64, f64, f64)>) -> Vec<Group> {
    // Non-negative floats order like their bit patterns; the key only has to be consistent.
    let mut keyed: Vec<([u64; 3], f64)> = rows
        .into_iter()
        .map(|(x, t_x, t, w)| ([x.to_bits(), t.to_bits(), t_x.to_bits()], w))
        .collect();
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let mut groups: Vec<Group> = Vec::new();
    let mut last: Option<[u64; 3]> = None;
    for (k, w) in keyed {
        if last == Some(k) {
            if let Some(g) = groups.last_mut() {
                g.weight += w;
            }
            continue;
        }
        last = Some(k);
        groups.push(Group {
            x: f64::from_bits(k[0]),
            t_x: f64::from_bits(k[2]),
            t: f64::from_bits(k[1]),
            weight: w,
        });
    }
    groups
}

/// Groups rounded onto a grid of `bins` steps over the largest T (t_x and T rounded alike, so
/// t_x ≤ T is kept), merged: a cheap approximation of the data for the starting-point search.
pub fn coarsen(groups: &[Group], bins: u32) -> Vec<Group> {
    let max_t = groups.iter().fold(0.0f64, |m, g| m.max(g.t));
    if max_t <= 0.0 || bins == 0 {
        return groups.to_vec();
    }
    let step = max_t / f64::from(bins);
    let round = |v: f64| (v / step).round() * step;
    group_rows(
        groups
            .iter()
            .map(|g| (g.x, round(g.t_x), round(g.t), g.weight)),
    )
}

/// Grouped data indexed for fast likelihood evaluation: when the data has few distinct values
/// of T and t_x (day-resolution logs), they and the distinct (x, t_x) and (x, T) pairs are
/// listed once, so per-evaluation work that depends on one of them is done once per distinct
/// value rather than once per group. When the values are nearly all distinct (continuous
/// times), the "tables" are simply one entry per group in row order, so the evaluation reads
/// them sequentially instead of hopping through a table as large as the data.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Distinct x values.
    pub xs: Vec<f64>,
    /// Distinct T values.
    pub ts: Vec<f64>,
    /// Distinct t_x values.
    pub txs: Vec<f64>,
    /// Distinct (x index, t_x index) pairs.
    pub x_tx: Vec<(u32, u32)>,
    /// Distinct (x index, T index) pairs.
    pub x_t: Vec<(u32, u32)>,
    /// One row per group.
    pub rows: Vec<PreparedRow>,
    /// Sum of weights (number of customers).
    pub total_weight: f64,
}

/// One group as indices into [`Prepared`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreparedRow {
    /// Index into `xs`.
    pub xi: u32,
    /// Index into `ts`.
    pub ti: u32,
    /// Index into `txs`.
    pub txi: u32,
    /// Index into `x_tx`.
    pub xtx: u32,
    /// Index into `x_t`.
    pub xt: u32,
    /// Weight of the group.
    pub w: f64,
}

impl Prepared {
    /// Indexes the groups.
    pub fn new(groups: &[Group]) -> Prepared {
        // Tables pay off while they are much smaller than the data and fit in cache.
        let cap = (groups.len() / 4).min(1 << 16);
        Prepared::with_table_cap(groups, cap)
    }

    pub(crate) fn with_table_cap(groups: &[Group], cap: usize) -> Prepared {
        fn idx(map: &mut FxHashMap<u64, u32>, list: &mut Vec<f64>, v: f64) -> u32 {
            *map.entry(v.to_bits()).or_insert_with(|| {
                list.push(v);
                (list.len() - 1) as u32
            })
        }
        fn idx2(
            map: &mut FxHashMap<(u32, u32), u32>,
            list: &mut Vec<(u32, u32)>,
            k: (u32, u32),
        ) -> u32 {
            *map.entry(k).or_insert_with(|| {
                list.push(k);
                (list.len() - 1) as u32
            })
        }
        let mut p = Prepared::default();
        let mut mx = FxHashMap::default();
        let xis: Vec<u32> = groups
            .iter()
            .map(|g| idx(&mut mx, &mut p.xs, g.x))
            .collect();
        p.total_weight = groups.iter().map(|g| g.weight).sum();
        // Try the tables; give up as soon as one outgrows the cap.
        let (mut mt, mut mtx) = (FxHashMap::default(), FxHashMap::default());
        let (mut mxtx, mut mxt) = (FxHashMap::default(), FxHashMap::default());
        let mut rows = Vec::with_capacity(groups.len());
        let mut tabled = true;
        for (g, &xi) in groups.iter().zip(&xis) {
            let ti = idx(&mut mt, &mut p.ts, g.t);
            let txi = idx(&mut mtx, &mut p.txs, g.t_x);
            let xtx = idx2(&mut mxtx, &mut p.x_tx, (xi, txi));
            let xt = idx2(&mut mxt, &mut p.x_t, (xi, ti));
            if p.x_tx.len().max(p.x_t.len()) > cap {
                tabled = false;
                break;
            }
            rows.push(PreparedRow {
                xi,
                ti,
                txi,
                xtx,
                xt,
                w: g.weight,
            });
        }
        if tabled {
            p.rows = rows;
            return p;
        }
        // One entry per run of equal values in row order: sequential reads, and the values
        // repeated by neighbours (groups come sorted by x, T, t_x: every x = 0 group has
        // t_x = 0) are still computed once.
        p.ts.clear();
        p.txs.clear();
        p.x_tx.clear();
        p.x_t.clear();
        let mut rows = Vec::with_capacity(groups.len());
        for (g, &xi) in groups.iter().zip(&xis) {
            let same_x = rows.last().is_some_and(|r: &PreparedRow| r.xi == xi);
            if !(same_x && p.ts.last() == Some(&g.t)) {
                p.ts.push(g.t);
                p.x_t.push((xi, (p.ts.len() - 1) as u32));
            }
            if !(same_x && p.txs.last() == Some(&g.t_x)) {
                p.txs.push(g.t_x);
                p.x_tx.push((xi, (p.txs.len() - 1) as u32));
            }
            let last = |n: usize| (n - 1) as u32;
            rows.push(PreparedRow {
                xi,
                ti: last(p.ts.len()),
                txi: last(p.txs.len()),
                xtx: last(p.x_tx.len()),
                xt: last(p.x_t.len()),
                w: g.weight,
            });
        }
        p.rows = rows;
        p
    }
}
