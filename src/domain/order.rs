//! Stable sorting through one copy of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element type and the comparator, so each call site
//! compiles its own copy of the sort (about 4 KB of wasm each; the page had 15 of them). The
//! functions here sort positions (`usize`) with a `&dyn Fn` comparator in one non-generic
//! function, then move the elements into that order: one copy of the sort for the whole program.
//! The result is exactly `sort_by`'s: the sort is stable (equal elements keep their order).
//! Use them in code the page runs; hot native loops may keep `sort_by`.

use std::cmp::Ordering;

/// The positions `0..n` in the stable order `cmp(i, j)` gives: position `i` comes before `j`
/// when `cmp(i, j)` is `Less`, or when it is `Equal` and `i < j`.
#[inline(never)]
pub fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Sorts `v` stably by `cmp`: the same result as `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(&order, &mut |a, b| v.swap(a, b));
}

/// Sorts `v` stably by a key: the same result as `v.sort_by_key(key)` (the key is computed at
/// each comparison, as there).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Puts the element at `order[i]` at position `i` for every `i`, by swaps (`swap(a, b)` swaps
/// positions `a` and `b`); `order` must be a permutation of `0..order.len()`.
#[inline(never)]
fn permute(order: &[usize], swap: &mut dyn FnMut(usize, usize)) {
    // at[p]: original position of the element now at p; pos[o]: where the original o is now.
    let mut at: Vec<usize> = (0..order.len()).collect();
    let mut pos = at.clone();
    for (i, &want) in order.iter().enumerate() {
        let src = pos[want];
        if src != i {
            swap(i, src);
            let moved = at[i];
            at[src] = moved;
            pos[moved] = src;
            at[i] = want;
            pos[want] = i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn sort_by_equals_the_standard_stable_sort_with_ties() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for n in [0usize, 1, 2, 3, 10, 33, 500, 5_000] {
            // Few distinct keys, so most comparisons are ties and stability shows.
            let v: Vec<(u8, u32)> = (0..n).map(|i| (rng.gen_range(0..5), i as u32)).collect();
            let mut ours = v.clone();
            let mut std = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            std.sort_by_key(|a| a.0);
            assert_eq!(ours, std, "n = {n}");
        }
    }

    #[test]
    fn reversed_and_float_orders_match_the_standard_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let v: Vec<f64> = (0..2_000)
            .map(|_| (rng.gen_range(0..40) as f64) / 4.0)
            .chain([f64::NAN, -0.0, 0.0, f64::INFINITY])
            .collect();
        let mut ours = v.clone();
        let mut std = v.clone();
        sort_by(&mut ours, |a, b| b.total_cmp(a));
        std.sort_by(|a, b| b.total_cmp(a));
        let bits = |x: &[f64]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&ours), bits(&std));
    }

    #[test]
    fn sort_by_key_keeps_equal_keys_in_their_order() {
        let mut v = vec!["b2", "a1", "B1", "a2", "A3", "b1"];
        let mut std = v.clone();
        sort_by_key(&mut v, |s| s.to_lowercase().chars().next());
        std.sort_by_key(|s| s.to_lowercase().chars().next());
        assert_eq!(v, std);
        assert_eq!(v, ["a1", "a2", "A3", "b2", "B1", "b1"]);
    }

    #[test]
    fn stable_order_lists_positions_not_values() {
        let v = [30, 10, 20, 10];
        assert_eq!(stable_order(v.len(), &|a, b| v[a].cmp(&v[b])), [1, 3, 2, 0]);
    }

    #[test]
    fn permute_moves_every_element_to_its_place() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for n in [0usize, 1, 7, 100] {
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                order.swap(i, rng.gen_range(0..=i));
            }
            let mut v: Vec<usize> = (0..n).map(|i| i * 10).collect();
            permute(&order, &mut |a, b| v.swap(a, b));
            let want: Vec<usize> = order.iter().map(|&o| o * 10).collect();
            assert_eq!(v, want);
        }
    }
}
