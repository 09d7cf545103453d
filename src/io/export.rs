//! Export: tables of text as CSV (RFC 4180 quoting: fields holding the delimiter, a quote or a
//! line break are quoted, quotes doubled).

/// Writes a header and rows as CSV text with `\n` line ends.
pub fn write_csv<H: AsRef<str>, S: AsRef<str>, R: AsRef<[S]>>(headers: &[H], rows: &[R]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(headers.iter().map(AsRef::as_ref));
    for r in rows {
        let _ = w.write_record(r.as_ref().iter().map(AsRef::as_ref));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_delimiters_quotes_and_newlines_are_quoted() {
        let out = write_csv(&["id", "note"], &[vec!["007", "a, \"b\"\nc"]]);
        assert_eq!(out, "id,note\n007,\"a, \"\"b\"\"\nc\"\n");
    }
}
