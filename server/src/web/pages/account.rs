//! Sign-up, email verification, sign-in and out, password reset, and "my account"
//! (profile, export, erasure).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::State;
use crate::accounts::handlers as accounts;
use crate::accounts::types::StakeholderGroup;
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

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
        let input = json!({"email": form.get("email"), "password": form.get("password")});
        match api::body(input) {
            Ok(input) => api::json(accounts::login(state.clone(), req.clone(), input).await).await,
            Err(e) => Err(e),
        }
    } else {
        Err(crate::error::ApiError::new(
            crate::error::ErrorCode::CsrfFailed,
            "stale form",
        ))
    };
    match attempt {
        Ok(tokens) => {
            c.sign_in(
                tokens["access_token"].as_str().unwrap_or_default(),
                tokens["refresh_token"].as_str().unwrap_or_default(),
            );
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
    if let (Some(user), Some(refresh)) = (c.auth(), Ctx::refresh_token(&req)) {
        if let Ok(input) = api::body(json!({ "refresh_token": refresh })) {
            // Already revoked or expired: signing out still clears the cookies.
            let _ = accounts::logout(state.clone(), user, input).await;
        }
    }
    c.sign_out();
    c.flash("me-signed-out");
    c.redirect("/")
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
        let input = json!({
            "email": form.get("email"),
            "password": form.get("password"),
            "display_name": form.get("display_name"),
            "stakeholder_group": form.get("stakeholder_group"),
            "organization": form.opt("organization"),
            "country": form.opt("country"),
            "preferred_language": form.opt("preferred_language").unwrap_or(c.lang.code()),
        });
        match api::body(input) {
            Ok(input) => {
                api::json(accounts::register(state.clone(), req.clone(), input).await).await
            }
            Err(e) => Err(e),
        }
    } else {
        Err(crate::error::ApiError::new(
            crate::error::ErrorCode::CsrfFailed,
            "stale form",
        ))
    };
    match attempt {
        Ok(_) => {
            let text = c.t.arg("register-done", "email", form.get("email"));
            let title = c.t.get("register-done-title");
            super::message_text(c, StatusCode::OK, title, text, None)
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            if e.code == crate::error::ErrorCode::EmailTaken && errors.is_empty() {
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
    let result = match api::body(json!({ "token": form.get("token") })) {
        Ok(input) => api::json(accounts::verify(state.clone(), req.clone(), input).await).await,
        Err(e) => Err(e),
    };
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
        Err(crate::error::ApiError::new(
            crate::error::ErrorCode::CsrfFailed,
            "stale form",
        ))
    } else if let Some(token) = &token {
        match api::body(json!({"token": token, "new_password": form.get("new_password")})) {
            Ok(input) => {
                api::json(accounts::password_reset_confirm(state.clone(), input).await).await
            }
            Err(e) => Err(e),
        }
    } else {
        match api::body(json!({"email": form.get("email")})) {
            Ok(input) => {
                api::json(accounts::password_reset(state.clone(), req.clone(), input).await).await
            }
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
            if matches!(
                e.code,
                crate::error::ErrorCode::InvalidToken | crate::error::ErrorCode::ExpiredToken
            ) {
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

#[derive(Deserialize)]
struct Profile {
    email: String,
    display_name: String,
    stakeholder_group: String,
    organization: Option<String>,
    country: Option<String>,
    region: Option<String>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage<'a> {
    c: &'a Ctx,
    profile: Profile,
    errors: PageErrors,
}

pub async fn me(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let Some(user) = c.auth() else {
        return c.redirect("/login?next=/me");
    };
    let profile = api::json(accounts::me(state.clone(), user).await)
        .await
        .and_then(|v| api::read::<Profile>(v["user"].clone()));
    match profile {
        Ok(me) => {
            let page = MePage {
                c: &c,
                profile: me,
                errors: PageErrors::new(),
            };
            respond!(c, StatusCode::OK, page)
        }
        Err(e) => super::failure(c, &e),
    }
}

pub async fn export(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let Some(user) = c.auth() else {
        return c.redirect("/login?next=/me");
    };
    match api::json(accounts::export(state.clone(), user).await).await {
        Ok(data) => {
            let res = HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"indaba-my-data.json\"",
                ))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(serde_json::to_string_pretty(&data).unwrap_or_default());
            c.attach(res)
        }
        Err(e) => super::failure(c, &e),
    }
}

pub async fn delete(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let Some(user) = c.auth() else {
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
        let profile = api::json(accounts::me(state.clone(), user).await)
            .await
            .and_then(|v| api::read::<Profile>(v["user"].clone()));
        return match profile {
            Ok(me) => {
                let page = MePage {
                    c: &c,
                    profile: me,
                    errors,
                };
                respond!(c, StatusCode::UNPROCESSABLE_ENTITY, page)
            }
            Err(e) => super::failure(c, &e),
        };
    }
    let withdraw = if form.checked("withdraw") {
        "withdraw_contributions=true"
    } else {
        ""
    };
    let result = match api::query::<accounts::EraseQuery>(withdraw) {
        Ok(q) => api::json(accounts::erase_me(state.clone(), user, q).await).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            c.sign_out();
            c.flash("me-deleted");
            c.redirect("/")
        }
        Err(e) => super::failure(c, &e),
    }
}
