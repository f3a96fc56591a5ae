//! Property tests: every tool's arguments generated from its own schema and as arbitrary JSON
//! (`properties.rs`), and lean output on answers generated from the vendored response shapes
//! (`lean_shapes.rs`).
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

mod lean_shapes;
mod properties;
