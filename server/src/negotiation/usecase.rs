//! The compilation text's use cases: read it, give an amendment its disposition, set a
//! paragraph's status, and draft the next version from the accepted amendments.

use std::collections::HashMap;

use diesel::prelude::*;

use super::compilation::{self, same_text, Parts};
use super::store::{self, DispositionRow};
use super::types::{
    CompilationView, Disposition, DispositionInput, DraftParagraph, NextDraft, ParagraphStatus,
    ParagraphStatusView,
};
use crate::consultations::comments::{view as comment_view, CommentRow};
use crate::consultations::store::{self as consultations, ConsultationRow};
use crate::consultations::types::{CommentKind, Visibility};
use crate::consultations::view::{self as kview, ParagraphView, Person};
use crate::db::schema::users;
use crate::db::{now, Db, DbConn, Timestamp};
use crate::delegations::store::Representations;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::text;
use crate::policy::audit::Surface;
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::{consultation_for, ConsultationEditor};
use crate::policy::{Actor, Reader};

/// The current version's label and paragraphs (none before the first version).
fn current_text(
    conn: &mut DbConn,
    row: &ConsultationRow,
) -> ApiResult<(Option<String>, Vec<ParagraphView>)> {
    let Some(id) = row.current_version_id else {
        return Ok((None, vec![]));
    };
    let label = consultations::version_label(conn, id)?;
    let v = consultations::find_version(conn, row.id, &label)?;
    let view = kview::version(conn, &v, false)?;
    Ok((Some(label), view.paragraphs))
}

/// The compilation of `row` as `reader` may see it.
pub fn compile(
    conn: &mut DbConn,
    row: &ConsultationRow,
    reader: &Reader,
) -> ApiResult<CompilationView> {
    compile_with_text(conn, row, reader).map(|(view, _)| view)
}

/// The compilation, and the current text's paragraphs it was built on.
fn compile_with_text(
    conn: &mut DbConn,
    row: &ConsultationRow,
    reader: &Reader,
) -> ApiResult<(CompilationView, Vec<ParagraphView>)> {
    let (label, paragraphs) = current_text(conn, row)?;
    let rows = store::amendments(conn, row.id)?;
    let amendments = comment_view::render(conn, &rows, reader, Surface::Api)?;
    let ids: Vec<i64> = amendments.iter().map(|a| a.id).collect();
    let dispositions = store::dispositions(conn, &ids)?;
    let raw_support = store::support(conn, &ids)?;
    let wanted: Vec<_> = raw_support.values().flatten().copied().collect();
    let names = Representations::load(conn, &wanted)?;
    let support = raw_support
        .into_iter()
        .map(|(id, list)| {
            let shown = list
                .into_iter()
                .filter_map(|s| names.get(Some(s)))
                .collect();
            (id, shown)
        })
        .collect();
    let statuses = store::statuses(conn, row.id)?;
    let mut last_numbers = HashMap::new();
    for a in &amendments {
        if let Some(key) = &a.paragraph_key {
            if !paragraphs.iter().any(|p| &p.key == key) && !last_numbers.contains_key(key) {
                if let Some((number, _)) = store::last_number(conn, row.id, key)? {
                    last_numbers.insert(key.clone(), number);
                }
            }
        }
    }
    let view = compilation::build(
        row.id,
        &row.title,
        &row.language,
        label,
        Parts {
            paragraphs: &paragraphs,
            amendments,
            dispositions: &dispositions,
            support,
            statuses: &statuses,
            last_numbers,
        },
    );
    Ok((view, paragraphs))
}

pub async fn read(db: &Db, actor: Actor, key: String) -> ApiResult<CompilationView> {
    db.run(move |conn| {
        let (row, access) = consultation_for(conn, &actor, &key)?;
        compile(conn, &row, &access.reader())
    })
    .await
}

/// A file of the compilation: its name and bytes.
pub struct CompilationFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

pub async fn docx(db: &Db, actor: Actor, key: String) -> ApiResult<CompilationFile> {
    let (slug, view) = read_with_slug(db, actor, key).await?;
    actix_web::web::block(move || {
        let date = Timestamp(now()).iso();
        let f = compilation::document(&view, &date).file(filename(&slug, &view, "docx"))?;
        Ok(CompilationFile {
            filename: f.filename,
            bytes: f.bytes,
        })
    })
    .await?
}

