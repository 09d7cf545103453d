//! The compact serde encodings of the customer types: dates as day numbers and records and log
//! columns as packed little-endian blocks in binary formats (bincode, the worker's wire
//! format), plain JSON in human-readable ones. They belong to the worker's wire format and are
//! kept here, apart from the domain types, until they move there.

/// Dates as text ("2024-03-05") in human-readable formats (JSON), as day numbers in binary
/// ones (bincode: the worker's wire format), where formatting and parsing 400,000 dates
/// would cost more than the rest of a summary.
pub(super) mod day_number {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            d.serialize(s)
        } else {
            d.map(|d| d.num_days_from_ce()).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        if d.is_human_readable() {
            Option::<NaiveDate>::deserialize(d)
        } else {
            Ok(Option::<i32>::deserialize(d)?.and_then(NaiveDate::from_num_days_from_ce_opt))
        }
    }
}

/// Customer records as a list of objects in human-readable formats (JSON), as packed columns
/// in binary ones (bincode, the worker's wire format): 200,000 records then cross in a few
/// block copies instead of three million field writes and reads.
pub(super) mod record_columns {
    use super::packed;
    use crate::domain::customers::CustomerRecord;
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize, Default)]
    struct Columns {
        ids: String,
        #[serde(with = "packed")]
        id_ends: Vec<u32>,
        #[serde(with = "packed")]
        x: Vec<f64>,
        #[serde(with = "packed")]
        t_x: Vec<f64>,
        #[serde(with = "packed")]
        t: Vec<f64>,
        #[serde(with = "packed")]
        monetary: Vec<f64>,
        #[serde(with = "packed")]
        weight: Vec<f64>,
        #[serde(with = "packed")]
        total_spend: Vec<f64>,
        #[serde(with = "packed")]
        first: Vec<i32>,
        #[serde(with = "packed")]
        last: Vec<i32>,
        #[serde(with = "packed")]
        occasions: Vec<u32>,
        #[serde(with = "packed")]
        total_margin: Vec<f64>,
        #[serde(with = "packed")]
        holdout_x: Vec<f64>,
        #[serde(with = "packed")]
        holdout_spend: Vec<f64>,
        /// Per record, which optional fields are present (bit 0 first, 1 last, 2 total
        /// margin, 3 holdout x, 4 holdout spend).
        #[serde(with = "packed")]
        present: Vec<u8>,
    }

    pub fn serialize<S: Serializer>(v: &[CustomerRecord], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return v.serialize(s);
        }
        let mut c = Columns::default();
        for r in v {
            c.ids.push_str(&r.id);
            c.id_ends
                .push(u32::try_from(c.ids.len()).unwrap_or(u32::MAX));
            c.x.push(r.x);
            c.t_x.push(r.t_x);
            c.t.push(r.t);
            c.monetary.push(r.monetary);
            c.weight.push(r.weight);
            c.total_spend.push(r.total_spend);
            c.first.push(r.first.map_or(0, |d| d.num_days_from_ce()));
            c.last.push(r.last.map_or(0, |d| d.num_days_from_ce()));
            c.occasions.push(r.occasions);
            c.total_margin.push(r.total_margin.unwrap_or(0.0));
            c.holdout_x.push(r.holdout_x.unwrap_or(0.0));
            c.holdout_spend.push(r.holdout_spend.unwrap_or(0.0));
            c.present.push(
                u8::from(r.first.is_some())
                    | u8::from(r.last.is_some()) << 1
                    | u8::from(r.total_margin.is_some()) << 2
                    | u8::from(r.holdout_x.is_some()) << 3
                    | u8::from(r.holdout_spend.is_some()) << 4,
            );
        }
        c.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CustomerRecord>, D::Error> {
        if d.is_human_readable() {
            return Vec::<CustomerRecord>::deserialize(d);
        }
        let c = Columns::deserialize(d)?;
        let n = c.id_ends.len();
        let at = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(0.0);
        let mut out = Vec::with_capacity(n);
        let mut start = 0usize;
        for i in 0..n {
            let end = c.id_ends.get(i).map_or(start, |&e| e as usize);
            let id = c.ids.get(start..end).unwrap_or("").to_string();
            start = end;
            let p = c.present.get(i).copied().unwrap_or(0);
            let day = |v: &Vec<i32>| {
                v.get(i)
                    .and_then(|&d| NaiveDate::from_num_days_from_ce_opt(d))
            };
            out.push(CustomerRecord {
                id,
                x: at(&c.x, i),
                t_x: at(&c.t_x, i),
                t: at(&c.t, i),
                monetary: at(&c.monetary, i),
                weight: at(&c.weight, i),
                first: if p & 1 != 0 { day(&c.first) } else { None },
                last: if p & 2 != 0 { day(&c.last) } else { None },
                occasions: c.occasions.get(i).copied().unwrap_or(0),
                total_spend: at(&c.total_spend, i),
                total_margin: (p & 4 != 0).then(|| at(&c.total_margin, i)).into(),
                holdout_x: (p & 8 != 0).then(|| at(&c.holdout_x, i)).into(),
                holdout_spend: (p & 16 != 0).then(|| at(&c.holdout_spend, i)).into(),
            });
        }
        Ok(out)
    }
}

