//! Account endpoints: thin handlers that parse input into domain types and call the store.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::AuthUser;
use super::store::{self, Purpose, Rotation};
use super::tokens::{issue_access, ACCESS_TTL_SECONDS};
use super::types::{
    bounded_text, Country, Email, Gender, LanguageTag, Password, Role, StakeholderGroup,
};
use super::{password, privacy};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::double_option;
use crate::http::{client_ip, ApiJson};
use crate::mail::{self, templates, OutgoingMail};
use crate::ratelimit::limits;
use crate::state::AppState;

type State = web::Data<AppState>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    email: String,
    password: String,
    display_name: String,
    stakeholder_group: String,
    organization: Option<String>,
    country: Option<String>,
    gender: Option<String>,
    preferred_language: Option<String>,
}

/// Profile fields, validated together so the client hears of every problem at once.
struct Profile {
    display_name: Option<String>,
    stakeholder_group: Option<StakeholderGroup>,
    organization: Option<Option<String>>,
    country: Option<Option<Country>>,
    gender: Option<Option<Gender>>,
    preferred_language: Option<LanguageTag>,
}

fn validate_profile(
    errors: &mut FieldErrors,
    display_name: Option<&str>,
    stakeholder_group: Option<&str>,
    organization: Option<Option<&str>>,
    country: Option<Option<&str>>,
    gender: Option<Option<&str>>,
    preferred_language: Option<&str>,
) -> Profile {
    let mut note = |field: &str, problem: String| {
        errors.insert(field.to_owned(), problem);
    };
    let display_name = display_name.and_then(|v| {
        bounded_text(v, 1, 100)
            .map_err(|e| note("display_name", e))
            .ok()
    });
    let stakeholder_group = stakeholder_group.and_then(|v| {
        StakeholderGroup::parse(v)
            .ok_or_else(|| {
                note(
                    "stakeholder_group",
                    format!("must be one of {}", StakeholderGroup::expected()),
                )
            })
            .ok()
    });
    let organization = organization.map(|o| {
        o.filter(|v| !v.trim().is_empty()).and_then(|v| {
            bounded_text(v, 1, 200)
                .map_err(|e| note("organization", e))
                .ok()
        })
    });
    let country = country.map(|c| {
        c.filter(|v| !v.trim().is_empty()).and_then(|v| {
            Country::parse(v)
                .map_err(|e| note("country", e.to_owned()))
                .ok()
        })
    });
    let gender = gender.map(|g| {
        g.filter(|v| !v.trim().is_empty()).and_then(|v| {
            Gender::parse(v)
                .ok_or_else(|| note("gender", format!("must be one of {}", Gender::expected())))
                .ok()
        })
    });
    let preferred_language = preferred_language.and_then(|v| {
        LanguageTag::parse(v)
            .map_err(|e| note("preferred_language", e.to_owned()))
            .ok()
    });
    Profile {
        display_name,
        stakeholder_group,
        organization,
        country,
        gender,
        preferred_language,
    }
}

fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub async fn register(
    state: State,
    req: HttpRequest,
    input: ApiJson<RegisterInput>,
) -> ApiResult<HttpResponse> {
    let input = input.0;
    state.limiter.hit(
        &format!("register:ip:{}", client_ip(&req, state.config.trust_proxy)),
        limits::REGISTER_PER_IP,
    )?;
    let mut errors = FieldErrors::new();
    let email = Email::parse(&input.email)
        .map_err(|e| errors.insert("email".into(), e.into()))
        .ok();
    let pw = Password::parse(&input.password, email.as_ref().map(Email::as_str))
        .map_err(|e| errors.insert("password".into(), e.into()))
        .ok();
    let profile = validate_profile(
        &mut errors,
        Some(&input.display_name),
        Some(&input.stakeholder_group),
        Some(input.organization.as_deref()),
        Some(input.country.as_deref()),
        Some(input.gender.as_deref()),
        input.preferred_language.as_deref(),
    );
    let (Some(email), Some(pw), Some(display_name), Some(group), true) = (
        email,
        pw,
        profile.display_name,
        profile.stakeholder_group,
        errors.is_empty(),
    ) else {
        return Err(ApiError::validation(errors));
    };
    let hash = web::block(move || password::hash(pw.expose())).await??;
    let country = profile.country.flatten();
    let language = profile
        .preferred_language
        .map_or_else(|| "en".to_owned(), |l| l.as_str().to_owned());
    let new = store::NewUser {
        email: email.as_str().to_owned(),
        password_hash: hash,
        display_name,
        stakeholder_group: group,
        organization: profile.organization.flatten(),
        country: country.map(|c| c.code()),
        region: country.map(|c| c.region.as_str().to_owned()),
        gender: profile.gender.flatten().map(|g| g.as_str().to_owned()),
        preferred_language: language,
        verified: false,
    };
    let public_url = state.config.public_url.clone();
    let user = state
        .db
        .tx(move |conn| {
            let id = store::insert_user(conn, &new)?;
            let token = store::create_email_token(conn, id, Purpose::Verify)?;
            let lang = templates::ui_language(&new.preferred_language);
            let link = format!("{public_url}/verify?token={token}");
            mail::enqueue(
                conn,
                OutgoingMail {
                    user_id: Some(id),
                    recipient: &new.email,
                    kind: "verify_email",
                    language: lang,
                    rendered: templates::verification(lang, &new.display_name, &link),
                    unsubscribe_url: None,
                },
            )?;
            store::view(conn, id)
        })
        .await?;
    state.mail_wakeup.notify_one();
    tracing::info!(user_id = user.id, "account registered");
    Ok(HttpResponse::Created().json(json!({ "user": user })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    token: String,
}

pub async fn verify(
    state: State,
    req: HttpRequest,
    input: ApiJson<TokenInput>,
) -> ApiResult<HttpResponse> {
    state.limiter.hit(
        &format!("verify:ip:{}", client_ip(&req, state.config.trust_proxy)),
        limits::VERIFY_PER_IP,
    )?;
    let token = input.0.token;
    let user = state
        .db
        .tx(move |conn| {
            let id = store::consume_email_token(conn, &token, Purpose::Verify)?;
            store::mark_verified(conn, id)?;
            store::view(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "user": user })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    email: String,
    password: String,
}

pub async fn login(
    state: State,
    req: HttpRequest,
    input: ApiJson<LoginInput>,
) -> ApiResult<HttpResponse> {
    let input = input.0;
    let ip_key = format!("login:ip:{}", client_ip(&req, state.config.trust_proxy));
    state.limiter.hit(&ip_key, limits::LOGIN_PER_IP)?;
    let email = input.email.trim().to_lowercase();
    let account_key = format!("login:account:{email}");
    // Refused while the account is locked, before any password is checked.
    state
        .limiter
        .check(&account_key, limits::LOGIN_FAILURES_PER_ACCOUNT)?;

    let lookup = email.clone();
    let row = state
        .db
        .run(move |conn| store::find_by_email(conn, &lookup))
        .await?;
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    let pw = input.password;
    // The unknown-email path verifies against a dummy hash: same answer, same time.
    let ok = web::block(move || password::verify(&pw, stored.as_deref())).await?;
    let Some(row) = row.filter(|_| ok) else {
        state
            .limiter
            .allow(&account_key, limits::LOGIN_FAILURES_PER_ACCOUNT);
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "the email or password is wrong",
        ));
    };
    state.limiter.reset(&account_key);
    let ua = user_agent(&req);
    let user_id = row.id;
    let (user, refresh) = state
        .db
        .tx(move |conn| {
            let refresh = store::issue_refresh(conn, user_id, None, ua.as_deref())?;
            Ok((store::view(conn, user_id)?, refresh))
        })
        .await?;
    token_pair(&state, user, refresh)
}

fn token_pair(state: &AppState, user: store::UserView, refresh: String) -> ApiResult<HttpResponse> {
    let access = issue_access(&state.keys, user.id, &user.roles, user.email_verified)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": ACCESS_TTL_SECONDS,
            "user": user,
        })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshInput {
    refresh_token: String,
}

