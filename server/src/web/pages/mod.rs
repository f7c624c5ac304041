//! One module per area of the site; shared here: rendering and the message and
//! failure pages.

/// Renders a page that borrows the request's `Ctx`, then answers with it (the page
/// must go before the context can be consumed).
macro_rules! respond {
    ($c:ident, $status:expr, $page:ident) => {{
        let rendered = askama::Template::render(&$page);
        drop($page);
        $c.page($status, rendered)
    }};
}

pub mod account;
pub mod admin;
pub mod bodies;
pub mod consultation;
pub mod evaluate;
pub mod events;
pub mod follow;
pub mod home;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod organize;
pub mod proposal;
pub mod propose;
pub mod review;
pub mod room;
pub mod secretariat;
pub mod speaker;
pub mod unsubscribe;
pub mod versions;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::web::session::Ctx;

pub type State = web::Data<AppState>;

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    c: &'a Ctx,
    title: String,
    text: String,
    link: Option<(String, String)>,
}

pub fn message_text(
    c: Ctx,
    status: StatusCode,
    title: String,
    text: String,
    link: Option<(&str, &str)>,
) -> HttpResponse {
    let link = link.map(|(href, key)| (href.to_owned(), c.t.get(key)));
    let page = MessagePage {
        c: &c,
        title,
        text,
        link,
    };
    respond!(c, status, page)
}

pub fn message(
    c: Ctx,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
    link: Option<(&str, &str)>,
) -> HttpResponse {
    let (title, text) = (c.t.get(title_key), c.t.get(text_key));
    message_text(c, status, title, text, link)
}

/// An API refusal met while showing a page: not found, not allowed, unavailable (503),
/// or our fault.
pub fn failure(c: Ctx, e: &ApiError) -> HttpResponse {
    match e.code {
        ErrorCode::NotFound | ErrorCode::NoRoute => message(
            c,
            StatusCode::NOT_FOUND,
            "error-not-found-title",
            "error-not-found",
            Some(("/", "nav-home")),
        ),
        ErrorCode::Forbidden => message(
            c,
            StatusCode::FORBIDDEN,
            "error-forbidden",
            "error-forbidden",
            Some(("/", "nav-home")),
        ),
        // The database is busy or out of reach: 503, with when to try again.
        ErrorCode::Unavailable => {
            let mut res = message(
                c,
                StatusCode::SERVICE_UNAVAILABLE,
                "error-unavailable-title",
                "error-unavailable",
                Some(("/", "nav-home")),
            );
            let retry = e.retry_after.unwrap_or(5).to_string();
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&retry) {
                res.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, value);
            }
            res
        }
        // Any other refusal (not verified, closed, rate limited, a conflict…) is the
        // caller's to fix: its status and its message, translated when it is common.
        code if code.status().is_client_error() => {
            let text = crate::web::forms::PageErrors::from_api(&c.t, e)
                .list()
                .first()
                .map(|m| m.message.clone())
                .unwrap_or_else(|| e.message.clone());
            let title = c.t.get("error-summary-title");
            message_text(c, code.status(), title, text, Some(("/", "nav-home")))
        }
        _ => {
            tracing::error!(error = %e, "page failed");
            message(
                c,
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-generic",
                "error-generic",
                Some(("/", "nav-home")),
            )
        }
    }
}

/// A form posted to a page that needs an account: the context and the fields, read once.
pub struct Posted {
    pub c: Ctx,
    pub form: crate::web::forms::FormData,
}

impl Posted {
    /// Reads the post; a visitor is sent to sign in and brought back to `back`.
    pub async fn signed_in(
        req: &actix_web::HttpRequest,
        state: &State,
        body: &[u8],
        back: &str,
    ) -> Result<Posted, HttpResponse> {
        Self::read(req, state, body).await.sign_in_first(back)
    }

    /// Reads the post, for pages whose way back is a field of the form itself.
    pub async fn read(req: &actix_web::HttpRequest, state: &State, body: &[u8]) -> Posted {
        Posted {
            c: Ctx::load(req, state).await,
            form: crate::web::forms::FormData::parse(body),
        }
    }

    /// A visitor is sent to sign in and brought back to `back`.
    // The error is the page's answer, handed straight back: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    pub fn sign_in_first(self, back: &str) -> Result<Posted, HttpResponse> {
        match self.c.auth() {
            Some(_) => Ok(self),
            None => Err(self.c.redirect(&format!(
                "/login?next={}",
                crate::web::session::percent(back)
            ))),
        }
    }

    /// The form's CSRF token is this session's (403 `csrf_failed` otherwise: a stale or
    /// forged form changes nothing).
    pub fn csrf(&self, state: &State) -> crate::error::ApiResult<()> {
        match self.c.csrf_ok(state, self.form.opt("csrf")) {
            true => Ok(()),
            false => Err(ApiError::new(ErrorCode::CsrfFailed, "stale form")),
        }
    }
}

/// A page for some roles only: a visitor is sent to sign in and brought back to `back`;
/// someone signed in without the role gets the page of the refusal (403).
pub fn refuse(c: Ctx, e: &ApiError, back: &str) -> HttpResponse {
    if e.code == ErrorCode::Unauthenticated {
        c.redirect(&format!(
            "/login?next={}",
            crate::web::session::percent(back)
        ))
    } else {
        failure(c, e)
    }
}

pub async fn not_found(req: actix_web::HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    failure(c, &ApiError::not_found("page"))
}
