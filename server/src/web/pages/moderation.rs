//! The moderators' queue: flagged comments with the flags' reasons; hide (with a public
//! reason) or keep each one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::consultation::Comment;
use super::{failure, State};
use crate::accounts::auth::AuthUser;
use crate::accounts::types::Role;
use crate::consultations::handlers as api_h;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};
use crate::web::time::Stamp;

#[derive(Deserialize)]
pub struct Flag {
    pub reason: String,
    pub created_at: Stamp,
}

#[derive(Deserialize)]
pub struct Flagged {
    #[serde(flatten)]
    pub comment: Comment,
    pub flags: Vec<Flag>,
    pub consultation_slug: Option<String>,
    pub session_id: Option<i64>,
}

impl Flagged {
    pub fn context(&self) -> String {
        match (&self.consultation_slug, self.session_id) {
            (Some(slug), _) => match &self.comment.paragraph_key {
                Some(k) => format!(
                    "/consultations/{slug}?paragraph={}#c-{}",
                    percent(k),
                    self.comment.id
                ),
                None => format!(
                    "/consultations/{slug}?paragraph=general#c-{}",
                    self.comment.id
                ),
            },
            (None, Some(s)) => format!("/sessions/{s}#c-{}", self.comment.id),
            _ => "/".into(),
        }
    }
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage<'a> {
    c: &'a Ctx,
    items: Vec<Flagged>,
    next: Option<String>,
    errors: PageErrors,
}

fn moderator(c: &Ctx) -> ApiResult<AuthUser> {
    let user = c
        .auth()
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in"))?;
    user.require(Role::Moderator)?;
    Ok(user)
}

async fn show(state: &State, c: Ctx, errors: PageErrors, status: StatusCode) -> HttpResponse {
    let user = match moderator(&c) {
        Ok(u) => u,
        Err(e) if e.code == ErrorCode::Unauthenticated => {
            return c.redirect("/login?next=/moderation")
        }
        Err(e) => return failure(c, &e),
    };
    let query = c
        .param("cursor")
        .map(|k| format!("cursor={}", percent(k)))
        .unwrap_or_default();
    let listed = match api::query::<crate::http::page::PageQuery>(&query) {
        Ok(q) => api::json(api_h::moderation_queue(state.clone(), user, q).await).await,
        Err(e) => Err(e),
    };
    match listed.and_then(|v| {
        Ok((
            api::read::<Vec<Flagged>>(v["items"].clone())?,
            v["next_cursor"].as_str().map(str::to_owned),
        ))
    }) {
        Ok((items, next)) => {
            let page = QueuePage {
                c: &c,
                items,
                next,
                errors,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn queue(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(&state, c, PageErrors::new(), StatusCode::OK).await
}

pub async fn act(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let user = match moderator(&c) {
        Ok(u) => u,
        Err(e) if e.code == ErrorCode::Unauthenticated => {
            return c.redirect("/login?next=/moderation")
        }
        Err(e) => return failure(c, &e),
    };
    let result = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        match form.get("comment").parse::<i64>() {
            Err(_) => Err(ApiError::field("comment", "choose a comment")),
            Ok(id) => {
                let path = web::Path::from(id);
                match form.get("action") {
                    "hide" => {
                        match api::body(json!({"action": "hide", "reason": form.get("reason")})) {
                            Ok(input) => {
                                api::json(api_h::moderate(state.clone(), user, path, input).await)
                                    .await
                            }
                            Err(e) => Err(e),
                        }
                    }
                    _ => match api::body(json!({"reason": form.get("reason")})) {
                        Ok(input) => {
                            api::json(api_h::keep(state.clone(), user, path, input).await).await
                        }
                        Err(e) => Err(e),
                    },
                }
            }
        }
    };
    match result {
        Ok(_) => {
            c.flash("moderation-done");
            c.redirect("/moderation")
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            errors.rename("reason", &format!("reason-{}", form.get("comment")));
            let status = e.code.status();
            show(&state, c, errors, status).await
        }
    }
}
