//! What clients send, and the commands it is parsed into. An input keeps free text where
//! the client must hear of every problem at once; its `TryFrom` turns it into a command
//! of domain types (or one 422 naming each bad field), and only commands reach the use
//! cases.

use schemars::JsonSchema;
use serde::Deserialize;

use super::types::{
    bounded_text, Country, Email, Gender, LanguageTag, Password, Role, StakeholderGroup,
};
use crate::error::{ApiError, FieldErrors};
use crate::http::input::double_option;

/// Collects the problems of every field of one input.
#[derive(Default)]
pub(crate) struct Problems(FieldErrors);

impl Problems {
    /// The value, or a note against `field`.
    pub(crate) fn take<T, E: ToString>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        r.map_err(|e| {
            self.0.insert(field.to_owned(), e.to_string());
        })
        .ok()
    }

    pub(crate) fn note(&mut self, field: &str, problem: impl Into<String>) {
        self.0.insert(field.to_owned(), problem.into());
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn into_error(self) -> ApiError {
        ApiError::validation(self.0)
    }
}

fn display_name(raw: &str) -> Result<String, String> {
    bounded_text(raw, 1, 100)
}

/// An optional text: blank is none.
fn organization(raw: Option<&str>) -> Result<Option<String>, String> {
    raw.filter(|v| !v.trim().is_empty())
        .map(|v| bounded_text(v, 1, 200))
        .transpose()
}

fn stakeholder_group(raw: &str) -> Result<StakeholderGroup, String> {
    StakeholderGroup::parse(raw)
        .ok_or_else(|| format!("must be one of {}", StakeholderGroup::expected()))
}

fn country(raw: Option<&str>) -> Result<Option<Country>, &'static str> {
    raw.filter(|v| !v.trim().is_empty())
        .map(Country::parse)
        .transpose()
}

fn gender(raw: Option<&str>) -> Result<Option<Gender>, String> {
    raw.filter(|v| !v.trim().is_empty())
        .map(|v| Gender::parse(v).ok_or_else(|| format!("must be one of {}", Gender::expected())))
        .transpose()
}

/// `POST /auth/register`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub email: String,
    /// 12 to 256 characters, hard to guess (not a common or breached password, a word
    /// with a digit, a keyboard row…), and not the email address.
    #[schemars(length(min = 12, max = 256))]
    pub password: String,
    #[schemars(length(min = 1, max = 100))]
    pub display_name: String,
    #[schemars(with = "StakeholderGroup")]
    pub stakeholder_group: String,
    #[schemars(length(max = 200))]
    pub organization: Option<String>,
    #[schemars(with = "Option<Country>")]
    pub country: Option<String>,
    #[schemars(with = "Option<Gender>")]
    pub gender: Option<String>,
    /// Defaults to `en`.
    #[schemars(with = "Option<LanguageTag>")]
    pub preferred_language: Option<String>,
}

/// A new account, every field valid.
pub struct Registration {
    pub email: Email,
    pub password: Password,
    pub display_name: String,
    pub stakeholder_group: StakeholderGroup,
    pub organization: Option<String>,
    pub country: Option<Country>,
    pub gender: Option<Gender>,
    pub preferred_language: LanguageTag,
}

impl TryFrom<RegisterInput> for Registration {
    type Error = ApiError;
    fn try_from(input: RegisterInput) -> Result<Self, ApiError> {
        let mut p = Problems::default();
        let email = p.take("email", Email::parse(&input.email));
        let password = p.take(
            "password",
            Password::parse(&input.password, email.as_ref().map(Email::as_str)),
        );
        let display_name = p.take("display_name", display_name(&input.display_name));
        let group = p.take(
            "stakeholder_group",
            stakeholder_group(&input.stakeholder_group),
        );
        let organization = p.take("organization", organization(input.organization.as_deref()));
        let country = p.take("country", country(input.country.as_deref()));
        let gender = p.take("gender", gender(input.gender.as_deref()));
        let language = match input.preferred_language.as_deref() {
            Some(l) => p.take("preferred_language", LanguageTag::parse(l)),
            None => LanguageTag::parse("en").ok(),
        };
        match (
            email,
            password,
            display_name,
            group,
            organization,
            country,
            gender,
            language,
        ) {
            (
                Some(email),
                Some(password),
                Some(display_name),
                Some(stakeholder_group),
                Some(organization),
                Some(country),
                Some(gender),
                Some(preferred_language),
            ) if p.is_empty() => Ok(Registration {
                email,
                password,
                display_name,
                stakeholder_group,
                organization,
                country,
                gender,
                preferred_language,
            }),
            _ => Err(p.into_error()),
        }
    }
}

