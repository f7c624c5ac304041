//! Running a session: who runs it, its segments and the one speaking queue.

use crate::db::Db;
use crate::error::ApiResult;
use crate::events::command::Segments;
use crate::events::floor::{self, Mode};
use crate::events::roles::{self, Roles, RolesView};
use crate::events::schedule;
use crate::events::view::{QueueView, SegmentsView};
use crate::policy::guards::events::{FloorRunner, SessionOrganizer, SessionReader};
use crate::policy::guards::{SignedIn, Verified};
use crate::policy::Actor;

/// Replaces the session's segments (they must fit its slot).
pub async fn set_segments(
    db: &Db,
    org: &SessionOrganizer,
    segments: Segments,
) -> ApiResult<SegmentsView> {
    let id = org.session.id;
    db.tx(move |tx| {
        let s = schedule::get(tx, id)?;
        floor::set_segments(tx, &s, &segments.0)
    })
    .await
}

pub async fn segments(db: &Db, reader: &SessionReader) -> ApiResult<SegmentsView> {
    let s = reader.session.clone();
    db.run(move |conn| floor::segments_view(conn, &s)).await
}

pub async fn queue(db: &Db, reader: &SessionReader) -> ApiResult<QueueView> {
    let id = reader.session.id;
    db.run(move |conn| floor::queue_view(conn, id)).await
}

/// Joins the speaking queue of a session the caller may see.
pub async fn join(db: &Db, by: &Verified, session_id: i64, mode: Mode) -> ApiResult<QueueView> {
    let actor = Actor::User(by.user().clone());
    let user_id = by.id();
    db.tx(move |tx| {
        schedule::visible_to(tx, session_id, &actor)?;
        floor::join(tx, session_id, user_id, mode)
    })
    .await
}

/// Leaves the queue before being called.
pub async fn leave(db: &Db, by: &SignedIn, session_id: i64) -> ApiResult<QueueView> {
    let user_id = by.0.id;
    db.tx(move |tx| floor::leave(tx, session_id, user_id)).await
}

/// Gives the floor to whoever joined first.
pub async fn call_next(db: &Db, runner: &FloorRunner) -> ApiResult<QueueView> {
    let id = runner.session.id;
    db.tx(move |tx| floor::call_next(tx, id)).await
}

/// Who runs the session: its moderators and rapporteurs.
pub async fn roles(db: &Db, reader: &SessionReader) -> ApiResult<RolesView> {
    let id = reader.session.id;
    db.run(move |conn| roles::view(conn, id)).await
}

/// Names the session's moderators and rapporteurs (both lists replaced).
pub async fn set_roles(db: &Db, org: &SessionOrganizer, r: Roles) -> ApiResult<RolesView> {
    let id = org.session.id;
    db.tx(move |tx| {
        roles::replace(tx, id, &r)?;
        roles::view(tx, id)
    })
    .await
}
