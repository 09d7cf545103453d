//! Shared components: the one loading / ready / error / empty renderer, chart cards with
//! export, sortable tables with paging and export, file downloads, and the form kit.

pub mod chart;
pub mod download;
pub mod explain;
pub mod form;
pub mod status;
pub mod table;
pub mod tour;

pub use chart::ChartCard;
pub use form::NumberField;
pub use status::{Load, StatusView};
pub use table::{Cell, DataTable};
