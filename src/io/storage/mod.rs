//! Storage of datasets, mappings, settings and results behind a small trait.
