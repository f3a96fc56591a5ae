#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;

fn attempt() -> Attempt {
    Attempt {
        trace_id: trace_id(),
        tool: "a tool",
        workspace: Some("app1".to_owned()),
        actor: "local".to_owned(),
        tenant: None,
        admin_id: Some("991".to_owned()),
        ids: BTreeMap::from([("contact_id".to_owned(), "c1".to_owned())]),
        customer_visible: true,
        confirmation: Some(Confirmation::Accepted),
        body: Some(Digest::of("hello")),
    }
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn a_digest_is_sha256_hex_and_the_length_in_bytes() {
    // sha256("hello"), as `printf hello | sha256sum` prints it.
    assert_eq!(
        Digest::of("hello"),
        Digest {
            sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824".to_owned(),
            bytes: 5
        }
    );
    assert_eq!(Digest::of("é").bytes, 2);
}

#[test]
fn a_trace_id_is_32_lowercase_hex_digits_and_fresh_each_time() {
    let id = trace_id();
    assert_eq!(id.len(), 32);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_ne!(id, trace_id());
}

#[test]
fn the_ids_are_id_and_every_underscore_id_but_the_admin() {
    let args = json!({"contact_id": "c1", "id": 7, "admin_id": "9", "assignee_id": "5",
        "body": "x", "external_id": "", "name": "Ada"});
    let ids = ids(args.as_object().unwrap());
    assert_eq!(
        ids,
        BTreeMap::from([
            ("assignee_id".to_owned(), "5".to_owned()),
            ("contact_id".to_owned(), "c1".to_owned()),
            ("id".to_owned(), "7".to_owned()),
        ])
    );
}

#[test]
fn both_lines_of_an_attempt_hold_every_field_and_the_outcome_line_what_came_of_it() {
    let dir = std::env::temp_dir().join(format!("audit-unit-{}", trace_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let audit = Audit::open(Some(&AuditLog::File(path.clone())));
    let attempt = attempt();
    audit.intent(&attempt).unwrap();
    let report = Report {
        outcome: Outcome::Refused,
        status: Some(404),
        request_id: Some("req-1".to_owned()),
        record_id: None,
    };
    audit.outcome(&attempt, &report);
    let [intent, outcome] = <[Value; 2]>::try_from(lines(&path)).unwrap();
    for line in [&intent, &outcome] {
        assert_eq!(line["trace_id"], json!(attempt.trace_id));
        assert_eq!(line["tool"], "a tool");
        assert_eq!(line["workspace"], "app1");
        assert_eq!(line["actor"], "local");
        assert_eq!(line["tenant"], Value::Null);
        assert_eq!(line["admin_id"], "991");
        assert_eq!(line["ids"], json!({"contact_id": "c1"}));
        assert_eq!(line["customer_visible"], true);
        assert_eq!(line["confirmation"], "accepted");
        assert_eq!(line["body"]["bytes"], 5);
        let time = line["time"].as_str().unwrap();
        assert!(
            humantime::parse_rfc3339(time).is_ok() && time.ends_with('Z'),
            "{time}"
        );
    }
    assert_eq!(intent["event"], "intent");
    assert!(intent.get("outcome").is_none(), "{intent}");
    assert_eq!(outcome["event"], "outcome");
    assert_eq!(outcome["outcome"], "refused");
    assert_eq!(outcome["status"], 404);
    assert_eq!(outcome["request_id"], "req-1");
    assert_eq!(outcome["record_id"], Value::Null);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn off_writes_nothing_and_never_refuses() {
    let audit = Audit::open(None);
    assert!(!audit.is_on());
    audit.intent(&attempt()).unwrap();
}

#[test]
fn a_path_that_cannot_be_opened_refuses_until_it_can_be() {
    let dir = std::env::temp_dir().join(format!("audit-unit-{}", trace_id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Under a regular file: no one, root included, can create it.
    let blocker = dir.join("not-a-directory");
    std::fs::write(&blocker, "").unwrap();
    let path = blocker.join("audit.jsonl");
    let audit = Audit::open(Some(&AuditLog::File(path.clone())));
    assert!(audit.intent(&attempt()).is_err());
    std::fs::remove_file(&blocker).unwrap();
    std::fs::create_dir(&blocker).unwrap();
    audit.intent(&attempt()).unwrap();
    assert_eq!(lines(&path).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn the_file_is_created_for_its_owner_only_and_reopened_at_its_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("audit-unit-{}", trace_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let sink = sink::Sink::new(&AuditLog::File(path.clone()));
    sink.write(b"{\"n\":1}\n").unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let rotated = dir.join("audit.jsonl.1");
    std::fs::rename(&path, &rotated).unwrap();
    sink.write(b"{\"n\":2}\n").unwrap();
    sink.reopen().unwrap();
    sink.write(b"{\"n\":3}\n").unwrap();
    assert_eq!(lines(&rotated), [json!({"n": 1}), json!({"n": 2})]);
    assert_eq!(lines(&path), [json!({"n": 3})]);
    std::fs::remove_dir_all(&dir).unwrap();
}
