//! Shared components: the one loading / ready / error / empty renderer, chart cards with
//! export, sortable tables with paging and export, and file downloads.

pub mod chart;
pub mod download;
pub mod status;
pub mod table;

pub use chart::ChartCard;
pub use status::{Load, StatusView};
pub use table::{Cell, DataTable};
