//! Random answers in the vendored response shapes, for property tests: every required field,
//! optional ones at random, nulls where the shape allows them, enums from their values. The
//! values lean output treats specially come often: zeros, `false`, empty strings, unix times
//! (and times past the year 9999), HTML bodies with links, API paths and URLs.

use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{Map, Value, json};

use super::check::merged;

/// Answers that fit `schema`, with references resolved in `root`.
pub fn answers(root: &Value, schema: &Value) -> BoxedStrategy<Value> {
    value(root, schema, "")
}

fn value(root: &Value, schema: &Value, key: &str) -> BoxedStrategy<Value> {
    let (view, nullable) = merged(root, schema).expect("the vendored shapes resolve");
    let inner = shaped(root, &view, key);
    if nullable {
        prop_oneof![1 => Just(Value::Null), 4 => inner].boxed()
    } else {
        inner
    }
}

fn shaped(root: &Value, view: &Map<String, Value>, key: &str) -> BoxedStrategy<Value> {
    for combinator in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = view.get(combinator) {
            return Union::new(branches.iter().map(|branch| value(root, branch, key))).boxed();
        }
    }
    if let Some(Value::Array(values)) = view.get("enum") {
        return proptest::sample::select(values.clone()).boxed();
    }
    match view.get("type").and_then(Value::as_str) {
        Some("string") => string(key, view.get("format").and_then(Value::as_str)),
        Some("integer") => integer(key),
        Some("number") => (-1e6f64..1e6).prop_map(|number| json!(number)).boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => {
            let items = view.get("items").cloned().unwrap_or(json!({}));
            proptest::collection::vec(value(root, &items, ""), 0..3)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("object") | None if view.contains_key("properties") => object(root, view),
        Some("object") => match view.get("additionalProperties") {
            Some(extra @ Value::Object(_)) => free_form(value(root, extra, "")),
            _ => free_form(scalar()),
        },
        _ => scalar(),
    }
}

fn object(root: &Value, view: &Map<String, Value>) -> BoxedStrategy<Value> {
    let required: Vec<&str> = view
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = view
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let name = name.clone();
            let field = value(root, schema, &name);
            if required.contains(&name.as_str()) {
                field.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::weighted(0.7, field)
                    .prop_map(move |v| v.map(|v| (name.clone(), v)))
                    .boxed()
            }
        })
        .collect();
    let open = view.get("additionalProperties") == Some(&Value::Bool(true));
    let extra = if open {
        free_form(scalar())
    } else {
        Just(json!({})).boxed()
    };
    (fields, extra)
        .prop_map(|(fields, extra)| {
            let mut map: Map<String, Value> = fields.into_iter().flatten().collect();
            if let Value::Object(extra) = extra {
                for (key, value) in extra {
                    map.entry(key).or_insert(value);
                }
            }
            Value::Object(map)
        })
        .boxed()
}

/// A free-form object (custom attributes, topics): a few fields of `values`. Its keys end in
/// a digit, so none is taken for a time, a body or a kind.
fn free_form(values: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    proptest::collection::btree_map("[a-z]{1,6}[0-9]", values, 0..4)
        .prop_map(|fields| Value::Object(fields.into_iter().collect()))
        .boxed()
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        integer(""),
        string("", None),
    ]
    .boxed()
}

fn string(key: &str, format: Option<&str>) -> BoxedStrategy<Value> {
    let text = prop_oneof![
        Just(String::new()),
        "[a-z]{1,10}",
        "[a-z]{1,6} [a-z]{1,6}@[a-z]{1,6}\\.com",
        "\\PC{1,12}",
    ];
    let strategy = match (key, format) {
        ("body", _) => prop_oneof![
            text,
            ("[a-z]{1,8}", "[a-z]{1,8}").prop_map(|(word, link)| format!(
                "<p>{word} <b>now</b> <a href=\"https://example.com/{link}\">{link}</a></p>"
            )),
            Just("<p></p>".to_owned()),
        ]
        .boxed(),
        (_, Some("uri")) | ("url", _) => prop_oneof![
            "/[a-z]{1,8}/[0-9]{1,6}",
            "https://example\\.com/[a-z]{1,8}",
            text,
        ]
        .boxed(),
        _ => text.boxed(),
    };
    strategy.prop_map(Value::String).boxed()
}

fn integer(key: &str) -> BoxedStrategy<Value> {
    let is_time = key.ends_with("_at") || key == "waiting_since" || key == "snoozed_until";
    if is_time {
        prop_oneof![
            6 => (1_000_000_000u64..2_000_000_000).prop_map(|t| json!(t)),
            1 => Just(json!(0)),
            // Milliseconds, and past the year 9999: numbers no unix-seconds time reaches.
            1 => (1_000_000_000_000u64..2_000_000_000_000).prop_map(|t| json!(t)),
            1 => any::<u64>().prop_map(|t| json!(t)),
            1 => any::<i64>().prop_map(|t| json!(t)),
        ]
        .boxed()
    } else {
        prop_oneof![
            Just(json!(0)),
            (1i64..100_000).prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
        ]
        .boxed()
    }
}
