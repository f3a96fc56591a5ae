//! Lean output on answers generated from the vendored response shapes
//! (`openapi/intercom-2.11-responses.json`), for every tool, so for every shape a model may
//! be shown: whatever Intercom may answer in those shapes, lean output never panics and never
//! loses a field that `docs/output.md` does not say it drops; and `raw: true` on a read tool
//! returns the answer unchanged.
//!
//! Cases per tool: 64 (lean) and 16 (raw, each a call through the server to a mock Intercom);
//! `PROPTEST_CASES` sets both.

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::output::{self, Output};
use intercom_mcp::server::IntercomServer;
use intercom_mcp::tools::Effect;
use proptest::test_runner::{Config as RunConfig, TestRunner};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::lossless::assert_lossless;
use crate::common::shapes;
use crate::common::{is_error, text};

/// What these tests need of a tool.
struct Def {
    name: &'static str,
    operation: &'static str,
    effect: Effect,
    output: Output,
}

fn definitions() -> Vec<Def> {
    let config = Config::resolve(&Flags::default(), |_| None).unwrap();
    let server = IntercomServer::new(&config).unwrap();
    let defs: Vec<Def> = server
        .tools()
        .map(|entry| Def {
            name: entry.facts.name,
            operation: entry.facts.operation,
            effect: entry.facts.effect,
            output: entry.facts.output,
        })
        .collect();
    assert_eq!(defs.len(), 16);
    defs
}

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(RunConfig {
        cases,
        failure_persistence: None,
        ..RunConfig::default()
    })
}

#[test]
fn every_vendored_answer_but_the_servers_own_is_a_tools() {
    let shapes = shapes::load();
    let used: Vec<&str> = definitions().iter().map(|def| def.operation).collect();
    let unused: Vec<&String> = shapes["operations"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|operation| !used.contains(&operation.as_str()))
        .collect();
    // GET /me: the server reads it to learn the default admin; GET /admins and /teams (and
    // /me) feed the directory resources, lean in their own way (src/resources/directory.rs).
    assert_eq!(unused, ["identifyAdmin", "listAdmins", "listTeams"]);
}

#[test]
fn lean_output_never_panics_and_loses_nothing_undocumented() {
    let shapes = shapes::load();
    for def in definitions() {
        let schema = shapes::answer(&shapes, def.operation);
        let strategy = shapes::generate::answers(&shapes, &schema);
        runner(64)
            .run(&strategy, |answer| {
                // The generator keeps to the shapes; else this would test something else.
                let misfits = shapes::check::problems(&shapes, &schema, &answer);
                assert!(misfits.is_empty(), "{misfits:#?}");
                let lean = output::lean(def.output, answer.clone()).to_string();
                assert_lossless(&answer, &lean, def.name);
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{}: {failure}", def.name));
    }
}

/// Arguments a read tool accepts, with `raw: true`.
fn raw_arguments(tool: &str) -> Value {
    let mut args = match tool {
        "intercomGetContact" => json!({"contact_id": "6762f0dd1bb69f9f2193bb7d"}),
        "intercomGetConversation" => json!({"conversation_id": "147"}),
        "intercomGetCompany" => json!({"company_id": "6762f0e61bb69f9f2193bb8e"}),
        "intercomSearchContacts" => {
            json!({"query": {"field": "email", "operator": "=", "value": "ada@example.com"}})
        }
        "intercomSearchConversations" => {
            json!({"query": {"field": "open", "operator": "=", "value": true}})
        }
        "intercomListContacts"
        | "intercomListConversations"
        | "intercomListCompanies"
        | "intercomListTags" => json!({}),
        other => panic!("a read tool without arguments here: {other}"),
    };
    args["raw"] = json!(true);
    args
}

#[test]
fn raw_true_returns_every_generated_answer_unchanged() {
    let shapes = shapes::load();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let harness = runtime.block_on(common::start());
    for def in definitions()
        .into_iter()
        .filter(|def| def.effect == Effect::Read)
    {
        let schema = shapes::answer(&shapes, def.operation);
        let strategy = shapes::generate::answers(&shapes, &schema);
        let args = raw_arguments(def.name);
        runner(16)
            .run(&strategy, |answer| {
                let result = runtime.block_on(async {
                    harness.intercom.reset().await;
                    Mock::given(any())
                        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
                        .mount(&harness.intercom)
                        .await;
                    harness.call(def.name, args.clone()).await
                });
                assert!(!is_error(&result), "{}", text(&result));
                let returned: Value = serde_json::from_str(&text(&result)).unwrap();
                assert_eq!(returned, answer);
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{}: {failure}", def.name));
    }
}
