//! Property tests over every tool's arguments: values generated from the tool's own schema, and
//! arbitrary JSON. Whatever arrives, the server answers with a result, never a panic, and an
//! error is always about the arguments (the mock Intercom answers every request with 200).

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::server::IntercomServer;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunConfig, TestRunner};
use serde_json::{Map, Value, json};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn text(result: &rmcp::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect()
}

/// Values that fit `schema` (resolving `$ref` against `root`; recursion stops after `depth`).
fn fitting(schema: &Value, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = root
            .pointer(reference.trim_start_matches('#'))
            .unwrap()
            .clone();
        if depth == 0 {
            return Just(json!({"field": "email", "operator": "=", "value": "a@b.c"})).boxed();
        }
        return fitting(&target, root, depth - 1);
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return proptest::sample::select(values.clone()).boxed();
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let options: Vec<BoxedStrategy<Value>> =
            branches.iter().map(|b| fitting(b, root, depth)).collect();
        return proptest::strategy::Union::new(options).boxed();
    }
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => vec!["any".to_owned()],
    };
    let options: Vec<BoxedStrategy<Value>> = types
        .iter()
        .map(|kind| of_type(kind, schema, root, depth))
        .collect();
    proptest::strategy::Union::new(options).boxed()
}

fn of_type(kind: &str, schema: &Value, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    match kind {
        "string" => "[a-zA-Z0-9 ./?#%é_-]{1,12}".prop_map(Value::from).boxed(),
        "integer" => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let max = schema
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(2_000_000_000);
            (min..=max).prop_map(Value::from).boxed()
        }
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        "array" => {
            let items = schema
                .get("items")
                .cloned()
                .unwrap_or(json!({"type": "string"}));
            let max = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(3)
                .min(3) as usize;
            proptest::collection::vec(fitting(&items, root, depth), 0..=max)
                .prop_map(Value::from)
                .boxed()
        }
        "object" => object(schema, root, depth),
        _ => prop_oneof![
            Just(json!({"plan": "pro"})),
            Just(json!({"seats": 3, "trial": null}))
        ]
        .boxed(),
    }
}

fn object(schema: &Value, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return Just(json!({"free": "form"})).boxed();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let members: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
        .iter()
        .map(|(name, property)| {
            let name = name.clone();
            let value = fitting(property, root, depth);
            if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    members
        .prop_map(|members| {
            Value::Object(
                members
                    .into_iter()
                    .flatten()
                    .collect::<Map<String, Value>>(),
            )
        })
        .boxed()
}

/// Any JSON at all, keyed partly by the tool's own property names to get past the first check.
fn arbitrary(names: Vec<String>) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    });
    let key = prop_oneof![proptest::sample::select(names), ".{0,8}"];
    proptest::collection::btree_map(key, value, 0..6)
        .prop_map(|map| Value::Object(map.into_iter().collect()))
        .boxed()
}

#[test]
fn every_tool_answers_every_input_with_a_result() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (server, _intercom) = runtime.block_on(async {
        let intercom = MockServer::start().await;
        // GET /me names the default admin for the writes that act as one.
        Mock::given(wiremock::matchers::path("/me"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"type": "admin", "id": "991"})),
            )
            .with_priority(1)
            .mount(&intercom)
            .await;
        Mock::given(any_request())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
            .mount(&intercom)
            .await;
        let uri = intercom.uri();
        let config = Config::resolve(&Flags::default(), |name| match name {
            "accessToken" => Some("tok_props".to_owned()),
            "INTERCOM_BASE_URL" => Some(uri.clone()),
            _ => None,
        })
        .unwrap();
        (IntercomServer::new(&config).unwrap(), intercom)
    });
    let tools: Vec<(String, Value)> = server
        .tools()
        .map(|entry| {
            (
                entry.facts.name.to_owned(),
                Value::Object(entry.input.schema.clone()),
            )
        })
        .collect();
    for (name, schema) in tools {
        let names: Vec<String> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .chain(["x".to_owned()])
            .collect();
        let inputs = prop_oneof![fitting(&schema, &schema, 2), arbitrary(names)];
        let mut runner = TestRunner::new(RunConfig {
            cases: 96,
            failure_persistence: None,
            ..RunConfig::default()
        });
        runner
            .run(&inputs, |args| {
                let Value::Object(args) = args.clone() else {
                    unreachable!()
                };
                let result = runtime
                    .block_on(server.call(&name, Some(args)))
                    .expect("a known tool");
                let message = text(&result);
                prop_assert!(!message.is_empty(), "{name}: an empty result");
                if result.is_error == Some(true) {
                    prop_assert!(
                        message.starts_with("Invalid arguments"),
                        "{name}: {message}"
                    );
                }
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{name}: {failure}"));
    }
}
