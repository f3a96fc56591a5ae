//! Ids that go into a URL path. The generated client percent-encodes `/ ? # %`, spaces and
//! non-ASCII, but an id of `.` or `..`, an empty one, or one with `\` would still change which
//! path is requested, so those are refused before anything is sent.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PathId(String);

impl TryFrom<String> for PathId {
    type Error = String;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        if id.trim().is_empty() {
            return Err("an id must not be empty".to_owned());
        }
        if id == "." || id == ".." || id.contains('\\') {
            return Err(format!(
                "{id:?} is not an Intercom id (no `.`, `..` or `\\`)"
            ));
        }
        Ok(Self(id))
    }
}

impl PathId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for PathId {
    fn schema_name() -> Cow<'static, str> {
        "PathId".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 1})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_backslashes_and_blanks_are_refused() {
        for bad in ["", "  ", ".", "..", "a\\..\\b"] {
            assert!(PathId::try_from(bad.to_owned()).is_err(), "{bad:?}");
        }
        for good in [
            "6762f0dd1bb69f9f2193bb7d",
            "x/../../tags",
            "a b?c#d%e",
            "ünï",
            "...",
        ] {
            assert_eq!(PathId::try_from(good.to_owned()).unwrap().as_str(), good);
        }
    }
}
