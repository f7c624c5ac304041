//! Notification endpoints.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use super::scheduler::parse_unsubscribe_token;
use super::store::{self, Target};
use super::types::{Frequency, Kind, TargetType};
use crate::accounts::auth::AuthUser;
use crate::db::schema::paragraphs;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::page::{self, Page};
use crate::http::ApiJson;
use crate::state::AppState;

type State = web::Data<AppState>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowInput {
    target_type: String,
    target_id: i64,
}

/// The target as stored, if it exists and the caller may see it (404 otherwise).
fn resolve(conn: &mut DbConn, input: &FollowInput, user: &AuthUser) -> ApiResult<Target> {
    let kind = TargetType::parse(&input.target_type).ok_or_else(|| {
        ApiError::field(
            "target_type",
            format!("must be one of {}", TargetType::expected()),
        )
    })?;
    let id = input.target_id;
    Ok(match kind {
        TargetType::Consultation => {
            let (row, _) =
                crate::consultations::store::resolve_for(conn, &id.to_string(), Some(user))?;
            Target::of(kind, row.id)
        }
        TargetType::Paragraph => {
            // A paragraph of any version; followed by its key, so it survives new versions.
            let (version, key): (i64, String) = paragraphs::table
                .find(id)
                .select((paragraphs::version_id, paragraphs::key))
                .first(conn)
                .optional()?
                .ok_or_else(|| ApiError::not_found("paragraph"))?;
            let consultation: i64 = crate::db::schema::document_versions::table
                .find(version)
                .select(crate::db::schema::document_versions::consultation_id)
                .first(conn)?;
            crate::consultations::store::resolve_for(conn, &consultation.to_string(), Some(user))
                .map_err(|_| ApiError::not_found("paragraph"))?;
            Target {
                kind,
                id: consultation,
                key,
            }
        }
        TargetType::Comment => {
            crate::consultations::comments::usecase::visible(
                conn,
                &crate::policy::Actor::User(user.clone()),
                id,
            )?;
            Target::of(kind, id)
        }
        TargetType::Event => {
            let e = crate::events::store::resolve_for(conn, &id.to_string(), Some(user))?;
            Target::of(kind, e.id)
        }
        TargetType::Session => {
            crate::events::schedule::visible(conn, id, Some(user))?;
            Target::of(kind, id)
        }
    })
}

