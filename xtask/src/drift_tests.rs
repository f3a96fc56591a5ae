//! The drift report on small hand-made documents: requests, schemas and responses.

use super::*;
use serde_json::json;

fn document(contact: Value, operations: Value) -> Value {
    json!({"paths": operations, "components": {"schemas": {"contact": contact}}})
}

#[test]
fn reports_operations_fields_types_and_requiredness() {
    let old = document(
        json!({"type": "object", "required": ["email"], "properties": {
            "email": {"type": "string"}, "age": {"type": "integer"}, "gone": {"type": "string"}
        }}),
        json!({"/contacts": {"get": {"operationId": "ListContacts"}}}),
    );
    let new = document(
        json!({"type": "object", "properties": {
            "email": {"type": "string"}, "age": {"type": "string"}, "fresh": {"type": "boolean"}
        }}),
        json!({"/contacts": {"post": {"operationId": "CreateContact"}}}),
    );
    let lines = report(&old, &new);
    for expected in [
        "operation added: POST /contacts (CreateContact)",
        "operation removed: GET /contacts (ListContacts)",
        "schema contact: fresh added: boolean",
        "schema contact: gone removed: string",
        "schema contact: age changed: integer → string",
        "schema contact: email changed: string, required → string",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "missing {expected:?} in {lines:#?}"
        );
    }
}

#[test]
fn changes_inside_inline_bodies_nested_objects_and_constraints_show() {
    let note = |admin: Value, id_type: &str| {
        json!({"paths": {"/contacts/{contact_id}/notes": {"post": {"operationId": "createNote",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"body": {"type": "string"}, "admin_id": admin,
                    "tag": {"type": "object", "properties": {"id": {"type": id_type}}}}}}}}}}},
            "components": {"schemas": {"reply": {"type": "object", "properties": {
                "urls": {"type": "array", "maxItems": 10, "items": {"type": "string", "format": "uri"}}}}}}})
    };
    let old = note(json!({"type": "string"}), "string");
    let mut new = note(json!(null), "integer");
    new["paths"]["/contacts/{contact_id}/notes"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("admin_id");
    new["components"]["schemas"]["reply"]["properties"]["urls"]["maxItems"] = json!(5);
    let lines = report(&old, &new);
    let op = "POST /contacts/{contact_id}/notes (createNote)";
    for expected in [
        format!("{op}: body.admin_id removed: string"),
        format!("{op}: body.tag.id changed: string → integer"),
        "schema reply: urls changed: array maxItems=10 → array maxItems=5".to_owned(),
    ] {
        assert!(
            lines.contains(&expected),
            "missing {expected:?} in {lines:#?}"
        );
    }
}

#[test]
fn equal_documents_report_nothing() {
    let doc = document(json!({"type": "object"}), json!({}));
    assert!(report(&doc, &doc).is_empty());
}

/// An upstream document with one operation answering a contact; `contact` is its schema.
fn answering(contact: Value) -> Value {
    json!({"openapi": "3.0.1", "paths": {"/contacts/{contact_id}": {"get": {
    "operationId": "ShowContact",
    "responses": {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/contact"}}}},
        "404": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}}}
    }}}},
    "components": {"schemas": {
        "contact": contact,
        "location": {"type": "object", "properties": {"city": {"type": "string"}}},
        "error": {"type": "object", "required": ["errors"], "properties": {
            "errors": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}}}}}}
    }}})
}

#[test]
fn a_changed_answer_names_the_operation_and_each_field_added_removed_or_retyped() {
    let old = answering(json!({"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "age": {"type": "integer"}, "fax": {"type": "string"},
        "location": {"$ref": "#/components/schemas/location"}
    }}));
    let mut new = answering(json!({"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "age": {"type": "string"}, "pronouns": {"type": "string", "nullable": true},
        "location": {"$ref": "#/components/schemas/location", "nullable": true}
    }}));
    new["components"]["schemas"]["location"]["properties"]["country_code"] =
        json!({"type": "string"});
    new["components"]["schemas"]["error"]["properties"]["errors"]["items"]["properties"]["field"] =
        json!({"type": "string"});
    let derive = |doc: &Value| {
        crate::responses::derive_with(doc, &["ShowContact"], &[])
            .unwrap()
            .0
    };
    let lines = responses_report(&derive(&old), &derive(&new));
    let answer = "GET /contacts/{contact_id} (ShowContact) answers 200";
    for expected in [
        format!("{answer}: pronouns added: string nullable"),
        format!("{answer}: fax removed: string"),
        format!("{answer}: age changed: integer → string"),
        format!("{answer}: location changed: object → object nullable"),
        format!("{answer}: location.country_code added: string"),
        "every error answers: errors[].field added: string".to_owned(),
    ] {
        assert!(
            lines.contains(&expected),
            "missing {expected:?} in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert!(responses_report(&derive(&new), &derive(&new)).is_empty());
}

#[test]
fn an_operation_that_stops_answering_a_status_shows() {
    let contact = json!({"type": "object", "properties": {"id": {"type": "string"}}});
    let old = crate::responses::derive_with(&answering(contact.clone()), &["ShowContact"], &[])
        .unwrap()
        .0;
    let mut new = old.clone();
    let responses = new["operations"]["ShowContact"]["responses"]
        .as_object_mut()
        .unwrap();
    let ok = responses.remove("200").unwrap();
    responses.insert("201".to_owned(), ok);
    let lines = responses_report(&old, &new);
    assert!(
        lines.contains(
            &"answer added: GET /contacts/{contact_id} (ShowContact) answers 201".to_owned()
        ),
        "{lines:#?}"
    );
    assert!(
        lines.contains(
            &"answer removed: GET /contacts/{contact_id} (ShowContact) answers 200".to_owned()
        ),
        "{lines:#?}"
    );
}
