//! Personal data: profile changes, export and erasure.

use diesel::prelude::*;

use super::command::ProfileChange;
use super::store;
use super::view::{EmailLinkRecord, ExportView, LinkPurpose, MailRecord, SessionRecord, UserView};
use crate::accounts::auth::AuthUser;
use crate::db::schema::{
    audit_log, consultation_cofacilitators, delegates, email_tokens, mail_outbox, refresh_tokens,
    user_roles, users,
};
use crate::db::Tx;
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult};

/// The name shown for contributions of an erased account.
pub const WITHDRAWN: &str = "withdrawn participant";

pub fn update_profile(tx: &mut Tx, user_id: i64, c: ProfileChange) -> ApiResult<UserView> {
    let row = store::find(tx, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
    let (country, region) = match c.country {
        Some(Some(country)) => (
            Some(country.code()),
            Some(country.region.as_str().to_owned()),
        ),
        Some(None) => (None, None),
        None => (row.country.clone(), row.region.clone()),
    };
    let group = c
        .stakeholder_group
        .map_or_else(|| row.stakeholder_group.clone(), |g| g.as_str().to_owned());
    // Search facets carry the author's group, region and country: re-index on a change.
    if (group.as_str(), &country, &region)
        != (row.stakeholder_group.as_str(), &row.country, &row.region)
    {
        crate::outbox::queue_search_jobs_of_author(tx, user_id)?;
    }
    let gender = match c.gender {
        Some(g) => g.map(|g| g.as_str().to_owned()),
        None => row.gender,
    };
    let language = c
        .preferred_language
        .map_or(row.preferred_language, |l| l.as_str().to_owned());
    let organization = c.organization.unwrap_or(row.organization.clone());
    // A verification vouches for one organisation and the group it is in: naming
    // another of either ends it (consultations open to verified groups rely on it).
    let verified = if organization == row.organization && group == row.stakeholder_group {
        row.organization_verified_at
    } else {
        None
    };
    diesel::update(users::table.find(user_id))
        .set((
            users::display_name.eq(c.display_name.unwrap_or(row.display_name)),
            users::stakeholder_group.eq(group),
            users::organization.eq(organization),
            users::organization_verified_at.eq(verified),
            users::country.eq(country),
            users::region.eq(region),
            users::gender.eq(gender),
            users::preferred_language.eq(language),
            users::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    store::view(tx, user_id)
}

/// Everything held about the user. Features that store personal data add their part
/// here.
pub fn export(conn: &mut DbConn, user: &AuthUser) -> ApiResult<ExportView> {
    let user_id = user.id;
    let me = store::view(conn, user_id)?;
    let sessions = store::sessions(conn, user_id)?
        .into_iter()
        .map(|s| SessionRecord {
            created_at: Timestamp(s.created_at),
            expires_at: Timestamp(s.expires_at),
            used_at: s.used_at.map(Timestamp),
            revoked_at: s.revoked_at.map(Timestamp),
            user_agent: s.user_agent,
        })
        .collect();
    let email_links = store::email_links(conn, user_id)?
        .into_iter()
        .map(|(purpose, created, used)| EmailLinkRecord {
            purpose: if purpose == store::Purpose::Reset.as_str() {
                LinkPurpose::Reset
            } else {
                LinkPurpose::Verify
            },
            created_at: Timestamp(created),
            used_at: used.map(Timestamp),
        })
        .collect();
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
    let emails = mails
        .into_iter()
        .map(|(kind, subject, created, sent)| MailRecord {
            kind,
            subject,
            created_at: Timestamp(created),
            sent_at: sent.map(Timestamp),
        })
        .collect();
    let comments = crate::consultations::comments::authored_by(conn, user_id)?;
    let actor = crate::policy::Actor::User(user.clone());
    Ok(ExportView {
        exported_at: Timestamp(now()),
        sessions,
        email_links,
        emails,
        comments,
        endorsed_comment_ids: crate::consultations::comments::store::endorsed_by(conn, user_id)?,
        bookmarked_session_ids: crate::events::bookmarks::of_user(conn, user_id)?,
        follows: crate::notifications::usecase::follow_views(conn, user_id)?,
        notifications: crate::notifications::usecase::every_notification(conn, &actor)?,
        notification_settings: crate::notifications::usecase::settings_view(conn, user_id)?,
        marks: crate::consultations::comments::store::marks_of(conn, user_id)?,
        reviews_written: crate::review::store::written_by(conn, user_id)?,
        body_memberships: crate::bodies::store::memberships_of(conn, user_id)?,
        events: crate::events::privacy::export(conn, user_id, me.email.as_str())?,
        user: me,
    })
}

/// Erasure: the account can no longer sign in and holds no personal data. The
/// stakeholder group and region stay (they identify no one, and keep the balance
/// figures of past consultations true). Contributions stay, attributed to
/// "withdrawn participant"; with `withdraw_contributions` they are withdrawn too.
pub fn erase(tx: &mut Tx, user_id: i64, withdraw_contributions: bool) -> ApiResult<()> {
    let email = store::find(tx, user_id)?
        .ok_or_else(|| ApiError::not_found("user"))?
        .email;
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
            users::suspended_at.eq(None::<chrono::NaiveDateTime>),
            users::organization_verified_at.eq(None::<chrono::NaiveDateTime>),
            users::erased_at.eq(Some(t)),
            users::updated_at.eq(t),
        ))
        .execute(tx.conn())?;
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(tx.conn())?;
    diesel::delete(
        consultation_cofacilitators::table.filter(consultation_cofacilitators::user_id.eq(user_id)),
    )
    .execute(tx.conn())?;
    diesel::delete(delegates::table.filter(delegates::user_id.eq(user_id))).execute(tx.conn())?;
    // The audit log keeps what was looked at, no longer by whom.
    diesel::update(audit_log::table.filter(audit_log::actor_id.eq(user_id)))
        .set(audit_log::actor_id.eq(None::<i64>))
        .execute(tx.conn())?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .execute(tx.conn())?;
    diesel::delete(email_tokens::table.filter(email_tokens::user_id.eq(user_id)))
        .execute(tx.conn())?;
    // Mail history keeps no address: unsent mail is dropped, sent mail loses recipient and
    // text. That is mail to the account, and mail to its address sent to no account (a
    // request to confirm as a speaker).
    let address = email.trim().to_lowercase();
    let theirs = || {
        mail_outbox::user_id
            .eq(user_id)
            .or(store::lower(mail_outbox::recipient).eq(address.clone()))
    };
    diesel::delete(
        mail_outbox::table
            .filter(theirs())
            .filter(mail_outbox::sent_at.is_null()),
    )
    .execute(tx.conn())?;
    diesel::update(mail_outbox::table.filter(theirs()))
        .set((
            mail_outbox::recipient.eq("erased"),
            mail_outbox::subject.eq(""),
            mail_outbox::body_text.eq(""),
            mail_outbox::body_html.eq(""),
            mail_outbox::last_error.eq(None::<String>),
            mail_outbox::unsubscribe_url.eq(None::<String>),
            mail_outbox::user_id.eq(None::<i64>),
        ))
        .execute(tx.conn())?;
    crate::events::bookmarks::erase(tx, user_id)?;
    crate::events::roles::erase(tx, user_id)?;
    crate::events::evaluation::erase(tx, user_id)?;
    crate::bodies::store::erase(tx, user_id)?;
    crate::events::privacy::erase(tx, user_id, &email)?;
    crate::review::store::erase(tx, user_id)?;
    crate::consultations::comments::store::erase_marks(tx, user_id)?;
    crate::notifications::store::erase(tx, user_id)?;
    // The country leaves the search facets of the contributions that stay.
    crate::outbox::queue_search_jobs_of_author(tx, user_id)?;
    if withdraw_contributions {
        crate::consultations::comments::withdraw_all_of(tx, user_id)?;
    }
    Ok(())
}
