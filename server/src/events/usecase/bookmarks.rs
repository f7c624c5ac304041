//! Personal agendas.

use crate::db::Db;
use crate::error::ApiResult;
use crate::events::view::{Bookmark, SessionView};
use crate::events::{bookmarks, ical, schedule, store};
use crate::http::respond::List;
use crate::policy::guards::SignedIn;
use crate::policy::{Actor, EventAccess};

use super::Export;

/// Adds a session the caller may see to their agenda.
pub async fn add(db: &Db, by: &SignedIn, session_id: i64) -> ApiResult<Bookmark> {
    let user = by.0.clone();
    db.tx(move |tx| {
        schedule::visible_to(tx, session_id, &Actor::User(user.clone()))?;
        bookmarks::add(tx, user.id, session_id)
    })
    .await?;
    Ok(Bookmark {
        session_id,
        bookmarked: true,
    })
}

pub async fn remove(db: &Db, by: &SignedIn, session_id: i64) -> ApiResult<()> {
    let user_id = by.0.id;
    db.tx(move |tx| bookmarks::remove(tx, user_id, session_id))
        .await
}

/// The caller's bookmarked sessions in time order (unscheduled last), each in its
/// event's zone or in `tz`.
pub async fn mine(
    db: &Db,
    by: &SignedIn,
    tz: Option<chrono_tz::Tz>,
) -> ApiResult<List<SessionView>> {
    let user_id = by.0.id;
    let audience = EventAccess::of(&Actor::User(by.0.clone())).speakers();
    db.run(move |conn| {
        let (sessions, events, rooms) = bookmarks::agenda(conn, user_id)?;
        Ok(List::all(
            sessions
                .iter()
                .map(|s| {
                    let zone = tz
                        .or_else(|| events.get(&s.event_id).map(store::EventRow::tz))
                        .unwrap_or(chrono_tz::UTC);
                    SessionView::of(s, &rooms, zone, audience)
                })
                .collect(),
        ))
    })
    .await
}

/// The caller's agenda as an iCalendar file (scheduled sessions only).
pub async fn mine_calendar(db: &Db, by: &SignedIn, public_url: &str) -> ApiResult<Export> {
    let user_id = by.0.id;
    let public_url = public_url.to_owned();
    db.run(move |conn| {
        let (sessions, events, rooms) = bookmarks::agenda(conn, user_id)?;
        let entries: Vec<_> = sessions
            .iter()
            .filter_map(|s| events.get(&s.event_id).map(|e| (s, e)))
            .collect();
        Ok(Export {
            filename: "my-agenda.ics".into(),
            body: ical::calendar_of("My Indaba agenda", None, &entries, &rooms, &public_url),
        })
    })
    .await
}
