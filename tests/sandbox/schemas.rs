//! The sandbox's answers, and every record of its sample data, against the response schemas
//! Intercom's published document names for each path. Each answer's fields, and those of the
//! objects one level down, are checked against that schema as regen corrects it (the vendored
//! shapes, whose corrections list what real answers carry and the document leaves out), with
//! the one checker, `common::shapes::check`. Every level: `shapes.rs`.

use serde_json::{Value, json};

use super::*;
use crate::common::shapes;

/// The 200 response schema of `method path` in the document.
fn response_schema(document: &Value, method: &str, path: &str) -> Value {
    let operation = &document["paths"][path][method];
    assert!(operation.is_object(), "no {method} {path} in the document");
    operation["responses"]["200"]["content"]["application/json"]["schema"].clone()
}

/// Collects each answer's misfits against the schemas the document names, resolved in the
/// vendored shapes; each problem is located from `at` (`get /tags.data[0].id`).
struct Checker {
    shapes: Value,
    problems: Vec<String>,
}

impl Checker {
    /// Checks `value` against `schema`, reading fields down to `depth` levels below it.
    fn check(&mut self, at: &str, value: &Value, schema: &Value, depth: usize) {
        let found = shapes::check::problems_to_depth(&self.shapes, schema, value, depth);
        self.problems.extend(found.into_iter().map(|problem| {
            let path = problem.strip_prefix('$').unwrap_or(&problem);
            format!("{at}{path}")
        }));
    }
}

