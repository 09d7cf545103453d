//! Bytes to text: byte-order marks (UTF-8, UTF-16), UTF-8 versus Windows-1252 detection,
//! and telling text from binary files and spreadsheets.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The character encoding a text file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    #[default]
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16Be,
    /// Windows-1252 (a superset of Latin-1), the usual non-UTF-8 export on Windows.
    Windows1252,
}

impl Encoding {
    /// Plain name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with byte-order mark",
            Encoding::Utf16Le => "UTF-16 little-endian",
            Encoding::Utf16Be => "UTF-16 big-endian",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (possibly after decoding).
    Text,
    /// A zip container (xlsx, ods) or an OLE compound file (xls).
    Spreadsheet,
    /// Neither text nor a spreadsheet.
    Binary,
}

/// Classifies the bytes by their first few kilobytes.
pub fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Kind::Spreadsheet;
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Kind::Text;
    }
    let head = bytes.get(..8192).unwrap_or(bytes);
    if head.contains(&0) {
        return Kind::Binary;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if control * 20 > head.len().max(1) {
        Kind::Binary
    } else {
        Kind::Text
    }
}

/// Decodes text bytes, choosing the encoding from a byte-order mark, else UTF-8 when the bytes
/// are valid UTF-8, else Windows-1252. `forced` overrides the detection.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> (Cow<'_, str>, Encoding) {
    let enc = forced.unwrap_or_else(|| detect(bytes));
    let text = match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8_lossy(b)
        }
        Encoding::Utf16Le => UTF_16LE.decode_with_bom_removal(bytes).0,
        Encoding::Utf16Be => UTF_16BE.decode_with_bom_removal(bytes).0,
        Encoding::Windows1252 => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    (text, enc)
}

/// Detects the encoding of text bytes.
pub fn detect(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        Encoding::Utf8Bom
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Encoding::Utf16Le
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Encoding::Utf16Be
    } else if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Windows1252
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_bytes_fall_back_to_windows_1252() {
        let (t, e) = decode(b"Jos\xe9;M\xfcller;\xa3", None);
        assert_eq!(e, Encoding::Windows1252);
        assert_eq!(t, "José;Müller;£");
    }

    #[test]
    fn bom_is_removed_and_reported() {
        let (t, e) = decode(b"\xEF\xBB\xBFid", None);
        assert_eq!((t.as_ref(), e), ("id", Encoding::Utf8Bom));
    }

    #[test]
    fn png_is_binary_and_zip_is_a_spreadsheet() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Kind::Binary);
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Spreadsheet);
        assert_eq!(sniff(b"a,b\n1,2\n"), Kind::Text);
    }
}
