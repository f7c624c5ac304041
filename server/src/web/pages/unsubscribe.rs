//! The page an unsubscribe link in a mail's text leads to: in the site's look and the
//! reader's language, what the link stops, and a button (a GET changes nothing: link
//! scanners follow links). The button runs the same use case as the one-click POST that
//! mail clients send to `/api/v1/unsubscribe`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, message, message_text, State};
use crate::error::{ApiError, ErrorCode};
use crate::notifications::command::UnsubscribeScope;
use crate::notifications::usecase;
use crate::policy::guards::accounts::UnsubscribeLink;
use crate::web::forms::FormData;
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage<'a> {
    c: &'a Ctx,
    token: String,
    /// What the link stops, in words.
    what: String,
}

fn what(c: &Ctx, link: &UnsubscribeLink) -> String {
    match link.scope() {
        UnsubscribeScope::Kind(kind) => c.t.of("kind", kind.as_str()),
        UnsubscribeScope::Digest(f) => c.t.of("unsubscribe-digest", f.as_str()),
    }
}

fn invalid(c: Ctx) -> HttpResponse {
    message(
        c,
        StatusCode::BAD_REQUEST,
        "unsubscribe-title",
        "unsubscribe-invalid",
        Some(("/", "nav-home")),
    )
}

pub async fn page(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let token = c.param("token").unwrap_or_default().to_owned();
    let Ok(link) = UnsubscribeLink::check(&state.keys.link_secret, Some(&token)) else {
        return invalid(c);
    };
    let what = what(&c, &link);
    let page = UnsubscribePage { c: &c, token, what };
    respond!(c, StatusCode::OK, page)
}

pub async fn confirm(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let Ok(link) = UnsubscribeLink::check(&state.keys.link_secret, form.opt("token")) else {
        return invalid(c);
    };
    // The signed link is the capability; the form's token also binds it to this browser.
    if !c.csrf_ok(&state, form.opt("csrf")) {
        return failure(c, &ApiError::new(ErrorCode::CsrfFailed, "stale form"));
    }
    match usecase::unsubscribe(&state.db, &link).await {
        Ok(_) => {
            let title = c.t.get("unsubscribe-title");
            let text = c.t.arg("unsubscribe-done", "what", &what(&c, &link));
            message_text(
                c,
                StatusCode::OK,
                title,
                text,
                Some(("/me/notifications", "unsubscribe-settings")),
            )
        }
        Err(e) => failure(c, &e),
    }
}
