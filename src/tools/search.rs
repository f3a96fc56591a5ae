//! The search query language shared by the contact and conversation searches: the schema
//! refinements and the structural rules Intercom enforces (checked before sending).

use serde_json::{Value, json};

use super::schema::for_each_schema;
use crate::intercom::types::{
    MultipleFilterSearchRequest, MultipleOrSingleFilterSearchRequest, SearchRequestQuery,
    SingleFilterSearchRequest, SingleFilterSearchRequestValue,
};

/// Every operator Intercom's search accepts; which ones fit depends on the field's type.
pub const OPERATORS: [&str; 12] = [
    "=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$",
];
const MAX_FILTERS_PER_GROUP: usize = 15;
const MAX_PER_PAGE: u64 = 150;

/// Makes the query schema compact and exact: the document's operator enum is shown again
/// (normalization 2 had to drop it), the query is one recursive definition instead of the
/// generated pair of near-identical unions, and the page size is bounded.
pub fn shape(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        let Some(Value::Object(properties)) = map.get_mut("properties") else {
            return;
        };
        if properties.contains_key("field") {
            if let Some(Value::Object(operator)) = properties.get_mut("operator") {
                operator.insert("enum".to_owned(), json!(OPERATORS));
            }
            // Same values as the generated union of five, in a third of the bytes; serde
            // still rejects an array that mixes strings and integers.
            properties.insert(
                "value".to_owned(),
                json!({"type": ["string", "integer", "boolean", "array"], "items": {"type": ["string", "integer"]}}),
            );
        }
        if let Some(Value::Object(per_page)) = properties.get_mut("per_page") {
            per_page.insert("minimum".to_owned(), json!(1));
            per_page.insert("maximum".to_owned(), json!(MAX_PER_PAGE));
        }
    });
    rename_definitions(schema);
}

/// `query` is either a filter or a group, exactly what the recursive union already says.
fn rename_definitions(schema: &mut Value) {
    let Some(Value::Object(defs)) = schema.get_mut("$defs") else {
        return;
    };
    let (Some(group), Some(either)) = (
        defs.remove("MultipleFilterSearchRequest"),
        defs.remove("MultipleOrSingleFilterSearchRequest"),
    ) else {
        return;
    };
    defs.insert("group".to_owned(), group);
    defs.insert("query".to_owned(), either);
    rewrite_refs(schema);
    if let Some(Value::Object(query)) = schema.pointer_mut("/properties/query") {
        query.retain(|key, _| key == "description");
        query.insert("$ref".to_owned(), json!("#/$defs/query"));
    }
}

fn rewrite_refs(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                *target = match target.as_str() {
                    "#/$defs/MultipleOrSingleFilterSearchRequest" => "#/$defs/query".to_owned(),
                    "#/$defs/MultipleFilterSearchRequest" => "#/$defs/group".to_owned(),
                    other => other.to_owned(),
                };
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// Nesting depth (a group inside a group at most), filters per group, and array values only
/// with IN/NIN.
pub fn check(query: &SearchRequestQuery) -> Result<(), String> {
    match query {
        SearchRequestQuery::SingleFilterSearchRequest(filter) => check_filter(filter, "query"),
        SearchRequestQuery::MultipleFilterSearchRequest(group) => check_group(group, "query", 1),
    }
}

fn check_group(group: &MultipleFilterSearchRequest, at: &str, depth: usize) -> Result<(), String> {
    if group.value.is_empty() {
        return Err(format!("`{at}.value` must hold at least one filter"));
    }
    if group.value.len() > MAX_FILTERS_PER_GROUP {
        return Err(format!(
            "`{at}.value` has {} filters; Intercom allows at most {MAX_FILTERS_PER_GROUP} per group: split it into nested groups",
            group.value.len()
        ));
    }
    for (index, member) in group.value.iter().enumerate() {
        let here = format!("{at}.value[{index}]");
        match member {
            MultipleOrSingleFilterSearchRequest::SingleFilterSearchRequest(filter) => {
                check_filter(filter, &here)?
            }
            MultipleOrSingleFilterSearchRequest::MultipleFilterSearchRequest(inner)
                if depth < 2 =>
            {
                check_group(inner, &here, depth + 1)?
            }
            MultipleOrSingleFilterSearchRequest::MultipleFilterSearchRequest(_) => {
                return Err(format!(
                    "`{here}` nests a third level of groups; Intercom allows a group inside a group at most"
                ));
            }
        }
    }
    Ok(())
}

fn check_filter(filter: &SingleFilterSearchRequest, at: &str) -> Result<(), String> {
    let is_list = matches!(
        filter.value,
        SingleFilterSearchRequestValue::Variant3(_) | SingleFilterSearchRequestValue::Variant4(_)
    );
    let wants_list = matches!(filter.operator.as_str(), "IN" | "NIN");
    match (wants_list, is_list) {
        (true, false) => Err(format!(
            "`{at}.value` must be an array with operator {}",
            filter.operator
        )),
        (false, true) => Err(format!(
            "`{at}.value` is an array, which only IN and NIN take; use IN, or one value with {}",
            filter.operator
        )),
        _ => Ok(()),
    }
}
