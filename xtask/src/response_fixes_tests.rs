//! Each response correction on a small document that reproduces its problem: an answer that
//! does not fit before the correction fits after (checked with the same checker the sandbox
//! and output tests use). The tests run the whole `STEPS` list, so taking a step out of the
//! list makes its test fail. Last, every example of Intercom's own document, 2xx and errors,
//! fits the derived shapes, and taking out any of R3–R5 makes one of them not fit.

use serde_json::{Value, json};

use super::*;
use crate::regen::apply;
use crate::responses;
use crate::shape_check::problems;

/// Every component the corrections expect, as small as each correction allows.
fn fixture() -> Value {
    let object = json!({"type": "object", "properties": {}});
    let mut schemas = serde_json::Map::new();
    for name in [
        "contact_tags",
        "contact_notes",
        "contact_social_profiles",
        "contact_location",
        "contact",
        "app",
        "addressable_list",
    ] {
        schemas.insert(name.to_owned(), object.clone());
    }
    let conversation = json!({"type": "object", "properties": {
        "id": {"type": "string"},
        "conversation_rating": {"$ref": "#/components/schemas/conversation_rating"},
        "first_contact_reply": {"$ref": "#/components/schemas/conversation_rating"},
        "statistics": {"type": "object"},
        "teammates": {"type": "object"}
    }, "required": ["id", "topics"]});
    schemas.insert("conversation".to_owned(), conversation.clone());
    schemas.insert("conversation_list_item".to_owned(), conversation);
    schemas.insert(
        "conversation_rating".to_owned(),
        json!({"type": "object", "properties": {"rating": {"type": "integer"}}}),
    );
    for (name, required) in [
        (
            "admin",
            json!(["id", "has_inbox_seat", "job_title", "team_ids"]),
        ),
        (
            "admin_with_app",
            json!([
                "id",
                "away_mode_enabled",
                "away_mode_reassign",
                "job_title",
                "team_ids"
            ]),
        ),
        (
            "company",
            json!(["id", "industry", "last_request_at", "size", "website"]),
        ),
        ("tag", json!(["id", "applied_at", "applied_by"])),
    ] {
        schemas.insert(
            name.to_owned(),
            json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": required}),
        );
    }
    schemas.insert(
        "error".to_owned(),
        json!({"type": "object", "properties": {"request_id": {"type": "string", "format": "uuid"}}}),
    );
    json!({"operations": {}, "error": {"$ref": "#/components/schemas/error"},
        "components": {"schemas": schemas}})
}

fn run_steps(doc: &mut Value) -> Vec<String> {
    apply(STEPS, doc).unwrap_or_else(|err| panic!("{err:#}"))
}

