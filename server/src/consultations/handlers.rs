//! Consultation endpoints: thin handlers over `store` and `comments`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::comments::{self, NewComment, EDIT_WINDOW_MINUTES};
use super::importer::{self, Format};
use super::store::{self, Changes, DraftParagraph, NewConsultation};
use super::text::detect_language;
use super::types::{
    parse_label, parse_slug, parse_time, CommentKind, ModerationAction, Status, MAX_BODY_CHARS,
};
use crate::accounts::auth::{AuthUser, MaybeUser};
use crate::accounts::types::{bounded_text, LanguageTag, Role};
use crate::db::now;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::{double_option, nullable_time, text};
use crate::http::page::{self, Page, PageQuery};
use crate::http::ApiJson;
use crate::ratelimit::limits::{POSTS_PER_DAY, POSTS_PER_MINUTE};
use crate::state::AppState;

type State = web::Data<AppState>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInput {
    slug: String,
    title: String,
    #[serde(default)]
    description: String,
    language: String,
    opens_at: Option<String>,
    closes_at: Option<String>,
}

pub async fn create(
    state: State,
    user: AuthUser,
    input: ApiJson<CreateInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let slug = parse_slug(&i.slug)
        .map_err(|e| errors.insert("slug".into(), e.into()))
        .ok();
    let title = text(&mut errors, "title", &i.title, 1, 300);
    let description = text(&mut errors, "description", &i.description, 0, 20_000);
    let language = LanguageTag::parse(&i.language)
        .map_err(|e| errors.insert("language".into(), e.into()))
        .ok();
    let opens_at = i
        .opens_at
        .as_deref()
        .map(|t| parse_time("opens_at", t))
        .transpose();
    let closes_at = i
        .closes_at
        .as_deref()
        .map(|t| parse_time("closes_at", t))
        .transpose();
    let (opens_at, closes_at) = match (opens_at, closes_at) {
        (Ok(o), Ok(c)) => (o, c),
        (Err(e), _) | (_, Err(e)) => {
            errors.extend(e.fields.unwrap_or_default());
            (None, None)
        }
    };
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        if o >= c {
            errors.insert("closes_at".into(), "must be after opens_at".into());
        }
    }
    let (Some(slug), Some(title), Some(description), Some(language), true) =
        (slug, title, description, language, errors.is_empty())
    else {
        return Err(ApiError::validation(errors));
    };
    let new = NewConsultation {
        slug,
        title,
        description,
        language: language.as_str().to_owned(),
        opens_at,
        closes_at,
        created_by: Some(user.id),
    };
    let view = state
        .db
        .tx(move |conn| {
            let id = store::create(conn, &new)?;
            let row = store::resolve(conn, &id.to_string())?;
            store::summary(conn, &row)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

pub async fn list(
    state: State,
    user: MaybeUser,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_query(&query)?;
    let organizer = user.0.as_ref().is_some_and(|u| u.has(Role::Organizer));
    let body = state
        .db
        .run(move |conn| {
            let rows = store::list(conn, organizer, page.after, page.fetch())?;
            // Newest first: the cursor is the last id and pages go down.
            page::respond(
                &page,
                rows,
                |r| r.id,
                |rows| rows.iter().map(|r| store::summary(conn, r)).collect(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn detail(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, _) = store::resolve_for(conn, &key, user.0.as_ref())?;
            let mut body = store::summary(conn, &row)?;
            body["version"] = match row.current_version_id {
                Some(_) => {
                    let label = body["current_version"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    let version = store::find_version(conn, row.id, &label)?;
                    store::version_view(conn, &version, true)?
                }
                None => serde_json::Value::Null,
            };
            Ok(body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchInput {
    title: Option<String>,
    description: Option<String>,
    language: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    opens_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    closes_at: Option<Option<String>>,
    status: Option<String>,
}

pub async fn update(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<PatchInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let mut changes = Changes {
        title: i
            .title
            .as_deref()
            .and_then(|t| text(&mut errors, "title", t, 1, 300)),
        description: i
            .description
            .as_deref()
            .and_then(|t| text(&mut errors, "description", t, 0, 20_000)),
        language: i.language.as_deref().and_then(|l| {
            LanguageTag::parse(l)
                .map(|l| l.as_str().to_owned())
                .map_err(|e| errors.insert("language".into(), e.into()))
                .ok()
        }),
        ..Changes::default()
    };
    changes.opens_at = nullable_time(&mut errors, "opens_at", &i.opens_at);
    changes.closes_at = nullable_time(&mut errors, "closes_at", &i.closes_at);
    if let Some(s) = &i.status {
        match Status::parse(s) {
            Some(s) => changes.status = Some(s),
            None => {
                errors.insert(
                    "status".into(),
                    format!("must be one of {}", Status::expected()),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let key = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let row = store::resolve(conn, &key)?;
            store::update(conn, &row, changes)?;
            let row = store::resolve(conn, &row.id.to_string())?;
            store::summary(conn, &row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CofacilitatorsInput {
    user_ids: Vec<i64>,
}

pub async fn set_cofacilitators(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<CofacilitatorsInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    if input.0.user_ids.len() > 100 {
        return Err(ApiError::field("user_ids", "at most 100 co-facilitators"));
    }
    let key = path.into_inner();
    let ids = input.0.user_ids;
    let body = state
        .db
        .tx(move |conn| {
            let row = store::resolve(conn, &key)?;
            store::set_cofacilitators(conn, row.id, &ids)?;
            store::summary(conn, &row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParagraphInput {
    key: Option<String>,
    number: String,
    section: Option<String>,
    text: String,
    #[serde(default)]
    informed_by: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    label: String,
    format: Option<String>,
    source: Option<String>,
    paragraphs: Option<Vec<ParagraphInput>>,
}

/// The number of the paragraph an item belongs to: `12(a)` → `12`, `12(a)(i)` → `12(a)`.
fn parent_number(number: &str) -> Option<String> {
    number
        .ends_with(')')
        .then(|| number.rfind('(').map(|i| number[..i].to_owned()))
        .flatten()
        .filter(|p| !p.is_empty())
}

pub async fn create_version(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<VersionInput>,
) -> ApiResult<HttpResponse> {
    let i = input.0;
    let label = parse_label(&i.label).map_err(|e| ApiError::field("label", e))?;
    let (draft, footnotes, format) = match (i.source, i.paragraphs) {
        (Some(source), None) => {
            let format = match i.format.as_deref().unwrap_or("text") {
                "text" => Format::Text,
                "markdown" => Format::Markdown,
                _ => return Err(ApiError::field("format", "must be text or markdown")),
            };
            let doc = importer::parse(&source, format)
                .map_err(|e| ApiError::field("source", e.to_string()))?;
            let (draft, footnotes): (Vec<DraftParagraph>, _) = doc.into();
            (
                draft,
                footnotes,
                if format == Format::Text {
                    "text"
                } else {
                    "markdown"
                },
            )
        }
        (None, Some(paragraphs)) => {
            if paragraphs.is_empty() || paragraphs.len() > 5000 {
                return Err(ApiError::field(
                    "paragraphs",
                    "give from 1 to 5000 paragraphs",
                ));
            }
            let mut errors = FieldErrors::new();
            let mut draft = Vec::new();
            for (n, p) in paragraphs.into_iter().enumerate() {
                let number = text(
                    &mut errors,
                    &format!("paragraphs[{n}].number"),
                    &p.number,
                    1,
                    20,
                );
                let body = text(
                    &mut errors,
                    &format!("paragraphs[{n}].text"),
                    &p.text,
                    1,
                    20_000,
                );
                let section = text(
                    &mut errors,
                    &format!("paragraphs[{n}].section"),
                    p.section.as_deref().unwrap_or(""),
                    0,
                    300,
                );
                if let (Some(number), Some(body), Some(section)) = (number, body, section) {
                    draft.push(DraftParagraph {
                        key: p.key,
                        parent_number: parent_number(&number),
                        number,
                        section_path: if section.is_empty() {
                            vec![]
                        } else {
                            vec![section]
                        },
                        text: body,
                        footnote_refs: vec![],
                        informed_by: p.informed_by,
                    });
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            (draft, vec![], "paragraphs")
        }
        _ => {
            return Err(ApiError::field(
                "source",
                "give either source (with format) or paragraphs, not both",
            ))
        }
    };
    let key = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let row = store::resolve(conn, &key)?;
            if !(user.has(Role::Organizer) || store::is_cofacilitator(conn, row.id, user.id)?) {
                return Err(ApiError::forbidden(
                    "only organisers and this consultation's co-facilitators add versions",
                ));
            }
            let informed: Vec<i64> = draft
                .iter()
                .flat_map(|p| p.informed_by.iter().copied())
                .collect();
            for id in informed {
                let c = comments::get(conn, id).map_err(|_| {
                    ApiError::field("paragraphs", format!("comment {id} does not exist"))
                })?;
                if c.consultation_id != Some(row.id) {
                    return Err(ApiError::field(
                        "paragraphs",
                        format!("comment {id} belongs to another consultation"),
                    ));
                }
            }
            store::insert_version(conn, &row, &label, format, draft, &footnotes, Some(user.id))?;
            let version = store::find_version(conn, row.id, &label)?;
            store::version_view(conn, &version, false)
        })
        .await?;
    Ok(HttpResponse::Created().json(body))
}

pub async fn list_versions(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, _) = store::resolve_for(conn, &key, user.0.as_ref())?;
            let versions = store::versions(conn, row.id)?;
            Ok(json!({"items": versions.iter().map(|v| json!({
                "label": v.label, "position": v.position, "source_format": v.source_format,
                "created_at": crate::db::rfc3339(v.created_at), "current": Some(v.id) == row.current_version_id,
            })).collect::<Vec<_>>(), "next_cursor": null}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn version(
    state: State,
    user: MaybeUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (key, label) = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, _) = store::resolve_for(conn, &key, user.0.as_ref())?;
            let version = store::find_version(conn, row.id, &label)?;
            store::version_view(conn, &version, Some(version.id) == row.current_version_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn diff(
    state: State,
    user: MaybeUser,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (key, a, b) = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, _) = store::resolve_for(conn, &key, user.0.as_ref())?;
            store::diff(conn, row.id, &a, &b)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    body: String,
    paragraph_key: Option<String>,
    parent_id: Option<i64>,
    #[serde(default = "default_kind")]
    kind: String,
    proposed_text: Option<String>,
    on_behalf_of: Option<String>,
    language: Option<String>,
    #[serde(default)]
    anonymous: bool,
}

fn default_kind() -> String {
    "comment".into()
}

pub async fn post_comment(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<CommentInput>,
) -> ApiResult<HttpResponse> {
    user.require_verified(&state.db).await?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let body = text(&mut errors, "body", &i.body, 1, MAX_BODY_CHARS);
    let kind = CommentKind::parse(&i.kind)
        .ok_or_else(|| {
            errors.insert(
                "kind".into(),
                format!("must be one of {}", CommentKind::expected()),
            )
        })
        .ok();
    let proposed_text = match (&kind, i.proposed_text.as_deref()) {
        (Some(CommentKind::Amendment), None) => {
            errors.insert(
                "proposed_text".into(),
                "an amendment needs the proposed text".into(),
            );
            None
        }
        (Some(CommentKind::Amendment), Some(t)) => {
            text(&mut errors, "proposed_text", t, 1, MAX_BODY_CHARS)
        }
        (_, Some(_)) => {
            errors.insert(
                "proposed_text".into(),
                "only amendments carry proposed text".into(),
            );
            None
        }
        _ => None,
    };
    if kind == Some(CommentKind::Question) {
        errors.insert(
            "kind".into(),
            "questions are asked in IGF sessions; here use comment or amendment".into(),
        );
    }
    if kind == Some(CommentKind::Amendment) && i.paragraph_key.is_none() && i.parent_id.is_none() {
        errors.insert(
            "paragraph_key".into(),
            "an amendment proposes a change to one paragraph".into(),
        );
    }
    let on_behalf_of = i
        .on_behalf_of
        .as_deref()
        .and_then(|o| text(&mut errors, "on_behalf_of", o, 1, 200));
    let language = i.language.as_deref().and_then(|l| {
        LanguageTag::parse(l)
            .map(|l| l.as_str().to_owned())
            .map_err(|e| errors.insert("language".into(), e.into()))
            .ok()
    });
    let (Some(body), Some(kind), true) = (body, kind, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    state
        .limiter
        .hit(&format!("comment:minute:{}", user.id), POSTS_PER_MINUTE)?;
    state
        .limiter
        .hit(&format!("comment:day:{}", user.id), POSTS_PER_DAY)?;
    let detected = language.or_else(|| detect_language(&body));
    let key = path.into_inner();
    let viewer_user = user.clone();
    let view = state
        .db
        .tx(move |conn| {
            let row = store::resolve(conn, &key)?;
            let viewer = store::viewer(conn, Some(&viewer_user), row.id)?;
            if row.status() == Status::Draft && !viewer.privileged {
                return Err(ApiError::not_found("consultation"));
            }
            row.ensure_open()?;
            let mut paragraph_key = i.paragraph_key;
            if let Some(parent_id) = i.parent_id {
                let parent = comments::get(conn, parent_id)
                    .map_err(|_| ApiError::field("parent_id", "no such comment"))?;
                if parent.consultation_id != Some(row.id) {
                    return Err(ApiError::field(
                        "parent_id",
                        "that comment belongs to another consultation",
                    ));
                }
                if !parent.visible_to(&viewer)
                    || parent.visibility() != super::types::Visibility::Visible
                {
                    return Err(ApiError::field(
                        "parent_id",
                        "that comment cannot be replied to",
                    ));
                }
                match (&paragraph_key, &parent.paragraph_key) {
                    (Some(k), Some(pk)) if k != pk => {
                        return Err(ApiError::field(
                            "paragraph_key",
                            "a reply is on its parent's paragraph",
                        ))
                    }
                    (None, pk) => paragraph_key = pk.clone(),
                    _ => {}
                }
            }
            if let Some(k) = &paragraph_key {
                if !store::has_paragraph(conn, &row, k)? {
                    return Err(ApiError::field(
                        "paragraph_key",
                        "no paragraph with this key in the current text",
                    ));
                }
            }
            let version_label = match row.current_version_id {
                Some(v) => Some(store::version_label(conn, v)?),
                None => None,
            };
            let new = NewComment {
                consultation_id: Some(row.id),
                session_id: None,
                paragraph_key,
                parent_id: i.parent_id,
                author_id: viewer_user.id,
                kind,
                body,
                proposed_text,
                on_behalf_of,
                anonymous: i.anonymous,
                language: detected.unwrap_or_else(|| row.language.clone()),
                version_label,
            };
            let created = comments::insert(conn, &new)?;
            comments::view(conn, &created, &viewer)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Deserialize)]
pub struct CommentQuery {
    paragraph_key: Option<String>,
    parent_id: Option<i64>,
    since_id: Option<i64>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_comments(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<CommentQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = Page::parse(q.limit, q.cursor.as_deref())?;
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, viewer) = store::resolve_for(conn, &key, user.0.as_ref())?;
            let filter = comments::Filter {
                paragraph_key: q.paragraph_key,
                parent_id: q.parent_id,
                since_id: q.since_id,
                after_id: page.after,
            };
            let rows = comments::list(conn, row.id, &filter, &viewer, page.fetch())?;
            let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
            let mut outcomes = comments::outcomes(conn, row.id, &ids)?;
            page::respond(
                &page,
                rows,
                |c| c.id,
                |rows| {
                    let mut views = comments::views(conn, rows, &viewer)?;
                    for (v, r) in views.iter_mut().zip(rows) {
                        v["outcome"] = outcomes.remove(&r.id).unwrap_or(serde_json::Value::Null);
                    }
                    Ok(views)
                },
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Loads a comment the caller may see (404 otherwise) with its viewer, and its
/// consultation when it is on one (not on an IGF session).
pub fn visible_comment(
    conn: &mut crate::db::DbConn,
    id: i64,
    user: Option<&AuthUser>,
) -> ApiResult<(
    comments::CommentRow,
    Option<store::ConsultationRow>,
    store::Viewer,
)> {
    let c = comments::get(conn, id)?;
    let (row, viewer) = match (c.consultation_id, c.session_id) {
        (Some(consultation), _) => {
            let (row, viewer) = store::resolve_for(conn, &consultation.to_string(), user)?;
            (Some(row), viewer)
        }
        (None, Some(session)) => (
            None,
            crate::events::session_comments::viewer(conn, session, user)?,
        ),
        (None, None) => return Err(ApiError::not_found("comment")),
    };
    if !c.visible_to(&viewer) {
        return Err(ApiError::not_found("comment"));
    }
    Ok((c, row, viewer))
}

/// Endorsements are for consultation inputs; session questions are upvoted instead.
fn consultation_of(row: Option<store::ConsultationRow>) -> ApiResult<store::ConsultationRow> {
    row.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            "endorsements are for consultation inputs: upvote session questions instead",
        )
    })
}

pub async fn get_comment(
    state: State,
    user: MaybeUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (c, _, viewer) = visible_comment(conn, id, user.0.as_ref())?;
            let mut body = comments::view(conn, &c, &viewer)?;
            if viewer.privileged || viewer.user_id == Some(c.author_id) {
                body["revisions"] = json!(comments::revisions(conn, c.id)?);
            }
            Ok(body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditInput {
    body: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    proposed_text: Option<Option<String>>,
}

pub async fn edit_comment(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<EditInput>,
) -> ApiResult<HttpResponse> {
    let i = input.0;
    let mut errors = FieldErrors::new();
    let body = i
        .body
        .as_deref()
        .and_then(|b| text(&mut errors, "body", b, 1, MAX_BODY_CHARS));
    let proposed = match &i.proposed_text {
        Some(Some(t)) => {
            text(&mut errors, "proposed_text", t, 1, MAX_BODY_CHARS).map(|t| Some(Some(t)))
        }
        Some(None) => {
            errors.insert(
                "proposed_text".into(),
                "an amendment keeps its proposed text".into(),
            );
            None
        }
        None => Some(None),
    };
    if i.body.is_none() && i.proposed_text.is_none() {
        errors.insert("body".into(), "give the new body or proposed_text".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let proposed = proposed.flatten();
    let id = path.into_inner();
    let view = state
        .db
        .tx(move |conn| {
            let (c, row, viewer) = visible_comment(conn, id, Some(&user))?;
            if c.author_id != user.id {
                return Err(ApiError::forbidden("only the author edits a comment"));
            }
            if now() > c.created_at + chrono::Duration::minutes(EDIT_WINDOW_MINUTES) {
                return Err(ApiError::new(
                    ErrorCode::EditWindowClosed,
                    "comments can be edited for 15 minutes after posting",
                ));
            }
            if let Some(row) = &row {
                row.ensure_open()?;
            }
            if proposed.is_some() && c.kind != CommentKind::Amendment.as_str() {
                return Err(ApiError::field(
                    "proposed_text",
                    "only amendments carry proposed text",
                ));
            }
            let updated =
                comments::edit(conn, &c, body.unwrap_or_else(|| c.body.clone()), proposed)?;
            comments::view(conn, &updated, &viewer)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn endorse(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    user.require_verified(&state.db).await?;
    let id = path.into_inner();
    let count = state
        .db
        .tx(move |conn| {
            let (c, row, _) = visible_comment(conn, id, Some(&user))?;
            consultation_of(row)?.ensure_open()?;
            if c.author_id == user.id {
                return Err(ApiError::forbidden("you cannot endorse your own input"));
            }
            comments::endorse(conn, &c, user.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"comment_id": id, "endorsement_count": count})))
}

pub async fn withdraw_endorsement(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let count = state
        .db
        .tx(move |conn| {
            let (c, row, _) = visible_comment(conn, id, Some(&user))?;
            consultation_of(row)?.ensure_open()?;
            comments::withdraw_endorsement(conn, &c, user.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"comment_id": id, "endorsement_count": count})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagInput {
    reason: String,
}

pub async fn flag(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<FlagInput>,
) -> ApiResult<HttpResponse> {
    user.require_verified(&state.db).await?;
    let reason =
        bounded_text(&input.0.reason, 1, 1000).map_err(|e| ApiError::field("reason", e))?;
    let id = path.into_inner();
    state
        .db
        .tx(move |conn| {
            let (c, _, _) = visible_comment(conn, id, Some(&user))?;
            comments::flag(conn, &c, user.id, &reason)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"comment_id": id, "flagged": true})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    action: String,
    reason: String,
}

pub async fn moderate(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<ModerationInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Moderator)?;
    let mut errors = FieldErrors::new();
    let action = ModerationAction::parse(&input.0.action)
        .ok_or_else(|| {
            errors.insert(
                "action".into(),
                format!("must be one of {}", ModerationAction::expected()),
            )
        })
        .ok();
    let reason = text(&mut errors, "reason", &input.0.reason, 1, 1000);
    let (Some(action), Some(reason)) = (action, reason) else {
        return Err(ApiError::validation(errors));
    };
    let id = path.into_inner();
    let moderator = user.id;
    let view = state
        .db
        .tx(move |conn| {
            let (c, _, viewer) = visible_comment(conn, id, Some(&user))?;
            let updated = comments::moderate(conn, &c, user.id, action, &reason)?;
            comments::view(conn, &updated, &viewer)
        })
        .await?;
    tracing::info!(
        comment_id = id,
        moderator,
        action = action.as_str(),
        "moderation"
    );
    Ok(HttpResponse::Ok().json(view))
}

/// The moderators' queue: flagged comments nobody has dealt with yet.
pub async fn moderation_queue(
    state: State,
    user: AuthUser,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Moderator)?;
    let page = Page::from_query(&query)?;
    let body = state
        .db
        .run(move |conn| {
            let rows = comments::flagged(conn, page.after, page.fetch())?;
            let more = rows.len() as i64 > page.limit;
            let viewer = store::Viewer { user_id: Some(user.id), privileged: true };
            let mut items = Vec::new();
            let mut slugs: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
            for (row, flags) in rows.iter().take(page.limit as usize) {
                let mut v = comments::view(conn, row, &viewer)?;
                v["flags"] = flags
                    .iter()
                    .map(|(reason, at)| json!({"reason": reason, "created_at": crate::db::rfc3339(*at)}))
                    .collect();
                v["consultation_slug"] = match row.consultation_id {
                    // Flags cluster in few consultations: each slug is read once.
                    Some(id) => match slugs.get(&id) {
                        Some(slug) => json!(slug),
                        None => {
                            let slug = store::resolve(conn, &id.to_string())?.slug;
                            slugs.insert(id, slug.clone());
                            json!(slug)
                        }
                    },
                    None => serde_json::Value::Null,
                };
                items.push(v);
            }
            let next = if more { rows.get(page.limit as usize - 1).map(|r| page::encode(r.0.id)) } else { None };
            Ok(json!({"items": items, "next_cursor": next}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepInput {
    reason: String,
}

/// Keep a flagged comment as it is: its open flags are resolved and the decision logged.
pub async fn keep(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<KeepInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Moderator)?;
    let mut errors = FieldErrors::new();
    let reason = text(&mut errors, "reason", &input.0.reason, 1, 1000);
    let Some(reason) = reason else {
        return Err(ApiError::validation(errors));
    };
    let id = path.into_inner();
    let resolved = state
        .db
        .tx(move |conn| {
            let (c, _, _) = visible_comment(conn, id, Some(&user))?;
            comments::keep(conn, &c, user.id, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"comment_id": id, "flags_resolved": resolved})))
}

pub async fn moderation_log(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_query(&query)?;
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let (row, _) = store::resolve_for(conn, &key, user.0.as_ref())?;
            let rows = comments::moderation_log(conn, row.id, page.after, page.fetch())?;
            page::respond(
                &page,
                rows,
                |v| v["id"].as_i64().unwrap_or(0),
                |rows| Ok(rows.to_vec()),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
