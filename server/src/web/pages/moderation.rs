//! The moderators' queue: flagged comments with the flags' reasons; hide (with a public
//! reason) or keep each one.

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
                "hide" => match ModerationCommand::try_from(ModerationInput {
                    action: "hide".into(),
                    reason: form.get("reason").to_owned(),
                }) {
                    Ok(cmd) => moderation::moderate(&state.db, &who, id, cmd)
                        .await
                        .map(|_| ()),
                    Err(e) => Err(e),
                },
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
