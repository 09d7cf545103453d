//! Streaming: [`TransactionParser`] reads a transaction log in successive byte slices (a web
//! worker reading a 500 MB file piece by piece), detects the settings on the first 256 KiB,
//! then validates each complete record as it arrives, keeping only the unfinished tail.
//! Workbooks cannot be read in slices; their bytes are gathered and read on [`finish`].
//!
//! [`finish`]: TransactionParser::finish

use super::decode::{self, Encoding, Kind};
use super::detect::{parse_text, read_table};
use super::mapping::{guess_mapping, Mapping};
use super::validate::{transactions, ValidationReport, Validator};
use super::{Delimiter, Detection, ImportError, ImportOptions, ParsedTable};
use crate::domain::customers::Transaction;

const DETECT_BYTES: usize = 256 * 1024;

struct Running {
    detection: Detection,
    mapping: Mapping,
    validator: Validator,
    encoding: Encoding,
    delimiter: Delimiter,
    header_pending: bool,
    rows: u64,
    lines: u64,
}

/// Everything a finished parse produced.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamResult {
    /// Usable transactions, in file order.
    pub transactions: Vec<Transaction>,
    /// Problems found.
    pub report: ValidationReport,
    /// Settings detected on the first slice.
    pub detection: Detection,
    /// The mapping used.
    pub mapping: Mapping,
}

/// A transaction-log reader fed with successive byte slices.
pub struct TransactionParser {
    opts: ImportOptions,
    file_name: String,
    mapping: Option<Mapping>,
    total: Option<u64>,
    consumed: u64,
    pending: Vec<u8>,
    spreadsheet: bool,
    started: bool,
    state: Option<Running>,
    out: Vec<Transaction>,
}

impl TransactionParser {
    /// A parser for a file of `total_bytes` (for the progress fraction, when known), with a
    /// mapping (`None`: guessed from the first slice) and import options.
    pub fn new(
        file_name: &str,
        total_bytes: Option<u64>,
        mapping: Option<Mapping>,
        opts: ImportOptions,
    ) -> Self {
        TransactionParser {
            opts,
            file_name: file_name.to_string(),
            mapping,
            total: total_bytes,
            consumed: 0,
            pending: Vec::new(),
            spreadsheet: false,
            started: false,
            state: None,
            out: Vec::new(),
        }
    }

    /// Share of the file consumed, from 0 to 1 (0 when the total is unknown).
    pub fn progress(&self) -> f64 {
        match self.total {
            Some(t) if t > 0 => (self.consumed as f64 / t as f64).min(1.0),
            _ => 0.0,
        }
    }

    /// The detected settings, once the first slice has been processed.
    pub fn detection(&self) -> Option<&Detection> {
        self.state.as_ref().map(|s| &s.detection)
    }

    /// Transactions read so far.
    pub fn transactions_so_far(&self) -> u64 {
        self.out.len() as u64
    }

