//! README's first command, as a client sees it: the real binary with `--sandbox` over stdio,
//! all 16 tools called by a real MCP session, and every write visible in a later read.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::common;

struct Session {
    _child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    id: u64,
    called: std::collections::BTreeSet<String>,
}

impl Session {
    async fn start() -> Self {
        let mut child = common::command(&["--sandbox"], &[])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut session = Self {
            _child: child,
            stdin,
            stdout,
            id: 0,
            called: Default::default(),
        };
        let init = session
            .request("initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}))
            .await;
        assert_eq!(init["result"]["serverInfo"]["name"], "intercom-mcp");
        session
            .stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await
            .unwrap();
        session
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let line = json!({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params});
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        loop {
            let line = tokio::time::timeout(Duration::from_secs(20), self.stdout.next_line())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == self.id {
                return message;
            }
        }
    }

    /// Calls a tool, expects success, and returns its lean JSON answer.
    async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.called.insert(tool.to_owned());
        let reply = self
            .request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await;
        let result = &reply["result"];
        let text = result["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(result["isError"], false, "{tool}: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

#[tokio::test]
async fn all_sixteen_tools_against_the_sandbox_with_writes_visible_in_reads() {
    let mut s = Session::start().await;
    let tools = s.request("tools/list", json!({})).await;
    assert_eq!(tools["result"]["tools"].as_array().unwrap().len(), 16);

    let page = s.call("intercomListContacts", json!({"per_page": 2})).await;
    assert_eq!(page["has_more"], true);
    let first = page["contacts"][0]["id"].as_str().unwrap().to_owned();
    let next = s
        .call(
            "intercomListContacts",
            json!({"per_page": 2, "starting_after": page["next_cursor"]}),
        )
        .await;
    assert_ne!(next["contacts"][0]["id"], first, "the cursor moves on");
    s.call("intercomGetContact", json!({"contact_id": first}))
        .await;
    let users = s
        .call(
            "intercomSearchContacts",
            json!({"query": {"field": "role", "operator": "=", "value": "user"}}),
        )
        .await;
    assert!(!users["contacts"].as_array().unwrap().is_empty());

    let created = s
        .call(
            "intercomCreateContact",
            json!({"email": "new.person@example.com", "name": "New Person"}),
        )
        .await;
    let new = created["id"].as_str().unwrap().to_owned();
    let found = s.call("intercomSearchContacts", json!({"query": {"field": "email", "operator": "=", "value": "new.person@example.com"}})).await;
    assert_eq!(
        found["contacts"][0]["id"], new,
        "a created contact is found by search"
    );
    s.call(
        "intercomUpdateContact",
        json!({"contact_id": new, "name": "Renamed Person"}),
    )
    .await;
    s.call(
        "intercomAddNote",
        json!({"contact_id": new, "body": "<p>Met at the fair</p>"}),
    )
    .await;
    let tags = s.call("intercomListTags", json!({})).await;
    let tag = tags[0]["id"].as_str().unwrap().to_owned();
    s.call("intercomTagContact", json!({"contact_id": new, "id": tag}))
        .await;
    let contact = s
        .call("intercomGetContact", json!({"contact_id": new}))
        .await
        .to_string();
    assert!(
        contact.contains("Renamed Person"),
        "the update shows: {contact}"
    );
    assert!(
        contact.contains(&format!("\"{tag}\"")),
        "the tag shows: {contact}"
    );
    assert!(contact.contains("notes"), "the note shows: {contact}");

    let conversations = s.call("intercomListConversations", json!({})).await;
    let conversation = conversations["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.call(
        "intercomSearchConversations",
        json!({"query": {"field": "open", "operator": "=", "value": true}}),
    )
    .await;
    s.call("intercomReplyConversation", json!({"conversation_id": conversation, "message_type": "comment", "body": "On it, thanks"})).await;
    s.call(
        "intercomAssignConversation",
        json!({"conversation_id": conversation, "type": "admin", "assignee_id": "0"}),
    )
    .await;
    s.call(
        "intercomCloseConversation",
        json!({"conversation_id": conversation, "body": "Solved"}),
    )
    .await;
    let read = s
        .call(
            "intercomGetConversation",
            json!({"conversation_id": conversation}),
        )
        .await;
    let timeline = read["timeline"].to_string();
    assert!(
        timeline.contains("On it, thanks"),
        "the reply shows: {timeline}"
    );
    assert!(
        timeline.contains("\"assignment\"") && timeline.contains("\"close\""),
        "{timeline}"
    );
    assert_eq!(read["state"], "closed");

    let companies = s
        .call("intercomListCompanies", json!({"per_page": 2}))
        .await;
    let company = companies["companies"][0]["id"].as_str().unwrap().to_owned();
    s.call("intercomGetCompany", json!({"company_id": company}))
        .await;

    assert_eq!(s.called.len(), 16, "every tool was called: {:?}", s.called);
}

/// The directory, templates, completions and prompts as a client sees them over stdio.
#[tokio::test]
async fn resources_completions_and_prompts_against_the_sandbox() {
    let mut s = Session::start().await;
    let listed = s.request("resources/list", json!({})).await;
    let uris: Vec<&str> = listed["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| resource["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [
            "intercom://admins",
            "intercom://teams",
            "intercom://tags",
            "intercom://me"
        ]
    );
    let mut read = async |uri: &str| -> Value {
        let reply = s.request("resources/read", json!({"uri": uri})).await;
        let contents = &reply["result"]["contents"][0];
        assert_eq!(contents["uri"], uri, "{reply}");
        assert_eq!(contents["mimeType"], "application/json", "{reply}");
        serde_json::from_str(contents["text"].as_str().unwrap()).unwrap()
    };
    assert_eq!(
        read("intercom://admins").await,
        json!({"admins": [
            {"id": "7300101", "name": "Mara Quill", "email": "mara.quill@pebblepine.example"},
            {"id": "7300102", "name": "Theo Brannigan", "email": "theo.brannigan@pebblepine.example"}
        ]})
    );
    assert_eq!(
        read("intercom://teams").await,
        json!({"teams": [{"id": "5200001", "name": "Customer Care", "members": ["7300101", "7300102"]}]})
    );
    let tags = read("intercom://tags").await;
    assert_eq!(tags["tags"][0], json!({"id": "8100001", "name": "vip"}));
    let me = read("intercom://me").await;
    assert_eq!(me["id"], "7300101");
    assert_eq!(me["email"], "mara.quill@pebblepine.example");
    let conversation = read("intercom://conversations/20415").await;
    let tool = s
        .call(
            "intercomGetConversation",
            json!({"conversation_id": "20415"}),
        )
        .await;
    assert_eq!(
        conversation, tool,
        "a template reads what the Get tool answers"
    );
    let missing = s
        .request(
            "resources/read",
            json!({"uri": "intercom://contacts/nobody"}),
        )
        .await;
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .contains("404"),
        "{missing}"
    );

    let templates = s.request("resources/templates/list", json!({})).await;
    let templates: Vec<&str> = templates["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|template| template["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        ["intercom://contacts/{id}", "intercom://conversations/{id}"]
    );

    let complete = |name: &str, value: &str| {
        json!({"ref": {"type": "ref/prompt", "name": "draft-reply"},
            "argument": {"name": name, "value": value}})
    };
    let theo = s
        .request("completion/complete", complete("admin_id", "th"))
        .await;
    assert_eq!(
        theo["result"]["completion"]["values"],
        json!(["7300102"]),
        "{theo}"
    );
    let care = s
        .request("completion/complete", complete("assignee_id", "care"))
        .await;
    assert_eq!(care["result"]["completion"]["values"], json!(["5200001"]));
    let vip = s
        .request("completion/complete", complete("tag_id", "VI"))
        .await;
    assert_eq!(vip["result"]["completion"]["values"], json!(["8100001"]));

    let prompts = s.request("prompts/list", json!({})).await;
    assert_eq!(prompts["result"]["prompts"].as_array().unwrap().len(), 3);
    let prompt = s
        .request(
            "prompts/get",
            json!({"name": "draft-reply", "arguments": {"conversation_id": "215"}}),
        )
        .await;
    let message = &prompt["result"]["messages"][0];
    assert_eq!(message["role"], "user");
    let text = message["content"]["text"].as_str().unwrap();
    assert!(
        text.contains("conversation 215") && text.contains("do not send"),
        "{text}"
    );
}

/// A completion for a prompt or template that is not ours is invalid params naming ours, not
/// ids offered for something that does not exist.
#[tokio::test]
async fn completions_for_what_is_not_ours_are_invalid_params() {
    let mut s = Session::start().await;
    let prompt = s
        .request(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "no-such-prompt"},
                "argument": {"name": "admin_id", "value": ""}}),
        )
        .await;
    assert_eq!(prompt["error"]["code"], -32602, "{prompt}");
    let message = prompt["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no-such-prompt") && message.contains("draft-reply"),
        "{message}"
    );
    let template = s
        .request(
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "file:///{path}"},
                "argument": {"name": "path", "value": ""}}),
        )
        .await;
    assert_eq!(template["error"]["code"], -32602, "{template}");
    assert!(
        template["error"]["message"]
            .as_str()
            .unwrap()
            .contains("intercom://contacts/{id}"),
        "{template}"
    );
    let ours = s
        .request(
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "intercom://contacts/{id}"},
                "argument": {"name": "id", "value": ""}}),
        )
        .await;
    assert!(ours["result"]["completion"]["values"].is_array(), "{ours}");
}
