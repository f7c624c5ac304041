//! The notification use cases, for the API, the pages, the export and the mail
//! scheduler alike. A follow is accepted only for what the policy lets the caller see;
//! a notification is rendered for its recipient when it is read.

use std::collections::HashMap;

use super::command::{Follow, MarkRead, NotificationQuery, SettingsChange, UnsubscribeScope};
use super::store::{self, NotificationRow, Target};
use super::types::{Frequency, Kind, TargetType};
use super::view::{
    FollowView, Following, NotificationBody, NotificationList, NotificationView, SettingsView,
    UnreadCount, Unsubscribed,
};
use crate::accounts::usecase::paged;
use crate::consultations::types::Visibility;
use crate::db::{Db, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult};
use crate::http::respond::List;
use crate::policy::guards::accounts::UnsubscribeLink;
use crate::policy::guards::{consultation_for, SignedIn};
use crate::policy::{current_roles, Actor, AuthUser, EventAccess, Reader};

fn actor(who: &SignedIn) -> Actor {
    Actor::User(who.0.clone())
}

/// A stored status the code does not know reads as hidden: nothing leaks by mistake.
fn visibility(status: &str) -> Visibility {
    Visibility::parse(status).unwrap_or(Visibility::Hidden)
}

/// 404 as `what` for a target the caller may not know exists; other failures as they are.
fn as_missing(what: &'static str) -> impl Fn(ApiError) -> ApiError {
    move |e| {
        if e.code == crate::error::ErrorCode::NotFound {
            ApiError::not_found(what)
        } else {
            e
        }
    }
}

/// The target as stored, if it exists and the caller may see it (404 otherwise).
fn target(conn: &mut DbConn, actor: &Actor, f: Follow) -> ApiResult<Target> {
    let id = f.target_id;
    let kind = f.target_type;
    let event_visible = |published: bool| EventAccess::of(actor).may_see(published);
    Ok(match kind {
        TargetType::Consultation => {
            let (row, _) = consultation_for(conn, actor, &id.to_string())?;
            Target::of(kind, row.id)
        }
        TargetType::Paragraph => {
            // A paragraph of any version; followed by its key, so it survives new versions.
            let (consultation, key) = store::paragraph_target(conn, id)?
                .ok_or_else(|| ApiError::not_found("paragraph"))?;
            consultation_for(conn, actor, &consultation.to_string())
                .map_err(as_missing("paragraph"))?;
            Target {
                kind,
                id: consultation,
                key,
            }
        }
        TargetType::Comment => {
            let c =
                store::comment_target(conn, id)?.ok_or_else(|| ApiError::not_found("comment"))?;
            match (c.consultation_id, c.session_id) {
                (Some(consultation), _) => {
                    consultation_for(conn, actor, &consultation.to_string())
                        .map_err(as_missing("comment"))?;
                }
                (None, Some(session)) => {
                    let visible = store::session_event(conn, session)?
                        .is_some_and(|(_, published)| event_visible(published));
                    if !visible {
                        return Err(ApiError::not_found("comment"));
                    }
                }
                (None, None) => return Err(ApiError::not_found("comment")),
            }
            Reader::of(actor)
                .lens(c.author_id, visibility(&c.status))
                .ok_or_else(|| ApiError::not_found("comment"))?;
            Target::of(kind, id)
        }
        TargetType::Event => {
            let published =
                store::event_published(conn, id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if !event_visible(published) {
                return Err(ApiError::not_found("event"));
            }
            Target::of(kind, id)
        }
        TargetType::Session => {
            let (_, published) =
                store::session_event(conn, id)?.ok_or_else(|| ApiError::not_found("session"))?;
            if !event_visible(published) {
                return Err(ApiError::not_found("session"));
            }
            Target::of(kind, id)
        }
    })
}

/// Follows something; `true` when the follow is new. Answers the caller's follows.
pub async fn follow(db: &Db, who: &SignedIn, f: Follow) -> ApiResult<(bool, Following)> {
    let (actor, user_id) = (actor(who), who.0.id);
    db.tx(move |tx| {
        let target = target(tx, &actor, f)?;
        let created = store::follow(tx, user_id, &target)?;
        Ok((
            created,
            Following {
                following: true,
                follows: follow_views(tx, user_id)?,
            },
        ))
    })
    .await
}

fn who_id(actor: &Actor) -> ApiResult<i64> {
    actor
        .id()
        .ok_or_else(|| ApiError::internal("a signed-in caller without an id"))
}

pub async fn unfollow(db: &Db, who: &SignedIn, f: Follow) -> ApiResult<()> {
    let (actor, user_id) = (actor(who), who.0.id);
    db.tx(move |tx| {
        let target = target(tx, &actor, f)?;
        store::unfollow(tx, user_id, &target)
    })
    .await?;
    Ok(())
}

pub fn follow_views(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<FollowView>> {
    Ok(store::follows_of(conn, user_id)?
        .into_iter()
        .map(|r| {
            let paragraph = !r.key.is_empty();
            FollowView {
                id: r.id,
                target_type: r.target_type,
                target_id: r.target_id,
                created_at: Timestamp(r.created_at),
                consultation_id: paragraph.then_some(r.target_id),
                paragraph_key: paragraph.then_some(r.key),
            }
        })
        .collect())
}

pub async fn follows(db: &Db, who: &SignedIn) -> ApiResult<Vec<FollowView>> {
    let id = who.0.id;
    db.run(move |conn| follow_views(conn, id)).await
}

/// A reply's excerpt: its first 140 characters.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        out.push('…');
    }
    out
}

