//! What every page request carries: the language, the signed-in user (from the session
//! cookies), the CSRF token for its forms, and cookies to set on the way out.
//!
//! A web session is the API's own token pair kept in HttpOnly cookies: the short-lived
//! access token, and the refresh token that is rotated (with reuse detection) when the
//! access token runs out. Nothing new to revoke or leak: signing out revokes the family.
//!
//! Every form carries a CSRF token that signs the session it was made for: the user and
//! their refresh token family, or, for a visitor, the secret in this browser's CSRF
//! cookie. When the public URL is HTTPS the session cookies are `__Host-` cookies, which
//! no subdomain and no plain-HTTP page can set.

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

use super::i18n::{self, Lang, Tr};
use crate::accounts::auth::AuthUser;
use crate::accounts::store::{self as accounts, Rotation};
use crate::accounts::tokens::{decode_access, issue_access, ACCESS_TTL_SECONDS, REFRESH_TTL_DAYS};
use crate::accounts::types::Role;
use crate::state::AppState;

pub const ACCESS_COOKIE: &str = "indaba_access";
pub const REFRESH_COOKIE: &str = "indaba_refresh";
const CSRF_COOKIE: &str = "indaba_csrf";

/// The session cookies' names: `__Host-` ones when the public URL is HTTPS (Secure,
/// `Path=/`, no `Domain`: a subdomain or a plain-HTTP page cannot set or toss them), the
/// plain names on HTTP, where browsers refuse the prefix (local use, tests).
#[derive(Clone, Copy)]
pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
    pub csrf: &'static str,
}

impl CookieNames {
    pub fn new(secure: bool) -> CookieNames {
        if secure {
            CookieNames {
                access: "__Host-indaba_access",
                refresh: "__Host-indaba_refresh",
                csrf: "__Host-indaba_csrf",
            }
        } else {
            CookieNames {
                access: ACCESS_COOKIE,
                refresh: REFRESH_COOKIE,
                csrf: CSRF_COOKIE,
            }
        }
    }

    pub fn of(state: &AppState) -> CookieNames {
        CookieNames::new(is_secure(state))
    }
}

/// Whether the site is served over HTTPS (its public URL says so).
pub fn is_secure(state: &AppState) -> bool {
    state.config.public_url.starts_with("https://")
}

const LANG_COOKIE: &str = "indaba_lang";
const FLASH_COOKIE: &str = "indaba_flash";

/// Messages a redirect may leave for the next page (keys of the locale files).
const FLASHES: &[&str] = &[
    "comment-posted",
    "me-signed-out",
    "me-deleted",
    "me-password-changed",
    "reset-done",
    "reset-sent",
    "review-saved",
    "organize-saved",
    "moderation-done",
    "revise-done",
    "comment-flagged",
    "notif-saved",
    "follow-started",
    "follow-stopped",
    "organize-event-created",
    "secretariat-created",
    "secretariat-status-saved",
    "secretariat-cofacilitators-saved",
    "secretariat-published",
    "secretariat-phase-saved",
    "secretariat-participation-saved",
    "admin-saved",
    "silence-break-sent",
    "proposal-saved",
];

#[derive(Clone)]
pub struct WebUser {
    pub id: i64,
    pub name: String,
    pub roles: Vec<Role>,
    pub verified: bool,
    /// When the session's access token ends (Unix seconds).
    pub expires_at: i64,
    /// The session: the refresh token family (empty for an access token issued before
    /// sessions were named).
    pub session: String,
}

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

pub struct Ctx {
    pub t: Tr,
    pub lang: Lang,
    pub user: Option<WebUser>,
    /// The token every form of this page carries.
    pub csrf: String,
    /// A message left by the previous request (already translated).
    pub flash: Option<String>,
    /// The signed-in user's unread notifications, shown in the header.
    pub unread: i64,
    /// What this request's CSRF token must sign: the session, or the visitor's secret
    /// (none for a visitor whose browser brought no CSRF cookie).
    csrf_binding: Option<String>,
    names: CookieNames,
    path: String,
    query: Vec<(String, String)>,
    secure: bool,
    cookies: Vec<Cookie<'static>>,
}

