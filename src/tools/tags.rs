//! Tag tools: list the workspace's tags, tag a contact.
//!
//! Each tool is its input type, its `Facts` and a `send()`: the same shape in every tool file,
//! on purpose, so that a tool reads whole where it stands (the duplicates check lists it).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ids::PathId;
use super::{Effect, Facts, Tool};
use crate::intercom::{Client, Sent, types};
use crate::output::Output;

#[derive(Deserialize, JsonSchema)]
pub struct ListTags {}

impl Tool for ListTags {
    const FACTS: Facts = Facts {
        name: "intercomListTags",
        title: "List tags",
        description: "Every tag in the workspace with its id, in one page.",
        operation: "listTags",
        effect: Effect::Read,
        scope: "Read tags",
        output: Output::List,
        fields: &[],
        view: None,
        record: None,
    };

    fn shape(schema: &mut Value) {
        if let Value::Object(map) = schema {
            map.entry("properties").or_insert_with(|| json!({}));
        }
    }

    async fn send(self, client: &Client) -> Sent {
        client.list_tags().send().await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct TagContact {
    contact_id: PathId,
    #[serde(flatten)]
    body: types::AttachTagToContactBody,
}

impl Tool for TagContact {
    const FACTS: Facts = Facts {
        name: "intercomTagContact",
        title: "Tag a contact",
        description: "Attaches an existing tag to a contact; tagging twice changes nothing.",
        operation: "attachTagToContact",
        effect: Effect::Write {
            destructive: false,
            idempotent: true,
        },
        scope: "Write tags",
        output: Output::Object,
        fields: &[("id", "Tag id, from intercomListTags.")],
        view: None,
        record: None,
    };

    async fn send(self, client: &Client) -> Sent {
        client
            .attach_tag_to_contact()
            .contact_id(self.contact_id.as_str())
            .body(self.body)
            .send()
            .await
    }
}
