//! The notification scheduler (it also records the outcome of silences past their
//! deadline): reminders (consultations closing within 48 hours,
//! sessions starting within 30 minutes) and mail (each `immediate` notification, and
//! `daily` and `weekly` digests). Everything it does is computed from the database, so
//! after downtime it catches up; and every mail is claimed by an UPDATE of the rows it
//! covers in the transaction that queues it, so a crash, a restart or a second instance
//! never sends the same notification twice.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tokio::sync::watch;

use super::emails;
use super::store::{self, NotificationRow, Target};
use super::types::{Frequency, TargetType};
use super::view::{
    ClosingSoonData, NotificationBody, NotificationView, SessionStartingData, SilenceDeadlineData,
};
use crate::consultations::types::Status;
use crate::db::schema::{consultations, events, notifications, session_bookmarks, sessions, users};
use crate::db::{Db, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult};
use crate::mail::{self, OutgoingMail};

const CLOSING_WINDOW_HOURS: i64 = 48;
const STARTING_WINDOW_MINUTES: i64 = 30;
const SILENCE_WINDOW_HOURS: i64 = 24;
/// Longest digest; the rest is one line ("and N more").
const DIGEST_ITEMS: usize = 25;

/// What mail needs from the configuration.
#[derive(Clone)]
pub struct Ctx {
    pub public_url: String,
    pub link_secret: Vec<u8>,
}

/// A token for one-click unsubscribe from `scope` (a kind, or `daily`/`weekly` for a
/// digest): `user.scope.signature`, signed so that it needs no login and cannot be
/// altered.
pub fn unsubscribe_token(secret: &[u8], user_id: i64, scope: &str) -> String {
    let message = format!("unsubscribe:{user_id}:{scope}");
    format!(
        "{user_id}.{scope}.{}",
        crate::crypto::sign(secret, &message)
    )
}

pub fn parse_unsubscribe_token(secret: &[u8], token: &str) -> Option<(i64, String)> {
    let mut parts = token.splitn(3, '.');
    let user_id: i64 = parts.next()?.parse().ok()?;
    let scope = parts.next()?;
    let signature = parts.next()?;
    let message = format!("unsubscribe:{user_id}:{scope}");
    crate::crypto::verify_signature(secret, &message, signature)
        .then(|| (user_id, scope.to_owned()))
}

impl Ctx {
    /// For the `List-Unsubscribe` header: mail clients POST there in one click (RFC 8058).
    fn unsubscribe_url(&self, user_id: i64, scope: &str) -> String {
        format!(
            "{}/api/v1/unsubscribe?token={}",
            self.public_url,
            unsubscribe_token(&self.link_secret, user_id, scope)
        )
    }

