//! The sample workspace the sandbox starts with: "Pebble & Pine", an invented outdoor-gear
//! shop. Every person, company and message here is made up; addresses use reserved example
//! domains and phone numbers from ranges set aside for fiction.

use serde_json::{Map, Value, json};

use super::contacts::blank;
use super::conversations::{admin_author, part};
use super::store::{Contact, Conversation, Store};

const WORKSPACE: &str = "pbpn7sbx";
/// The admin who owns the sandbox token.
pub const OWNER: &str = "7300101";
const OTHER_ADMIN: &str = "7300102";
const TEAM: &str = "5200001";

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MINUTE: i64 = 60;
/// 2025-01-06T09:00:00Z: contacts join from here on.
const JOINED: i64 = 1_736_154_000;

/// Contact ids, in the order they joined.
const PRIYA: &str = "677bc2a05e1d4f0a8c3b7101";
const JONAS: &str = "677bc2a05e1d4f0a8c3b7102";
const LUCIA: &str = "677bc2a05e1d4f0a8c3b7103";
const KWAME: &str = "677bc2a05e1d4f0a8c3b7104";
const EMILY: &str = "677bc2a05e1d4f0a8c3b7105";
const HIRO: &str = "677bc2a05e1d4f0a8c3b7106";
const VISITOR: &str = "677bc2a05e1d4f0a8c3b7107";
const SOFIA: &str = "677bc2a05e1d4f0a8c3b7108";

const KESTREL: &str = "6650a1f0c3e2b14d7a900001";
const ORCHARD: &str = "6650a1f0c3e2b14d7a900002";
const BLUEFIN: &str = "6650a1f0c3e2b14d7a900003";

const VIP: &str = "8100001";
const BILLING: &str = "8100002";
const BETA: &str = "8100003";
const CHURN: &str = "8100004";

pub fn seed() -> Store {
    let admins = vec![
        admin(OWNER, "Mara Quill", "mara.quill", "Head of Support"),
        admin(
            OTHER_ADMIN,
            "Theo Brannigan",
            "theo.brannigan",
            "Support Engineer",
        ),
    ];
    let contacts = contacts();
    let conversations = conversations(&admins, &contacts);
    Store {
        app: json!({
            "type": "app",
            "id_code": WORKSPACE,
            "name": "Pebble & Pine (sandbox)",
            "region": "US",
            "timezone": "Etc/UTC",
            "created_at": 1_704_103_200,
            "identity_verification": false,
        }),
        owner: OWNER.to_owned(),
        admins,
        teams: vec![json!({"type": "team", "id": TEAM, "name": "Customer Care",
            "admin_ids": [7_300_101, 7_300_102]})],
        tags: vec![
            tag(VIP, "vip"),
            tag(BILLING, "billing"),
            tag(BETA, "beta-tester"),
            tag(CHURN, "churn-risk"),
        ],
        companies: companies(),
        contacts,
        notes: Vec::new(),
        conversations,
        next_number: 31_000_100,
    }
}

fn admin(id: &str, name: &str, mailbox: &str, job_title: &str) -> Value {
    json!({
        "type": "admin",
        "id": id,
        "name": name,
        "email": format!("{mailbox}@pebblepine.example"),
        "job_title": job_title,
        "away_mode_enabled": false,
        "away_mode_reassign": false,
        "has_inbox_seat": true,
        "team_ids": [5_200_001],
        "avatar": {"image_url": format!("https://static.pebblepine.example/avatars/{mailbox}.png")},
    })
}

fn tag(id: &str, name: &str) -> Value {
    json!({"type": "tag", "id": id, "name": name})
}

