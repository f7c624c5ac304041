//! What posting a contribution to a consultation reads, in one statement: the
//! consultation, whether the poster co-facilitates it, its current phase, its current
//! version's label, and the poster's own row (the language they prefer, and what their
//! view of what they post shows of them). On PostgreSQL each statement of a post is a
//! round trip and a wake-up of a backend; as four or five statements these reads were
//! about a quarter of a comment's cost under a campaign's load (docs/performance.md).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::view::{Author, AuthorFields, AUTHOR_COLUMNS};
use crate::consultations::phases::{Current, Phase};
use crate::consultations::store::ConsultationRow;
use crate::db::schema::{
    consultation_cofacilitators as cc, consultation_phases as cp, consultations,
    document_versions as dv, users,
};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// What deciding a post and answering it need, read once.
pub struct ToPost {
    pub consultation: ConsultationRow,
    pub cofacilitator: bool,
    pub phase: Option<Current>,
    /// The label of the consultation's current version, when it has one.
    pub version_label: Option<String>,
    /// The poster's preferred language (BCP 47) and how they are shown; `None` for an
    /// account that no longer exists.
    pub poster: Option<(String, Author)>,
}

type Read = (
    ConsultationRow,
    Option<i64>,
    Option<String>,
    Option<(String, NaiveDateTime, bool)>,
    Option<(String, AuthorFields)>,
);

/// The consultation by id or slug with what posting to it as `user_id` needs (404 for
/// no such consultation; whether the poster may see it is the policy's to judge).
pub fn to_post(conn: &mut DbConn, id_or_slug: &str, user_id: i64) -> ApiResult<ToPost> {
    let by_id = id_or_slug.parse::<i64>().ok();
    // On the backend's own connection (`per_backend!`): through `DbConn`, writing this
    // read's SQL text out again was 8 % of the server's time under a campaign's comments
    // (docs/performance.md).
    let read: Option<Read> = crate::per_backend!(conn, |c| {
        // The phases joined are the consultation's few; the newest, first, is current.
        let query = consultations::table
            .left_join(
                cc::table.on(cc::consultation_id
                    .eq(consultations::id)
                    .and(cc::user_id.eq(user_id))),
            )
            .left_join(dv::table.on(dv::id.nullable().eq(consultations::current_version_id)))
            .left_join(cp::table.on(cp::consultation_id.eq(consultations::id)))
            .left_join(users::table.on(users::id.eq(user_id)))
            .select((
                ConsultationRow::as_select(),
                cc::user_id.nullable(),
                dv::label.nullable(),
                (cp::phase, cp::set_at, cp::stakeholders_comment).nullable(),
                (users::preferred_language, AUTHOR_COLUMNS).nullable(),
            ))
            .order(cp::id.desc());
        match by_id {
            Some(id) => query
                .filter(consultations::id.eq(id))
                .first::<Read>(c)
                .optional()?,
            None => query
                .filter(consultations::slug.eq(id_or_slug))
                .first::<Read>(c)
                .optional()?,
        }
    });
    let (consultation, cofacilitator, version_label, phase, poster) =
        read.ok_or_else(|| ApiError::not_found("consultation"))?;
    let phase = match phase {
        None => None,
        Some((phase, since, stakeholders_comment)) => Some(Current {
            phase: Phase::parse(&phase)
                .ok_or_else(|| ApiError::internal("a phase the server does not know"))?,
            since,
            stakeholders_comment,
        }),
    };
    Ok(ToPost {
        consultation,
        cofacilitator: cofacilitator.is_some(),
        phase,
        version_label,
        poster: poster.map(|(language, fields)| (language, Author::from_fields(fields))),
    })
}
