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
use crate::events::view::{EventView, ProposalView};
use crate::policy::guards::events::{EventReader, ProposalReader};
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
    /// The proposal being edited by its proposer; `None` for a new one.
    editing: Option<i64>,
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
    /// Where the form is sent.
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/proposals/{id}/edit"),
            None => format!("/events/{}/propose", self.e.slug),
        }
    }
}

/// A proposal as the form shows it, to edit.
fn form_of(p: &ProposalView) -> FormData {
    let mut pairs = vec![
        ("title".to_owned(), p.title.clone()),
        ("type".to_owned(), p.session_type.as_str().to_owned()),
        ("subtheme".to_owned(), p.subtheme.clone()),
        ("format".to_owned(), p.format.as_str().to_owned()),
        ("description".to_owned(), p.description.clone()),
        ("policy_questions".to_owned(), p.policy_questions.join("\n")),
        ("moderator_name".to_owned(), p.moderator_name.clone()),
        ("rapporteur_name".to_owned(), p.rapporteur_name.clone()),
    ];
    for (i, s) in p.speakers.iter().enumerate() {
        let f = |field: &str| format!("speaker-{i}-{field}");
        pairs.push((f("name"), s.name.clone()));
        pairs.push((f("organization"), s.organization.clone()));
        pairs.push((f("country"), s.country.clone()));
        pairs.push((
            f("stakeholder_group"),
            s.stakeholder_group.as_str().to_owned(),
        ));
        if let Some(g) = s.gender {
            pairs.push((f("gender"), g.as_str().to_owned()));
        }
        if let Some(e) = &s.email {
            pairs.push((f("email"), e.clone()));
        }
    }
    FormData::from_pairs(pairs)
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
                // Given through the API, kept by the edit form (hidden).
                email: form.opt(&format!("speaker-{i}-email")).map(str::to_owned),
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
    usecase::proposals::propose(state, &by, slug.to_owned(), proposal).await?;
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
    let e = event(state, &c, &slug).await;
    show_for(c, e, None, form, errors, status)
}

/// The form for the event `e`; `editing`: the proposal its proposer edits.
fn show_for(
    c: Ctx,
    e: ApiResult<EventView>,
    editing: Option<&ProposalReader>,
    form: FormData,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    let editing = editing.map(|r| r.proposal.id);
    match e {
        Ok(e) => {
            let page = ProposePage {
                c: &c,
                e,
                form,
                errors,
                rows: (0..SPEAKER_ROWS).collect(),
                editing,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

/// The proposal `{id}`, for its proposer only (403 for organisers, who read it).
async fn own_proposal(state: &State, c: &Ctx, id: &str) -> ApiResult<ProposalReader> {
    let reader = ProposalReader::check(&state.db, c.actor(), id.to_owned()).await?;
    if reader.proposal.proposer_id != reader.user().id {
        return Err(crate::error::ApiError::forbidden(
            "only its proposer edits a proposal",
        ));
    }
    Ok(reader)
}

pub async fn edit_form(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/proposals/{id}/edit"));
    }
    let loaded = match own_proposal(&state, &c, &id).await {
        Ok(reader) => match usecase::proposals::get(&state.db, &reader).await {
            Ok(p) => Ok((reader, p)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match loaded {
        Ok((reader, p)) => {
            let e = usecase::events::of_proposal(&state.db, &reader).await;
            let form = form_of(&p);
            show_for(c, e, Some(&reader), form, PageErrors::new(), StatusCode::OK)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn edit(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    let form = FormData::parse(&body);
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/proposals/{id}/edit"));
    }
    let reader = match own_proposal(&state, &c, &id).await {
        Ok(reader) => reader,
        Err(e) => return failure(c, &e),
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        let e = usecase::events::of_proposal(&state.db, &reader).await;
        return show_for(c, e, Some(&reader), form, errors, StatusCode::FORBIDDEN);
    }
    let sent = sent_rows(&form);
    let input = proposal_input(&form, &sent);
    let result = match NewProposal::try_from(input) {
        Ok(proposal) => usecase::proposals::edit(&state, &reader, proposal).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            c.flash("proposal-saved");
            c.redirect("/me/proposals")
        }
        Err(e) => {
            let errors = page_errors(&c, &e, &sent);
            let status = e.code.status();
            let event = usecase::events::of_proposal(&state.db, &reader).await;
            show_for(c, event, Some(&reader), form, errors, status)
        }
    }
}

/// The speaker rows sent: those with a name, in order (the API numbers them so).
fn sent_rows(form: &FormData) -> Vec<usize> {
    (0..SPEAKER_ROWS)
        .filter(|i| form.opt(&format!("speaker-{i}-name")).is_some())
        .collect()
}

/// The API's field problems on the form's fields: `speakers[n].country` is the n-th row
/// sent; `type` is the page's `type`.
fn page_errors(c: &Ctx, e: &crate::error::ApiError, sent: &[usize]) -> PageErrors {
    let mut errors = PageErrors::from_api(&c.t, e);
    errors.rename_with(|f| {
        let rest = f.strip_prefix("speakers[")?;
        let (n, field) = rest.split_once("].")?;
        let i = sent.get(n.parse::<usize>().ok()?)?;
        Some(format!("speaker-{i}-{field}"))
    });
    errors.rename("speakers", "speaker-0-name");
    errors
}

/// `/me/proposals`: the caller's proposals with their status and the decision's note,
/// each editable while it may be.
#[derive(Template)]
#[template(path = "my_proposals.html")]
struct MyProposalsPage<'a> {
    c: &'a Ctx,
    proposals: Vec<ProposalView>,
}

pub async fn mine(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let Some(user) = c.user.as_ref().map(|u| u.id) else {
        return c.redirect("/login?next=/me/proposals");
    };
    match usecase::proposals::mine(&state.db, user).await {
        Ok(proposals) => {
            let page = MyProposalsPage { c: &c, proposals };
            respond!(c, StatusCode::OK, page)
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
    let sent = sent_rows(&form);
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
            let errors = page_errors(&c, &e, &sent);
            show(&state, c, slug, form, errors, e.code.status()).await
        }
    }
}
