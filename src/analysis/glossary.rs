//! The glossary: every term the app shows, as plain data (id, name, a definition in plain
//! words, the formula as text, related terms). The Glossary page lists it, explain panels link
//! into it (`#/glossary?term=p-alive`), and a native test checks that every id referenced
//! anywhere exists.

/// One glossary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Stable id, used in links (`p-alive`).
    pub id: &'static str,
    /// The name as the app shows it.
    pub name: &'static str,
    /// What it means, in plain words.
    pub definition: &'static str,
    /// The formula as text (empty when the term is a concept without one).
    pub formula: &'static str,
    /// Ids of related terms.
    pub related: &'static [&'static str],
}

const fn t(
    id: &'static str,
    name: &'static str,
    definition: &'static str,
    formula: &'static str,
    related: &'static [&'static str],
) -> Term {
    Term {
        id,
        name,
        definition,
        formula,
        related,
    }
}

/// Every term, in alphabetical order of name.
pub const TERMS: &[Term] = &[
    t("active-customers", "Active customers", "Customers the purchase model thinks are still buying: those whose probability of being alive is at least one half.", "active = number of customers with P(alive) ≥ 0.5", &["p-alive", "customers", "bgnbd"]),
    t("bgbb", "BG/BB", "The discrete-time version of BG/NBD, for purchases that can happen only once per period (yearly donations, events).", "x = periods with a purchase, tₓ = the last such period, n = number of periods", &["bgnbd", "p-alive"]),
    t("bgnbd", "BG/NBD", "Beta-geometric/negative binomial model (Fader, Hardie & Lee 2005): while alive a customer buys at their own steady rate; after each repeat purchase they may drop out for good. Fitted on x, tₓ and T.", "purchase rate λ ~ Gamma(r, α); drop-out chance per purchase p ~ Beta(a, b)", &["pnbd", "mbgnbd", "p-alive", "expected-purchases", "frequency-x", "recency-tx", "age-t"]),
    t("bic", "BIC", "Bayesian information criterion: how well a model fits, with a penalty for each parameter. Lower is better; use it to choose between models fitted on the same data.", "BIC = k·ln(n) − 2·LL (k parameters, n customers, LL the log-likelihood)", &["log-likelihood", "aic"]),
    t("aic", "AIC", "Akaike information criterion: fit with a smaller penalty per parameter than BIC. Lower is better.", "AIC = 2k − 2·LL", &["bic", "log-likelihood"]),
    t("calibration-holdout", "Calibration and holdout", "The data is split at a date: the model is fitted on the calibration period and its predictions are checked against what customers really did in the holdout period.", "predicted holdout purchases vs actual holdout purchases", &["bgnbd", "expected-purchases"]),
    t("ces", "Customer Effort Score (CES)", "How easy customers found it to deal with the firm, on a 1–7 agreement scale.", "CES = mean answer; % agree = share answering 5–7; net = % 6–7 − % 1–3", &["csat", "nps"]),
    t("clv", "Customer lifetime value (CLV)", "The present value of the profit a customer is expected to bring over a horizon: expected purchases times expected spend times margin, each month discounted.", "CLV = Σ_{i=1..H} margin · spend · (E[X(i)] − E[X(i − 1)]) / (1 + d)^i", &["expected-purchases", "expected-spend", "margin", "discount-rate", "customer-equity", "simple-clv"]),
    t("simple-clv", "Simple lifetime value", "The teaching formula: a customer worth margin m each period, kept with retention r, with money discounted at d per period.", "CLV = m · r / (1 + d − r)", &["clv", "retention-rate", "discount-rate", "margin"]),
    t("cluster", "k-means clustering", "Groups customers by similar behaviour (log-transformed, standardized R, F, M and CLV). Each customer joins the nearest of k centres; centres move to their members' mean until nothing changes. Seeded, so the same seed gives the same groups.", "minimise Σ distance² from each customer to its centre", &["silhouette", "rfm"]),
    t("confidence-interval", "Confidence interval (95%)", "A range that would contain the true figure in 95 of 100 repeated samples. Small samples give wide intervals: a difference inside them may be noise.", "estimate ± 1.96 · standard error", &["standard-error", "nps", "csat"]),
    t("csat", "Customer satisfaction (CSAT)", "The share of survey answers in the top boxes of the satisfaction scale (4 or 5 on 1–5 by default).", "CSAT = answers in the top boxes / valid answers (95% Wilson interval)", &["nps", "confidence-interval", "cumulative-satisfaction"]),
    t("cumulative-satisfaction", "Cumulative satisfaction", "A customer's running evaluation over all their experiences: a weighted average of their answers with more weight on the newest. It predicts staying better than the latest answer alone.", "S_t = w · answer_t + (1 − w) · S_{t−1}", &["csat", "disconfirmation"]),
    t("customer-equity", "Customer equity", "The sum of the lifetime values of all current customers: what the customer base is worth.", "customer equity = Σ CLV over all customers", &["clv", "return-on-customer"]),
    t("customers", "Customers", "Distinct customer ids in the transaction log, after the exclusions listed on the Data page.", "customers = number of distinct ids", &["active-customers"]),
    t("disconfirmation", "Expectancy disconfirmation", "Satisfaction is performance against expectations: below them the customer is dissatisfied, equal satisfied, above delighted.", "D = performance − expectation", &["csat", "cumulative-satisfaction"]),
    t("discount-rate", "Discount rate", "How much less money in the future is worth than money today, per period. Future value is divided by (1 + d) for every period it waits.", "present value = value / (1 + d)^i", &["clv", "simple-clv"]),
    t("expected-purchases", "Expected purchases", "How many purchases the model expects a customer to make over the next stretch of time, given their own history (x, tₓ, T).", "E[Y(t) | x, tₓ, T] = (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r + x) · ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))] / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x))", &["bgnbd", "p-alive", "clv"]),
    t("expected-spend", "Expected spend per purchase", "What a customer is expected to spend each time they buy: their own mean pulled toward the average of everyone, more so when they bought few times.", "E[M | x, m] = p(γ + x·m) / (p·x + q − 1)", &["gamma-gamma", "monetary", "clv"]),
    t("frequency-x", "Repeat purchases x", "The number of purchase periods after the first one (several purchases on the same day count once).", "x = purchase occasions − 1", &["recency-tx", "age-t", "frequency"]),
    t("age-t", "Age T", "Time from a customer's first purchase to the end of the data, in the model's time unit.", "T = end of data − first purchase", &["frequency-x", "recency-tx"]),
    t("recency-tx", "Recency tₓ", "Time from a customer's first purchase to their last, in the model's time unit.", "tₓ = last purchase − first purchase", &["frequency-x", "age-t", "recency"]),
    t("gamma-gamma", "Gamma-Gamma spend model", "Models the amount spent per purchase (Fader, Hardie & Lee 2005). It assumes spend does not depend on how often a customer buys: the app checks the correlation.", "spend ~ Gamma(p, ν); ν ~ Gamma(q, γ)", &["expected-spend", "bgnbd"]),
    t("kano", "Kano categories", "Classifies product attributes from paired questions (how do you feel if it is there / if it is not): attractive, one-dimensional, must-be, indifferent, reverse, questionable.", "Better = (A + O)/(A + O + M + I); Worse = −(O + M)/(A + O + M + I)", &["disconfirmation"]),
    t("log-likelihood", "Log-likelihood", "How probable the data is under the fitted model, on a log scale. Higher (closer to zero) is a better fit.", "LL = Σ ln L(x, tₓ, T | parameters)", &["bic", "aic"]),
    t("margin", "Margin", "The part of each sale that is profit, as a share of spend (1 means revenue is counted in full).", "profit = margin × spend", &["clv"]),
    t("mbgnbd", "MBG/NBD", "Modified BG/NBD: like BG/NBD, but a customer can also drop out before their first repeat purchase, so customers who never bought again are not all counted as alive.", "P(alive) = 1 / (1 + a/(b + x) · ((α + T)/(α + tₓ))^(r + x))", &["bgnbd", "p-alive"]),
    t("monetary", "Monetary (M)", "How much a customer spent: the total of their purchases (or the mean, as the page says).", "M = Σ amounts (or the mean)", &["rfm", "recency", "frequency"]),
    t("nps", "Net Promoter Score (NPS)", "Share of promoters (answers 9–10 to \"would you recommend us?\") minus the share of detractors (0–6), in points from −100 to 100.", "NPS = 100 · (p − d); V = p + d − (p − d)²; SE = 100 · √(V/n); 95% interval = NPS ± 1.96 · SE", &["confidence-interval", "csat", "value-at-risk"]),
    t("p-alive", "P(alive)", "The probability that a customer is still a customer (has not silently left), given when and how often they bought.", "BG/NBD: P(alive) = 1 / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x))", &["bgnbd", "active-customers", "expected-purchases"]),
    t("perceived-value", "Customer perceived value", "What the customer gets minus what it costs them, as they see it. Customers choose the offer with the largest difference.", "perceived value = total customer value (product, services, personnel, image) − total customer cost (money, time, energy, psychic)", &["share-of-wallet"]),
    t("pnbd", "Pareto/NBD", "The original buy-till-you-die model (Schmittlein, Morrison & Colombo 1987): customers buy at their own rate and leave at a random moment in continuous time.", "purchase rate λ ~ Gamma(r, α); drop-out rate μ ~ Gamma(s, β)", &["bgnbd", "p-alive"]),
    t("recency", "Recency (R)", "Days from the analysis date (the day after the last date in the data) back to a customer's last purchase. Lower is better, so its score is reversed.", "R = analysis date − last purchase, in days", &["rfm", "frequency", "monetary"]),
    t("frequency", "Frequency (F)", "Number of distinct purchase occasions, the first included.", "F = number of purchase occasions", &["rfm", "recency", "monetary", "frequency-x"]),
    t("relationship-levels", "Relationship levels", "How much a firm invests in a customer relationship: basic, reactive, accountable, proactive, partnership. Valuable segments deserve the higher levels.", "", &["strategy", "clv"]),
    t("retention-rate", "Retention rate", "The share of customers at the start of a period who are still customers at its end.", "sBG: retention in period t = (β + t − 1)/(α + β + t − 1)", &["sbg", "simple-clv"]),
    t("return-on-customer", "Return on customer (ROC)", "What the customer base earned in a period, counting the change in what it is worth, against what it was worth at the start.", "ROC = (cash flow from customers + change in customer equity) / customer equity at the start", &["customer-equity"]),
    t("revenue-concentration", "Revenue concentration (top-20% share)", "The share of all revenue that comes from the fifth of customers who spent the most.", "top-20% share = revenue of the top ⌈0.2 · n⌉ customers / revenue of all n customers", &["monetary", "value-tiers"]),
    t("rfm", "RFM score", "Three scores from 1 to 5 (quintiles): recency, frequency and monetary value. Recency is reversed, so 5 is the most recent. Written as three digits, e.g. 545.", "score = 1 + number of cut points below the value (recency: bins + 1 − that)", &["recency", "frequency", "monetary", "rfm-segment"]),
    t("rfm-segment", "RFM segment", "A named group from the R score and the F score (Champions, Loyal Customers, Potential Loyalists, New Customers, Promising, Need Attention, About to Sleep, At Risk, Can't Lose Them, Hibernating).", "segment = map[R score][F score]", &["rfm", "strategy"]),
    t("sbg", "sBG (shifted beta-geometric)", "The contractual model (Fader & Hardie 2007): each subscriber has their own chance of cancelling each period; the chances vary across subscribers as a beta distribution.", "P(T = 1) = α/(α + β); P(T = t) = (β + t − 2)/(α + β + t − 1) · P(T = t − 1)", &["retention-rate"]),
    t("share-of-wallet", "Share of wallet", "The firm's part of what a customer spends in the whole category.", "share of wallet = spend with the firm / the customer's total spend in the category", &["perceived-value"]),
    t("silhouette", "Silhouette", "How well each customer sits in their cluster compared with the nearest other cluster, from −1 to 1; the average over customers is used to choose k.", "s = (b − a) / max(a, b); a = mean distance within, b = mean distance to the nearest other cluster", &["cluster"]),
    t("standard-error", "Standard error", "How much an estimate would vary from sample to sample.", "for a share p of n: √(p(1 − p)/n)", &["confidence-interval"]),
    t("strategy", "Strategy rules", "The app's rules that suggest a relationship level, a strategy (acquire, develop, retain, win back) and marketing levers for each segment from its figures.", "", &["relationship-levels", "rfm-segment"]),
    t("value-at-risk", "Value at risk", "The lifetime value held by unhappy customers (detractors), who are the likeliest to leave.", "value at risk = Σ CLV of detractors", &["nps", "clv"]),
    t("value-tiers", "Value tiers", "The customer pyramid: customers ranked by value into Platinum (top 5%), Gold (15%), Iron (30%) and Lead (50%), or Heavy / Medium / Light.", "", &["revenue-concentration", "clv"]),
    t("rows-used", "Rows used", "The rows of a file that became purchases. A row that cannot be read (no id, a date or amount that is not one) is left out, counted and listed with its line on the Data page.", "rows used = rows read − rows that could not be used", &["customers"]),
    t("time-unit", "Time unit", "The unit in which the models measure time (tₓ, T and horizons): a day, a week (7 days) or a month (30.4375 days). Chosen on the Data page.", "time in units = days / days per unit", &["recency-tx", "age-t"]),
    t("param-r", "Parameter r", "Shape of how purchase rates differ across customers (a Gamma distribution): small r, a few customers buy far more often than most. Mean rate = r/α purchases per time unit.", "purchase rate λ ~ Gamma(r, α); mean λ = r/α", &["param-alpha", "bgnbd", "pnbd"]),
    t("param-alpha", "Parameter α (alpha)", "Scale of the purchase rates, in time units: with r it sets the average rate r/α. Larger α, slower buyers.", "mean purchase rate = r/α", &["param-r", "bgnbd"]),
    t("param-a", "Parameter a", "With b, the spread of the drop-out chances across customers (a Beta distribution). The average chance of leaving after a purchase is a/(a + b).", "drop-out chance p ~ Beta(a, b); mean p = a/(a + b)", &["param-b", "bgnbd", "mbgnbd"]),
    t("param-b", "Parameter b", "With a, the spread of the drop-out chances; larger b, customers are less likely to leave after each purchase.", "mean drop-out chance = a/(a + b)", &["param-a", "bgnbd"]),
    t("param-s", "Parameter s", "Pareto/NBD: shape of how drop-out rates differ across customers (a Gamma distribution). Mean drop-out rate = s/β per time unit.", "drop-out rate μ ~ Gamma(s, β); mean μ = s/β", &["param-beta", "pnbd"]),
    t("param-beta", "Parameter β (beta)", "Pareto/NBD: scale of the drop-out rates, in time units; with s it sets the average drop-out rate s/β.", "mean drop-out rate = s/β", &["param-s", "pnbd"]),
    t("param-p", "Gamma-Gamma p", "Shape of each purchase's spend around the customer's own mean: larger p, steadier spend from purchase to purchase.", "spend per purchase ~ Gamma(p, ν)", &["gamma-gamma", "param-q", "param-gamma"]),
    t("param-q", "Gamma-Gamma q", "Shape of how customers' mean spends differ: larger q, customers spend more alike.", "ν ~ Gamma(q, γ); average spend = pγ/(q − 1)", &["gamma-gamma", "param-p"]),
    t("param-gamma", "Gamma-Gamma γ (gamma)", "Scale of customers' mean spends: with p and q it sets the average spend per purchase pγ/(q − 1).", "average spend = pγ/(q − 1)", &["gamma-gamma", "param-q"]),
    t("holdout-error", "Holdout error", "How far a model's predictions for the holdout period are from what customers really did: in all (predicted / actual − 1) or per customer (mean absolute difference).", "error = predicted / actual − 1; per customer: Σ |predicted − actual| / n", &["calibration-holdout", "expected-purchases"]),
    t("cohort-value", "Cohort value per customer", "For customers who first bought in the same month or quarter: the margin they brought so far plus the CLV still expected, per customer, set against what acquiring a customer costs.", "value per customer = realised + predicted; CLV/CAC = value per customer / acquisition cost", &["clv", "customer-equity"]),
    t("nps-difference", "Difference of two NPS", "Whether two groups' Net Promoter Scores really differ: the difference with its 95% interval. An interval that includes 0 means the gap may be chance.", "SE = √(SE_a² + SE_b²); interval = difference ± 1.96 · SE; z = difference / SE", &["nps", "confidence-interval", "standard-error"]),
    t("budget-split", "Budget split across segments", "Spending on a segment brings less and less as it grows (diminishing returns). The split gives each segment money until one more unit would bring the same gain everywhere; a segment whose first unit brings less than that gets nothing.", "gain = V · (1 − exp(−s / k)); marginal return V/k · exp(−s / k) equal across funded segments", &["strategy", "value-at-risk"]),
    t("firm-value", "Firm value (customer-based)", "What the firm's customers are worth: the equity of the current customers plus the customers still to be won, each new one worth its lifetime value minus what it costs to acquire, discounted to today.", "firm value = CE + Σ_{t=1..P} N · (CLV_new − CAC) / (1 + d)^t", &["customer-equity", "clv", "discount-rate"]),
    t("relative-weights", "Relative weights (drivers)", "How much of the variation in satisfaction (or in staying) each attribute explains, with correlated attributes shared out fairly (Johnson 2000). The weights add up to R²; the interval comes from re-drawing the answers many times (bootstrap).", "Σ weights = R²; share = weight / R²", &["csat", "confidence-interval"]),
];

/// The entry with this id.
pub fn term(id: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

/// Entries whose name, id, definition or formula contains every word of `query` (case is
/// ignored); every entry for an empty query. Sorted by name.
pub fn search(query: &str) -> Vec<&'static Term> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut out: Vec<&'static Term> = TERMS
        .iter()
        .filter(|t| {
            let hay = format!("{} {} {} {}", t.id, t.name, t.definition, t.formula).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    crate::domain::order::sort_by_key(&mut out, |t| t.name.to_lowercase());
    out
}

/// The link to a term on the Glossary page.
pub fn href(id: &str) -> String {
    format!("#/glossary?term={id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_related_ids_exist() {
        for (i, a) in TERMS.iter().enumerate() {
            assert!(
                TERMS.iter().skip(i + 1).all(|b| b.id != a.id),
                "duplicate {}",
                a.id
            );
            for r in a.related {
                assert!(term(r).is_some(), "{} names unknown {r}", a.id);
            }
        }
    }

    #[test]
    fn search_matches_every_word_ignoring_case() {
        let hits = search("PROMOTERS minus");
        assert!(hits.iter().any(|t| t.id == "nps"));
        assert!(search("no such word anywhere").is_empty());
        assert_eq!(search("").len(), TERMS.len());
    }
}
