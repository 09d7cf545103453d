"""Runs the README's customer-summary SQL and the second GROUP BY (the grouped summary) in
DuckDB's Python package on a transaction log; called by tests/grouped_sql.rs.

usage: python grouped_sql.py README.md LOG.csv OUT_DIR

Writes OUT_DIR/summary.csv (customer_id, x, t_x, T, m) and OUT_DIR/grouped.csv
(x, t_x, T, count), floats at full precision (repr), and prints which queries it ran.
The log's columns are customer_id, date, amount (read as VARCHAR, DATE, DOUBLE: ids stay text).
"""
import re
import sys

import duckdb

# The grouped summary: one row per distinct (x, t_x, T) with its number of customers. Used
# when the README has no such block yet (the script says so).
GROUPED_SQL = """SELECT x, t_x, T, COUNT(*) AS count
FROM summary
GROUP BY x, t_x, T
ORDER BY x, t_x, T;"""


def sql_blocks(readme):
    return re.findall(r"```sql\n(.*?)```", readme, flags=re.S)


def main():
    readme_path, log_path, out_dir = sys.argv[1:4]
    readme = open(readme_path, encoding="utf-8").read()
    blocks = sql_blocks(readme)
    summary_sql = next((b for b in blocks if "date_diff('day'" in b), None)
    if summary_sql is None:
        sys.exit("no DuckDB summary query (date_diff('day', ...)) in the README")
    grouped_sql = next(
        (b for b in blocks if re.search(r"GROUP BY\s+x,\s*t_x,\s*T\b", b)), None
    )
    source = "README"
    if grouped_sql is None:
        grouped_sql, source = GROUPED_SQL, "the script (not yet in the README)"
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE transactions AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'customer_id': 'VARCHAR', 'ts': 'DATE', 'amount': 'DOUBLE'})",
        [log_path],
    )
    con.execute("CREATE TABLE summary AS " + summary_sql.strip().rstrip(";"))
    rows = con.execute("SELECT customer_id, x, t_x, T, m FROM summary ORDER BY customer_id").fetchall()
    with open(f"{out_dir}/summary.csv", "w", encoding="utf-8") as f:
        f.write("customer_id,x,t_x,T,m\n")
        for r in rows:
            f.write(f"{r[0]},{r[1]},{float(r[2])!r},{float(r[3])!r},{float(r[4])!r}\n")
    groups = con.execute(grouped_sql.strip().rstrip(";")).fetchall()
    with open(f"{out_dir}/grouped.csv", "w", encoding="utf-8") as f:
        f.write("x,t_x,T,count\n")
        for g in groups:
            f.write(f"{g[0]},{float(g[1])!r},{float(g[2])!r},{g[3]}\n")
    print(f"duckdb {duckdb.__version__}: summary query from the README, {len(rows)} customers; "
          f"grouped query from {source}, {len(groups)} groups")


if __name__ == "__main__":
    main()
