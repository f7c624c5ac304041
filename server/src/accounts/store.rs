//! Account queries. Every function takes a connection, so callers compose them in one
//! transaction.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::types::{Role, StakeholderGroup};
use super::view::UserView;
use crate::crypto::{random_token, token_hash};
use crate::db::schema::{email_tokens, refresh_tokens, user_roles, users};
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub stakeholder_group: String,
    pub organization: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub gender: Option<String>,
    pub preferred_language: String,
    pub email_verified_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub suspended_at: Option<NaiveDateTime>,
    pub organization_verified_at: Option<NaiveDateTime>,
}

pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub stakeholder_group: StakeholderGroup,
    pub organization: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub gender: Option<String>,
    pub preferred_language: String,
    pub verified: bool,
}

pub fn insert_user(conn: &mut DbConn, u: &NewUser) -> ApiResult<i64> {
    let t = now();
    if email_exists(conn, &u.email)? {
        return Err(ApiError::new(
            ErrorCode::EmailTaken,
            "an account with this email already exists",
        ));
    }
    let id = diesel::insert_into(users::table)
        .values((
            users::email.eq(&u.email),
            users::password_hash.eq(Some(&u.password_hash)),
            users::display_name.eq(&u.display_name),
            users::stakeholder_group.eq(u.stakeholder_group.as_str()),
            users::organization.eq(&u.organization),
            users::country.eq(&u.country),
            users::region.eq(&u.region),
            users::gender.eq(&u.gender),
            users::preferred_language.eq(&u.preferred_language),
            users::email_verified_at.eq(u.verified.then_some(t)),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .returning(users::id)
        .get_result(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::new(
                ErrorCode::EmailTaken,
                "an account with this email already exists",
            ),
            other => other.into(),
        })?;
    // The user's own live channel: the unread notification count.
    crate::outbox::create_channel(conn, &crate::outbox::user_channel(id))?;
    Ok(id)
}

pub fn email_exists(conn: &mut DbConn, email: &str) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::email.eq(email)),
    ))
    .get_result(conn)?)
}

/// A live (not erased) account.
pub fn find(conn: &mut DbConn, id: i64) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::id.eq(id))
        .filter(users::erased_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of these ids are accounts that are not erased (those named to a role).
pub fn live_accounts(conn: &mut DbConn, ids: &[i64]) -> ApiResult<std::collections::HashSet<i64>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .filter(users::erased_at.is_null())
        .select(users::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .filter(users::erased_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

diesel::define_sql_function!(fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Live accounts that match `filter`, newest first, after the id `before`.
pub fn search(
    conn: &mut DbConn,
    filter: &super::command::UserFilter,
    before: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<UserRow>> {
    let mut query = users::table
        .filter(users::erased_at.is_null())
        .select(UserRow::as_select())
        .order(users::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(users::id.lt(before));
    }
    if let Some(q) = &filter.q {
        // `%` and `_` in what was typed are letters, not wildcards.
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        query = query.filter(
            lower(users::display_name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::organization.assume_not_null())
                    .like(pattern)
                    .escape('\\'))
                .or(users::email.eq(q.clone())),
        );
    }
    if let Some(group) = filter.stakeholder_group {
        query = query.filter(users::stakeholder_group.eq(group.as_str()));
    }
    if let Some(role) = filter.role {
        if role != Role::Participant {
            query = query.filter(
                users::id.eq_any(
                    user_roles::table
                        .filter(user_roles::role.eq(role.as_str()))
                        .select(user_roles::user_id),
                ),
            );
        }
    }
    Ok(query.load(conn)?)
}

/// Suspended live accounts, with when (for `Suspensions::sync`).
pub fn suspended(conn: &mut DbConn) -> ApiResult<Vec<(i64, NaiveDateTime)>> {
    Ok(users::table
        .filter(users::suspended_at.is_not_null())
        .filter(users::erased_at.is_null())
        .select((users::id, users::suspended_at.assume_not_null()))
        .load(conn)?)
}

pub fn set_suspended(conn: &mut DbConn, user_id: i64, at: Option<NaiveDateTime>) -> ApiResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::suspended_at.eq(at), users::updated_at.eq(now())))
        .execute(conn)?;
    Ok(())
}

pub fn set_organization_verified(
    conn: &mut DbConn,
    user_id: i64,
    at: Option<NaiveDateTime>,
) -> ApiResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::organization_verified_at.eq(at),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Roles held, `participant` always among them.
pub fn roles(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<Role>> {
    let stored: Vec<String> = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(user_roles::role)
        .load(conn)?;
    let mut roles: Vec<Role> = stored.iter().filter_map(|r| Role::parse(r)).collect();
    roles.push(Role::Participant);
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// A live account with its roles, as its owner sees it (404 when erased or unknown).
pub fn view(conn: &mut DbConn, id: i64) -> ApiResult<UserView> {
    let row = find(conn, id)?.ok_or_else(|| ApiError::not_found("user"))?;
    let roles = roles(conn, id)?;
    UserView::new(row, roles)
}

pub fn set_roles(conn: &mut DbConn, user_id: i64, roles: &[Role]) -> ApiResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    let t = now();
    for role in roles.iter().filter(|r| **r != Role::Participant) {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user_id),
                user_roles::role.eq(role.as_str()),
                user_roles::granted_at.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn count_admins(conn: &mut DbConn) -> ApiResult<i64> {
    Ok(user_roles::table
        .inner_join(users::table)
        .filter(user_roles::role.eq(Role::Admin.as_str()))
        .filter(users::erased_at.is_null())
        .count()
        .get_result(conn)?)
}

pub fn count_users(conn: &mut DbConn) -> ApiResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

// ---- one-time email tokens (verification, password reset) ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::Verify => Duration::hours(48),
            Purpose::Reset => Duration::hours(1),
        }
    }
}

