//! The account use cases, called alike by the API handlers and the pages: commands in,
//! views out. Who may call each is settled before: by a guard (`SignedIn`, `Admin`) the
//! use case takes as its proof, or by nothing at all for registration and sign-in.

use super::command::UserFilter;
use super::command::{
    Erasure, Login, PasswordChange, ProfileChange, RefreshToken, Registration, ResetConfirm,
    ResetRequest, RoleSet,
};
use super::store::{self, Purpose, Rotation};
use super::tokens::{issue_access, ACCESS_TTL_SECONDS};
use super::types::Role;
use super::view::{
    ExportView, ManagedUserView, PersonCard, ResetRequested, TokenPair, TokenType, UserView,
};
use super::{password, privacy};
use crate::db::Db;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::page::Page;
use crate::http::respond::List;
use crate::mail::{self, templates, OutgoingMail};
use crate::policy::audit::{self, AuditEntry};
use crate::policy::guards::{Admin, Organizer, SignedIn};
use crate::ratelimit::limits;
use crate::state::AppState;

/// Who is knocking, for rate limits and the session list: the client's address (as the
/// proxy says, when trusted) and its browser.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: String,
    pub user_agent: Option<String>,
}

impl Client {
    pub fn of(req: &actix_web::HttpRequest, state: &AppState) -> Client {
        Client {
            ip: crate::http::client_ip(req, state.config.trust_proxy),
            user_agent: req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

/// Proof that a registration attempt was counted against its address's limit. Taken
/// before the input is parsed: refused attempts cost the server as much.
pub struct Admitted(());

pub fn admit_registration(state: &AppState, client: &Client) -> ApiResult<Admitted> {
    state.limiter.hit(
        &format!("register:ip:{}", client.ip),
        limits::REGISTER_PER_IP,
    )?;
    Ok(Admitted(()))
}

/// A new, unverified account; the verification link goes by mail.
pub async fn register(state: &AppState, _: Admitted, cmd: Registration) -> ApiResult<UserView> {
    let hash = password::hash_queued(cmd.password.expose().to_owned()).await?;
    let new = store::NewUser {
        email: cmd.email.as_str().to_owned(),
        password_hash: hash,
        display_name: cmd.display_name,
        stakeholder_group: cmd.stakeholder_group,
        organization: cmd.organization,
        country: cmd.country.map(|c| c.code()),
        region: cmd.country.map(|c| c.region.as_str().to_owned()),
        gender: cmd.gender.map(|g| g.as_str().to_owned()),
        preferred_language: cmd.preferred_language.as_str().to_owned(),
        verified: false,
    };
    let public_url = state.config.public_url.clone();
    let user = state
        .db
        .tx(move |tx| {
            let id = store::insert_user(tx, &new)?;
            let token = store::create_email_token(tx, id, Purpose::Verify)?;
            let lang = templates::ui_language(&new.preferred_language);
            let link = format!("{public_url}/verify?token={token}");
            mail::enqueue(
                tx,
                OutgoingMail {
                    user_id: Some(id),
                    recipient: &new.email,
                    kind: "verify_email",
                    language: lang,
                    rendered: templates::verification(lang, &link),
                    unsubscribe_url: None,
                },
            )?;
            store::view(tx, id)
        })
        .await?;
    state.mail_wakeup.notify_one();
    tracing::info!(user_id = user.id, "account registered");
    Ok(user)
}

/// Spends a verification link.
pub async fn verify(state: &AppState, client: &Client, token: String) -> ApiResult<UserView> {
    state
        .limiter
        .hit(&format!("verify:ip:{}", client.ip), limits::VERIFY_PER_IP)?;
    state
        .db
        .tx(move |tx| {
            let id = store::consume_email_token(tx, &token, Purpose::Verify)?;
            store::mark_verified(tx, id)?;
            store::view(tx, id)
        })
        .await
}

/// Signs in. Any wrong pair is the same 401, answered in the same time. Wrong passwords
/// are slowed down per account and address and per address (growing delays, 429
/// `too_many_attempts`), before any password is checked; failures from elsewhere never
/// lock the owner out.
pub async fn login(state: &AppState, client: &Client, cmd: Login) -> ApiResult<TokenPair> {
    state
        .limiter
        .hit(&format!("login:ip:{}", client.ip), limits::LOGIN_PER_IP)?;
    state.limiter.password_attempt(&cmd.email, &client.ip)?;
    let lookup = cmd.email.clone();
    let row = state
        .db
        .run(move |conn| store::find_by_email(conn, &lookup))
        .await?;
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    // The unknown-email path verifies against a dummy hash: same answer, same time.
    let ok = password::verify_queued(cmd.password, stored).await?;
    let Some(row) = row.filter(|_| ok) else {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "the email or password is wrong",
        ));
    };
    state.limiter.password_ok(&cmd.email, &client.ip);
    // Said only to whoever knows the password: it tells no one else the account exists.
    if row.suspended_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::AccountSuspended,
            "an administrator suspended this account",
        ));
    }
    let ua = client.user_agent.clone();
    let user_id = row.id;
    let max_age = state.config.session_max_age();
    let (user, (refresh, session)) = state
        .db
        .tx(move |tx| {
            let refresh = store::issue_refresh(tx, user_id, ua.as_deref(), max_age)?;
            Ok((store::view(tx, user_id)?, refresh))
        })
        .await?;
    token_pair(state, user, refresh, &session)
}