fn companies() -> Vec<Value> {
    let company = |id: &str, company_id: &str, name: &str, created: i64, facts: Value| {
        let mut doc = json!({
            "type": "company",
            "company_id": company_id,
            "id": id,
            "app_id": WORKSPACE,
            "name": name,
            "remote_created_at": created,
            "created_at": created,
            "updated_at": created + 30 * DAY,
        });
        if let (Value::Object(doc), Value::Object(facts)) = (&mut doc, facts) {
            doc.extend(facts);
        }
        doc
    };
    vec![
        company(
            KESTREL,
            "kestrel-cycles",
            "Kestrel Cycles",
            JOINED - 20 * DAY,
            json!({
                "last_request_at": JOINED + 150 * DAY,
                "monthly_spend": 490, "session_count": 312, "user_count": 2, "size": 45,
                "website": "https://kestrel-cycles.example", "industry": "Retail",
                "tags": {"type": "tag.list", "tags": [tag(VIP, "vip")]},
                "segments": {"type": "segment.list", "segments": []},
                "plan": {"type": "plan", "id": "9100002", "name": "Growth"},
                "custom_attributes": {"region": "EMEA", "renewal_month": "September"},
            }),
        ),
        company(
            ORCHARD,
            "orchard-analytics",
            "Orchard Analytics",
            JOINED - 5 * DAY,
            json!({
                "last_request_at": JOINED + 140 * DAY,
                "monthly_spend": 99, "session_count": 87, "user_count": 2, "size": 12,
                "website": "https://orchard-analytics.example", "industry": "Software",
                "tags": {"type": "tag.list", "tags": []},
                "segments": {"type": "segment.list", "segments": []},
                "plan": {"type": "plan", "id": "9100001", "name": "Starter"},
                "custom_attributes": {"region": "EMEA", "renewal_month": "June"},
            }),
        ),
        company(
            BLUEFIN,
            "bluefin-logistics",
            "Bluefin Logistics",
            JOINED + 10 * DAY,
            json!({
                "last_request_at": JOINED + 152 * DAY,
                "monthly_spend": 2400, "session_count": 1045, "user_count": 2, "size": 380,
                "website": "https://bluefin-logistics.example", "industry": "Logistics",
                "tags": {"type": "tag.list", "tags": []},
                "segments": {"type": "segment.list", "segments": []},
                "plan": {"type": "plan", "id": "9100003", "name": "Enterprise"},
                "custom_attributes": {"region": "Americas", "renewal_month": "January"},
            }),
        ),
    ]
}

/// A contact from the fields that differ from an empty one; `place` is city, region,
/// country, country code and continent code.
fn contact(
    id: &str,
    joined: i64,
    place: [&str; 5],
    fields: Value,
    tags: &[&str],
    companies: &[&str],
) -> Contact {
    let mut doc = blank(id, WORKSPACE, "user", joined);
    if let Value::Object(fields) = fields {
        doc.extend(fields);
    }
    if let Some(email) = doc.get("email").and_then(Value::as_str) {
        let domain = email.rsplit_once('@').map(|(_, domain)| domain.to_owned());
        doc.insert("email_domain".to_owned(), json!(domain));
    }
    if let Some(Value::Object(location)) = doc.get_mut("location") {
        let [city, region, country, country_code, continent_code] = place;
        let keys = [
            "city",
            "region",
            "country",
            "country_code",
            "continent_code",
        ];
        for (key, value) in
            keys.into_iter()
                .zip([city, region, country, country_code, continent_code])
        {
            location.insert(key.to_owned(), json!(value));
        }
    }
    let owned = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect();
    Contact {
        doc,
        tags: owned(tags),
        notes: Vec::new(),
        companies: owned(companies),
    }
}

