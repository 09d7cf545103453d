//! `crm summarize`: read a transaction log (any supported export), print the detection and
//! validation report to stderr, and write the customer summary as CSV.

use crate::input::{load_summary, InputArgs};
use crm::io::export::neutralize_cell;

/// Arguments of `crm summarize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file and how to read it (boxed: it is large, and `Command` holds it by value).
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Write the summary here instead of standard output.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

/// Runs `crm summarize`.
///
/// # Errors
/// A message when the file cannot be read, has no usable rows, or the output cannot be written.
pub fn run(args: &Args) -> Result<(), String> {
    let (summary, report) = load_summary(&args.input)?;
    eprint!("{report}");
    if let Some(sentence) = crm::domain::customers::excluded_sentence(&summary.excluded) {
        eprintln!("{sentence}.");
        // The first ids of each reason; the page lists up to 1,000.
        const SHOWN: usize = 20;
        for e in &summary.excluded {
            let shown = e.ids.get(..SHOWN).unwrap_or(&e.ids);
            let more = match e.count.saturating_sub(shown.len() as u64) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            eprintln!("  {}: {}{more}", e.reason.describe(), shown.join(", "));
        }
    }
    let split = summary.calibration_end.is_some();
    let mut headers = vec![
        "id",
        "x",
        "t_x",
        "T",
        "monetary",
        "occasions",
        "total_spend",
    ];
    if split {
        headers.extend(["holdout_x", "holdout_spend"]);
    }
    // Written straight into one buffer, numbers formatted into one reused cell: no
    // allocation per customer. Numbers (digits, '-', '.') never need quotes; the id gets the
    // csv writer's own quoting (`push_csv_field`) after the same formula guard as `write_csv`.
    let mut csv: Vec<u8> = Vec::with_capacity(64 * summary.customers.len() + 64);
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            csv.push(b',');
        }
        push_csv_field(&mut csv, neutralize_cell(h).as_bytes());
    }
    csv.push(b'\n');
    for c in &summary.customers {
        push_csv_field(&mut csv, neutralize_cell(&c.id).as_bytes());
        let mut values = [c.x, c.t_x, c.t, c.monetary, 0.0, c.total_spend, 0.0, 0.0];
        if split {
            values[6] = c.holdout_x.unwrap_or(0.0);
            values[7] = c.holdout_spend.unwrap_or(0.0);
        }
        let count = if split { 8 } else { 6 };
        for (i, v) in values.iter().take(count).enumerate() {
            csv.push(b',');
            if i == 4 {
                itoa_into(u64::from(c.occasions), &mut csv);
            } else {
                num_into(*v, &mut csv);
            }
        }
        csv.push(b'\n');
    }
    match &args.output {
        Some(p) => std::fs::write(p, csv).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&csv)
                .map_err(|e| format!("standard output: {e}"))
        }
    }
}

/// Appends one field as the csv crate's writer writes it (quote style "necessary", record
/// terminator `\n`): in double quotes, inner quotes doubled, when it holds a comma, a double
/// quote, a carriage return or a line feed; as it is otherwise.
fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// A number with at most 6 decimals, trailing zeros removed (as `format!("{v:.6}")` then
/// trimmed, `-0` written `0`).
#[cfg(test)]
fn num(v: f64) -> String {
    let mut s = Vec::new();
    num_into(v, &mut s);
    String::from_utf8(s).unwrap_or_default()
}

/// Appends `v` as [`num`] writes it. Exact without `format!` for |v| < 2^52: `v` is m·2^e
/// exactly, so v·10^6 rounded half to even (as the standard formatter rounds) is integer
/// arithmetic on 128 bits.
fn num_into(v: f64, out: &mut Vec<u8>) {
    if !v.is_finite() || v.abs() >= 4_503_599_627_370_496.0 {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        out.extend_from_slice(if s == "-0" { "0" } else { s }.as_bytes());
        return;
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    };
    let scaled = u128::from(m) * 1_000_000;
    let n: u128 = if e >= 0 {
        scaled << e
    } else if -e >= 120 {
        0
    } else {
        let shift = -e as u32;
        let q = scaled >> shift;
        let r = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if r > half || (r == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    if n == 0 {
        out.push(b'0');
        return;
    }
    if v < 0.0 {
        out.push(b'-');
    }
    // On 64 bits when it fits (|v| < 1.8e13, nearly always): 128-bit division is a slow
    // library call.
    let (int, mut dec) = match u64::try_from(n) {
        Ok(n) => (u128::from(n / 1_000_000), (n % 1_000_000) as u32),
        Err(_) => (n / 1_000_000, (n % 1_000_000) as u32),
    };
    itoa_into(int as u64, out);
    if dec > 0 {
        let mut digits = 6;
        while dec % 10 == 0 {
            dec /= 10;
            digits -= 1;
        }
        out.push(b'.');
        let mut buf = [b'0'; 6];
        for slot in buf.iter_mut().take(digits).rev() {
            *slot = b'0' + (dec % 10) as u8;
            dec /= 10;
        }
        out.extend_from_slice(buf.get(..digits).unwrap_or(&[]));
    }
}

/// Appends `n` in decimal.
fn itoa_into(mut n: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or(&[]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(v: f64) -> String {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    }

    #[test]
    fn numbers_are_written_as_the_standard_formatter_writes_them() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.0078125,
            1.0078125,
            2.5e-7,
            -2.5e-7,
            5e-7,
            1.5e-6,
            0.0000005,
            1e-300,
            5e-324,
            1e15,
            4.5e15,
            9.9e15,
            123_456.789_012_5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            48.857142857142854,
            1.0 / 3.0,
            2.0 / 3.0,
        ];
        for k in 0..2000 {
            // Ties at the sixth decimal: odd multiples of 2^-7 · 10^-... are exact halves.
            values.push(f64::from(k) / 128.0);
            values.push(f64::from(k) * 0.5e-6);
            values.push(f64::from(k) / 7.0);
        }
        for _ in 0..200_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let scale = 10f64.powi((x >> 58) as i32 - 30);
            values.push(((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * scale);
            values.push(f64::from_bits(x >> 1));
        }
        for v in values {
            assert_eq!(num(v), reference(v), "{v:e}");
        }
    }

    #[test]
    fn fields_are_quoted_as_the_csv_writer_quotes_them() {
        let fields: [&[u8]; 12] = [
            b"",
            b"plain",
            b"a,b",
            b"say \"hi\"",
            b"\"",
            b"line\nbreak",
            b"cr\rhere",
            b" padded ",
            b"semi;colon",
            b"tab\there",
            "caf\u{e9}".as_bytes(),
            b"'=1+2",
        ];
        for f in fields {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .flexible(true)
                .from_writer(Vec::new());
            w.write_record([f, b"1".as_slice()]).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = Vec::new();
            push_csv_field(&mut got, f);
            got.extend_from_slice(b",1\n");
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(f));
        }
    }

    #[test]
    fn counts_are_written_in_decimal() {
        for n in [0, 1, 9, 10, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut s = Vec::new();
            itoa_into(n, &mut s);
            assert_eq!(s, n.to_string().as_bytes());
        }
    }
}
