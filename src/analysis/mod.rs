//! Analyses above the domain: the tables, grids and reports the pages, the worker and `crm`
//! all show, computed once. Pure: uses the domain (and plain data types), never the worker,
//! the UI or the browser.

pub mod ahead;
pub mod bgnbd_sheet;
pub mod clv;
pub mod cohort;
pub mod compare;
pub mod discrete;
pub mod drivers;
pub mod exercises;
pub mod explain;
pub mod glossary;
pub mod lessons;
pub mod movement;
pub mod numfmt;
pub mod overview;
pub mod satisfaction;
pub mod segment;
pub mod simulator;