    /// For the mail's text: a page in the site's look and the recipient's language.
    fn unsubscribe_page(&self, user_id: i64, scope: &str, language: &str) -> String {
        let lang = crate::web::i18n::Lang::parse(language).unwrap_or(crate::web::i18n::Lang::En);
        format!(
            "{}/unsubscribe?token={}&lang={}",
            self.public_url,
            unsubscribe_token(&self.link_secret, user_id, scope),
            lang.code()
        )
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub reminders: usize,
    pub immediate: usize,
    pub digests: usize,
}

/// One full pass at `now`: reminders, then mail.
pub fn tick(db: &Db, ctx: &Ctx, now: NaiveDateTime) -> ApiResult<Report> {
    crate::negotiation::silence::settle_due(db, now)?;
    let reminders = closing_soon(db, now)? + starting_soon(db, now)? + silence_ending(db, now)?;
    let mut report = mail_pass(db, ctx, now)?;
    report.reminders = reminders;
    Ok(report)
}

/// Mail only: immediate notifications and due digests.
pub fn mail_pass(db: &Db, ctx: &Ctx, now: NaiveDateTime) -> ApiResult<Report> {
    let immediate = immediate(db, ctx, now)?;
    let mut digests = 0;
    for f in [Frequency::Daily, Frequency::Weekly] {
        for user in pending_users(db, f)? {
            if digest(db, ctx, user, f, now)? {
                digests += 1;
            }
        }
    }
    Ok(Report {
        reminders: 0,
        immediate,
        digests,
    })
}

fn closing_soon(db: &Db, now: NaiveDateTime) -> ApiResult<usize> {
    let until = now + chrono::Duration::hours(CLOSING_WINDOW_HOURS);
    let due: Vec<(i64, String, String, Option<NaiveDateTime>)> = consultations::table
        .filter(consultations::status.eq(Status::Open.as_str()))
        .filter(consultations::closes_at.gt(now))
        .filter(consultations::closes_at.le(until))
        .select((
            consultations::id,
            consultations::slug,
            consultations::title,
            consultations::closes_at,
        ))
        .load(&mut **db.get()?)?;
    let mut n = 0;
    for (id, slug, title, closes_at) in due {
        let Some(closes_at) = closes_at else { continue };
        n += db.tx_blocking(|conn| {
            let mut people = store::followers(conn, &[Target::of(TargetType::Consultation, id)])?;
            people.extend(paragraph_followers(conn, id)?);
            let body = NotificationBody::ClosingSoon(ClosingSoonData {
                title: title.clone(),
                consultation_id: id,
                closes_at: Timestamp(closes_at),
                url: format!("/consultations/{slug}"),
            });
            let key = format!("closing:{id}:{}", closes_at.and_utc().timestamp());
            store::notify_all(conn, people, None, &key, &body)
        })?;
    }
    Ok(n)
}

/// Every delegate, once per silence procedure ending within a day: a delegation that
/// objects must write before the deadline.
fn silence_ending(db: &Db, now: NaiveDateTime) -> ApiResult<usize> {
    use crate::db::schema::delegates;
    use crate::negotiation::silence;
    let due = silence::ending_soon(&mut *db.get()?, now, SILENCE_WINDOW_HOURS)?;
    let mut n = 0;
    for (id, consultation_id, slug, title, version, deadline, deadline_local) in due {
        n += db.tx_blocking(|conn| {
            let people: Vec<i64> = delegates::table
                .select(delegates::user_id)
                .distinct()
                .load(conn.conn())?;
            let body = NotificationBody::SilenceDeadline(SilenceDeadlineData {
                title: title.clone(),
                consultation_id,
                version: version.clone(),
                deadline: Timestamp(deadline),
                deadline_local: deadline_local.clone(),
                url: format!("/consultations/{slug}"),
            });
            let sent = store::notify_all(conn, people, None, &format!("silence:{id}"), &body)?;
            silence::mark_reminded(conn, id, now)?;
            Ok(sent)
        })?;
    }
    Ok(n)
}

/// Followers of any paragraph of a consultation.
pub fn paragraph_followers(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<i64>> {
    use crate::db::schema::follows;
    Ok(follows::table
        .filter(follows::target_type.eq(TargetType::Paragraph.as_str()))
        .filter(follows::target_id.eq(consultation_id))
        .select(follows::user_id)
        .distinct()
        .load(conn)?)
}

fn starting_soon(db: &Db, now: NaiveDateTime) -> ApiResult<usize> {
    let until = now + chrono::Duration::minutes(STARTING_WINDOW_MINUTES);
    let due: Vec<(i64, i64, String, NaiveDateTime, String)> = {
        let mut conn = db.get()?;
        sessions::table
            .inner_join(events::table)
            .filter(events::published.eq(true))
            .filter(sessions::starts_at.gt(now))
            .filter(sessions::starts_at.le(until))
            .select((
                sessions::id,
                sessions::event_id,
                sessions::title,
                sessions::starts_at.assume_not_null(),
                events::timezone,
            ))
            .load(&mut **conn)?
    };
    let mut n = 0;
    for (id, event_id, title, starts_at, event_zone) in due {
        n += db.tx_blocking(|conn| {
            let mut people = store::followers(
                conn,
                &[
                    Target::of(TargetType::Session, id),
                    Target::of(TargetType::Event, event_id),
                ],
            )?;
            let bookmarked: Vec<i64> = session_bookmarks::table
                .filter(session_bookmarks::session_id.eq(id))
                .select(session_bookmarks::user_id)
                .load(conn.conn())?;
            people.extend(bookmarked);
            let key = format!("starting:{id}:{}", starts_at.and_utc().timestamp());
            let mut made = 0;
            for user in people {
                // In the user's own time zone when they chose one, else the event's.
                let zone = store::timezone(conn, user)?
                    .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
                    .or_else(|| event_zone.parse::<chrono_tz::Tz>().ok())
                    .unwrap_or(chrono_tz::UTC);
                let body = NotificationBody::SessionStarting(SessionStartingData {
                    title: title.clone(),
                    session_id: id,
                    event_id,
                    starts_at: Timestamp(starts_at),
                    local_starts_at: crate::events::schedule::local(starts_at, zone),
                    timezone: zone.name().to_owned(),
                    url: format!("/sessions/{id}"),
                });
                if store::notify(conn, user, &key, &body)? {
                    made += 1;
                }
            }
            Ok(made)
        })?;
    }
    Ok(n)
}

struct Recipient {
    email: String,
    name: String,
    language: String,
    /// Verified and not erased: the only accounts that get mail.
    mailable: bool,
}

fn recipient(conn: &mut DbConn, user_id: i64) -> ApiResult<Recipient> {
    let (email, name, language, verified, erased): (
        String,
        String,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    ) = users::table
        .find(user_id)
        .select((
            users::email,
            users::display_name,
            users::preferred_language,
            users::email_verified_at,
            users::erased_at,
        ))
        .first(conn)?;
    Ok(Recipient {
        email,
        name,
        language: crate::mail::templates::ui_language(&language).to_owned(),
        mailable: verified.is_some() && erased.is_none(),
    })
}

/// Marks the user's pending notifications of `f` as mailed and returns them: the claim
/// that makes sending at most once.
fn claim(
    conn: &mut DbConn,
    user_id: i64,
    f: Frequency,
    now: NaiveDateTime,
) -> ApiResult<Vec<NotificationRow>> {
    // The recipient's row first, as an erasure takes it first: the other way round (their
    // notifications here, then their row through the mail's foreign key) met an erasure
    // deleting those notifications, and PostgreSQL undid one of the two as a deadlock.
    diesel::update(users::table.find(user_id))
        .set(users::updated_at.eq(users::updated_at))
        .execute(conn)?;
    let ids: Vec<i64> = diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::frequency.eq(f.as_str()))
            .filter(notifications::emailed_at.is_null()),
    )
    .set(notifications::emailed_at.eq(Some(now)))
    .returning(notifications::id)
    .get_results(conn)?;
    Ok(notifications::table
        .filter(notifications::id.eq_any(&ids))
        .order(notifications::id)
        .select(NotificationRow::as_select())
        .load(conn)?)
}

