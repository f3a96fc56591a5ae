//! The line nearly every call is, a plain `tools/call` request, read straight into rmcp's
//! message. rmcp's general reader buffers the whole message, then tries each kind of request
//! in turn, building and dropping an error for every kind it is not: about 36,000 instructions
//! for a small call, an eighth of the call (docs/performance.md). This reader takes only the
//! plain shape and answers `None` for anything else (an unknown or duplicate member, an escaped
//! method name, `inputResponses`, …), which then goes through rmcp's reader as before: what is
//! accepted, and what it becomes, does not change.

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, ClientRequest, JsonObject, JsonRpcMessage, JsonRpcVersion2_0, Request,
    RequestId, RequestMetaObject,
};
use rmcp::service::RxJsonRpcMessage;
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    // Read only to be checked: "2.0" and nothing else.
    #[allow(dead_code)]
    jsonrpc: JsonRpcVersion2_0,
    id: StrictId,
    method: &'a str,
    /// Kept raw to be checked for an object first: a derived struct also reads an array.
    #[serde(borrow)]
    params: &'a RawValue,
}

/// An id as JSON-RPC has it: a string or an integer. A number written with a fraction or an
/// exponent is not taken (rmcp would read `1.0e2` as 100); the general path refuses it.
struct StrictId(RequestId);

impl<'de> Deserialize<'de> for StrictId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = StrictId;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a string or an integer")
            }
            fn visit_i64<E>(self, id: i64) -> Result<StrictId, E> {
                Ok(StrictId(RequestId::Number(id)))
            }
            fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<StrictId, E> {
                i64::try_from(id)
                    .map(|id| StrictId(RequestId::Number(id)))
                    .map_err(|_| E::custom("id out of range"))
            }
            fn visit_str<E>(self, id: &str) -> Result<StrictId, E> {
                Ok(StrictId(RequestId::String(id.into())))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// rmcp keeps a request's `_meta` in its extensions, not in the params.
    #[serde(rename = "_meta")]
    meta: Option<JsonObject>,
    name: String,
    arguments: Option<JsonObject>,
}

/// `line` as rmcp's message when it is a plain `tools/call` request; `None` otherwise.
pub(super) fn tools_call(line: &[u8]) -> Option<RxJsonRpcMessage<RoleServer>> {
    // rmcp reads a message and its params only as objects; serde's derived structs would
    // take arrays of their fields too.
    if line.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    let envelope: Envelope = serde_json::from_slice(line).ok()?;
    if envelope.method != "tools/call" || !envelope.params.get().starts_with('{') {
        return None;
    }
    let Params {
        meta,
        name,
        arguments,
    } = serde_json::from_str(envelope.params.get()).ok()?;
    let mut params = CallToolRequestParams::new(name);
    params.arguments = arguments;
    let mut request = Request::new(params);
    if let Some(meta) = meta {
        request.extensions.insert(RequestMetaObject::from(meta));
    }
    Some(JsonRpcMessage::request(
        ClientRequest::CallToolRequest(request),
        envelope.id.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What rmcp's own reader makes of `line`, as the JSON it would send on and the request's
    /// meta (kept apart from the params).
    fn general(line: &str) -> (serde_json::Value, Option<JsonObject>) {
        let message: RxJsonRpcMessage<RoleServer> = serde_json::from_str(line).unwrap();
        seen(message)
    }

    fn seen(message: RxJsonRpcMessage<RoleServer>) -> (serde_json::Value, Option<JsonObject>) {
        let meta = match &message {
            JsonRpcMessage::Request(request) => match &request.request {
                ClientRequest::CallToolRequest(call) => call
                    .extensions
                    .get::<RequestMetaObject>()
                    .map(|meta| meta.0.0.clone()),
                other => panic!("not a tools/call: {other:?}"),
            },
            other => panic!("not a request: {other:?}"),
        };
        (serde_json::to_value(&message).unwrap(), meta)
    }

    #[test]
    fn a_plain_call_becomes_exactly_what_rmcp_makes_of_it() {
        let lines = [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"intercomListTags","arguments":{}}}"#,
            r#"{"jsonrpc":"2.0","id":"a-7","method":"tools/call","params":{"name":"intercomGetContact"}}"#,
            r#"{"method":"tools/call","params":{"arguments":{"contact_id":"c1","x":[1,{"y":null}]},"name":"intercomGetContact"},"id":-3,"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t","arguments":null}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"_meta":{"progressToken":"p1","io.modelcontextprotocol/protocolVersion":"2025-06-18"},"name":"t","arguments":{"a":"\u00e9\n"}}}"#,
        ];
        for line in lines {
            let direct = tools_call(line.as_bytes()).unwrap_or_else(|| panic!("not taken: {line}"));
            assert_eq!(seen(direct), general(line), "{line}");
        }
    }

    #[test]
    fn anything_but_the_plain_shape_is_left_to_rmcp() {
        let lines = [
            // other methods, and a method name rmcp would read but this reader does not
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"t"}}"#,
            // not a request, or not JSON-RPC 2.0
            r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"t"}}"#,
            r#"{"jsonrpc":"1.0","id":1,"method":"tools/call","params":{"name":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"},"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"tools/call","params":{"name":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":1.0e2,"method":"tools/call","params":{"name":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":1e-400,"method":"tools/call","params":{"name":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":9223372036854775808,"method":"tools/call","params":{"name":"t"}}"#,
            // members this reader does not know, repeated, or of another type
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","requestState":"s"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","name":"u"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":[1]}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#,
            // not one object, or params that are not one
            r#"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}]"#,
            r#"["2.0",7,"tools/call",[null,"intercomListTags",{}]]"#,
            r#" ["2.0",7,"tools/call",{"name":"t"}]"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[null,"t",null]}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","_meta":[]}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}} x"#,
        ];
        for line in lines {
            assert!(tools_call(line.as_bytes()).is_none(), "taken: {line}");
        }
    }
}