/// Number columns serialized as one block of little-endian bytes: bincode copies a block at
/// memory speed where it would write and read a million numbers one by one.
pub(crate) mod packed {
    use serde::{Deserializer, Serializer};

    /// A number with a fixed little-endian width.
    pub trait Le: Sized + Copy {
        const N: usize;
        fn put(self, out: &mut Vec<u8>);
        fn get(b: &[u8]) -> Option<Self>;
    }

    macro_rules! le {
        ($t:ty, $n:expr) => {
            impl Le for $t {
                const N: usize = $n;
                fn put(self, out: &mut Vec<u8>) {
                    out.extend_from_slice(&self.to_le_bytes());
                }
                fn get(b: &[u8]) -> Option<Self> {
                    Some(<$t>::from_le_bytes(b.try_into().ok()?))
                }
            }
        };
    }
    le!(u8, 1);
    le!(u16, 2);
    le!(u32, 4);
    le!(i32, 4);
    le!(f64, 8);

    pub fn serialize<T: Le, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(v.len() * T::N);
        for &x in v {
            x.put(&mut out);
        }
        s.serialize_bytes(&out)
    }

    pub fn deserialize<'de, T: Le, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Le> serde::de::Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("packed little-endian numbers")
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Vec<T>, E> {
                if !b.len().is_multiple_of(T::N) {
                    return Err(E::invalid_length(b.len(), &self));
                }
                Ok(b.chunks_exact(T::N).filter_map(T::get).collect())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, b: Vec<u8>) -> Result<Vec<T>, E> {
                self.visit_bytes(&b)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Vec<T>, A::Error> {
                let mut b = Vec::new();
                while let Some(x) = a.next_element::<u8>()? {
                    b.push(x);
                }
                self.visit_bytes(&b)
            }
        }
        d.deserialize_byte_buf(V(std::marker::PhantomData))
    }
}

/// Per-customer number columns of a result (segments, tiers, cluster labels, CLV): a list of
/// numbers in human-readable formats (JSON, as before), one packed block in binary ones
/// (bincode, the worker's wire format and the results cache), which the page decodes with a
/// block copy instead of a million element reads.
pub(crate) mod dense {
    use super::packed::{self, Le};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Le + Serialize, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.serialize(s)
        } else {
            packed::serialize(v, s)
        }
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Vec<T>, D::Error>
    where
        T: Le + Deserialize<'de>,
        D: Deserializer<'de>,
    {
        if d.is_human_readable() {
            Vec::<T>::deserialize(d)
        } else {
            packed::deserialize(d)
        }
    }
}

