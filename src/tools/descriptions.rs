//! Every word a model reads about a tool's fields, in one place. A property takes the text
//! written for its tool if there is one, else the shared text for its name. A test checks
//! that no property of any tool goes without.

/// Texts for a property in one tool only, where the shared meaning does not fit.
const PER_TOOL: &[(&str, &str, &str)] = &[
    ("intercomAddNote", "body", "The note's text; simple HTML (<p>, <b>, <a>) is kept."),
    ("intercomAddNote", "admin_id", "Id of the admin the note is written as. Optional."),
    ("intercomReplyConversation", "body", "The reply's text; simple HTML (<p>, <b>, <a>) is kept."),
    ("intercomReplyConversation", "name", "File name shown to readers, e.g. invoice.pdf."),
    ("intercomCloseConversation", "body", "Optional closing message, sent to the customer."),
    ("intercomAssignConversation", "body", "Optional note added with the assignment."),
    ("intercomAssignConversation", "type", "admin to assign to an admin, team to assign to a team."),
    ("intercomListCompanies", "per_page", "Companies per page (default 15)."),
];

/// Texts for a property wherever it appears.
const SHARED: &[(&str, &str)] = &[
    ("per_page", "Results per page (default 15 for contacts, 20 for conversations; at most 150)."),
    ("starting_after", "Cursor from the previous result's pages.next.starting_after; omit for the first page."),
    ("pagination", "Paging: per_page, and starting_after from the previous result."),
    ("query", "One filter {field, operator, value} or a group {operator: AND|OR, value: [filters or groups]}."),
    ("field", "Field to filter on, e.g. email, name, created_at, custom_attributes.plan, tag_ids."),
    ("operator", "For a filter: = != IN NIN < <= > >= ~ (contains) !~ ^ (starts with) $ (ends with). For a group: AND or OR."),
    ("value", "For a filter: the value to compare (an array with IN/NIN; unix seconds for dates). For a group: its filters or groups."),
    ("contact_id", "The contact's Intercom id (the `id` field of a contact)."),
    ("conversation_id", "The conversation's Intercom id; for a reply, `last` means the contact's latest conversation."),
    ("company_id", "The company's Intercom id (the `id` field, not your own company_id)."),
    ("id", "The tag's id, from intercomListTags."),
    ("role", "user (a known, signed-up person) or lead (an anonymous visitor or prospect)."),
    ("external_id", "Your own unique id for the contact, from your systems."),
    ("email", "Email address; unique per contact."),
    ("phone", "Phone number, ideally in international format (+14155550100)."),
    ("name", "Full name."),
    ("avatar", "URL of an image to show as the contact's avatar."),
    ("signed_up_at", "When the contact signed up, in unix seconds."),
    ("last_seen_at", "When the contact was last seen, in unix seconds."),
    ("owner_id", "Id of the admin who owns this contact."),
    ("unsubscribed_from_emails", "true when the contact must not receive marketing email."),
    ("custom_attributes", "Custom attributes by name, e.g. {\"plan\": \"pro\"}; the attributes must already exist in the workspace."),
    ("admin_id", "Id of the admin acting (an admin's `id`, e.g. from a conversation's admin_assignee_id)."),
    ("message_type", "comment: a reply the customer sees. note: an internal note for teammates."),
    ("created_at", "Backdate the part to this time, in unix seconds. Optional."),
    ("attachment_urls", "Up to 10 public URLs of files to attach."),
    ("attachment_files", "Up to 10 files to attach, each as base64 data."),
    ("content_type", "The file's MIME type, e.g. application/pdf."),
    ("data", "The file's content, base64-encoded."),
    ("display_as", "plaintext returns message bodies as plain text instead of HTML."),
    ("assignee_id", "Id of the admin or team to assign to; \"0\" unassigns."),
    ("page", "Page number, from 1."),
    ("order", "asc for oldest first, desc (default) for newest first."),
];

pub fn of(tool: &str, property: &str) -> Option<&'static str> {
    PER_TOOL
        .iter()
        .find(|(t, p, _)| *t == tool && *p == property)
        .map(|(_, _, text)| *text)
        .or_else(|| SHARED.iter().find(|(p, _)| *p == property).map(|(_, text)| *text))
}