impl Ctx {
    pub async fn load(req: &HttpRequest, state: &AppState) -> Ctx {
        let secure = is_secure(state);
        let names = CookieNames::new(secure);
        let mut cookies = Vec::new();
        if secure {
            // Plain-named session cookies from before: gone (a subdomain could have set them).
            for old in [ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE] {
                if req.cookie(old).is_some() {
                    cookies.push(expired(old, secure));
                }
            }
        }
        let query: Vec<(String, String)> =
            actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(|q| q.into_inner())
                .unwrap_or_default();
        let user = resolve_user(req, state, names, secure, &mut cookies).await;

        let asked = query
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        if let Some(lang) = asked {
            cookies.push(cookie(
                LANG_COOKIE,
                lang.code(),
                365 * 24 * 3600,
                secure,
                true,
            ));
        }
        let lang = asked
            .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
            .or_else(|| user.as_ref().and_then(|(_, pref)| Lang::parse(pref)))
            .or_else(|| {
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(i18n::from_accept_language)
            })
            .unwrap_or(Lang::En);
        let t = Tr::new(lang);

        let csrf_cookie = req
            .cookie(names.csrf)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() >= 16);
        let visitor_secret = match &csrf_cookie {
            Some(v) => v.clone(),
            None => {
                let fresh = crate::crypto::random_token(18);
                cookies.push(cookie(names.csrf, &fresh, 7 * 24 * 3600, secure, true));
                fresh
            }
        };
        let csrf = csrf_token(
            &state.keys.link_secret,
            &csrf_binding(user.as_ref().map(|(u, _)| u), &visitor_secret),
        );
        let csrf_binding = match (&user, &csrf_cookie) {
            (Some((u, _)), _) => Some(csrf_binding(Some(u), "")),
            (None, Some(secret)) => Some(csrf_binding(None, secret)),
            (None, None) => None,
        };

        let flash = req
            .cookie(FLASH_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|k| FLASHES.contains(&k.as_str()))
            .map(|k| t.get(&k));
        if req.cookie(FLASH_COOKIE).is_some() {
            cookies.push(expired(FLASH_COOKIE, secure));
        }

        // Only pages show it (a form's POST answers with a redirect). A page that cannot
        // count stays usable: the header then shows no number.
        let shows_a_page = matches!(
            *req.method(),
            actix_web::http::Method::GET | actix_web::http::Method::HEAD
        );
        let unread = match &user {
            Some((u, _)) if shows_a_page => {
                let id = u.id;
                state
                    .db
                    .run(move |conn| crate::notifications::store::unread_count(conn, id))
                    .await
                    .unwrap_or(0)
            }
            _ => 0,
        };

