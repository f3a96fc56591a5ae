//! Intercom's answers as regen vendors them (`openapi/intercom-2.11-responses.json`), for
//! tests: the file itself, the checker of values against its shapes (`check.rs`, shared with
//! xtask), and random answers in those shapes (`generate.rs`). Read from the repository, never
//! from `../shared`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod check;
pub mod generate;

use serde_json::Value;

/// The vendored response shapes.
pub fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/intercom-2.11-responses.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The shape of `operation`'s success answer (its one 2xx status).
pub fn answer(shapes: &Value, operation: &str) -> Value {
    let responses = shapes["operations"][operation]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("no operation {operation} in the vendored shapes"));
    assert_eq!(responses.len(), 1, "{operation}: {responses:?}");
    responses.values().next().unwrap().clone()
}

/// The shape of every failed request's body.
pub fn error(shapes: &Value) -> Value {
    shapes["error"].clone()
}