pub async fn html(db: &Db, actor: Actor, key: String) -> ApiResult<CompilationFile> {
    let (slug, view) = read_with_slug(db, actor, key).await?;
    let bytes = super::page::render(&view)?.into_bytes();
    Ok(CompilationFile {
        filename: filename(&slug, &view, "html"),
        bytes,
    })
}

fn filename(slug: &str, view: &CompilationView, ext: &str) -> String {
    format!(
        "{slug}-compilation-{}.{ext}",
        view.version.as_deref().unwrap_or("text")
    )
}

async fn read_with_slug(
    db: &Db,
    actor: Actor,
    key: String,
) -> ApiResult<(String, CompilationView)> {
    db.run(move |conn| {
        let (row, access) = consultation_for(conn, &actor, &key)?;
        Ok((row.slug.clone(), compile(conn, &row, &access.reader())?))
    })
    .await
}

/// The amendments identical to `c` on its paragraph (itself included), oldest first.
fn group_of(conn: &mut DbConn, c: &CommentRow) -> ApiResult<Vec<i64>> {
    let consultation = c.consultation_id.unwrap_or_default();
    let text = same_text(c.proposed_text.as_deref().unwrap_or_default());
    Ok(store::amendments(conn, consultation)?
        .into_iter()
        .filter(|a| a.paragraph_key == c.paragraph_key)
        .filter(|a| same_text(a.proposed_text.as_deref().unwrap_or_default()) == text)
        .map(|a| a.id)
        .collect())
}

fn person(conn: &mut DbConn, id: i64) -> ApiResult<Option<Person>> {
    Ok(users::table
        .find(id)
        .filter(users::erased_at.is_null())
        .select((users::id, users::display_name))
        .first::<(i64, String)>(conn)
        .optional()?
        .map(|(id, display_name)| Person { id, display_name }))
}

/// Gives an amendment its disposition, and with it every identical amendment on the
/// paragraph. Accepting one to a paragraph the current text no longer has is 409,
/// naming the paragraph.
pub async fn set_disposition(
    db: &Db,
    who: InputReviewer,
    input: DispositionInput,
) -> ApiResult<super::types::DispositionView> {
    let mut errors = FieldErrors::new();
    let reason = text(
        &mut errors,
        "reason",
        input.reason.as_deref().unwrap_or_default(),
        0,
        2000,
    )
    .unwrap_or_default();
    match (input.disposition, input.merged_into) {
        (Disposition::Merged, None) => {
            errors.insert(
                "merged_into".into(),
                "name the amendment it was merged into".into(),
            );
        }
        (Disposition::Merged, Some(_)) => {}
        (_, Some(_)) => {
            errors.insert(
                "merged_into".into(),
                "only a merged amendment names another".into(),
            );
        }
        _ => {}
    }
    if input.disposition == Disposition::Rejected && reason.is_empty() {
        errors.insert("reason".into(), "give the reason for rejecting it".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let by = who.user().id;
    let (comment_id, consultation) = (who.comment.id, who.consultation.clone());
    db.tx(move |tx| {
        let c = crate::consultations::comments::get(tx, comment_id)?;
        if c.kind != CommentKind::Amendment {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "only amendments are given a disposition",
            ));
        }
        if c.status != Visibility::Visible {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "a hidden or withdrawn amendment is given no disposition",
            ));
        }
        let group = group_of(tx, &c)?;
        if let Some(target) = input.merged_into {
            let t = crate::consultations::comments::store::find(tx, target)?;
            let fits = t.is_some_and(|t| {
                t.consultation_id == c.consultation_id
                    && t.kind == CommentKind::Amendment
                    && t.status == Visibility::Visible
                    && !group.contains(&t.id)
            });
            if !fits {
                return Err(ApiError::field(
                    "merged_into",
                    "must be another visible amendment of this consultation, with other wording",
                ));
            }
        }
        if input.disposition == Disposition::Accepted {
            let key = c.paragraph_key.clone().unwrap_or_default();
            if !consultations::has_paragraph(tx, &consultation, &key)? {
                let (number, label) = store::last_number(tx, consultation.id, &key)?
                    .unwrap_or_else(|| ("?".into(), "?".into()));
                let now_label = match consultation.current_version_id {
                    Some(v) => consultations::version_label(tx, v)?,
                    None => String::new(),
                };
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!(
                        "paragraph {number} (of {label}) is not in the current text ({now_label}): an amendment to it cannot be accepted"
                    ),
                ));
            }
        }
        let row = DispositionRow {
            comment_id,
            disposition: input.disposition,
            merged_into: input.merged_into,
            reason,
            set_by: Some(by),
            set_at: now(),
        };
        store::set_dispositions(tx, &group, &row)?;
        Ok(super::types::DispositionView {
            comment_ids: group,
            disposition: row.disposition,
            merged_into: row.merged_into,
            reason: row.reason,
            set_by: person(tx, by)?,
            set_at: Timestamp(row.set_at),
        })
    })
    .await
}

