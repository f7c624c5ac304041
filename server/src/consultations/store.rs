//! Consultation and version queries.

use crate::events::types::parse_timezone;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::importer::{Document, Footnote};
use super::keys::{self, Incoming, Known, Stored};
use super::types::{Participation, Status};
use crate::db::schema::{
    comments, consultation_cofacilitators, consultations, document_versions, paragraphs, users,
};
use crate::db::Tx;
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = consultations)]
pub struct ConsultationRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub language: String,
    #[diesel(deserialize_as = String)]
    pub status: Status,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub current_version_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    participation: String,
    participant_groups: String,
    timezone: String,
}

impl ConsultationRow {
    /// The zone its dates are told in (checked when written).
    pub fn tz(&self) -> chrono_tz::Tz {
        parse_timezone(&self.timezone).unwrap_or(DEFAULT_TIMEZONE)
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn participation(&self) -> Participation {
        Participation::from_columns(&self.participation, &self.participant_groups)
    }

    /// Open for contributions now: status `open` and within the opening times.
    pub fn accepts_contributions(&self, at: NaiveDateTime) -> bool {
        self.status() == Status::Open
            && self.opens_at.is_none_or(|t| t <= at)
            && self.closes_at.is_none_or(|t| at < t)
    }

    pub fn ensure_open(&self) -> ApiResult<()> {
        if self.accepts_contributions(now()) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::ConsultationClosed,
                "this consultation is not open for contributions",
            ))
        }
    }
}

/// By numeric id or slug. Drafts exist only for organisers and co-facilitators.
pub fn resolve(conn: &mut DbConn, id_or_slug: &str) -> ApiResult<ConsultationRow> {
    Ok(resolve_for(conn, id_or_slug, None)?.0)
}

/// A consultation by id or slug, and whether `user_id` co-facilitates it: one statement
/// for what every request about a consultation asks first (`policy::consultation_for`).
pub fn resolve_for(
    conn: &mut DbConn,
    id_or_slug: &str,
    user_id: Option<i64>,
) -> ApiResult<(ConsultationRow, bool)> {
    use crate::db::schema::consultation_cofacilitators as cc;
    // No one (`NULL`) co-facilitates: `user_id = NULL` holds for no row.
    let query = consultations::table
        .left_join(
            cc::table.on(cc::consultation_id
                .eq(consultations::id)
                .and(cc::user_id.nullable().eq(user_id))),
        )
        .select((ConsultationRow::as_select(), cc::user_id.nullable()));
    let row: Option<(ConsultationRow, Option<i64>)> = match id_or_slug.parse::<i64>() {
        Ok(id) => query
            .filter(consultations::id.eq(id))
            .first(conn)
            .optional()?,
        Err(_) => query
            .filter(consultations::slug.eq(id_or_slug))
            .first(conn)
            .optional()?,
    };
    let (row, cofacilitator) = row.ok_or_else(|| ApiError::not_found("consultation"))?;
    Ok((row, cofacilitator.is_some()))
}

pub struct NewConsultation {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub participation: Participation,
    pub timezone: chrono_tz::Tz,
}

/// Where a consultation's dates are told when its co-facilitators name no zone: UN
/// Headquarters.
pub const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::America::New_York;

