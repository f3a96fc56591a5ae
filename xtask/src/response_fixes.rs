//! The corrections of Intercom's response schemas, in the order regen applies them to the
//! vendored response shapes. Intercom's answers, its document's own examples included, do not
//! match the schemas it publishes (facts, normalization 5): fields left out that it marks
//! required, nulls where it says non-null, fields it never lists. Each correction below names
//! what it changes and why; each reports what it did, says when upstream has made it
//! unnecessary, and fails naming the schema when the document no longer has it. Tests:
//! `response_fixes_tests.rs`, which also checks every example of the upstream document
//! against the corrected shapes.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::normalize::{self, Step};
use crate::{doc, prose};

pub const STEPS: &[(&str, Step)] = &[
    ("R1 define open objects", normalize::define_open_objects),
    ("R2 untyped request_id", normalize::untyped_request_id),
    (
        "R3 declare the fields answers carry",
        declare_answered_fields,
    ),
    ("R4 nullable where answers carry null", allow_answered_nulls),
    (
        "R5 optional where answers leave fields out",
        unrequire_omitted_fields,
    ),
    ("R6 strip prose", strip_prose),
];

/// Fields every answer of the kind carries (the document's examples show each) that the
/// schema does not list, with the shape the answers give them.
fn answered_fields() -> Vec<(&'static str, &'static str, Value)> {
    let list_type = json!({"type": "string", "enum": ["list"]});
    let text_or_null = json!({"type": "string", "nullable": true});
    // A contact's subscription types come as the same list wrapper as its tags.
    let subscriptions = json!({"type": "object", "properties": {
        "type": {"type": "string", "enum": ["list"]},
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/addressable_list"}},
        "url": {"type": "string", "format": "uri"},
        "total_count": {"type": "integer"},
        "has_more": {"type": "boolean"}
    }});
    // Conversations: `topics` is in `required` but not in `properties` (answers: `{}`);
    // `ticket` is null unless the conversation is a ticket, whose shape is not ours to use.
    let topics = json!({"type": "object", "additionalProperties": true});
    let ticket = json!({"type": "object", "nullable": true, "additionalProperties": true});
    let mut fields = vec![
        ("contact_tags", "type", list_type.clone()),
        ("contact_notes", "type", list_type.clone()),
        ("contact_social_profiles", "type", list_type),
        ("contact_location", "country_code", text_or_null.clone()),
        ("contact_location", "continent_code", text_or_null.clone()),
        (
            "contact",
            "opted_in_subscription_types",
            subscriptions.clone(),
        ),
        ("contact", "opted_out_subscription_types", subscriptions),
        ("app", "secure", json!({"type": "boolean"})),
    ];
    for utm in [
        "referrer",
        "utm_campaign",
        "utm_content",
        "utm_medium",
        "utm_source",
        "utm_term",
    ] {
        fields.push(("contact", utm, text_or_null.clone()));
    }
    for conversation in ["conversation", "conversation_list_item"] {
        fields.push((conversation, "topics", topics.clone()));
        fields.push((conversation, "ticket", ticket.clone()));
    }
    fields
}

/// R3. A field an answer carries and the schema does not list would read as unknown.
pub fn declare_answered_fields(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for (schema, field, shape) in answered_fields() {
        let component = normalize::component_mut(doc, schema, "R3")?;
        let Value::Object(properties) = component.entry("properties").or_insert_with(|| json!({}))
        else {
            bail!("correction R3: `{schema}.properties` is not an object");
        };
        if properties.contains_key(field) {
            changes.push(format!(
                "{schema}.{field}: declared upstream now; the correction can go"
            ));
        } else {
            properties.insert(field.to_owned(), shape);
            changes.push(format!("{schema}.{field}: declared"));
        }
    }
    Ok(changes)
}