/// Notifications as `reader` may read them now. What they say of others' contributions
/// comes from the current rows, through the policy's lens: the text of a reply that was
/// hidden or withdrawn since is not in it. A row that no longer reads (a kind or data
/// the code does not know) is left out, and logged.
pub fn render(
    conn: &mut DbConn,
    reader: &Reader,
    rows: &[NotificationRow],
) -> ApiResult<Vec<NotificationView>> {
    let mut bodies = Vec::with_capacity(rows.len());
    for row in rows {
        let body = Kind::parse(&row.kind)
            .ok_or_else(|| format!("unknown kind {:?}", row.kind))
            .and_then(|kind| {
                NotificationBody::from_stored(kind, &row.data).map_err(|e| e.to_string())
            });
        match body {
            Ok(body) => bodies.push((row, body)),
            Err(e) => tracing::warn!(notification = row.id, error = %e, "unreadable notification"),
        }
    }
    let replies: Vec<i64> = bodies
        .iter()
        .filter_map(|(_, b)| match b {
            NotificationBody::Reply(r) => Some(r.comment_id),
            _ => None,
        })
        .collect();
    let now = store::comments_now(conn, &replies)?;
    Ok(bodies
        .into_iter()
        .map(|(row, mut body)| {
            if let NotificationBody::Reply(r) = &mut body {
                r.excerpt = now
                    .get(&r.comment_id)
                    .filter(|c| reader.lens(c.author_id, visibility(&c.status)).is_some())
                    .map(|c| excerpt(&c.body));
            }
            NotificationView {
                id: row.id,
                created_at: Timestamp(row.created_at),
                read_at: row.read_at.map(Timestamp),
                body,
            }
        })
        .collect())
}

/// How a notification's recipient reads it outside a request (mail): with the roles
/// they hold now.
pub fn recipient(conn: &mut DbConn, user_id: i64) -> ApiResult<Reader> {
    let roles = current_roles(conn, user_id)?.unwrap_or_default();
    Ok(Reader::of(&Actor::User(AuthUser {
        id: user_id,
        roles,
        verified: false,
        expires_at: 0,
    })))
}

/// Every notification of the actor, newest first (for the personal-data export).
pub fn every_notification(conn: &mut DbConn, actor: &Actor) -> ApiResult<Vec<NotificationView>> {
    let rows = store::all_of(conn, who_id(actor)?)?;
    render(conn, &Reader::of(actor), &rows)
}

/// A page of the caller's notifications, newest first, with the unread count.
pub async fn list(db: &Db, who: &SignedIn, q: NotificationQuery) -> ApiResult<NotificationList> {
    let (actor, user_id) = (actor(who), who.0.id);
    db.run(move |conn| {
        let page = q.page;
        let rows = store::list(conn, user_id, q.unread_only, page.after, page.fetch())?;
        let List {
            items: rows,
            next_cursor,
        } = paged(&page, rows, |r| r.id);
        Ok(NotificationList {
            items: render(conn, &Reader::of(&actor), &rows)?,
            next_cursor,
            unread_count: store::unread_count(conn, user_id)?,
        })
    })
    .await
}

pub async fn mark_read(db: &Db, who: &SignedIn, which: MarkRead) -> ApiResult<UnreadCount> {
    let id = who.0.id;
    let unread_count = db
        .tx(move |tx| match which {
            MarkRead::These(ids) => store::mark_read(tx, id, Some(&ids)),
            MarkRead::All => store::mark_read(tx, id, None),
        })
        .await?;
    Ok(UnreadCount { unread_count })
}

pub fn settings_view(conn: &mut DbConn, user_id: i64) -> ApiResult<SettingsView> {
    Ok(SettingsView {
        kinds: store::frequencies(conn, user_id)?,
        timezone: store::timezone(conn, user_id)?,
    })
}

pub async fn settings(db: &Db, who: &SignedIn) -> ApiResult<SettingsView> {
    let id = who.0.id;
    db.run(move |conn| settings_view(conn, id)).await
}

/// Applies a settings change in one transaction (it was checked as a whole before).
pub async fn update_settings(
    db: &Db,
    who: &SignedIn,
    change: SettingsChange,
) -> ApiResult<SettingsView> {
    let id = who.0.id;
    db.tx(move |tx| {
        for (kind, f) in change.frequencies {
            store::set_frequency(tx, id, kind, f)?;
        }
        if let Some(zone) = change.timezone {
            store::set_timezone(tx, id, zone.map(|z| z.name()))?;
        }
        settings_view(tx, id)
    })
    .await
}

/// One click: a kind's link turns that kind off; a digest's link turns off every kind
/// mailed in that digest.
pub async fn unsubscribe(db: &Db, link: &UnsubscribeLink) -> ApiResult<Unsubscribed> {
    let user_id = link.user_id();
    let scope = link.scope();
    let unsubscribed = db
        .tx(move |tx| {
            let kinds: Vec<Kind> = match scope {
                UnsubscribeScope::Kind(kind) => vec![kind],
                UnsubscribeScope::Digest(f) => {
                    let now: HashMap<Kind, Frequency> =
                        store::frequencies(tx, user_id)?.into_iter().collect();
                    Kind::ALL
                        .iter()
                        .copied()
                        .filter(|k| now.get(k) == Some(&f))
                        .collect()
                }
            };
            for kind in &kinds {
                store::set_frequency(tx, user_id, *kind, Frequency::Off)?;
            }
            Ok(kinds)
        })
        .await?;
    Ok(Unsubscribed { unsubscribed })
}