fn contacts() -> Vec<Contact> {
    let seen = |days: i64| JOINED + days * DAY;
    vec![
        contact(
            PRIYA,
            JOINED,
            ["London", "England", "United Kingdom", "GBR", "EU"],
            json!({
                "external_id": "kc-1001", "email": "priya.raman@kestrel-cycles.example",
                "phone": "+447700900123", "formatted_phone": "+447700900123", "name": "Priya Raman",
                "owner_id": 7_300_101, "signed_up_at": JOINED, "last_seen_at": seen(158),
                "browser": "chrome", "browser_version": "124.0.6367", "browser_language": "en-GB",
                "os": "OS X 14.4",
                "custom_attributes": {"plan": "growth", "seats": 12, "beta_opt_in": true},
            }),
            &[VIP, BETA],
            &[KESTREL],
        ),
        contact(
            JONAS,
            JOINED + 3 * DAY,
            ["Berlin", "Berlin", "Germany", "DEU", "EU"],
            json!({
                "external_id": "kc-1002", "email": "jonas.weber@kestrel-cycles.example",
                "name": "Jonas Weber",
                "signed_up_at": JOINED + 3 * DAY, "last_seen_at": seen(150),
                "language_override": "de",
                "browser": "firefox", "browser_version": "126.0", "browser_language": "de",
                "os": "Windows 11",
                "custom_attributes": {"plan": "growth", "seats": 12, "beta_opt_in": false},
            }),
            &[BILLING],
            &[KESTREL],
        ),
        contact(
            LUCIA,
            JOINED + 9 * DAY,
            ["Madrid", "Community of Madrid", "Spain", "ESP", "EU"],
            json!({
                "external_id": "oa-2001", "email": "lucia.fernandez@orchard-analytics.example",
                "name": "Lucía Fernández",
                "signed_up_at": JOINED + 9 * DAY, "last_seen_at": seen(131),
                "browser": "safari", "browser_version": "17.4", "browser_language": "es",
                "os": "OS X 14.4",
                "custom_attributes": {"plan": "starter", "seats": 3, "beta_opt_in": false},
            }),
            &[CHURN],
            &[ORCHARD],
        ),
        contact(
            KWAME,
            JOINED + 17 * DAY,
            ["Accra", "Greater Accra", "Ghana", "GHA", "AF"],
            json!({
                "external_id": "bl-3001", "email": "kwame.mensah@bluefin-logistics.example",
                "name": "Kwame Mensah",
                "phone": "+233555010234", "formatted_phone": "+233555010234", "owner_id": 7_300_102,
                "signed_up_at": JOINED + 17 * DAY, "last_seen_at": seen(152),
                "browser": "chrome", "browser_version": "125.0.6422", "browser_language": "en",
                "os": "Android 14",
                "custom_attributes": {"plan": "enterprise", "seats": 140, "beta_opt_in": true},
            }),
            &[VIP],
            &[BLUEFIN],
        ),
        contact(
            EMILY,
            JOINED + 24 * DAY,
            ["Chicago", "Illinois", "United States", "USA", "NA"],
            json!({
                "external_id": "bl-3002", "email": "emily.carter@bluefin-logistics.example",
                "name": "Emily Carter",
                "phone": "+13125550147", "formatted_phone": "+13125550147",
                "unsubscribed_from_emails": true,
                "signed_up_at": JOINED + 24 * DAY, "last_seen_at": seen(97),
                "browser": "edge", "browser_version": "124.0.2478", "browser_language": "en-US",
                "os": "Windows 10",
                "custom_attributes": {"plan": "enterprise", "seats": 140, "beta_opt_in": false},
            }),
            &[],
            &[BLUEFIN],
        ),
        contact(
            HIRO,
            JOINED + 120 * DAY,
            ["Osaka", "Osaka", "Japan", "JPN", "AS"],
            json!({
                "role": "lead", "email": "hiro.tanaka@example.net", "name": "Hiro Tanaka",
                "last_seen_at": seen(146), "browser": "safari", "browser_version": "17.5",
                "browser_language": "ja",
                "os": "iOS 17.5", "custom_attributes": {"source": "webinar",
                "interest": "bulk orders"},
            }),
            &[],
            &[],
        ),
        contact(
            VISITOR,
            JOINED + 141 * DAY,
            ["Toronto", "Ontario", "Canada", "CAN", "NA"],
            json!({
                "role": "lead", "email": "visitor.4821@example.org", "last_seen_at": seen(141),
                "browser": "chrome", "browser_version": "125.0.6422", "browser_language": "en-CA",
                "os": "Linux",
                "custom_attributes": {"source": "pricing page"},
            }),
            &[],
            &[],
        ),
        contact(
            SOFIA,
            JOINED + 33 * DAY,
            ["Milan", "Lombardy", "Italy", "ITA", "EU"],
            json!({
                "external_id": "oa-2002", "email": "sofia.rossi@orchard-analytics.example",
                "name": "Sofia Rossi",
                "signed_up_at": JOINED + 33 * DAY, "last_seen_at": seen(149),
                "browser": "firefox", "browser_version": "126.0", "browser_language": "it",
                "os": "Ubuntu 24.04",
                "custom_attributes": {"plan": "starter", "seats": 3, "beta_opt_in": true},
            }),
            &[BETA],
            &[ORCHARD],
        ),
    ]
}

