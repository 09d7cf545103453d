//! Pure domain logic: the customer summary every model reads, the models themselves, and the
//! seeded generators of sample data. Nothing here touches the browser, files or the clock.

pub mod clv;
pub mod customers;
pub mod draw;
pub mod order;
pub mod sample;
pub mod satisfaction;
pub mod segmentation;
pub mod value;
