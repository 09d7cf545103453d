//! Stable hashes for keys that are stored (remembered mappings, cached results): FNV-1a, 64 bits.
//!
//! Written out rather than taken from `rustc-hash`, which the in-memory tables use: these values
//! are persisted in IndexedDB and project files, so they must never change between versions,
//! and FxHash makes no promise of stable output across releases.

/// FNV-1a offset basis.
const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a prime.
const PRIME: u64 = 0x0100_0000_01b3;

/// An FNV-1a hash being built, byte by byte.
#[derive(Debug, Clone, Copy)]
pub struct StableHash(u64);

impl Default for StableHash {
    fn default() -> Self {
        StableHash(OFFSET)
    }
}

impl StableHash {
    /// Feeds bytes.
    pub fn eat(&mut self, bytes: impl IntoIterator<Item = u8>) -> &mut Self {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
        self
    }

    /// The hash so far.
    pub fn value(&self) -> u64 {
        self.0
    }
}

/// The FNV-1a hash of `bytes`.
pub fn stable_hash(bytes: impl IntoIterator<Item = u8>) -> u64 {
    StableHash::default().eat(bytes).value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_vectors_so_stored_keys_never_change() {
        assert_eq!(stable_hash(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash(*b"foobar"), 0x8594_4171_f739_67e8);
    }
}
