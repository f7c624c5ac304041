//! The home page: open consultations first, then the others, then published events.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{failure, State};
use crate::accounts::auth::MaybeUser;
use crate::error::ApiResult;
use crate::http::page::PageQuery;
use crate::web::api;
use crate::web::session::Ctx;
use crate::web::time::Stamp;

#[derive(Deserialize)]
pub struct ConsultationItem {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub status: String,
    pub closes_at: Option<Stamp>,
    pub accepting_contributions: bool,
}

pub struct EventItem {
    pub slug: String,
    pub name: String,
    pub venue: Option<String>,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    c: &'a Ctx,
    open: Vec<ConsultationItem>,
    other: Vec<ConsultationItem>,
    events: Vec<EventItem>,
}

async fn load(state: &State, c: &Ctx) -> ApiResult<(Vec<ConsultationItem>, Vec<EventItem>)> {
    let query = || api::query::<PageQuery>("limit=50");
    let consultations = api::json(
        crate::consultations::handlers::list(state.clone(), MaybeUser(c.auth()), query()?).await,
    )
    .await?;
    let page = crate::http::page::Page::parse(Some(50), None)?;
    let events = crate::events::usecase::events::list(&state.db, &c.actor(), page).await?;
    let events = events
        .items
        .into_iter()
        .map(|e| EventItem {
            slug: e.slug,
            name: e.name,
            venue: Some(e.venue),
            starts_on: Some(e.starts_on),
            ends_on: Some(e.ends_on),
        })
        .collect();
    Ok((
        api::read::<Items<ConsultationItem>>(consultations)?.items,
        events,
    ))
}

pub async fn home(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    match load(&state, &c).await {
        Ok((consultations, events)) => {
            let (open, other) = consultations
                .into_iter()
                .filter(|x| x.status != "draft")
                .partition(|x| x.accepting_contributions);
            let page = HomePage {
                c: &c,
                open,
                other,
                events,
            };
            respond!(c, StatusCode::OK, page)
        }
        Err(e) => failure(c, &e),
    }
}
