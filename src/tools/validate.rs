//! Checks arguments against the input schema the model was shown, before anything is sent,
//! and says precisely which field is wrong and what would fit. Covers the JSON Schema subset
//! `schema.rs` produces, with one rule of its own: an object that declares properties takes
//! no others unless `additionalProperties` allows them.

use serde_json::{Map, Value};

/// The first problem found, as `` `path`: what is wrong ``; `Ok` when the value fits.
pub fn check(value: &Value, schema: &Value) -> Result<(), String> {
    Walker { root: schema }.check(value, schema, "")
}

struct Walker<'a> {
    root: &'a Value,
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

fn show(at: &str) -> String {
    if at.is_empty() {
        "the arguments".to_owned()
    } else {
        format!("`{at}`")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn fits_type(value: &Value, wanted: &str) -> bool {
    match wanted {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// How much a branch's complaint says: deeper paths say more, and a missing or unknown
/// property mostly says the value is of another branch's shape.
fn specificity(problem: &str) -> i64 {
    let depth = problem.split('`').nth(1).map_or(0, str::len) as i64;
    let wrong_shape = problem.contains(" is required") || problem.starts_with("unknown property");
    if wrong_shape { depth - 1000 } else { depth }
}

impl Walker<'_> {
    fn check(&self, value: &Value, schema: &Value, at: &str) -> Result<(), String> {
        let Some(schema) = schema.as_object() else {
            return Ok(());
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
                .ok_or_else(|| {
                    format!(
                        "{}: the schema refers to {reference}, which it lacks",
                        show(at)
                    )
                })?;
            return self.check(value, target, at);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = schema.get(key) {
                self.one_of(value, branches, at)?;
            }
        }
        self.check_type(value, schema, at)?;
        if let Some(allowed) = schema.get("const")
            && value != allowed
        {
            return Err(format!("{} must be {allowed}", show(at)));
        }
        if let Some(Value::Array(allowed)) = schema.get("enum")
            && !allowed.contains(value)
        {
            let listed: Vec<String> = allowed
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            return Err(format!(
                "{} is {value}, which is not allowed; use one of: {}",
                show(at),
                listed.join(", ")
            ));
        }
        self.check_bounds(value, schema, at)?;
        match value {
            Value::Object(object) => self.check_object(object, schema, at),
            Value::Array(items) => match schema.get("items") {
                Some(item_schema) => items.iter().enumerate().try_for_each(|(index, item)| {
                    self.check(item, item_schema, &format!("{at}[{index}]"))
                }),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Passes when a branch fits; otherwise reports the branch the value most resembles (the
    /// one that knows most of its properties), and within that the most specific complaint.
    fn one_of(&self, value: &Value, branches: &[Value], at: &str) -> Result<(), String> {
        let mut best: Option<(i64, String)> = None;
        for branch in branches {
            match self.check(value, branch, at) {
                Ok(()) => return Ok(()),
                Err(problem) => {
                    let score =
                        self.known_properties(value, branch) * 10_000 + specificity(&problem);
                    if best.as_ref().is_none_or(|(current, _)| score > *current) {
                        best = Some((score, problem));
                    }
                }
            }
        }
        Err(best.map_or_else(
            || format!("{} fits none of the allowed shapes", show(at)),
            |(_, problem)| problem,
        ))
    }

    fn known_properties(&self, value: &Value, branch: &Value) -> i64 {
        let branch = match branch.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix('#')
                .and_then(|p| self.root.pointer(p))
                .unwrap_or(branch),
            None => branch,
        };
        match (value, branch.get("properties")) {
            (Value::Object(object), Some(Value::Object(properties))) => object
                .keys()
                .filter(|key| properties.contains_key(*key))
                .count()
                as i64,
            _ => 0,
        }
    }

    fn check_type(
        &self,
        value: &Value,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Result<(), String> {
        let wanted: Vec<&str> = match schema.get("type") {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => return Ok(()),
        };
        if wanted.iter().any(|name| fits_type(value, name)) {
            return Ok(());
        }
        Err(format!(
            "{} must be {}, not {}",
            show(at),
            wanted.join(" or "),
            type_name(value)
        ))
    }

    // Every check_* takes the same (value, schema, at) and checks one keyword: alike on purpose.
    fn check_bounds(
        &self,
        value: &Value,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Result<(), String> {
        let limit = |key: &str| schema.get(key).and_then(Value::as_f64);
        if let Some(number) = value.as_f64() {
            if let Some(min) = limit("minimum").filter(|min| number < *min) {
                return Err(format!("{} must be at least {min}", show(at)));
            }
            if let Some(max) = limit("maximum").filter(|max| number > *max) {
                return Err(format!("{} must be at most {max}", show(at)));
            }
        }
        let length = match value {
            Value::String(text) => Some((text.chars().count(), "characters")),
            Value::Array(items) => Some((items.len(), "items")),
            _ => None,
        };
        if let Some((length, unit)) = length {
            let (min_key, max_key) = if unit == "items" {
                ("minItems", "maxItems")
            } else {
                ("minLength", "maxLength")
            };
            if let Some(min) = limit(min_key).filter(|min| (length as f64) < *min) {
                if length == 0 {
                    return Err(format!("{} must not be empty", show(at)));
                }
                return Err(format!("{} needs at least {min} {unit}", show(at)));
            }
            if let Some(max) = limit(max_key).filter(|max| (length as f64) > *max) {
                return Err(format!("{} allows at most {max} {unit}", show(at)));
            }
        }
        Ok(())
    }

    fn check_object(
        &self,
        object: &Map<String, Value>,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Result<(), String> {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    return Err(format!("{} is required", show(&join(at, name))));
                }
            }
        }
        for (name, child) in object {
            match properties.get(name) {
                Some(child_schema) => self.check(child, child_schema, &join(at, name))?,
                // Declared properties are the whole list unless the schema says otherwise.
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) | None if schema.contains_key("properties") => {
                        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                        let known = if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        };
                        return Err(format!(
                            "unknown property {} in {}; known properties: {known}",
                            show(&join(at, name)),
                            show(at)
                        ));
                    }
                    Some(extra) if extra.is_object() => {
                        self.check(child, extra, &join(at, name))?
                    }
                    _ => {}
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 150},
                "kind": {"type": "string", "enum": ["admin", "team"]},
                "query": {"oneOf": [{"$ref": "#/$defs/filter"}, {"$ref": "#/$defs/group"}]}
            },
            "$defs": {
                "filter": {"type": "object", "additionalProperties": false, "required": ["field", "operator"],
                    "properties": {"field": {"type": "string"}, "operator": {"type": "string", "enum": ["=", "!="]}}},
                "group": {"type": "object", "additionalProperties": false, "required": ["operator", "value"],
                    "properties": {"operator": {"enum": ["AND", "OR"]}, "value": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/filter"}}}}
            }
        })
    }

    fn problem(value: Value) -> String {
        check(&value, &schema()).unwrap_err()
    }

    #[test]
    fn valid_arguments_pass() {
        let ok = json!({"id": "1", "per_page": 150, "kind": "team",
            "query": {"operator": "OR", "value": [{"field": "a", "operator": "="}]}});
        check(&ok, &schema()).unwrap();
    }

    #[test]
    fn each_problem_names_its_field_and_what_fits() {
        assert_eq!(problem(json!({})), "`id` is required");
        assert_eq!(
            problem(json!({"id": 5})),
            "`id` must be string, not an integer"
        );
        assert_eq!(problem(json!({"id": ""})), "`id` must not be empty");
        assert_eq!(
            problem(json!({"id": "1", "per_page": 151})),
            "`per_page` must be at most 150"
        );
        assert_eq!(
            problem(json!({"id": "1", "per_page": "5"})),
            "`per_page` must be integer, not a string"
        );
        assert_eq!(
            problem(json!({"id": "1", "kind": "bot"})),
            "`kind` is \"bot\", which is not allowed; use one of: admin, team"
        );
        assert_eq!(
            problem(json!({"id": "1", "colour": "red"})),
            "unknown property `colour` in the arguments; known properties: id, per_page, kind, query"
        );
    }

    #[test]
    fn a_combinator_reports_the_most_specific_branch() {
        let err = problem(json!({"id": "1", "query": {"field": "email", "operator": "contains"}}));
        assert_eq!(
            err,
            "`query.operator` is \"contains\", which is not allowed; use one of: =, !="
        );
        let err = problem(
            json!({"id": "1", "query": {"operator": "AND", "value": [{"field": "a", "operator": "="}, {}, {}]}}),
        );
        assert_eq!(err, "`query.value` allows at most 2 items");
    }
}