/// The current password asked again before a change that needs it (a new password,
/// erasure): throttled like a sign-in, 403 `wrong_password` when it is wrong.
async fn confirm_password(
    state: &AppState,
    client: &Client,
    user_id: i64,
    given: String,
) -> ApiResult<store::UserRow> {
    let row = state
        .db
        .run(move |conn| store::find(conn, user_id))
        .await?
        .ok_or_else(|| gone(ApiError::not_found("user")))?;
    state.limiter.password_attempt(&row.email, &client.ip)?;
    if !password::verify_queued(given, row.password_hash.clone()).await? {
        let mut e = ApiError::new(ErrorCode::WrongPassword, "the current password is wrong");
        e.fields = Some(
            [(
                "current_password".to_owned(),
                "is not your current password".to_owned(),
            )]
            .into(),
        );
        return Err(e);
    }
    state.limiter.password_ok(&row.email, &client.ip);
    Ok(row)
}

/// Changes the password, the current one given again. Every other session of the
/// account ends (`keep` is the caller's own, when its token names it), and so do
/// outstanding reset links.
pub async fn change_password(
    state: &AppState,
    who: &SignedIn,
    client: &Client,
    keep: Option<String>,
    cmd: PasswordChange,
) -> ApiResult<()> {
    let PasswordChange {
        current_password,
        new_password,
    } = cmd;
    let row = confirm_password(state, client, who.0.id, current_password).await?;
    new_password
        .differs_from(&row.email)
        .map_err(|e| ApiError::field("new_password", e))?;
    let hash = password::hash_queued(new_password.expose().to_owned()).await?;
    let user_id = row.id;
    state
        .db
        .tx(move |tx| {
            store::set_password(tx, user_id, &hash)?;
            store::spend_all_email_tokens(tx, user_id, Purpose::Reset)?;
            store::revoke_other_sessions(tx, user_id, keep.as_deref())
        })
        .await?;
    tracing::info!(user_id, "password changed: other sessions signed out");
    Ok(())
}

fn token_pair(
    state: &AppState,
    user: UserView,
    refresh_token: String,
    session: &str,
) -> ApiResult<TokenPair> {
    let access_token = issue_access(
        &state.keys,
        user.id,
        &user.roles,
        user.email_verified,
        session,
    )?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: TokenType::Bearer,
        expires_in: ACCESS_TTL_SECONDS,
        user,
    })
}

