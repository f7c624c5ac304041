//! "My notifications": the list (newest first, unread marked), mark all read, and how
//! each kind reaches me (only here, at once by mail, daily or weekly digest) with my
//! time zone. The one-line texts are the mail's, in the page's language.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{failure, State};
use crate::error::{ApiError, ApiResult};
use crate::notifications::emails;
use crate::notifications::handlers as api_h;
use crate::notifications::types::{Frequency, Kind};
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};
use crate::web::time::Stamp;

#[derive(Deserialize)]
struct Row {
    kind: String,
    created_at: Stamp,
    read_at: Option<Stamp>,
    #[serde(default)]
    data: Value,
}

pub struct Shown {
    pub headline: String,
    pub detail: String,
    pub url: String,
    pub unread: bool,
    pub at: Stamp,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage<'a> {
    c: &'a Ctx,
    items: Vec<Shown>,
    next: Option<String>,
    kinds: Vec<(&'static str, String)>,
    timezone: String,
    errors: PageErrors,
}

impl NotificationsPage<'_> {
    fn frequencies(&self) -> Vec<&'static str> {
        Frequency::ALL.iter().map(|f| f.as_str()).collect()
    }
    fn same(&self, current: &str, f: &str) -> bool {
        current == f
    }
    /// Only links to this site are followed from the list.
    fn local(&self, url: &str) -> String {
        let path = url
            .find("://")
            .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]));
        match path {
            Some(p) if crate::web::session::is_local_path(p) => p.to_owned(),
            _ if crate::web::session::is_local_path(url) => url.to_owned(),
            _ => "/".to_owned(),
        }
    }
}

async fn load(state: &State, c: &Ctx) -> ApiResult<NotificationsData> {
    let user = c.auth().ok_or_else(|| ApiError::not_found("user"))?;
    let query = c
        .param("cursor")
        .map(|k| format!("cursor={}", percent(k)))
        .unwrap_or_default();
    let q = api::query::<api_h::ListQuery>(&query)?;
    let list = api::json(api_h::my_notifications(state.clone(), user.clone(), q).await).await?;
    let rows: Vec<Row> = api::read(list["items"].clone())?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let kind = Kind::parse(&r.kind)?;
            let item = emails::item(c.lang.code(), kind, &r.data);
            Some(Shown {
                headline: item.headline,
                detail: item.detail,
                url: item.url,
                unread: r.read_at.is_none(),
                at: r.created_at,
            })
        })
        .collect();
    let settings = api::json(api_h::settings(state.clone(), user).await).await?;
    let kinds = Kind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                settings["kinds"][k.as_str()]
                    .as_str()
                    .unwrap_or("off")
                    .to_owned(),
            )
        })
        .collect();
    Ok(NotificationsData {
        items,
        next: list["next_cursor"].as_str().map(str::to_owned),
        kinds,
        timezone: settings["timezone"].as_str().unwrap_or_default().to_owned(),
    })
}

struct NotificationsData {
    items: Vec<Shown>,
    next: Option<String>,
    kinds: Vec<(&'static str, String)>,
    timezone: String,
}

async fn show(state: &State, c: Ctx, errors: PageErrors, status: StatusCode) -> HttpResponse {
    if c.auth().is_none() {
        return c.redirect("/login?next=/me/notifications");
    }
    match load(state, &c).await {
        Ok(d) => {
            let page = NotificationsPage {
                c: &c,
                items: d.items,
                next: d.next,
                kinds: d.kinds,
                timezone: d.timezone,
                errors,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn page(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(&state, c, PageErrors::new(), StatusCode::OK).await
}

/// Mark all read, or save the settings.
pub async fn act(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let Some(user) = c.auth() else {
        return c.redirect("/login?next=/me/notifications");
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return show(&state, c, errors, StatusCode::FORBIDDEN).await;
    }
    let result = if form.get("action") == "read" {
        match api::body(json!({"all": true})) {
            Ok(input) => api::json(api_h::mark_read(state.clone(), user, input).await).await,
            Err(e) => Err(e),
        }
    } else {
        let mut change = Map::new();
        for k in Kind::ALL {
            if let Some(f) = form.opt(k.as_str()) {
                change.insert(k.as_str().to_owned(), json!(f));
            }
        }
        change.insert(
            "timezone".into(),
            form.opt("timezone")
                .map_or(Value::Null, |z| json!(z.trim())),
        );
        match api::body(Value::Object(change)) {
            Ok(input) => api::json(api_h::update_settings(state.clone(), user, input).await).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(_) => {
            if form.get("action") != "read" {
                c.flash("notif-saved");
            }
            c.redirect("/me/notifications")
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            show(&state, c, errors, e.code.status()).await
        }
    }
}
