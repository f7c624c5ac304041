//! Sign-up, email verification, sign-in and out, password reset, and "my account"
//! (profile, export, erasure).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::State;
use crate::accounts::command::{
    EraseInput, EraseQuery, Erasure, LoginInput, PasswordChangeInput, RegisterInput,
    ResetConfirmInput, ResetInput,
};
use crate::accounts::types::StakeholderGroup;
use crate::accounts::usecase::{self as accounts, Client};
use crate::accounts::view::UserView;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::guards::SignedIn;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

fn stale_form() -> ApiError {
    ApiError::new(ErrorCode::CsrfFailed, "stale form")
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    c: &'a Ctx,
    errors: PageErrors,
    email: String,
    next: String,
}

/// Where to go after signing in: a local path only, never another site.
fn local_next(raw: &str) -> String {
    if crate::web::session::is_local_path(raw) {
        raw.to_owned()
    } else {
        "/".to_owned()
    }
}

pub async fn login_form(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let next = local_next(c.param("next").unwrap_or("/"));
    let page = LoginPage {
        c: &c,
        errors: PageErrors::new(),
        email: String::new(),
        next,
    };
    respond!(c, StatusCode::OK, page)
}

pub async fn login(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let next = local_next(form.get("next"));
    let attempt = if c.csrf_ok(&state, form.opt("csrf")) {
        let input = LoginInput {
            email: form.get("email").to_owned(),
            password: form.get("password").to_owned(),
        };
        accounts::login(&state, &Client::of(&req, &state), input.into()).await
    } else {
        Err(stale_form())
    };
    match attempt {
        Ok(tokens) => {
            c.sign_in(&tokens.access_token, &tokens.refresh_token);
            c.redirect(&next)
        }
        Err(e) => {
            let status = e.code.status();
            let page = LoginPage {
                c: &c,
                errors: PageErrors::from_api(&c.t, &e),
                email: form.get("email").to_owned(),
                next,
            };
            respond!(c, status, page)
        }
    }
}

pub async fn logout(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    if !c.csrf_ok(&state, form.opt("csrf")) {
        return super::message(c, StatusCode::FORBIDDEN, "nav-sign-out", "error-csrf", None);
    }
    if let (Some(user), Some(refresh)) = (c.auth(), c.refresh_token(&req)) {
        let token = crate::accounts::command::RefreshToken(refresh.to_owned());
        // Already revoked or expired: signing out still clears the cookies.
        let _ = accounts::logout(&state.db, &SignedIn(user), token).await;
    }
    c.sign_out();
    c.flash("me-signed-out");
    let mut res = c.redirect("/");
    // Pages of the session that a browser kept go too (signed-in pages are no-store,
    // but an older browser or an extension may have kept some). Not "cookies": that
    // would take the flash that says the sign-out worked; ours expire by Set-Cookie.
    res.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("clear-site-data"),
        actix_web::http::header::HeaderValue::from_static("\"cache\""),
    );
    res
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    c: &'a Ctx,
    errors: PageErrors,
    form: FormData,
    groups: Vec<&'static str>,
}

fn groups() -> Vec<&'static str> {
    StakeholderGroup::ALL.iter().map(|g| g.as_str()).collect()
}

pub async fn register_form(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let page = RegisterPage {
        c: &c,
        errors: PageErrors::new(),
        form: FormData::default(),
        groups: groups(),
    };
    respond!(c, StatusCode::OK, page)
}

pub async fn register(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let attempt = if c.csrf_ok(&state, form.opt("csrf")) {
        let input = RegisterInput {
            email: form.get("email").to_owned(),
            password: form.get("password").to_owned(),
            display_name: form.get("display_name").to_owned(),
            stakeholder_group: form.get("stakeholder_group").to_owned(),
            organization: form.opt("organization").map(str::to_owned),
            country: form.opt("country").map(str::to_owned),
            gender: None,
            preferred_language: Some(
                form.opt("preferred_language")
                    .unwrap_or(c.lang.code())
                    .to_owned(),
            ),
        };
        register_with(&state, &Client::of(&req, &state), input).await
    } else {
        Err(stale_form())
    };
    match attempt {
        Ok(_) => {
            let text = c.t.arg("register-done", "email", form.get("email"));
            let title = c.t.get("register-done-title");
            super::message_text(c, StatusCode::OK, title, text, None)
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            if e.code == ErrorCode::EmailTaken && errors.is_empty() {
                errors = PageErrors::one(e.message.clone());
            }
            let page = RegisterPage {
                c: &c,
                errors,
                form,
                groups: groups(),
            };
            respond!(c, e.code.status(), page)
        }
    }
}

/// The API's registration, step by step: counted against the address, then parsed.
async fn register_with(
    state: &State,
    client: &Client,
    input: RegisterInput,
) -> ApiResult<UserView> {
    let admitted = accounts::admit_registration(state, client)?;
    accounts::register(state, admitted, input.try_into()?).await
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    c: &'a Ctx,
    token: String,
    errors: PageErrors,
}

/// The link in the mail shows a button: a mail scanner following the link does not
/// spend the token, the person's click does.
pub async fn verify_form(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let token = c.param("token").unwrap_or_default().to_owned();
    let page = VerifyPage {
        c: &c,
        token,
        errors: PageErrors::new(),
    };
    respond!(c, StatusCode::OK, page)
}

