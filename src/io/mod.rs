//! Bytes to domain and back: import (format and type detection, column mapping, validation),
//! export (CSV, JSON project files) and storage (a trait with in-memory and IndexedDB backends).

pub mod export;
pub mod import;
pub mod key;
pub mod report;
pub mod storage;
pub mod workbook;
