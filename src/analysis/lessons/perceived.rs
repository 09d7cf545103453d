//! Customer perceived value: per offer, total customer value (product, service, personnel,
//! image) minus total customer cost (money, time, energy, psychic cost). The customer picks the
//! offer with the largest difference; the ratio value / cost is shown beside it.

/// One offer, as the student types it.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Name.
    pub name: String,
    /// Product value.
    pub product: f64,
    /// Service value.
    pub service: f64,
    /// Personnel value.
    pub personnel: f64,
    /// Image value.
    pub image: f64,
    /// Money cost.
    pub money: f64,
    /// Time cost.
    pub time: f64,
    /// Energy cost.
    pub energy: f64,
    /// Psychic cost.
    pub psychic: f64,
}

/// The figures of one offer.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferValue {
    /// Total customer value = product + service + personnel + image.
    pub total_value: f64,
    /// Total customer cost = money + time + energy + psychic.
    pub total_cost: f64,
    /// Perceived value = total value − total cost.
    pub perceived: f64,
    /// Total value / total cost (None when the cost is not positive).
    pub ratio: Option<f64>,
}

/// The lesson's default offers.
pub fn default_offers() -> Vec<Offer> {
    let o = |name: &str, v: [f64; 8]| Offer {
        name: name.into(),
        product: v[0],
        service: v[1],
        personnel: v[2],
        image: v[3],
        money: v[4],
        time: v[5],
        energy: v[6],
        psychic: v[7],
    };
    vec![
        o("Our offer", [60.0, 20.0, 15.0, 10.0, 50.0, 10.0, 5.0, 5.0]),
        o(
            "Competitor A",
            [65.0, 10.0, 5.0, 15.0, 45.0, 15.0, 10.0, 5.0],
        ),
        o(
            "Competitor B",
            [50.0, 10.0, 10.0, 5.0, 30.0, 5.0, 5.0, 10.0],
        ),
    ]
}

/// The figures of one offer.
pub fn value_of(o: &Offer) -> OfferValue {
    let total_value = o.product + o.service + o.personnel + o.image;
    let total_cost = o.money + o.time + o.energy + o.psychic;
    OfferValue {
        total_value,
        total_cost,
        perceived: total_value - total_cost,
        ratio: (total_cost > 0.0).then(|| total_value / total_cost),
    }
}

/// The index of the offer with the largest perceived value (the first on a tie); None when
/// there is no offer or a figure is not a number.
pub fn winner(offers: &[Offer]) -> Option<usize> {
    let values: Vec<f64> = offers.iter().map(|o| value_of(o).perceived).collect();
    if values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, &v) in values.iter().enumerate() {
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perceived_value_is_total_value_minus_total_cost() {
        // Our offer: value 60 + 20 + 15 + 10 = 105; cost 50 + 10 + 5 + 5 = 70;
        // perceived 35; ratio 105 / 70 = 1.5.
        let v = value_of(&default_offers()[0]);
        assert!((v.total_value - 105.0).abs() < 1e-12);
        assert!((v.total_cost - 70.0).abs() < 1e-12);
        assert!((v.perceived - 35.0).abs() < 1e-12);
        assert!((v.ratio.unwrap() - 1.5).abs() < 1e-12);
    }

    #[test]
    fn the_largest_difference_wins_not_the_largest_ratio() {
        // A: 95 − 75 = 20 (ratio 1.27); B: 75 − 50 = 25 (ratio 1.5); ours 35: ours wins.
        // With our money cost at 65: ours 90... 105 − 85 = 20, B (25) wins.
        let mut offers = default_offers();
        assert_eq!(winner(&offers), Some(0));
        offers[0].money = 65.0;
        assert_eq!(winner(&offers), Some(2));
    }

    #[test]
    fn no_cost_has_no_ratio() {
        let mut o = default_offers()[0].clone();
        o.money = 0.0;
        o.time = 0.0;
        o.energy = 0.0;
        o.psychic = 0.0;
        assert_eq!(value_of(&o).ratio, None);
    }
}
