"""Runs the README's Spark SQL customer summary and its grouped form on Spark in local mode.

usage: python spark_check.py TRANSACTIONS.csv END_DATE OUT_DIR
Writes OUT_DIR/summary.csv (customer_id,x,t_x,T,m) and OUT_DIR/grouped.csv (x,t_x,T,count).
"""
import csv, os, sys, time
from pyspark.sql import SparkSession

path, end, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
t0 = time.time()
spark = (SparkSession.builder.master("local[2]").appName("crm-summary")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
(spark.read.option("header", True).csv(path)
      .selectExpr("customer_id", "date AS ts", "CAST(amount AS DOUBLE) AS amount")
      .createOrReplaceTempView("transactions"))
summary_sql = f"""
WITH t AS (
  SELECT customer_id, to_date(ts) AS day, amount,
         MIN(to_date(ts)) OVER (PARTITION BY customer_id) AS first_day
  FROM transactions WHERE to_date(ts) <= DATE '{end}')
SELECT customer_id,
       COUNT(DISTINCT day) - 1 AS x,
       datediff(MAX(day), MIN(day)) / 7.0 AS t_x,
       datediff(DATE '{end}', MIN(day)) / 7.0 AS T,
       CASE WHEN COUNT(DISTINCT day) > 1
            THEN SUM(CASE WHEN day > first_day THEN amount ELSE 0 END) / (COUNT(DISTINCT day) - 1)
            ELSE 0 END AS m
FROM t GROUP BY customer_id ORDER BY customer_id"""
summary = spark.sql(summary_sql)
summary.createOrReplaceTempView("summary")
grouped = spark.sql("SELECT x, t_x, T, COUNT(*) AS count FROM summary GROUP BY x, t_x, T ORDER BY x, t_x, T")
for name, df in (("summary", summary), ("grouped", grouped)):
    rows = df.collect()
    with open(os.path.join(out, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(df.columns)
        for r in rows:
            w.writerow(list(r))
    print(name, len(rows), "rows")
print("spark seconds", round(time.time() - t0, 1), "version", spark.version)
spark.stop()