pub async fn refresh(
    state: State,
    req: HttpRequest,
    input: ApiJson<RefreshInput>,
) -> ApiResult<HttpResponse> {
    let presented = input.0.refresh_token;
    let ua = user_agent(&req);
    let outcome = state
        .db
        .tx(move |conn| {
            Ok(
                match store::rotate_refresh(conn, &presented, ua.as_deref())? {
                    Rotation::Rotated { user_id, token } => {
                        Some((store::view(conn, user_id)?, token))
                    }
                    Rotation::Reused => None,
                    Rotation::Invalid => {
                        return Err(ApiError::new(
                            ErrorCode::InvalidRefreshToken,
                            "the refresh token is not valid",
                        ))
                    }
                },
            )
        })
        .await?;
    match outcome {
        Some((user, token)) => token_pair(&state, user, token),
        None => {
            tracing::warn!("a spent refresh token was reused: its family is revoked");
            Err(ApiError::new(
                ErrorCode::RefreshTokenReused,
                "this refresh token was already used: every session from it is signed out",
            ))
        }
    }
}

pub async fn logout(
    state: State,
    user: AuthUser,
    input: ApiJson<RefreshInput>,
) -> ApiResult<HttpResponse> {
    let presented = input.0.refresh_token;
    state
        .db
        .tx(move |conn| store::revoke_token_of(conn, user.id, &presented))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetInput {
    email: String,
}

pub async fn password_reset(
    state: State,
    req: HttpRequest,
    input: ApiJson<ResetInput>,
) -> ApiResult<HttpResponse> {
    state.limiter.hit(
        &format!("reset:ip:{}", client_ip(&req, state.config.trust_proxy)),
        limits::RESET_PER_IP,
    )?;
    let email = Email::parse(&input.0.email).map_err(|e| ApiError::field("email", e))?;
    // Beyond a few mails an hour to one address, answer alike and send nothing.
    let may_send = state.limiter.allow(
        &format!("reset:account:{}", email.as_str()),
        limits::RESET_MAILS_PER_ACCOUNT,
    );
    let public_url = state.config.public_url.clone();
    let queued = state
        .db
        .tx(move |conn| {
            let Some(user) = store::find_by_email(conn, email.as_str())? else {
                return Ok(false);
            };
            if !may_send {
                return Ok(false);
            }
            let token = store::create_email_token(conn, user.id, Purpose::Reset)?;
            let lang = templates::ui_language(&user.preferred_language);
            let link = format!("{public_url}/reset-password?token={token}");
            mail::enqueue(
                conn,
                OutgoingMail {
                    user_id: Some(user.id),
                    recipient: &user.email,
                    kind: "password_reset",
                    language: lang,
                    rendered: templates::password_reset(lang, &user.display_name, &link),
                    unsubscribe_url: None,
                },
            )?;
            Ok(true)
        })
        .await?;
    if queued {
        state.mail_wakeup.notify_one();
    }
    Ok(HttpResponse::Accepted().json(json!({
        "message": "if an account exists for this address, a reset link is on its way"
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmInput {
    token: String,
    new_password: String,
}

pub async fn password_reset_confirm(
    state: State,
    input: ApiJson<ResetConfirmInput>,
) -> ApiResult<HttpResponse> {
    let ResetConfirmInput {
        token,
        new_password,
    } = input.0;
    // Length first, so a weak password does not spend the token.
    Password::parse(&new_password, None).map_err(|e| ApiError::field("new_password", e))?;
    let pw = new_password.clone();
    let hash = web::block(move || password::hash(&pw)).await??;
    state
        .db
        .tx(move |conn| {
            let user_id = store::consume_email_token(conn, &token, Purpose::Reset)?;
            let user = store::find(conn, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
            Password::parse(&new_password, Some(&user.email))
                .map_err(|e| ApiError::field("new_password", e))?;
            store::set_password(conn, user_id, &hash)?;
            store::spend_all_email_tokens(conn, user_id, Purpose::Reset)?;
            store::revoke_all_sessions(conn, user_id)?;
            // Receiving the link proves the address as well.
            store::mark_verified(conn, user_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn me(state: State, user: AuthUser) -> ApiResult<HttpResponse> {
    let view = state
        .db
        .run(move |conn| store::view(conn, user.id))
        .await
        .map_err(gone)?;
    Ok(HttpResponse::Ok().json(json!({ "user": view })))
}

/// An access token outliving its (erased) account is no longer a valid credential.
fn gone(e: ApiError) -> ApiError {
    if e.code == ErrorCode::NotFound {
        ApiError::new(
            ErrorCode::InvalidAccessToken,
            "this account no longer exists",
        )
    } else {
        e
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    display_name: Option<String>,
    stakeholder_group: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    country: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    gender: Option<Option<String>>,
    preferred_language: Option<String>,
}

pub async fn update_me(
    state: State,
    user: AuthUser,
    input: ApiJson<ProfilePatch>,
) -> ApiResult<HttpResponse> {
    let p = input.0;
    let mut errors = FieldErrors::new();
    let profile = validate_profile(
        &mut errors,
        p.display_name.as_deref(),
        p.stakeholder_group.as_deref(),
        p.organization.as_ref().map(|o| o.as_deref()),
        p.country.as_ref().map(|o| o.as_deref()),
        p.gender.as_ref().map(|o| o.as_deref()),
        p.preferred_language.as_deref(),
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let view = state
        .db
        .tx(move |conn| privacy::update_profile(conn, user.id, profile.into()))
        .await
        .map_err(gone)?;
    Ok(HttpResponse::Ok().json(json!({ "user": view })))
}

impl From<Profile> for privacy::ProfileChange {
    fn from(p: Profile) -> Self {
        privacy::ProfileChange {
            display_name: p.display_name,
            stakeholder_group: p.stakeholder_group.map(|g| g.as_str().to_owned()),
            organization: p.organization,
            country: p
                .country
                .map(|c| c.map(|c| (c.code(), c.region.as_str().to_owned()))),
            gender: p.gender.map(|g| g.map(|g| g.as_str().to_owned())),
            preferred_language: p.preferred_language.map(|l| l.as_str().to_owned()),
        }
    }
}

pub async fn export(state: State, user: AuthUser) -> ApiResult<HttpResponse> {
    let data = state
        .db
        .run(move |conn| privacy::export(conn, user.id))
        .await
        .map_err(gone)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"indaba-my-data.json\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(data))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseQuery {
    #[serde(default)]
    withdraw_contributions: bool,
}

pub async fn erase_me(
    state: State,
    user: AuthUser,
    query: web::Query<EraseQuery>,
) -> ApiResult<HttpResponse> {
    let withdraw = query.withdraw_contributions;
    state
        .db
        .tx(move |conn| privacy::erase(conn, user.id, withdraw))
        .await
        .map_err(gone)?;
    tracing::info!(user_id = user.id, withdraw, "account erased");
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesInput {
    roles: Vec<String>,
}

pub async fn set_roles(
    state: State,
    caller: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<RolesInput>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin)?;
    let target = path.into_inner();
    let mut roles = Vec::new();
    for r in &input.0.roles {
        roles.push(Role::parse(r).ok_or_else(|| {
            ApiError::field(
                "roles",
                format!("{r:?} is not a role; use {}", Role::expected()),
            )
        })?);
    }
    let view = state
        .db
        .tx(move |conn| {
            store::find(conn, target)?.ok_or_else(|| ApiError::not_found("user"))?;
            let was_admin = store::roles(conn, target)?.contains(&Role::Admin);
            if was_admin && !roles.contains(&Role::Admin) && store::count_admins(conn)? <= 1 {
                return Err(ApiError::new(
                    ErrorCode::LastAdmin,
                    "grant admin to someone else first",
                ));
            }
            store::set_roles(conn, target, &roles)?;
            store::view(conn, target)
        })
        .await?;
    tracing::info!(admin = caller.id, user_id = target, roles = ?view.roles, "roles set");
    Ok(HttpResponse::Ok().json(json!({ "user": view })))
}
