//! Streaming: [`TransactionParser`] reads a transaction log in successive byte slices (a web
//! worker reading a 500 MB file piece by piece) and gives exactly what [`read_table`] +
//! [`transactions`] give on the whole file, keeping only an unfinished record in memory.
//!
//! How it stays identical to a whole-file read:
//! - bytes are decoded as they arrive by a stateful decoder (UTF-8, UTF-16, Windows-1252), so a
//!   slice may end inside a character; UTF-8 versus Windows-1252 is decided on the first
//!   non-ASCII character, as a whole-file read decides it (see the caveat below);
//! - text is cut after the last line break outside quotes, so a slice may end inside a quoted
//!   multi-line field or between CR and LF;
//! - detection runs once on a prefix holding at least [`INSPECT_ROWS`] data rows and 64 KiB
//!   (everything a whole-file detection looks at), then every later record is validated with
//!   those settings; what detection counts over the whole file (blank rows, rows of another
//!   width, the widest row) keeps being counted and is patched into the result.
//!
//! Caveat: a file whose first non-ASCII characters are valid UTF-8 but which holds invalid
//! UTF-8 later is read as UTF-8 with replacement characters (a whole read would switch the
//! whole file to Windows-1252); a note says so. Workbooks cannot be read in slices; their bytes
//! are gathered and read on [`finish`](TransactionParser::finish).

use super::decode::{self, Encoding, Kind};
use super::detect::{blank_note, ragged_note, read_table, INSPECT_ROWS, MAX_LISTED, SAMPLE_BYTES};
use super::mapping::{guess_mapping, layout_signature, Mapping};
use super::validate::{transactions, ValidationReport, Validator};
use super::{
    ColumnInfo, ColumnType, Delimiter, Detection, ImportError, ImportOptions, ParsedTable, Preview,
    RawRows, Row,
};
use crate::domain::customers::{Transaction, TxColumns};

/// Initial size of the detection prefix (it grows until it holds [`INSPECT_ROWS`] rows).
pub const DETECT_BYTES: usize = 1 << 20;
/// Bytes looked at to tell text from spreadsheets and binary files.
const SNIFF_BYTES: usize = 8192;

/// Where the decoding stands.
enum Decoding {
    /// Nothing decided: the first bytes are gathered to sniff the kind and a byte-order mark.
    Head,
    /// Text, no byte-order mark, only ASCII so far: UTF-8 or Windows-1252 is still open.
    /// Holds the bytes from the first non-ASCII byte on, until one character decides.
    Ascii(Vec<u8>),
    /// Text with a known encoding.
    Text(Encoding, Box<encoding_rs::Decoder>),
    /// A workbook (or a binary file): gathered whole.
    Whole,
}

struct Running {
    detection: Detection,
    headers: Vec<String>,
    preview: Preview,
    mapping: Mapping,
    validator: Validator,
    delimiter: Delimiter,
    rows: u64,
    lines: u64,
    blank: u64,
    sample_blank: u64,
}

/// What a parse collects: transactions as structs, or in columns (no allocation per row).
enum Collect {
    Rows(Vec<Transaction>),
    Columns(TxColumns),
}

/// Everything a finished parse produced.
#[derive(Debug, Clone)]
pub struct StreamResult {
    /// Usable transactions, in file order (empty when collected in columns).
    pub transactions: Vec<Transaction>,
    /// Usable transactions in columns (when asked for with [`TransactionParser::in_columns`]).
    pub columns: Option<TxColumns>,
    /// Problems found.
    pub report: ValidationReport,
    /// Settings detected (as a whole-file read detects them).
    pub detection: Detection,
    /// The mapping used.
    pub mapping: Mapping,
    /// Column names.
    pub headers: Vec<String>,
    /// The first 20 rows as parsed.
    pub preview: Preview,
    /// Signature of the file layout.
    pub layout: String,
    /// Data rows read.
    pub rows: u64,
}

/// A transaction-log reader fed with successive byte slices.
pub struct TransactionParser {
    opts: ImportOptions,
    file_name: String,
    forced: Option<Mapping>,
    candidates: Vec<Mapping>,
    total: Option<u64>,
    consumed: u64,
    detect_bytes: usize,
    decoding: Decoding,
    /// Raw bytes while the kind is unknown, and of whole (workbook) files.
    raw: Vec<u8>,
    /// Decoded text not yet parsed.
    text: String,
    /// Scan position in `text` for record boundaries, the quote state there, and the end of
    /// the last complete record found.
    scan: usize,
    in_quotes: bool,
    boundary: usize,
    quoting: bool,
    mixed_note: bool,
    state: Option<Running>,
    sample: Option<ParsedTable>,
    out: Collect,
}

impl TransactionParser {
    /// A parser for a file of `total_bytes` (for the progress fraction, when known), with a
    /// mapping (`None`: guessed from the detected table) and import options.
    pub fn new(
        file_name: &str,
        total_bytes: Option<u64>,
        mapping: Option<Mapping>,
        opts: ImportOptions,
    ) -> Self {
        let quoting = opts.delimiter != Some(Delimiter::Whitespace);
        TransactionParser {
            opts,
            file_name: file_name.to_string(),
            forced: mapping,
            candidates: Vec::new(),
            total: total_bytes,
            consumed: 0,
            detect_bytes: DETECT_BYTES,
            decoding: Decoding::Head,
            raw: Vec::new(),
            text: String::new(),
            scan: 0,
            in_quotes: false,
            boundary: 0,
            quoting,
            mixed_note: false,
            state: None,
            sample: None,
            out: Collect::Rows(Vec::new()),
        }
    }

