//! Search documents built from the database's current state: the indexer never trusts
//! what a job says happened, it reads what is there now, so replaying a job is harmless.

use std::collections::HashMap;

use diesel::prelude::*;

use super::index::{Change, DocKey, SearchDoc};
use crate::consultations::comments::CommentRow;
use crate::consultations::text::detect_language;
use crate::consultations::types::Visibility;
use crate::db::schema::{comments, events, session_reports, sessions, users};
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::events::reports::ReportRow;
use crate::review::store as review;

type AuthorFacets = (i64, String, Option<String>, Option<String>);

/// Index changes for these comments: an upsert for each consultation contribution that
/// is visible or hidden, a delete for anything else (withdrawn, erased, gone).
pub fn comments(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<Change>> {
    let rows: Vec<CommentRow> = comments::table
        .filter(comments::id.eq_any(ids))
        .select(CommentRow::as_select())
        .load(conn)?;
    let author_ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    let authors: HashMap<i64, AuthorFacets> = users::table
        .filter(users::id.eq_any(&author_ids))
        .select((
            users::id,
            users::stakeholder_group,
            users::region,
            users::country,
        ))
        .load::<AuthorFacets>(conn)?
        .into_iter()
        .map(|a| (a.0, a))
        .collect();
    let reviews = review::many(conn, ids)?;
    let by_id: HashMap<i64, &CommentRow> = rows.iter().map(|r| (r.id, r)).collect();
    Ok(ids
        .iter()
        .map(|id| {
            let doc = by_id
                .get(id)
                .and_then(|row| comment_doc(row, authors.get(&row.author_id), reviews.get(id)));
            match doc {
                Some(doc) => Change::Upsert(doc),
                None => Change::Delete(DocKey::Comment(*id)),
            }
        })
        .collect())
}

fn comment_doc(
    row: &CommentRow,
    author: Option<&AuthorFacets>,
    review: Option<&review::ReviewRow>,
) -> Option<SearchDoc> {
    let consultation = row.consultation_id?;
    let visibility = match row.visibility() {
        Visibility::Withdrawn => return None,
        v => v,
    };
    let mut facets: Vec<(&'static str, String)> = vec![
        ("type", "comment".into()),
        ("consultation", consultation.to_string()),
        ("visibility", visibility.as_str().into()),
        ("kind", row.kind.as_str().to_owned()),
        ("language", row.language.clone()),
    ];
    if let Some((_, group, region, country)) = author {
        facets.push(("stakeholder_group", group.clone()));
        if let Some(region) = region {
            facets.push(("region", region.clone()));
        }
        // An anonymous contribution shows its group and region, never the country:
        // in a small country that could name the person.
        if let (Some(country), false) = (country, row.anonymous) {
            facets.push(("country", country.clone()));
        }
    }
    if let Some(key) = &row.paragraph_key {
        facets.push(("paragraph_key", key.clone()));
    }
    facets.push((
        "review_status",
        review.map_or_else(|| "new".to_owned(), |r| r.status.as_str().to_owned()),
    ));
    for tag in review.map(|r| r.tags()).unwrap_or_default() {
        facets.push(("tag", tag));
    }
    let mut text = row.body.clone();
    if let Some(proposed) = &row.proposed_text {
        text.push_str("\n\n");
        text.push_str(proposed);
    }
    Some(SearchDoc {
        key: DocKey::Comment(row.id),
        text,
        language: row.language.split('-').next().unwrap_or("").to_owned(),
        created: row.created_at.and_utc().timestamp_micros(),
        facets,
    })
}

/// Index changes for the reports of these sessions.
pub fn reports(conn: &mut DbConn, session_ids: &[i64]) -> ApiResult<Vec<Change>> {
    let rows: Vec<(ReportRow, (String, String, i64, bool))> = session_reports::table
        .inner_join(sessions::table.inner_join(events::table))
        .filter(session_reports::session_id.eq_any(session_ids))
        .select((
            ReportRow::as_select(),
            (
                sessions::title,
                sessions::subtheme,
                events::id,
                events::published,
            ),
        ))
        .load(conn)?;
    let by_id: HashMap<i64, _> = rows.iter().map(|(r, s)| (r.session_id, (r, s))).collect();
    Ok(session_ids
        .iter()
        .map(|id| match by_id.get(id) {
            Some((report, (title, subtheme, event_id, published))) => {
                let mut text = title.clone();
                for list in [&report.key_takeaways, &report.calls_to_action] {
                    for line in serde_json::from_str::<Vec<String>>(list).unwrap_or_default() {
                        text.push('\n');
                        text.push_str(&line);
                    }
                }
                let visibility = if *published { "visible" } else { "hidden" };
                Change::Upsert(SearchDoc {
                    key: DocKey::Report(*id),
                    language: detect_language(&text).unwrap_or_default(),
                    text,
                    created: report.updated_at.and_utc().timestamp_micros(),
                    facets: vec![
                        ("type", "session_report".into()),
                        ("event", event_id.to_string()),
                        ("visibility", visibility.into()),
                        ("subtheme", subtheme.clone()),
                    ],
                })
            }
            None => Change::Delete(DocKey::Report(*id)),
        })
        .collect())
}

/// Ids of every indexable entity after `after`, a page at a time, for a rebuild.
pub fn comment_ids_after(conn: &mut DbConn, after: i64, limit: i64) -> ApiResult<Vec<i64>> {
    Ok(comments::table
        .filter(comments::id.gt(after))
        .filter(comments::consultation_id.is_not_null())
        .order(comments::id)
        .limit(limit)
        .select(comments::id)
        .load(conn)?)
}

pub fn report_ids(conn: &mut DbConn) -> ApiResult<Vec<i64>> {
    Ok(session_reports::table
        .select(session_reports::session_id)
        .load(conn)?)
}
