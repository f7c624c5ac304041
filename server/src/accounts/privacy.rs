//! Personal data: profile changes, export and erasure.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::store::{self, UserView};
use crate::db::schema::{email_tokens, mail_outbox, refresh_tokens, user_roles, users};
use crate::db::Tx;
use crate::db::{now, rfc3339, DbConn};
use crate::error::{ApiError, ApiResult};

/// The name shown for contributions of an erased account.
pub const WITHDRAWN: &str = "withdrawn participant";

pub struct ProfileChange {
    pub display_name: Option<String>,
    pub stakeholder_group: Option<String>,
    pub organization: Option<Option<String>>,
    pub country: Option<Option<(String, String)>>,
    pub gender: Option<Option<String>>,
    pub preferred_language: Option<String>,
}

pub fn update_profile(tx: &mut Tx, user_id: i64, c: ProfileChange) -> ApiResult<UserView> {
    let row = store::find(tx, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
    let (country, region) = match c.country {
        Some(Some((code, region))) => (Some(code), Some(region)),
        Some(None) => (None, None),
        None => (row.country.clone(), row.region.clone()),
    };
    let group = c
        .stakeholder_group
        .clone()
        .unwrap_or_else(|| row.stakeholder_group.clone());
    // Search facets carry the author's group, region and country: re-index on a change.
    if (group.as_str(), &country, &region)
        != (row.stakeholder_group.as_str(), &row.country, &row.region)
    {
        crate::outbox::queue_search_jobs_of_author(tx, user_id)?;
    }
    diesel::update(users::table.find(user_id))
        .set((
            users::display_name.eq(c.display_name.unwrap_or(row.display_name)),
            users::stakeholder_group.eq(group),
            users::organization.eq(c.organization.unwrap_or(row.organization)),
            users::country.eq(country),
            users::region.eq(region),
            users::gender.eq(c.gender.unwrap_or(row.gender)),
            users::preferred_language.eq(c.preferred_language.unwrap_or(row.preferred_language)),
            users::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    store::view(tx, user_id)
}

/// Everything held about the user, as JSON. Features that store personal data add
/// their part here.
pub fn export(conn: &mut DbConn, user_id: i64) -> ApiResult<Value> {
    let user = store::view(conn, user_id)?;
    let sessions = store::sessions(conn, user_id)?;
    let tokens: Vec<(String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .order(email_tokens::id)
            .select((
                email_tokens::purpose,
                email_tokens::created_at,
                email_tokens::used_at,
            ))
            .load(conn)?;
    let mails: Vec<(
        String,
        String,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    )> = mail_outbox::table
        .filter(mail_outbox::user_id.eq(user_id))
        .order(mail_outbox::id)
        .select((
            mail_outbox::kind,
            mail_outbox::subject,
            mail_outbox::created_at,
            mail_outbox::sent_at,
        ))
        .load(conn)?;
    let comments = crate::consultations::comments::authored_by(conn, user_id)?;
    let endorsed = crate::consultations::comments::store::endorsed_by(conn, user_id)?;
    Ok(json!({
        "exported_at": rfc3339(now()),
        "comments": comments,
        "endorsed_comment_ids": endorsed,
        "bookmarked_session_ids": crate::events::bookmarks::of_user(conn, user_id)?,
        "follows": crate::notifications::store::follows_of(conn, user_id)?,
        "notifications": crate::notifications::store::list(conn, user_id, false, None, i64::MAX)?
            .iter()
            .map(|n| n.view())
            .collect::<Vec<_>>(),
        "notification_settings": crate::notifications::store::settings(conn, user_id)?,
        "user": user,
        "sessions": sessions,
        "email_links": tokens.into_iter().map(|(purpose, created, used)| json!({
            "purpose": purpose, "created_at": rfc3339(created), "used_at": used.map(rfc3339)
        })).collect::<Vec<_>>(),
        "emails": mails.into_iter().map(|(kind, subject, created, sent)| json!({
            "kind": kind, "subject": subject, "created_at": rfc3339(created), "sent_at": sent.map(rfc3339)
        })).collect::<Vec<_>>(),
    }))
}

/// Erasure: the account can no longer sign in and holds no personal data. The
/// stakeholder group and region stay (they identify no one, and keep the balance
/// figures of past consultations true). Contributions stay, attributed to
/// "withdrawn participant"; with `withdraw_contributions` they are withdrawn too.
pub fn erase(tx: &mut Tx, user_id: i64, withdraw_contributions: bool) -> ApiResult<()> {
    store::find(tx, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
    let t = now();
    diesel::update(users::table.find(user_id))
        .set((
            users::email.eq(format!("erased-{user_id}@erased.invalid")),
            users::password_hash.eq(None::<String>),
            users::display_name.eq(WITHDRAWN),
            users::organization.eq(None::<String>),
            users::country.eq(None::<String>),
            users::gender.eq(None::<String>),
            users::preferred_language.eq("en"),
            users::email_verified_at.eq(None::<chrono::NaiveDateTime>),
            users::erased_at.eq(Some(t)),
            users::updated_at.eq(t),
        ))
        .execute(tx.conn())?;
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(tx.conn())?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .execute(tx.conn())?;
    diesel::delete(email_tokens::table.filter(email_tokens::user_id.eq(user_id)))
        .execute(tx.conn())?;
    // Mail history keeps no address: unsent mail is dropped, sent mail loses recipient and text.
    diesel::delete(
        mail_outbox::table
            .filter(mail_outbox::user_id.eq(user_id))
            .filter(mail_outbox::sent_at.is_null()),
    )
    .execute(tx.conn())?;
    diesel::update(mail_outbox::table.filter(mail_outbox::user_id.eq(user_id)))
        .set((
            mail_outbox::recipient.eq("erased"),
            mail_outbox::body_text.eq(""),
            mail_outbox::body_html.eq(""),
            mail_outbox::user_id.eq(None::<i64>),
        ))
        .execute(tx.conn())?;
    crate::events::bookmarks::erase(tx, user_id)?;
    crate::notifications::store::erase(tx, user_id)?;
    // The country leaves the search facets of the contributions that stay.
    crate::outbox::queue_search_jobs_of_author(tx, user_id)?;
    if withdraw_contributions {
        crate::consultations::comments::withdraw_all_of(tx, user_id)?;
    }
    Ok(())
}
