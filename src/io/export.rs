//! Export: CSV tables and JSON project files.