pub fn create(conn: &mut DbConn, c: &NewConsultation) -> ApiResult<i64> {
    let taken: bool = diesel::select(diesel::dsl::exists(
        consultations::table.filter(consultations::slug.eq(&c.slug)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(ApiError::new(
            ErrorCode::SlugTaken,
            "another consultation has this slug",
        ));
    }
    let t = now();
    let (participation, groups) = c.participation.to_columns();
    let id: i64 = diesel::insert_into(consultations::table)
        .values((
            consultations::participation.eq(participation),
            consultations::participant_groups.eq(groups),
            consultations::slug.eq(&c.slug),
            consultations::title.eq(&c.title),
            consultations::description.eq(&c.description),
            consultations::language.eq(&c.language),
            consultations::status.eq(Status::Draft.as_str()),
            consultations::opens_at.eq(c.opens_at),
            consultations::closes_at.eq(c.closes_at),
            consultations::timezone.eq(c.timezone.name()),
            consultations::created_by.eq(c.created_by),
            consultations::created_at.eq(t),
            consultations::updated_at.eq(t),
        ))
        .returning(consultations::id)
        .get_result(conn)?;
    outbox::create_channel(conn, &outbox::consultation_channel(id))?;
    Ok(id)
}

#[derive(Default)]
pub struct Changes {
    pub title: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub opens_at: Option<Option<NaiveDateTime>>,
    pub closes_at: Option<Option<NaiveDateTime>>,
    pub status: Option<Status>,
    pub participation: Option<Participation>,
    pub timezone: Option<chrono_tz::Tz>,
}

pub fn update(conn: &mut DbConn, row: &ConsultationRow, c: Changes) -> ApiResult<()> {
    if let Some(next) = c.status {
        let current = row.status();
        if next != current && !current.can_move_to(next) {
            return Err(ApiError::new(
                ErrorCode::InvalidTransition,
                format!("a {current} consultation cannot become {next}"),
            ));
        }
    }
    // The texts and their translations are filed under the language they were
    // imported in: once there is one, relabelling it would make the English original
    // "French" beside a French translation.
    if let Some(language) = &c.language {
        if *language != row.language && row.current_version_id.is_some() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "the texts of this consultation are in {}: its language cannot change once it has a version",
                    row.language
                ),
            ));
        }
    }
    let opens_at = c.opens_at.unwrap_or(row.opens_at);
    let closes_at = c.closes_at.unwrap_or(row.closes_at);
    if let (Some(o), Some(cl)) = (opens_at, closes_at) {
        if o >= cl {
            return Err(ApiError::field("closes_at", "must be after opens_at"));
        }
    }
    let (participation, groups) = c
        .participation
        .unwrap_or_else(|| row.participation())
        .to_columns();
    diesel::update(consultations::table.find(row.id))
        .set((
            consultations::participation.eq(participation),
            consultations::participant_groups.eq(groups),
            consultations::title.eq(c.title.unwrap_or_else(|| row.title.clone())),
            consultations::description.eq(c.description.unwrap_or_else(|| row.description.clone())),
            consultations::language.eq(c.language.unwrap_or_else(|| row.language.clone())),
            consultations::opens_at.eq(opens_at),
            consultations::closes_at.eq(closes_at),
            consultations::timezone.eq(c.timezone.unwrap_or_else(|| row.tz()).name()),
            consultations::status.eq(c.status.unwrap_or(row.status()).as_str()),
            consultations::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_cofacilitators(
    conn: &mut DbConn,
    consultation_id: i64,
    user_ids: &[i64],
) -> ApiResult<()> {
    let live = crate::accounts::store::live_accounts(conn, user_ids)?;
    ApiError::unless_all_found("user_ids", "account", user_ids, |id| live.contains(&id))?;
    let mut unique = user_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    diesel::delete(
        consultation_cofacilitators::table
            .filter(consultation_cofacilitators::consultation_id.eq(consultation_id)),
    )
    .execute(conn)?;
    for user_id in unique {
        diesel::insert_into(consultation_cofacilitators::table)
            .values((
                consultation_cofacilitators::consultation_id.eq(consultation_id),
                consultation_cofacilitators::user_id.eq(user_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Serialize)]
pub struct Person {
    pub id: i64,
    pub display_name: String,
}

pub fn cofacilitators(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<Person>> {
    let rows: Vec<(i64, String)> = consultation_cofacilitators::table
        .inner_join(users::table.on(users::id.eq(consultation_cofacilitators::user_id)))
        .filter(consultation_cofacilitators::consultation_id.eq(consultation_id))
        .order(users::id)
        .select((users::id, users::display_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name)| Person { id, display_name })
        .collect())
}

pub fn list(
    conn: &mut DbConn,
    include_drafts: bool,
    after: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<ConsultationRow>> {
    let mut q = consultations::table
        .select(ConsultationRow::as_select())
        .order(consultations::id.desc())
        .into_boxed();
    if !include_drafts {
        q = q.filter(consultations::status.ne(Status::Draft.as_str()));
    }
    if let Some(after) = after {
        q = q.filter(consultations::id.lt(after));
    }
    Ok(q.limit(limit).load(conn)?)
}

// ---- versions ----

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = document_versions)]
pub struct VersionRow {
    pub id: i64,
    pub consultation_id: i64,
    pub label: String,
    pub position: i32,
    pub source_format: String,
    pub footnotes: String,
    pub removed_keys: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = paragraphs)]
pub struct ParagraphRow {
    pub id: i64,
    pub version_id: i64,
    pub key: String,
    pub number: String,
    pub parent_key: Option<String>,
    pub section: String,
    pub section_path: String,
    pub position: i32,
    pub text: String,
    pub footnote_refs: String,
    pub informed_by: String,
}

impl ParagraphRow {
    pub fn informed_by(&self) -> Vec<i64> {
        serde_json::from_str(&self.informed_by).unwrap_or_default()
    }
    fn stored(&self) -> Stored {
        Stored {
            key: self.key.clone(),
            number: self.number.clone(),
            section: self.section.clone(),
            text: self.text.clone(),
            informed_by: self.informed_by(),
        }
    }
}

/// A paragraph of a version about to be stored.
pub struct DraftParagraph {
    pub key: Option<String>,
    pub number: String,
    pub parent_number: Option<String>,
    pub section_path: Vec<String>,
    pub text: String,
    pub footnote_refs: Vec<u32>,
    pub informed_by: Vec<i64>,
}

impl From<Document> for (Vec<DraftParagraph>, Vec<Footnote>) {
    fn from(doc: Document) -> Self {
        let paragraphs = doc
            .paragraphs
            .into_iter()
            .map(|p| DraftParagraph {
                key: None,
                number: p.number,
                parent_number: p.parent,
                section_path: p.section_path,
                text: p.text,
                footnote_refs: p.footnote_refs,
                informed_by: vec![],
            })
            .collect();
        (paragraphs, doc.footnotes)
    }
}

pub fn version_paragraphs(conn: &mut DbConn, version_id: i64) -> ApiResult<Vec<ParagraphRow>> {
    Ok(paragraphs::table
        .filter(paragraphs::version_id.eq(version_id))
        .order(paragraphs::position)
        .select(ParagraphRow::as_select())
        .load(conn)?)
}

pub fn find_version(conn: &mut DbConn, consultation_id: i64, label: &str) -> ApiResult<VersionRow> {
    document_versions::table
        .filter(document_versions::consultation_id.eq(consultation_id))
        .filter(document_versions::label.eq(label))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("version"))
}

pub fn version_by_id(conn: &mut DbConn, version_id: i64) -> ApiResult<VersionRow> {
    document_versions::table
        .find(version_id)
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("version"))
}

pub fn versions(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<VersionRow>> {
    Ok(document_versions::table
        .filter(document_versions::consultation_id.eq(consultation_id))
        .order(document_versions::position)
        .select(VersionRow::as_select())
        .load(conn)?)
}

/// Whether the current version has a paragraph with this key.
pub fn has_paragraph(conn: &mut DbConn, row: &ConsultationRow, key: &str) -> ApiResult<bool> {
    let Some(version) = row.current_version_id else {
        return Ok(false);
    };
    Ok(diesel::select(diesel::dsl::exists(
        paragraphs::table
            .filter(paragraphs::version_id.eq(version))
            .filter(paragraphs::key.eq(key)),
    ))
    .get_result(conn)?)
}

/// Whether any version of the text had a paragraph with this key (comments stay on
/// paragraphs that later versions dropped).
pub fn ever_had_paragraph(conn: &mut DbConn, consultation_id: i64, key: &str) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        paragraphs::table
            .filter(
                paragraphs::version_id.eq_any(
                    document_versions::table
                        .filter(document_versions::consultation_id.eq(consultation_id))
                        .select(document_versions::id),
                ),
            )
            .filter(paragraphs::key.eq(key)),
    ))
    .get_result(conn)?)
}