/// Every user with notifications of `f` waiting for mail, read a page at a time.
fn pending_users(db: &Db, f: Frequency) -> ApiResult<Vec<i64>> {
    let mut conn = db.get()?;
    let mut users: Vec<i64> = Vec::new();
    loop {
        let after = users.last().copied().unwrap_or(0);
        let page: Vec<i64> = notifications::table
            .filter(notifications::frequency.eq(f.as_str()))
            .filter(notifications::emailed_at.is_null())
            .filter(notifications::user_id.gt(after))
            .select(notifications::user_id)
            .distinct()
            .order(notifications::user_id)
            .limit(1000)
            .load(&mut **conn)?;
        let full = page.len() == 1000;
        users.extend(page);
        if !full {
            return Ok(users);
        }
    }
}

fn absolute(ctx: &Ctx, url: &str) -> String {
    if url.starts_with('/') {
        format!("{}{url}", ctx.public_url)
    } else {
        url.to_owned()
    }
}

fn item(ctx: &Ctx, lang: &str, view: &NotificationView) -> emails::Item {
    let mut item = emails::item(lang, &view.body);
    item.url = absolute(ctx, &item.url);
    item
}

/// The claimed rows as their recipient may read them now (see `usecase::render`).
fn views(
    conn: &mut DbConn,
    user: i64,
    rows: &[NotificationRow],
) -> ApiResult<Vec<NotificationView>> {
    let reader = super::usecase::recipient(conn, user)?;
    super::usecase::render(conn, &reader, rows)
}

