//! The searches, for the API and the workbench page alike: ask the index, then answer
//! with the current rows from the database, each shown as the caller may see it now
//! (the index only finds; the database and the policy decide).
//!
//! Hidden contributions are searched for moderators only: for everyone else the index
//! is asked for visible ones alone, so neither the results nor `total` nor the facets
//! (nor a word of the query) can tell anything of a hidden text. An anonymous
//! contribution carries no country into the index (a country filter could name the
//! person in a small country) and never its author's name.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use diesel::prelude::*;

use super::command::{Common, ConsultationSearch, PlatformSearch};
use super::index::{DocKey, Hit, Results, SearchIndex, SearchQuery};
use super::view::{
    CommentHit, CommentType, HitComment, PlatformHit, ReportHit, ReportType, SearchResults,
    SearchedReport,
};
use crate::consultations::comments::{view as comment_view, CommentRow};
use crate::db::{Db, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::view::ReportView;
use crate::policy::audit::Surface;
use crate::policy::guards::consultation_for;
use crate::policy::{Actor, Reader};
use crate::review::view as review_view;

fn ask(
    index: &dyn SearchIndex,
    c: &Common,
    filters: Vec<(&'static str, Vec<String>)>,
    facets: Vec<&'static str>,
) -> ApiResult<Results> {
    index
        .search(&SearchQuery {
            text: c.text.clone(),
            filters,
            facets,
            sort: c.sort,
            offset: c.offset,
            limit: c.page.limit as usize,
        })
        .map_err(ApiError::from)
}

fn answer<T>(c: &Common, results: Results, items: Vec<T>, started: Instant) -> SearchResults<T> {
    let next = c.offset + c.page.limit as usize;
    SearchResults {
        items,
        total: results.total,
        facets: results.facets,
        next_cursor: (next < results.total).then(|| c.page.cursor_at(next)),
        approximate: results.approximate,
        took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// A consultation's contributions. Review status and tags (filters, facets, each hit's
/// `review`) are for those who review this consultation (403 for others who filter by
/// them).
pub async fn consultation(
    db: &Db,
    index: Arc<dyn SearchIndex>,
    actor: Actor,
    key: String,
    cmd: ConsultationSearch,
) -> ApiResult<SearchResults<CommentHit>> {
    let started = Instant::now();
    db.run(move |conn| {
        let (row, access) = consultation_for(conn, &actor, &key)?;
        let reviewer = access.may_review();
        if !reviewer && cmd.filters_reviews() {
            return Err(ApiError::forbidden(
                "review status and tags are for the consultation's co-facilitators",
            ));
        }
        let reader = access.reader();
        for key in cmd.paragraph_keys.iter().flatten() {
            // An unknown value is a mistake to name, not an empty result.
            if !crate::consultations::store::ever_had_paragraph(conn, row.id, key)? {
                return Err(ApiError::query(
                    "paragraph_key",
                    format!("has an unknown value {key:?}: no paragraph of this text"),
                ));
            }
        }
        let mut filters = cmd.filters.to_index();
        if let Some(keys) = &cmd.paragraph_keys {
            filters.push(("paragraph_key", keys.clone()));
        }
        if let Some(list) = &cmd.review_statuses {
            filters.push((
                "review_status",
                list.iter().map(|s| s.as_str().to_owned()).collect(),
            ));
        }
        if let Some(tags) = &cmd.tags {
            filters.push(("tag", tags.clone()));
        }
        filters.push(("consultation", vec![row.id.to_string()]));
        if !reader.sees_hidden() {
            filters.push(("visibility", vec!["visible".into()]));
        }
        let mut facets = vec!["stakeholder_group", "region", "language", "paragraph_key"];
        if reviewer {
            facets.extend(["review_status", "tag"]);
        }
        let results = ask(index.as_ref(), &cmd.common, filters, facets)?;
        let mut found = comment_hits(conn, &results.hits, &reader, reviewer)?;
        let items = results
            .hits
            .iter()
            .filter_map(|h| match h.key {
                DocKey::Comment(id) => found.remove(&id),
                DocKey::Report(_) => None,
            })
            .collect();
        Ok(answer(&cmd.common, results, items, started))
    })
    .await
}

/// Every public contribution and session report on the platform.
pub async fn platform(
    db: &Db,
    index: Arc<dyn SearchIndex>,
    actor: Actor,
    cmd: PlatformSearch,
) -> ApiResult<SearchResults<PlatformHit>> {
    let started = Instant::now();
    // Public contributions only, shown as the public sees them (an author sees their
    // own as theirs), whoever asks: moderators search hidden ones within a consultation.
    let reader = actor.id().map_or(Reader::PUBLIC, Reader::person);
    db.run(move |conn| {
        let mut filters = cmd.filters.to_index();
        if let Some(types) = &cmd.types {
            filters.push((
                "type",
                types.iter().map(|t| t.as_str().to_owned()).collect(),
            ));
        }
        for id in cmd.event_ids.iter().flatten() {
            // Unknown and unpublished events alike: the same answer, nothing revealed.
            match crate::events::store::visible_to(conn, &id.to_string(), &actor) {
                Ok(_) => {}
                Err(e) if e.code == ErrorCode::NotFound => {
                    return Err(ApiError::query(
                        "event_id",
                        format!("has an unknown value {id}: no such event"),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(ids) = &cmd.event_ids {
            filters.push(("event", ids.iter().map(i64::to_string).collect()));
        }
        filters.push(("visibility", vec!["visible".into()]));
        let facets = vec!["type", "stakeholder_group", "region", "language"];
        let results = ask(index.as_ref(), &cmd.common, filters, facets)?;
        let mut comments = comment_hits(conn, &results.hits, &reader, false)?;
        let mut reports = report_hits(conn, &results.hits)?;
        let items = results
            .hits
            .iter()
            .filter_map(|h| match h.key {
                DocKey::Comment(id) => comments
                    .remove(&id)
                    .map(|h| PlatformHit::Comment(Box::new(h))),
                DocKey::Report(id) => reports.remove(&id).map(PlatformHit::SessionReport),
            })
            .collect();
        Ok(answer(&cmd.common, results, items, started))
    })
    .await
}

/// The hits that are contributions this reader may see now, by id, each through the
/// comment view (a moderator's look at an anonymous author is audited), with its
/// review for reviewers.
fn comment_hits(
    conn: &mut DbConn,
    hits: &[Hit],
    reader: &Reader,
    reviewer: bool,
) -> ApiResult<HashMap<i64, CommentHit>> {
    let ids: Vec<i64> = hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Comment(id) => Some(id),
            DocKey::Report(_) => None,
        })
        .collect();
    let mut highlights: HashMap<i64, &str> = hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Comment(id) => Some((id, h.highlight.as_str())),
            DocKey::Report(_) => None,
        })
        .collect();
    let rows: Vec<CommentRow> = {
        use crate::db::schema::comments as c;
        c::table
            .filter(c::id.eq_any(&ids))
            .filter(c::consultation_id.is_not_null())
            .select(CommentRow::as_select())
            .load(conn)?
    };
    let views = comment_view::render(conn, &rows, reader, Surface::Search)?;
    let mut reviews = if reviewer {
        let shown: Vec<i64> = views.iter().map(|v| v.id).collect();
        review_view::reviews(conn, &shown)?
    } else {
        HashMap::new()
    };
    Ok(views
        .into_iter()
        .map(|view| {
            let id = view.id;
            let hit = CommentHit {
                kind: CommentType::Comment,
                highlight: highlights.remove(&id).unwrap_or_default().to_owned(),
                comment: HitComment {
                    review: reviews.remove(&id),
                    view,
                },
            };
            (id, hit)
        })
        .collect())
}

/// Session reports among the hits, of published events only.
fn report_hits(conn: &mut DbConn, hits: &[Hit]) -> ApiResult<HashMap<i64, ReportHit>> {
    use crate::db::schema::{events, session_reports, sessions};
    use crate::events::reports::ReportRow;
    let mut highlights: HashMap<i64, &str> = hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Report(id) => Some((id, h.highlight.as_str())),
            DocKey::Comment(_) => None,
        })
        .collect();
    if highlights.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = highlights.keys().copied().collect();
    let rows: Vec<(ReportRow, (String, String, i64, String))> = session_reports::table
        .inner_join(sessions::table.inner_join(events::table))
        .filter(session_reports::session_id.eq_any(&ids))
        .filter(events::published.eq(true))
        .select((
            ReportRow::as_select(),
            (
                sessions::title,
                sessions::subtheme,
                events::id,
                events::slug,
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, (title, subtheme, event_id, event_slug))| {
            let id = r.session_id;
            let hit = ReportHit {
                kind: ReportType::SessionReport,
                highlight: highlights.remove(&id).unwrap_or_default().to_owned(),
                report: SearchedReport {
                    report: ReportView::of(&r),
                    title,
                    subtheme,
                    event_id,
                    event_slug,
                },
            };
            (id, hit)
        })
        .collect())
}
