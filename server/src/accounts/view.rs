//! What the account use cases answer: typed views, the same for the API and the pages.
//! Every one of them is the caller's own data (or, for admins, an account they manage).

use schemars::JsonSchema;
use serde::Serialize;

use super::store::UserRow;
use super::types::{Country, Email, Gender, LanguageTag, Region, Role, StakeholderGroup};
use crate::db::Timestamp;
use crate::error::{ApiError, ApiResult};
use crate::notifications::view::{FollowView, NotificationView, SettingsView};

/// The `user` object of the contract: an account as its owner (or an admin) sees it.
#[derive(Serialize, JsonSchema, Debug, Clone)]
pub struct UserView {
    pub id: i64,
    pub email: Email,
    pub display_name: String,
    pub stakeholder_group: StakeholderGroup,
    pub organization: Option<String>,
    pub country: Option<Country>,
    /// The UN regional group of `country`.
    pub region: Option<Region>,
    pub gender: Option<Gender>,
    pub preferred_language: LanguageTag,
    /// Always holds `participant`.
    pub roles: Vec<Role>,
    pub email_verified: bool,
    /// An admin checked that the holder speaks for `organization` (a badge by their name).
    pub organization_verified: bool,
    pub created_at: Timestamp,
    /// For admins' views only (a suspended owner cannot sign in to see their own).
    #[serde(skip)]
    #[schemars(skip)]
    pub suspended_at: Option<Timestamp>,
}

/// A stored value the code does not know: a broken row, reported as our fault.
fn broken(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("account row: {what}: {e}"))
}

impl UserView {
    pub fn new(row: UserRow, roles: Vec<Role>) -> ApiResult<UserView> {
        Ok(UserView {
            id: row.id,
            email: Email::stored(row.email),
            display_name: row.display_name,
            stakeholder_group: StakeholderGroup::try_from(row.stakeholder_group)
                .map_err(|e| broken("stakeholder_group", e))?,
            organization: row.organization,
            country: row
                .country
                .map(|c| Country::parse(&c).map_err(|e| broken("country", e)))
                .transpose()?,
            region: row
                .region
                .map(|r| Region::try_from(r).map_err(|e| broken("region", e)))
                .transpose()?,
            gender: row
                .gender
                .map(|g| Gender::try_from(g).map_err(|e| broken("gender", e)))
                .transpose()?,
            preferred_language: LanguageTag::parse(&row.preferred_language)
                .map_err(|e| broken("preferred_language", e))?,
            roles,
            email_verified: row.email_verified_at.is_some(),
            organization_verified: row.organization_verified_at.is_some(),
            created_at: Timestamp(row.created_at),
            suspended_at: row.suspended_at.map(Timestamp),
        })
    }
}

/// `{user}`: how the contract wraps an account.
#[derive(Serialize, JsonSchema, Debug)]
pub struct UserEnvelope {
    pub user: UserView,
}

impl From<UserView> for UserEnvelope {
    fn from(user: UserView) -> Self {
        UserEnvelope { user }
    }
}

