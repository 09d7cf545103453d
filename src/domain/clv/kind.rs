//! Which buy-till-you-die model: names, command-line codes, descriptions and parameter names.

use serde::{Deserialize, Serialize};

/// Which buy-till-you-die model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987). Serialised as "pnbd".
    #[serde(rename = "pnbd")]
    ParetoNbd,
    /// MBG/NBD (Batislam et al. 2007).
    MbgNbd,
}

impl ModelKind {
    /// All kinds, for pickers.
    pub const ALL: [ModelKind; 3] = [ModelKind::BgNbd, ModelKind::ParetoNbd, ModelKind::MbgNbd];

    /// Short name used on the command line ("bgnbd", "pnbd", "mbgnbd").
    pub fn code(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "bgnbd",
            ModelKind::ParetoNbd => "pnbd",
            ModelKind::MbgNbd => "mbgnbd",
        }
    }

    /// Parses a short name (also "bg/nbd", "pareto", ...).
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['/', '-', '_'], "")
            .as_str()
        {
            "bgnbd" | "bg" => Some(ModelKind::BgNbd),
            "pnbd" | "paretonbd" | "pareto" => Some(ModelKind::ParetoNbd),
            "mbgnbd" | "mbg" => Some(ModelKind::MbgNbd),
            _ => None,
        }
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
        }
    }

    /// Plain-language description of the model.
    pub fn description(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "While active, each customer buys at their own steady random rate; rates differ across customers (a Gamma distribution). After every repeat purchase a customer may become inactive for good, with a probability that differs across customers (a Beta distribution). Customers with no repeat purchase are assumed still active.",
            ModelKind::ParetoNbd => "While active, each customer buys at their own steady random rate (Gamma across customers). Each customer stays active for a random, exponentially distributed lifetime whose rate also differs across customers (Gamma). Customers can become inactive at any moment, not only after a purchase.",
            ModelKind::MbgNbd => "Like BG/NBD, but a customer may also become inactive right after the first purchase, so customers without a repeat purchase are not assumed to be active.",
        }
    }

    /// Parameter names in paper order.
    pub fn parameter_names(self) -> [&'static str; 4] {
        match self {
            ModelKind::BgNbd | ModelKind::MbgNbd => ["r", "alpha", "a", "b"],
            ModelKind::ParetoNbd => ["r", "alpha", "s", "beta"],
        }
    }

    /// Plain-language description of a parameter.
    pub fn parameter_description(self, name: &str) -> &'static str {
        match (self, name) {
            (_, "r") => "shape of the spread of purchase rates across customers (small: very uneven buyers)",
            (_, "alpha") => "scale of the purchase rates, in model time units; r/alpha is the mean purchase rate per time unit",
            (ModelKind::ParetoNbd, "s") => "shape of the spread of drop-out rates across customers",
            (ModelKind::ParetoNbd, "beta") => "scale of the drop-out rates, in model time units; s/beta is the mean drop-out rate per time unit",
            (_, "a") => "first shape of the drop-out probability after a purchase; a/(a+b) is its mean",
            (_, "b") => "second shape of the drop-out probability after a purchase",
            _ => "",
        }
    }

    pub(crate) fn default_start(self) -> [f64; 4] {
        // Log of moderate values; the optimizer adds spread starts around it.
        [0.0, 0.0, 0.0, 0.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_kinds_parse_and_serialise_with_cli_codes() {
        for k in ModelKind::ALL {
            assert_eq!(ModelKind::parse(k.code()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
        assert_eq!(ModelKind::parse("BG/NBD"), Some(ModelKind::BgNbd));
        assert_eq!(ModelKind::parse("gg"), None);
    }
}
