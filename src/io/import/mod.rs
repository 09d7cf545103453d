//! Import: read CSV/TSV/whitespace/Excel bytes, detect delimiter, header, types, date and number
//! formats, map columns to roles and validate, with every problem located by row and column.
