//! Seeded draws that give the same numbers on every platform. `rng.gen_range(0..n)` with a
//! `usize` range draws a 32-bit number in WebAssembly and a 64-bit one natively, so the same
//! seed gave the page and `crm` different samples from the first such draw on (the sample
//! survey's answers, k-means++ seeds, bootstrap resamples). Every index draw goes through
//! [`index`], which always draws a `u32`.

use rand::Rng;

/// A uniform index in `0..n` drawn the same way on every platform (`n` above `u32::MAX` is
/// treated as `u32::MAX`). `n` must be at least 1.
pub fn index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    usize::try_from(rng.gen_range(0..n)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn an_index_draw_consumes_one_32_bit_word_like_a_u32_draw() {
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let mut b = ChaCha8Rng::seed_from_u64(7);
        let drawn: Vec<usize> = (0..100).map(|_| index(&mut a, 5)).collect();
        let expected: Vec<usize> = (0..100)
            .map(|_| usize::try_from(b.gen_range(0..5u32)).unwrap_or(0))
            .collect();
        assert_eq!(drawn, expected);
        assert!(drawn.iter().all(|&i| i < 5));
        // The streams stay in step afterwards.
        assert_eq!(a.gen::<u64>(), b.gen::<u64>());
    }
}
