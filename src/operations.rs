// The Intercom operations the server uses: the one list `cargo xtask regen` keeps in the
// vendored document. Shared verbatim with xtask (`include!`), so it holds nothing but this
// constant.

/// operationIds kept by regen: the 15 behind the 16 tools; `identifyAdmin` (GET /me), which
/// the server calls itself to learn the default admin; and `listAdmins` (GET /admins) and
/// `listTeams` (GET /teams), read for the workspace directory (`intercom://admins`, `…/teams`).
pub const OPERATIONS: &[&str] = &[
    "ListContacts",
    "SearchContacts",
    "ShowContact",
    "CreateContact",
    "UpdateContact",
    "createNote",
    "listConversations",
    "searchConversations",
    "retrieveConversation",
    "replyConversation",
    "manageConversation",
    "listAllCompanies",
    "RetrieveACompanyById",
    "listTags",
    "attachTagToContact",
    "identifyAdmin",
    "listAdmins",
    "listTeams",
];
