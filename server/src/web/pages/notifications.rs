//! "My notifications": the list (newest first, unread marked), mark all read, and how
//! each kind reaches me (only here, at once by mail, daily or weekly digest) with my
//! time zone. The one-line texts are the mail's, in the page's language.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::Value;

use super::{failure, State};
use crate::error::ApiResult;
use crate::notifications::command::{ListQuery, MarkRead, SettingsInput};
use crate::notifications::emails;
use crate::notifications::types::{Frequency, Kind};
use crate::notifications::usecase;
use crate::policy::guards::SignedIn;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;
use crate::web::time::Stamp;

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

async fn load(state: &State, c: &Ctx, who: &SignedIn) -> ApiResult<NotificationsData> {
    let query = ListQuery {
        cursor: c.param("cursor").map(str::to_owned),
        ..ListQuery::default()
    };
    let list = usecase::list(&state.db, who, query.try_into()?).await?;
    let items = list
        .items
        .iter()
        .map(|n| {
            let item = emails::item(c.lang.code(), &n.body);
            Shown {
                headline: item.headline,
                detail: item.detail,
                url: item.url,
                unread: n.read_at.is_none(),
                at: Stamp(n.created_at.0.and_utc().fixed_offset()),
            }
        })
        .collect();
    let settings = usecase::settings(&state.db, who).await?;
    let kinds = settings
        .kinds
        .iter()
        .map(|(k, f)| (k.as_str(), f.as_str().to_owned()))
        .collect();
    Ok(NotificationsData {
        items,
        next: list.next_cursor,
        kinds,
        timezone: settings.timezone.unwrap_or_default(),
    })
}

struct NotificationsData {
    items: Vec<Shown>,
    next: Option<String>,
    kinds: Vec<(&'static str, String)>,
    timezone: String,
}

async fn show(state: &State, c: Ctx, errors: PageErrors, status: StatusCode) -> HttpResponse {
    let Some(who) = c.auth().map(SignedIn) else {
        return c.redirect("/login?next=/me/notifications");
    };
    match load(state, &c, &who).await {
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
    let who = SignedIn(user);
    let result = if form.get("action") == "read" {
        usecase::mark_read(&state.db, &who, MarkRead::All)
            .await
            .map(|_| ())
    } else {
        let mut fields: std::collections::BTreeMap<String, Value> = Kind::ALL
            .iter()
            .filter_map(|k| {
                form.opt(k.as_str())
                    .map(|f| (k.as_str().to_owned(), Value::String(f.to_owned())))
            })
            .collect();
        fields.insert(
            "timezone".into(),
            form.opt("timezone")
                .map_or(Value::Null, |z| Value::String(z.trim().to_owned())),
        );
        match SettingsInput(fields).try_into() {
            Ok(change) => usecase::update_settings(&state.db, &who, change)
                .await
                .map(|_| ()),
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
