//! The moderators' queue: flagged comments with the flags' reasons; hide (with a public
//! reason) or keep each one. Moderators also hide or restore any comment from its
//! thread; everyone reads a consultation's moderation log.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, State};
use crate::consultations::comments::command::{
    ModerationCommand, ModerationInput, Reason, ReasonInput,
};
use crate::consultations::comments::moderation::{self, QueuedComment};
use crate::error::{ApiError, ErrorCode};
use crate::http::page::Page;
use crate::policy::guards::Moderator;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};

/// Where a flagged contribution sits.
fn context(x: &QueuedComment) -> String {
    let id = x.comment.id;
    match (&x.consultation_slug, x.comment.session_id) {
        (Some(slug), _) => match &x.comment.paragraph_key {
            Some(k) => format!("/consultations/{slug}?paragraph={}#c-{id}", percent(k)),
            None => format!("/consultations/{slug}?paragraph=general#c-{id}"),
        },
        (None, Some(s)) => format!("/sessions/{s}#c-{id}"),
        _ => "/".into(),
    }
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage<'a> {
    c: &'a Ctx,
    items: Vec<QueuedComment>,
    next: Option<String>,
    errors: PageErrors,
}

impl QueuePage<'_> {
    fn context(&self, x: &QueuedComment) -> String {
        context(x)
    }

    fn author_name(&self, x: &QueuedComment) -> String {
        super::consultation::author_name(self.c, &x.comment.author)
    }
}

async fn show(state: &State, c: Ctx, errors: PageErrors, status: StatusCode) -> HttpResponse {
    let who = match Moderator::check(c.actor()) {
        Ok(who) => who,
        Err(e) if e.code == ErrorCode::Unauthenticated => {
            return c.redirect("/login?next=/moderation")
        }
        Err(e) => return failure(c, &e),
    };
    let listed = match Page::parse(None, c.param("cursor")) {
        Ok(page) => moderation::queue(&state.db, &who, page).await,
        Err(e) => Err(e),
    };
    match listed {
        Ok(list) => {
            let page = QueuePage {
                c: &c,
                items: list.items,
                next: list.next_cursor,
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
    let who = match Moderator::check(c.actor()) {
        Ok(who) => who,
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
            Ok(id) => match form.get("action") {
                action @ ("hide" | "restore") => {
                    match ModerationCommand::try_from(ModerationInput {
                        action: action.into(),
                        reason: form.get("reason").to_owned(),
                    }) {
                        Ok(cmd) => moderation::moderate(&state.db, &who, id, cmd)
                            .await
                            .map(|_| ()),
                        Err(e) => Err(e),
                    }
                }
                _ => match Reason::try_from(ReasonInput {
                    reason: form.get("reason").to_owned(),
                }) {
                    Ok(reason) => moderation::keep(&state.db, &who, id, reason)
                        .await
                        .map(|_| ()),
                    Err(e) => Err(e),
                },
            },
        }
    };
    // From a thread: back to the comment there.
    let back = form
        .opt("back")
        .filter(|b| crate::web::session::is_local_path(b))
        .map(|b| format!("{b}#c-{}", form.get("comment")));
    match result {
        Ok(_) => {
            c.flash("moderation-done");
            c.redirect(back.as_deref().unwrap_or("/moderation"))
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            errors.rename("reason", &format!("reason-{}", form.get("comment")));
            let status = e.code.status();
            show(&state, c, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage<'a> {
    c: &'a Ctx,
    k: crate::consultations::view::ConsultationView,
    items: Vec<moderation::LogEntry>,
    next: Option<String>,
}

impl LogPage<'_> {
    fn act(&self, e: &moderation::LogEntry) -> String {
        self.c
            .t
            .get(&format!("moderation-act-{}", e.action.as_str()))
    }
}

/// `/consultations/{slug}/moderation-log`: every act of moderation on the consultation,
/// oldest first, with its public reason (`?entry=` starts at one entry, as a hidden
/// comment's link asks). Open to everyone who may read the consultation.
pub async fn log(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let actor = c.actor();
    let key = slug.clone();
    let consultation = state
        .db
        .run(move |conn| {
            let (row, _) = crate::policy::guards::consultation_for(conn, &actor, &key)?;
            crate::consultations::view::consultation(conn, &row)
        })
        .await;
    let entry = c.param("entry").and_then(|e| e.parse::<i64>().ok());
    let page = Page::parse(None, c.param("cursor"))
        .map_err(|_| ApiError::query("cursor", "is not one this list gave out"))
        .map(|mut page| {
            if let Some(entry) = entry {
                page.after = Some(entry - 1);
            }
            page
        });
    let listed = match (consultation, page) {
        (Ok(k), Ok(page)) => moderation::log(&state.db, c.actor(), slug, page)
            .await
            .map(|list| (k, list)),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match listed {
        Ok((k, list)) => {
            let page = LogPage {
                c: &c,
                k,
                items: list.items,
                next: list.next_cursor,
            };
            respond!(c, StatusCode::OK, page)
        }
        Err(e) => failure(c, &e),
    }
}
