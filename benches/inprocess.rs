//! Criterion benchmarks of the in-process parts (run by hand, never in CI): argument
//! validation, the lean output of each fixture, HTML → plain text, building and serializing
//! the tool list, and one whole intercomGetContact call against an instant local mock Intercom.
//!
//!     cargo bench --bench inprocess            # or `-- lean` to run the benchmarks named so

mod support;

use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use intercom_mcp::config::{Config, Flags};
use intercom_mcp::output::{self, Output};
use intercom_mcp::server::IntercomServer;
use intercom_mcp::tools::{self, ServerTool, validate};
use rmcp::model::ListToolsResult;
use serde_json::{Map, Value, json};
use support::Failure;

/// The fixtures and the tool whose answer each is: its `Output` is the one the tool applies.
const FIXTURES: [(&str, &str, &str); 4] = [
    (
        "contact",
        "intercomGetContact",
        include_str!("../tests/fixtures/contact.json"),
    ),
    (
        "contact_list",
        "intercomListContacts",
        include_str!("../tests/fixtures/contact_list.json"),
    ),
    (
        "conversation",
        "intercomGetConversation",
        include_str!("../tests/fixtures/conversation.json"),
    ),
    (
        "conversation_search",
        "intercomSearchConversations",
        include_str!("../tests/fixtures/conversation_search.json"),
    ),
];

/// An admin's reply as Intercom's composer stores it: paragraphs, a list, bold, a link and a
/// line break.
const REPLY_HTML: &str = concat!(
    r#"<p class="no-margin">Hi Ada,</p><p class="no-margin"></p>"#,
    r#"<p class="no-margin">Thanks for flagging this. You were billed for <b>14 seats</b> in "#,
    r#"November, but only 12 were active:</p>"#,
    r#"<ul><li><p class="no-margin">2 seats were removed on 28 October</p></li>"#,
    r#"<li><p class="no-margin">the change reached billing a day late</p></li></ul>"#,
    r#"<p class="no-margin">Here is the corrected one: <a href="https://billing.example/inv/881" "#,
    r#"target="_blank" rel="nofollow noopener noreferrer">invoice 881</a>. The difference is "#,
    r#"refunded to your card within 5 working days.</p>"#,
    r#"<p class="no-margin">Best,<br>Grace</p>"#,
);

fn main() -> Result<(), Failure> {
    // reqwest is built without a default TLS provider (see intercom::http_client).
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let mut criterion = Criterion::default().configure_from_args();
    let tools = tools::all();
    validation(&mut criterion, &tools)?;
    lean_output(&mut criterion, &tools)?;
    plain_text(&mut criterion);
    tool_list(&mut criterion);
    whole_call(&mut criterion)?;
    criterion.final_summary();
    Ok(())
}

fn find<'a>(tools: &'a [ServerTool], name: &str) -> Result<&'a ServerTool, Failure> {
    Ok(tools
        .iter()
        .find(|entry| entry.facts.name == name)
        .ok_or_else(|| format!("no tool {name}"))?)
}

/// Typical arguments checked against their tool's schema, as every call does before sending.
fn validation(criterion: &mut Criterion, tools: &[ServerTool]) -> Result<(), Failure> {
    let calls = [
        (
            "intercomSearchContacts",
            json!({
                "query": {"operator": "AND", "value": [
                    {"field": "email", "operator": "~", "value": "example.com"},
                    {"field": "created_at", "operator": ">", "value": "2024-05-01"}
                ]},
                "pagination": {"per_page": 20}
            }),
        ),
        (
            "intercomCreateContact",
            json!({
                "role": "user",
                "email": "ada@lovelace.example",
                "name": "Ada Lovelace",
                "custom_attributes": {"plan": "pro", "seats": 12}
            }),
        ),
    ];
    let mut group = criterion.benchmark_group("validate");
    for (name, args) in calls {
        let schema = Value::Object(find(tools, name)?.input.schema.clone());
        // Measure the path a valid call takes, not an early rejection.
        validate::check(&args, &schema).map_err(|problem| format!("{name}: {problem}"))?;
        group.bench_function(name, |b| {
            b.iter(|| validate::check(black_box(&args), black_box(&schema)))
        });
    }
    group.finish();
    Ok(())
}

/// Intercom's JSON → the lean text the model reads, for each fixture, as its tool shapes it.
fn lean_output(criterion: &mut Criterion, tools: &[ServerTool]) -> Result<(), Failure> {
    let mut group = criterion.benchmark_group("lean");
    for (fixture, tool, text) in FIXTURES {
        let body: Value = serde_json::from_str(text)?;
        let shape: Output = find(tools, tool)?.facts.output;
        // `lean` consumes the body: each iteration gets a fresh copy, cloned outside the timing.
        group.bench_function(fixture, |b| {
            b.iter_batched(
                || body.clone(),
                |body| output::lean(shape, body),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
    Ok(())
}

fn plain_text(criterion: &mut Criterion) {
    criterion.bench_function("plain_text/reply", |b| {
        b.iter(|| output::plain_text(black_box(REPLY_HTML)))
    });
}

/// The 16 entries with their schemas (built once at start-up), and the tools/list reply each
/// client then asks for.
fn tool_list(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("tools");
    group.bench_function("build_all", |b| b.iter(tools::all));
    let tools = tools::all();
    group.bench_function("list_reply", |b| {
        b.iter(|| {
            let infos = tools.iter().map(|entry| entry.listing.clone()).collect();
            serde_json::to_string(&ListToolsResult::with_all_items(infos))
        })
    });
    group.finish();
}

/// One intercomGetContact through the server's own entry point: validation, the generated
/// client, the request policy, real HTTP on 127.0.0.1 to an instant mock, the lean output.
/// The server and the mock share one thread: on a multi-threaded runtime each call hands work
/// between threads, and the time a sleeping core takes to wake (tens of µs on a VM) swamps the
/// call's own cost and varies with whatever else the machine runs. The stdio and http_load
/// benches measure the real server's latency.
fn whole_call(criterion: &mut Criterion) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let intercom = runtime.block_on(support::instant_mock())?;
    let server = IntercomServer::new(&config(&intercom)?)?;
    let mut args = Map::new();
    args.insert("contact_id".to_owned(), json!("c1"));
    let call = || server.call("intercomGetContact", Some(args.clone()));
    // A failing call would time the error path: check one first.
    let first = runtime
        .block_on(call())
        .ok_or("no tool intercomGetContact")?;
    if first.is_error == Some(true) {
        return Err(format!("the call failed: {:?}", first.content).into());
    }
    criterion.bench_function("call/intercomGetContact", |b| {
        b.to_async(&runtime).iter(call)
    });
    Ok(())
}

fn config(intercom: &str) -> Result<Config, Failure> {
    let vars = [
        ("accessToken", "tok_bench"),
        ("INTERCOM_BASE_URL", intercom),
    ];
    Ok(Config::resolve(&Flags::default(), |name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })?)
}