/// Trades a refresh token for a new pair. A spent one presented again revokes its
/// whole family (it was stolen, or the client is broken).
pub async fn refresh(
    state: &AppState,
    client: &Client,
    presented: RefreshToken,
) -> ApiResult<TokenPair> {
    let ua = client.user_agent.clone();
    let max_age = state.config.session_max_age();
    let outcome = state
        .db
        .tx(move |tx| {
            Ok(
                match store::rotate_refresh(tx, &presented.0, ua.as_deref(), max_age)? {
                    Rotation::Rotated {
                        user_id,
                        token,
                        family,
                    } => Some((store::view(tx, user_id)?, token, family)),
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
        Some((user, token, session)) => token_pair(state, user, token, &session),
        None => {
            tracing::warn!("a spent refresh token was reused: its family is revoked");
            Err(ApiError::new(
                ErrorCode::RefreshTokenReused,
                "this refresh token was already used: every session from it is signed out",
            ))
        }
    }
}

/// Signs a session out: its refresh token's family is revoked (a token of someone else
/// changes nothing).
pub async fn logout(db: &Db, who: &SignedIn, presented: RefreshToken) -> ApiResult<()> {
    let user_id = who.0.id;
    db.tx(move |tx| store::revoke_token_of(tx, user_id, &presented.0))
        .await?;
    Ok(())
}

/// Mails a single-use reset link if the account exists (and not too many went to it
/// lately); the answer is the same either way.
pub async fn request_reset(
    state: &AppState,
    client: &Client,
    cmd: ResetRequest,
) -> ApiResult<ResetRequested> {
    state
        .limiter
        .hit(&format!("reset:ip:{}", client.ip), limits::RESET_PER_IP)?;
    let email = cmd.email;
    // Beyond a few mails an hour to one address, answer alike and send nothing.
    let may_send = state.limiter.allow(
        &format!("reset:account:{}", email.as_str()),
        limits::RESET_MAILS_PER_ACCOUNT,
    );
    let public_url = state.config.public_url.clone();
    let queued = state
        .db
        .tx(move |tx| {
            let Some(user) = store::find_by_email(tx, email.as_str())? else {
                return Ok(false);
            };
            if !may_send {
                return Ok(false);
            }
            let token = store::create_email_token(tx, user.id, Purpose::Reset)?;
            let lang = templates::ui_language(&user.preferred_language);
            let link = format!("{public_url}/reset-password?token={token}");
            mail::enqueue(
                tx,
                OutgoingMail {
                    user_id: Some(user.id),
                    recipient: &user.email,
                    kind: "password_reset",
                    language: lang,
                    rendered: templates::password_reset(lang, &link),
                    unsubscribe_url: None,
                },
            )?;
            Ok(true)
        })
        .await?;
    if queued {
        state.mail_wakeup.notify_one();
    }
    Ok(ResetRequested {
        message: "if an account exists for this address, a reset link is on its way".into(),
    })
}

/// Sets a new password with a reset link: every other reset link and every session of
/// the account end, and the address counts as verified (the link proves it).
pub async fn confirm_reset(db: &Db, cmd: ResetConfirm) -> ApiResult<()> {
    let ResetConfirm {
        token,
        new_password,
    } = cmd;
    // A made-up or spent link costs no hash (hashes queue for the cores: sign-ins wait
    // behind them).
    let presented = token.clone();
    db.run(move |conn| store::check_email_token(conn, &presented, Purpose::Reset))
        .await?;
    let hash = password::hash_queued(new_password.expose().to_owned()).await?;
    db.tx(move |tx| {
        let user_id = store::consume_email_token(tx, &token, Purpose::Reset)?;
        let user = store::find(tx, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
        new_password
            .differs_from(&user.email)
            .map_err(|e| ApiError::field("new_password", e))?;
        store::set_password(tx, user_id, &hash)?;
        store::spend_all_email_tokens(tx, user_id, Purpose::Reset)?;
        store::revoke_all_sessions(tx, user_id)?;
        store::mark_verified(tx, user_id)
    })
    .await
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

/// The caller's profile.
pub async fn profile(db: &Db, who: &SignedIn) -> ApiResult<UserView> {
    let id = who.0.id;
    db.run(move |conn| store::view(conn, id))
        .await
        .map_err(gone)
}

pub async fn update_profile(db: &Db, who: &SignedIn, change: ProfileChange) -> ApiResult<UserView> {
    let id = who.0.id;
    db.tx(move |tx| privacy::update_profile(tx, id, change))
        .await
        .map_err(gone)
}

/// Everything held about the caller.
pub async fn export(db: &Db, who: &SignedIn) -> ApiResult<ExportView> {
    let user = who.0.clone();
    db.run(move |conn| privacy::export(conn, &user))
        .await
        .map_err(gone)
}

/// Erasure, the password given again: personal data goes; contributions stay as
/// "withdrawn participant", or are withdrawn too.
pub async fn erase(
    state: &AppState,
    who: &SignedIn,
    client: &Client,
    cmd: Erasure,
) -> ApiResult<()> {
    let id = who.0.id;
    let withdraw = cmd.withdraw_contributions;
    confirm_password(state, client, id, cmd.current_password).await?;
    let email = state
        .db
        .tx(move |tx| {
            let email = store::find(tx, id)?.map(|u| u.email);
            privacy::erase(tx, id, withdraw)?;
            Ok(email)
        })
        .await
        .map_err(gone)?;
    if let (Some(email), crate::config::MailTransport::Folder(dir)) = (email, &state.config.mail) {
        let dir = dir.clone();
        let removed = actix_web::web::block(move || crate::mail::forget_recipient(&dir, &email))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        tracing::info!(
            user_id = id,
            removed,
            "mail files of an erased account removed"
        );
    }
    tracing::info!(user_id = id, withdraw, "account erased");
    Ok(())
}

/// Replaces an account's roles; the last administrator keeps the admin role.
pub async fn set_roles(
    db: &Db,
    admin: &Admin,
    target: i64,
    roles: RoleSet,
) -> ApiResult<ManagedUserView> {
    let roles = roles.0;
    let view = db
        .tx(move |tx| {
            store::find(tx, target)?.ok_or_else(|| ApiError::not_found("user"))?;
            let was_admin = store::roles(tx, target)?.contains(&Role::Admin);
            if was_admin && !roles.contains(&Role::Admin) && store::count_admins(tx)? <= 1 {
                return Err(ApiError::new(
                    ErrorCode::LastAdmin,
                    "grant admin to someone else first",
                ));
            }
            store::set_roles(tx, target, &roles)?;
            store::view(tx, target)
        })
        .await?;
    tracing::info!(admin = admin.id(), user_id = target, roles = ?view.roles, "roles set");
    Ok(view.into())
}

/// Suspends an account (it cannot sign in; its sessions end at once, its tokens are
/// refused) or reinstates it. Admins cannot suspend themselves.
pub async fn suspend(
    state: &AppState,
    admin: &Admin,
    target: i64,
    suspended: bool,
) -> ApiResult<ManagedUserView> {
    if suspended && target == admin.id() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "you cannot suspend your own account",
        ));
    }
    let at = crate::db::now();
    let view = state
        .db
        .tx(move |tx| {
            let row = store::find(tx, target)?.ok_or_else(|| ApiError::not_found("user"))?;
            if suspended {
                if row.suspended_at.is_none() {
                    store::set_suspended(tx, target, Some(at))?;
                }
                store::revoke_all_sessions(tx, target)?;
            } else {
                store::set_suspended(tx, target, None)?;
            }
            store::view(tx, target)
        })
        .await?;
    if suspended {
        let since = view.suspended_at.map_or(at, |t| t.0);
        state
            .keys
            .suspensions
            .suspend(target, since.and_utc().timestamp());
    } else {
        state.keys.suspensions.reinstate(target);
    }
    tracing::info!(
        admin = admin.id(),
        user_id = target,
        suspended,
        "account standing set"
    );
    Ok(view.into())
}

/// Records that the account's holder speaks for the organisation they name (or withdraws
/// that); a new organisation on their profile ends it.
pub async fn verify_organization(
    db: &Db,
    admin: &Admin,
    target: i64,
    verified: bool,
) -> ApiResult<ManagedUserView> {
    let view = db
        .tx(move |tx| {
            let row = store::find(tx, target)?.ok_or_else(|| ApiError::not_found("user"))?;
            if verified && row.organization.as_deref().is_none_or(str::is_empty) {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "this account names no organisation to verify",
                ));
            }
            let at = verified.then(crate::db::now);
            store::set_organization_verified(tx, target, at)?;
            store::view(tx, target)
        })
        .await?;
    tracing::info!(
        admin = admin.id(),
        user_id = target,
        verified,
        "organisation verification set"
    );
    Ok(view.into())
}