/// `POST /auth/verify`, `POST /auth/password-reset/confirm`: a one-time token from a mail.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub token: String,
}

/// `POST /auth/login`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

/// A sign-in attempt. The address is only normalised, never refused: a malformed one is
/// the same 401 as a wrong password (no hint which).
pub struct Login {
    /// Trimmed and lower-cased: the account's key, also for the lock after failures.
    pub email: String,
    pub password: String,
}

impl From<LoginInput> for Login {
    fn from(input: LoginInput) -> Login {
        Login {
            email: input.email.trim().to_lowercase(),
            password: input.password,
        }
    }
}

/// `POST /auth/refresh`, `POST /auth/logout`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshInput {
    pub refresh_token: String,
}

/// A refresh token as presented (opaque: only its hash is stored).
pub struct RefreshToken(pub String);

impl From<RefreshInput> for RefreshToken {
    fn from(input: RefreshInput) -> RefreshToken {
        RefreshToken(input.refresh_token)
    }
}

/// `POST /auth/password-reset`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetInput {
    pub email: String,
}

pub struct ResetRequest {
    pub email: Email,
}

impl TryFrom<ResetInput> for ResetRequest {
    type Error = ApiError;
    fn try_from(input: ResetInput) -> Result<Self, ApiError> {
        let email = Email::parse(&input.email).map_err(|e| ApiError::field("email", e))?;
        Ok(ResetRequest { email })
    }
}

/// `POST /auth/password-reset/confirm`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmInput {
    pub token: String,
    #[schemars(length(min = 12, max = 256))]
    pub new_password: String,
}

/// A new password for the account the token names; its length is checked before the
/// token is spent, its difference from the address once the account is known.
pub struct ResetConfirm {
    pub token: String,
    pub new_password: Password,
}

impl TryFrom<ResetConfirmInput> for ResetConfirm {
    type Error = ApiError;
    fn try_from(input: ResetConfirmInput) -> Result<Self, ApiError> {
        let new_password = Password::parse(&input.new_password, None)
            .map_err(|e| ApiError::field("new_password", e))?;
        Ok(ResetConfirm {
            token: input.token,
            new_password,
        })
    }
}

/// `PATCH /me`: absent fields stay as they are; `null` clears a nullable one.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[schemars(length(min = 1, max = 100))]
    pub display_name: Option<String>,
    #[schemars(with = "Option<StakeholderGroup>")]
    pub stakeholder_group: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 200))]
    pub organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(with = "Option<Country>")]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(with = "Option<Gender>")]
    pub gender: Option<Option<String>>,
    #[schemars(with = "Option<LanguageTag>")]
    pub preferred_language: Option<String>,
}

/// A profile change: `None` keeps a field, `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub stakeholder_group: Option<StakeholderGroup>,
    pub organization: Option<Option<String>>,
    pub country: Option<Option<Country>>,
    pub gender: Option<Option<Gender>>,
    pub preferred_language: Option<LanguageTag>,
}

impl TryFrom<ProfilePatch> for ProfileChange {
    type Error = ApiError;
    fn try_from(input: ProfilePatch) -> Result<Self, ApiError> {
        let mut p = Problems::default();
        let change = ProfileChange {
            display_name: input
                .display_name
                .and_then(|v| p.take("display_name", display_name(&v))),
            stakeholder_group: input
                .stakeholder_group
                .and_then(|v| p.take("stakeholder_group", stakeholder_group(&v))),
            organization: input
                .organization
                .and_then(|v| p.take("organization", organization(v.as_deref()))),
            country: input
                .country
                .and_then(|v| p.take("country", country(v.as_deref()))),
            gender: input
                .gender
                .and_then(|v| p.take("gender", gender(v.as_deref()))),
            preferred_language: input
                .preferred_language
                .and_then(|v| p.take("preferred_language", LanguageTag::parse(&v))),
        };
        if p.is_empty() {
            Ok(change)
        } else {
            Err(p.into_error())
        }
    }
}

/// `DELETE /me`: the query.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseQuery {
    /// Withdraw every contribution too (otherwise they stay, as "withdrawn participant").
    #[serde(default)]
    pub withdraw_contributions: bool,
}

/// `DELETE /me`: the body. Erasing an account asks for its password again.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseInput {
    pub current_password: String,
}

pub struct Erasure {
    pub withdraw_contributions: bool,
    /// To be checked before anything is erased.
    pub current_password: String,
}

impl Erasure {
    pub fn new(query: EraseQuery, input: EraseInput) -> Erasure {
        Erasure {
            withdraw_contributions: query.withdraw_contributions,
            current_password: input.current_password,
        }
    }
}

