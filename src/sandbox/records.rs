//! The shapes of records as the workspace makes them, fields in Intercom's order: a new
//! contact before its fields are set, a conversation part, and a part's author. The sample
//! data (`data.rs`) and the writes build from the same shapes.

use serde_json::{Map, Value, json};

/// A contact with every field Intercom returns, in its order, empty; sub-lists are added
/// when it is rendered.
pub fn blank(id: &str, workspace_id: &str, role: &str, created_at: i64) -> Map<String, Value> {
    let mut doc = Map::new();
    let mut set = |key: &str, value: Value| {
        doc.insert(key.to_owned(), value);
    };
    set("type", json!("contact"));
    set("id", json!(id));
    set("workspace_id", json!(workspace_id));
    set("external_id", Value::Null);
    set("role", json!(role));
    for key in [
        "email",
        "email_domain",
        "phone",
        "formatted_phone",
        "name",
        "avatar",
        "owner_id",
    ] {
        set(key, Value::Null);
    }
    set("social_profiles", json!({"type": "list", "data": []}));
    for key in [
        "has_hard_bounced",
        "marked_email_as_spam",
        "unsubscribed_from_emails",
    ] {
        set(key, json!(false));
    }
    set("created_at", json!(created_at));
    set("updated_at", json!(created_at));
    for key in [
        "signed_up_at",
        "last_seen_at",
        "last_replied_at",
        "last_contacted_at",
        "last_email_opened_at",
        "last_email_clicked_at",
        "language_override",
        "browser",
        "browser_version",
        "browser_language",
        "os",
    ] {
        set(key, Value::Null);
    }
    set(
        "location",
        json!({"type": "location", "country": null, "region": null, "city": null,
            "country_code": null, "continent_code": null}),
    );
    for platform in ["android", "ios"] {
        for field in [
            "app_name",
            "app_version",
            "device",
            "os_version",
            "sdk_version",
            "last_seen_at",
        ] {
            set(&format!("{platform}_{field}"), Value::Null);
        }
    }
    set("custom_attributes", json!({}));
    doc
}

/// A conversation part, fields in Intercom's order.
pub fn part(
    id: &str,
    part_type: &str,
    body: Option<String>,
    at: i64,
    author: Value,
    assigned_to: Value,
) -> Value {
    json!({
        "type": "conversation_part",
        "id": id,
        "part_type": part_type,
        "body": body,
        "created_at": at,
        "updated_at": at,
        "notified_at": at,
        "assigned_to": assigned_to,
        "author": author,
        "attachments": [],
        "external_id": null,
        "redacted": false,
    })
}

/// An admin as a part's author.
pub fn admin_author(admin: &Value) -> Value {
    json!({
        "type": "admin",
        "id": admin.get("id"),
        "name": admin.get("name"),
        "email": admin.get("email"),
    })
}

/// A contact as a part's author.
pub fn contact_author(contact: &Map<String, Value>) -> Value {
    json!({
        "type": if contact.get("role").and_then(Value::as_str) == Some("lead") { "lead" } else { "user" },
        "id": contact.get("id"),
        "name": contact.get("name"),
        "email": contact.get("email").and_then(Value::as_str).unwrap_or_default(),
    })
}
