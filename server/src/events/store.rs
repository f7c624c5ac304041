//! Events and rooms.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::command::NewRoom;

use super::types::{parse_date, parse_timezone, Rules};
use crate::db::schema::{events, rooms};
use crate::db::Tx;
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::{Actor, EventAccess};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub theme: String,
    pub venue: String,
    pub timezone: String,
    pub starts_on: String,
    pub ends_on: String,
    pub subthemes: String,
    pub call_opens_at: Option<NaiveDateTime>,
    pub call_closes_at: Option<NaiveDateTime>,
    pub published: bool,
    pub rules: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EventRow {
    pub fn tz(&self) -> chrono_tz::Tz {
        parse_timezone(&self.timezone).unwrap_or(chrono_tz::UTC)
    }
    pub fn subthemes(&self) -> Vec<String> {
        serde_json::from_str(&self.subthemes).unwrap_or_default()
    }
    pub fn rules(&self) -> Rules {
        serde_json::from_str(&self.rules).unwrap_or_default()
    }
    pub fn call_open(&self, at: NaiveDateTime) -> bool {
        self.call_opens_at.is_some_and(|o| o <= at) && self.call_closes_at.is_none_or(|c| at < c)
    }
}

pub fn resolve(conn: &mut DbConn, id_or_slug: &str) -> ApiResult<EventRow> {
    let q = events::table.select(EventRow::as_select());
    let row = match id_or_slug.parse::<i64>() {
        Ok(id) => q.filter(events::id.eq(id)).first(conn).optional()?,
        Err(_) => q
            .filter(events::slug.eq(id_or_slug))
            .first(conn)
            .optional()?,
    };
    row.ok_or_else(|| ApiError::not_found("event"))
}

/// The event as `actor` may know it: unpublished events exist only for organisers (404
/// for everyone else).
pub fn visible_to(conn: &mut DbConn, id_or_slug: &str, actor: &Actor) -> ApiResult<EventRow> {
    let row = resolve(conn, id_or_slug)?;
    if !EventAccess::of(actor).may_see(row.published) {
        return Err(ApiError::not_found("event"));
    }
    Ok(row)
}

pub struct NewEvent {
    pub slug: String,
    pub name: String,
    pub theme: String,
    pub venue: String,
    pub timezone: String,
    pub starts_on: String,
    pub ends_on: String,
    pub subthemes: Vec<String>,
    pub created_by: i64,
}

