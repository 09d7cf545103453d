//! Transactions and the customer summary (x, t_x, T, mean spend) that every model reads.
//!
//! Definitions (Fader & Hardie): purchases on the same day are merged into one purchase
//! occasion; x is the number of *repeat* occasions (the first is not counted); t_x is the time
//! from the first to the last occasion; T is the time from the first occasion to the end of
//! observation; m is the mean value of the repeat occasions (0 when x = 0). Times are expressed
//! in the chosen [`TimeUnit`].

//!
//! Files: `log` (transactions, the compact log, the log being built), `options`, `summary`
//! (the records and how they are built), `excluded` (who is left out, and why), `interner` (id → index while importing), `wire` (compact serde encodings for the worker).

mod discrete;
mod excluded;
mod interner;
mod log;
mod opt;
mod options;
mod summary;
pub(crate) mod wire;

pub use discrete::{discrete_histories, DiscreteCustomer, DiscreteSummary, Period};
pub use excluded::{
    excluded_sentence, excluded_sentence_in, excluded_total, ExcludedCustomers, ExclusionReason,
    EXCLUDED_IDS_LISTED,
};
pub use log::{Transaction, TxColumns, TxLog};
pub use opt::OptF64;
pub use options::{ReturnsPolicy, SummaryOptions, TimeUnit};
pub use summary::{
    natural_id_cmp, summarize, summarize_columns, CustomerRecord, CustomerSummary, Records,
    SummaryError,
};
