//! Session reports, filed after the session, and the event's messages compiled from
//! them by sub-theme (as the yearly IGF messages are).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schedule::SessionRow;
use super::view::{EventReport, ReportLine, ReportView, SubthemeReport};
use crate::db::schema::{session_reports, sessions};
use crate::db::Tx;
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult};
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

/// A report as filed: checked, ready to store.
#[derive(Debug, Clone)]
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
    outbox::queue_search_job(tx, "session_report", session.id, "upsert");
    let row = get(tx, session.id)?.ok_or_else(|| ApiError::internal("report vanished"))?;
    let data = serde_json::to_value(ReportView::of(&row)).map_err(ApiError::internal)?;
    outbox::append_live_event(
        tx,
        &outbox::session_channel(session.id),
        "report.filed",
        Audience::Public,
        None,
        &data,
    );
    Ok(row)
}

pub fn get(conn: &mut DbConn, session_id: i64) -> ApiResult<Option<ReportRow>> {
    Ok(session_reports::table
        .find(session_id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?)
}

/// The report's view as JSON, for search results (which are not typed yet).
pub fn view(r: &ReportRow) -> serde_json::Value {
    serde_json::to_value(ReportView::of(r)).unwrap_or_default()
}

/// The event's reports gathered by sub-theme: takeaways and calls to action with their
/// sessions, and attendance.
pub fn compile(conn: &mut DbConn, event_id: i64) -> ApiResult<EventReport> {
    let rows: Vec<(ReportRow, (i64, String, String))> = session_reports::table
        .inner_join(sessions::table)
        .filter(sessions::event_id.eq(event_id))
        .order(sessions::id)
        .select((
            ReportRow::as_select(),
            (sessions::id, sessions::title, sessions::subtheme),
        ))
        .load(conn)?;
    let mut by_theme: BTreeMap<String, SubthemeReport> = BTreeMap::new();
    let (mut onsite, mut online) = (0i64, 0i64);
    for (r, (id, title, theme)) in &rows {
        let entry = by_theme
            .entry(theme.clone())
            .or_insert_with(|| SubthemeReport {
                subtheme: theme.clone(),
                ..SubthemeReport::default()
            });
        let line = |text: String| ReportLine {
            session_id: *id,
            session: title.clone(),
            text,
        };
        let view = ReportView::of(r);
        entry
            .key_takeaways
            .extend(view.key_takeaways.into_iter().map(line));
        entry
            .calls_to_action
            .extend(view.calls_to_action.into_iter().map(line));
        entry.participants_onsite += i64::from(r.participants_onsite);
        entry.participants_online += i64::from(r.participants_online);
        entry.reports += 1;
        onsite += i64::from(r.participants_onsite);
        online += i64::from(r.participants_online);
    }
    Ok(EventReport {
        event_id,
        reports: rows.len(),
        participants_onsite: onsite,
        participants_online: online,
        subthemes: by_theme.into_values().collect(),
    })
}
