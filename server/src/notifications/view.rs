//! What the notification use cases answer. A notification's `data` is typed per kind;
//! what it says of other people's contributions is resolved when it is read, for its
//! recipient, through the access policy (a hidden reply's text is not in it).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::types::{Frequency, Kind, TargetType};
use crate::consultations::types::ModerationAction;
use crate::db::Timestamp;
use crate::events::types::ProposalStatus;
use crate::review::store::ReviewStatus;

/// Something followed. A paragraph carries its consultation and its key (it is followed
/// across versions by the key); `target_id` is then the consultation's id.
#[derive(Serialize, JsonSchema, Debug, Clone)]
pub struct FollowView {
    pub id: i64,
    pub target_type: TargetType,
    pub target_id: i64,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultation_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph_key: Option<String>,
}

/// The answer to a follow: the caller's follows now.
#[derive(Serialize, JsonSchema, Debug)]
pub struct Following {
    pub following: bool,
    pub follows: Vec<FollowView>,
}

/// One notification of the caller.
#[derive(Serialize, JsonSchema, Debug, Clone)]
pub struct NotificationView {
    pub id: i64,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
    /// `kind` and its `data`.
    #[serde(flatten)]
    pub body: NotificationBody,
}

/// A notification's kind and what it is about; its row stores the kind and the `data`
/// (in this very shape, so old rows read back as they were written).
#[derive(Serialize, JsonSchema, Debug, Clone)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum NotificationBody {
    /// A reply in a thread the recipient follows.
    Reply(ReplyData),
    /// The recipient's contribution was endorsed.
    Endorsement(CommentData),
    /// Co-facilitators reviewed the recipient's contribution.
    Review(ReviewData),
    NewVersion(NewVersionData),
    ClosingSoon(ClosingSoonData),
    SessionStarting(SessionStartingData),
    ProposalDecision(DecisionData),
    /// A moderator hid or restored the recipient's contribution.
    Moderation(ModerationData),
    /// A silence procedure the recipient's delegation may break ends within a day.
    SilenceDeadline(SilenceDeadlineData),
}

impl NotificationBody {
    pub fn kind(&self) -> Kind {
        match self {
            NotificationBody::Reply(_) => Kind::Reply,
            NotificationBody::Endorsement(_) => Kind::Endorsement,
            NotificationBody::Review(_) => Kind::Review,
            NotificationBody::NewVersion(_) => Kind::NewVersion,
            NotificationBody::ClosingSoon(_) => Kind::ClosingSoon,
            NotificationBody::SessionStarting(_) => Kind::SessionStarting,
            NotificationBody::ProposalDecision(_) => Kind::ProposalDecision,
            NotificationBody::Moderation(_) => Kind::Moderation,
            NotificationBody::SilenceDeadline(_) => Kind::SilenceDeadline,
        }
    }

    /// What it is about: a consultation's, session's or proposal's title.
    pub fn title(&self) -> &str {
        match self {
            NotificationBody::Reply(d) => &d.title,
            NotificationBody::Endorsement(d) => &d.title,
            NotificationBody::Review(d) => &d.title,
            NotificationBody::NewVersion(d) => &d.title,
            NotificationBody::ClosingSoon(d) => &d.title,
            NotificationBody::SessionStarting(d) => &d.title,
            NotificationBody::ProposalDecision(d) => &d.title,
            NotificationBody::Moderation(d) => &d.title,
            NotificationBody::SilenceDeadline(d) => &d.title,
        }
    }

    /// The page it links to (a path on this site).
    pub fn url(&self) -> &str {
        match self {
            NotificationBody::Reply(d) => &d.url,
            NotificationBody::Endorsement(d) => &d.url,
            NotificationBody::Review(d) => &d.url,
            NotificationBody::NewVersion(d) => &d.url,
            NotificationBody::ClosingSoon(d) => &d.url,
            NotificationBody::SessionStarting(d) => &d.url,
            NotificationBody::ProposalDecision(d) => &d.url,
            NotificationBody::Moderation(d) => &d.url,
            NotificationBody::SilenceDeadline(d) => &d.url,
        }
    }

    /// Reads a row back: its kind and its `data` text.
    pub(crate) fn from_stored(kind: Kind, data: &str) -> serde_json::Result<NotificationBody> {
        let mut body = Self::parse_stored(kind, data)?;
        // Rows written before pointed at the whole text (`/consultations/{slug}#c-{id}`),
        // where the comment is not: every notification about a comment leads to its page.
        match &mut body {
            NotificationBody::Reply(d) => d.url = comment_page(d.comment_id),
            NotificationBody::Endorsement(d) => d.url = comment_page(d.comment_id),
            NotificationBody::Review(d) => d.url = comment_page(d.comment_id),
            NotificationBody::Moderation(d) => d.url = comment_page(d.comment_id),
            _ => {}
        }
        Ok(body)
    }

