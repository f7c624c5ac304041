//! What clients send about contributions, and the commands it is parsed into once.
//! Every field problem is collected into one 422; past `TryFrom`, only domain values
//! travel.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::accounts::types::LanguageTag;
use crate::consultations::types::{CommentKind, ModerationAction, MAX_BODY_CHARS};
use crate::delegations::types::{OnBehalfOf, SpeaksFor};
use crate::error::{ApiError, FieldErrors};
use crate::http::input::{double_option, text};

/// A comment, reply or amendment on a consultation.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
    /// The paragraph commented on; absent for a general comment.
    pub paragraph_key: Option<String>,
    /// The comment replied to.
    pub parent_id: Option<i64>,
    /// `comment` (the default) or `amendment`.
    #[serde(default)]
    #[schemars(with = "Option<CommentKind>")]
    pub kind: Option<String>,
    /// An amendment's proposed text.
    pub proposed_text: Option<String>,
    /// Whom it speaks for: a free text as the author states it (not checked), or
    /// `{delegation_id}` / `{group_id}`, which the author must be a delegate of (403
    /// otherwise); shown as a verified delegation or group (`speaks_for`).
    pub on_behalf_of: Option<OnBehalfOf>,
    /// BCP 47; detected from the text when absent.
    pub language: Option<String>,
    /// Show only the stakeholder group and region.
    #[serde(default)]
    pub anonymous: bool,
}

pub struct NewCommentCommand {
    pub body: String,
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub kind: CommentKind,
    pub proposed_text: Option<String>,
    pub on_behalf_of: Option<String>,
    /// A delegation or group, to check against the author.
    pub speaks_for: Option<SpeaksFor>,
    pub language: Option<LanguageTag>,
    pub anonymous: bool,
}

impl TryFrom<CommentInput> for NewCommentCommand {
    type Error = ApiError;

    fn try_from(i: CommentInput) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let body = text(&mut errors, "body", &i.body, 1, MAX_BODY_CHARS);
        let kind = match i.kind.as_deref().unwrap_or("comment") {
            "question" => {
                errors.insert(
                    "kind".into(),
                    "questions are asked in IGF sessions; here use comment or amendment".into(),
                );
                None
            }
            raw => CommentKind::parse(raw)
                .ok_or_else(|| {
                    errors.insert("kind".into(), "must be one of comment, amendment".into())
                })
                .ok(),
        };
        let proposed_text = match (kind, i.proposed_text.as_deref()) {
            (Some(CommentKind::Amendment), None) => {
                errors.insert(
                    "proposed_text".into(),
                    "an amendment needs the proposed text".into(),
                );
                None
            }
            (Some(CommentKind::Amendment), Some(t)) => {
                text(&mut errors, "proposed_text", t, 1, MAX_BODY_CHARS)
            }
            (_, Some(_)) => {
                errors.insert(
                    "proposed_text".into(),
                    "only amendments carry proposed text".into(),
                );
                None
            }
            _ => None,
        };
        if kind == Some(CommentKind::Amendment)
            && i.paragraph_key.is_none()
            && i.parent_id.is_none()
        {
            errors.insert(
                "paragraph_key".into(),
                "an amendment proposes a change to one paragraph".into(),
            );
        }
        let (stated, speaks_for) = i.on_behalf_of.map(OnBehalfOf::split).unwrap_or_default();
        let on_behalf_of = stated
            .as_deref()
            .and_then(|o| text(&mut errors, "on_behalf_of", o, 1, 200));
        let language = match i.language.as_deref() {
            Some(l) => LanguageTag::parse(l)
                .map(Some)
                .map_err(|e| errors.insert("language".into(), e.into()))
                .unwrap_or(None),
            None => None,
        };
        match (body, kind) {
            (Some(body), Some(kind)) if errors.is_empty() => Ok(NewCommentCommand {
                body,
                paragraph_key: i.paragraph_key,
                parent_id: i.parent_id,
                kind,
                proposed_text,
                on_behalf_of,
                speaks_for,
                language,
                anonymous: i.anonymous,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// An edit within the window: a new body, a new proposed text, or both.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInput {
    pub body: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub proposed_text: Option<Option<String>>,
}

pub struct EditCommand {
    pub body: Option<String>,
    pub proposed_text: Option<String>,
}

impl TryFrom<EditInput> for EditCommand {
    type Error = ApiError;

    fn try_from(i: EditInput) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let body = i
            .body
            .as_deref()
            .and_then(|b| text(&mut errors, "body", b, 1, MAX_BODY_CHARS));
        let proposed_text = match &i.proposed_text {
            Some(Some(t)) => text(&mut errors, "proposed_text", t, 1, MAX_BODY_CHARS),
            Some(None) => {
                errors.insert(
                    "proposed_text".into(),
                    "an amendment keeps its proposed text".into(),
                );
                None
            }
            None => None,
        };
        if i.body.is_none() && i.proposed_text.is_none() {
            errors.insert("body".into(), "give the new body or proposed_text".into());
        }
        if errors.is_empty() {
            Ok(EditCommand {
                body,
                proposed_text,
            })
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

/// A reason given for a flag, a moderation act, or keeping a flagged input.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

/// 1 to 1,000 characters of text.
pub struct Reason(pub String);

impl TryFrom<ReasonInput> for Reason {
    type Error = ApiError;

    fn try_from(i: ReasonInput) -> Result<Self, ApiError> {
        crate::accounts::types::bounded_text(&i.reason, 1, 1000)
            .map(Reason)
            .map_err(|e| ApiError::field("reason", e))
    }
}

/// Hide or restore, with a reason for the public log.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    #[schemars(with = "ModerationAction")]
    pub action: String,
    pub reason: String,
}

pub struct ModerationCommand {
    pub action: ModerationAction,
    pub reason: String,
}

impl TryFrom<ModerationInput> for ModerationCommand {
    type Error = ApiError;

    fn try_from(i: ModerationInput) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let action = ModerationAction::parse(&i.action)
            .ok_or_else(|| {
                errors.insert(
                    "action".into(),
                    format!("must be one of {}", ModerationAction::expected()),
                )
            })
            .ok();
        let reason = text(&mut errors, "reason", &i.reason, 1, 1000);
        match (action, reason) {
            (Some(action), Some(reason)) => Ok(ModerationCommand { action, reason }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `POST /comments/{id}/endorsement`: optionally for a delegation or group the endorser
/// is a delegate of (a delegation's support, shown in the compilation).
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EndorseInput {
    pub on_behalf_of: Option<EndorseFor>,
}

/// A delegation or a group (free text is not taken here).
#[derive(Deserialize, JsonSchema, Clone, Debug)]
#[serde(untagged)]
pub enum EndorseFor {
    Delegation(crate::delegations::types::DelegationChoice),
    Group(crate::delegations::types::GroupChoice),
}

impl EndorseInput {
    pub fn speaks_for(&self) -> Option<SpeaksFor> {
        self.on_behalf_of.as_ref().map(|f| match f {
            EndorseFor::Delegation(d) => SpeaksFor::Delegation(d.delegation_id),
            EndorseFor::Group(g) => SpeaksFor::Group(g.group_id),
        })
    }
}