    /// Feeds the next slice of the file.
    ///
    /// # Errors
    /// The [`ImportError`]s of [`read_table`] (detected on the first slice) and
    /// [`ImportError::MissingColumn`] when no mapping fits.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.consumed += chunk.len() as u64;
        self.pending.extend_from_slice(chunk);
        if !self.started {
            if self.pending.len() < DETECT_BYTES {
                return Ok(());
            }
            self.start(false)?;
            if !self.started {
                return Ok(());
            }
        }
        self.process(false)
    }

    /// Processes what remains and returns the result.
    ///
    /// # Errors
    /// As [`feed`](Self::feed); also [`ImportError::EmptyFile`] and
    /// [`ImportError::HeaderOnly`] for files with no data.
    pub fn finish(mut self) -> Result<StreamResult, ImportError> {
        if !self.started {
            self.start(true)?;
        }
        if self.spreadsheet {
            let table = read_table(&self.pending, &self.file_name, &self.opts)?;
            let mapping = self.mapping.take().unwrap_or_else(|| guess_mapping(&table));
            let (transactions, report) = transactions(&table, &mapping, &self.opts)?;
            return Ok(StreamResult {
                transactions,
                report,
                detection: table.detection,
                mapping,
            });
        }
        self.process(true)?;
        let Some(s) = self.state else {
            return Err(ImportError::EmptyFile);
        };
        Ok(StreamResult {
            transactions: self.out,
            report: s.validator.report,
            detection: s.detection,
            mapping: s.mapping,
        })
    }

    fn start(&mut self, last: bool) -> Result<(), ImportError> {
        self.started = true;
        if decode::sniff(&self.pending) == Kind::Spreadsheet {
            self.spreadsheet = true;
            return Ok(());
        }
        let cut = if last {
            self.pending.len()
        } else {
            record_boundary(&self.pending, self.opts.delimiter)
        };
        if cut == 0 && !last {
            // No complete record yet (or UTF-16, read whole): wait for more bytes.
            self.started = false;
            return Ok(());
        }
        let sample = self.pending.get(..cut).unwrap_or(&self.pending);
        let table: ParsedTable = read_table(sample, &self.file_name, &self.opts)?;
        let mapping = self.mapping.take().unwrap_or_else(|| guess_mapping(&table));
        let mut opts = self.opts.clone();
        opts.decimal = Some(table.detection.decimal);
        let validator = Validator::new(&table, &mapping, &opts)?;
        let d = &table.detection;
        self.state = Some(Running {
            encoding: d.encoding.unwrap_or_default(),
            delimiter: d.delimiter.unwrap_or(Delimiter::Comma),
            header_pending: d.has_header,
            detection: table.detection,
            mapping,
            validator,
            rows: 0,
            lines: 0,
        });
        Ok(())
    }

    fn process(&mut self, last: bool) -> Result<(), ImportError> {
        if self.spreadsheet {
            return Ok(());
        }
        let Some(s) = self.state.as_mut() else {
            return Ok(());
        };
        let cut = if last {
            self.pending.len()
        } else {
            record_boundary(&self.pending, Some(s.delimiter))
        };
        if cut == 0 {
            return Ok(());
        }
        let slice = self.pending.get(..cut).unwrap_or(&[]);
        let text = if s.lines == 0 {
            decode::decode(slice, Some(s.encoding)).0
        } else {
            // No byte-order mark after the first slice.
            let enc = match s.encoding {
                Encoding::Utf8Bom => Encoding::Utf8,
                e => e,
            };
            decode::decode(slice, Some(enc)).0
        };
        let mut notes = Vec::new();
        let raw = parse_text(&text, s.delimiter, s.lines, &mut notes)?;
        let newlines = text.bytes().filter(|&b| b == b'\n').count() as u64;
        for i in 0..raw.len() {
            let (Some(r), Some(line)) = (raw.row(i), raw.lines.get(i).copied()) else {
                continue;
            };
            if s.header_pending {
                s.header_pending = false;
                continue;
            }
            s.rows += 1;
            if let Some(t) = s.validator.push(s.rows, line, r) {
                self.out.push(t);
            }
        }
        s.lines += newlines;
        self.pending.drain(..cut);
        Ok(())
    }
}

/// The end of the last complete record: just after the last line break outside quotes.
fn record_boundary(bytes: &[u8], delimiter: Option<Delimiter>) -> usize {
    let quoting = delimiter.is_none_or(|d| d != Delimiter::Whitespace);
    let mut in_quotes = false;
    let mut cut = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if quoting && b == b'"' {
            in_quotes = !in_quotes;
        } else if b == b'\n' && !in_quotes {
            cut = i + 1;
        }
    }
    // UTF-16 cannot be cut at a byte; read it whole.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return 0;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_give_the_same_result_as_one_read() {
        let mut text = String::from("customer;date;amount\n");
        for i in 0..20000 {
            text.push_str(&format!(
                "{:04};{:02}.03.2024;\"{},50\"\n",
                i % 97,
                i % 28 + 1,
                i
            ));
        }
        text.push_str("x;bad;1\n");
        let bytes = text.as_bytes();
        let opts = ImportOptions::default();
        let table = read_table(bytes, "a.csv", &opts).unwrap();
        let (whole, rep) = transactions(&table, &guess_mapping(&table), &opts).unwrap();
        let mut p = TransactionParser::new("a.csv", Some(bytes.len() as u64), None, opts);
        for c in bytes.chunks(7001) {
            p.feed(c).unwrap();
        }
        assert!((p.progress() - 1.0).abs() < 1e-12);
        let r = p.finish().unwrap();
        assert_eq!(r.transactions, whole);
        assert_eq!(r.report.rows_rejected, 1);
        assert_eq!(r.report.issues[0].to_string(), rep.issues[0].to_string());
        assert_eq!(r.report.issues[0].line, 20002);
    }
}
