//! Personal agendas: sessions a user bookmarked.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schedule::SessionRow;
use super::store::{EventRow, RoomRow};
use crate::db::schema::{session_bookmarks, sessions};
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};

pub fn add(conn: &mut DbConn, user_id: i64, session_id: i64) -> ApiResult<()> {
    let already: bool = diesel::select(diesel::dsl::exists(
        session_bookmarks::table
            .filter(session_bookmarks::user_id.eq(user_id))
            .filter(session_bookmarks::session_id.eq(session_id)),
    ))
    .get_result(conn)?;
    if already {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this session is already in your agenda",
        ));
    }
    diesel::insert_into(session_bookmarks::table)
        .values((
            session_bookmarks::user_id.eq(user_id),
            session_bookmarks::session_id.eq(session_id),
            session_bookmarks::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn remove(conn: &mut DbConn, user_id: i64, session_id: i64) -> ApiResult<()> {
    let n = diesel::delete(
        session_bookmarks::table
            .filter(session_bookmarks::user_id.eq(user_id))
            .filter(session_bookmarks::session_id.eq(session_id)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(ApiError::not_found("bookmark"));
    }
    Ok(())
}

/// The user's bookmarked sessions in time order (unscheduled last), with their events and rooms.
pub type Agenda = (
    Vec<SessionRow>,
    HashMap<i64, EventRow>,
    HashMap<i64, RoomRow>,
);

pub fn agenda(conn: &mut DbConn, user_id: i64) -> ApiResult<Agenda> {
    let rows: Vec<SessionRow> = sessions::table
        .inner_join(session_bookmarks::table)
        .filter(session_bookmarks::user_id.eq(user_id))
        // Unscheduled last on both backends (SQLite sorts NULL first, PostgreSQL last).
        .order((
            sessions::starts_at.is_null().asc(),
            sessions::starts_at.asc(),
            sessions::id.asc(),
        ))
        .select(SessionRow::as_select())
        .load(conn)?;
    let mut events = HashMap::new();
    let mut rooms = HashMap::new();
    for s in &rows {
        if !events.contains_key(&s.event_id) {
            let event = super::store::resolve(conn, &s.event_id.to_string())?;
            rooms.extend(super::schedule::rooms_by_id(conn, event.id)?);
            events.insert(event.id, event);
        }
    }
    Ok((rows, events, rooms))
}

pub fn of_user(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(session_bookmarks::table
        .filter(session_bookmarks::user_id.eq(user_id))
        .select(session_bookmarks::session_id)
        .load(conn)?)
}

pub fn erase(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::delete(session_bookmarks::table.filter(session_bookmarks::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}
