//! Reading Intercom's document from a path or a URL, as YAML or JSON.

use std::io::Read;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The published document is ~0.7 MB; anything far larger is not what we asked for.
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

pub fn load(from: &str) -> Result<Value> {
    let text = if from.starts_with("http://") || from.starts_with("https://") {
        fetch(from)?
    } else {
        std::fs::read_to_string(from).with_context(|| format!("cannot read {from}"))?
    };
    parse(&text).with_context(|| format!("{from} is neither a JSON nor a YAML OpenAPI document"))
}

fn fetch(url: &str) -> Result<String> {
    let response = ureq::get(url)
        .call()
        .with_context(|| format!("cannot fetch {url}"))?;
    let mut text = String::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_DOCUMENT_BYTES)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read the body of {url}"))?;
    Ok(text)
}

/// JSON is a subset of YAML, but the JSON parser is faster and its errors clearer.
pub fn parse(text: &str) -> Result<Value> {
    let value: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text)?
    } else {
        serde_norway::from_str(text)?
    };
    if !value.is_object() || value.get("openapi").is_none() {
        bail!("no top-level `openapi` field");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_with_numeric_response_codes_parses_to_string_keys() {
        let doc = parse("openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n").unwrap();
        assert!(doc["paths"]["/a"]["get"]["responses"]["200"].is_object());
    }

    #[test]
    fn json_parses_and_non_openapi_is_refused() {
        assert!(parse(r#"{"openapi":"3.0.1","paths":{}}"#).is_ok());
        assert!(parse("just: yaml").is_err());
    }
}
