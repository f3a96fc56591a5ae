//! The words a model reads about a field, shared by every tool that has a field of that name.
//! A property takes the text its tool writes for it (`Facts::fields`, in the tool's own file)
//! if there is one, else the shared text here. A test checks that no property of any tool goes
//! without.

/// Texts for a property wherever it appears.
const SHARED: &[(&str, &str)] = &[
    ("per_page", "Results per page, up to 150."),
    (
        "starting_after",
        "Cursor: the last result's pages.next.starting_after.",
    ),
    ("pagination", "Page size and cursor."),
    (
        "query",
        "A filter, or an AND/OR group of filters and groups.",
    ),
    (
        "field",
        "Field name, e.g. email, created_at, custom_attributes.plan.",
    ),
    ("operator", "How to compare; AND/OR for a group."),
    (
        "value",
        "Value to compare (array for IN/NIN, unix seconds for dates); a group's members.",
    ),
    ("contact_id", "The contact's Intercom id."),
    (
        "conversation_id",
        "The conversation's Intercom id (reply: `last` = latest).",
    ),
    (
        "company_id",
        "The company's Intercom id (not your own company_id).",
    ),
    ("role", "user (signed up) or lead (prospect)."),
    ("external_id", "Your own unique id."),
    ("email", "Email address."),
    ("phone", "Phone number, e.g. +14155550100."),
    ("name", "Full name."),
    ("avatar", "Avatar image URL."),
    ("signed_up_at", "Sign-up time, unix seconds."),
    ("last_seen_at", "Last seen time, unix seconds."),
    ("owner_id", "Owning admin's id."),
    ("unsubscribed_from_emails", "true: no marketing email."),
    (
        "custom_attributes",
        "Custom attributes by name, e.g. {\"plan\":\"pro\"}.",
    ),
    ("admin_id", "Admin acting; default: the token's owner."),
    ("raw", "true: Intercom's raw JSON."),
    (
        "message_type",
        "comment: the customer sees it. note: teammates only.",
    ),
    ("body", "Message text; simple HTML kept."),
    ("created_at", "Backdate to this time, unix seconds."),
    ("attachment_urls", "Up to 10 file URLs."),
    ("attachment_files", "Up to 10 files, base64."),
    ("content_type", "MIME type, e.g. application/pdf."),
    ("data", "File content, base64."),
    ("display_as", "plaintext: bodies without HTML."),
    ("assignee_id", "Admin or team id; \"0\" unassigns."),
    (
        "page",
        "Page number, from 1: the previous result's next_page.",
    ),
    ("order", "asc: oldest first; desc (default): newest first."),
];

/// The text for `property` of a tool whose own texts are `fields`.
pub fn of(fields: &[(&str, &'static str)], property: &str) -> Option<&'static str> {
    fields
        .iter()
        .find(|(name, _)| *name == property)
        .map(|(_, text)| *text)
        .or_else(|| {
            SHARED
                .iter()
                .find(|(p, _)| *p == property)
                .map(|(_, text)| *text)
        })
}