    fn parse_stored(kind: Kind, data: &str) -> serde_json::Result<NotificationBody> {
        use serde_json::from_str;
        Ok(match kind {
            Kind::Reply => NotificationBody::Reply(from_str(data)?),
            Kind::Endorsement => NotificationBody::Endorsement(from_str(data)?),
            Kind::Review => NotificationBody::Review(from_str(data)?),
            Kind::NewVersion => NotificationBody::NewVersion(from_str(data)?),
            Kind::ClosingSoon => NotificationBody::ClosingSoon(from_str(data)?),
            Kind::SessionStarting => NotificationBody::SessionStarting(from_str(data)?),
            Kind::ProposalDecision => NotificationBody::ProposalDecision(from_str(data)?),
            Kind::Moderation => NotificationBody::Moderation(from_str(data)?),
            Kind::SilenceDeadline => NotificationBody::SilenceDeadline(from_str(data)?),
        })
    }

    /// The `data` text of its row.
    pub(crate) fn stored_data(&self) -> serde_json::Result<String> {
        use serde_json::to_string;
        match self {
            NotificationBody::Reply(d) => to_string(d),
            NotificationBody::Endorsement(d) => to_string(d),
            NotificationBody::Review(d) => to_string(d),
            NotificationBody::NewVersion(d) => to_string(d),
            NotificationBody::ClosingSoon(d) => to_string(d),
            NotificationBody::SessionStarting(d) => to_string(d),
            NotificationBody::ProposalDecision(d) => to_string(d),
            NotificationBody::Moderation(d) => to_string(d),
            NotificationBody::SilenceDeadline(d) => to_string(d),
        }
    }
}

/// A comment's own page: it leads to the comment in its paragraph's thread (or its
/// session) and scrolls to it.
pub fn comment_page(comment_id: i64) -> String {
    format!("/comments/{comment_id}")
}

/// A reply: the reply and the comment it answers.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct ReplyData {
    pub title: String,
    pub comment_id: i64,
    pub parent_id: i64,
    pub consultation_id: Option<i64>,
    pub session_id: Option<i64>,
    /// The reply's first 140 characters, while the recipient may read it (never once it
    /// is hidden or withdrawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    pub url: String,
}

/// A notification about one contribution of the recipient.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct CommentData {
    pub title: String,
    pub comment_id: i64,
    pub url: String,
}

/// A paragraph of a version that cites the contribution.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct Citation {
    /// The version's label.
    pub version: String,
    /// The paragraph's number in it.
    pub number: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct ReviewData {
    pub title: String,
    pub comment_id: i64,
    pub status: ReviewStatus,
    /// Where the current text cites the contribution.
    #[serde(default)]
    pub incorporated_in: Vec<Citation>,
    pub url: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct NewVersionData {
    pub title: String,
    pub consultation_id: i64,
    /// The new version's label.
    pub version: String,
    pub url: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct ClosingSoonData {
    pub title: String,
    pub consultation_id: i64,
    #[serde(deserialize_with = "stored_time")]
    pub closes_at: Timestamp,
    pub url: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct SilenceDeadlineData {
    pub title: String,
    pub consultation_id: i64,
    /// The version under silence.
    pub version: String,
    #[serde(deserialize_with = "stored_time")]
    pub deadline: Timestamp,
    /// The deadline in the time zone it was set in, with the zone's name.
    pub deadline_local: String,
    pub url: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct SessionStartingData {
    pub title: String,
    pub session_id: i64,
    pub event_id: i64,
    #[serde(deserialize_with = "stored_time")]
    pub starts_at: Timestamp,
    /// `starts_at` with the offset of `timezone` (RFC 3339).
    pub local_starts_at: String,
    /// The recipient's zone when they chose one, else the event's (IANA).
    pub timezone: String,
    pub url: String,
}

/// The organisers' decision on a proposal of the recipient.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct DecisionData {
    pub title: String,
    pub proposal_id: i64,
    pub status: ProposalStatus,
    pub note: String,
    /// The session an accepted proposal became.
    pub session_id: Option<i64>,
    pub url: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone)]
pub struct ModerationData {
    pub title: String,
    pub comment_id: i64,
    pub action: ModerationAction,
    /// The moderator's reason (as in the public moderation log).
    pub note: String,
    pub url: String,
}

fn stored_time<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let raw = String::deserialize(d)?;
    chrono::DateTime::parse_from_rfc3339(&raw)
        .map(|t| Timestamp(t.naive_utc()))
        .map_err(serde::de::Error::custom)
}

/// A page of the caller's notifications.
#[derive(Serialize, JsonSchema, Debug)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    /// Give it as `?cursor=` for the next page; null on the last.
    pub next_cursor: Option<String>,
    /// Unread notifications in all (not only on this page).
    pub unread_count: i64,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct UnreadCount {
    pub unread_count: i64,
}

/// How each kind reaches the caller, and the zone reminders are written in.
#[derive(Serialize, JsonSchema, Debug, Clone)]
pub struct SettingsView {
    pub kinds: BTreeMap<Kind, Frequency>,
    /// IANA name; null: each event's own zone.
    pub timezone: Option<String>,
}

/// The kinds an unsubscribe link turned off.
#[derive(Serialize, JsonSchema, Debug)]
pub struct Unsubscribed {
    pub unsubscribed: Vec<Kind>,
}