/// A conversation started by `contact` at `at`, every field at its quiet default; the
/// caller sets what differs.
fn opened(
    id: &str,
    at: i64,
    contact: &Contact,
    source_type: &str,
    subject: &str,
    body: &str,
) -> Map<String, Value> {
    let author = super::conversations::contact_author(&contact.doc);
    let source = json!({
        "type": source_type,
        "id": format!("41{id}"),
        "delivered_as": "customer_initiated",
        "subject": subject,
        "body": body,
        "author": author,
        "attachments": [],
        "url": null,
        "redacted": false,
    });
    let reference = json!({
        "type": "contact",
        "id": contact.id(),
        "external_id": contact.doc.get("external_id"),
    });
    let Value::Object(doc) = json!({
        "type": "conversation",
        "id": id,
        "created_at": at,
        "updated_at": at,
        "waiting_since": at,
        "snoozed_until": null,
        "source": source,
        "contacts": {"type": "contact.list", "contacts": [reference]},
        "first_contact_reply": null,
        "admin_assignee_id": null,
        "team_assignee_id": null,
        "open": true,
        "state": "open",
        "read": false,
        "tags": {"type": "tag.list", "tags": []},
        "priority": "not_priority",
        "sla_applied": null,
        "statistics": null,
        "conversation_rating": null,
        "teammates": {"type": "admin.list", "teammates": []},
        "title": null,
        "custom_attributes": {},
        "topics": {},
        "ticket": null,
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": false},
        "ai_agent": null,
        "ai_agent_participated": false,
    }) else {
        return Map::new();
    };
    doc
}

fn teammates(ids: &[&str]) -> Value {
    let list: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": "admin", "id": id}))
        .collect();
    json!({"type": "admin.list", "teammates": list})
}

fn applied(tag_id: &str, name: &str, at: i64, by: &str) -> Value {
    json!({
        "type": "tag",
        "id": tag_id,
        "name": name,
        "applied_at": at,
        "applied_by": {"type": "admin", "id": by},
    })
}