pub fn create(conn: &mut DbConn, e: &NewEvent) -> ApiResult<i64> {
    let taken: bool = diesel::select(diesel::dsl::exists(
        events::table.filter(events::slug.eq(&e.slug)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(ApiError::new(
            ErrorCode::SlugTaken,
            "another event has this slug",
        ));
    }
    let t = now();
    Ok(diesel::insert_into(events::table)
        .values((
            events::slug.eq(&e.slug),
            events::name.eq(&e.name),
            events::theme.eq(&e.theme),
            events::venue.eq(&e.venue),
            events::timezone.eq(&e.timezone),
            events::starts_on.eq(&e.starts_on),
            events::ends_on.eq(&e.ends_on),
            events::subthemes
                .eq(serde_json::to_string(&e.subthemes).unwrap_or_else(|_| "[]".into())),
            events::published.eq(false),
            events::rules.eq("{}"),
            events::created_by.eq(Some(e.created_by)),
            events::created_at.eq(t),
            events::updated_at.eq(t),
        ))
        .returning(events::id)
        .get_result(conn)?)
}

/// What an edit changes; `None` keeps the stored value.
#[derive(Debug, Default)]
pub struct Changes {
    pub name: Option<String>,
    pub theme: Option<String>,
    pub venue: Option<String>,
    pub timezone: Option<chrono_tz::Tz>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub subthemes: Option<Vec<String>>,
    pub call_opens_at: Option<Option<NaiveDateTime>>,
    pub call_closes_at: Option<Option<NaiveDateTime>>,
    pub published: Option<bool>,
    pub rules: Option<Rules>,
}

pub fn update(tx: &mut Tx, row: &EventRow, c: Changes) -> ApiResult<()> {
    let stored = |d: &str| parse_date(d).map_err(ApiError::internal);
    let starts_on = match c.starts_on {
        Some(d) => d,
        None => stored(&row.starts_on)?,
    };
    let ends_on = match c.ends_on {
        Some(d) => d,
        None => stored(&row.ends_on)?,
    };
    if ends_on < starts_on {
        return Err(ApiError::field("ends_on", "must not be before starts_on"));
    }
    let opens = c.call_opens_at.unwrap_or(row.call_opens_at);
    let closes = c.call_closes_at.unwrap_or(row.call_closes_at);
    if let (Some(o), Some(cl)) = (opens, closes) {
        if o >= cl {
            return Err(ApiError::field(
                "call_closes_at",
                "must be after call_opens_at",
            ));
        }
    }
    diesel::update(events::table.find(row.id))
        .set((
            events::name.eq(c.name.unwrap_or_else(|| row.name.clone())),
            events::theme.eq(c.theme.unwrap_or_else(|| row.theme.clone())),
            events::venue.eq(c.venue.unwrap_or_else(|| row.venue.clone())),
            events::timezone.eq(c
                .timezone
                .map_or_else(|| row.timezone.clone(), |t| t.name().to_owned())),
            events::starts_on.eq(starts_on.to_string()),
            events::ends_on.eq(ends_on.to_string()),
            events::subthemes.eq(c.subthemes.map_or_else(
                || row.subthemes.clone(),
                |s| serde_json::to_string(&s).unwrap_or_default(),
            )),
            events::call_opens_at.eq(opens),
            events::call_closes_at.eq(closes),
            events::published.eq(c.published.unwrap_or(row.published)),
            events::rules.eq(c.rules.map_or_else(
                || row.rules.clone(),
                |r| serde_json::to_string(&r).unwrap_or_default(),
            )),
            events::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    // Reports are searchable only while their event is published.
    if c.published.is_some_and(|p| p != row.published) {
        let reported: Vec<i64> = crate::db::schema::session_reports::table
            .inner_join(crate::db::schema::sessions::table)
            .filter(crate::db::schema::sessions::event_id.eq(row.id))
            .select(crate::db::schema::session_reports::session_id)
            .load(tx.conn())?;
        for id in reported {
            crate::outbox::queue_search_job(tx, "session_report", id, "upsert");
        }
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConn,
    include_unpublished: bool,
    after: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<EventRow>> {
    let mut q = events::table
        .select(EventRow::as_select())
        .order(events::id.desc())
        .into_boxed();
    if !include_unpublished {
        q = q.filter(events::published.eq(true));
    }
    if let Some(a) = after {
        q = q.filter(events::id.lt(a));
    }
    Ok(q.limit(limit).load(conn)?)
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = rooms)]
pub struct RoomRow {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub capacity: i32,
    pub remote_link: Option<String>,
    pub interpretation: bool,
    pub created_at: NaiveDateTime,
}

pub fn add_room(conn: &mut DbConn, event_id: i64, room: &NewRoom) -> ApiResult<RoomRow> {
    let name = room.name.as_str();
    let taken: bool = diesel::select(diesel::dsl::exists(
        rooms::table
            .filter(rooms::event_id.eq(event_id))
            .filter(rooms::name.eq(name)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this event already has a room with that name",
        ));
    }
    let id: i64 = diesel::insert_into(rooms::table)
        .values((
            rooms::event_id.eq(event_id),
            rooms::name.eq(name),
            rooms::capacity.eq(room.capacity),
            rooms::remote_link.eq(room.remote_link.as_deref()),
            rooms::interpretation.eq(room.interpretation),
            rooms::created_at.eq(now()),
        ))
        .returning(rooms::id)
        .get_result(conn)?;
    Ok(rooms::table
        .find(id)
        .select(RoomRow::as_select())
        .first(conn)?)
}

pub fn rooms_of(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<RoomRow>> {
    Ok(rooms::table
        .filter(rooms::event_id.eq(event_id))
        .order(rooms::id)
        .select(RoomRow::as_select())
        .load(conn)?)
}
