//! Session reports, filed after the session, and the event's messages compiled from
//! them by sub-theme (as the yearly IGF messages are).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::schedule::SessionRow;
use crate::db::schema::{session_reports, sessions};
use crate::db::Tx;
use crate::db::{now, rfc3339, DbConn};
use crate::error::ApiResult;
use crate::outbox::{self, Audience};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = session_reports)]
pub struct ReportRow {
    pub session_id: i64,
    pub key_takeaways: String,
    pub calls_to_action: String,
    pub participants_onsite: i32,
    pub participants_online: i32,
    pub women_share: Option<f64>,
    pub filed_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct Report {
    pub key_takeaways: Vec<String>,
    pub calls_to_action: Vec<String>,
    pub participants_onsite: i32,
    pub participants_online: i32,
    pub women_share: Option<f64>,
}

/// Files or replaces the report of a session.
pub fn file(tx: &mut Tx, session: &SessionRow, r: &Report, by: i64) -> ApiResult<ReportRow> {
    let t = now();
    let takeaways = serde_json::to_string(&r.key_takeaways).unwrap_or_else(|_| "[]".into());
    let calls = serde_json::to_string(&r.calls_to_action).unwrap_or_else(|_| "[]".into());
    let exists: bool = diesel::select(diesel::dsl::exists(session_reports::table.find(session.id)))
        .get_result(tx.conn())?;
    // No upsert on the two-backend connection: update or insert the same fields.
    let fields = (
        session_reports::key_takeaways.eq(&takeaways),
        session_reports::calls_to_action.eq(&calls),
        session_reports::participants_onsite.eq(r.participants_onsite),
        session_reports::participants_online.eq(r.participants_online),
        session_reports::women_share.eq(r.women_share),
        session_reports::filed_by.eq(Some(by)),
        session_reports::updated_at.eq(t),
    );
    if exists {
        diesel::update(session_reports::table.find(session.id))
            .set(fields)
            .execute(tx.conn())?;
    } else {
        diesel::insert_into(session_reports::table)
            .values((
                session_reports::session_id.eq(session.id),
                session_reports::created_at.eq(t),
                fields,
            ))
            .execute(tx.conn())?;
    }
    outbox::queue_search_job(tx, "session_report", session.id, "upsert")?;
    let row =
        get(tx, session.id)?.ok_or_else(|| crate::error::ApiError::internal("report vanished"))?;
    outbox::append_live_event(
        tx,
        &outbox::session_channel(session.id),
        "report.filed",
        Audience::Public,
        None,
        &view(&row),
    )?;
    Ok(row)
}

pub fn get(conn: &mut DbConn, session_id: i64) -> ApiResult<Option<ReportRow>> {
    Ok(session_reports::table
        .find(session_id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn view(r: &ReportRow) -> Value {
    json!({
        "session_id": r.session_id,
        "key_takeaways": serde_json::from_str::<Value>(&r.key_takeaways).unwrap_or(Value::Null),
        "calls_to_action": serde_json::from_str::<Value>(&r.calls_to_action).unwrap_or(Value::Null),
        "participants_onsite": r.participants_onsite,
        "participants_online": r.participants_online,
        "women_share": r.women_share,
        "filed_at": rfc3339(r.created_at),
        "updated_at": rfc3339(r.updated_at),
    })
}

#[derive(Default)]
struct Theme {
    takeaways: Vec<Value>,
    calls: Vec<Value>,
    onsite: i64,
    online: i64,
    reports: usize,
}

/// The event's reports gathered by sub-theme: takeaways and calls to action with their
/// sessions, and attendance.
pub fn compile(conn: &mut DbConn, event_id: i64) -> ApiResult<Value> {
    let rows: Vec<(ReportRow, (i64, String, String))> = session_reports::table
        .inner_join(sessions::table)
        .filter(sessions::event_id.eq(event_id))
        .order(sessions::id)
        .select((
            ReportRow::as_select(),
            (sessions::id, sessions::title, sessions::subtheme),
        ))
        .load(conn)?;
    let mut by_theme: BTreeMap<String, Theme> = BTreeMap::new();
    let (mut onsite, mut online) = (0i64, 0i64);
    for (r, (id, title, theme)) in &rows {
        let entry = by_theme.entry(theme.clone()).or_default();
        for t in serde_json::from_str::<Vec<String>>(&r.key_takeaways).unwrap_or_default() {
            entry
                .takeaways
                .push(json!({"session_id": id, "session": title, "text": t}));
        }
        for c in serde_json::from_str::<Vec<String>>(&r.calls_to_action).unwrap_or_default() {
            entry
                .calls
                .push(json!({"session_id": id, "session": title, "text": c}));
        }
        entry.onsite += i64::from(r.participants_onsite);
        entry.online += i64::from(r.participants_online);
        entry.reports += 1;
        onsite += i64::from(r.participants_onsite);
        online += i64::from(r.participants_online);
    }
    let subthemes: Vec<Value> = by_theme
        .into_iter()
        .map(|(theme, t)| {
            json!({"subtheme": theme, "reports": t.reports, "key_takeaways": t.takeaways, "calls_to_action": t.calls,
                   "participants_onsite": t.onsite, "participants_online": t.online})
        })
        .collect();
    Ok(json!({
        "event_id": event_id,
        "reports": rows.len(),
        "participants_onsite": onsite,
        "participants_online": online,
        "subthemes": subthemes,
    }))
}
