//! What of Intercom's document is prose or sample data, never structure, and its removal:
//! shared by normalization 10 (the request side) and correction R6 (the response shapes).

use serde_json::Value;

/// Keys that hold prose or sample values, never structure.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "title",
];
/// Keys whose children are names (of fields, schemas, paths…), not keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "paths",
    "responses",
    "content",
    "securitySchemes",
    "headers",
];

/// Removes every prose and example entry below `node`, counting them in `removed`; a field
/// that is merely named like one (`description` among `properties`) stays.
pub fn strip(node: &mut Value, removed: &mut usize) {
    match node {
        Value::Object(map) => {
            let before = map.len();
            map.retain(|key, _| !PROSE_KEYS.contains(&key.as_str()));
            *removed += before - map.len();
            for (key, value) in map.iter_mut() {
                if NAME_MAPS.contains(&key.as_str())
                    && let Value::Object(named) = value
                {
                    named.values_mut().for_each(|child| strip(child, removed));
                    continue;
                }
                strip(value, removed);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| strip(item, removed)),
        _ => {}
    }
}
