//! The IGF messages page of an event: the messages with the sessions they come from, the
//! downloads and the consultation to comment in, for everyone once opened; for the
//! organisers, the draft from the reports, an edit form, and the steps to open them for
//! comment and to publish them. The forms run the API's use cases.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, Posted, State};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::messages::{
    ConsultationInput, Drafted, MessageInput, MessagesInput, MessagesView,
};
use crate::events::usecase::messages as uc;
use crate::policy::guards::events::{EventOrganizer, EventReader};
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage<'a> {
    c: &'a Ctx,
    event_slug: String,
    event_name: String,
    organizer: bool,
    messages: Option<MessagesView>,
    errors: PageErrors,
}

impl MessagesPage<'_> {
    fn opens(&self, v: &MessagesView, n: &usize) -> bool {
        *n == 0 || v.messages[*n - 1].subtheme != v.messages[*n].subtheme
    }
    fn editable(&self) -> bool {
        self.organizer
            && self
                .messages
                .as_ref()
                .is_some_and(|v| v.stage.as_str() != "final")
    }
    fn source_ids(&self, ids: &[crate::events::messages::SourceView]) -> String {
        ids.iter()
            .map(|s| s.session_id.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn show(
    state: &State,
    c: Ctx,
    slug: String,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    let reader = match EventReader::check(&state.db, c.actor(), slug).await {
        Ok(r) => r,
        Err(e) => return failure(c, &e),
    };
    let messages = match uc::read(&state.db, &reader).await {
        Ok(v) => Some(v),
        Err(e) if e.code == ErrorCode::NotFound => None,
        Err(e) => return failure(c, &e),
    };
    let page = MessagesPage {
        c: &c,
        event_slug: reader.event.slug.clone(),
        event_name: reader.event.name.clone(),
        organizer: reader.may_organize(),
        messages,
        errors,
    };
    respond!(c, status, page)
}

pub async fn page(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(
        &state,
        c,
        path.into_inner(),
        PageErrors::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let slug = path.into_inner();
    let back = format!("/events/{slug}/messages");
    let posted = match Posted::signed_in(&req, &state, &body, &back).await {
        Ok(p) => p,
        Err(to_sign_in) => return to_sign_in,
    };
    let done = match posted.csrf(&state) {
        Ok(()) => perform(&state, &posted.c, slug.clone(), &posted.form).await,
        Err(e) => Err(e),
    };
    let mut c = posted.c;
    match done {
        Ok(()) => {
            c.flash("organize-saved");
            c.redirect(&back)
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::CsrfFailed | ErrorCode::Forbidden | ErrorCode::NotFound
            ) =>
        {
            failure(c, &e)
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show(&state, c, slug, errors, status).await
        }
    }
}

/// The edit form's rows: a row with no words is left out.
fn rows(form: &FormData) -> ApiResult<Vec<Drafted>> {
    let count: usize = form
        .get("count")
        .trim()
        .parse()
        .unwrap_or(0)
        .min(crate::events::messages::MAX_MESSAGES + 1);
    let mut messages = vec![];
    for n in 0..count {
        let text = form.get(&format!("text-{n}"));
        if text.trim().is_empty() {
            continue;
        }
        let mut sources = vec![];
        for id in form
            .get(&format!("sources-{n}"))
            .split([',', ' ', ';'])
            .filter(|s| !s.is_empty())
        {
            sources.push(id.trim_start_matches('#').parse::<i64>().map_err(|_| {
                ApiError::field(
                    &format!("messages[{}].sources", messages.len()),
                    "session numbers, separated by commas",
                )
            })?);
        }
        messages.push(MessageInput {
            subtheme: form.get(&format!("subtheme-{n}")).to_owned(),
            text: text.to_owned(),
            sources,
        });
    }
    Vec::<Drafted>::try_from(MessagesInput { messages })
}

async fn perform(state: &State, c: &Ctx, slug: String, form: &FormData) -> ApiResult<()> {
    let org = EventOrganizer::check(&state.db, c.actor(), slug).await?;
    match form.get("action") {
        "draft" => uc::draft(&state.db, &org).await.map(|_| ()),
        "save" => uc::edit(&state.db, &org, rows(form)?).await.map(|_| ()),
        "open" => {
            let slug = form
                .opt("slug")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            uc::open_for_comment(
                &state.db,
                &org,
                ConsultationInput {
                    slug,
                    closes_at: None,
                },
            )
            .await
            .map(|_| ())
        }
        "final" => uc::publish(&state.db, &org).await.map(|_| ()),
        _ => Err(ApiError::field("action", "unknown action")),
    }
}
