//! The check that the lean form loses nothing: every non-empty value of Intercom's answer is
//! in the lean text, under its own key, in the form the rules of `docs/output.md` give it.
//! Used on fixed answers (tests/tools/output.rs) and on answers generated from the vendored
//! response shapes (tests/properties/lean_shapes.rs).

use intercom_mcp::output::{self, WORKSPACE_IDS};
use serde_json::{Value, json};

/// Panics naming the first value of `raw` missing from `lean_text`. Left out by the rules,
/// and so not looked for: defaults (rule 1: empty values anywhere, `false` and `0` outside
/// custom attributes), kind `type`s (2), a list wrapper's own `url`, and list counts and pages
/// (3, 7: checked on their own), API paths and workspace ids (4), an `updated_at` or
/// `notified_at` equal to `created_at` (5). Custom attributes are the customer's data: no rule
/// but rule 1's empties touches what is inside them.
/// Fence markers around customer text are an addition, not a change: they are taken out
/// before the search.
pub fn assert_lossless(raw: &Value, lean_text: &str, at: &str) {
    check(raw, &super::unfenced(lean_text), at, false);
}

fn check(raw: &Value, lean_text: &str, at: &str, customer_data: bool) {
    let dropped_as_default = |value: &Value| {
        if customer_data {
            output::is_empty(value)
        } else {
            output::is_default(value)
        }
    };
    match raw {
        Value::Object(map) => {
            let list_wrapper = map
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|kind| kind == "list" || kind.ends_with(".list"));
            for (key, value) in map {
                let here = format!("{at}.{key}");
                let documented_drop = dropped_as_default(value)
                    || output::is_kind_type(key, value)
                    || WORKSPACE_IDS.contains(&key.as_str())
                    || (key == "url" && value.as_str().is_some_and(|url| url.starts_with('/')))
                    || (key == "url" && list_wrapper)
                    || (matches!(key.as_str(), "updated_at" | "notified_at")
                        && map.get("created_at") == Some(value))
                    || matches!(key.as_str(), "pages" | "total_count" | "has_more");
                if documented_drop {
                    continue;
                }
                let shown = match value {
                    Value::Object(_) | Value::Array(_) => {
                        let inner = customer_data || key == "custom_attributes";
                        check(value, lean_text, &here, inner);
                        continue;
                    }
                    _ if customer_data => value.clone(),
                    Value::Number(number) if output::is_time_field(key) => number
                        .as_u64()
                        .and_then(output::iso)
                        .map_or_else(|| value.clone(), Value::String),
                    Value::String(html)
                        if key == "body" && html.contains('<') && html.contains('>') =>
                    {
                        json!(output::plain_text(html))
                    }
                    scalar => scalar.clone(),
                };
                // A body that is nothing but markup has no text: rule 1 on what rule 6 gives.
                if output::is_empty(&shown) {
                    continue;
                }
                // A scalar is looked for with its key: `"email":"ada@…"`, not just anywhere.
                let pair = format!("{}:{shown}", json!(key));
                assert!(lean_text.contains(&pair), "{here}: {pair} missing");
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check(item, lean_text, &format!("{at}[{index}]"), customer_data);
            }
        }
        scalar if output::is_empty(scalar) => {}
        scalar => assert!(
            lean_text.contains(&scalar.to_string()),
            "{at}: {scalar} missing"
        ),
    }
}
