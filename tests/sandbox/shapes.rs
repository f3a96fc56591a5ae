//! The sandbox answers in Intercom's shapes, as regen vendors them
//! (`openapi/intercom-2.11-responses.json`, corrections included): every operation of the
//! allowlist is called over HTTP, every contact, company and conversation of the sample
//! workspace is read, and each answer, errors too, is checked field by field: types, required
//! fields, nulls, enums, and no field the shapes do not know.

use std::collections::BTreeSet;

use intercom_mcp::sandbox::{self, ADMIN_ID, TOKEN};
use serde_json::{Value, json};

use crate::common::shapes;

/// Calls the sandbox over HTTP as the generated client would.
struct Caller {
    client: reqwest::Client,
    base: String,
}

impl Caller {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send_as(TOKEN, method, path, body).await
    }

    async fn send_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Intercom-Version", "2.11");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

/// Collects each answer's misfits, and which operations were called.
struct Checker {
    shapes: Value,
    problems: Vec<String>,
    called: BTreeSet<String>,
}

impl Checker {
    fn answer(&mut self, operation: &str, what: &str, status: u16, answer: &Value) {
        assert!((200..300).contains(&status), "{what}: {status} {answer}");
        let shape = shapes::answer(&self.shapes, operation);
        self.record(what, &shape, answer);
        self.called.insert(operation.to_owned());
    }

    fn error(&mut self, what: &str, answer: &Value) {
        let shape = shapes::error(&self.shapes);
        self.record(what, &shape, answer);
    }

