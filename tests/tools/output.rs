//! What the model reads. The lean form is measured against Intercom's compact JSON on the
//! v2.11 document's own response examples (every read tool at most half the bytes), proven
//! lossless (every non-empty value of the raw answer is still there, after the documented
//! conversions), and pinned by snapshots on fuller data of our own. `raw: true` gives
//! Intercom's JSON untouched.
//!
//! The size table: `cargo test --test tools -- --nocapture output::sizes`.

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::output::{self, Output};
use intercom_mcp::server::IntercomServer;
use intercom_mcp::untrusted::{self, Mode};
use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::lossless::assert_lossless;
use crate::common::{is_error, start, text};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// (tool, output shape, the document's 200 example for the tool's operation) per read tool.
fn read_tool_examples(document: &Value) -> Vec<(String, Output, Value)> {
    let config = Config::resolve(&Flags::default(), |_| None).unwrap();
    let server = IntercomServer::new(&config).unwrap();
    let mut examples = Vec::new();
    for entry in server
        .tools()
        .filter(|entry| entry.facts.effect == intercom_mcp::tools::Effect::Read)
    {
        let operation = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(entry.facts.operation))
            .unwrap();
        let examples_of = &operation["responses"]["200"]["content"]["application/json"]["examples"];
        let example = examples_of.as_object().unwrap().values().next().unwrap()["value"].clone();
        examples.push((entry.facts.name.to_owned(), entry.facts.output, example));
    }
    assert_eq!(examples.len(), 9);
    examples
}

#[test]
fn sizes() {
    let Some(document) = common::upstream() else {
        return;
    };
    println!("| tool | Intercom (compact JSON) | lean | lean / raw |");
    println!("|---|---:|---:|---:|");
    for (tool, shape, example) in read_tool_examples(&document) {
        let raw = example.to_string().len();
        // What the model reads by default: fenced customer text included.
        let lean = output::for_model(shape, example, Mode::Fence)
            .to_string()
            .len();
        let ratio = lean as f64 / raw as f64;
        println!("| {tool} | {raw} | {lean} | {:.0}% |", ratio * 100.0);
        assert!(ratio <= 0.5, "{tool}: lean is {lean} bytes of {raw}");
    }
}

#[test]
fn the_lean_form_of_every_read_tools_example_loses_nothing() {
    let Some(document) = common::upstream() else {
        return;
    };
    for (tool, shape, example) in read_tool_examples(&document) {
        let lean = output::for_model(shape, example.clone(), Mode::Fence).to_string();
        assert_lossless(&example, &lean, &tool);
    }
}

#[test]
fn the_lean_form_of_our_fuller_fixtures_loses_nothing() {
    for (name, shape) in [
        ("contact", Output::Object),
        ("contact_list", Output::CursorPage("contacts")),
        ("conversation", Output::Conversation),
        ("conversation_search", Output::CursorPage("conversations")),
    ] {
        let raw = fixture(name);
        let lean = output::for_model(shape, raw.clone(), Mode::Fence).to_string();
        assert_lossless(&raw, &lean, name);
        assert!(
            lean.len() < raw.to_string().len(),
            "{name}: {} of {}",
            lean.len(),
            raw.to_string().len()
        );
    }
}

/// Calls `tool` against a mock answering `body`; returns what the model reads, parsed.
async fn read(tool: &str, args: Value, body: Value) -> Value {
    let harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&harness.intercom)
        .await;
    let result = harness.call(tool, args).await;
    assert!(!is_error(&result), "{}", text(&result));
    // The marker's tag is drawn per process: snapshots show it as TAG.
    serde_json::from_str(&text(&result).replace(untrusted::tag(), "TAG")).unwrap()
}

#[tokio::test]
async fn a_contact() {
    let lean = read(
        "intercomGetContact",
        json!({"contact_id": "6762f0dd1bb69f9f2193bb7d"}),
        fixture("contact"),
    )
    .await;
    insta::assert_json_snapshot!("lean_contact", lean);
}

#[tokio::test]
async fn a_contact_list_page() {
    let lean = read(
        "intercomListContacts",
        json!({"per_page": 2}),
        fixture("contact_list"),
    )
    .await;
    assert_eq!(lean["has_more"], true);
    assert_eq!(lean["next_cursor"], "WzE3MjkwMDAwMDAwMDAsIjY3NjJmMGRlIl0=");
    insta::assert_json_snapshot!("lean_contact_list", lean);
}

#[tokio::test]
async fn a_conversation_with_several_part_types() {
    let lean = read(
        "intercomGetConversation",
        json!({"conversation_id": "147"}),
        fixture("conversation"),
    )
    .await;
    let kinds: Vec<&str> = lean["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| part["part_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["source", "assignment", "note", "comment", "close"],
        "oldest first"
    );
    insta::assert_json_snapshot!("lean_conversation", lean);
}

#[tokio::test]
async fn a_search_result() {
    let query = json!({"query": {"field": "state", "operator": "=", "value": "open"}});
    let lean = read(
        "intercomSearchConversations",
        query,
        fixture("conversation_search"),
    )
    .await;
    insta::assert_json_snapshot!("lean_conversation_search", lean);
}

#[tokio::test]
async fn raw_true_returns_intercoms_json_untouched() {
    let body = fixture("conversation");
    let raw = read(
        "intercomGetConversation",
        json!({"conversation_id": "147", "raw": true}),
        body.clone(),
    )
    .await;
    assert_eq!(raw, body);
    let harness = start().await;
    let result = harness
        .call("intercomListTags", json!({"raw": "yes"}))
        .await;
    assert!(
        text(&result).contains("`raw` must be boolean"),
        "{}",
        text(&result)
    );
    assert!(harness.requests().await.is_empty());
}

#[tokio::test]
async fn writes_answer_in_the_lean_form_too() {
    let lean = read(
        "intercomCloseConversation",
        json!({"conversation_id": "147", "admin_id": "991267553"}),
        fixture("conversation"),
    )
    .await;
    assert_eq!(lean["timeline"].as_array().unwrap().len(), 5);
    assert!(lean.get("type").is_none());
}

#[test]
fn the_fixtures_are_well_formed_objects() {
    for name in [
        "contact",
        "contact_list",
        "conversation",
        "conversation_search",
    ] {
        assert!(
            fixture(name)
                .as_object()
                .is_some_and(|map: &Map<String, Value>| !map.is_empty())
        );
    }
}
