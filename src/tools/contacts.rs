//! Contact tools: list, search, get, create, update.
//!
//! Each tool is its input type, its `Facts` and a `send()`: the same shape in every tool file,
//! on purpose, so that a tool reads whole where it stands (the duplicates check lists it).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ids::PathId;
use super::paging::{MAX_PER_PAGE, bound_per_page, cursor_page};
use super::{Effect, Facts, Record, Tool, View, search};
use crate::intercom::{Client, Sent, types};
use crate::output::Output;

pub const READ_SCOPE: &str = "Read and list users and companies";
pub const WRITE_SCOPE: &str = "Write users and companies";

#[derive(Deserialize, JsonSchema)]
pub struct ListContacts {
    per_page: Option<i64>,
    starting_after: Option<String>,
}

impl Tool for ListContacts {
    const FACTS: Facts = Facts {
        name: "intercomListContacts",
        title: "List contacts",
        description: "Pages through all contacts (users and leads); to find someone, search.",
        operation: "ListContacts",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::CursorPage("contacts"),
        fields: &[],
        view: Some(View::Browser),
        record: None,
    };

    fn shape(schema: &mut Value) {
        bound_per_page(schema, Some(MAX_PER_PAGE));
    }

    async fn send(self, client: &Client) -> Sent {
        cursor_page!(client.list_contacts(), self).send().await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct SearchContacts {
    #[serde(flatten)]
    body: types::SearchRequest,
}

impl Tool for SearchContacts {
    const FACTS: Facts = Facts {
        name: "intercomSearchContacts",
        title: "Search contacts",
        description: "Finds contacts by email, name, phone, role, external_id, created_at, \
            last_seen_at, tag_id, custom_attributes.<name>…",
        operation: "SearchContacts",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::CursorPage("contacts"),
        fields: &[],
        view: Some(View::Browser),
        record: None,
    };

    fn shape(schema: &mut Value) {
        search::shape(schema);
    }

    fn adjust(args: &mut Map<String, Value>) -> Result<(), String> {
        search::adjust(args, &search::CONTACT_FIELDS)
    }

    async fn send(self, client: &Client) -> Sent {
        client.search_contacts().body(self.body).send().await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct GetContact {
    contact_id: PathId,
}

impl Tool for GetContact {
    const FACTS: Facts = Facts {
        name: "intercomGetContact",
        title: "Get a contact",
        description: "One contact by Intercom id: profile, location, custom attributes, tags, \
            companies.",
        operation: "ShowContact",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::Object,
        fields: &[],
        view: None,
        record: Some(Record {
            prefix: "intercom://contacts/",
            uri_template: "intercom://contacts/{id}",
            name: "contact",
            title: "A contact",
            description: "One contact by Intercom id, as intercomGetContact answers.",
            argument: "contact_id",
        }),
    };

    async fn send(self, client: &Client) -> Sent {
        client
            .show_contact()
            .contact_id(self.contact_id.as_str())
            .send()
            .await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct CreateContact {
    #[serde(flatten)]
    body: types::CreateContactRequest,
}

/// Intercom needs one of these to tell contacts apart (`x-required-any-of` in the document).
const CREATE_NEEDS_ONE_OF: &str = "email, external_id or role";

impl Tool for CreateContact {
    const FACTS: Facts = Facts {
        name: "intercomCreateContact",
        title: "Create a contact",
        description: "Creates a user or lead from an email, external_id or role (a name alone is \
            not enough); an existing email or external_id is refused.",
        operation: "CreateContact",
        effect: Effect::Write {
            destructive: false,
            idempotent: false,
        },
        scope: WRITE_SCOPE,
        output: Output::Object,
        fields: &[],
        view: None,
        record: None,
    };

    fn shape(schema: &mut Value) {
        role_choices(schema);
    }

    fn check(&self) -> Result<(), String> {
        let body = &self.body;
        if body.email.is_none() && body.external_id.is_none() && body.role.is_none() {
            return Err(format!(
                "a new contact needs at least one of {CREATE_NEEDS_ONE_OF}"
            ));
        }
        Ok(())
    }

    async fn send(self, client: &Client) -> Sent {
        client.create_contact().body(self.body).send().await
    }
}

fn role_choices(schema: &mut Value) {
    if let Some(Value::Object(role)) = schema.pointer_mut("/properties/role") {
        role.insert("enum".to_owned(), json!(["user", "lead"]));
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct UpdateContact {
    contact_id: PathId,
    #[serde(flatten)]
    body: types::UpdateContactRequest,
    /// The fields given as `null`, moved here by `adjust`: sent as null, to clear them.
    #[serde(default, rename = "$cleared")]
    #[schemars(skip)]
    cleared: Vec<String>,
}

/// The fields the document marks nullable that a model may clear (custom attribute values
/// keep their nulls already: see `tools::call`).
const CLEARABLE: &[&str] = &["name", "phone", "owner_id"];

impl Tool for UpdateContact {
    const FACTS: Facts = Facts {
        name: "intercomUpdateContact",
        title: "Update a contact",
        description: "Overwrites the given fields of a contact; null clears one; others stay as they are.",
        operation: "UpdateContact",
        effect: Effect::Write {
            destructive: true,
            idempotent: true,
        },
        scope: WRITE_SCOPE,
        output: Output::Object,
        fields: &[],
        view: None,
        record: None,
    };

    const NULLABLE: &'static [&'static str] = CLEARABLE;

    fn shape(schema: &mut Value) {
        role_choices(schema);
        for field in CLEARABLE {
            if let Some(Value::Object(property)) =
                schema.pointer_mut(&format!("/properties/{field}"))
                && let Some(Value::String(kind)) = property.get("type").cloned()
            {
                property.insert("type".to_owned(), json!([kind, "null"]));
            }
        }
    }

    fn adjust(args: &mut Map<String, Value>) -> Result<(), String> {
        let cleared: Vec<Value> = CLEARABLE
            .iter()
            .filter(|field| args.get(**field).is_some_and(Value::is_null))
            .map(|field| Value::from(*field))
            .collect();
        for field in &cleared {
            if let Some(field) = field.as_str() {
                args.remove(field);
            }
        }
        args.insert("$cleared".to_owned(), Value::Array(cleared));
        Ok(())
    }

    fn check(&self) -> Result<(), String> {
        let fields = serde_json::to_value(&self.body).unwrap_or_default();
        if self.cleared.is_empty() && fields.as_object().is_none_or(|fields| fields.is_empty()) {
            return Err("give at least one field to change besides `contact_id`".to_owned());
        }
        Ok(())
    }

    async fn send(self, client: &Client) -> Sent {
        crate::intercom::sending_nulls(client, self.cleared)
            .update_contact()
            .contact_id(self.contact_id.as_str())
            .body(self.body)
            .send()
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_of_rule_matches_the_vendored_document() {
        let text = include_str!("../../openapi/intercom-2.11.json");
        let doc: Value = serde_json::from_str(text).unwrap();
        let rule = &doc["components"]["schemas"]["create_contact_request"]["x-required-any-of"];
        assert_eq!(rule, &json!([["email"], ["external_id"], ["role"]]));
        assert_eq!(CREATE_NEEDS_ONE_OF, "email, external_id or role");
    }
}