    /// Mappings to try, in order, when none is forced: the first whose layout fits the file
    /// is used, else one is guessed.
    pub fn with_candidates(mut self, candidates: Vec<Mapping>) -> Self {
        self.candidates = candidates;
        self
    }

    /// Collects transactions in columns ([`StreamResult::columns`]) instead of structs.
    pub fn in_columns(mut self) -> Self {
        self.out = Collect::Columns(TxColumns::default());
        self
    }

    /// Sets the initial detection prefix (it still grows until it holds every row detection
    /// inspects); small values exercise the slice-by-slice path in tests.
    pub fn detect_bytes(mut self, n: usize) -> Self {
        self.detect_bytes = n.max(1);
        self
    }

    /// Share of the file consumed, from 0 to 1 (0 when the total is unknown).
    pub fn progress(&self) -> f64 {
        match self.total {
            Some(t) if t > 0 => (self.consumed as f64 / t as f64).min(1.0),
            _ => 0.0,
        }
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The detected settings, once detection has run.
    pub fn detection(&self) -> Option<&Detection> {
        self.state.as_ref().map(|s| &s.detection)
    }

    /// The table detection read (the prefix), once detection has run.
    pub fn sample(&self) -> Option<&ParsedTable> {
        self.sample.as_ref()
    }

    /// Whether the file is gathered whole (a workbook or a binary file).
    pub fn is_whole(&self) -> bool {
        matches!(self.decoding, Decoding::Whole)
    }

    /// Transactions read so far.
    pub fn transactions_so_far(&self) -> u64 {
        match &self.out {
            Collect::Rows(v) => v.len() as u64,
            Collect::Columns(c) => c.len() as u64,
        }
    }

    /// Feeds the next slice of the file.
    ///
    /// # Errors
    /// [`ImportError::BinaryFile`] as soon as the first bytes show it; the errors of
    /// [`read_table`] found on the detection prefix; [`ImportError::MissingColumn`] when no
    /// mapping fits.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.consumed += chunk.len() as u64;
        self.decode(chunk, false)?;
        self.advance(false)
    }

    /// Processes what remains and returns the result.
    ///
    /// # Errors
    /// As [`feed`](Self::feed); also [`ImportError::EmptyFile`] and
    /// [`ImportError::HeaderOnly`] for files with no data.
    pub fn finish(mut self) -> Result<StreamResult, ImportError> {
        self.decode(&[], true)?;
        if matches!(self.decoding, Decoding::Whole) {
            return self.finish_whole();
        }
        self.advance(true)?;
        let encoding = self.encoding();
        let Some(mut s) = self.state.take() else {
            return Err(ImportError::EmptyFile);
        };
        // What a whole-file detection counts over every row.
        if s.detection.encoding.is_some() {
            s.detection.encoding = Some(encoding);
        }
        let blank = s.blank + s.sample_blank;
        if s.blank > 0 {
            let note = blank_note(blank);
            if s.sample_blank > 0 {
                if let Some(n) = s.detection.notes.first_mut() {
                    *n = note;
                }
            } else {
                s.detection.notes.insert(0, note);
            }
        }
        let suffix = " rows have a different number of fields than the header (";
        s.detection.notes.retain(|n| !n.contains(suffix));
        if s.detection.ragged_count > 0 {
            s.detection.notes.push(ragged_note(
                s.detection.ragged_count,
                s.detection.fields as usize,
            ));
        }
        if self.mixed_note {
            s.detection.notes.push(
                "some bytes later in the file are not valid UTF-8 and were replaced; if names look wrong, choose another encoding"
                    .to_string(),
            );
        }
        // Rows wider than any in the detection sample named more columns: the preview names
        // them too, as a whole read's does.
        s.preview.headers.clone_from(&s.headers);
        s.preview.types = s.detection.columns.iter().map(|c| c.kind).collect();
        let shape = ParsedTable::from_raw(RawRows::new(), s.headers.clone(), s.detection.clone());
        let layout = layout_signature(&shape);
        // A mapping guessed on the detection sample carries the sample's layout; rows wider
        // than the sample changed it, and a whole read guesses on the whole table.
        if let Some(sample) = &self.sample {
            if s.mapping.layout == layout_signature(sample) {
                s.mapping.layout.clone_from(&layout);
            }
        }
        let (transactions, columns) = match self.out {
            Collect::Rows(v) => (v, None),
            Collect::Columns(mut c) => {
                c.flush();
                (Vec::new(), Some(c))
            }
        };
        Ok(StreamResult {
            transactions,
            columns,
            report: s.validator.report,
            detection: s.detection,
            mapping: s.mapping,
            headers: s.headers,
            preview: s.preview,
            layout,
            rows: s.rows,
        })
    }

