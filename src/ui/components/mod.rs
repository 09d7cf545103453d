//! Shared components: the one loading / ready / error / empty renderer, chart cards with
//! export, sortable tables with paging and export, file downloads, the form kit, and collapsible page sections with a
//! contents bar.

pub mod chart;
pub mod contents;
pub mod download;
pub mod explain;
pub mod explain_figures;
pub mod form;
pub mod section;
pub mod settings;
pub mod status;
pub mod table;
pub mod tour;

pub use chart::ChartCard;
pub use contents::Contents;
pub use form::{Input, NumberField};
pub use section::Section;
pub use status::{JobStatus, Load, StatusView};
pub use table::{Cell, DataTable, LazyRows, RowSource};
