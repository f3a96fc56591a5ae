//! Each normalization on a tiny document that reproduces its problem. The tests run the whole
//! `STEPS` list, so taking a step out of the list makes its test fail.

use serde_json::{Value, json};

use super::*;
use crate::codegen;
use crate::regen::apply;

fn run_steps(doc: &mut Value) -> Vec<String> {
    apply(STEPS, doc).unwrap_or_else(|err| panic!("{err:#}"))
}

fn with_schemas(schemas: Value) -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "fixture", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas}
    })
}

fn operation_doc(path: &str, operation: Value, schemas: Value) -> Value {
    let mut doc = with_schemas(schemas);
    doc["paths"] = json!({path: {"post": operation}});
    doc
}

fn search_schemas() -> Value {
    json!({
        "single_filter_search_request": {"type": "object", "properties": {
            "field": {"type": "string"},
            "operator": {"type": "string", "enum": ["=", "!=", "IN", "NIN", "<", "~", "^", "$"]},
            "value": {"nullable": true, "oneOf": [{"type": "string"}, {"type": "integer"}]}
        }},
        "multiple_filter_search_request": {"type": "object", "properties": {
            "operator": {"type": "string", "enum": ["AND", "OR"]},
            "value": {"type": "array", "items": {"$ref": "#/components/schemas/single_filter_search_request"}}
        }},
        "admin_reply_conversation_request": {"type": "object", "required": ["admin_id"], "properties": {
            "admin_id": {"type": "string"}, "body": {"type": "string"}
        }}
    })
}

/// A fixture that also carries the components normalizations 7 and 9 expect.
fn fixture(extra: Value) -> Value {
    let mut schemas = search_schemas();
    if let (Value::Object(all), Value::Object(extra)) = (&mut schemas, extra) {
        all.extend(extra);
    }
    with_schemas(schemas)
}

#[test]
fn n1_a_dangling_custom_attributes_ref_is_defined_and_generates() {
    let mut doc = fixture(json!({"thing": {"type": "object", "properties": {
        "custom_attributes": {"$ref": "#/components/schemas/custom_attributes"}
    }}}));
    assert!(
        codegen::generate(&doc).is_err(),
        "the fixture must reproduce the panic"
    );
    run_steps(&mut doc);
    assert_eq!(
        doc["components"]["schemas"]["custom_attributes"]["type"],
        "object"
    );
    codegen::generate(&doc).unwrap();
}

#[test]
fn n2_a_symbol_only_enum_becomes_a_plain_string_and_generates() {
    let mut doc = fixture(json!({}));
    assert!(
        codegen::generate(&doc).is_err(),
        "the fixture must reproduce the panic"
    );
    let report = run_steps(&mut doc);
    let operator =
        &doc["components"]["schemas"]["single_filter_search_request"]["properties"]["operator"];
    assert_eq!(operator, &json!({"type": "string"}));
    assert!(
        report.iter().any(|line| line.contains("operator")),
        "{report:?}"
    );
    // An enum of words is left alone.
    let group =
        &doc["components"]["schemas"]["multiple_filter_search_request"]["properties"]["operator"];
    assert_eq!(group["enum"], json!(["AND", "OR"]));
    codegen::generate(&doc).unwrap();
}

#[test]
fn n3_json_content_without_a_schema_stops_regen_naming_the_operation() {
    let mut doc = operation_doc(
        "/things",
        json!({"operationId": "makeThing", "responses": {"422": {"content": {"application/json": {}}}}}),
        search_schemas(),
    );
    let err = STEPS
        .iter()
        .try_for_each(|(_, step)| step(&mut doc).map(drop))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("makeThing") && err.contains("no schema"),
        "{err}"
    );
}

#[test]
fn n3_an_inline_enum_named_like_a_component_stops_regen_naming_the_schema() {
    let mut doc = fixture(json!({
        "ticket": {"type": "object", "properties": {"type": {"type": "string", "enum": ["ticket"]}}},
        "ticket_type": {"type": "object", "properties": {"id": {"type": "string"}}}
    }));
    let err = STEPS
        .iter()
        .try_for_each(|(_, step)| step(&mut doc).map(drop))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ticket") && err.contains("TicketType"),
        "{err}"
    );
}

#[test]
fn n4_required_only_any_of_is_removed_so_no_field_is_dropped() {
    let mut doc = fixture(json!({"create_contact_request": {
        "type": "object",
        "properties": {"email": {"type": "string"}, "external_id": {"type": "string"}, "role": {"type": "string"}},
        "anyOf": [{"required": ["email"]}, {"required": ["external_id"]}, {"required": ["role"]}]
    }}));
    run_steps(&mut doc);
    let schema = &doc["components"]["schemas"]["create_contact_request"];
    assert!(schema.get("anyOf").is_none());
    assert_eq!(
        schema["x-required-any-of"],
        json!([["email"], ["external_id"], ["role"]])
    );
    let code = codegen::generate(&doc).unwrap();
    assert!(
        code.contains("pub struct CreateContactRequest"),
        "a struct keeps every field"
    );
    assert!(!code.contains("pub enum CreateContactRequest"));
}

