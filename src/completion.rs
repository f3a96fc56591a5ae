//! `completion/complete`: the ids people do not know by heart (`admin_id`, `assignee_id`,
//! `tag_id`), offered from the workspace directory and narrowed by what the user typed, matched
//! against ids, names and emails. MCP caps an answer at 100 values
//! (`CompletionInfo::MAX_VALUES` in rmcp 3.11; the spec's `completion/complete`). Clients ask
//! for prompt and resource-template arguments (`ref/prompt`, `ref/resource`); the answer
//! depends on the argument's name only, so every prompt with an `admin_id` gets the same.

use rmcp::ErrorData;
use rmcp::model::{ArgumentInfo, CompleteResult, CompletionInfo};
use serde_json::Value;

use crate::config::Region;
use crate::error::{Hints, ToolError};
use crate::workspace::Context;
use crate::workspace::directory::Kind;

/// The arguments completed, and the directory lists each draws from.
pub const COMPLETED: [(&str, &[Kind]); 3] = [
    ("admin_id", &[Kind::Admins]),
    ("assignee_id", &[Kind::Admins, Kind::Teams]),
    ("tag_id", &[Kind::Tags]),
];

/// The `completion/complete` answer; a failed directory read reads as a tool's failure would.
pub async fn answer(
    argument: &ArgumentInfo,
    context: &Context,
    region: Option<Region>,
) -> Result<CompleteResult, ErrorData> {
    complete(&argument.name, &argument.value, context)
        .await
        .map(CompleteResult::new)
        .map_err(|error| {
            let hints = Hints {
                region,
                scope: "Read admins",
                repeatable: true,
            };
            ErrorData::internal_error(error.render(&hints), None)
        })
}

/// The ids for `argument` that fit `typed`; nothing for an argument that is not completed.
pub async fn complete(
    argument: &str,
    typed: &str,
    context: &Context,
) -> Result<CompletionInfo, ToolError> {
    let Some((_, kinds)) = COMPLETED.iter().find(|(name, _)| *name == argument) else {
        return Ok(CompletionInfo::default());
    };
    let mut candidates = Vec::new();
    for kind in kinds.iter().copied() {
        let listed = context.directory(kind).await?;
        candidates.extend(entries(&listed).cloned());
    }
    Ok(fitting(&candidates, typed))
}

/// The items of a lean directory answer (`{"admins": [...]}` and the like).
fn entries(listed: &Value) -> impl Iterator<Item = &Value> {
    listed
        .as_object()
        .into_iter()
        .flat_map(|map| map.values())
        .filter_map(Value::as_array)
        .flatten()
}

/// The ids of the candidates whose id starts with `typed`, or whose name or email contains it
/// (letter case ignored); at most [`CompletionInfo::MAX_VALUES`], with the total.
fn fitting(candidates: &[Value], typed: &str) -> CompletionInfo {
    let typed = typed.trim().to_lowercase();
    let text = |item: &Value, field: &str| {
        item.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    };
    let ids: Vec<String> = candidates
        .iter()
        .filter(|item| {
            text(item, "id").starts_with(&typed)
                || text(item, "name").contains(&typed)
                || text(item, "email").contains(&typed)
        })
        .filter_map(|item| item.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let total = ids.len();
    let values: Vec<String> = ids.into_iter().take(CompletionInfo::MAX_VALUES).collect();
    let more = total > values.len();
    CompletionInfo::with_pagination(values, u32::try_from(total).ok(), more).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn typed_text_matches_ids_names_and_emails_and_answers_cap_at_100() {
        let people = vec![
            json!({"id": "7300101", "name": "Mara Quill", "email": "mara@pebble.example"}),
            json!({"id": "7300102", "name": "Theo Brannigan", "email": "theo@pebble.example"}),
            json!({"id": "5200001", "name": "Customer Care", "members": ["7300101"]}),
        ];
        assert_eq!(fitting(&people, "ma").values, ["7300101"]);
        assert_eq!(fitting(&people, "THEO@").values, ["7300102"]);
        assert_eq!(fitting(&people, "730").values, ["7300101", "7300102"]);
        assert_eq!(fitting(&people, "care").values, ["5200001"]);
        assert_eq!(fitting(&people, "").values.len(), 3);
        assert!(fitting(&people, "nobody").values.is_empty());
        let many: Vec<Value> = (0..250)
            .map(|n| json!({"id": n.to_string(), "name": format!("tag {n}")}))
            .collect();
        let capped = fitting(&many, "tag");
        assert_eq!(capped.values.len(), 100);
        assert_eq!(capped.total, Some(250));
        assert_eq!(capped.has_more, Some(true));
    }
}
