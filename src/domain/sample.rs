//! Seeded generators of sample data with known parameters: a transaction log (BG/NBD purchases,
//! Gamma-Gamma spend), a survey and a subscription cohort.