    fn finish_whole(self) -> Result<StreamResult, ImportError> {
        let table = read_table(&self.raw, &self.file_name, &self.opts)?;
        let mapping = self.choose_mapping(&table);
        let (txs, report) = transactions(&table, &mapping, &self.opts)?;
        let (transactions, columns) = match self.out {
            Collect::Rows(_) => (txs, None),
            Collect::Columns(mut c) => {
                for t in &txs {
                    c.push(&t.customer_id, t.date, t.amount, t.margin);
                }
                (Vec::new(), Some(c))
            }
        };
        Ok(StreamResult {
            transactions,
            columns,
            report,
            preview: table.preview(20),
            layout: layout_signature(&table),
            rows: table.row_count(),
            headers: table.headers.clone(),
            detection: table.detection,
            mapping,
        })
    }

    fn choose_mapping(&self, table: &ParsedTable) -> Mapping {
        self.forced
            .clone()
            .or_else(|| self.candidates.iter().find(|m| m.fits(table)).cloned())
            .unwrap_or_else(|| guess_mapping(table))
    }

    /// The encoding as a whole-file read would report it.
    fn encoding(&self) -> Encoding {
        match &self.decoding {
            Decoding::Text(e, _) => *e,
            _ => Encoding::Utf8,
        }
    }

    /// Decodes `chunk` onto `self.text` (or gathers it, before the kind is known).
    fn decode(&mut self, chunk: &[u8], last: bool) -> Result<(), ImportError> {
        if let Decoding::Head = self.decoding {
            self.raw.extend_from_slice(chunk);
            if self.raw.len() < SNIFF_BYTES && !last {
                return Ok(());
            }
            match decode::sniff(&self.raw) {
                Kind::Spreadsheet => {
                    self.decoding = Decoding::Whole;
                    return Ok(());
                }
                Kind::Binary => {
                    if self.raw.iter().all(u8::is_ascii_whitespace) {
                        return Err(ImportError::EmptyFile);
                    }
                    return Err(ImportError::BinaryFile);
                }
                Kind::Text => {}
            }
            let bom = decode::detect(self.raw.get(..3).unwrap_or(&self.raw));
            self.decoding = match (self.opts.encoding, bom) {
                (Some(e), _) => Decoding::Text(e, Box::new(decoder(e))),
                (None, Encoding::Utf8 | Encoding::Windows1252) => Decoding::Ascii(Vec::new()),
                (None, e) => Decoding::Text(e, Box::new(decoder(e))),
            };
            let head = std::mem::take(&mut self.raw);
            return self.decode(&head, last);
        }
        match &mut self.decoding {
            Decoding::Head => Ok(()),
            Decoding::Whole => {
                self.raw.extend_from_slice(chunk);
                Ok(())
            }
            Decoding::Text(e, d) => {
                let replaced = decode_into(d, chunk, &mut self.text, last);
                if replaced && *e == Encoding::Utf8 && self.opts.encoding.is_none() {
                    self.mixed_note = true;
                }
                Ok(())
            }
            Decoding::Ascii(held) => {
                if held.is_empty() {
                    let ascii = if chunk.is_ascii() {
                        chunk.len()
                    } else {
                        chunk.iter().take_while(|b| b.is_ascii()).count()
                    };
                    let (head, rest) = chunk.split_at(ascii);
                    // ASCII is the same text in both encodings.
                    self.text
                        .push_str(std::str::from_utf8(head).unwrap_or_default());
                    if rest.is_empty() {
                        return Ok(());
                    }
                    held.extend_from_slice(rest);
                } else {
                    held.extend_from_slice(chunk);
                }
                // Decide on the first non-ASCII character, as a whole read would on the file.
                let decided = match std::str::from_utf8(held) {
                    Ok(_) => Some(Encoding::Utf8),
                    Err(e) if e.error_len().is_some() => Some(Encoding::Windows1252),
                    Err(e) if e.valid_up_to() > 0 => Some(Encoding::Utf8),
                    Err(_) if last => Some(Encoding::Windows1252),
                    Err(_) => None,
                };
                let Some(enc) = decided else {
                    return Ok(());
                };
                let held = std::mem::take(held);
                // Mid-file: a byte-order mark at the start of a file was seen before this mode
                // was chosen, so bytes EF BB BF here are a character (U+FEFF) in a cell, kept
                // as the whole-file read keeps it, never stripped as a mark.
                self.decoding = Decoding::Text(enc, Box::new(mid_stream_decoder(enc)));
                self.decode(&held, last)
            }
        }
    }

    /// Finds record boundaries in the new text, runs detection once enough is there, then
    /// validates every complete record.
    fn advance(&mut self, last: bool) -> Result<(), ImportError> {
        if matches!(self.decoding, Decoding::Whole) {
            return Ok(());
        }
        if !last {
            self.scan_boundaries();
        }
        if self.state.is_none() {
            if !last && self.boundary < self.detect_bytes {
                return Ok(());
            }
            self.start(last)?;
            if self.state.is_none() {
                return Ok(());
            }
        }
        self.process(last)
    }

