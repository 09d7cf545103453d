//! Value and strategy: customer equity, return on customer, retention what-if and budget
//! allocation across segments.
