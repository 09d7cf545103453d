//! Satisfaction scores: NPS, CSAT, CES, expectancy disconfirmation, cumulative satisfaction,
//! importance-performance analysis and Kano.