#[test]
fn n5_success_bodies_are_untyped_and_error_responses_removed() {
    let mut doc = operation_doc(
        "/things",
        json!({"operationId": "makeThing", "responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}},
            "404": {"content": {"application/json": {"schema": {"type": "object"}}}}
        }}),
        search_schemas(),
    );
    doc["components"]["schemas"]["thing"] =
        json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    run_steps(&mut doc);
    let responses = &doc["paths"]["/things"]["post"]["responses"];
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"],
        json!({})
    );
    assert!(responses.get("404").is_none());
    let code = codegen::generate(&doc).unwrap();
    assert!(
        code.contains("ResponseValue<::serde_json::Value>"),
        "{code}"
    );
}

#[test]
fn n5_a_referenced_response_stops_regen_naming_the_operation() {
    let mut doc = operation_doc(
        "/things",
        json!({"operationId": "makeThing", "responses": {"200": {"$ref": "#/components/responses/thing"}}}),
        search_schemas(),
    );
    let err = untyped_responses(&mut doc).unwrap_err().to_string();
    assert!(err.contains("makeThing") && err.contains("200"), "{err}");
}

#[test]
fn n6_request_id_loses_its_uuid_format() {
    let mut doc = fixture(json!({"error": {"type": "object", "properties": {
        "request_id": {"type": "string", "format": "uuid", "nullable": true}
    }}}));
    run_steps(&mut doc);
    assert_eq!(
        doc["components"]["schemas"]["error"]["properties"]["request_id"],
        json!({"type": "string", "nullable": true})
    );
    let code = codegen::generate(&doc).unwrap();
    assert!(
        code.contains("request_id: ::std::option::Option<::std::string::String>"),
        "any string decodes"
    );
    assert!(!code.contains("uuid::Uuid"));
}

#[test]
fn n7_search_filters_require_their_parts_and_value_is_not_nullable() {
    let mut doc = fixture(json!({}));
    run_steps(&mut doc);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["single_filter_search_request"]["required"],
        json!(["field", "operator", "value"])
    );
    assert_eq!(
        schemas["multiple_filter_search_request"]["required"],
        json!(["operator", "value"])
    );
    assert!(
        schemas["single_filter_search_request"]["properties"]["value"]
            .get("nullable")
            .is_none()
    );
    let code = codegen::generate(&doc).unwrap();
    assert!(
        code.contains("pub field: ::std::string::String,"),
        "a filter cannot be sent without its field"
    );
    assert!(
        code.contains("pub value: SingleFilterSearchRequestValue,"),
        "nor without its value"
    );
}

#[test]
fn n7_and_n9_fail_naming_a_component_an_update_removed() {
    let mut doc = with_schemas(json!({}));
    let err = require_search_filter_fields(&mut doc)
        .unwrap_err()
        .to_string();
    assert!(err.contains("single_filter_search_request"), "{err}");
    let err = require_admin_reply_body(&mut doc).unwrap_err().to_string();
    assert!(err.contains("admin_reply_conversation_request"), "{err}");
}

#[test]
fn n8_the_version_header_parameter_is_removed_everywhere() {
    let version = json!({"name": "Intercom-Version", "in": "header", "schema": {"type": "string"}});
    let mut doc = operation_doc(
        "/things/{thing_id}",
        json!({"operationId": "makeThing", "parameters": [
            version.clone(),
            {"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}}
        ], "responses": {}}),
        search_schemas(),
    );
    doc["paths"]["/things/{thing_id}"]["parameters"] = json!([version]);
    run_steps(&mut doc);
    let item = &doc["paths"]["/things/{thing_id}"];
    assert_eq!(item["parameters"], json!([]));
    assert_eq!(item["post"]["parameters"].as_array().unwrap().len(), 1);
    assert_eq!(item["post"]["parameters"][0]["name"], "thing_id");
    let code = codegen::generate(&doc).unwrap();
    assert!(
        !code.contains("intercom_version"),
        "no per-call version builder method"
    );
}

#[test]
fn n9_admin_reply_requires_body() {
    let mut doc = fixture(json!({}));
    run_steps(&mut doc);
    assert_eq!(
        doc["components"]["schemas"]["admin_reply_conversation_request"]["required"],
        json!(["admin_id", "body"])
    );
    let code = codegen::generate(&doc).unwrap();
    let reply = code
        .split("pub struct AdminReplyConversationRequest")
        .nth(1)
        .unwrap();
    let fields = reply.split('}').next().unwrap();
    assert!(
        fields.contains("pub body: ::std::string::String,"),
        "{fields}"
    );
}

#[test]
fn n10_prose_goes_but_a_field_named_description_stays() {
    let mut doc = fixture(json!({"tag": {
        "type": "object", "title": "A tag", "description": "words", "example": {"name": "x"},
        "properties": {"description": {"type": "string", "description": "more words", "example": "y"}}
    }}));
    doc["info"]["description"] = json!("upstream prose");
    doc["tags"] = json!([{"name": "Tags", "description": "prose"}]);
    doc["paths"] = json!({"/tags": {"get": {"operationId": "listTags", "summary": "s", "description": "d",
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}, "examples": {"a": {}}}}}}}}});
    run_steps(&mut doc);
    let tag = &doc["components"]["schemas"]["tag"];
    assert_eq!(
        tag,
        &json!({"type": "object", "properties": {"description": {"type": "string"}}})
    );
    assert!(doc.get("tags").is_none());
    assert!(doc["info"].get("description").is_none());
    let op = &doc["paths"]["/tags"]["get"];
    assert!(op.get("summary").is_none() && op.get("description").is_none());
    assert_eq!(
        op["responses"]["200"],
        json!({"description": "", "content": {"application/json": {"schema": {}}}})
    );
}