pub async fn verify(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let page = VerifyPage {
            c: &c,
            token: form.get("token").to_owned(),
            errors: PageErrors::one(c.t.get("error-csrf")),
        };
        return respond!(c, StatusCode::FORBIDDEN, page);
    }
    let token = form.get("token").to_owned();
    let result = accounts::verify(&state, &Client::of(&req, &state), token).await;
    let (status, key) = match result {
        Ok(_) => (StatusCode::OK, "verify-ok"),
        Err(_) => (StatusCode::BAD_REQUEST, "verify-failed"),
    };
    let link = if c.is_signed_in() {
        ("/", "nav-home")
    } else {
        ("/login", "nav-sign-in")
    };
    super::message(c, status, "verify-title", key, Some(link))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage<'a> {
    c: &'a Ctx,
    errors: PageErrors,
    /// With a token: choose the new password; without: ask for a link.
    token: Option<String>,
    email: String,
}

pub async fn reset_form(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let token = c.param("token").map(str::to_owned);
    let page = ResetPage {
        c: &c,
        errors: PageErrors::new(),
        token,
        email: String::new(),
    };
    respond!(c, StatusCode::OK, page)
}

pub async fn reset(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let token = form.opt("token").map(str::to_owned);
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(stale_form())
    } else if let Some(token) = &token {
        let input = ResetConfirmInput {
            token: token.clone(),
            new_password: form.get("new_password").to_owned(),
        };
        match input.try_into() {
            Ok(cmd) => accounts::confirm_reset(&state.db, cmd).await,
            Err(e) => Err(e),
        }
    } else {
        let input = ResetInput {
            email: form.get("email").to_owned(),
        };
        match input.try_into() {
            Ok(cmd) => accounts::request_reset(&state, &Client::of(&req, &state), cmd)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        }
    };
    match attempt {
        Ok(_) => {
            c.flash(if token.is_some() {
                "reset-done"
            } else {
                "reset-sent"
            });
            c.redirect("/login")
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            if matches!(e.code, ErrorCode::InvalidToken | ErrorCode::ExpiredToken) {
                errors = PageErrors::one(c.t.get("verify-failed"));
            }
            let page = ResetPage {
                c: &c,
                errors,
                token,
                email: form.get("email").to_owned(),
            };
            respond!(c, e.code.status(), page)
        }
    }
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage<'a> {
    c: &'a Ctx,
    profile: UserView,
    errors: PageErrors,
}

async fn show_me(
    state: &State,
    c: Ctx,
    who: &SignedIn,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    match accounts::profile(&state.db, who).await {
        Ok(profile) => {
            let page = MePage {
                c: &c,
                profile,
                errors,
            };
            respond!(c, status, page)
        }
        Err(e) => super::failure(c, &e),
    }
}

pub async fn me(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let Some(who) = c.auth().map(SignedIn) else {
        return c.redirect("/login?next=/me");
    };
    show_me(&state, c, &who, PageErrors::new(), StatusCode::OK).await
}

pub async fn export(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let Some(who) = c.auth().map(SignedIn) else {
        return c.redirect("/login?next=/me");
    };
    let data = accounts::export(&state.db, &who)
        .await
        .and_then(|view| serde_json::to_string_pretty(&view).map_err(ApiError::internal));
    match data {
        Ok(data) => {
            let res = HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"indaba-my-data.json\"",
                ))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(data);
            c.attach(res)
        }
        Err(e) => super::failure(c, &e),
    }
}

pub async fn delete(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let Some(who) = c.auth().map(SignedIn) else {
        return c.redirect("/login?next=/me");
    };
    let problem = if !c.csrf_ok(&state, form.opt("csrf")) {
        Some(PageErrors::one(c.t.get("error-csrf")))
    } else if !form.checked("confirm") {
        Some(PageErrors::field("confirm", c.t.get("me-delete-confirm")))
    } else {
        None
    };
    if let Some(errors) = problem {
        return show_me(&state, c, &who, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let erasure = Erasure::new(
        EraseQuery {
            withdraw_contributions: form.checked("withdraw"),
        },
        EraseInput {
            current_password: form.get("delete_password").to_owned(),
        },
    );
    match accounts::erase(&state, &who, &Client::of(&req, &state), erasure).await {
        Ok(()) => {
            c.sign_out();
            c.flash("me-deleted");
            c.redirect("/")
        }
        Err(e) if e.code.status().is_client_error() => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            errors.rename("current_password", "delete_password");
            show_me(&state, c, &who, errors, e.code.status()).await
        }
        Err(e) => super::failure(c, &e),
    }
}

/// A new password, the current one given again: every other session is signed out,
/// this one stays.
pub async fn change_password(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let Some(who) = c.auth().map(SignedIn) else {
        return c.redirect("/login?next=/me");
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return show_me(&state, c, &who, errors, StatusCode::FORBIDDEN).await;
    }
    let input = PasswordChangeInput {
        current_password: form.get("current_password").to_owned(),
        new_password: form.get("new_password").to_owned(),
    };
    let keep = c.session().map(str::to_owned);
    let attempt = match input.try_into() {
        Ok(cmd) => {
            accounts::change_password(&state, &who, &Client::of(&req, &state), keep, cmd).await
        }
        Err(e) => Err(e),
    };
    match attempt {
        Ok(()) => {
            c.flash("me-password-changed");
            c.redirect("/me")
        }
        Err(e) if e.code.status().is_client_error() => {
            let errors = PageErrors::from_api(&c.t, &e);
            show_me(&state, c, &who, errors, e.code.status()).await
        }
        Err(e) => super::failure(c, &e),
    }
}

/// Keeps the page's session fresh (the access cookie is renewed from the refresh cookie
/// when it ran out): the live script calls it before it reconnects after a 4001.
pub async fn refresh_session(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    c.attach(
        HttpResponse::NoContent()
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .finish(),
    )
}
