//! The page a speaker's confirmation link leads to: which session, at which event, under
//! which name they were named, their answer so far, and two buttons (a GET changes
//! nothing: link scanners follow links). The buttons run the use case that
//! `POST /api/v1/speaker-confirmations` runs.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, State};
use crate::error::{ApiError, ErrorCode};
use crate::events::confirmations::ConfirmationView;
use crate::events::types::SpeakerAnswer;
use crate::events::usecase::proposals as uc;
use crate::web::forms::FormData;
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "speaker_confirmation.html")]
struct ConfirmationPage<'a> {
    c: &'a Ctx,
    token: String,
    v: ConfirmationView,
    /// Set right after an answer was recorded.
    saved: bool,
}

impl ConfirmationPage<'_> {
    fn answer(&self) -> &'static str {
        self.v.answer.as_str()
    }
}

fn show(c: Ctx, token: String, v: ConfirmationView, saved: bool) -> HttpResponse {
    let page = ConfirmationPage {
        c: &c,
        token,
        v,
        saved,
    };
    respond!(c, StatusCode::OK, page)
}

pub async fn page(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let token = c.param("token").unwrap_or_default().to_owned();
    match uc::confirmation(&state.db, token.clone()).await {
        Ok(v) => show(c, token, v, false),
        Err(e) => failure(c, &e),
    }
}

pub async fn answer(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let token = form.get("token").to_owned();
    // The link is the capability; the form's token also binds it to this browser.
    if !c.csrf_ok(&state, form.opt("csrf")) {
        return failure(c, &ApiError::new(ErrorCode::CsrfFailed, "stale form"));
    }
    let Some(answer) = SpeakerAnswer::parse(form.get("answer")) else {
        return failure(
            c,
            &ApiError::field("answer", "must be confirmed or declined"),
        );
    };
    match uc::answer_confirmation(&state.db, token.clone(), None, answer).await {
        Ok(v) => show(c, token, v, true),
        Err(e) => failure(c, &e),
    }
}
