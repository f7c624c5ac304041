//! The home page: open consultations first, then the others, then published events.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, State};
use crate::consultations::types::Status;
use crate::consultations::view::ConsultationView;
use crate::error::ApiResult;
use crate::web::session::Ctx;

pub struct EventItem {
    pub slug: String,
    pub name: String,
    pub venue: Option<String>,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    c: &'a Ctx,
    open: Vec<ConsultationView>,
    other: Vec<ConsultationView>,
    events: Vec<EventItem>,
}

async fn load(state: &State, c: &Ctx) -> ApiResult<(Vec<ConsultationView>, Vec<EventItem>)> {
    let consultations = crate::consultations::usecase::list(
        &state.db,
        c.actor(),
        crate::http::page::Page::parse(Some(50), None)?,
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
    Ok((consultations.items, events))
}

pub async fn home(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    match load(&state, &c).await {
        Ok((consultations, events)) => {
            let (open, other) = consultations
                .into_iter()
                .filter(|x| x.status != Status::Draft)
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