/// An account as an admin managing it sees it: the owner's view without `gender`
/// (gender is shown to nobody but its owner, and to organisers only as aggregates).
#[derive(Serialize, JsonSchema, Debug, Clone)]
pub struct ManagedUserView {
    pub id: i64,
    pub email: Email,
    pub display_name: String,
    pub stakeholder_group: StakeholderGroup,
    pub organization: Option<String>,
    pub country: Option<Country>,
    pub region: Option<Region>,
    pub preferred_language: LanguageTag,
    /// Always holds `participant`.
    pub roles: Vec<Role>,
    pub email_verified: bool,
    pub organization_verified: bool,
    /// When an admin suspended the account; null when it is in good standing.
    pub suspended_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<UserView> for ManagedUserView {
    fn from(u: UserView) -> Self {
        ManagedUserView {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            stakeholder_group: u.stakeholder_group,
            organization: u.organization,
            country: u.country,
            region: u.region,
            preferred_language: u.preferred_language,
            roles: u.roles,
            email_verified: u.email_verified,
            organization_verified: u.organization_verified,
            suspended_at: u.suspended_at,
            created_at: u.created_at,
        }
    }
}

/// A person as organisers find them to give them a part (a co-facilitator's seat): whom
/// they are and for whom they speak, not how to reach them.
#[derive(Serialize, JsonSchema, Debug, Clone)]
pub struct PersonCard {
    pub id: i64,
    pub display_name: String,
    pub stakeholder_group: StakeholderGroup,
    pub organization: Option<String>,
    pub organization_verified: bool,
    pub country: Option<Country>,
}

impl From<UserView> for PersonCard {
    fn from(u: UserView) -> Self {
        PersonCard {
            id: u.id,
            display_name: u.display_name,
            stakeholder_group: u.stakeholder_group,
            organization: u.organization,
            organization_verified: u.organization_verified,
            country: u.country,
        }
    }
}

/// `{user}` as an admin managing the account gets it.
#[derive(Serialize, JsonSchema, Debug)]
pub struct ManagedUserEnvelope {
    pub user: ManagedUserView,
}

#[derive(Serialize, JsonSchema, Debug, Clone, Copy)]
pub enum TokenType {
    Bearer,
}

/// A signed-in session: a short-lived access token and the refresh token that renews it.
#[derive(Serialize, JsonSchema, Debug)]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Single use: `POST /auth/refresh` trades it for a new pair.
    pub refresh_token: String,
    pub token_type: TokenType,
    /// Seconds the access token is valid for.
    pub expires_in: i64,
    pub user: UserView,
}

/// The answer to a reset request, the same whether or not the account exists.
#[derive(Serialize, JsonSchema, Debug)]
pub struct ResetRequested {
    pub message: String,
}

/// A signed-in session (refresh token family member), for the export.
#[derive(Serialize, JsonSchema, Debug)]
pub struct SessionRecord {
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub user_agent: Option<String>,
}

/// What an emailed link was for.
#[derive(Serialize, JsonSchema, Debug, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    Verify,
    Reset,
}

/// A verification or reset link sent (never the token itself).
#[derive(Serialize, JsonSchema, Debug)]
pub struct EmailLinkRecord {
    pub purpose: LinkPurpose,
    pub created_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// A mail sent, or waiting to go, to the account.
#[derive(Serialize, JsonSchema, Debug)]
pub struct MailRecord {
    /// `verify_email`, `password_reset`, `notification`, `digest`.
    pub kind: String,
    pub subject: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// Everything the platform holds about the caller (`GET /me/export`).
#[derive(Serialize, JsonSchema, Debug)]
pub struct ExportView {
    pub exported_at: Timestamp,
    pub user: UserView,
    /// Sign-ins: each refresh token issued, with the browser that asked for it.
    pub sessions: Vec<SessionRecord>,
    pub email_links: Vec<EmailLinkRecord>,
    pub emails: Vec<MailRecord>,
    /// What the account wrote, as its author sees it (anonymous ones too; hidden ones
    /// with their text; withdrawn ones empty).
    pub comments: Vec<crate::consultations::comments::CommentView>,
    pub endorsed_comment_ids: Vec<i64>,
    pub bookmarked_session_ids: Vec<i64>,
    pub follows: Vec<FollowView>,
    pub notifications: Vec<NotificationView>,
    pub notification_settings: SettingsView,
    /// Flags, upvotes and moderation actions.
    #[serde(flatten)]
    pub marks: crate::consultations::comments::store::Marks,
    /// Changes the account made to the review of inputs, with its notes.
    pub reviews_written: Vec<crate::review::store::ReviewRecord>,
    /// The intersessional bodies they joined, and their role in each.
    pub body_memberships: Vec<crate::bodies::types::MembershipRecord>,
    /// Proposals, proposal reviews, places in speaking queues, sessions it speaks at,
    /// reports filed.
    #[serde(flatten)]
    pub events: crate::events::privacy::EventsExport,
}