/// An optional per-customer column of numbers (a request's CLV and P(alive)), as [`dense`].
pub(crate) mod dense_opt {
    use super::packed;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Packed(#[serde(with = "packed")] Vec<f64>);

    #[derive(Serialize)]
    struct PackedRef<'a>(#[serde(with = "packed")] &'a [f64]);

    pub fn serialize<S: Serializer>(v: &Option<Vec<f64>>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.serialize(s)
        } else {
            v.as_deref().map(PackedRef).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
        if d.is_human_readable() {
            Option::<Vec<f64>>::deserialize(d)
        } else {
            Ok(Option::<Packed>::deserialize(d)?.map(|p| p.0))
        }
    }
}

/// A list of strings (a fit's customer ids): a list in human-readable formats, in binary ones
/// the strings joined into one block with their end offsets packed beside it.
pub(crate) mod strings {
    use super::packed;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Joined<'a> {
        #[serde(borrow)]
        text: std::borrow::Cow<'a, str>,
        #[serde(with = "packed")]
        ends: Vec<u32>,
    }

    pub fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return v.serialize(s);
        }
        let mut text = String::with_capacity(v.iter().map(String::len).sum());
        let mut ends = Vec::with_capacity(v.len());
        for x in v {
            text.push_str(x);
            ends.push(u32::try_from(text.len()).map_err(serde::ser::Error::custom)?);
        }
        Joined {
            text: text.into(),
            ends,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        if d.is_human_readable() {
            return Vec::<String>::deserialize(d);
        }
        let j = Joined::deserialize(d)?;
        let mut start = 0usize;
        let mut out = Vec::with_capacity(j.ends.len());
        for &e in &j.ends {
            let end = e as usize;
            let s = j
                .text
                .get(start..end)
                .ok_or_else(|| serde::de::Error::custom("string ends out of order"))?;
            out.push(s.to_string());
            start = end;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod wire_tests {
    use crate::domain::customers::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_are_text_in_json_and_columns_survive_both_formats() {
        let log = vec![
            Transaction {
                customer_id: "a".into(),
                date: NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
                amount: 12.5,
                margin: None,
                quantity: None,
                channel: None,
                product: None,
            },
            Transaction {
                customer_id: "a".into(),
                date: NaiveDate::from_ymd_opt(2024, 4, 5).unwrap(),
                amount: -1.25,
                margin: Some(3.0),
                quantity: None,
                channel: None,
                product: None,
            },
        ];
        let s = summarize(&log, &SummaryOptions::default()).unwrap();
        let split = summarize(
            &log,
            &SummaryOptions {
                calibration_end: NaiveDate::from_ymd_opt(2024, 3, 20),
                returns: ReturnsPolicy::Keep,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(split.customers[0].holdout_x.is_some());
        #[cfg(not(target_arch = "wasm32"))]
        {
            let bin = bincode::serialize(&split).unwrap();
            assert_eq!(
                bincode::deserialize::<CustomerSummary>(&bin).unwrap(),
                split
            );
        }
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"first\":\"2024-03-05\""), "{json}");
        assert_eq!(serde_json::from_str::<CustomerSummary>(&json).unwrap(), s);
        let tx = TxLog::from_transactions(&log);
        let json = serde_json::to_string(&tx).unwrap();
        assert_eq!(serde_json::from_str::<TxLog>(&json).unwrap(), tx);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let bin = bincode::serialize(&(&s, &tx)).unwrap();
            let back: (CustomerSummary, TxLog) = bincode::deserialize(&bin).unwrap();
            assert_eq!((back.0, back.1), (s, tx));
        }
    }

    /// The per-customer columns of results (scores, segments, labels, CLV, ids) survive bincode
    /// as packed blocks and JSON as plain lists, ids with any characters, with and without
    /// ids, and a damaged block is refused rather than misread.
    #[test]
    fn result_columns_survive_both_formats_and_json_stays_a_list() {
        use crate::domain::segmentation::rfm::{MonetaryKind, RfmCutPoints, RfmResult, RfmScore};
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct Cols {
            #[serde(with = "super::strings")]
            ids: Vec<String>,
            #[serde(with = "super::dense")]
            seg: Vec<u16>,
            #[serde(with = "super::dense")]
            tier: Vec<u8>,
            #[serde(with = "super::dense")]
            labels: Vec<u32>,
            #[serde(with = "super::dense")]
            clv: Vec<f64>,
            #[serde(with = "super::dense_opt")]
            some: Option<Vec<f64>>,
            #[serde(with = "super::dense_opt")]
            none: Option<Vec<f64>>,
        }
        let c = Cols {
            ids: vec!["a".into(), String::new(), "Łódź ☕".into(), "x,y".into()],
            seg: vec![0, 1, 65535, 7],
            tier: vec![3, 0, 255, 1],
            labels: vec![u32::MAX, 0, 2, 1],
            clv: vec![f64::NAN, -0.0, 1e300, 2.5],
            some: Some(vec![0.25, f64::INFINITY]),
            none: None,
        };
        let same = |a: &Cols, b: &Cols| {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            a.ids == b.ids
                && a.seg == b.seg
                && a.tier == b.tier
                && a.labels == b.labels
                && bits(&a.clv) == bits(&b.clv)
                && a.some == b.some
                && a.none.is_none()
                && b.none.is_none()
        };
        let bin = bincode::serialize(&c).unwrap();
        assert!(same(&bincode::deserialize::<Cols>(&bin).unwrap(), &c));
        let json = serde_json::to_string(&Cols {
            clv: vec![1.5, 2.0],
            some: None,
            ..Cols {
                ids: c.ids.clone(),
                seg: c.seg.clone(),
                tier: c.tier.clone(),
                labels: c.labels.clone(),
                clv: Vec::new(),
                some: None,
                none: None,
            }
        })
        .unwrap();
        assert!(json.contains("\"seg\":[0,1,65535,7]"), "{json}");
        assert!(
            json.contains("\"ids\":[\"a\",\"\",\"Łódź ☕\",\"x,y\"]"),
            "{json}"
        );
        assert!(json.contains("\"clv\":[1.5,2.0]"), "{json}");
        let back: Cols = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (back.ids, back.seg, back.clv),
            (c.ids.clone(), c.seg.clone(), vec![1.5, 2.0])
        );
        // A block cut short is an error, not a shorter column.
        assert!(bincode::deserialize::<Cols>(&bin[..bin.len() - 3]).is_err());

        let score = |id: &str, i: u32| RfmScore {
            id: id.into(),
            recency_days: f64::from(i) * 1.5,
            frequency: i,
            monetary: 10.0 + f64::from(i),
            r: (i % 5 + 1) as u8,
            f: (i % 3 + 1) as u8,
            m: (i % 4 + 1) as u8,
        };
        for ids in [["", "", ""], ["c1", "", "c3"]] {
            let r = RfmResult {
                bins: 5,
                monetary_kind: MonetaryKind::Total,
                analysis_date: NaiveDate::from_ymd_opt(2024, 1, 2),
                cut_points: RfmCutPoints::default(),
                bins_used: [5, 3, 4],
                warnings: vec!["w".into()],
                scores: ids.iter().zip(0..).map(|(id, i)| score(id, i)).collect(),
            };
            let bin = bincode::serialize(&r).unwrap();
            assert_eq!(bincode::deserialize::<RfmResult>(&bin).unwrap(), r);
            let json = serde_json::to_string(&r).unwrap();
            assert!(json.contains("\"scores\":[{\"id\":"), "{json}");
            assert_eq!(serde_json::from_str::<RfmResult>(&json).unwrap(), r);
        }
    }
}