/// Creates a token and returns it in clear (only its hash is stored).
pub fn create_email_token(conn: &mut DbConn, user_id: i64, purpose: Purpose) -> ApiResult<String> {
    let token = random_token(32);
    let t = now();
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::user_id.eq(user_id),
            email_tokens::purpose.eq(purpose.as_str()),
            email_tokens::token_hash.eq(token_hash(&token)),
            email_tokens::created_at.eq(t),
            email_tokens::expires_at.eq(t + purpose.lifetime()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// A token's row, if it is still good: its id and user (400 when unknown, used or
/// expired). Spends nothing.
pub fn check_email_token(
    conn: &mut DbConn,
    token: &str,
    purpose: Purpose,
) -> ApiResult<(i64, i64)> {
    let row: Option<(i64, i64, NaiveDateTime, Option<NaiveDateTime>)> = email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash(token)))
        .filter(email_tokens::purpose.eq(purpose.as_str()))
        .select((
            email_tokens::id,
            email_tokens::user_id,
            email_tokens::expires_at,
            email_tokens::used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, user_id, expires_at, None)) = row else {
        return Err(invalid_link());
    };
    if expires_at <= now() {
        return Err(ApiError::new(
            ErrorCode::ExpiredToken,
            "this link has expired: ask for a new one",
        ));
    }
    Ok((id, user_id))
}

fn invalid_link() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        "this link is not valid or has already been used",
    )
}

/// Spends a token: returns its user, or 400 when unknown, used or expired.
pub fn consume_email_token(conn: &mut DbConn, token: &str, purpose: Purpose) -> ApiResult<i64> {
    let (id, user_id) = check_email_token(conn, token, purpose)?;
    let spent = diesel::update(
        email_tokens::table
            .find(id)
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now()))
    .execute(conn)?;
    if spent != 1 {
        return Err(invalid_link());
    }
    Ok(user_id)
}

/// After a reset, other outstanding reset links stop working too.
pub fn spend_all_email_tokens(conn: &mut DbConn, user_id: i64, purpose: Purpose) -> ApiResult<()> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose.as_str()))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

pub fn mark_verified(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    let t = now();
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::email_verified_at.is_null()),
    )
    .set((users::email_verified_at.eq(t), users::updated_at.eq(t)))
    .execute(conn)?;
    Ok(())
}

pub fn set_password(conn: &mut DbConn, user_id: i64, hash: &str) -> ApiResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(Some(hash)),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

// ---- refresh tokens: rotated on use; a spent one presented again revokes its family ----

/// Starts a session: a new refresh token family. Returns the token and the family.
pub fn issue_refresh(
    conn: &mut DbConn,
    user_id: i64,
    user_agent: Option<&str>,
    max_age: Duration,
) -> ApiResult<(String, String)> {
    let family = random_token(16);
    let token = insert_refresh(conn, user_id, &family, now(), user_agent, max_age)?;
    Ok((token, family))
}

/// A refresh token of `family` (begun at `started`): it ends 30 days from now, or when the
/// family reaches its absolute lifetime, whichever comes first.
fn insert_refresh(
    conn: &mut DbConn,
    user_id: i64,
    family: &str,
    started: NaiveDateTime,
    user_agent: Option<&str>,
    max_age: Duration,
) -> ApiResult<String> {
    let token = random_token(32);
    let t = now();
    let expires = (t + Duration::days(super::tokens::REFRESH_TTL_DAYS)).min(started + max_age);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family.eq(family),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::created_at.eq(t),
            refresh_tokens::expires_at.eq(expires),
            refresh_tokens::user_agent
                .eq(user_agent.map(|ua| ua.chars().take(200).collect::<String>())),
        ))
        .execute(conn)?;
    Ok(token)
}