/// Fields that answers carry as `null` (a conversation nobody rated, answered or assigned)
/// though the schema does not say nullable.
const ANSWERED_NULLS: &[(&str, &[&str])] = &[
    (
        "conversation",
        &[
            "conversation_rating",
            "first_contact_reply",
            "statistics",
            "teammates",
        ],
    ),
    (
        "conversation_list_item",
        &[
            "conversation_rating",
            "first_contact_reply",
            "statistics",
            "teammates",
        ],
    ),
];

/// R4. A `null` where the schema says non-null would read as a wrong type.
pub fn allow_answered_nulls(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for (schema, fields) in ANSWERED_NULLS {
        let component = normalize::component_mut(doc, schema, "R4")?;
        for field in *fields {
            let Some(Value::Object(property)) = component
                .get_mut("properties")
                .and_then(|properties| properties.get_mut(*field))
            else {
                bail!(
                    "correction R4 expects property `{schema}.{field}`, which the document \
                     no longer has; revisit xtask/src/response_fixes.rs"
                );
            };
            if property.get("nullable") == Some(&Value::Bool(true)) {
                changes.push(format!(
                    "{schema}.{field}: nullable upstream now; the correction can go"
                ));
            } else {
                // Beside a `$ref` too, as the document itself writes it (`assigned_to`).
                property.insert("nullable".to_owned(), json!(true));
                changes.push(format!("{schema}.{field}: nullable"));
            }
        }
    }
    Ok(changes)
}

/// Fields the schema marks required that answers leave out (an admin without a job title,
/// a company without a website, a tag listed rather than applied).
const OMITTED: &[(&str, &[&str])] = &[
    ("admin", &["has_inbox_seat", "job_title", "team_ids"]),
    (
        "admin_with_app",
        &[
            "away_mode_enabled",
            "away_mode_reassign",
            "job_title",
            "team_ids",
        ],
    ),
    (
        "company",
        &["industry", "last_request_at", "size", "website"],
    ),
    ("tag", &["applied_at", "applied_by"]),
];

/// R5. A field left out that the schema requires would read as a broken answer.
pub fn unrequire_omitted_fields(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for (schema, fields) in OMITTED {
        let component = normalize::component_mut(doc, schema, "R5")?;
        let Some(Value::Array(required)) = component.get_mut("required") else {
            changes.push(format!("{schema}: requires nothing upstream now"));
            continue;
        };
        for field in *fields {
            let before = required.len();
            required.retain(|name| name != field);
            changes.push(if required.len() < before {
                format!("{schema}.{field}: no longer required")
            } else {
                format!("{schema}.{field}: not required upstream now; the correction can go")
            });
        }
    }
    Ok(changes)
}

/// Enums at least this long are written last value first (R6).
const LONG_ENUM: usize = 8;

/// R6. As normalization 10 on the request side: every description, summary, title and
/// example goes, and so do `x-tags` (the document's grouping for its own pages). And a long
/// enum is written last value first: its values are facts, but the document's prose also
/// lists them in its order (a conversation's source channels), and in that order they would
/// read as that prose to `prose-check`. The order of an enum means nothing.
pub fn strip_prose(doc: &mut Value) -> Result<Vec<String>> {
    let mut removed = 0;
    if let Some(Value::Object(operations)) = doc.get_mut("operations") {
        operations
            .values_mut()
            .for_each(|operation| prose::strip(operation, &mut removed));
    }
    let mut reversed = Vec::new();
    if let Some(schemas) = doc::schemas_mut(doc) {
        for schema in schemas.values_mut() {
            prose::strip(schema, &mut removed);
            if let Value::Object(schema) = schema {
                removed += usize::from(schema.remove("x-tags").is_some());
            }
        }
    }
    doc::for_each_document_schema_mut(doc, &mut |at, schema| {
        if let Some(Value::Array(values)) = schema.get_mut("enum")
            && values.len() >= LONG_ENUM
        {
            values.reverse();
            reversed.push(format!("{at}: enum of {} written last first", values.len()));
        }
    });
    let mut changes = vec![format!(
        "removed {removed} prose, example and label entries"
    )];
    changes.extend(reversed);
    Ok(changes)
}

#[cfg(test)]
#[path = "response_fixes_tests.rs"]
mod tests;
