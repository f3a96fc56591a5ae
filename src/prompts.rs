//! Our prompts (`prompts/list`, `prompts/get`): starting points a support lead picks from a
//! menu. Each is one user message that names the tools and resources to use; none sends
//! anything to a customer by itself.

use rmcp::ErrorData;
use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::{Map, Value};

use crate::tools::Tool;
use crate::tools::contacts::SearchContacts;
use crate::tools::conversations::{GetConversation, SearchConversations};

/// One prompt: its arguments (name, description, required) and its text, where `{name}`
/// stands for an argument's value and `{ToolType}` for a tool's name ([`TOOLS`]).
struct Template {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    text: &'static str,
    /// Added, with `{name}` filled in, for each optional argument that was given.
    optional: &'static [(&'static str, &'static str)],
}

/// The tools the texts name, each name as its tool states it.
const TOOLS: [(&str, &str); 3] = [
    ("{SearchContacts}", SearchContacts::FACTS.name),
    ("{SearchConversations}", SearchConversations::FACTS.name),
    ("{GetConversation}", GetConversation::FACTS.name),
];

const PROMPTS: [Template; 3] = [
    Template {
        name: "triage-unassigned",
        title: "Triage unassigned conversations",
        description: "Sort the open conversations nobody owns by urgency and propose an owner \
            for each; assigns nothing.",
        arguments: &[(
            "assignee_id",
            "Whom to propose by default (an admin or team id)",
            false,
        )],
        text: "Find the open conversations assigned to nobody ({SearchConversations}: \
            open = true and admin_assignee_id = 0). For each, read it and say in one line what \
            the customer needs and how urgent it is. Propose an owner for each from \
            intercom://admins and intercom://teams (an admin who is away is no owner). Assign \
            nothing until I say so.",
        optional: &[(
            "assignee_id",
            " Propose {assignee_id} unless another fits clearly better.",
        )],
    },
    Template {
        name: "customer-history",
        title: "Summarise a customer's history",
        description: "Who a customer is and what they have asked before, from their email.",
        arguments: &[("email", "The customer's email address", true)],
        text: "Find the contact whose email is {email} ({SearchContacts}), then their \
            conversations ({SearchConversations} on contact_ids). Summarise who they are \
            (company, tags, plan if known) and, oldest first, what they asked and how each \
            ended. Say what is still open.",
        optional: &[],
    },
    Template {
        name: "draft-reply",
        title: "Draft a reply",
        description: "A reply to one conversation, drafted for review: nothing is sent.",
        arguments: &[
            ("conversation_id", "The conversation's Intercom id", true),
            (
                "admin_id",
                "Who the reply will come from (an admin id)",
                false,
            ),
        ],
        text: "Read conversation {conversation_id} (intercom://conversations/{conversation_id} \
            or {GetConversation}). Draft a reply to the customer's latest message: short, \
            friendly, answering what they asked, and saying what happens next. Show me the \
            draft only: do not send it or add it as a note.",
        optional: &[(
            "admin_id",
            " Write as admin {admin_id} (their name is in intercom://admins).",
        )],
    },
];

/// The names of our prompts.
pub fn names() -> impl Iterator<Item = &'static str> {
    PROMPTS.iter().map(|prompt| prompt.name)
}

pub fn list() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|prompt| {
            let arguments = prompt
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(*required)
                })
                .collect();
            Prompt::new(prompt.name, Some(prompt.description), Some(arguments))
                .with_title(prompt.title)
        })
        .collect()
}

/// The prompt's message with the arguments filled in; a wrong name or a missing required
/// argument is an invalid-params error that says what fits.
pub fn get(
    name: &str,
    arguments: Option<&Map<String, Value>>,
) -> Result<GetPromptResult, ErrorData> {
    let Some(prompt) = PROMPTS.iter().find(|prompt| prompt.name == name) else {
        let names: Vec<&str> = PROMPTS.iter().map(|prompt| prompt.name).collect();
        return Err(ErrorData::invalid_params(
            format!("no prompt `{name}`; the prompts are: {}", names.join(", ")),
            None,
        ));
    };
    let value = |argument: &str| {
        arguments
            .and_then(|arguments| arguments.get(argument))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let mut text = prompt.text.to_owned();
    // Tools first: an argument's value is the user's text, never a placeholder.
    for (placeholder, tool) in TOOLS {
        text = text.replace(placeholder, tool);
    }
    for (argument, addition) in prompt.optional {
        if value(argument).is_some() {
            text.push_str(addition);
        }
    }
    for (argument, _, required) in prompt.arguments {
        match value(argument) {
            Some(given) => text = text.replace(&format!("{{{argument}}}"), given),
            None if *required => {
                return Err(ErrorData::invalid_params(
                    format!("the prompt `{name}` needs the argument `{argument}` (a string)"),
                    None,
                ));
            }
            None => {}
        }
    }
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(prompt.description),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text(result: &GetPromptResult) -> String {
        serde_json::to_value(&result.messages).unwrap()[0]["content"]["text"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn arguments_fill_the_text_and_missing_ones_are_named() {
        let args = json!({"conversation_id": "215", "admin_id": "7300101"});
        let draft = get("draft-reply", args.as_object()).unwrap();
        let draft = text(&draft);
        assert!(draft.contains("conversation 215"), "{draft}");
        assert!(draft.contains("admin 7300101"), "{draft}");
        assert!(!draft.contains('{'), "{draft}");
        let error = get("customer-history", None).unwrap_err();
        assert!(error.message.contains("`email`"), "{}", error.message);
        let error = get("nope", None).unwrap_err();
        assert!(
            error.message.contains("triage-unassigned"),
            "{}",
            error.message
        );
        let triage = text(&get("triage-unassigned", None).unwrap());
        assert!(!triage.contains("{assignee_id}"), "{triage}");
        assert_eq!(list().len(), 3);
    }
}
