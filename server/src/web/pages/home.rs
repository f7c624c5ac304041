//! The home page: open consultations first, then the others, then published events.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{failure, State};
use crate::accounts::auth::MaybeUser;
use crate::consultations::types::Status;
use crate::consultations::view::ConsultationView;
use crate::error::ApiResult;
use crate::http::page::PageQuery;
use crate::web::api;
use crate::web::session::Ctx;

#[derive(Deserialize)]
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
    open: Vec<ConsultationView>,
    other: Vec<ConsultationView>,
    events: Vec<EventItem>,
}

async fn load(state: &State, c: &Ctx) -> ApiResult<(Vec<ConsultationView>, Vec<EventItem>)> {
    let query = || api::query::<PageQuery>("limit=50");
    let consultations = crate::consultations::usecase::list(
        &state.db,
        c.actor(),
        crate::http::page::Page::parse(Some(50), None)?,
    )
    .await?
    .items;
    let events = api::json(
        crate::events::handlers::list(state.clone(), MaybeUser(c.auth()), query()?).await,
    )
    .await?;
    Ok((consultations, api::read::<Items<EventItem>>(events)?.items))
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
