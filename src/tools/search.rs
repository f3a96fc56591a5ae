//! The search query language shared by the contact and conversation searches: the schema
//! refinements and the structural rules Intercom enforces (checked before sending).

use serde_json::{Value, json};

use super::schema::for_each_schema;
use crate::intercom::types::{
    MultipleFilterSearchRequest, MultipleOrSingleFilterSearchRequest, SearchRequestQuery, SingleFilterSearchRequest,
    SingleFilterSearchRequestValue,
};

/// Every operator Intercom's search accepts; which ones fit depends on the field's type.
pub const OPERATORS: [&str; 12] = ["=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$"];
const MAX_FILTERS_PER_GROUP: usize = 15;
const MAX_PER_PAGE: u64 = 150;

/// Shows the operator list on every single filter (the document's enum had to go, see
/// normalization 2) and bounds the page size.
pub fn shape(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        let Some(Value::Object(properties)) = map.get_mut("properties") else { return };
        if properties.contains_key("field") {
            if let Some(Value::Object(operator)) = properties.get_mut("operator") {
                operator.insert("enum".to_owned(), json!(OPERATORS));
            }
        }
        if let Some(Value::Object(per_page)) = properties.get_mut("per_page") {
            per_page.insert("minimum".to_owned(), json!(1));
            per_page.insert("maximum".to_owned(), json!(MAX_PER_PAGE));
        }
    });
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
            MultipleOrSingleFilterSearchRequest::SingleFilterSearchRequest(filter) => check_filter(filter, &here)?,
            MultipleOrSingleFilterSearchRequest::MultipleFilterSearchRequest(inner) if depth < 2 => {
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
        (true, false) => Err(format!("`{at}.value` must be an array with operator {}", filter.operator)),
        (false, true) => Err(format!(
            "`{at}.value` is an array, which only IN and NIN take; use IN, or one value with {}",
            filter.operator
        )),
        _ => Ok(()),
    }
}
