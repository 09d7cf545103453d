"""Runs the README's Spark SQL customer summary and its grouped form (both read from README.md) on Spark in local mode.

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
readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
# The README's Spark SQL block (the one after "Spark SQL:"), run as written but for the end date.
block = readme.split("Spark SQL:\n```sql\n", 1)[1].split("```", 1)[0]
summary_sql = block.replace("2020-09-29", end).rstrip().rstrip(";")
grouped_block = readme.split("group it once more;", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]
grouped_sql = grouped_block.rstrip().rstrip(";")
summary = spark.sql(summary_sql)
summary.createOrReplaceTempView("summary")
grouped = spark.sql(grouped_sql)
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