/// The text a new version continues: the consultation's current version when it was
/// read (`None` before the first) and its paragraphs.
pub struct VersionBase {
    pub version_id: Option<i64>,
    pub paragraphs: Vec<ParagraphRow>,
}

/// Reads what a new version of the consultation continues (step 1 of 3: a read, before
/// any transaction).
pub fn version_base(conn: &mut DbConn, consultation_id: i64) -> ApiResult<VersionBase> {
    let version_id: Option<i64> = consultations::table
        .find(consultation_id)
        .select(consultations::current_version_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("consultation"))?;
    let paragraphs = match version_id {
        Some(v) => version_paragraphs(conn, v)?,
        None => vec![],
    };
    Ok(VersionBase {
        version_id,
        paragraphs,
    })
}

/// Whether the consultation has a version with this label already.
pub fn version_exists(conn: &mut DbConn, consultation_id: i64, label: &str) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        document_versions::table
            .filter(document_versions::consultation_id.eq(consultation_id))
            .filter(document_versions::label.eq(label)),
    ))
    .get_result(conn)?)
}

/// A version ready to be written: keys assigned and rows prepared against `base_version`.
pub struct VersionPlan {
    base_version: Option<i64>,
    label: String,
    format: String,
    /// As given (keys only where the author named them), to plan again from.
    draft: Vec<DraftParagraph>,
    footnotes: Vec<Footnote>,
    created_by: Option<i64>,
    rows: Vec<PlannedRow>,
    removed: Vec<String>,
}

