//! Customer lifetime value: the teaching formula, historical CLV, the buy-till-you-die models
//! (BG/NBD, Pareto/NBD, MBG/NBD), Gamma-Gamma spend and the shifted-beta-geometric model.

pub mod bgnbd;
pub mod mbgnbd;
pub mod optim;
pub mod pnbd;
pub mod special;
