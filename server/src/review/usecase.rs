//! What reviewers do, for the API and the workbench page alike. Each use case takes the
//! proof the policy gave (an [`InputReviewer`], a [`ConsultationReviewer`]) and answers
//! with typed views.

use std::collections::HashMap;

use diesel::prelude::*;

use super::balance::{self, Balance};
use super::command::{BulkCommand, ExportFormat, MinSize};
use super::duplicates;
use super::export::{self, Export};
use super::store::{self, Change, MAX_TAGS};
use super::view::{self, BulkResult, Cluster, History, ReviewedInput};
use crate::consultations::comments::usecase::visible;
use crate::consultations::types::Visibility;
use crate::db::schema::comments;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::ConsultationReviewer;
use crate::policy::{is_cofacilitator, Actor};

/// Sets the status, tags, assignee or note of one input.
pub async fn review(db: &Db, who: &InputReviewer, change: Change) -> ApiResult<ReviewedInput> {
    let (comment_id, consultation_id, by) = (who.comment.id, who.consultation.id, who.user().id);
    db.tx(move |tx| {
        if let Some(Some(assignee)) = change.assignee_id {
            let erased = store::erased(tx, &[assignee])?;
            if !is_cofacilitator(tx, consultation_id, assignee)? || !erased.is_empty() {
                return Err(ApiError::field(
                    "assignee_id",
                    "must be a co-facilitator of this consultation",
                ));
            }
        }
        let row = store::apply(tx, comment_id, change, by)?;
        Ok(ReviewedInput {
            comment_id,
            review: view::review(tx, &row)?,
        })
    })
    .await
}

/// Every change to one input's review.
pub async fn history(db: &Db, who: &InputReviewer) -> ApiResult<History> {
    let id = who.comment.id;
    db.run(move |conn| view::history(conn, id)).await
}

/// One change to a selection of the consultation's inputs, all or nothing. Every input
/// must be one the reviewer can see; each change is in that input's history.
pub async fn bulk(db: &Db, who: &ConsultationReviewer, cmd: BulkCommand) -> ApiResult<BulkResult> {
    let user = who.user().clone();
    let consultation_id = who.consultation.id;
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let mut items = Vec::with_capacity(cmd.comment_ids.len());
        for id in cmd.comment_ids {
            let not_here = || ApiError::field("comment_ids", format!("{id} is not an input here"));
            let (comment, consultation, _) = match visible(tx, &actor, id) {
                Ok(found) => found,
                Err(e) if e.code == ErrorCode::NotFound => return Err(not_here()),
                Err(e) => return Err(e),
            };
            if consultation.map(|(c, _)| c.id) != Some(consultation_id) {
                return Err(ApiError::field(
                    "comment_ids",
                    format!("{id} is not an input of this consultation"),
                ));
            }
            let tags = if cmd.add_tags.is_empty() && cmd.remove_tags.is_empty() {
                None
            } else {
                let mut tags = store::get(tx, id)?.map(|r| r.tags()).unwrap_or_default();
                tags.retain(|t| !cmd.remove_tags.contains(t));
                for t in &cmd.add_tags {
                    if !tags.contains(t) {
                        tags.push(t.clone());
                    }
                }
                if tags.len() > MAX_TAGS {
                    return Err(ApiError::field(
                        "add_tags",
                        format!("input {id} would have more than {MAX_TAGS} tags"),
                    ));
                }
                Some(tags)
            };
            let change = Change {
                status: cmd.status,
                tags,
                assignee_id: None,
                note: None,
            };
            let row = store::apply(tx, comment.id, change, user.id)?;
            items.push(ReviewedInput {
                comment_id: comment.id,
                review: view::review(tx, &row)?,
            });
        }
        Ok(BulkResult { items })
    })
    .await
}

/// Contributors and contributions by stakeholder group, region, gender and language.
pub async fn balance(db: &Db, who: &ConsultationReviewer) -> ApiResult<Balance> {
    let id = who.consultation.id;
    db.run(move |conn| balance::compute(conn, id)).await
}

/// Characters of the representative's text shown with a cluster.
const EXCERPT_CHARS: usize = 200;

/// Clusters of near-identical visible inputs, the largest first.
pub async fn duplicates(
    db: &Db,
    who: &ConsultationReviewer,
    min_size: MinSize,
) -> ApiResult<Vec<Cluster>> {
    let id = who.consultation.id;
    db.run(move |conn| {
        let items: Vec<(i64, String)> = comments::table
            .filter(comments::consultation_id.eq(id))
            .filter(comments::status.eq(Visibility::Visible.as_str()))
            .order(comments::id)
            .select((comments::id, comments::body))
            .load(conn)?;
        let found = duplicates::clusters(&items, min_size.0);
        let bodies: HashMap<i64, &str> = items.iter().map(|(i, b)| (*i, b.as_str())).collect();
        Ok(found
            .into_iter()
            .filter_map(|members| {
                let representative_id = *members.first()?;
                Some(Cluster {
                    size: members.len(),
                    representative_id,
                    representative_excerpt: bodies
                        .get(&representative_id)
                        .map(|b| b.chars().take(EXCERPT_CHARS).collect()),
                    member_ids: members,
                })
            })
            .collect())
    })
    .await
}

/// The export in the format asked for.
pub enum Exported {
    Json(Export),
    Csv { filename: String, body: String },
}

/// Every contribution the reviewer may see, with its review.
pub async fn export(
    db: &Db,
    who: &ConsultationReviewer,
    format: ExportFormat,
) -> ApiResult<Exported> {
    let (id, slug, reader) = (
        who.consultation.id,
        who.consultation.slug.clone(),
        who.access.reader(),
    );
    let items = db.run(move |conn| export::rows(conn, id, &reader)).await?;
    Ok(match format {
        ExportFormat::Json => Exported::Json(Export {
            total: items.len(),
            items,
        }),
        ExportFormat::Csv => Exported::Csv {
            filename: format!("{slug}-inputs.csv"),
            body: export::csv(&items)?,
        },
    })
}

/// The compilation of inputs per paragraph, as a Word file.
pub async fn compilation(
    db: &Db,
    who: &ConsultationReviewer,
) -> ApiResult<crate::consultations::word::WordFile> {
    let row = who.consultation.clone();
    let reader = who.access.reader();
    let (id, current) = (row.id, row.current_version_id);
    let (text, rows) = db
        .run(move |conn| {
            let version = current.ok_or_else(|| ApiError::not_found("version"))?;
            let label = crate::consultations::store::version_label(conn, version)?;
            let v = crate::consultations::store::find_version(conn, id, &label)?;
            let text = crate::consultations::view::version(conn, &v, false)?;
            Ok((text, export::rows(conn, id, &reader)?))
        })
        .await?;
    actix_web::web::block(move || {
        super::compilation::document(&row.title, &row.language, &text, &rows)
            .file(format!("{}-compilation-{}.docx", row.slug, text.label))
    })
    .await?
}
