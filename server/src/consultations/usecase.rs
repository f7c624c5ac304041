//! What organisers and co-facilitators do with consultations and their texts, and what
//! everyone reads: for the API and the pages alike.

use super::command::{VersionCommand, MAX_COFACILITATORS};
use super::store::{self, Changes, NewConsultation};
use super::view::{
    self, ConsultationDetail, ConsultationView, DiffView, VersionSummary, VersionView,
};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::page::Page;
use crate::http::respond::List;
use crate::policy::guards::{consultation_for, ConsultationEditor, Organizer};
use crate::policy::Actor;

pub async fn create(
    db: &Db,
    _who: &Organizer,
    new: NewConsultation,
) -> ApiResult<ConsultationView> {
    db.tx(move |tx| {
        let id = store::create(tx, &new)?;
        let row = store::resolve(tx, &id.to_string())?;
        view::consultation(tx, &row)
    })
    .await
}

/// Newest first; drafts only for those who may see them.
pub async fn list(db: &Db, actor: Actor, page: Page) -> ApiResult<List<ConsultationView>> {
    let with_drafts = actor.is_organizer();
    db.run(move |conn| {
        let mut rows = store::list(conn, with_drafts, page.after, page.fetch())?;
        let next_cursor = page.next_cursor(&mut rows, |r| r.id);
        let items = rows
            .iter()
            .map(|r| view::consultation(conn, r))
            .collect::<ApiResult<_>>()?;
        Ok(List { items, next_cursor })
    })
    .await
}

/// A consultation with its current text and the comment counts per paragraph.
pub async fn detail(db: &Db, actor: Actor, key: String) -> ApiResult<ConsultationDetail> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        let consultation = view::consultation(conn, &row)?;
        let version = match row.current_version_id {
            Some(id) => {
                let label = store::version_label(conn, id)?;
                let v = store::find_version(conn, row.id, &label)?;
                Some(view::version(conn, &v, true)?)
            }
            None => None,
        };
        Ok(ConsultationDetail {
            consultation,
            version,
        })
    })
    .await
}

pub async fn update(
    db: &Db,
    _who: &Organizer,
    key: String,
    changes: Changes,
) -> ApiResult<ConsultationView> {
    db.tx(move |tx| {
        let row = store::resolve(tx, &key)?;
        store::update(tx, &row, changes)?;
        let row = store::resolve(tx, &row.id.to_string())?;
        view::consultation(tx, &row)
    })
    .await
}

pub async fn set_cofacilitators(
    db: &Db,
    _who: &Organizer,
    key: String,
    user_ids: Vec<i64>,
) -> ApiResult<ConsultationView> {
    if user_ids.len() > MAX_COFACILITATORS {
        return Err(ApiError::field("user_ids", "at most 100 co-facilitators"));
    }
    db.tx(move |tx| {
        let row = store::resolve(tx, &key)?;
        store::set_cofacilitators(tx, row.id, &user_ids)?;
        view::consultation(tx, &row)
    })
    .await
}

/// Adds a version: its paragraphs keep the keys of those they continue.
pub async fn add_version(
    db: &Db,
    who: &ConsultationEditor,
    cmd: VersionCommand,
) -> ApiResult<VersionView> {
    let row = who.consultation.clone();
    let author = who.user().id;
    db.tx(move |tx| {
        let informed: Vec<i64> = cmd
            .draft
            .iter()
            .flat_map(|p| p.informed_by.iter().copied())
            .collect();
        for id in informed {
            let c = crate::consultations::comments::get(tx, id).map_err(|_| {
                ApiError::field("paragraphs", format!("comment {id} does not exist"))
            })?;
            if c.consultation_id != Some(row.id) {
                return Err(ApiError::field(
                    "paragraphs",
                    format!("comment {id} belongs to another consultation"),
                ));
            }
        }
        store::insert_version(
            tx,
            &row,
            &cmd.label,
            cmd.source_format,
            cmd.draft,
            &cmd.footnotes,
            Some(author),
        )?;
        let version = store::find_version(tx, row.id, &cmd.label)?;
        view::version(tx, &version, false)
    })
    .await
}

pub async fn versions(db: &Db, actor: Actor, key: String) -> ApiResult<List<VersionSummary>> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        let items = store::versions(conn, row.id)?
            .iter()
            .map(|v| view::summary(v, row.current_version_id))
            .collect();
        Ok(List::all(items))
    })
    .await
}

pub async fn version(db: &Db, actor: Actor, key: String, label: String) -> ApiResult<VersionView> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        let v = store::find_version(conn, row.id, &label)?;
        view::version(conn, &v, Some(v.id) == row.current_version_id)
    })
    .await
}

pub async fn diff(db: &Db, actor: Actor, key: String, a: String, b: String) -> ApiResult<DiffView> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        let paragraphs = store::diff(conn, row.id, &a, &b)?;
        Ok(view::diff(&a, &b, paragraphs))
    })
    .await
}