pub async fn follow(
    state: State,
    user: AuthUser,
    body: ApiJson<FollowInput>,
) -> ApiResult<HttpResponse> {
    let input = body.0;
    let (created, follows) = state
        .db
        .tx(move |conn| {
            let target = resolve(conn, &input, &user)?;
            let created = store::follow(conn, user.id, &target)?;
            Ok((created, store::follows_of(conn, user.id)?))
        })
        .await?;
    let body = json!({"following": true, "follows": follows});
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

pub async fn unfollow(
    state: State,
    user: AuthUser,
    body: ApiJson<FollowInput>,
) -> ApiResult<HttpResponse> {
    let input = body.0;
    state
        .db
        .tx(move |conn| {
            let target = resolve(conn, &input, &user)?;
            store::unfollow(conn, user.id, &target)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn my_follows(state: State, user: AuthUser) -> ApiResult<HttpResponse> {
    let items = state
        .db
        .run(move |conn| store::follows_of(conn, user.id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Deserialize)]
pub struct ListQuery {
    unread: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn my_notifications(
    state: State,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = Page::parse(q.limit, q.cursor.as_deref())?;
    let unread_only = q.unread.unwrap_or(false);
    let body = state
        .db
        .run(move |conn| {
            let rows = store::list(conn, user.id, unread_only, page.after, page.fetch())?;
            let mut body = page::respond(
                &page,
                rows,
                |r| r.id,
                |rows| Ok(rows.iter().map(|r| r.view()).collect()),
            )?;
            body["unread_count"] = json!(store::unread_count(conn, user.id)?);
            Ok(body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    ids: Option<Vec<i64>>,
    all: Option<bool>,
}

pub async fn mark_read(
    state: State,
    user: AuthUser,
    body: ApiJson<ReadInput>,
) -> ApiResult<HttpResponse> {
    let ids = match (body.0.ids, body.0.all) {
        (Some(ids), None | Some(false)) if ids.len() <= 1000 => Some(ids),
        (Some(_), None | Some(false)) => {
            return Err(ApiError::field("ids", "at most 1000 at once"))
        }
        (None, Some(true)) => None,
        _ => {
            return Err(ApiError::field("ids", "give either ids or all: true"));
        }
    };
    let unread = state
        .db
        .tx(move |conn| store::mark_read(conn, user.id, ids.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "unread_count": unread })))
}

pub async fn settings(state: State, user: AuthUser) -> ApiResult<HttpResponse> {
    let body = state
        .db
        .run(move |conn| store::settings(conn, user.id))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// `{kind: frequency, …}` and optionally `timezone` (IANA name or null); every unknown
/// kind or frequency is named in one 422, and nothing is changed then.
pub async fn update_settings(
    state: State,
    user: AuthUser,
    body: ApiJson<serde_json::Map<String, Value>>,
) -> ApiResult<HttpResponse> {
    let mut errors = FieldErrors::new();
    let mut changes: Vec<(Kind, Frequency)> = Vec::new();
    let mut timezone: Option<Option<String>> = None;
    for (key, value) in body.0 {
        if key == "timezone" {
            match value {
                Value::Null => timezone = Some(None),
                Value::String(z) if z.parse::<chrono_tz::Tz>().is_ok() => timezone = Some(Some(z)),
                _ => {
                    errors.insert(
                        key,
                        "must be an IANA time zone such as Africa/Nairobi, or null".into(),
                    );
                }
            }
            continue;
        }
        let Some(kind) = Kind::parse(&key) else {
            errors.insert(
                key,
                format!("is not a notification kind ({})", Kind::expected()),
            );
            continue;
        };
        match value.as_str().and_then(Frequency::parse) {
            Some(f) => changes.push((kind, f)),
            None => {
                errors.insert(key, format!("must be one of {}", Frequency::expected()));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let body = state
        .db
        .tx(move |conn| {
            for (kind, f) in changes {
                store::set_frequency(conn, user.id, kind, f)?;
            }
            if let Some(z) = timezone {
                store::set_timezone(conn, user.id, z.as_deref())?;
            }
            store::settings(conn, user.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn token_scope(state: &AppState, q: &TokenQuery) -> ApiResult<(i64, String)> {
    q.token
        .as_deref()
        .and_then(|t| parse_unsubscribe_token(&state.keys.link_secret, t))
        .ok_or_else(|| ApiError::new(ErrorCode::BadRequest, "this unsubscribe link is not valid"))
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click`; the signed token is the
/// only authority needed. A kind's token turns that kind off; a digest's token turns
/// off every kind mailed in that digest.
pub async fn unsubscribe(state: State, query: web::Query<TokenQuery>) -> ApiResult<HttpResponse> {
    let (user_id, scope) = token_scope(&state, &query)?;
    let kinds = state
        .db
        .tx(move |conn| {
            let kinds: Vec<Kind> = match (Kind::parse(&scope), Frequency::parse(&scope)) {
                (Some(kind), _) => vec![kind],
                (None, Some(f)) => {
                    let mut out = Vec::new();
                    for kind in Kind::ALL {
                        if store::frequency(conn, user_id, *kind)? == f {
                            out.push(*kind);
                        }
                    }
                    out
                }
                (None, None) => {
                    return Err(ApiError::new(
                        ErrorCode::BadRequest,
                        "this unsubscribe link is not valid",
                    ))
                }
            };
            for kind in &kinds {
                store::set_frequency(conn, user_id, *kind, Frequency::Off)?;
            }
            Ok(kinds)
        })
        .await?;
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    Ok(HttpResponse::Ok().json(json!({ "unsubscribed": kinds })))
}

/// What a browser shows when someone follows the link in the mail body: a button that
/// POSTs. Link scanners and prefetchers GET; a GET must not unsubscribe.
pub async fn unsubscribe_page(
    state: State,
    query: web::Query<TokenQuery>,
) -> ApiResult<HttpResponse> {
    token_scope(&state, &query)?;
    let token = crate::mail::templates::escape(query.token.as_deref().unwrap_or_default());
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Unsubscribe – Indaba</title></head><body><main><h1>Unsubscribe</h1>\
         <form method=\"post\" action=\"/api/v1/unsubscribe?token={token}\">\
         <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Stop these emails</button></form></main></body></html>"
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