pub async fn set_status(
    db: &Db,
    who: &ConsultationEditor,
    key: String,
    status: ParagraphStatus,
) -> ApiResult<ParagraphStatusView> {
    let (row, by) = (who.consultation.clone(), who.user().id);
    db.tx(move |tx| {
        if !consultations::has_paragraph(tx, &row, &key)? {
            return Err(ApiError::not_found("paragraph in the current text"));
        }
        let at = store::set_status(tx, row.id, &key, status, by)?;
        Ok(ParagraphStatusView {
            paragraph_key: key,
            status,
            set_at: Timestamp(at),
        })
    })
    .await
}

/// The next version's draft: each paragraph of the current text, with the wording of
/// the amendment accepted to it (the latest, when several were) and, as the inputs that
/// informed it, the accepted amendments and those merged into them.
pub async fn next_draft(db: &Db, who: &ConsultationEditor) -> ApiResult<NextDraft> {
    let row = who.consultation.clone();
    let actor = Actor::User(who.user().clone());
    db.run(move |conn| {
        let (_, access) = consultation_for(conn, &actor, &row.id.to_string())?;
        draft_for(conn, &row, &access.reader())
    })
    .await
}

/// The next draft of `row`, for an editor (the revision page starts from it).
pub fn draft_for(
    conn: &mut DbConn,
    row: &ConsultationRow,
    reader: &Reader,
) -> ApiResult<NextDraft> {
    let (compiled, paragraphs) = compile_with_text(conn, row, reader)?;
    let ids: Vec<i64> = compiled
        .paragraphs
        .iter()
        .flat_map(|p| &p.amendments)
        .flat_map(|g| g.amendments.iter().map(|a| a.id))
        .collect();
    let decided = store::dispositions(conn, &ids)?;
    Ok(draft_of(&compiled, &paragraphs, &decided))
}

pub fn draft_of(
    compiled: &CompilationView,
    paragraphs: &[ParagraphView],
    decided: &HashMap<i64, DispositionRow>,
) -> NextDraft {
    let drafts = compiled
        .paragraphs
        .iter()
        .map(|p| {
            let section = paragraphs
                .iter()
                .find(|q| q.key == p.key)
                .map(|q| q.section.clone())
                .filter(|s| !s.is_empty());
            let accepted: Vec<_> = p
                .amendments
                .iter()
                .filter(|g| g.disposition == Disposition::Accepted)
                .collect();
            let latest = accepted.iter().max_by_key(|g| {
                g.amendments
                    .iter()
                    .filter_map(|a| decided.get(&a.id).map(|d| d.set_at))
                    .max()
            });
            let mut informed: Vec<i64> = accepted
                .iter()
                .flat_map(|g| g.amendments.iter().map(|a| a.id))
                .collect();
            for g in &p.amendments {
                if g.disposition == Disposition::Merged
                    && g.merged_into.is_some_and(|t| informed.contains(&t))
                {
                    informed.extend(g.amendments.iter().map(|a| a.id));
                }
            }
            informed.sort_unstable();
            informed.dedup();
            DraftParagraph {
                key: p.key.clone(),
                number: p.number.clone(),
                section,
                text: latest.map_or_else(|| p.text.clone(), |g| g.proposed_text.clone()),
                informed_by: informed,
                amended: latest.is_some(),
            }
        })
        .collect();
    NextDraft {
        based_on: compiled.version.clone(),
        paragraphs: drafts,
    }
}