struct PlannedRow {
    key: String,
    /// A fresh key: the paragraph continues none of the current version's.
    fresh: bool,
    parent_key: Option<String>,
    section: String,
    section_path: String,
    footnote_refs: String,
    informed_by: String,
}

impl VersionPlan {
    /// The draft as it was given, to plan again against a newer version.
    pub fn into_draft(self) -> (Vec<DraftParagraph>, Vec<Footnote>) {
        (self.draft, self.footnotes)
    }

    /// Each paragraph with the key it will have and whether that key is fresh.
    pub fn keyed(&self) -> impl Iterator<Item = (&DraftParagraph, &str, bool)> {
        self.draft
            .iter()
            .zip(&self.rows)
            .map(|(p, r)| (p, r.key.as_str(), r.fresh))
    }

    /// The keys of the current version that the plan does not continue.
    pub fn removed(&self) -> &[String] {
        &self.removed
    }

    pub fn footnotes(&self) -> &[Footnote] {
        &self.footnotes
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn format(&self) -> &str {
        &self.format
    }
}

/// Plans a version against `base` (step 2 of 3: no connection, no transaction): checks
/// the paragraphs, gives each the key of the one it continues (by number and text
/// similarity, or as named) or a fresh one, and prepares the rows.
pub fn plan_version(
    base: &VersionBase,
    label: &str,
    format: &str,
    draft: Vec<DraftParagraph>,
    footnotes: Vec<Footnote>,
    created_by: Option<i64>,
) -> ApiResult<VersionPlan> {
    let previous = &base.paragraphs;
    // Named keys must be keys of this consultation's current text.
    let current: std::collections::HashSet<&str> =
        previous.iter().map(|o| o.key.as_str()).collect();
    for p in &draft {
        if let Some(k) = &p.key {
            if !current.contains(k.as_str()) {
                return Err(ApiError::field(
                    "paragraphs",
                    format!("key {k:?} is not a paragraph of the current version"),
                ));
            }
        }
    }
    let mut numbers = std::collections::HashSet::new();
    for p in &draft {
        if !numbers.insert(p.number.as_str()) {
            return Err(ApiError::field(
                "paragraphs",
                format!("number {:?} appears twice", p.number),
            ));
        }
    }
    let known: Vec<Known<'_>> = previous
        .iter()
        .map(|p| Known {
            key: &p.key,
            number: &p.number,
            text: &p.text,
        })
        .collect();
    let incoming: Vec<Incoming<'_>> = draft
        .iter()
        .map(|p| Incoming {
            key: p.key.as_deref(),
            number: &p.number,
            text: &p.text,
        })
        .collect();
    let (keys, removed) = keys::assign(&known, &incoming);
    let keys: Vec<(String, bool)> = keys
        .into_iter()
        .map(|k| match k {
            Some(k) => (k, false),
            None => (new_key(), true),
        })
        .collect();
    let key_of_number: HashMap<&str, &str> = draft
        .iter()
        .zip(&keys)
        .map(|(p, (k, _))| (p.number.as_str(), k.as_str()))
        .collect();
    let rows = draft
        .iter()
        .zip(&keys)
        .map(|(p, (key, fresh))| PlannedRow {
            key: key.clone(),
            fresh: *fresh,
            parent_key: p
                .parent_number
                .as_deref()
                .and_then(|n| key_of_number.get(n))
                .map(|k| (*k).to_owned()),
            section: p.section_path.last().cloned().unwrap_or_default(),
            section_path: json(&p.section_path),
            footnote_refs: json(&p.footnote_refs),
            informed_by: json(&p.informed_by),
        })
        .collect();
    Ok(VersionPlan {
        base_version: base.version_id,
        label: label.to_owned(),
        format: format.to_owned(),
        draft,
        footnotes,
        created_by,
        rows,
        removed,
    })
}

/// A list as stored: JSON text.
fn json<T: Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// What became of a planned version.
pub enum Written {
    /// Stored as the current version, with this id.
    Stored(i64),
    /// Another version became current after the plan was made: plan again.
    Stale(Box<VersionPlan>),
}

/// Rows per INSERT: 10 values each, well under the limits on parameters of both databases.
const INSERT_CHUNK: usize = 500;

/// Writes a planned version as the current one (step 3 of 3: the transaction, which only
/// writes). First claims the consultation's row on the condition that its current
/// version is still the one planned against (on PostgreSQL this also makes a concurrent
/// import of the same consultation wait for this one), else answers `Stale`.
pub fn write_version(tx: &mut Tx, consultation_id: i64, plan: VersionPlan) -> ApiResult<Written> {
    let t = now();
    let claimed = {
        let target = consultations::table.filter(consultations::id.eq(consultation_id));
        let set = consultations::updated_at.eq(t);
        match plan.base_version {
            Some(v) => diesel::update(target.filter(consultations::current_version_id.eq(v)))
                .set(set)
                .execute(tx.conn())?,
            None => diesel::update(target.filter(consultations::current_version_id.is_null()))
                .set(set)
                .execute(tx.conn())?,
        }
    };
    if claimed == 0 {
        // Gone, or another version landed since the plan was made.
        resolve(tx, &consultation_id.to_string())?;
        return Ok(Written::Stale(Box::new(plan)));
    }
    if version_exists(tx, consultation_id, &plan.label)? {
        return Err(ApiError::new(
            ErrorCode::VersionExists,
            format!("version {:?} already exists", plan.label),
        ));
    }
    let position: i32 = document_versions::table
        .filter(document_versions::consultation_id.eq(consultation_id))
        .count()
        .get_result::<i64>(tx.conn())? as i32;
    let version_id: i64 = diesel::insert_into(document_versions::table)
        .values((
            document_versions::consultation_id.eq(consultation_id),
            document_versions::label.eq(&plan.label),
            document_versions::position.eq(position + 1),
            document_versions::source_format.eq(&plan.format),
            document_versions::footnotes.eq(json(&plan.footnotes)),
            document_versions::removed_keys.eq(json(&plan.removed)),
            document_versions::created_by.eq(plan.created_by),
            document_versions::created_at.eq(t),
        ))
        .returning(document_versions::id)
        .get_result(tx.conn())?;
    for (n, (rows, draft)) in plan
        .rows
        .chunks(INSERT_CHUNK)
        .zip(plan.draft.chunks(INSERT_CHUNK))
        .enumerate()
    {
        let values = || -> Vec<_> {
            rows.iter()
                .zip(draft)
                .enumerate()
                .map(|(k, (r, p))| {
                    (
                        paragraphs::version_id.eq(version_id),
                        paragraphs::key.eq(&r.key),
                        paragraphs::number.eq(&p.number),
                        paragraphs::parent_key.eq(&r.parent_key),
                        paragraphs::section.eq(&r.section),
                        paragraphs::section_path.eq(&r.section_path),
                        paragraphs::position.eq((n * INSERT_CHUNK + k) as i32),
                        paragraphs::text.eq(&p.text),
                        paragraphs::footnote_refs.eq(&r.footnote_refs),
                        paragraphs::informed_by.eq(&r.informed_by),
                    )
                })
                .collect()
        };
        // One statement per chunk. The two-backend connection has no multi-row INSERT
        // (it would need SQLite to know DEFAULT), each backend's own connection has.
        match tx.conn() {
            DbConn::Sqlite(c) => diesel::insert_into(paragraphs::table)
                .values(values())
                .execute(c)?,
            DbConn::Postgres(c) => diesel::insert_into(paragraphs::table)
                .values(values())
                .execute(c)?,
        };
    }
    diesel::update(consultations::table.find(consultation_id))
        .set(consultations::current_version_id.eq(Some(version_id)))
        .execute(tx.conn())?;
    outbox::append_live_event(
        tx,
        &outbox::consultation_channel(consultation_id),
        "version.created",
        outbox::Audience::Public,
        None,
        &json!({"label": plan.label, "paragraphs": plan.rows.len(), "removed": plan.removed.len()}),
    );
    crate::notifications::hooks::version_added(
        tx,
        consultation_id,
        version_id,
        &plan.label,
        plan.created_by,
    )?;
    Ok(Written::Stored(version_id))
}

/// Stores a new version as the current one, all three steps in the caller's transaction:
/// for the seed and the command line, where no request waits for the writer.
pub fn insert_version(
    tx: &mut Tx,
    row: &ConsultationRow,
    label: &str,
    format: &str,
    draft: Vec<DraftParagraph>,
    footnotes: &[Footnote],
    created_by: Option<i64>,
) -> ApiResult<i64> {
    let base = version_base(tx, row.id)?;
    let plan = plan_version(&base, label, format, draft, footnotes.to_vec(), created_by)?;
    match write_version(tx, row.id, plan)? {
        Written::Stored(id) => Ok(id),
        Written::Stale(_) => Err(ApiError::new(
            ErrorCode::Conflict,
            "another version was stored meanwhile",
        )),
    }
}

fn new_key() -> String {
    format!("p{}", crate::crypto::random_token(6))
}

/// Visible comment counts per paragraph key.
pub fn comment_counts(conn: &mut DbConn, consultation_id: i64) -> ApiResult<HashMap<String, i64>> {
    let rows: Vec<(Option<String>, i64)> = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.eq("visible"))
        .group_by(comments::paragraph_key)
        .select((comments::paragraph_key, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(k, n)| (k.unwrap_or_default(), n))
        .collect())
}

