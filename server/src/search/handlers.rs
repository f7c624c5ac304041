//! Search endpoints: parse and check the query, ask the index, and answer with the
//! current rows from the database (the index only finds; the database decides what the
//! caller may see).

use std::collections::HashMap;
use std::time::Instant;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::index::{DocKey, Hit, Results, SearchQuery, Sort};
use crate::accounts::auth::MaybeUser;
use crate::consultations::comments::{self, CommentRow};
use crate::consultations::store::{self as consultations, Viewer};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::http::page::{self, Page};
use crate::review::store::{self as review, ReviewStatus};
use crate::state::AppState;

type State = web::Data<AppState>;

pub const MAX_QUERY_CHARS: usize = 500;
/// Deep paging costs the index more with every page; nobody reads 10,000 results.
const MAX_OFFSET: usize = 10_000;

#[derive(Deserialize, Default)]
pub struct SearchParams {
    q: Option<String>,
    #[serde(rename = "type")]
    doc_type: Option<String>,
    stakeholder_group: Option<String>,
    region: Option<String>,
    country: Option<String>,
    language: Option<String>,
    paragraph_key: Option<String>,
    kind: Option<String>,
    review_status: Option<String>,
    tag: Option<String>,
    event_id: Option<String>,
    sort: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Comma-separated values of a filter; any of them matches.
fn values(raw: &Option<String>) -> Option<Vec<String>> {
    let list: Vec<String> = raw
        .as_deref()?
        .split(',')
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

fn check_each(
    name: &str,
    list: &[String],
    ok: impl Fn(&str) -> bool,
    expected: &str,
) -> ApiResult<()> {
    match list.iter().find(|v| !ok(v)) {
        Some(v) => Err(ApiError::query(
            name,
            format!("has an unknown value {v:?} (expected {expected})"),
        )),
        None => Ok(()),
    }
}

struct Common {
    text: String,
    sort: Sort,
    page: Page,
    offset: usize,
}

fn common(p: &SearchParams) -> ApiResult<Common> {
    let text = p.q.clone().unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::query(
            "q",
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let sort = match p.sort.as_deref() {
        Some("relevance") => Sort::Relevance,
        Some("newest") => Sort::Newest,
        None if text.trim().is_empty() => Sort::Newest,
        None => Sort::Relevance,
        Some(_) => return Err(ApiError::query("sort", "must be relevance or newest")),
    };
    let page = Page::parse(p.limit, p.cursor.as_deref())?;
    let offset = usize::try_from(page.after.unwrap_or(0))
        .map_err(|_| ApiError::query("cursor", "is not a cursor this API gave out"))?;
    if offset > MAX_OFFSET {
        return Err(ApiError::query(
            "cursor",
            "goes deeper than 10,000 results: narrow the search",
        ));
    }
    Ok(Common {
        text,
        sort,
        page,
        offset,
    })
}

impl Common {
    fn search(
        &self,
        index: &dyn super::SearchIndex,
        filters: Vec<(&'static str, Vec<String>)>,
        facets: Vec<&'static str>,
    ) -> ApiResult<Results> {
        index
            .search(&SearchQuery {
                text: self.text.clone(),
                filters,
                facets,
                sort: self.sort,
                offset: self.offset,
                limit: self.page.limit as usize,
            })
            .map_err(ApiError::from)
    }

    /// The answer of both searches.
    fn answer(&self, results: &Results, items: Vec<Value>, started: Instant) -> Value {
        let next = self.offset + self.page.limit as usize;
        json!({
            "items": items,
            "total": results.total,
            "facets": results.facets,
            "next_cursor": (next < results.total).then(|| page::encode(next as i64)),
            "approximate": results.approximate,
            "took_ms": started.elapsed().as_millis() as u64,
        })
    }
}

/// The filters shared by both searches.
fn contribution_filters(p: &SearchParams) -> ApiResult<Vec<(&'static str, Vec<String>)>> {
    let mut filters = Vec::new();
    for (name, raw) in [
        ("stakeholder_group", &p.stakeholder_group),
        ("region", &p.region),
        ("language", &p.language),
    ] {
        if let Some(list) = values(raw) {
            filters.push((name, list));
        }
    }
    if let Some(list) = values(&p.country) {
        filters.push((
            "country",
            list.into_iter().map(|c| c.to_uppercase()).collect(),
        ));
    }
    if let Some(list) = values(&p.kind) {
        check_each(
            "kind",
            &list,
            |v| v == "comment" || v == "amendment",
            "comment, amendment",
        )?;
        filters.push(("kind", list));
    }
    Ok(filters)
}

/// Whether the caller reviews this consultation: its co-facilitators, and organisers.
pub fn is_reviewer(
    conn: &mut DbConn,
    user: Option<&crate::accounts::auth::AuthUser>,
    consultation_id: i64,
) -> ApiResult<bool> {
    let Some(user) = user else { return Ok(false) };
    Ok(user.has(crate::accounts::types::Role::Organizer)
        || consultations::is_cofacilitator(conn, consultation_id, user.id)?)
}

pub async fn consultation(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<SearchParams>,
) -> ApiResult<HttpResponse> {
    let started = Instant::now();
    let p = query.into_inner();
    let c = common(&p)?;
    let mut filters = contribution_filters(&p)?;
    if let Some(list) = values(&p.paragraph_key) {
        filters.push(("paragraph_key", list));
    }
    let review_filters = [values(&p.review_status), values(&p.tag)];
    if let Some(list) = &review_filters[0] {
        check_each(
            "review_status",
            list,
            |v| ReviewStatus::parse(v).is_some(),
            &ReviewStatus::expected(),
        )?;
    }
    let index = state.search.clone();
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, viewer) = consultations::resolve_for(conn, &key, user.0.as_ref())?;
            let reviewer = is_reviewer(conn, user.0.as_ref(), row.id)?;
            if !reviewer && review_filters.iter().any(Option::is_some) {
                return Err(ApiError::forbidden(
                    "review status and tags are for the consultation's co-facilitators",
                ));
            }
            let [status, tags] = review_filters;
            if let Some(list) = status {
                filters.push(("review_status", list));
            }
            if let Some(list) = tags {
                filters.push(("tag", list.into_iter().map(|t| t.to_lowercase()).collect()));
            }
            filters.push(("consultation", vec![row.id.to_string()]));
            if !viewer.privileged {
                filters.push(("visibility", vec!["visible".into()]));
            }
            let mut facets = vec!["stakeholder_group", "region", "language", "paragraph_key"];
            if reviewer {
                facets.extend(["review_status", "tag"]);
            }
            let results = c.search(index.as_ref(), filters, facets)?;
            let items = comment_items(conn, &results.hits, &viewer, reviewer)?;
            Ok(c.answer(&results, items, started))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The hits that are comments, as the viewer may see them now, in the index's order.
fn comment_items(
    conn: &mut DbConn,
    hits: &[Hit],
    viewer: &Viewer,
    reviewer: bool,
) -> ApiResult<Vec<Value>> {
    let ids: Vec<i64> = hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Comment(id) => Some(id),
            DocKey::Report(_) => None,
        })
        .collect();
    // Search shows contributions as the public sees them (the anonymous stay anonymous;
    // hidden texts are not in the index).
    let reader = viewer
        .user_id
        .map_or(crate::policy::Reader::PUBLIC, crate::policy::Reader::person);
    let rows: Vec<CommentRow> = comments_by_id(conn, &ids)?
        .into_iter()
        .filter(|r| reader.lens(r.author_id, r.status).is_some())
        .collect();
    let views =
        comments::view::render(conn, &rows, &reader, crate::policy::audit::Surface::Search)?;
    let reviews = if reviewer {
        review::many(conn, &ids)?
    } else {
        HashMap::new()
    };
    let mut by_id: HashMap<i64, Value> = rows
        .iter()
        .zip(views)
        .map(|(r, v)| {
            let mut v = serde_json::to_value(v).unwrap_or(Value::Null);
            if reviewer {
                v["review"] = review::view(reviews.get(&r.id));
            }
            (r.id, v)
        })
        .collect();
    Ok(hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Comment(id) => by_id.remove(&id).map(
                |comment| json!({"type": "comment", "comment": comment, "highlight": h.highlight}),
            ),
            DocKey::Report(_) => None,
        })
        .collect())
}