#[tokio::test]
async fn answers_fit_the_documents_response_schemas() -> anyhow::Result<()> {
    let Some(document) = common::upstream() else {
        return Ok(());
    };
    let sandbox = sandbox::start().await?;
    let client = http();
    let base = sandbox.base_url.clone();
    let send = |method: &str, path: &str, body: Option<Value>| {
        let mut request = client.request(
            method.to_ascii_uppercase().parse().unwrap(),
            format!("{base}{path}"),
        );
        request = request
            .bearer_auth(TOKEN)
            .header("Intercom-Version", "2.11");
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (_, contacts) = send("get", "/contacts?per_page=3", None).await;
    let contact = contacts["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, companies) = send("post", "/companies/list?per_page=2", None).await;
    let company = companies["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, tags) = send("get", "/tags", None).await;
    let tag = tags["data"][0]["id"].as_str().unwrap().to_owned();
    let search = json!({"query": {"operator": "AND", "value": [
        {"field": "created_at", "operator": ">", "value": 1_700_000_000},
        {"field": "role", "operator": "=", "value": "user"}
    ]}, "pagination": {"per_page": 2}});
    let conversation_search = json!({"query": {"field": "open", "operator": "=", "value": true},
        "pagination": {"per_page": 1}});

    // (document path, method, request path, body): the 16 operations and GET /me.
    let calls: Vec<(&str, &str, String, Option<Value>)> = vec![
        ("/me", "get", "/me".into(), None),
        ("/contacts", "get", "/contacts?per_page=3".into(), None),
        (
            "/contacts/search",
            "post",
            "/contacts/search".into(),
            Some(search),
        ),
        (
            "/contacts/{contact_id}",
            "get",
            format!("/contacts/{contact}"),
            None,
        ),
        (
            "/contacts",
            "post",
            "/contacts".into(),
            Some(
                json!({"email": "ines.duarte@example.org", "name": "Inês Duarte", "phone": "+351210000999"}),
            ),
        ),
        (
            "/contacts/{contact_id}",
            "put",
            format!("/contacts/{contact}"),
            Some(
                json!({"name": "Priya R.", "avatar": "https://static.example.com/p.png", "owner_id": 7_300_102}),
            ),
        ),
        (
            "/contacts/{contact_id}/notes",
            "post",
            format!("/contacts/{contact}/notes"),
            Some(
                json!({"body": "<p>Asked about the <b>annual</b> plan.</p>", "admin_id": ADMIN_ID}),
            ),
        ),
        (
            "/contacts/{contact_id}/tags",
            "post",
            format!("/contacts/{contact}/tags"),
            Some(json!({"id": tag})),
        ),
        (
            "/conversations",
            "get",
            "/conversations?per_page=2".into(),
            None,
        ),
        (
            "/conversations/search",
            "post",
            "/conversations/search".into(),
            Some(conversation_search),
        ),
        (
            "/conversations/{conversation_id}",
            "get",
            "/conversations/20416".into(),
            None,
        ),
        (
            "/conversations/{conversation_id}",
            "get",
            "/conversations/20415?display_as=plaintext".into(),
            None,
        ),
        (
            "/conversations/{conversation_id}/reply",
            "post",
            "/conversations/20417/reply".into(),
            Some(
                json!({"type": "admin", "admin_id": ADMIN_ID, "message_type": "comment", "body": "On it."}),
            ),
        ),
        (
            "/conversations/{conversation_id}/reply",
            "post",
            "/conversations/last/reply".into(),
            Some(
                json!({"type": "user", "email": "hiro.tanaka@example.net", "body": "Any news on the quote?"}),
            ),
        ),
        (
            "/conversations/{conversation_id}/parts",
            "post",
            "/conversations/20417/parts".into(),
            Some(json!({"message_type": "close", "type": "admin", "admin_id": ADMIN_ID})),
        ),
        (
            "/conversations/{conversation_id}/parts",
            "post",
            "/conversations/20418/parts".into(),
            Some(
                json!({"message_type": "assignment", "type": "admin", "admin_id": ADMIN_ID,
                "assignee_id": ADMIN_ID, "body": "Taking this one."}),
            ),
        ),
        (
            "/companies/list",
            "post",
            "/companies/list?per_page=2".into(),
            None,
        ),
        (
            "/companies/{company_id}",
            "get",
            format!("/companies/{company}"),
            None,
        ),
        ("/tags", "get", "/tags".into(), None),
    ];
    let mut checker = Checker {
        shapes: shapes::load(),
        problems: Vec::new(),
    };
    // Every record of the sample workspace (src/sandbox/workspace.json), read whole before
    // any write: the data itself is checked against the document, not only a few answers.
    let (_, every_contact) = send("get", "/contacts?per_page=150", None).await;
    let (_, every_conversation) = send("get", "/conversations?per_page=150", None).await;
    let (_, every_company) = send("post", "/companies/list?per_page=150", None).await;
    let records = [
        (
            "/contacts/{contact_id}",
            "/contacts",
            &every_contact["data"],
        ),
        (
            "/conversations/{conversation_id}",
            "/conversations",
            &every_conversation["conversations"],
        ),
        (
            "/companies/{company_id}",
            "/companies",
            &every_company["data"],
        ),
    ];
    for (template, prefix, list) in records {
        let list = list.as_array().unwrap();
        assert!(!list.is_empty(), "no records under {prefix}");
        for record in list {
            let path = format!("{prefix}/{}", record["id"].as_str().unwrap());
            let (status, answer) = send("get", &path, None).await;
            assert_eq!(status, 200, "{path}: {answer}");
            let schema = response_schema(&document, "get", template);
            checker.check(&format!("get {path}"), &answer, &schema, 1);
        }
    }
    for (template, method, path, body) in calls {
        let (status, answer) = send(method, &path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        let schema = response_schema(&document, method, template);
        checker.check(&format!("{method} {path}"), &answer, &schema, 1);
    }

    // Errors have the document's error shape.
    let error_schema = json!({"$ref": "#/components/schemas/error"});
    let (status, not_found) = send("get", "/contacts/nobody", None).await;
    assert_eq!(status, 404);
    assert_eq!(not_found["errors"][0]["code"], "not_found");
    checker.check("404", &not_found, &error_schema, 1);
    let unauthorized = client
        .get(format!("{base}/me"))
        .bearer_auth("not-the-sandbox-token")
        .send()
        .await?;
    assert_eq!(unauthorized.status(), 401);
    let unauthorized: Value = unauthorized.json().await?;
    assert_eq!(unauthorized["errors"][0]["code"], "unauthorized");
    checker.check("401", &unauthorized, &error_schema, 1);
    let (status, conflict) = send(
        "post",
        "/contacts",
        Some(json!({"email": "INES.DUARTE@example.org"})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(conflict["errors"][0]["code"], "conflict");
    checker.check("409", &conflict, &error_schema, 1);
    let (status, invalid) = send("post", "/contacts", Some(json!({"name": "Only a name"}))).await;
    assert_eq!(status, 400);
    checker.check("400", &invalid, &error_schema, 1);

    assert!(
        checker.problems.is_empty(),
        "the sandbox answers fields the document does not declare:\n{}",
        checker.problems.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn the_checker_catches_what_it_should() {
    let Some(document) = common::upstream() else {
        return;
    };
    let mut checker = Checker {
        shapes: shapes::load(),
        problems: Vec::new(),
    };
    let schema = response_schema(&document, "get", "/contacts");
    let answer = json!({"type": "list", "data": [{"type": "contact", "id": 5, "nickname": "x",
        "location": {"type": "place"}}], "total_count": 1, "surprise": true});
    checker.check("answer", &answer, &schema, 1);
    let problems = checker.problems.join("\n");
    for expected in [
        "answer.surprise: not in the shape",
        "answer.data[0].nickname: not in the shape",
        "answer.data[0].id: 5 where the shape says string",
    ] {
        assert!(
            checker.problems.iter().any(|line| line == expected),
            "{expected:?} not in {problems}"
        );
    }
}
