//! Review endpoints, for the consultation's co-facilitators (and organisers).

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::store::{self as review, parse_tag, Change, ReviewStatus, MAX_NOTE_CHARS, MAX_TAGS};
use super::{balance as balance_view, duplicates as clusters, export as exporter};
use crate::accounts::auth::AuthUser;
use crate::consultations::store::{self as consultations, ConsultationRow};
use crate::consultations::types::Visibility;
use crate::db::schema::comments;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::double_option;
use crate::http::ApiJson;
use crate::search::handlers::is_reviewer;
use crate::state::AppState;

type State = web::Data<AppState>;

/// The consultation, if the caller reviews it (403 otherwise; 404 if they may not see it).
pub fn reviewed(conn: &mut DbConn, key: &str, user: &AuthUser) -> ApiResult<ConsultationRow> {
    let (row, _) = consultations::resolve_for(conn, key, Some(user))?;
    if !is_reviewer(conn, Some(user), row.id)? {
        return Err(ApiError::forbidden(
            "only the consultation's co-facilitators and organisers review its inputs",
        ));
    }
    Ok(row)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    status: Option<String>,
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    assignee_id: Option<Option<i64>>,
    note: Option<String>,
}

fn parse_change(input: ReviewInput) -> ApiResult<Change> {
    let mut errors = FieldErrors::new();
    let status = input.status.and_then(|s| {
        ReviewStatus::parse(&s).or_else(|| {
            errors.insert(
                "status".into(),
                format!("must be one of {}", ReviewStatus::expected()),
            );
            None
        })
    });
    let tags = input.tags.and_then(|raw| {
        if raw.len() > MAX_TAGS {
            errors.insert("tags".into(), format!("at most {MAX_TAGS} tags"));
            return None;
        }
        let mut tags = Vec::new();
        for t in &raw {
            match parse_tag(t) {
                Ok(t) if !tags.contains(&t) => tags.push(t),
                Ok(_) => {}
                Err(e) => {
                    errors.insert("tags".into(), e);
                    return None;
                }
            }
        }
        Some(tags)
    });
    let note = input.note.and_then(|n| {
        if n.chars().count() > MAX_NOTE_CHARS {
            errors.insert(
                "note".into(),
                format!("at most {MAX_NOTE_CHARS} characters"),
            );
            return None;
        }
        Some(n.trim().to_owned())
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(Change {
        status,
        tags,
        assignee_id: input.assignee_id,
        note,
    })
}

pub async fn review(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    body: ApiJson<ReviewInput>,
) -> ApiResult<HttpResponse> {
    let change = parse_change(body.0)?;
    let id = path.into_inner();
    let view = state
        .db
        .tx(move |conn| {
            let (comment, consultation, _) = crate::consultations::comments::usecase::visible(
                conn,
                &crate::policy::Actor::User(user.clone()),
                id,
            )?;
            let Some(consultation) = consultation else {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "reviews are for consultation inputs, not session comments",
                ));
            };
            reviewed(conn, &consultation.id.to_string(), &user)?;
            if let Some(Some(assignee)) = change.assignee_id {
                if !consultations::is_cofacilitator(conn, consultation.id, assignee)? {
                    return Err(ApiError::field(
                        "assignee_id",
                        "must be a co-facilitator of this consultation",
                    ));
                }
            }
            let row = review::apply(conn, comment.id, change, user.id)?;
            Ok(json!({"comment_id": comment.id, "review": review::view(Some(&row))}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Every change to a contribution's review: who, when, from what, to what.
pub async fn history(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (comment, consultation, _) = crate::consultations::comments::usecase::visible(
                conn,
                &crate::policy::Actor::User(user.clone()),
                id,
            )?;
            let consultation =
                consultation.ok_or_else(|| ApiError::not_found("consultation input"))?;
            reviewed(conn, &consultation.id.to_string(), &user)?;
            Ok(json!({"comment_id": comment.id, "items": review::history(conn, comment.id)?}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// At most this many inputs in one bulk change.
const MAX_BULK: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    comment_ids: Vec<i64>,
    status: Option<String>,
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default)]
    remove_tags: Vec<String>,
}

/// One change to a selection of inputs, all or nothing: a status, tags added or removed
/// (each input keeps its other tags). Every change is in each input's history.
pub async fn bulk(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<BulkInput>,
) -> ApiResult<HttpResponse> {
    let i = input.0;
    let mut errors = FieldErrors::new();
    if i.comment_ids.is_empty() || i.comment_ids.len() > MAX_BULK {
        errors.insert(
            "comment_ids".into(),
            format!("give from 1 to {MAX_BULK} ids"),
        );
    }
    let status = i.status.as_deref().and_then(|s| {
        ReviewStatus::parse(s).or_else(|| {
            errors.insert(
                "status".into(),
                format!("must be one of {}", ReviewStatus::expected()),
            );
            None
        })
    });
    let mut tag_list = |field: &str, raw: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        for t in raw {
            match parse_tag(t) {
                Ok(t) if !out.contains(&t) => out.push(t),
                Ok(_) => {}
                Err(e) => {
                    errors.insert(field.to_owned(), e);
                }
            }
        }
        out
    };
    let add = tag_list("add_tags", &i.add_tags);
    let remove = tag_list("remove_tags", &i.remove_tags);
    if status.is_none() && add.is_empty() && remove.is_empty() && !errors.contains_key("status") {
        errors.insert(
            "status".into(),
            "give a status or tags to add or remove".into(),
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let key = path.into_inner();
    let mut ids = i.comment_ids;
    ids.sort_unstable();
    ids.dedup();
    let body = state
        .db
        .tx(move |conn| {
            let row = reviewed(conn, &key, &user)?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let (comment, consultation, _) = crate::consultations::comments::usecase::visible(
                    conn,
                    &crate::policy::Actor::User(user.clone()),
                    id,
                )
                .map_err(|_| {
                    ApiError::field("comment_ids", format!("{id} is not an input here"))
                })?;
                if consultation.map(|c| c.id) != Some(row.id) {
                    return Err(ApiError::field(
                        "comment_ids",
                        format!("{id} is not an input of this consultation"),
                    ));
                }
                let tags = if add.is_empty() && remove.is_empty() {
                    None
                } else {
                    let current = review::view(review::get(conn, id)?.as_ref());
                    let mut tags: Vec<String> = current["tags"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|t| t.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    tags.retain(|t| !remove.contains(t));
                    for t in &add {
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
                    status,
                    tags,
                    assignee_id: None,
                    note: None,
                };
                let updated = review::apply(conn, comment.id, change, user.id)?;
                out.push(json!({"comment_id": comment.id, "review": review::view(Some(&updated))}));
            }
            Ok(json!({"items": out}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn balance(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let row = reviewed(conn, &key, &user)?;
            balance_view::compute(conn, row.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
pub struct DuplicatesQuery {
    min_size: Option<usize>,
}

pub async fn duplicates(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<DuplicatesQuery>,
) -> ApiResult<HttpResponse> {
    let min_size = query.min_size.unwrap_or(2);
    if !(2..=10_000).contains(&min_size) {
        return Err(ApiError::query("min_size", "must be from 2 to 10000"));
    }
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let row = reviewed(conn, &key, &user)?;
            let items: Vec<(i64, String)> = comments::table
                .filter(comments::consultation_id.eq(row.id))
                .filter(comments::status.eq(Visibility::Visible.as_str()))
                .order(comments::id)
                .select((comments::id, comments::body))
                .load(conn)?;
            let found = clusters::clusters(&items, min_size);
            let bodies: std::collections::HashMap<i64, &str> =
                items.iter().map(|(i, b)| (*i, b.as_str())).collect();
            let excerpt = |id: i64| {
                bodies
                    .get(&id)
                    .map(|body| body.chars().take(200).collect::<String>())
            };
            Ok(found
                .into_iter()
                .map(|members| {
                    json!({
                        "size": members.len(),
                        "representative_id": members[0],
                        "representative_excerpt": excerpt(members[0]),
                        "member_ids": members,
                    })
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::query("format", "must be csv or json")),
    };
    let key = path.into_inner();
    let (rows, slug) = state
        .db
        .run(move |conn| {
            let row = reviewed(conn, &key, &user)?;
            Ok((exporter::rows(conn, row.id)?, row.slug))
        })
        .await?;
    if csv {
        return Ok(HttpResponse::Ok()
            .insert_header(("Content-Type", "text/csv; charset=utf-8"))
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{slug}-inputs.csv\""),
            ))
            .body(exporter::csv(&rows)?));
    }
    Ok(HttpResponse::Ok().json(json!({"items": rows, "total": rows.len()})))
}
