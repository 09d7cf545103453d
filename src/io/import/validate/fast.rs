//! The usual row checked without the general path's issue bookkeeping: the row has the
//! header's width, no optional column is mapped, the customer cell is not empty, the date
//! text is the one parsed last and a used row already had it (so the report's first and last
//! dates include it), and the amount parses. Anything else goes to the general path
//! ([`Validator::check`]), which gives such a row exactly this result.

use super::{parse_number, Row, Valid, Validator};

impl Validator {
    /// The row's [`Valid`] and its counts when it is usual; `None`, having changed nothing,
    /// otherwise.
    #[inline]
    pub(super) fn check_plain<'r>(&mut self, cells: &Row<'r>) -> Option<Valid<'r>> {
        if !self.plain || !self.last_date_used || cells.len() != self.width {
            return None;
        }
        let customer = cells.get(self.customer).filter(|c| !c.is_empty())?;
        if cells.get(self.date)? != self.last_date.0 {
            return None;
        }
        let date = self.last_date.1?;
        let amount = parse_number(cells.get(self.amount)?, self.decimal)?;
        self.report.rows_read += 1;
        self.report.rows_used += 1;
        if amount < 0.0 {
            self.report.negative_amounts += 1;
        }
        Some(Valid {
            customer,
            date,
            amount,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{guess_mapping, read_table, ImportOptions};
    use super::*;

    /// Every row through `check`, with the fast path on and off: the rows, values and report
    /// of each, and how many rows the fast path took.
    fn both(text: &str) -> (String, String, usize) {
        let table = read_table(text.as_bytes(), "t.csv", &ImportOptions::default()).unwrap();
        let mapping = guess_mapping(&table);
        let run = |plain: bool| {
            let mut v = Validator::new(&table, &mapping, &ImportOptions::default()).unwrap();
            v.plain &= plain;
            let mut out = String::new();
            let mut fast = 0;
            for i in 0..table.row_count() as usize {
                let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
                    continue;
                };
                if plain && v.clone().check_plain(&r).is_some() {
                    fast += 1;
                }
                out.push_str(&format!("{:?}\n", v.check(i as u64 + 1, line, r)));
            }
            (format!("{out}{:?}", v.report), fast)
        };
        let ((with, fast), (without, _)) = (run(true), run(false));
        (with, without, fast)
    }

    #[test]
    fn the_fast_path_gives_what_the_general_path_gives() {
        let logs = [
            // Repeated dates with awkward cells between them.
            "customer,date,amount\nC1,2024-01-02,10.50\nC2,2024-01-02,\"1,234.50\"\nC3,2024-01-02,-3\n,2024-01-02,4\nC4,2024-01-02,\nC5,2024-01-02,n/a\nC6,2024-01-02,€5\nC7,2024-01-02,5 EUR\nC8,2024-01-02,(7)\nC9,2024-01-02,+2\nC10,2024-01-02,1e3\n\"C,11\",2024-01-02,2.5\nCé,2024-01-02,3\r\nC12,2024-01-02,4,extra\nC13,2024-01-02\nC14,2024-01-01,1\nC15,2024-01-01, 6 \nC16,2024-01-03,1.5\nC17,2024-01-03,-0\nC18,2024-01-03,12.50-\n",
            // A bad date repeated: its rows are never used, the next good one is.
            "customer,date,amount\nA,2024-02-01,1\nB,2024-13-01,2\nC,2024-13-01,3\nD,2024-02-02,4\nE,2024-02-02,5\nF,,6\nG,2024-02-02,7\n",
            // A bad amount on a new date: the date is not counted until a used row has it.
            "customer,date,amount\nA,2024-03-05,x\nB,2024-03-05,2\nC,2024-03-01,y\nD,2024-03-01,3\nE,2024-03-09,4\n",
            // Semicolons and a decimal comma.
            "kunde;datum;betrag\nK1;01.02.2024;12,50\nK2;01.02.2024;1.234,50\nK3;01.02.2024;-3\nK4;01.02.2024;\"7,25\"\nK5;02.02.2024;9\n",
        ];
        let mut fast = Vec::new();
        for log in logs {
            let (with, without, n) = both(log);
            assert_eq!(with, without, "{log}");
            fast.push(n);
        }
        // The first log's usual rows after a used one, the second's D-E-G, none in the third
        // (no date used twice), the fourth's.
        assert_eq!(fast, [12, 2, 0, 3], "rows the fast path took");
    }

    #[test]
    fn the_fast_path_would_be_caught_if_it_skipped_the_first_and_last_dates() {
        // The first use of a date must go through the general path: a fast path that took
        // it would leave the report's last date behind.
        let (with, _, _) = both("customer,date,amount\nA,2024-01-01,1\nB,2024-01-01,2\nC,2024-05-01,3\nD,2024-05-01,4\n");
        assert!(with.contains("2024-05-01"), "{with}");
    }
}
