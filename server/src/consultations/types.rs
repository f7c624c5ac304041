//! Consultation domain types.

use chrono::NaiveDateTime;

use crate::accounts::types::{string_enum, StakeholderGroup};
use crate::error::{ApiError, ApiResult};

string_enum!(Status {
    Draft => "draft",
    Open => "open",
    Closed => "closed",
    Synthesis => "synthesis",
    Concluded => "concluded",
});

impl Status {
    /// Forward through the lifecycle; a closed consultation may be reopened.
    pub fn can_move_to(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (Draft, Open)
                | (Open, Closed)
                | (Closed, Open)
                | (Closed, Synthesis)
                | (Synthesis, Concluded)
        )
    }
}

// `question` is for IGF sessions: questions are upvoted and rise in the queue.
string_enum!(CommentKind {
    Comment => "comment",
    Amendment => "amendment",
    Question => "question",
});

string_enum!(Visibility {
    Visible => "visible",
    Hidden => "hidden",
    Withdrawn => "withdrawn",
});

string_enum!(ModerationAction {
    Hide => "hide",
    Restore => "restore",
});

/// Who may take part in a consultation (post inputs and endorse them). The secretariat
/// and the co-facilitators always may; anyone may read.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "who", rename_all = "snake_case")]
pub enum Participation {
    /// Anyone with a verified account.
    #[default]
    Anyone,
    /// Verified accounts of these stakeholder groups only (at least one). The group is
    /// the account's own declaration, unless `verified_only`: then only accounts whose
    /// organisation (and group) an admin has verified.
    Groups {
        groups: Vec<StakeholderGroup>,
        verified_only: bool,
    },
}

/// `{"who": "anyone"}` or `{"who": "groups", "groups": [...], "verified_only": false}`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "who", rename_all = "snake_case", deny_unknown_fields)]
pub enum ParticipationInput {
    Anyone,
    Groups {
        groups: Vec<StakeholderGroup>,
        #[serde(default)]
        verified_only: bool,
    },
}

impl TryFrom<ParticipationInput> for Participation {
    type Error = &'static str;

    fn try_from(i: ParticipationInput) -> Result<Self, Self::Error> {
        match i {
            ParticipationInput::Anyone => Ok(Participation::Anyone),
            ParticipationInput::Groups {
                mut groups,
                verified_only,
            } => {
                groups.sort_unstable();
                groups.dedup();
                if groups.is_empty() {
                    Err("name at least one stakeholder group, or let anyone take part")
                } else {
                    Ok(Participation::Groups {
                        groups,
                        verified_only,
                    })
                }
            }
        }
    }
}

impl Participation {
    /// As stored: the kind, and the groups as a JSON list.
    pub fn to_columns(&self) -> (&'static str, String) {
        match self {
            Participation::Anyone => ("anyone", "[]".to_owned()),
            Participation::Groups {
                groups,
                verified_only,
            } => (
                if *verified_only {
                    "verified_groups"
                } else {
                    "groups"
                },
                serde_json::to_string(groups).unwrap_or_else(|_| "[]".into()),
            ),
        }
    }

    /// From the stored columns; a list that cannot be read admits nobody but the
    /// secretariat, rather than everyone.
    pub fn from_columns(kind: &str, groups: &str) -> Participation {
        match kind {
            "groups" | "verified_groups" => Participation::Groups {
                groups: serde_json::from_str(groups).unwrap_or_default(),
                verified_only: kind == "verified_groups",
            },
            _ => Participation::Anyone,
        }
    }

    /// Whether an account of `group`, verified or not by an admin, may take part.
    pub fn admits(&self, group: StakeholderGroup, verified: bool) -> bool {
        match self {
            Participation::Anyone => true,
            Participation::Groups {
                groups,
                verified_only,
            } => groups.contains(&group) && (verified || !verified_only),
        }
    }
}

/// Lower-case letters, digits and hyphens, 3 to 80 characters.
pub fn parse_slug(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let ok = (3..=80).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(s.to_owned())
    } else {
        Err("must be 3 to 80 lower-case letters, digits and hyphens, not only digits")
    }
}

/// A version label such as `zero-draft` or `rev1`.
pub fn parse_label(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if (1..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(s.to_owned())
    } else {
        Err("must be 1 to 40 letters, digits, '-', '_' or '.'")
    }
}

/// An RFC 3339 timestamp, stored as UTC.
pub fn parse_time(field: &str, raw: &str) -> ApiResult<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.naive_utc())
        .map_err(|_| {
            ApiError::field(
                field,
                "must be an RFC 3339 timestamp such as 2025-06-23T09:00:00Z",
            )
        })
}

pub const MAX_BODY_CHARS: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        assert!(Status::Draft.can_move_to(Status::Open));
        assert!(Status::Closed.can_move_to(Status::Open));
        assert!(!Status::Draft.can_move_to(Status::Concluded));
        assert!(!Status::Concluded.can_move_to(Status::Open));
    }

    #[test]
    fn slugs_and_labels() {
        assert!(parse_slug("wsis-20-review").is_ok());
        assert!(parse_slug("Bad Slug").is_err());
        assert!(parse_slug("123").is_err());
        assert!(parse_label("rev1").is_ok());
        assert!(parse_label("rev 1").is_err());
    }
}
