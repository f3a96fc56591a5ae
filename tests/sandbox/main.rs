//! The sandbox workspace: every tool through the real server and generated client against it,
//! with writes visible in later reads; paging; the search language; each answer checked against
//! Intercom's response shapes; and the real binary with `--sandbox` over stdio.
//!
//! One test binary, a file a resource: `contacts.rs` (with notes, tags and paging),
//! `conversations.rs`, `companies.rs` (with the tag list), `search.rs`, `errors.rs`; then
//! `shapes.rs` (every operation against the vendored response shapes), `schemas.rs` (answers
//! against the schemas Intercom's published document names) and `stdio.rs` (README's first
//! command, as a client sees it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../common/mod.rs"]
mod common;

mod companies;
mod contacts;
mod conversations;
mod errors;
mod schemas;
mod search;
mod shapes;
mod stdio;

use std::collections::BTreeSet;

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::sandbox::{self, ADMIN_ID, Sandbox, TOKEN};
use intercom_mcp::server::IntercomServer;
use serde_json::{Value, json};

/// A server whose Intercom is the sandbox, with the sandbox's token.
fn server(sandbox: &Sandbox) -> IntercomServer {
    let base_url = sandbox.base_url.clone();
    let config = Config::resolve(&Flags::default(), |name| match name {
        "accessToken" => Some(TOKEN.to_owned()),
        "INTERCOM_BASE_URL" => Some(base_url.clone()),
        _ => None,
    })
    .unwrap();
    IntercomServer::new(&config).unwrap()
}

/// Calls a tool; `Ok` with the answer as JSON, `Err` with the error text.
async fn call(server: &IntercomServer, tool: &str, args: Value) -> Result<Value, String> {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    let result = server
        .call(tool, Some(args))
        .await
        .unwrap_or_else(|| panic!("no tool {tool}"));
    // Fences around customer text are tests/tools/untrusted.rs's subject, not this file's.
    let text = common::unfenced(&result.content[0].as_text().unwrap().text);
    if result.is_error == Some(true) {
        return Err(text);
    }
    Ok(serde_json::from_str(&text).unwrap_or_else(|err| panic!("{tool}: {err}: {text}")))
}

async fn ok(server: &IntercomServer, tool: &str, args: Value) -> Value {
    call(server, tool, args)
        .await
        .unwrap_or_else(|err| panic!("{tool} failed: {err}"))
}

/// The `id` of each item under `key` (absent: none).
fn ids(answer: &Value, key: &str) -> Vec<String> {
    answer[key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn names(answer: &Value) -> BTreeSet<String> {
    answer["contacts"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item["name"].as_str().unwrap_or("(no name)").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// The contact's id, found by name.
async fn contact_id(server: &IntercomServer, name: &str) -> String {
    let found = ok(
        server,
        "intercomSearchContacts",
        json!({"query": {"field": "name", "operator": "=", "value": name}}),
    )
    .await;
    ids(&found, "contacts")
        .pop()
        .unwrap_or_else(|| panic!("no {name}"))
}

async fn tag_id(server: &IntercomServer, name: &str) -> String {
    let tags = ok(server, "intercomListTags", json!({})).await;
    tags.as_array()
        .unwrap()
        .iter()
        .find(|tag| tag["name"] == name)
        .unwrap_or_else(|| panic!("no tag {name}: {tags}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn last_part(conversation: &Value) -> &Value {
    conversation["timeline"].as_array().unwrap().last().unwrap()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
