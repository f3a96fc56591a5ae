//! The search query model: the operators Intercom's search takes, the type of each searchable
//! field (which decides its operators), and the fields the contact and conversation searches
//! know.

/// Every operator Intercom's search accepts; which ones fit depends on the field's type.
pub const OPERATORS: [&str; 12] = [
    "=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$",
];
pub(super) const MAX_FILTERS_PER_GROUP: usize = 15;
pub(super) const MAX_PER_PAGE: u64 = 150;

/// The type of a searchable field, which decides the operators it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Boolean,
    /// Unix seconds, matched by calendar day.
    Date,
    /// A contact's `tag_id`.
    Tag,
}

impl Kind {
    pub(super) fn operators(self) -> &'static [&'static str] {
        match self {
            Kind::Text => &["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
            Kind::Integer => &["=", "!=", "IN", "NIN", "<", "<=", ">", ">="],
            Kind::Boolean => &["=", "!=", "IN", "NIN"],
            Kind::Date => &["=", "<", ">"],
            Kind::Tag => &["=", "!="],
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Integer => "an integer",
            Kind::Boolean => "a boolean",
            Kind::Date => "a date",
            Kind::Tag => "a tag id",
        }
    }
}

/// Searchable fields by type (Intercom's search reference), grouped so each type's
/// operators apply to the whole group.
pub struct Fields {
    pub text: &'static [&'static str],
    pub integer: &'static [&'static str],
    pub boolean: &'static [&'static str],
    pub date: &'static [&'static str],
    pub tag: &'static [&'static str],
}

impl Fields {
    pub(super) fn kind(&self, field: &str) -> Option<Kind> {
        [
            (self.text, Kind::Text),
            (self.integer, Kind::Integer),
            (self.boolean, Kind::Boolean),
            (self.date, Kind::Date),
            (self.tag, Kind::Tag),
        ]
        .into_iter()
        .find(|(names, _)| names.contains(&field))
        .map(|(_, kind)| kind)
    }
}

/// The fields a contact search knows.
pub const CONTACT_FIELDS: Fields = Fields {
    text: &[
        "id",
        "role",
        "name",
        "avatar",
        "email",
        "email_domain",
        "phone",
        "external_id",
        "language_override",
        "browser",
        "browser_language",
        "os",
        "location.country",
        "location.region",
        "location.city",
        "ios_app_version",
        "ios_device",
        "ios_app_device",
        "ios_os_version",
        "ios_app_name",
        "ios_sdk_version",
        "android_app_version",
        "android_device",
        "android_app_name",
        "android_sdk_version",
        "segment_id",
    ],
    integer: &["owner_id"],
    boolean: &[
        "unsubscribed_from_emails",
        "marked_email_as_spam",
        "has_hard_bounced",
    ],
    date: &[
        "created_at",
        "signed_up_at",
        "updated_at",
        "last_seen_at",
        "last_contacted_at",
        "last_replied_at",
        "last_email_opened_at",
        "last_email_clicked_at",
        "ios_last_seen_at",
        "android_last_seen_at",
    ],
    tag: &["tag_id"],
};

/// The fields a conversation search knows.
pub const CONVERSATION_FIELDS: Fields = Fields {
    text: &[
        "id",
        "source.type",
        "source.id",
        "source.delivered_as",
        "source.subject",
        "source.body",
        "source.author.id",
        "source.author.type",
        "source.author.name",
        "source.author.email",
        "source.url",
        "contact_ids",
        "teammate_ids",
        "channel_initiated",
        "state",
        "tag_ids",
        "priority",
        "statistics.last_closed_by_id",
        "conversation_rating.remark",
        "conversation_rating.contact_id",
        "conversation_rating.admin_id",
        "ai_agent.resolution_state",
        "ai_agent.last_answer_type",
        "ai_agent.rating_remark",
        "ai_agent.source_type",
        "ai_agent.source_title",
    ],
    integer: &[
        "admin_assignee_id",
        "team_assignee_id",
        "statistics.time_to_assignment",
        "statistics.time_to_admin_reply",
        "statistics.time_to_first_close",
        "statistics.time_to_last_close",
        "statistics.median_time_to_reply",
        "statistics.count_reopens",
        "statistics.count_assignments",
        "statistics.count_conversation_parts",
        "conversation_rating.score",
        "ai_agent.rating",
    ],
    boolean: &["open", "read", "ai_agent_participated"],
    date: &[
        "created_at",
        "updated_at",
        "waiting_since",
        "snoozed_until",
        "statistics.first_contact_reply_at",
        "statistics.first_assignment_at",
        "statistics.first_admin_reply_at",
        "statistics.first_close_at",
        "statistics.last_assignment_at",
        "statistics.last_assignment_admin_reply_at",
        "statistics.last_contact_reply_at",
        "statistics.last_admin_reply_at",
        "statistics.last_close_at",
        "conversation_rating.requested_at",
        "conversation_rating.replied_at",
    ],
    tag: &[],
};
