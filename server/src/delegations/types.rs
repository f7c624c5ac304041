//! Delegations and negotiating groups: what clients send, parsed once into commands, and
//! what they are shown.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::types::{string_enum, Country};
use crate::consultations::view::Person;
use crate::error::{ApiError, FieldErrors};
use crate::http::input::text;

string_enum!(DelegationStatus {
    Member => "member",
    Observer => "observer",
});

/// At most this many delegates per delegation, and members per group.
pub const MAX_DELEGATES: usize = 50;
pub const MAX_MEMBERS: usize = 200;

/// `POST /delegations`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    /// As the UN lists it: `Brazil`, `Holy See`, `State of Palestine`.
    pub name: String,
    /// `member` (a UN member state) or `observer`.
    pub status: DelegationStatus,
    /// ISO 3166-1 alpha-2; absent for an observer that is no state.
    pub country: Option<String>,
}

pub struct NewDelegation {
    pub name: String,
    pub status: DelegationStatus,
    pub country: Option<Country>,
}

impl TryFrom<DelegationInput> for NewDelegation {
    type Error = ApiError;

    fn try_from(i: DelegationInput) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let name = text(&mut errors, "name", &i.name, 1, 200);
        let country = match i.country.as_deref() {
            Some(c) => Country::parse(c)
                .map(Some)
                .map_err(|e| errors.insert("country".into(), e.into()))
                .unwrap_or(None),
            None => None,
        };
        if i.status == DelegationStatus::Member && country.is_none() {
            errors
                .entry("country".into())
                .or_insert_with(|| "a member state has its country code".into());
        }
        match name {
            Some(name) if errors.is_empty() => Ok(NewDelegation {
                name,
                status: i.status,
                country,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `PUT /delegations/{id}/delegates`: the accounts that speak for it, all at once.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatesInput {
    /// Up to 50.
    pub user_ids: Vec<i64>,
}

/// `POST /groups`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// `G77 and China`, `African Group`, `European Union`.
    pub name: String,
}

/// `PUT /groups/{id}/members`: the member delegations, all at once, and the chair among
/// them, whose delegates speak for the group.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersInput {
    /// Up to 200.
    pub delegation_ids: Vec<i64>,
    /// One of `delegation_ids`; absent: nobody speaks for the group.
    pub chair_id: Option<i64>,
}

/// A delegation, as everyone sees it.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct DelegationView {
    pub id: i64,
    pub name: String,
    pub status: DelegationStatus,
    pub country: Option<String>,
}

/// A delegation with its delegates, for admins.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct DelegationAdminView {
    #[serde(flatten)]
    pub delegation: DelegationView,
    pub delegates: Vec<Person>,
}

/// A negotiating group with its members and chair.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub chair: Option<DelegationView>,
    pub members: Vec<DelegationView>,
}

/// Whom a contribution or an endorsement is given for, as given to the API: a free text
/// as the author states it (an organisation, a coalition: not checked), or a delegation
/// or a group, which the author must be a delegate of.
#[derive(Deserialize, JsonSchema, Clone, Debug)]
#[serde(untagged)]
pub enum OnBehalfOf {
    Stated(String),
    Delegation(DelegationChoice),
    Group(GroupChoice),
}

#[derive(Deserialize, JsonSchema, Clone, Copy, Debug)]
#[serde(deny_unknown_fields)]
pub struct DelegationChoice {
    pub delegation_id: i64,
}

#[derive(Deserialize, JsonSchema, Clone, Copy, Debug)]
#[serde(deny_unknown_fields)]
pub struct GroupChoice {
    pub group_id: i64,
}

/// A delegation or a group to speak for, not yet checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpeaksFor {
    Delegation(i64),
    Group(i64),
}

impl From<SpeaksFor> for OnBehalfOf {
    fn from(s: SpeaksFor) -> Self {
        match s {
            SpeaksFor::Delegation(delegation_id) => {
                OnBehalfOf::Delegation(DelegationChoice { delegation_id })
            }
            SpeaksFor::Group(group_id) => OnBehalfOf::Group(GroupChoice { group_id }),
        }
    }
}

impl OnBehalfOf {
    /// The free text, or the delegation or group.
    pub fn split(self) -> (Option<String>, Option<SpeaksFor>) {
        match self {
            OnBehalfOf::Stated(s) => (Some(s), None),
            OnBehalfOf::Delegation(d) => (None, Some(SpeaksFor::Delegation(d.delegation_id))),
            OnBehalfOf::Group(g) => (None, Some(SpeaksFor::Group(g.group_id))),
        }
    }
}

/// Whom a contribution speaks for, checked when it was given: shown as a verified
/// delegation or group.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Represented {
    Delegation(DelegationView),
    Group { id: i64, name: String },
}

impl Represented {
    pub fn name(&self) -> &str {
        match self {
            Represented::Delegation(d) => &d.name,
            Represented::Group { name, .. } => name,
        }
    }

    pub fn speaks_for(&self) -> SpeaksFor {
        match self {
            Represented::Delegation(d) => SpeaksFor::Delegation(d.id),
            Represented::Group { id, .. } => SpeaksFor::Group(*id),
        }
    }

    /// The form value of the pages' "on behalf of" choice: `d12`, `g3`.
    pub fn form_value(&self) -> String {
        match self.speaks_for() {
            SpeaksFor::Delegation(id) => format!("d{id}"),
            SpeaksFor::Group(id) => format!("g{id}"),
        }
    }
}

impl SpeaksFor {
    /// Reads a form value written by [`Represented::form_value`].
    pub fn from_form(raw: &str) -> Option<SpeaksFor> {
        let id = |s: &str| s.parse::<i64>().ok();
        match raw.split_at_checked(1)? {
            ("d", rest) => id(rest).map(SpeaksFor::Delegation),
            ("g", rest) => id(rest).map(SpeaksFor::Group),
            _ => None,
        }
    }

    pub fn delegation_id(self) -> Option<i64> {
        match self {
            SpeaksFor::Delegation(id) => Some(id),
            SpeaksFor::Group(_) => None,
        }
    }

    pub fn group_id(self) -> Option<i64> {
        match self {
            SpeaksFor::Group(id) => Some(id),
            SpeaksFor::Delegation(_) => None,
        }
    }

    pub fn of(delegation_id: Option<i64>, group_id: Option<i64>) -> Option<SpeaksFor> {
        match (delegation_id, group_id) {
            (Some(d), _) => Some(SpeaksFor::Delegation(d)),
            (None, Some(g)) => Some(SpeaksFor::Group(g)),
            (None, None) => None,
        }
    }
}
