//! The note tool: a private note on a contact.
//!
//! Each tool is its input type, its `Facts` and a `send()`: the same shape in every tool file,
//! on purpose, so that a tool reads whole where it stands (the duplicates check lists it).

use schemars::JsonSchema;
use serde::Deserialize;

use super::contacts::WRITE_SCOPE;
use super::ids::PathId;
use super::{Effect, Facts, Tool};
use crate::intercom::{Client, Sent, types};
use crate::output::Output;

#[derive(Deserialize, JsonSchema)]
pub struct AddNote {
    contact_id: PathId,
    #[serde(flatten)]
    body: types::CreateNoteBody,
}

impl Tool for AddNote {
    const FACTS: Facts = Facts {
        name: "intercomAddNote",
        title: "Add a note to a contact",
        description: "Adds a note to a contact, seen by teammates only. Each call adds one.",
        operation: "createNote",
        effect: Effect::Write {
            destructive: false,
            idempotent: false,
        },
        scope: WRITE_SCOPE,
        output: Output::Object,
        fields: &[
            ("body", "Note text; simple HTML kept."),
            ("admin_id", "Author; default: the token's owner."),
        ],
        view: None,
        record: None,
    };

    const DEFAULT_ADMIN: bool = true;

    async fn send(self, client: &Client) -> Sent {
        client
            .create_note()
            .contact_id(self.contact_id.as_str())
            .body(self.body)
            .send()
            .await
    }
}