/// One message per pending `immediate` notification.
fn immediate(db: &Db, ctx: &Ctx, now: NaiveDateTime) -> ApiResult<usize> {
    let mut sent = 0;
    for user in pending_users(db, Frequency::Immediate)? {
        sent += db.tx_blocking(|conn| {
            let rows = claim(conn, user, Frequency::Immediate, now)?;
            let r = recipient(conn, user)?;
            if !r.mailable {
                return Ok(0);
            }
            let mut n = 0;
            for view in views(conn, user, &rows)? {
                let i = item(ctx, &r.language, &view);
                let scope = view.body.kind().as_str();
                let unsubscribe = ctx.unsubscribe_url(user, scope);
                let page = ctx.unsubscribe_page(user, scope, &r.language);
                let rendered =
                    emails::render(&r.language, &r.name, Frequency::Immediate, &[i], &page);
                mail::enqueue(
                    conn,
                    OutgoingMail {
                        user_id: Some(user),
                        recipient: &r.email,
                        kind: "notification",
                        language: &r.language,
                        rendered,
                        unsubscribe_url: Some(unsubscribe),
                    },
                )?;
                n += 1;
            }
            Ok(n)
        })?;
    }
    Ok(sent)
}

/// The user's digest of `f` if one is due: once the oldest waiting notification is a day
/// (a week) old, and a day (a week) after the previous digest. Whether it is due is read
/// without taking the writer's lock; the claim in the transaction decides who sends.
pub fn digest(db: &Db, ctx: &Ctx, user: i64, f: Frequency, now: NaiveDateTime) -> ApiResult<bool> {
    let period = match f {
        Frequency::Weekly => chrono::Duration::days(7),
        _ => chrono::Duration::days(1),
    };
    {
        let mut conn = db.get()?;
        let oldest: Option<NaiveDateTime> = notifications::table
            .filter(notifications::user_id.eq(user))
            .filter(notifications::frequency.eq(f.as_str()))
            .filter(notifications::emailed_at.is_null())
            .select(diesel::dsl::min(notifications::created_at))
            .first(&mut **conn)?;
        let Some(oldest) = oldest else {
            return Ok(false);
        };
        let last = store::digest_sent_at(&mut conn, user, f)?;
        let since = last.map_or(oldest, |l| l.max(oldest));
        if now - since < period {
            return Ok(false);
        }
    }
    db.tx_blocking(|conn| {
        let rows = claim(conn, user, f, now)?;
        store::mark_digest_sent(conn, user, f, now)?;
        let r = recipient(conn, user)?;
        if !r.mailable || rows.is_empty() {
            return Ok(false);
        }
        // Grouped by what they are about (the consultation or session title), newest last.
        let mut items: Vec<(String, emails::Item)> = views(conn, user, &rows)?
            .iter()
            .map(|view| (view.body.title().to_owned(), item(ctx, &r.language, view)))
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let more = items.len().saturating_sub(DIGEST_ITEMS);
        let mut items: Vec<emails::Item> = items
            .into_iter()
            .take(DIGEST_ITEMS)
            .map(|(_, i)| i)
            .collect();
        if more > 0 {
            items.push(emails::Item {
                headline: format!("+{more}"),
                detail: String::new(),
                url: format!("{}/me", ctx.public_url),
            });
        }
        let unsubscribe = ctx.unsubscribe_url(user, f.as_str());
        let page = ctx.unsubscribe_page(user, f.as_str(), &r.language);
        let rendered = emails::render(&r.language, &r.name, f, &items, &page);
        mail::enqueue(
            conn,
            OutgoingMail {
                user_id: Some(user),
                recipient: &r.email,
                kind: "digest",
                language: &r.language,
                rendered,
                unsubscribe_url: Some(unsubscribe),
            },
        )?;
        Ok(true)
    })
}

/// The scheduler worker: mail every second (an immediate notification waits at most
/// that), reminders every 30 seconds.
pub async fn run(
    db: Db,
    ctx: Ctx,
    mail_wakeup: std::sync::Arc<tokio::sync::Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut pass: u64 = 0;
    while !*stop.borrow() {
        let (db2, ctx2) = (db.clone(), ctx.clone());
        let full = pass % 30 == 0;
        pass += 1;
        let outcome = actix_web::web::block(move || {
            let now = crate::db::now();
            if full {
                tick(&db2, &ctx2, now)
            } else {
                mail_pass(&db2, &ctx2, now)
            }
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))
        .and_then(|r| r);
        match outcome {
            Ok(r) if r.immediate + r.digests > 0 => mail_wakeup.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "notification scheduler failed; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}