        Ctx {
            t,
            lang,
            unread,
            user: user.map(|(u, _)| u),
            csrf,
            flash,
            csrf_binding,
            names,
            path: req.path().to_owned(),
            query,
            secure,
            cookies,
        }
    }

    /// The signed-in user as the API handlers take them.
    pub fn auth(&self) -> Option<AuthUser> {
        self.user.as_ref().map(|u| AuthUser {
            id: u.id,
            roles: u.roles.clone(),
            verified: u.verified,
            expires_at: u.expires_at,
        })
    }

    /// The signed-in user (or nobody), as the policy knows callers.
    pub fn actor(&self) -> crate::policy::Actor {
        crate::policy::Actor::from_user(self.auth())
    }

    /// True when a posted form carries the token of this very session (or, for a
    /// visitor, of the secret in this browser's CSRF cookie).
    pub fn csrf_ok(&self, state: &AppState, presented: Option<&str>) -> bool {
        match (&self.csrf_binding, presented) {
            (Some(binding), Some(token)) => {
                crate::crypto::verify_signature(&state.keys.link_secret, binding, token)
            }
            _ => false,
        }
    }

    /// The session of the signed-in user (their refresh token family), if named.
    pub fn session(&self) -> Option<&str> {
        self.user
            .as_ref()
            .map(|u| u.session.as_str())
            .filter(|s| !s.is_empty())
    }

    pub fn dir(&self) -> &'static str {
        self.lang.dir()
    }

    /// Organisers (and admins) see the way to the organiser pages.
    pub fn is_organizer(&self) -> bool {
        self.actor().is_organizer()
    }

    pub fn is_admin(&self) -> bool {
        self.actor().is_admin()
    }

    pub fn is_moderator(&self) -> bool {
        self.actor().is_moderator()
    }

    pub fn is_signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn user_name(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.name.as_str())
            .unwrap_or_default()
    }

    /// A query parameter of this request.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// This page in each language: the same path and query with `lang` replaced.
    pub fn languages(&self) -> Vec<LangLink> {
        Lang::ALL
            .into_iter()
            .map(|l| LangLink {
                code: l.code(),
                name: l.endonym(),
                href: self.with_param("lang", l.code()),
                current: l == self.lang,
            })
            .collect()
    }

    /// This page with one query parameter replaced (the others, filters and language,
    /// kept): the links of the language switch and of a pager.
    pub fn with_param(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .query
            .iter()
            .filter(|(k, _)| k != name)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push((name, value));
        // The path as asked, unless it could read as another host (`//x`).
        let path = if is_local_path(&self.path) {
            self.path.as_str()
        } else {
            "/"
        };
        format!("{path}?{}", encode_query(&pairs))
    }

    pub fn sign_in(&mut self, access: &str, refresh: &str) {
        self.cookies.push(cookie(
            self.names.access,
            access,
            ACCESS_TTL_SECONDS,
            self.secure,
            true,
        ));
        self.cookies.push(cookie(
            self.names.refresh,
            refresh,
            REFRESH_TTL_DAYS * 24 * 3600,
            self.secure,
            true,
        ));
    }

    pub fn sign_out(&mut self) {
        self.cookies.push(expired(self.names.access, self.secure));
        self.cookies.push(expired(self.names.refresh, self.secure));
        self.user = None;
    }

    pub fn flash(&mut self, key: &'static str) {
        self.cookies
            .push(cookie(FLASH_COOKIE, key, 60, self.secure, true));
    }

    /// A rendered page. Pages depend on who is signed in, so no shared cache keeps them.
    pub fn html(self, status: StatusCode, body: String) -> HttpResponse {
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .insert_header((header::VARY, "Cookie, Accept-Language"))
            .insert_header((header::CONTENT_LANGUAGE, self.lang.code()));
        for c in self.cookies {
            res.cookie(c);
        }
        res.body(body)
    }

    /// A rendered template, or (a template error is a bug) a plain 500, logged.
    pub fn page(self, status: StatusCode, rendered: askama::Result<String>) -> HttpResponse {
        match rendered {
            Ok(html) => self.html(status, html),
            Err(e) => {
                tracing::error!(error = %e, "template failed");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("The page could not be rendered; this has been logged.")
            }
        }
    }

    /// Post/redirect/get: 303 to `to` (a local path).
    pub fn redirect(self, to: &str) -> HttpResponse {
        let target = if is_local_path(to) { to } else { "/" };
        let mut res = HttpResponse::SeeOther();
        res.insert_header((header::LOCATION, target));
        for c in self.cookies {
            res.cookie(c);
        }
        res.finish()
    }

    /// A response built elsewhere (a download), with this request's cookies: a rotated
    /// session must reach the browser, or its next request would look like token reuse.
    pub fn attach(self, mut res: HttpResponse) -> HttpResponse {
        for c in self.cookies {
            let _ = res.add_cookie(&c);
        }
        res
    }

    /// The refresh token of this browser, to revoke on sign-out.
    pub fn refresh_token(&self, req: &HttpRequest) -> Option<String> {
        req.cookie(self.names.refresh).map(|c| c.value().to_owned())
    }
}

/// A path on this site, never another: browsers read `//host` and `/\\host` as a host,
/// and control characters have no place in a header.
pub fn is_local_path(to: &str) -> bool {
    let mut chars = to.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !to.chars().any(|c| c.is_control())
}