/// When a family began: its first token's issue (tokens are kept until the account
/// is erased).
fn family_started(conn: &mut DbConn, family: &str) -> ApiResult<Option<NaiveDateTime>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::family.eq(family))
        .select(diesel::dsl::min(refresh_tokens::created_at))
        .get_result::<Option<NaiveDateTime>>(conn)?)
}

pub enum Rotation {
    /// The new refresh token, for this user.
    Rotated {
        user_id: i64,
        token: String,
        /// The session, which rotation keeps.
        family: String,
    },
    /// A spent token came back: the family is now revoked.
    Reused,
    Invalid,
}

#[derive(Queryable)]
struct RefreshRow {
    id: i64,
    user_id: i64,
    family: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// Trades a refresh token for the next of its family, within the family's absolute
/// lifetime `max_age`.
pub fn rotate_refresh(
    conn: &mut DbConn,
    presented: &str,
    user_agent: Option<&str>,
    max_age: Duration,
) -> ApiResult<Rotation> {
    let row: Option<RefreshRow> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(presented)))
        .select((
            refresh_tokens::id,
            refresh_tokens::user_id,
            refresh_tokens::family,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .first(conn)
        .optional()?;
    let Some(RefreshRow {
        id,
        user_id,
        family,
        expires_at,
        used_at,
        revoked_at,
    }) = row
    else {
        return Ok(Rotation::Invalid);
    };
    let t = now();
    if used_at.is_some() {
        revoke_family(conn, &family)?;
        return Ok(Rotation::Reused);
    }
    if revoked_at.is_some() || expires_at <= t || find(conn, user_id)?.is_none() {
        return Ok(Rotation::Invalid);
    }
    // However often it was used, a session ends at its absolute lifetime.
    let started = family_started(conn, &family)?.unwrap_or(t);
    if started + max_age <= t {
        revoke_family(conn, &family)?;
        return Ok(Rotation::Invalid);
    }
    let spent = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(t))
    .execute(conn)?;
    if spent != 1 {
        // Spent by a concurrent request a moment ago: the same as reuse.
        revoke_family(conn, &family)?;
        return Ok(Rotation::Reused);
    }
    let token = insert_refresh(conn, user_id, &family, started, user_agent, max_age)?;
    Ok(Rotation::Rotated {
        user_id,
        token,
        family,
    })
}

pub fn revoke_family(conn: &mut DbConn, family: &str) -> ApiResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// Logout: revokes the family of a token that belongs to `user_id`.
pub fn revoke_token_of(conn: &mut DbConn, user_id: i64, presented: &str) -> ApiResult<bool> {
    let family: Option<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(presented)))
        .filter(refresh_tokens::user_id.eq(user_id))
        .select(refresh_tokens::family)
        .first(conn)
        .optional()?;
    match family {
        Some(f) => revoke_family(conn, &f).map(|_| true),
        None => Ok(false),
    }
}

pub fn revoke_all_sessions(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// After a password change: every session of the account but `keep` ends.
pub fn revoke_other_sessions(conn: &mut DbConn, user_id: i64, keep: Option<&str>) -> ApiResult<()> {
    let others = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null());
    match keep {
        Some(family) => diesel::update(others.filter(refresh_tokens::family.ne(family)))
            .set(refresh_tokens::revoked_at.eq(now()))
            .execute(conn)?,
        None => diesel::update(others)
            .set(refresh_tokens::revoked_at.eq(now()))
            .execute(conn)?,
    };
    Ok(())
}

/// A refresh token as the export shows it.
#[derive(Queryable)]
pub struct SessionRow {
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub user_agent: Option<String>,
}

pub fn sessions(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<SessionRow>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .order(refresh_tokens::id)
        .select((
            refresh_tokens::created_at,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
            refresh_tokens::user_agent,
        ))
        .load(conn)?)
}

/// The emailed links of an account: (purpose, created, used).
pub fn email_links(
    conn: &mut DbConn,
    user_id: i64,
) -> ApiResult<Vec<(String, NaiveDateTime, Option<NaiveDateTime>)>> {
    Ok(email_tokens::table
        .filter(email_tokens::user_id.eq(user_id))
        .order(email_tokens::id)
        .select((
            email_tokens::purpose,
            email_tokens::created_at,
            email_tokens::used_at,
        ))
        .load(conn)?)
}
