//! Proposing a session during an event's call: the session, its policy questions and up
//! to six speakers, by one form; the same rules as the API's (diversity, limits) answer
//! on the page, through the same use case.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, State};
use crate::accounts::types::{Gender, StakeholderGroup};
use crate::error::ApiResult;
use crate::events::command::ProposalInput;
use crate::events::proposals::NewProposal;
use crate::events::types::{SessionFormat, SessionType, SpeakerInput};
use crate::events::usecase;
use crate::events::view::EventView;
use crate::policy::guards::events::EventReader;
use crate::policy::guards::Verified;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

/// Speaker rows on the form; blank rows are not sent.
const SPEAKER_ROWS: usize = 6;

#[derive(Template)]
#[template(path = "propose.html")]
struct ProposePage<'a> {
    c: &'a Ctx,
    e: EventView,
    form: FormData,
    errors: PageErrors,
    rows: Vec<usize>,
}

impl ProposePage<'_> {
    fn types(&self) -> Vec<&'static str> {
        SessionType::ALL.iter().map(|t| t.as_str()).collect()
    }
    fn formats(&self) -> Vec<&'static str> {
        SessionFormat::ALL.iter().map(|f| f.as_str()).collect()
    }
    fn groups(&self) -> Vec<&'static str> {
        StakeholderGroup::ALL.iter().map(|g| g.as_str()).collect()
    }
    fn genders(&self) -> Vec<&'static str> {
        Gender::ALL.iter().map(|g| g.as_str()).collect()
    }
    /// A speaker row's field: its name in the form and its id on the page.
    fn sp(&self, i: &usize, field: &str) -> String {
        format!("speaker-{i}-{field}")
    }
    fn value(&self, name: &str) -> String {
        self.form.get(name).to_owned()
    }
    fn picked(&self, name: &str, value: &str) -> bool {
        self.form.is(name, value)
    }
    fn number(&self, i: &usize) -> String {
        (i + 1).to_string()
    }
}

async fn event(state: &State, c: &Ctx, slug: &str) -> ApiResult<EventView> {
    let reader = EventReader::check(&state.db, c.actor(), slug.to_owned()).await?;
    usecase::events::detail(&state.db, &reader).await
}

/// The form as a proposal: the rows with a name are the speakers, in order.
fn proposal_input(form: &FormData, sent: &[usize]) -> ProposalInput {
    let speakers = sent
        .iter()
        .map(|i| {
            let f = |field: &str| form.get(&format!("speaker-{i}-{field}")).trim().to_owned();
            SpeakerInput {
                name: f("name"),
                email: None,
                organization: f("organization"),
                stakeholder_group: f("stakeholder_group"),
                country: f("country"),
                gender: form.opt(&format!("speaker-{i}-gender")).map(str::to_owned),
            }
        })
        .collect();
    let questions = form
        .get("policy_questions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    ProposalInput {
        title: form.get("title").to_owned(),
        session_type: form.get("type").to_owned(),
        subtheme: form.get("subtheme").to_owned(),
        format: form.get("format").to_owned(),
        description: form.get("description").to_owned(),
        policy_questions: questions,
        speakers,
        moderator_name: form.get("moderator_name").to_owned(),
        rapporteur_name: form.get("rapporteur_name").to_owned(),
    }
}

async fn propose(state: &State, c: &Ctx, slug: &str, input: ProposalInput) -> ApiResult<()> {
    let by = Verified::check(&state.db, c.actor()).await?;
    let proposal = NewProposal::try_from(input)?;
    usecase::proposals::propose(&state.db, &by, slug.to_owned(), proposal).await?;
    Ok(())
}

async fn show(
    state: &State,
    c: Ctx,
    slug: String,
    form: FormData,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/events/{slug}/propose"));
    }
    match event(state, &c, &slug).await {
        Ok(e) => {
            let page = ProposePage {
                c: &c,
                e,
                form,
                errors,
                rows: (0..SPEAKER_ROWS).collect(),
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn form(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(
        &state,
        c,
        path.into_inner(),
        FormData::default(),
        PageErrors::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn submit(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let form = FormData::parse(&body);
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/events/{slug}/propose"));
    }
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return show(&state, c, slug, form, errors, StatusCode::FORBIDDEN).await;
    }
    // The rows with a name are the speakers, in order; the API numbers them so.
    let sent: Vec<usize> = (0..SPEAKER_ROWS)
        .filter(|i| form.opt(&format!("speaker-{i}-name")).is_some())
        .collect();
    let result = propose(&state, &c, &slug, proposal_input(&form, &sent)).await;
    match result {
        Ok(_) => {
            let title = c.t.get("propose-title");
            let text = c.t.get("propose-done");
            let link = format!("/events/{slug}/agenda");
            super::message_text(
                c,
                StatusCode::CREATED,
                title,
                text,
                Some((link.as_str(), "home-view-agenda")),
            )
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            // `speakers[n].country` is the n-th row sent; `type` is the page's `type`.
            errors.rename_with(|f| {
                let rest = f.strip_prefix("speakers[")?;
                let (n, field) = rest.split_once("].")?;
                let i = sent.get(n.parse::<usize>().ok()?)?;
                Some(format!("speaker-{i}-{field}"))
            });
            errors.rename("speakers", "speaker-0-name");
            show(&state, c, slug, form, errors, e.code.status()).await
        }
    }
}