    fn scan_boundaries(&mut self) {
        let bytes = self.text.as_bytes();
        let new = bytes.get(self.scan..).unwrap_or(&[]);
        if !self.in_quotes && (!self.quoting || memchr::memchr(b'"', new).is_none()) {
            // No quote in the new text (the usual case): the last line break ends a record.
            if let Some(p) = memchr::memrchr(b'\n', new) {
                self.boundary = self.scan + p + 1;
            }
            self.scan = bytes.len();
            return;
        }
        let mut in_quotes = self.in_quotes;
        let mut boundary = self.boundary;
        for (i, &b) in bytes.iter().enumerate().skip(self.scan) {
            if b == b'"' && self.quoting {
                in_quotes = !in_quotes;
            } else if b == b'\n' && !in_quotes {
                boundary = i + 1;
            }
        }
        self.scan = bytes.len();
        self.in_quotes = in_quotes;
        self.boundary = boundary;
    }

    /// Drops the first `cut` bytes of text (parsed).
    fn consume_text(&mut self, cut: usize) {
        self.text.drain(..cut.min(self.text.len()));
        self.scan = self.scan.saturating_sub(cut);
        self.boundary = self.boundary.saturating_sub(cut);
    }

    /// The end of the first complete record ending at or after `pos` (at most `boundary`).
    fn boundary_after(&self, pos: usize) -> usize {
        let bytes = self.text.as_bytes().get(..self.boundary).unwrap_or(&[]);
        if pos >= bytes.len() {
            return self.boundary;
        }
        if !self.quoting || memchr::memchr(b'"', bytes).is_none() {
            let rest = bytes.get(pos..).unwrap_or(&[]);
            return rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.boundary, |i| pos + i + 1);
        }
        let mut in_quotes = false;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == b'\n' && !in_quotes && i >= pos {
                return i + 1;
            }
        }
        self.boundary
    }

    fn start(&mut self, last: bool) -> Result<(), ImportError> {
        // Detection reads a prefix only (a whole slice may hold hundreds of thousands of rows).
        let mut cut = if self.text.len() <= self.detect_bytes {
            if last {
                self.text.len()
            } else {
                self.boundary
            }
        } else {
            self.boundary_after(self.detect_bytes)
        };
        if last && cut == 0 {
            cut = self.text.len();
        }
        let sample = self.text.get(..cut).unwrap_or("");
        let mut opts = self.opts.clone();
        opts.encoding = Some(Encoding::Utf8);
        let table = read_table(sample.as_bytes(), &self.file_name, &opts);
        let enough = match &table {
            Ok(t) => {
                t.row_count() >= INSPECT_ROWS as u64 && cut > SAMPLE_BYTES
                    || cut == self.text.len() && last
            }
            Err(ImportError::EmptyFile | ImportError::HeaderOnly { .. }) => {
                cut == self.text.len() && last
            }
            Err(_) => true,
        };
        if !enough {
            // Detection must see what it sees in the whole file: read more rows (about as
            // many bytes as the rows needed take, with a margin), or the whole rest at the end.
            let rows = table.as_ref().map_or(0, |t| t.row_count()) as usize;
            let estimate = (cut / rows.max(1)).saturating_mul(INSPECT_ROWS + INSPECT_ROWS / 4);
            self.detect_bytes = if last {
                usize::MAX
            } else {
                self.detect_bytes
                    .saturating_mul(2)
                    .max(estimate)
                    .max(SAMPLE_BYTES + 1)
            };
            return if last { self.start(true) } else { Ok(()) };
        }
        let table = table?;
        let mut table = table;
        table.detection.encoding = Some(self.encoding());
        let mapping = self.choose_mapping(&table);
        let mut vopts = self.opts.clone();
        vopts.decimal = Some(table.detection.decimal);
        let mut validator = Validator::new(&table, &mapping, &vopts)?;
        let sample_blank = table
            .detection
            .notes
            .first()
            .and_then(|n| n.strip_suffix(" blank rows skipped"))
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        let n = table.row_count();
        for i in 0..n as usize {
            let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
                continue;
            };
            if let Some(v) = validator.check(i as u64 + 1, line, r) {
                collect(&mut self.out, v);
            }
        }
        let lines = newlines(sample);
        if let (Collect::Columns(c), Some(total)) = (&mut self.out, self.total) {
            c.reserve(expected_rows(total, cut as u64, n));
        }
        let d = &table.detection;
        self.quoting = d.delimiter != Some(Delimiter::Whitespace);
        self.state = Some(Running {
            delimiter: d.delimiter.unwrap_or(Delimiter::Comma),
            detection: table.detection.clone(),
            headers: table.headers.clone(),
            preview: table.preview(20),
            mapping,
            validator,
            rows: n,
            lines,
            blank: 0,
            sample_blank,
        });
        self.sample = Some(table);
        self.consume_text(cut);
        Ok(())
    }

    fn process(&mut self, last: bool) -> Result<(), ImportError> {
        let cut = if last { self.text.len() } else { self.boundary };
        if cut == 0 {
            return Ok(());
        }
        let Some(s) = self.state.as_mut() else {
            return Ok(());
        };
        let slice = self.text.get(..cut).unwrap_or("");
        let out = &mut self.out;
        let expected = s.detection.fields as usize;
        let base = s.lines;
        let delimiter = s.delimiter;
        s.blank += for_each_row(slice, delimiter, base, |r, line| {
            s.rows += 1;
            if r.len() != expected {
                s.detection.ragged_count += 1;
                if s.detection.ragged_rows.len() < MAX_LISTED {
                    s.detection.ragged_rows.push(s.rows);
                }
            }
            while s.headers.len() < r.len() {
                // A row wider than any before: a whole read names the extra columns too.
                let name = format!("column {}", s.headers.len() + 1);
                s.detection.columns.push(ColumnInfo {
                    name: name.clone(),
                    kind: ColumnType::Empty,
                    non_empty: 0,
                    conforming: 0,
                    date_format: None,
                    example: None,
                });
                s.headers.push(name);
            }
            if let Some(v) = s.validator.check(s.rows, line, r) {
                collect(out, v);
            }
        });
        s.lines += newlines(slice);
        self.consume_text(cut);
        Ok(())
    }
}

