//! The id interner: customer id text → its index in [`super::TxLog::ids`], filled row by row
//! by the importer without allocating per row.
//!
//! Why not `HashMap<String, u32>` (with `rustc-hash`): ids of up to 16 bytes are kept inside
//! the slot, so a lookup of a known id reads one cache line and allocates nothing, where the map
//! must own a `String` per id and chase a pointer to compare it. Measured by
//! `id_interning_beats_a_hash_map` in `tests/bench_fit.rs` (ignored; the command is at
//! the top of that file): 2,000,000 ids, one in four new, took 0.45 s through
//! `TxColumns::push` (which also fills the day and amount columns) against 0.53 s for the map
//! lookups alone (test profile, 2 shared cores, 2026-12-01): the interner stays, with
//! `rustc-hash`'s FxHasher in place of our own hasher.

use rustc_hash::FxHasher;
use std::hash::Hasher;

/// An open-addressing table from id text to its index in [`super::TxLog::ids`]. Ids of up to 16
/// bytes (nearly all) are kept inside the slot, so finding one reads one cache line and
/// allocates nothing; longer ones are compared with the stored id.
#[derive(Debug, Clone, Default)]
pub(super) struct Interner {
    slots: Vec<Slot>,
    len: usize,
}

/// 32 bytes, aligned to 32, so a slot never straddles two cache lines: finding a known id
/// costs one cache miss (aligned to 8 only, every other slot straddled two lines, since a large
/// allocation starts 16 bytes into a page; a 2,000,000-row log of 164,503 customers fills
/// 524,288 slots, 16 MB).
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    hash: u64,
    /// [`key_of`] the id.
    key: [u64; 2],
    /// Index + 1 into the ids (0: empty slot).
    index: u32,
    len: u32,
}

const EMPTY: Slot = Slot {
    hash: 0,
    key: [0; 2],
    index: 0,
    len: 0,
};

/// The hash of an id's bytes (`rustc-hash`'s FxHasher: ids come from the user's own file, so
/// flooding resistance buys nothing).
pub(super) fn hash_id(id: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(id);
    h.finish()
}