/// The members of a JSON object: what `Map::extend` takes.
fn members(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn conversations(admins: &[Value], contacts: &[Contact]) -> Vec<Conversation> {
    let mara = admins.first().map(admin_author).unwrap_or_default();
    let theo = admins.get(1).map(admin_author).unwrap_or_default();
    let person = |id: &str| contacts.iter().find(|contact| contact.id() == id);
    let author = |id: &str| {
        person(id)
            .map(|contact| super::conversations::contact_author(&contact.doc))
            .unwrap_or_default()
    };
    // A message part, and a part that only records an event (assignment, close, snooze).
    let said = |id: &str, kind: &str, body: &str, at: i64, by: &Value| {
        part(id, kind, Some(body.to_owned()), at, by.clone(), Value::Null)
    };
    let event = |id: &str, kind: &str, at: i64, by: &Value, assigned_to: Value| {
        part(id, kind, None, at, by.clone(), assigned_to)
    };
    let to_theo = || json!({"type": "admin", "id": OTHER_ADMIN});
    let mut all = Vec::new();

    // An open billing question: assigned, answered, and the customer wrote back.
    let at = 1_747_037_640;
    if let Some(priya) = person(PRIYA) {
        let subject = "Charged twice in April";
        let mut doc = opened(
            "20415",
            at,
            priya,
            "email",
            subject,
            "<p>Hello, our card was charged twice for the April subscription. Could you check?</p>",
        );
        let last = at + 3 * HOUR;
        doc.extend(members(json!({
            "updated_at": last,
            "waiting_since": last,
            "title": subject,
            "admin_assignee_id": 7_300_101,
            "team_assignee_id": 5_200_001,
            "priority": "priority",
            "first_contact_reply": {"created_at": last, "type": "email", "url": null},
            "tags": {"type": "tag.list",
                "tags": [applied(BILLING, "billing", at + 2 * MINUTE, OWNER)]},
            "teammates": teammates(&[OWNER]),
            "custom_attributes": {"order_ref": "PP-40981"},
            "statistics": {"type": "conversation_statistics",
                "time_to_assignment": 120, "time_to_admin_reply": 1_500,
                "first_assignment_at": at + 2 * MINUTE, "first_admin_reply_at": at + 25 * MINUTE,
                "last_admin_reply_at": at + 25 * MINUTE, "last_contact_reply_at": last,
                "count_reopens": 0, "count_assignments": 1, "count_conversation_parts": 4},
        })));
        let parts = vec![
            event(
                "31000001",
                "assignment",
                at + 2 * MINUTE,
                &mara,
                json!({"type": "team", "id": TEAM}),
            ),
            said(
                "31000002",
                "note",
                "<p>The payment provider shows two captures on 2 April. Refunding the second.</p>",
                at + 20 * MINUTE,
                &mara,
            ),
            said(
                "31000003",
                "comment",
                "<p>Hi Priya, you were indeed charged twice on 2 April. I have refunded the \
                 duplicate: see the <a href=\"https://billing.pebblepine.example/refunds/7731\">\
                 refund receipt</a>.</p>",
                at + 25 * MINUTE,
                &mara,
            ),
            said(
                "31000004",
                "comment",
                "<p>Thank you! Will the refund arrive before our month end?</p>",
                last,
                &author(PRIYA),
            ),
        ];
        all.push(Conversation { doc, parts });
    }

    // A closed bug report, rated by the customer.
    let at = 1_747_746_300;
    if let Some(jonas) = person(JONAS) {
        let mut doc = opened(
            "20416",
            at,
            jonas,
            "conversation",
            "",
            "<p>Exporting our orders to CSV stops at 80% and nothing downloads.</p>",
        );
        let closed = at + 2 * HOUR;
        doc.extend(members(json!({
            "updated_at": closed,
            "waiting_since": null,
            "open": false,
            "state": "closed",
            "read": true,
            "admin_assignee_id": 7_300_102,
            "title": "CSV export stops at 80%",
            "first_contact_reply": {"created_at": at + 30 * MINUTE, "type": "conversation",
                "url": null},
            "teammates": teammates(&[OWNER, OTHER_ADMIN]),
            "conversation_rating": {"rating": 5, "remark": "Quick and clear, thanks",
                "created_at": closed + 10 * MINUTE,
                "contact": {"type": "contact", "id": JONAS, "external_id": "kc-1002"},
                "teammate": {"type": "admin", "id": OTHER_ADMIN}},
            "statistics": {"type": "conversation_statistics",
                "time_to_assignment": 300, "time_to_admin_reply": 900,
                "time_to_first_close": 7_200, "time_to_last_close": 7_200,
                "first_assignment_at": at + 5 * MINUTE, "first_admin_reply_at": at + 15 * MINUTE,
                "last_admin_reply_at": at + 90 * MINUTE,
                "first_close_at": closed, "last_close_at": closed,
                "last_closed_by_id": OTHER_ADMIN,
                "count_reopens": 0, "count_assignments": 1, "count_conversation_parts": 6},
        })));
        let parts = vec![
            event("31000011", "assignment", at + 5 * MINUTE, &mara, to_theo()),
            said(
                "31000012",
                "comment",
                "<p>Thanks Jonas. Roughly how many orders does the export cover?</p>",
                at + 15 * MINUTE,
                &theo,
            ),
            said(
                "31000013",
                "comment",
                "<p>About 40,000 orders since January.</p>",
                at + 30 * MINUTE,
                &author(JONAS),
            ),
            said(
                "31000014",
                "note",
                "<p>Known limit: exports above 25k rows time out. Workaround: one month at a \
                 time.</p>",
                at + 80 * MINUTE,
                &theo,
            ),
            said(
                "31000015",
                "comment",
                "<p>Exports above 25,000 rows time out at the moment. Exporting one month at a \
                 time works, and the next release raises the limit.</p>",
                at + 90 * MINUTE,
                &theo,
            ),
            event("31000016", "close", closed, &theo, Value::Null),
        ];
        all.push(Conversation { doc, parts });
    }

    // A customer thinking of leaving: unassigned, unread, waiting.
    let at = 1_748_882_400;
    if let Some(lucia) = person(LUCIA) {
        let mut doc = opened(
            "20417",
            at,
            lucia,
            "conversation",
            "",
            "<p>We are considering cancelling at renewal: the dashboards have become slow for \
             our team.</p>",
        );
        doc.extend(members(json!({
            "updated_at": at + 40 * MINUTE,
            "tags": {"type": "tag.list",
                "tags": [applied(CHURN, "churn-risk", at + 40 * MINUTE, OWNER)]},
            "teammates": teammates(&[OWNER]),
            "statistics": {"type": "conversation_statistics",
                "count_reopens": 0, "count_assignments": 0, "count_conversation_parts": 1},
        })));
        let parts = vec![said(
            "31000021",
            "note",
            "<p>Renewal is on 30 June. Looping in the account team before anyone replies.</p>",
            at + 40 * MINUTE,
            &mara,
        )];
        all.push(Conversation { doc, parts });
    }

    // A lead asking about prices: answered, then snoozed until sales has a quote.
    let at = 1_749_033_000;
    if let Some(hiro) = person(HIRO) {
        let mut doc = opened(
            "20418",
            at,
            hiro,
            "conversation",
            "",
            "<p>Do you offer volume pricing for 200 or more trail kits?</p>",
        );
        let snoozed = at + 50 * MINUTE;
        doc.extend(members(json!({
            "updated_at": snoozed,
            "waiting_since": null,
            "state": "snoozed",
            "read": true,
            "snoozed_until": 1_750_064_400,
            "admin_assignee_id": 7_300_102,
            "title": "Volume pricing",
            "teammates": teammates(&[OWNER, OTHER_ADMIN]),
            "statistics": {"type": "conversation_statistics",
                "time_to_assignment": 600, "time_to_admin_reply": 1_800,
                "first_assignment_at": at + 10 * MINUTE, "first_admin_reply_at": at + 30 * MINUTE,
                "last_admin_reply_at": at + 30 * MINUTE,
                "count_reopens": 0, "count_assignments": 1, "count_conversation_parts": 3},
        })));
        let parts = vec![
            event("31000031", "assignment", at + 10 * MINUTE, &mara, to_theo()),
            said(
                "31000032",
                "comment",
                "<p>Hi Hiro, orders above 150 kits get tiered prices. I have asked our sales lead \
                 for a quote.</p>",
                at + 30 * MINUTE,
                &theo,
            ),
            event("31000033", "snoozed", snoozed, &theo, Value::Null),
        ];
        all.push(Conversation { doc, parts });
    }
    all
}
