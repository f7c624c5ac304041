//! What clients send to the notification endpoints, and the commands it becomes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::types::{Frequency, Kind, TargetType};
use crate::accounts::command::Problems;
use crate::error::ApiError;
use crate::http::page::Page;

/// `POST /follows`, `DELETE /follows`: what to follow (or stop following). A paragraph
/// is named by the `id` its version shows, and stays followed across versions.
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct Follow {
    pub target_type: TargetType,
    pub target_id: i64,
}

/// `GET /me/notifications`.
#[derive(Deserialize, JsonSchema, Default)]
pub struct ListQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    /// 1 to 200; 50 when absent.
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub struct NotificationQuery {
    pub unread_only: bool,
    pub page: Page,
}

impl TryFrom<ListQuery> for NotificationQuery {
    type Error = ApiError;
    fn try_from(q: ListQuery) -> Result<Self, ApiError> {
        Ok(NotificationQuery {
            unread_only: q.unread.unwrap_or(false),
            page: Page::of_list(
                &format!("notifications:{:?}", q.unread),
                q.limit,
                q.cursor.as_deref(),
            )?,
        })
    }
}

/// `POST /me/notifications/read`: `{ids}` or `{all: true}`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    /// At most 1,000 at once.
    #[schemars(length(max = 1000))]
    pub ids: Option<Vec<i64>>,
    pub all: Option<bool>,
}

/// Which notifications to mark read.
pub enum MarkRead {
    These(Vec<i64>),
    All,
}

impl TryFrom<ReadInput> for MarkRead {
    type Error = ApiError;
    fn try_from(input: ReadInput) -> Result<Self, ApiError> {
        match (input.ids, input.all) {
            (Some(ids), None | Some(false)) if ids.len() <= 1000 => Ok(MarkRead::These(ids)),
            (Some(_), None | Some(false)) => Err(ApiError::field("ids", "at most 1000 at once")),
            (None, Some(true)) => Ok(MarkRead::All),
            _ => Err(ApiError::field("ids", "give either ids or all: true")),
        }
    }
}

/// `PATCH /me/notification-settings`: a flat object of `kind: frequency` pairs and
/// `timezone` (an IANA name, or null to use each event's own). Read as a whole so that
/// every unknown kind, frequency or zone is named in one 422.
#[derive(Deserialize, Default)]
#[serde(transparent)]
pub struct SettingsInput(pub BTreeMap<String, Value>);

impl JsonSchema for SettingsInput {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SettingsInput".into()
    }
    fn json_schema(gen: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let frequency = gen.subschema_for::<Frequency>();
        let mut properties = serde_json::Map::new();
        for kind in Kind::ALL {
            properties.insert(kind.as_str().to_owned(), frequency.clone().into());
        }
        properties.insert(
            "timezone".into(),
            serde_json::json!({
                "type": ["string", "null"],
                "description": "An IANA time zone such as Africa/Nairobi; null for each event's own",
            }),
        );
        schemars::json_schema!({
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}

/// A settings change: frequencies to set, and the time zone (`Some(None)` clears it).
#[derive(Default)]
pub struct SettingsChange {
    pub frequencies: Vec<(Kind, Frequency)>,
    pub timezone: Option<Option<chrono_tz::Tz>>,
}

impl TryFrom<SettingsInput> for SettingsChange {
    type Error = ApiError;
    fn try_from(input: SettingsInput) -> Result<Self, ApiError> {
        let mut p = Problems::default();
        let mut change = SettingsChange::default();
        for (key, value) in input.0 {
            if key == "timezone" {
                match value {
                    Value::Null => change.timezone = Some(None),
                    Value::String(z) => match z.parse::<chrono_tz::Tz>() {
                        Ok(tz) => change.timezone = Some(Some(tz)),
                        Err(_) => p.note(
                            &key,
                            "must be an IANA time zone such as Africa/Nairobi, or null",
                        ),
                    },
                    _ => p.note(
                        &key,
                        "must be an IANA time zone such as Africa/Nairobi, or null",
                    ),
                }
                continue;
            }
            let Some(kind) = Kind::parse(&key) else {
                p.note(
                    &key,
                    format!("is not a notification kind ({})", Kind::expected()),
                );
                continue;
            };
            match value.as_str().and_then(Frequency::parse) {
                Some(f) => change.frequencies.push((kind, f)),
                None => p.note(&key, format!("must be one of {}", Frequency::expected())),
            }
        }
        if p.is_empty() {
            Ok(change)
        } else {
            Err(p.into_error())
        }
    }
}

/// What an unsubscribe link turns off: one kind, or everything a digest carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeScope {
    Kind(Kind),
    Digest(Frequency),
}

impl UnsubscribeScope {
    pub fn parse(raw: &str) -> Option<UnsubscribeScope> {
        match (Kind::parse(raw), Frequency::parse(raw)) {
            (Some(kind), _) => Some(UnsubscribeScope::Kind(kind)),
            (None, Some(f @ (Frequency::Daily | Frequency::Weekly))) => {
                Some(UnsubscribeScope::Digest(f))
            }
            _ => None,
        }
    }
}

/// `?token=` of an unsubscribe link (checked by the `UnsubscribeLink` guard).
#[derive(Deserialize, JsonSchema)]
pub struct LinkQuery {
    /// The signed token from the mail.
    pub token: String,
}