/// Two words that, with the length, tell ids of up to 16 bytes apart exactly (the first and
/// last 8 bytes, overlapping when shorter than 16; the first and last 4 below 8; the first,
/// middle and last byte below 4): two integer loads instead of a copy into a padded key and a
/// byte comparison. For longer ids a filter before comparing the whole text.
fn key_of(b: &[u8]) -> [u64; 2] {
    let n = b.len();
    let word = |at: usize| -> u64 {
        b.get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let half = |at: usize| -> u64 {
        b.get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let byte = |at: usize| -> u64 { b.get(at).map_or(0, |&c| u64::from(c)) };
    if n >= 8 {
        [word(0), word(n - 8)]
    } else if n >= 4 {
        [half(0) | half(n - 4) << 32, 0]
    } else if n > 0 {
        [byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16, 0]
    } else {
        [0, 0]
    }
}

/// Rows interned together by [`Interner::intern_batch`].
pub(super) const BATCH: usize = 64;

impl Interner {
    /// The index of `id` in `ids`, adding it when new.
    pub(super) fn intern(&mut self, id: &str, ids: &mut Vec<String>) -> u32 {
        self.intern_hashed(id, hash_id(id.as_bytes()), ids)
    }

    /// Indices of several ids, in order, as [`Self::intern`] one by one gives them: id `i` is
    /// `text[ends[i - 1]..ends[i]]` (whole `str`s end to end) with hash
    /// `hashes[i]` ([`hash_id`]). The slots of the whole batch are read first, in one pass of
    /// independent loads, so their cache misses overlap instead of costing one full memory
    /// round trip per row.
    pub(super) fn intern_batch(
        &mut self,
        text: &str,
        ends: &[u32],
        hashes: &[u64],
        ids: &mut Vec<String>,
        out: &mut Vec<u32>,
    ) {
        if self.len + ends.len() >= self.slots.len() / 2 {
            // Room for the whole batch first: the touched slots stay the ones probed.
            while (self.len + ends.len()) * 2 >= self.slots.len() {
                self.grow();
            }
        }
        let mask = self.slots.len().wrapping_sub(1);
        let mut touched = 0u32;
        for &h in hashes {
            touched ^= self.slots.get((h as usize) & mask).map_or(0, |s| s.index);
        }
        std::hint::black_box(touched);
        let mut start = 0usize;
        for (&end, &hash) in ends.iter().zip(hashes) {
            let id = text.get(start..end as usize).unwrap_or("");
            start = end as usize;
            out.push(self.intern_hashed(id, hash, ids));
        }
    }

    fn intern_hashed(&mut self, id: &str, hash: u64, ids: &mut Vec<String>) -> u32 {
        let b = id.as_bytes();
        if self.len * 2 >= self.slots.len() {
            self.grow();
        }
        let key = key_of(b);
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let Some(slot) = self.slots.get_mut(i) else {
                return 0;
            };
            if slot.index == 0 {
                let index = u32::try_from(ids.len()).unwrap_or(u32::MAX);
                *slot = Slot {
                    hash,
                    key,
                    index: index.saturating_add(1),
                    len: u32::try_from(b.len()).unwrap_or(u32::MAX),
                };
                // A `str` already: no UTF-8 check.
                ids.push(id.to_string());
                self.len += 1;
                return index;
            }
            if slot.hash == hash
                && slot.len as usize == b.len()
                && slot.key == key
                && (b.len() <= 16
                    || ids.get(slot.index as usize - 1).map(String::as_bytes) == Some(b))
            {
                return slot.index - 1;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = size - 1;
        for s in old.into_iter().filter(|s| s.index != 0) {
            let mut i = (s.hash as usize) & mask;
            while self.slots.get(i).is_some_and(|x| x.index != 0) {
                i = (i + 1) & mask;
            }
            if let Some(x) = self.slots.get_mut(i) {
                *x = s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Ids with shared prefixes, lengths around the 16-byte inline limit, and repeats.
    fn ids(n: u32) -> Vec<String> {
        (0..n)
            .map(|i| match i % 4 {
                0 => format!("{}", (u64::from(i) * 7919) % (u64::from(n) / 3 + 1)),
                1 => format!("customer-{:012}", (i * 31) % (n / 2 + 1)),
                2 => format!("a-very-long-customer-identifier-{}", i % 977),
                _ => format!("C{:03}", i % 250),
            })
            .collect()
    }

    #[test]
    fn interner_assigns_the_indices_a_hash_map_would() {
        let mut interner = Interner::default();
        let mut list = Vec::new();
        let mut map: HashMap<String, u32> = HashMap::new();
        for id in ids(50_000) {
            let next = map.len() as u32;
            let want = *map.entry(id.clone()).or_insert(next);
            assert_eq!(interner.intern(&id, &mut list), want, "{id}");
        }
        assert_eq!(list.len(), map.len());
        for (id, &i) in &map {
            assert_eq!(list.get(i as usize), Some(id));
        }
    }

    #[test]
    fn batches_get_the_indices_one_at_a_time_gives() {
        let all = ids(50_000);
        let mut one = Interner::default();
        let mut one_list = Vec::new();
        let want: Vec<u32> = all.iter().map(|id| one.intern(id, &mut one_list)).collect();
        let mut many = Interner::default();
        let mut many_list = Vec::new();
        let mut got = Vec::new();
        // Batches of every size up to and past BATCH, across the table's growth.
        let mut rest = all.as_slice();
        let mut size = 1;
        while !rest.is_empty() {
            let (batch, tail) = rest.split_at(size.min(rest.len()));
            let mut text = String::new();
            let mut ends = Vec::new();
            for id in batch {
                text.push_str(id);
                ends.push(text.len() as u32);
            }
            let hashes: Vec<u64> = batch.iter().map(|id| hash_id(id.as_bytes())).collect();
            many.intern_batch(&text, &ends, &hashes, &mut many_list, &mut got);
            rest = tail;
            size = size % (BATCH + 3) + 1;
        }
        assert_eq!(got, want);
        assert_eq!(many_list, one_list);
    }
}