/// Accounts as an admin manages them, newest first.
pub async fn users(
    db: &Db,
    _: &Admin,
    filter: UserFilter,
    page: Page,
) -> ApiResult<List<ManagedUserView>> {
    let found = matching(db, filter, page).await?;
    Ok(List {
        items: found.items.into_iter().map(ManagedUserView::from).collect(),
        next_cursor: found.next_cursor,
    })
}

/// People as organisers find them to give them a part, newest first. Only by what is
/// known of them already (words of a name or organisation, a whole address): organisers
/// find a person, they do not browse everyone who has an account.
pub async fn people(
    db: &Db,
    _: &Organizer,
    filter: UserFilter,
    page: Page,
) -> ApiResult<List<PersonCard>> {
    if filter.q.is_none() {
        let mut errors = crate::error::FieldErrors::new();
        errors.insert(
            "q".into(),
            "give part of a name or an organisation, or a whole e-mail address".into(),
        );
        crate::http::input::refuse_query_if_any(errors)?;
    }
    let found = matching(db, filter, page).await?;
    Ok(List {
        items: found.items.into_iter().map(PersonCard::from).collect(),
        next_cursor: found.next_cursor,
    })
}

async fn matching(db: &Db, filter: UserFilter, page: Page) -> ApiResult<List<UserView>> {
    db.run(move |conn| {
        let rows = store::search(conn, &filter, page.after, page.fetch())?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let roles = store::roles(conn, row.id)?;
            views.push(UserView::new(row, roles)?);
        }
        Ok(paged(&page, views, |u| u.id))
    })
    .await
}

/// The audit log (moderators' looks at anonymous authors), newest first.
pub async fn audit_log(db: &Db, _: &Admin, page: Page) -> ApiResult<List<AuditEntry>> {
    db.run(move |conn| {
        let rows = audit::list(conn, page.after, page.fetch())?;
        Ok(paged(&page, rows, |e| e.id))
    })
    .await
}

/// One page of a list fetched with [`Page::fetch`] rows.
pub(crate) fn paged<T>(page: &Page, mut rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> List<T> {
    let next_cursor = page.next_cursor(&mut rows, id_of);
    List {
        items: rows,
        next_cursor,
    }
}
