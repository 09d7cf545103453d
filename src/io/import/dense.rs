//! Positions of two bytes (a delimiter and the line feed) in text where they are dense: every
//! few bytes, as in a log's short rows.
//!
//! Why not `memchr::memchr2_iter`: it is built for rare matches, and each match restarts a
//! vector search (about 50 instructions a match, measured with callgrind on a 2,000,000-row
//! log: 305 million instructions for its 6 million delimiters and line feeds). Here each
//! 8-byte word is tested once with exact SWAR arithmetic (no unsafe code, no target
//! features, the same in WebAssembly), and its matches are read off one mask.

/// Every position in `bytes` of `a` or `b`, in order.
pub(crate) fn positions2(bytes: &[u8], a: u8, b: u8) -> Positions2<'_> {
    Positions2 {
        bytes,
        a: splat(a),
        b: splat(b),
        word_at: 0,
        next: 0,
        mask: 0,
    }
}

/// The iterator of [`positions2`].
pub(crate) struct Positions2<'a> {
    bytes: &'a [u8],
    a: u64,
    b: u64,
    /// Offset of the word `mask` was read from.
    word_at: usize,
    /// Offset of the next word to read.
    next: usize,
    /// The high bit of each matching byte of that word not yet returned.
    mask: u64,
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

fn splat(c: u8) -> u64 {
    u64::from(c) * 0x0101_0101_0101_0101
}

/// The high bit of each byte of `x` that is zero, and no other bit (exact: no false matches
/// from borrows between bytes).
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

impl Iterator for Positions2<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let at = self.next;
            if let Some(word) = self.bytes.get(at..at + 8) {
                let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
                self.mask = zero_bytes(w ^ self.a) | zero_bytes(w ^ self.b);
            } else {
                // The last 1 to 7 bytes: padded, and matches in the padding dropped.
                let tail = self.bytes.get(at..).unwrap_or(&[]);
                if tail.is_empty() {
                    return None;
                }
                let mut word = [0u8; 8];
                for (d, s) in word.iter_mut().zip(tail) {
                    *d = *s;
                }
                let w = u64::from_le_bytes(word);
                let real = (1u64 << (8 * tail.len())) - 1;
                self.mask = (zero_bytes(w ^ self.a) | zero_bytes(w ^ self.b)) & real;
            }
            self.word_at = at;
            self.next = at + 8;
        }
        let at = self.word_at + (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_positions_are_those_memchr_finds() {
        let mut x: u64 = 99;
        for len in 0..300usize {
            for round in 0..4 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        // Dense matches, bytes next to them (0x2b, 0x2d, 0x0b, 0x8c, 0xac),
                        // zero bytes and high bytes.
                        let pool = [b',', b'\n', b'+', b'-', 0x0b, 0x8c, 0xac, 0, 0xff, b'a'];
                        pool[(x >> 59) as usize % pool.len()]
                    })
                    .collect();
                let (a, b) = match round {
                    0 => (b',', b'\n'),
                    1 => (b';', b'\n'),
                    2 => (0u8, b'\n'),
                    _ => (0xff, 0x80),
                };
                let want: Vec<usize> = memchr::memchr2_iter(a, b, &bytes).collect();
                let got: Vec<usize> = positions2(&bytes, a, b).collect();
                assert_eq!(got, want, "len {len}, round {round}");
            }
        }
    }
}
