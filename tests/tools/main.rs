//! The tools against a mock Intercom: the exact requests they send (`requests.rs`), the request
//! policy (`reliability.rs`) and under load (`in_flight.rs`), failures (`errors.rs`), defaults that save a round trip
//! (`defaults.rs`), the directory resources (`directory.rs`), argument checks
//! (`validation.rs`) and arguments taken as meant (`lenient.rs`), what the model reads (`output.rs`) and customer text in it
//! (`untrusted.rs`).
//!
//! One test binary: every test binary links the whole crate, and CI pays for each link.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../common/mod.rs"]
mod common;

mod defaults;
mod directory;
mod errors;
mod in_flight;
mod lenient;
mod output;
mod reliability;
mod requests;
mod untrusted;
mod validation;
