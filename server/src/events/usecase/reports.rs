//! Session reports and the event's compiled messages.

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::events::reports::{self, Report};
use crate::events::schedule;
use crate::events::view::{EventReport, ReportView};
use crate::policy::guards::events::{EventReader, ReportWriter, SessionReader};

/// Files or replaces the session's report.
pub async fn file(db: &Db, writer: &ReportWriter, report: Report) -> ApiResult<ReportView> {
    let (id, by) = (writer.session.id, writer.id());
    db.tx(move |tx| {
        let session = schedule::get(tx, id)?;
        let row = reports::file(tx, &session, &report, by)?;
        Ok(ReportView::of(&row))
    })
    .await
}

/// The session's report, if one was filed.
pub async fn find(db: &Db, reader: &SessionReader) -> ApiResult<Option<ReportView>> {
    let id = reader.session.id;
    let row = db.run(move |conn| reports::get(conn, id)).await?;
    Ok(row.as_ref().map(ReportView::of))
}

/// The session's report (404 until filed).
pub async fn get(db: &Db, reader: &SessionReader) -> ApiResult<ReportView> {
    find(db, reader)
        .await?
        .ok_or_else(|| ApiError::not_found("report"))
}

/// The event's reports compiled by sub-theme.
pub async fn compile(db: &Db, reader: &EventReader) -> ApiResult<EventReport> {
    let id = reader.event.id;
    db.run(move |conn| reports::compile(conn, id)).await
}