/// A version's label and paragraphs, one side of a diff.
pub type DiffSide = (String, Vec<Stored>);

/// The two versions to diff (labels and paragraphs), `a` then `b`.
pub fn diff_sides(
    conn: &mut DbConn,
    consultation_id: i64,
    a: &str,
    b: &str,
) -> ApiResult<(DiffSide, DiffSide)> {
    let from = find_version(conn, consultation_id, a)?;
    let to = find_version(conn, consultation_id, b)?;
    let from_p: Vec<Stored> = version_paragraphs(conn, from.id)?
        .iter()
        .map(ParagraphRow::stored)
        .collect();
    let to_p: Vec<Stored> = version_paragraphs(conn, to.id)?
        .iter()
        .map(ParagraphRow::stored)
        .collect();
    Ok(((from.label, from_p), (to.label, to_p)))
}

/// The language a consultation's texts are drafted in (their translations' original).
pub fn consultation_language(conn: &mut DbConn, consultation_id: i64) -> ApiResult<String> {
    consultations::table
        .find(consultation_id)
        .select(consultations::language)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("consultation"))
}

pub fn version_label(conn: &mut DbConn, version_id: i64) -> ApiResult<String> {
    Ok(document_versions::table
        .find(version_id)
        .select(document_versions::label)
        .first(conn)?)
}