fn component(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Asserts `answer` does not fit `schema` in `doc` as it is, and fits once corrected.
fn fits_only_after_the_steps(doc: &mut Value, schema: &str, answer: Value) -> Vec<String> {
    let before = problems(doc, &component(schema), &answer);
    assert!(!before.is_empty(), "the fixture must reproduce the problem");
    let report = run_steps(doc);
    let after = problems(doc, &component(schema), &answer);
    assert!(after.is_empty(), "{after:#?}");
    report
}

#[test]
fn r1_custom_attributes_is_defined_as_a_free_form_object() {
    let mut doc = fixture();
    doc["components"]["schemas"]["contact"]["properties"]["custom_attributes"] =
        component("custom_attributes");
    let answer = json!({"custom_attributes": {"plan": "pro", "seats": 4}});
    fits_only_after_the_steps(&mut doc, "contact", answer);
}

#[test]
fn r2_request_id_loses_its_uuid_format() {
    let mut doc = fixture();
    run_steps(&mut doc);
    assert_eq!(
        doc["components"]["schemas"]["error"]["properties"]["request_id"],
        json!({"type": "string"})
    );
}

#[test]
fn r3_list_types_location_codes_utm_fields_topics_and_tickets_are_declared() {
    let mut doc = fixture();
    fits_only_after_the_steps(
        &mut doc,
        "contact",
        json!({"utm_source": null, "referrer": "https://example.com/",
            "opted_in_subscription_types": {"type": "list", "data": [], "url": "/contacts/1/subscriptions",
                "total_count": 0, "has_more": false}}),
    );
    for (schema, answer) in [
        ("contact_tags", json!({"type": "list"})),
        (
            "contact_location",
            json!({"country_code": null, "continent_code": "EU"}),
        ),
        ("app", json!({"secure": false})),
        (
            "conversation",
            json!({"id": "1", "topics": {}, "ticket": null}),
        ),
        (
            "conversation_list_item",
            json!({"id": "1", "topics": {}, "ticket": {"id": "9"}}),
        ),
    ] {
        assert_eq!(
            problems(&doc, &component(schema), &answer),
            Vec::<String>::new()
        );
    }
}

#[test]
fn r3_says_when_upstream_declares_a_field_itself() {
    let mut doc = fixture();
    doc["components"]["schemas"]["app"]["properties"]["secure"] = json!({"type": "boolean"});
    let report = run_steps(&mut doc);
    assert!(
        report.contains(&"R3 declare the fields answers carry: app.secure: declared upstream now; the correction can go".to_owned()),
        "{report:#?}"
    );
}

#[test]
fn r4_an_unrated_unanswered_conversation_may_carry_nulls() {
    let mut doc = fixture();
    let answer = json!({"id": "1", "topics": {}, "conversation_rating": null,
        "first_contact_reply": null, "statistics": null, "teammates": null});
    fits_only_after_the_steps(&mut doc, "conversation", answer.clone());
    assert!(problems(&doc, &component("conversation_list_item"), &answer).is_empty());
    // Nullable, not anything: a rating is still a rating.
    let wrong = json!({"id": "1", "topics": {}, "conversation_rating": {"rating": "five"}});
    assert_eq!(
        problems(&doc, &component("conversation"), &wrong),
        ["$.conversation_rating.rating: \"five\" where the shape says integer"]
    );
}

#[test]
fn r4_fails_naming_a_property_upstream_removed() {
    let mut doc = fixture();
    doc["components"]["schemas"]["conversation"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("statistics");
    let err = allow_answered_nulls(&mut doc).unwrap_err().to_string();
    assert!(err.contains("conversation.statistics"), "{err}");
}

#[test]
fn r5_admins_companies_and_tags_may_leave_fields_out() {
    let mut doc = fixture();
    fits_only_after_the_steps(&mut doc, "tag", json!({"id": "7"}));
    for schema in ["admin", "admin_with_app", "company"] {
        assert!(problems(&doc, &component(schema), &json!({"id": "1"})).is_empty());
        // What the correction does not name stays required.
        assert_eq!(
            problems(&doc, &component(schema), &json!({})),
            ["$.id: required, missing"]
        );
    }
}

#[test]
fn r6_prose_and_labels_go_but_a_field_named_title_stays() {
    let mut doc = fixture();
    doc["components"]["schemas"]["conversation"]["description"] = json!("upstream words");
    doc["components"]["schemas"]["conversation"]["x-tags"] = json!(["Conversations"]);
    doc["components"]["schemas"]["conversation"]["properties"]["title"] =
        json!({"type": "string", "description": "more words", "example": "Hi"});
    run_steps(&mut doc);
    let conversation = &doc["components"]["schemas"]["conversation"];
    assert!(conversation.get("description").is_none() && conversation.get("x-tags").is_none());
    assert_eq!(
        conversation["properties"]["title"],
        json!({"type": "string"})
    );
}

#[test]
fn a_correction_fails_naming_a_schema_upstream_removed() {
    let mut doc = fixture();
    doc["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("company");
    let err = unrequire_omitted_fields(&mut doc).unwrap_err().to_string();
    assert!(err.contains("`company`"), "{err}");
}

/// (where, schema, example) for every example the upstream document gives for the answers of
/// the allowlisted operations: 2xx against the operation's shape, the rest against `error`.
fn upstream_examples(upstream: &Value, shapes: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    for op in crate::doc::operations(upstream) {
        if !crate::regen::OPERATIONS.contains(&op.id) {
            continue;
        }
        for (code, response) in op.body["responses"].as_object().unwrap() {
            let schema = if code.starts_with('2') {
                shapes["operations"][op.id]["responses"][code].clone()
            } else {
                shapes["error"].clone()
            };
            let examples = response.pointer("/content/application~1json/examples");
            for (name, example) in examples.and_then(Value::as_object).into_iter().flatten() {
                let at = format!("{} {code} example {name}", op.id);
                found.push((at, schema.clone(), example["value"].clone()));
            }
        }
    }
    found
}

fn misfits(upstream: &Value, shapes: &Value) -> Vec<String> {
    upstream_examples(upstream, shapes)
        .into_iter()
        .flat_map(|(at, schema, example)| {
            problems(shapes, &schema, &example)
                .into_iter()
                .map(move |problem| format!("{at}: {problem}"))
        })
        .collect()
}

#[test]
fn every_example_of_intercoms_document_fits_and_each_correction_is_needed() {
    let Some(upstream) = crate::regen::tests::upstream() else {
        return;
    };
    let operations = crate::regen::OPERATIONS;
    let (shapes, _) = responses::derive(&upstream, operations).unwrap();
    let examples = upstream_examples(&upstream, &shapes);
    assert!(examples.len() > 30, "{} examples", examples.len());
    assert_eq!(misfits(&upstream, &shapes), Vec::<String>::new());
    for (left_out, symptom) in [
        ("R3", "not in the shape"),
        ("R4", "null, but the shape is not nullable"),
        ("R5", "required, missing"),
    ] {
        let steps: Vec<_> = STEPS
            .iter()
            .copied()
            .filter(|(name, _)| !name.starts_with(left_out))
            .collect();
        let (shapes, _) = responses::derive_with(&upstream, operations, &steps).unwrap();
        let found = misfits(&upstream, &shapes);
        assert!(
            found.iter().any(|problem| problem.contains(symptom)),
            "without {left_out}: {found:#?}"
        );
    }
}
