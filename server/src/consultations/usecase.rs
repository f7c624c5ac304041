//! What organisers and co-facilitators do with consultations and their texts, and what
//! everyone reads: for the API and the pages alike.

use super::command::{VersionCommand, MAX_COFACILITATORS};
use std::collections::HashMap;

use actix_web::web;

use super::comments::store as comment_store;
use super::importer::Footnote;
use super::keys;
use super::phases::{self, PhaseInput, PhaseView};
use super::store::{
    self, Changes, DraftParagraph, NewConsultation, VersionBase, VersionPlan, VersionRow, Written,
};
use super::translation::{self, Alignment, NewTranslation};
use super::view::Reading;
use super::view::{
    self, ConsultationDetail, ConsultationView, DiffView, VersionPreview, VersionSummary,
    VersionView,
};
use super::word;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, ErrorCode};
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

/// A consultation without its text (for the secretariat's page: the text is not shown).
pub async fn one(db: &Db, actor: Actor, key: String) -> ApiResult<ConsultationView> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        view::consultation(conn, &row)
    })
    .await
}

/// A consultation with its current text and the comment counts per paragraph.
pub async fn detail(
    db: &Db,
    actor: Actor,
    key: String,
    reading: Reading,
) -> ApiResult<ConsultationDetail> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        let consultation = view::consultation(conn, &row)?;
        let version = match row.current_version_id {
            Some(id) => {
                let label = store::version_label(conn, id)?;
                let v = store::find_version(conn, row.id, &label)?;
                Some(view::version_in(conn, &v, true, &reading)?)
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

/// Seats one person as a co-facilitator, or unseats them, in one transaction (two
/// organisers seating people at once each keep theirs).
pub async fn seat_cofacilitator(
    db: &Db,
    _who: &Organizer,
    key: String,
    user_id: i64,
    seated: bool,
) -> ApiResult<ConsultationView> {
    db.tx(move |tx| {
        let row = store::resolve(tx, &key)?;
        let mut ids: Vec<i64> = store::cofacilitators(tx, row.id)?
            .into_iter()
            .map(|p| p.id)
            .filter(|id| *id != user_id)
            .collect();
        if seated {
            ids.push(user_id);
        }
        if ids.len() > MAX_COFACILITATORS {
            return Err(ApiError::field("user_ids", "at most 100 co-facilitators"));
        }
        store::set_cofacilitators(tx, row.id, &ids)?;
        view::consultation(tx, &row)
    })
    .await
}

/// Plans made before giving up with 409, when each time another version of the same
/// consultation landed between the plan and its write (as many as five imports racing).
const PLAN_ATTEMPTS: usize = 5;

/// Adds a version: its paragraphs keep the keys of those they continue.
///
/// In three steps, so that SQLite's one writer is held only for the writes: read the
/// current text (a read: no writer, no transaction); assign keys and prepare the rows on
/// the blocking pool, holding no connection; then one transaction that only writes, and
/// first checks that the current version is still the one planned against. If another
/// version landed meanwhile, the new one is planned again against it (as it would have
/// been, had it come second), up to five times; after that the answer is 409 `conflict`.
pub async fn add_version(
    db: &Db,
    who: &ConsultationEditor,
    cmd: VersionCommand,
) -> ApiResult<VersionView> {
    if let Some(language) = translated_language(who, &cmd) {
        return add_translation(db, who, language, cmd).await;
    }
    let consultation = who.consultation.id;
    let author = who.user().id;
    let informed = cmd.informed();
    let VersionCommand {
        label,
        draft,
        footnotes,
        source_format,
        language: _,
    } = cmd;
    let mut draft = Some((draft, footnotes));
    for _ in 0..PLAN_ATTEMPTS {
        let Some(given) = draft.take() else {
            break;
        };
        let (_, plan) = plan(
            db,
            consultation,
            author,
            &label,
            given,
            source_format,
            &informed,
        )
        .await?;
        match db
            .tx(move |tx| store::write_version(tx, consultation, plan))
            .await?
        {
            Written::Stored(version_id) => {
                return db
                    .run(move |conn| {
                        let version = store::version_by_id(conn, version_id)?;
                        view::version(conn, &version, false)
                    })
                    .await;
            }
            Written::Stale(plan) => draft = Some(plan.into_draft()),
        }
    }
    Err(ApiError::new(
        ErrorCode::Conflict,
        "other versions of this consultation were being stored at the same time: send it again",
    ))
}

/// The version as it would be stored, with the paragraphs that carry over and those that
/// do not: the same checks and the same plan as `add_version`, and nothing written.
pub async fn preview_version(
    db: &Db,
    who: &ConsultationEditor,
    cmd: VersionCommand,
) -> ApiResult<VersionPreview> {
    if let Some(language) = translated_language(who, &cmd) {
        let label = cmd.label.clone();
        let format = cmd.source_format;
        let (_, language, alignment, footnotes) =
            align_translation(db, who, &language, cmd).await?;
        return Ok(view::translation_preview(
            &label, format, &language, &alignment, &footnotes,
        ));
    }
    let informed = cmd.informed();
    let language = who.consultation.language.clone();
    let VersionCommand {
        label,
        draft,
        footnotes,
        source_format,
        language: _,
    } = cmd;
    let given = (draft, footnotes);
    let (base, plan) = plan(
        db,
        who.consultation.id,
        who.user().id,
        &label,
        given,
        source_format,
        &informed,
    )
    .await?;
    web::block(move || view::preview(&plan, &base, &language))
        .await
        .map_err(ApiError::from)
}

/// The language of a draft when it is not the consultation's own: the draft is then a
/// translation of an existing version.
fn translated_language(who: &ConsultationEditor, cmd: &VersionCommand) -> Option<String> {
    cmd.language
        .clone()
        .filter(|l| !translation::same_language(l, &who.consultation.language))
}

/// Reads the version a translation is of, and lines the translation up with it (on the
/// blocking pool, holding no connection); with the tag it is stored under (an earlier
/// text of the same language keeps its tag and is replaced).
async fn align_translation(
    db: &Db,
    who: &ConsultationEditor,
    language: &str,
    cmd: VersionCommand,
) -> ApiResult<(VersionRow, String, Alignment, Vec<Footnote>)> {
    if !cmd.informed().is_empty() || cmd.draft.iter().any(|p| p.key.is_some()) {
        return Err(ApiError::field(
            "paragraphs",
            "a translation takes its keys and its inputs from the original: give neither key nor informed_by",
        ));
    }
    let consultation = who.consultation.id;
    let original = who.consultation.language.clone();
    let label = cmd.label.clone();
    let (version, paragraphs, languages) = {
        let original = original.clone();
        db.run(move |conn| {
            let version = match store::find_version(conn, consultation, &label) {
                Err(e) if e.code == ErrorCode::NotFound => {
                    return Err(ApiError::field(
                        "label",
                        format!(
                            "{}{label:?} to translate: import the text in {original} first, then each translation under the same label",
                            translation::NO_VERSION
                        ),
                    ))
                }
                found => found?,
            };
            let paragraphs = store::version_paragraphs(conn, version.id)?;
            let languages = translation::languages(conn, version.id)?;
            Ok((version, paragraphs, languages))
        })
        .await?
    };
    let tag = translation::slot_for(&languages, &original, language)?;
    let VersionCommand {
        draft, footnotes, ..
    } = cmd;
    let alignment = web::block(move || translation::align(&paragraphs, draft, &original)).await?;
    Ok((version, tag, alignment, footnotes))
}

/// Stores a version's text in another language, replacing an earlier import of it.
async fn add_translation(
    db: &Db,
    who: &ConsultationEditor,
    language: String,
    cmd: VersionCommand,
) -> ApiResult<VersionView> {
    let source_format = cmd.source_format.to_owned();
    let (version, language, alignment, footnotes) =
        align_translation(db, who, &language, cmd).await?;
    if !alignment.report.is_whole() {
        return Err(ApiError::field("source", alignment.report.problem()));
    }
    let new = NewTranslation {
        version_id: version.id,
        original: who.consultation.language.clone(),
        language: language.clone(),
        source_format,
        footnotes,
        created_by: Some(who.user().id),
        paragraphs: alignment.paragraphs,
    };
    db.tx(move |tx| translation::replace(tx, &new)).await?;
    let reading = Reading {
        language: Some(language),
        all_languages: false,
    };
    db.run(move |conn| view::version_in(conn, &version, false, &reading))
        .await
}

/// Steps 1 and 2 of a new version: read what it continues (a read: no writer, no
/// transaction), check it, then assign keys and prepare the rows on the blocking pool,
/// holding no connection.
async fn plan(
    db: &Db,
    consultation: i64,
    author: i64,
    label: &str,
    (paragraphs, footnotes): (Vec<DraftParagraph>, Vec<Footnote>),
    source_format: &'static str,
    informed: &[i64],
) -> ApiResult<(VersionBase, VersionPlan)> {
    let (base, cited, exists) = {
        let (label, informed) = (label.to_owned(), informed.to_vec());
        db.run(move |conn| {
            let mut cited = Vec::new();
            for ids in informed.chunks(1000) {
                cited.extend(comment_store::by_ids(conn, ids)?);
            }
            let exists = store::version_exists(conn, consultation, &label)?;
            Ok((store::version_base(conn, consultation)?, cited, exists))
        })
        .await?
    };
    check_informed_by(consultation, informed, &cited)?;
    if exists {
        return Err(ApiError::new(
            ErrorCode::VersionExists,
            format!("version {label:?} already exists"),
        ));
    }
    let label = label.to_owned();
    web::block(move || {
        let plan = store::plan_version(
            &base,
            &label,
            source_format,
            paragraphs,
            footnotes,
            Some(author),
        )?;
        Ok((base, plan))
    })
    .await?
}

/// Every comment a paragraph says informed it exists and belongs to this consultation.
fn check_informed_by(
    consultation: i64,
    informed: &[i64],
    cited: &[comment_store::CommentRow],
) -> ApiResult<()> {
    let found: HashMap<i64, Option<i64>> =
        cited.iter().map(|c| (c.id, c.consultation_id)).collect();
    for id in informed {
        match found.get(id) {
            None => {
                return Err(ApiError::field(
                    "paragraphs",
                    format!("comment {id} does not exist"),
                ))
            }
            Some(c) if *c != Some(consultation) => {
                return Err(ApiError::field(
                    "paragraphs",
                    format!("comment {id} belongs to another consultation"),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
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

pub async fn version(
    db: &Db,
    actor: Actor,
    key: String,
    label: String,
    reading: Reading,
) -> ApiResult<VersionView> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        let v = store::find_version(conn, row.id, &label)?;
        view::version_in(conn, &v, Some(v.id) == row.current_version_id, &reading)
    })
    .await
}

pub async fn diff(db: &Db, actor: Actor, key: String, a: String, b: String) -> ApiResult<DiffView> {
    let (from, to) = db
        .run(move |conn| {
            let (row, _) = consultation_for(conn, &actor, &key)?;
            store::diff_sides(conn, row.id, &a, &b)
        })
        .await?;
    // Word diffs after the connection went back to the pool.
    web::block(move || {
        let paragraphs = keys::diff(&from.1, &to.1);
        view::diff(&from.0, &to.0, paragraphs)
    })
    .await
    .map_err(ApiError::from)
}

/// A version as a Word file, as published.
pub async fn version_docx(
    db: &Db,
    actor: Actor,
    key: String,
    label: String,
    reading: Reading,
) -> ApiResult<word::WordFile> {
    let (row, v) = db
        .run(move |conn| {
            let (row, _) = consultation_for(conn, &actor, &key)?;
            let v = store::find_version(conn, row.id, &label)?;
            let v = view::version_in(conn, &v, false, &reading)?;
            Ok((row, v))
        })
        .await?;
    // Written after the connection went back to the pool.
    web::block(move || {
        let doc = word::version(&row.title, &v.language, &v);
        let suffix = if v.language == row.language {
            String::new()
        } else {
            format!(".{}", v.language)
        };
        doc.file(format!("{}-{}{suffix}.docx", row.slug, v.label))
    })
    .await?
}

/// The changes from version `a` to `b` as a Word file of tracked changes.
pub async fn diff_docx(
    db: &Db,
    actor: Actor,
    key: String,
    a: String,
    b: String,
) -> ApiResult<word::WordFile> {
    let row = {
        let (actor, key) = (actor.clone(), key.clone());
        db.run(move |conn| Ok(consultation_for(conn, &actor, &key)?.0))
            .await?
    };
    let d = diff(db, actor, key, a, b).await?;
    let date = crate::db::Timestamp(crate::db::now()).iso();
    web::block(move || {
        let doc = word::diff(&row.title, &row.language, &d, date);
        doc.file(format!("{}-{}-to-{}.docx", row.slug, d.from, d.to))
    })
    .await?
}

/// Moves the consultation on to its next phase, by one of its co-facilitators or an
/// organiser: a logged act.
pub async fn set_phase(
    db: &Db,
    who: &ConsultationEditor,
    input: PhaseInput,
) -> ApiResult<PhaseView> {
    let (id, by) = (who.consultation.id, who.user().id);
    db.tx(move |tx| {
        let current = phases::current(tx, id)?.map(|c| c.phase);
        if let Some(why) = input.phase.not_by_hand(current) {
            return Err(ApiError::new(ErrorCode::InvalidTransition, why));
        }
        phases::set(tx, id, Some(by), input)
    })
    .await
}

/// The phases a consultation went through, oldest first.
pub async fn phases(db: &Db, actor: Actor, key: String) -> ApiResult<List<PhaseView>> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &key)?;
        Ok(List::all(phases::log(conn, row.id)?))
    })
    .await
}