/// Calls `f` with each non-blank row of `text` (complete records) and the file line where it
/// starts, exactly as [`read_table`] splits and trims them, through one small reused buffer
/// (no table is built). Returns the number of blank rows skipped.
fn for_each_row(
    text: &str,
    delimiter: Delimiter,
    line_base: u64,
    mut f: impl FnMut(Row<'_>, u64),
) -> u64 {
    let mut buf = String::new();
    let mut ends: Vec<u32> = Vec::new();
    let mut blank = 0;
    match delimiter.byte() {
        Some(b) => {
            if let Some(blank) = simple_rows(text, b, line_base, &mut buf, &mut ends, &mut f) {
                return blank;
            }
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(b)
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut rec = csv::ByteRecord::new();
            // csv-core drops a byte-order mark at the start of its input; these rows continue a
            // file (its head went to detection), so a U+FEFF opening the first row is a
            // character in its first cell, as the whole-file read keeps it: put it back.
            let mut lost_mark = text.starts_with('\u{feff}');
            while let Ok(true) = rdr.read_byte_record(&mut rec) {
                if std::mem::take(&mut lost_mark) && !rec.as_slice().starts_with(b"\xEF\xBB\xBF") {
                    let mut fixed = csv::ByteRecord::new();
                    for (i, field) in rec.iter().enumerate() {
                        if i == 0 {
                            fixed.push_field(&[b"\xEF\xBB\xBF", field].concat());
                        } else {
                            fixed.push_field(field);
                        }
                    }
                    fixed.set_position(rec.position().cloned());
                    rec = fixed;
                }
                let line = rec.position().map_or(0, |p| p.line()) + line_base;
                if rec.iter().all(|f| f.trim_ascii().is_empty()) {
                    blank += 1;
                    continue;
                }
                buf.clear();
                ends.clear();
                for field in rec.iter() {
                    // Valid UTF-8 split at ASCII bytes stays valid.
                    buf.push_str(std::str::from_utf8(field.trim_ascii()).unwrap_or(""));
                    ends.push(u32::try_from(buf.len()).unwrap_or(u32::MAX));
                }
                f(
                    Row {
                        text: &buf,
                        ends: &ends,
                        first: 0,
                        gap: 0,
                    },
                    line,
                );
            }
        }
        None => {
            for (i, l) in text.lines().enumerate() {
                if l.trim().is_empty() {
                    continue;
                }
                buf.clear();
                ends.clear();
                for field in l.split_whitespace() {
                    buf.push_str(field);
                    ends.push(u32::try_from(buf.len()).unwrap_or(u32::MAX));
                }
                f(
                    Row {
                        text: &buf,
                        ends: &ends,
                        first: 0,
                        gap: 0,
                    },
                    line_base + i as u64 + 1,
                );
            }
        }
    }
    blank
}

/// The common shape (no quote character anywhere, no byte-order mark at the start, every
/// carriage return followed by a line feed) split without the general CSV reader: one pass
/// of `memchr` over the delimiter and line feeds. Calls `f` exactly as the csv crate's
/// reader would (same cells, trimmed the same way; the same line numbers, including its
/// counting of a CRLF record's line feed with the next record and empty lines skipped
/// uncounted; rows of only blank cells counted). Returns `None`, having called nothing,
/// when the text needs the general reader.
fn simple_rows(
    text: &str,
    delimiter: u8,
    line_base: u64,
    buf: &mut String,
    ends: &mut Vec<u32>,
    f: &mut impl FnMut(Row<'_>, u64),
) -> Option<u64> {
    let bytes = text.as_bytes();
    if !delimiter.is_ascii()
        || matches!(delimiter, b'"' | b'\r' | b'\n')
        || memchr::memchr(b'"', bytes).is_some()
        || text.starts_with('\u{feff}')
        || memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
    {
        return None;
    }
    let mut blank = 0;
    // Line feeds the csv reader has consumed when the next record starts (it takes a CRLF
    // record's line feed with the record after it), and line feeds before the current line.
    let (mut consumed, mut lines) = (0u64, 0u64);
    let (mut line_start, mut field_start) = (0usize, 0usize);
    // Cell ends relative to the line's start, and whether any cell has blanks to trim.
    ends.clear();
    let mut copied: Vec<u32> = Vec::new();
    let mut padded = false;
    // A cell can only be padded with a space, a tab or a form feed (the other ASCII blanks,
    // CR and LF, never open or close a cell here): text without any (the usual slice) skips
    // the two end tests per cell.
    let blanks = memchr::memchr3(b' ', b'\t', b'\x0c', bytes).is_some();
    let edge = |c: Option<&u8>| c.is_some_and(u8::is_ascii_whitespace);
    for i in super::dense::positions2(bytes, delimiter, b'\n').chain(std::iter::once(bytes.len())) {
        let at_end = i == bytes.len();
        if !at_end && bytes.get(i) == Some(&delimiter) {
            if blanks {
                let cell = bytes.get(field_start..i).unwrap_or(&[]);
                padded |= edge(cell.first()) || edge(cell.last());
            }
            ends.push(u32::try_from(i - line_start).unwrap_or(u32::MAX));
            field_start = i + 1;
            continue;
        }
        let crlf = i > line_start && bytes.get(i - 1) == Some(&b'\r');
        let line_end = if crlf { i - 1 } else { i };
        if line_end == line_start && ends.is_empty() {
            // An empty line: skipped by the csv reader, neither a row nor blank.
        } else {
            if blanks {
                let cell = bytes.get(field_start..line_end).unwrap_or(&[]);
                padded |= edge(cell.first()) || edge(cell.last());
            }
            ends.push(u32::try_from(line_end - line_start).unwrap_or(u32::MAX));
            let line = text.get(line_start..line_end).unwrap_or("");
            if !padded {
                // Cells read in place; only delimiters: every cell empty.
                if line.len() + 1 == ends.len() {
                    blank += 1;
                } else {
                    f(
                        Row {
                            text: line,
                            ends,
                            first: 0,
                            gap: 1,
                        },
                        line_base + 1 + consumed,
                    );
                }
            } else {
                // Trimmed copies, end to end, as the general reader gives them.
                buf.clear();
                copied.clear();
                let mut from = 0usize;
                for &end in ends.iter() {
                    // Split at ASCII bytes, so always on character boundaries.
                    let cell = line.get(from..end as usize).unwrap_or("");
                    buf.push_str(cell.trim_ascii());
                    copied.push(u32::try_from(buf.len()).unwrap_or(u32::MAX));
                    from = end as usize + 1;
                }
                if buf.is_empty() {
                    blank += 1;
                } else {
                    f(
                        Row {
                            text: buf,
                            ends: &copied,
                            first: 0,
                            gap: 0,
                        },
                        line_base + 1 + consumed,
                    );
                }
            }
            consumed = if crlf { lines } else { lines + 1 };
        }
        ends.clear();
        padded = false;
        if at_end {
            break;
        }
        lines += 1;
        line_start = i + 1;
        field_start = i + 1;
    }
    Some(blank)
}

fn collect(out: &mut Collect, v: super::validate::Valid<'_>) {
    match out {
        Collect::Rows(rows) => rows.push(v.into_transaction()),
        Collect::Columns(c) => c.push_batched(v.customer, v.date, v.amount, v.margin),
    }
}

/// Rows a file of `total` bytes holds, judged by its first `sample` bytes holding `rows` rows,
/// with a margin of an eighth (a log's rows are about as long all the way through; room
/// reserved and never used costs address space only, as memory untouched is never committed).
/// At most one row per 4 bytes of the file.
fn expected_rows(total: u64, sample: u64, rows: u64) -> usize {
    if sample == 0 || rows == 0 || total <= sample {
        return 0;
    }
    let est = u128::from(total - sample) * u128::from(rows) / u128::from(sample);
    let est = est + est / 8 + 1024;
    usize::try_from(est.min(u128::from(total / 4))).unwrap_or(0)
}

fn newlines(s: &str) -> u64 {
    // memchr's vectorised search: the byte-by-byte count took 2.4 instructions a byte.
    memchr::memchr_iter(b'\n', s.as_bytes()).count() as u64
}

fn decoder(e: Encoding) -> encoding_rs::Decoder {
    match e {
        Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8.new_decoder_with_bom_removal(),
        Encoding::Utf16Le => encoding_rs::UTF_16LE.new_decoder_with_bom_removal(),
        Encoding::Utf16Be => encoding_rs::UTF_16BE.new_decoder_with_bom_removal(),
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
    }
}

/// A decoder for bytes that continue a file (no byte-order-mark handling).
fn mid_stream_decoder(e: Encoding) -> encoding_rs::Decoder {
    match e {
        Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8.new_decoder_without_bom_handling(),
        Encoding::Utf16Le => encoding_rs::UTF_16LE.new_decoder_without_bom_handling(),
        Encoding::Utf16Be => encoding_rs::UTF_16BE.new_decoder_without_bom_handling(),
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
    }
}

/// Decodes `bytes` onto `out` (replacing malformed sequences); true when any was replaced.
fn decode_into(d: &mut encoding_rs::Decoder, bytes: &[u8], out: &mut String, last: bool) -> bool {
    let mut replaced = false;
    let mut rest = bytes;
    loop {
        let need = d
            .max_utf8_buffer_length(rest.len())
            .unwrap_or(rest.len().saturating_mul(3).saturating_add(16));
        out.reserve(need);
        let (result, read, had) = d.decode_to_string(rest, out, last);
        replaced |= had;
        rest = rest.get(read..).unwrap_or(&[]);
        if result == encoding_rs::CoderResult::InputEmpty {
            return replaced;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_to_reserve_follow_the_sample_with_a_margin_and_a_ceiling() {
        // 1 MB of 25-byte rows in a 26 MB file: about 1,000,000 rows more, plus an eighth.
        let est = expected_rows(26_000_000, 1_000_000, 40_000);
        assert_eq!(est, 1_000_000 + 125_000 + 1024);
        // The whole file was the sample, or nothing to judge by: nothing reserved.
        assert_eq!(expected_rows(1000, 1000, 10), 0);
        assert_eq!(expected_rows(10_000, 0, 0), 0);
        assert_eq!(expected_rows(10_000, 100, 0), 0);
        // Never more than one row per 4 bytes of the file.
        assert_eq!(expected_rows(4_000_000, 10, 100), 1_000_000);
    }

    #[test]
    fn a_log_is_built_in_columns_reserved_from_the_file_size() {
        let mut text = String::from("customer,date,amount\n");
        for i in 0..70_000 {
            text.push_str(&format!(
                "C{},2024-01-{:02},{}\n",
                i % 70,
                i % 28 + 1,
                i % 9
            ));
        }
        let bytes = text.as_bytes();
        let mut p = TransactionParser::new(
            "x.csv",
            Some(bytes.len() as u64),
            None,
            ImportOptions::default(),
        )
        .in_columns()
        .detect_bytes(1 << 16);
        for c in bytes.chunks(1 << 16) {
            p.feed(c).unwrap();
        }
        let cols = p.finish().unwrap().columns.unwrap();
        assert_eq!(cols.log.len(), 70_000);
        // Reserved once, ahead: doubling would have left the columns at 131,072 rows.
        let cap = cols.log.amount.capacity();
        assert!((70_000..=70_000 * 9 / 8 + 2048).contains(&cap), "{cap}");
    }

    #[test]
    fn a_row_wider_than_the_detection_sample_widens_the_preview_as_a_whole_read_does() {
        // Found by tests/fuzz_import.rs: the preview kept the sample's columns.
        let mut text = String::new();
        for i in 0..20_050 {
            text.push_str(&format!(
                "C{},2024-01-{:02},{}\n",
                i % 50,
                i % 28 + 1,
                i % 9
            ));
        }
        text.push_str("A,2024-01-05,10,1\n");
        let bytes = text.as_bytes();
        let opts = ImportOptions::default();
        let table = read_table(bytes, "a.csv", &opts).unwrap();
        let mut p = TransactionParser::new("a.csv", None, None, opts).detect_bytes(1000);
        for c in bytes.chunks(4096) {
            p.feed(c).unwrap();
        }
        let r = p.finish().unwrap();
        assert_eq!(r.headers.len(), 4);
        assert_eq!(r.preview, table.preview(20));
        assert_eq!(r.layout, layout_signature(&table));
        assert_eq!(r.mapping, guess_mapping(&table));
        assert_eq!(r.detection, table.detection);
    }

    #[test]
    fn slices_give_the_same_result_as_one_read() {
        let mut text = String::from("customer;date;amount\n");
        for i in 0..40000 {
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
        let mut p = TransactionParser::new("a.csv", Some(bytes.len() as u64), None, opts)
            .detect_bytes(1000);
        for c in bytes.chunks(7001) {
            p.feed(c).unwrap();
        }
        assert!((p.progress() - 1.0).abs() < 1e-12);
        assert!(p.detection().is_some());
        let r = p.finish().unwrap();
        assert_eq!(r.transactions, whole);
        assert_eq!(r.detection, table.detection);
        assert_eq!(r.report, rep);
        assert_eq!(r.report.rows_rejected, 1);
        assert_eq!(r.report.issues[0].line, 40002);
    }

    /// A file over 1 MB (past the first detection prefix) that starts with a UTF-8 byte-order
    /// mark: `chunks` of the whole file fed one after another.
    fn bom_file() -> Vec<u8> {
        let mut bytes = b"\xEF\xBB\xBFcustomer_id,date,amount\n".to_vec();
        let mut i = 0u32;
        while bytes.len() < (1 << 20) + 300_000 {
            bytes.extend_from_slice(
                format!(
                    "\"C{}\",2024-02-{:02},{}.5\n",
                    i % 3001,
                    i % 28 + 1,
                    i % 400
                )
                .as_bytes(),
            );
            i += 1;
        }
        bytes
    }

    fn sliced(bytes: &[u8], sizes: &[usize]) -> StreamResult {
        let mut p = TransactionParser::new(
            "bom.csv",
            Some(bytes.len() as u64),
            None,
            ImportOptions::default(),
        );
        let mut rest = bytes;
        let mut i = 0;
        while !rest.is_empty() {
            // The sizes in turn, the last one for the rest of the file.
            let n = sizes
                .get(i)
                .or(sizes.last())
                .copied()
                .unwrap_or(1)
                .clamp(1, rest.len());
            let (a, b) = rest.split_at(n);
            p.feed(a).unwrap();
            rest = b;
            i += 1;
        }
        p.finish().unwrap()
    }

    #[test]
    fn a_large_file_with_a_byte_order_mark_reads_the_same_whole_and_in_any_slices() {
        let bytes = bom_file();
        let opts = ImportOptions::default();
        let table = read_table(&bytes, "bom.csv", &opts).unwrap();
        assert_eq!(table.headers[0], "customer_id");
        let (whole, rep) = transactions(&table, &guess_mapping(&table), &opts).unwrap();
        assert_eq!(whole[0].customer_id, "C0");
        let one = sliced(&bytes, &[bytes.len()]);
        // Slices ending inside the mark (1, 2), right after it (3), at odd sizes, at the
        // detection prefix and just past it.
        for sizes in [
            std::iter::repeat_n(1, SNIFF_BYTES + 5)
                .chain([100_003])
                .collect(),
            vec![2, 4096],
            vec![3, 65_536],
            vec![3, DETECT_BYTES - 3, 7],
            vec![7001],
            vec![DETECT_BYTES],
            vec![DETECT_BYTES + 1],
            vec![1, 1, 1, 300_000],
        ] {
            let r = sliced(&bytes, &sizes);
            assert_eq!(
                r.headers,
                table.headers,
                "{:?}",
                &sizes[..sizes.len().min(4)]
            );
            assert_eq!(r.transactions, whole, "{:?}", &sizes[..sizes.len().min(4)]);
            assert_eq!(r.report, rep, "{:?}", &sizes[..sizes.len().min(4)]);
            assert_eq!(
                r.detection,
                table.detection,
                "{:?}",
                &sizes[..sizes.len().min(4)]
            );
            assert_eq!(r.preview, one.preview);
            assert_eq!(r.mapping, one.mapping);
        }
        assert_eq!(one.transactions, whole);
        assert_eq!(one.detection, table.detection);
    }

    /// `head` and a body of plain rows, past the detection prefix when `big`.
    fn file_with_head(head: &[u8], big: bool) -> Vec<u8> {
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(b"customer_id,date,amount\n");
        let mut i = 0u32;
        let size = if big { (1 << 20) + 5000 } else { 20_000 };
        while bytes.len() < size {
            bytes.extend_from_slice(
                format!("C{},2024-02-{:02},{}\n", i % 71, i % 28 + 1, i % 9).as_bytes(),
            );
            i += 1;
        }
        bytes
    }

    type Outcome = Result<(Vec<String>, Vec<Transaction>, Detection), String>;

    fn whole_outcome(bytes: &[u8]) -> Outcome {
        let opts = ImportOptions::default();
        let table = read_table(bytes, "f.csv", &opts).map_err(|e| format!("{e:?}"))?;
        let (txs, _) =
            transactions(&table, &guess_mapping(&table), &opts).map_err(|e| format!("{e:?}"))?;
        Ok((table.headers.clone(), txs, table.detection))
    }

    fn sliced_outcome(bytes: &[u8], sizes: &[usize]) -> Outcome {
        let mut p = TransactionParser::new("f.csv", None, None, ImportOptions::default());
        let mut rest = bytes;
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes
                .get(i)
                .or(sizes.last())
                .copied()
                .unwrap_or(1)
                .clamp(1, rest.len());
            let (a, b) = rest.split_at(n);
            p.feed(a).map_err(|e| format!("{e:?}"))?;
            rest = b;
            i += 1;
        }
        let r = p.finish().map_err(|e| format!("{e:?}"))?;
        Ok((r.headers, r.transactions, r.detection))
    }

    #[test]
    fn a_byte_order_mark_inside_a_file_is_a_character_whole_and_in_slices() {
        // ASCII up to a row whose customer id starts with U+FEFF (bytes EF BB BF): the sliced
        // reader picks its decoder there, mid-file, and a slice of rows may start with it;
        // neither may strip it as a mark (found by the long fuzz run: seed
        // 337804186672505362, cases 828, 24395 and 59794).
        for big in [false, true] {
            let mut bytes = file_with_head(b"", big);
            bytes.extend_from_slice(b"\xEF\xBB\xBFC9,2024-02-03,4\nC1,2024-02-04,5\n");
            let want = whole_outcome(&bytes);
            let (_, txs, _) = want.clone().unwrap();
            assert!(txs.iter().any(|t| t.customer_id == "\u{feff}C9"));
            for sizes in [
                vec![bytes.len()],
                vec![7001],
                vec![DETECT_BYTES + 1],
                vec![3],
            ] {
                assert_eq!(sliced_outcome(&bytes, &sizes), want, "big {big}, {sizes:?}");
            }
        }
    }

    #[test]
    fn text_after_a_byte_order_mark_reads_the_same_whole_and_in_slices() {
        for head in [
            &b"\xEF\xBB\xBF"[..],
            b"\xEF\xBB\xBF\xEF\xBB\xBF",
            b"\xEF\xBB\xBF\n",
            b"\xEF\xBB\xBF\xff\xfe",
            b"\xEF\xBB\xBF\"\"",
        ] {
            for big in [false, true] {
                let bytes = file_with_head(head, big);
                let want = whole_outcome(&bytes);
                for sizes in [
                    vec![bytes.len()],
                    vec![1, 2, 4096],
                    vec![3, 65_536],
                    vec![7001],
                ] {
                    let got = sliced_outcome(&bytes, &sizes);
                    assert_eq!(got, want, "head {head:?}, big {big}, sizes {sizes:?}");
                }
            }
        }
    }
}