fn comments_by_id(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<CommentRow>> {
    use crate::db::schema::comments as c;
    use diesel::prelude::*;
    Ok(c::table
        .filter(c::id.eq_any(ids))
        .select(CommentRow::as_select())
        .load(conn)?)
}

pub async fn everything(state: State, query: web::Query<SearchParams>) -> ApiResult<HttpResponse> {
    let started = Instant::now();
    let p = query.into_inner();
    let c = common(&p)?;
    if p.review_status.is_some() || p.tag.is_some() || p.paragraph_key.is_some() {
        return Err(ApiError::query(
            "review_status",
            "review fields and paragraphs are searched within a consultation",
        ));
    }
    let mut filters = contribution_filters(&p)?;
    if let Some(list) = values(&p.doc_type) {
        check_each(
            "type",
            &list,
            |v| v == "comment" || v == "session_report",
            "comment, session_report",
        )?;
        filters.push(("type", list));
    }
    if let Some(list) = values(&p.event_id) {
        check_each("event_id", &list, |v| v.parse::<i64>().is_ok(), "event ids")?;
        filters.push(("event", list));
    }
    filters.push(("visibility", vec!["visible".into()]));
    let index = state.search.clone();
    let body = state
        .db
        .run(move |conn| {
            let facets = vec!["type", "stakeholder_group", "region", "language"];
            let results = c.search(index.as_ref(), filters, facets)?;
            let viewer = Viewer::default();
            let mut comments: HashMap<i64, Value> =
                comment_items(conn, &results.hits, &viewer, false)?
                    .into_iter()
                    .filter_map(|item| Some((item["comment"]["id"].as_i64()?, item)))
                    .collect();
            let mut reports = report_items(conn, &results.hits)?;
            let items: Vec<Value> = results
                .hits
                .iter()
                .filter_map(|h| match h.key {
                    DocKey::Comment(id) => comments.remove(&id),
                    DocKey::Report(id) => reports.remove(&id),
                })
                .collect();
            Ok(c.answer(&results, items, started))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Session reports among the hits, of published events only.
fn report_items(conn: &mut DbConn, hits: &[Hit]) -> ApiResult<HashMap<i64, Value>> {
    use crate::db::schema::{events, session_reports, sessions};
    use crate::events::reports::{self, ReportRow};
    use diesel::prelude::*;
    let ids: Vec<i64> = hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Report(id) => Some(id),
            DocKey::Comment(_) => None,
        })
        .collect();
    let highlights: HashMap<i64, &str> = hits
        .iter()
        .filter_map(|h| match h.key {
            DocKey::Report(id) => Some((id, h.highlight.as_str())),
            DocKey::Comment(_) => None,
        })
        .collect();
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
            let mut report = reports::view(&r);
            report["title"] = json!(title);
            report["subtheme"] = json!(subtheme);
            report["event_id"] = json!(event_id);
            report["event_slug"] = json!(event_slug);
            let highlight = highlights.get(&r.session_id).copied().unwrap_or_default();
            (
                r.session_id,
                json!({"type": "session_report", "report": report, "highlight": highlight}),
            )
        })
        .collect())
}
