//! Paging the list tools share: the page-size bounds their schemas show, and the cursor
//! settings set on a generated list request.

use serde_json::{Value, json};

/// The largest page the cursor-paged lists (contacts, conversations) take.
pub const MAX_PER_PAGE: u64 = 150;

/// Bounds an optional `per_page` property.
pub fn bound_per_page(schema: &mut Value, max: Option<u64>) {
    if let Some(Value::Object(per_page)) = schema.pointer_mut("/properties/per_page") {
        per_page.insert("minimum".to_owned(), json!(1));
        if let Some(max) = max {
            per_page.insert("maximum".to_owned(), json!(max));
        }
    }
}

/// `$request` (a generated list request) with the `per_page` and `starting_after` that
/// `$input` gives, each only when given. A macro, not a trait: the generated builders share
/// no trait, and naming their types would mean re-exporting the generated `builder` module
/// from `intercom.rs`; this keeps the two setters in one place all the same.
macro_rules! cursor_page {
    ($request:expr, $input:expr) => {{
        let mut request = $request;
        if let Some(per_page) = $input.per_page {
            request = request.per_page(per_page);
        }
        if let Some(cursor) = $input.starting_after {
            request = request.starting_after(cursor);
        }
        request
    }};
}

pub(super) use cursor_page;
