//! [`OptF64`]: an optional number in 8 bytes.
//!
//! `Option<f64>` takes 16 bytes (a tag, then the number, aligned). A customer record has three
//! of them (margin, holdout purchases and spend), so 48 of its 120 bytes in WebAssembly: at 1.6
//! million customers, 38 MB in the worker and 38 MB more in the page's copy. Here "none" is one
//! NaN bit pattern that no arithmetic produces (a NaN from arithmetic or parsing keeps its own
//! bits, so `Some(NaN)` stays `Some(NaN)`). It reads, compares, prints and serializes exactly as
//! `Option<f64>` does.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An optional `f64` stored in 8 bytes; see the module's documentation.
#[derive(Clone, Copy)]
pub struct OptF64(f64);

/// The bits that mean "none": a quiet NaN with a payload no operation makes.
const NONE_BITS: u64 = 0x7ff8_6e6f_6e65_0001;

impl OptF64 {
    /// No value.
    pub const NONE: OptF64 = OptF64(f64::from_bits(NONE_BITS));

    /// The value, as an `Option`.
    pub fn get(self) -> Option<f64> {
        if self.0.to_bits() == NONE_BITS {
            None
        } else {
            Some(self.0)
        }
    }

    /// Whether there is a value.
    pub fn is_some(self) -> bool {
        self.get().is_some()
    }

    /// Whether there is no value.
    pub fn is_none(self) -> bool {
        self.get().is_none()
    }

    /// The value, or `default`.
    pub fn unwrap_or(self, default: f64) -> f64 {
        self.get().unwrap_or(default)
    }
}

impl Default for OptF64 {
    fn default() -> Self {
        OptF64::NONE
    }
}

impl From<Option<f64>> for OptF64 {
    fn from(v: Option<f64>) -> Self {
        match v {
            // A value with the "none" bits (only ever made on purpose) is stored as the plain
            // quiet NaN: still `Some(NaN)`.
            Some(x) if x.to_bits() == NONE_BITS => OptF64(f64::NAN),
            Some(x) => OptF64(x),
            None => OptF64::NONE,
        }
    }
}

impl From<OptF64> for Option<f64> {
    fn from(v: OptF64) -> Self {
        v.get()
    }
}

impl PartialEq for OptF64 {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PartialEq<Option<f64>> for OptF64 {
    fn eq(&self, other: &Option<f64>) -> bool {
        self.get() == *other
    }
}

impl std::fmt::Debug for OptF64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl Serialize for OptF64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> Deserialize<'de> for OptF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<f64>::deserialize(d).map(OptF64::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_compares_and_serializes_as_an_option() {
        for v in [None, Some(0.0), Some(-0.0), Some(12.5), Some(f64::INFINITY)] {
            let o = OptF64::from(v);
            assert_eq!(o.get().map(f64::to_bits), v.map(f64::to_bits));
            assert_eq!(o.is_some(), v.is_some());
            assert_eq!(o.unwrap_or(7.0).to_bits(), v.unwrap_or(7.0).to_bits());
            assert_eq!(format!("{o:?}"), format!("{v:?}"));
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                serde_json::to_string(&v).unwrap()
            );
            assert_eq!(
                bincode::serialize(&o).unwrap(),
                bincode::serialize(&v).unwrap()
            );
            let back: OptF64 = bincode::deserialize(&bincode::serialize(&v).unwrap()).unwrap();
            assert_eq!(back, v);
        }
        // NaN from arithmetic or parsing, or even with the "none" bits, stays a value.
        let nan = OptF64::from(Some(f64::NAN));
        assert!(nan.is_some() && nan.get().unwrap().is_nan());
        let parsed = OptF64::from(Some("NaN".parse::<f64>().unwrap()));
        assert!(parsed.is_some());
        let forged = OptF64::from(Some(f64::from_bits(NONE_BITS)));
        assert!(forged.is_some() && forged.get().unwrap().is_nan());
        assert_eq!(OptF64::default(), None);
        assert_eq!(std::mem::size_of::<OptF64>(), 8);
    }
}
