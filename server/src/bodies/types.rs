//! Intersessional bodies: what clients send, parsed once, and what they are shown.

use chrono::NaiveDateTime;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::types::{string_enum, Country, Email, Region};
use crate::db::Timestamp;
use crate::error::{ApiError, FieldErrors};
use crate::http::input::text;

string_enum!(
    /// The IGF's intersessional work.
    BodyKind {
        Nri => "nri",
        DynamicCoalition => "dynamic_coalition",
        BestPracticeForum => "best_practice_forum",
        PolicyNetwork => "policy_network",
    }
);

string_enum!(
    /// A member keeps the page and its outputs when a coordinator.
    MemberRole {
        Member => "member",
        Coordinator => "coordinator",
    }
);

/// At most this many coordinators per body.
pub const MAX_COORDINATORS: usize = 20;

/// `POST /bodies`, and `PATCH /bodies/{id}` (every field again).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    /// 1 to 200 characters, unique (in any case): `Kenya IGF`, `DC on Internet of Things`.
    pub name: String,
    pub kind: BodyKind,
    /// A UN regional group; for a national initiative it is its country's.
    pub region: Option<Region>,
    /// ISO 3166-1 alpha-2, for a national initiative.
    pub country: Option<String>,
    /// Up to 5,000 characters.
    #[serde(default)]
    pub description: String,
    /// The body's public contact address.
    pub contact_email: Option<String>,
    /// `https://…`
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewBody {
    pub name: String,
    pub kind: BodyKind,
    pub region: Option<Region>,
    pub country: Option<Country>,
    pub description: String,
    pub contact_email: Option<String>,
    pub website: Option<String>,
}

impl TryFrom<BodyInput> for NewBody {
    type Error = ApiError;

    fn try_from(i: BodyInput) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let name = text(&mut errors, "name", &i.name, 1, 200);
        let description = text(&mut errors, "description", &i.description, 0, 5000);
        let country = match i.country.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(c) => Country::parse(c)
                .map_err(|e| errors.insert("country".into(), e.into()))
                .ok(),
        };
        // A country says its region; a region that contradicts it is refused.
        let region = match (i.region, &country) {
            (Some(r), Some(c)) if r != c.region => {
                errors.insert(
                    "region".into(),
                    format!("{} is in the {} group", c.code(), c.region),
                );
                None
            }
            (r, c) => r.or(c.as_ref().map(|c| c.region)),
        };
        let contact_email = match i.contact_email.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(e) => Email::parse(e)
                .map(|e| e.as_str().to_owned())
                .map_err(|e| errors.insert("contact_email".into(), e.into()))
                .ok(),
        };
        let website = match i.website.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(w)
                if (w.starts_with("https://") || w.starts_with("http://"))
                    && w.len() <= 500
                    && !w.chars().any(char::is_whitespace) =>
            {
                Some(w.to_owned())
            }
            Some(_) => {
                errors.insert(
                    "website".into(),
                    "an http:// or https:// address of at most 500 characters".into(),
                );
                None
            }
        };
        match (name, description) {
            (Some(name), Some(description)) if errors.is_empty() => Ok(NewBody {
                name,
                kind: i.kind,
                region,
                country,
                description,
                contact_email,
                website,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `GET /bodies?kind=&region=&country=&q=`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryQuery {
    pub kind: Option<BodyKind>,
    pub region: Option<Region>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Words of the name or description.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The directory's filters, parsed.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub kind: Option<BodyKind>,
    pub region: Option<Region>,
    pub country: Option<Country>,
    pub q: Option<String>,
}

/// `PUT /bodies/{id}/coordinators`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoordinatorsInput {
    /// Up to 20 accounts; they become members if they were not.
    pub user_ids: Vec<i64>,
}

/// `PUT /bodies/{id}/sessions`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsInput {
    /// The body's sessions at IGF events (up to 100), all at once.
    pub session_ids: Vec<i64>,
}

/// A body in the directory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BodySummary {
    pub id: i64,
    pub name: String,
    pub kind: BodyKind,
    pub region: Option<Region>,
    pub country: Option<String>,
    pub members: i64,
}

/// A coordinator, the body's contact person: their name only.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Contact {
    pub user_id: i64,
    pub display_name: String,
}

/// A member, for the body's members, coordinators and the secretariat.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub display_name: String,
    pub stakeholder_group: String,
    pub country: Option<String>,
    pub role: MemberRole,
    pub joined_at: Timestamp,
}

/// A session of the body at an IGF event (published events only, for the public).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BodySessionView {
    pub session_id: i64,
    pub title: String,
    pub event_id: i64,
    pub event_name: String,
    pub starts_at: Option<Timestamp>,
}

/// An output: a consultation, with its versions and public comment.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OutputView {
    pub consultation_id: i64,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub versions: i64,
    pub comments: i64,
}

/// A body's page.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BodyView {
    pub id: i64,
    pub name: String,
    pub kind: BodyKind,
    pub region: Option<Region>,
    pub country: Option<String>,
    pub description: String,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub created_at: Timestamp,
    /// The coordinators.
    pub contacts: Vec<Contact>,
    pub members: i64,
    /// The caller's place: null when not a member (or not signed in).
    pub my_role: Option<MemberRole>,
    /// Whether the caller may edit the body, its sessions and outputs.
    pub may_manage: bool,
    pub sessions: Vec<BodySessionView>,
    pub outputs: Vec<OutputView>,
}

/// `POST /bodies/{id}/members`: the caller's membership (the same again changes nothing).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Membership {
    pub body_id: i64,
    pub role: MemberRole,
    pub joined_at: Timestamp,
}

/// A membership, in its member's personal-data export.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MembershipRecord {
    pub body_id: i64,
    pub body_name: String,
    pub role: MemberRole,
    pub joined_at: Timestamp,
}

/// A body's row.
#[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::db::schema::bodies)]
pub struct BodyRow {
    pub id: i64,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub kind: BodyKind,
    #[diesel(deserialize_as = crate::db::NullableText)]
    pub region: Option<Region>,
    pub country: Option<String>,
    pub description: String,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub created_at: NaiveDateTime,
}

impl BodyRow {
    pub fn summary(&self, members: i64) -> BodySummary {
        BodySummary {
            id: self.id,
            name: self.name.clone(),
            kind: self.kind,
            region: self.region,
            country: self.country.clone(),
            members,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(country: Option<&str>, region: Option<Region>) -> BodyInput {
        BodyInput {
            name: "Kenya IGF".into(),
            kind: BodyKind::Nri,
            region,
            country: country.map(str::to_owned),
            description: String::new(),
            contact_email: Some(" Info@KIGF.ke ".into()),
            website: Some("https://kigf.ke".into()),
        }
    }

    #[test]
    fn a_country_gives_its_region_and_refuses_another() {
        let b = NewBody::try_from(input(Some("ke"), None)).unwrap();
        assert_eq!(b.region, Some(Region::African));
        assert_eq!(b.contact_email.as_deref(), Some("info@kigf.ke"));
        let e = NewBody::try_from(input(Some("KE"), Some(Region::AsiaPacific))).unwrap_err();
        assert!(e.fields.unwrap().contains_key("region"));
        let mut bad = input(None, None);
        bad.website = Some("javascript:alert(1)".into());
        let e = NewBody::try_from(bad).unwrap_err();
        assert!(e.fields.unwrap().contains_key("website"));
    }
}