    fn record(&mut self, what: &str, shape: &Value, answer: &Value) {
        let found = shapes::check::problems(&self.shapes, shape, answer);
        self.problems.extend(
            found
                .into_iter()
                .map(|problem| format!("{what}: {problem}")),
        );
    }
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` in {list}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_answer_fits_the_vendored_response_shapes() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let caller = Caller {
        client: reqwest::Client::new(),
        base: sandbox.base_url.clone(),
    };
    let mut checker = Checker {
        shapes: shapes::load(),
        problems: Vec::new(),
        called: BTreeSet::new(),
    };
    let mut call = async |operation: &str, method: &str, path: &str, body: Option<Value>| {
        let (status, answer) = caller.send(method, path, body).await;
        checker.answer(
            operation,
            &format!("{operation} {method} {path}"),
            status,
            &answer,
        );
        answer
    };

    call("identifyAdmin", "GET", "/me", None).await;
    call("listAdmins", "GET", "/admins", None).await;
    call("listTeams", "GET", "/teams", None).await;
    // Reads of every record, so every sample contact, company and conversation is checked.
    let contacts = call("ListContacts", "GET", "/contacts?per_page=150", None).await;
    for id in ids(&contacts, "data") {
        call("ShowContact", "GET", &format!("/contacts/{id}"), None).await;
    }
    let search = json!({"query": {"operator": "OR", "value": [
        {"field": "role", "operator": "=", "value": "user"},
        {"field": "role", "operator": "=", "value": "lead"}
    ]}, "pagination": {"per_page": 150}});
    call("SearchContacts", "POST", "/contacts/search", Some(search)).await;
    let companies = call(
        "listAllCompanies",
        "POST",
        "/companies/list?per_page=60",
        None,
    )
    .await;
    for id in ids(&companies, "data") {
        call(
            "RetrieveACompanyById",
            "GET",
            &format!("/companies/{id}"),
            None,
        )
        .await;
    }
    let tags = call("listTags", "GET", "/tags", None).await;
    let conversations = call(
        "listConversations",
        "GET",
        "/conversations?per_page=150",
        None,
    )
    .await;
    let conversation_ids = ids(&conversations, "conversations");
    for id in &conversation_ids {
        call(
            "retrieveConversation",
            "GET",
            &format!("/conversations/{id}"),
            None,
        )
        .await;
        let plain = format!("/conversations/{id}?display_as=plaintext");
        call("retrieveConversation", "GET", &plain, None).await;
    }
    let open = json!({"query": {"field": "open", "operator": "=", "value": true},
        "pagination": {"per_page": 150}});
    let open = call(
        "searchConversations",
        "POST",
        "/conversations/search",
        Some(open),
    )
    .await;
    let open_ids = ids(&open, "conversations");
    assert!(
        open_ids.len() >= 2,
        "the sample has open conversations: {open}"
    );

    // Writes, on records the reads found.
    let contact = &ids(&contacts, "data")[0];
    let tag = &ids(&tags, "data")[0];
    let created = json!({"email": "ines.duarte@example.org", "name": "Inês Duarte", "phone": "+351210000999"});
    call("CreateContact", "POST", "/contacts", Some(created)).await;
    let update = json!({"name": "Priya R.", "avatar": "https://static.example.com/p.png", "owner_id": 7_300_102});
    call(
        "UpdateContact",
        "PUT",
        &format!("/contacts/{contact}"),
        Some(update),
    )
    .await;
    let note = json!({"body": "<p>Asked about the <b>annual</b> plan.</p>", "admin_id": ADMIN_ID});
    call(
        "createNote",
        "POST",
        &format!("/contacts/{contact}/notes"),
        Some(note),
    )
    .await;
    call(
        "attachTagToContact",
        "POST",
        &format!("/contacts/{contact}/tags"),
        Some(json!({"id": tag})),
    )
    .await;
    let (first, second) = (&open_ids[0], &open_ids[1]);
    let reply = json!({"type": "admin", "admin_id": ADMIN_ID, "message_type": "note", "body": "<p>On it.</p>"});
    let replied = call(
        "replyConversation",
        "POST",
        &format!("/conversations/{first}/reply"),
        Some(reply),
    )
    .await;
    let participant = replied["contacts"]["contacts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, participant) = caller
        .send("GET", &format!("/contacts/{participant}"), None)
        .await;
    let user_reply = json!({"type": "user", "email": participant["email"], "body": "Any news?"});
    call(
        "replyConversation",
        "POST",
        &format!("/conversations/{first}/reply"),
        Some(user_reply),
    )
    .await;
    let assign = json!({"message_type": "assignment", "type": "admin", "admin_id": ADMIN_ID,
        "assignee_id": ADMIN_ID, "body": "Taking this one."});
    call(
        "manageConversation",
        "POST",
        &format!("/conversations/{second}/parts"),
        Some(assign),
    )
    .await;
    let close = json!({"message_type": "close", "type": "admin", "admin_id": ADMIN_ID});
    call(
        "manageConversation",
        "POST",
        &format!("/conversations/{first}/parts"),
        Some(close),
    )
    .await;

    // Failures answer the error body.
    let (status, missing) = caller.send("GET", "/contacts/nobody", None).await;
    assert_eq!(status, 404);
    checker.error("404", &missing);
    let (status, unauthorized) = caller.send_as("not-the-token", "GET", "/me", None).await;
    assert_eq!(status, 401);
    checker.error("401", &unauthorized);
    let again = json!({"email": "INES.DUARTE@example.org"});
    let (status, conflict) = caller.send("POST", "/contacts", Some(again)).await;
    assert_eq!(status, 409);
    checker.error("409", &conflict);
    let (status, invalid) = caller
        .send("POST", "/contacts", Some(json!({"name": "Only a name"})))
        .await;
    assert_eq!(status, 400);
    checker.error("400", &invalid);

    let vendored: BTreeSet<String> = checker.shapes["operations"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        checker.called, vendored,
        "every vendored operation is called"
    );
    assert!(
        checker.problems.is_empty(),
        "the sandbox answers what Intercom's shapes do not allow:\n{}",
        checker.problems.join("\n")
    );
    Ok(())
}

#[test]
fn the_checker_catches_what_it_should() {
    let shapes = shapes::load();
    let contact_list = shapes::answer(&shapes, "ListContacts");
    let answer = json!({"type": "list", "total_count": 1, "surprise": true, "data": [
        {"type": "contact", "id": 5, "nickname": "x", "location": {"type": "place"}}
    ]});
    let found = shapes::check::problems(&shapes, &contact_list, &answer);
    for expected in [
        "$.surprise: not in the shape",
        "$.data[0].nickname: not in the shape",
        "$.data[0].id: 5 where the shape says string",
        "$.data[0].location.type: \"place\" is not among [\"location\"]",
        "$.data[0].workspace_id: required, missing",
    ] {
        assert!(
            found.iter().any(|line| line == expected),
            "{expected:?} not in {found:#?}"
        );
    }
    let error = shapes::error(&shapes);
    assert_eq!(
        shapes::check::problems(
            &shapes,
            &error,
            &json!({"type": "error.list", "errors": [{"code": null}]})
        ),
        ["$.errors[0].code: null, but the shape is not nullable"]
    );
    assert!(
        shapes::check::problems(
            &shapes,
            &error,
            &json!({"type": "error.list", "request_id": null,
        "errors": [{"code": "not_found", "message": "Contact Not Found"}]})
        )
        .is_empty()
    );
}