/// What a form's CSRF token signs: the user and their session, or the visitor's secret.
fn csrf_binding(user: Option<&WebUser>, visitor_secret: &str) -> String {
    match user {
        Some(u) => format!("csrf:user:{}:{}", u.id, u.session),
        None => format!("csrf:visitor:{visitor_secret}"),
    }
}

fn csrf_token(secret: &[u8], binding: &str) -> String {
    crate::crypto::sign(secret, binding)
}

fn encode_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn cookie(
    name: &'static str,
    value: &str,
    max_age: i64,
    secure: bool,
    http_only: bool,
) -> Cookie<'static> {
    Cookie::build(name, value.to_owned())
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieAge::seconds(max_age))
        .finish()
}

fn expired(name: &'static str, secure: bool) -> Cookie<'static> {
    cookie(name, "", 0, secure, true)
}

/// The user the cookies name, refreshing the access token when it ran out. Returns the
/// user and their preferred language.
async fn resolve_user(
    req: &HttpRequest,
    state: &AppState,
    names: CookieNames,
    secure: bool,
    cookies: &mut Vec<Cookie<'static>>,
) -> Option<(WebUser, String)> {
    if let Some(token) = req.cookie(names.access) {
        if let Ok((id, claims)) = decode_access(&state.keys, token.value()) {
            let row = state
                .db
                .run(move |conn| accounts::find(conn, id))
                .await
                .ok()
                .flatten()?;
            return Some((
                WebUser {
                    id,
                    name: row.display_name,
                    roles: claims.roles,
                    verified: row.email_verified_at.is_some(),
                    expires_at: claims.exp,
                    session: claims.sid.unwrap_or_default(),
                },
                row.preferred_language,
            ));
        }
    }
    let refresh = req.cookie(names.refresh)?.value().to_owned();
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let max_age = state.config.session_max_age();
    let rotated = state
        .db
        .tx(
            move |conn| match accounts::rotate_refresh(conn, &refresh, ua.as_deref(), max_age)? {
                Rotation::Rotated {
                    user_id,
                    token,
                    family,
                } => Ok(Some((accounts::view(conn, user_id)?, token, family))),
                _ => Ok(None),
            },
        )
        .await;
    match rotated {
        Ok(Some((view, refresh, session))) => {
            let access = issue_access(
                &state.keys,
                view.id,
                &view.roles,
                view.email_verified,
                &session,
            )
            .ok()?;
            cookies.push(cookie(
                names.access,
                &access,
                ACCESS_TTL_SECONDS,
                secure,
                true,
            ));
            cookies.push(cookie(
                names.refresh,
                &refresh,
                REFRESH_TTL_DAYS * 24 * 3600,
                secure,
                true,
            ));
            Some((
                WebUser {
                    id: view.id,
                    name: view.display_name,
                    roles: view.roles,
                    verified: view.email_verified,
                    expires_at: chrono::Utc::now().timestamp() + ACCESS_TTL_SECONDS,
                    session,
                },
                view.preferred_language.to_string(),
            ))
        }
        _ => {
            cookies.push(expired(names.access, secure));
            cookies.push(expired(names.refresh, secure));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_local_path, FLASHES};

    /// A flash whose key is not in `FLASHES` is silently never shown: every literal key
    /// the pages flash (and the secretariat's saved-messages) must be there.
    #[test]
    fn every_flash_the_pages_give_is_shown() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/pages");
        let mut keys = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("flash(\"").skip(1) {
                keys.push(part.split('"').next().unwrap().to_owned());
            }
            for part in text.split("|_| \"").skip(1) {
                let key = part.split('"').next().unwrap();
                if key.ends_with("-saved") || key.ends_with("-published") {
                    keys.push(key.to_owned());
                }
            }
        }
        assert!(keys.len() > 10, "{keys:?}");
        for key in keys {
            assert!(
                FLASHES.contains(&key.as_str()),
                "{key} is flashed but never shown"
            );
        }
    }

    #[test]
    fn only_local_paths_are_redirect_targets() {
        for ok in ["/", "/me", "/consultations/x?paragraph=a#c-1"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/a\r\nSet-Cookie: x=y",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}