/// `POST /me/password`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeInput {
    pub current_password: String,
    /// 12 to 256 characters, hard to guess, not the email address.
    #[schemars(length(min = 12, max = 256))]
    pub new_password: String,
}

/// A new password, its length and strength checked; the current one is checked by the
/// use case (against the throttle), its difference from the address once it is known.
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: Password,
}

impl TryFrom<PasswordChangeInput> for PasswordChange {
    type Error = ApiError;
    fn try_from(input: PasswordChangeInput) -> Result<Self, ApiError> {
        let new_password = Password::parse(&input.new_password, None)
            .map_err(|e| ApiError::field("new_password", e))?;
        Ok(PasswordChange {
            current_password: input.current_password,
            new_password,
        })
    }
}

/// `PUT /admin/users/{id}/roles`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesInput {
    /// Replaces the roles; `participant` is implied.
    #[schemars(with = "Vec<Role>")]
    pub roles: Vec<String>,
}

/// The roles an account is to hold.
pub struct RoleSet(pub Vec<Role>);

impl TryFrom<RolesInput> for RoleSet {
    type Error = ApiError;
    fn try_from(input: RolesInput) -> Result<Self, ApiError> {
        let mut roles = Vec::new();
        let mut unknown = Vec::new();
        for r in &input.roles {
            match Role::parse(r) {
                Some(role) => roles.push(role),
                None => unknown.push(format!("{r:?}")),
            }
        }
        if !unknown.is_empty() {
            return Err(ApiError::field(
                "roles",
                format!(
                    "{} {} not a role; use {}",
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" },
                    Role::expected()
                ),
            ));
        }
        roles.sort();
        roles.dedup();
        Ok(RoleSet(roles))
    }
}

/// `GET /admin/users` and `GET /people`: whom to find; every filter is optional.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    /// Part of a name or an organisation, or a whole e-mail address (2 to 100 characters).
    pub q: Option<String>,
    #[schemars(with = "Option<Role>")]
    pub role: Option<String>,
    #[schemars(with = "Option<StakeholderGroup>")]
    pub stakeholder_group: Option<String>,
    /// 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (with the same filters).
    pub cursor: Option<String>,
}

/// `GET /people`: organisers find a person by what they know of them (`q` is required).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeopleQuery {
    /// Part of a name or an organisation, or a whole e-mail address (2 to 100 characters).
    pub q: String,
    #[schemars(with = "Option<Role>")]
    pub role: Option<String>,
    #[schemars(with = "Option<StakeholderGroup>")]
    pub stakeholder_group: Option<String>,
    /// 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (with the same filters).
    pub cursor: Option<String>,
}

impl From<PeopleQuery> for UsersQuery {
    fn from(p: PeopleQuery) -> UsersQuery {
        UsersQuery {
            q: Some(p.q),
            role: p.role,
            stakeholder_group: p.stakeholder_group,
            limit: p.limit,
            cursor: p.cursor,
        }
    }
}

/// Accounts to list: live ones only, newest first.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Lower-case, trimmed.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub stakeholder_group: Option<StakeholderGroup>,
}

impl UsersQuery {
    /// The filter and the page of the list it names (a cursor works with the same
    /// filters only); an unknown role or group is 422 `invalid_query`.
    pub fn parse(&self) -> Result<(UserFilter, crate::http::page::Page), ApiError> {
        let mut errors = FieldErrors::new();
        let q = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .and_then(|q| {
                let n = q.chars().count();
                if (2..=100).contains(&n) {
                    Some(q.to_lowercase())
                } else {
                    errors.insert("q".into(), "give 2 to 100 characters".into());
                    None
                }
            });
        let role = self.role.as_deref().and_then(|r| {
            Role::parse(r)
                .ok_or_else(|| {
                    errors.insert(
                        "role".into(),
                        format!("must be one of {}", Role::expected()),
                    )
                })
                .ok()
        });
        let stakeholder_group = self.stakeholder_group.as_deref().and_then(|g| {
            StakeholderGroup::parse(g)
                .ok_or_else(|| {
                    errors.insert(
                        "stakeholder_group".into(),
                        format!("must be one of {}", StakeholderGroup::expected()),
                    )
                })
                .ok()
        });
        crate::http::input::refuse_query_if_any(errors)?;
        let filter = UserFilter {
            q,
            role,
            stakeholder_group,
        };
        let page = crate::http::page::Page::of_list(
            &format!("users:{filter:?}"),
            self.limit,
            self.cursor.as_deref(),
        )?;
        Ok((filter, page))
    }
}
