//! The secretariat's pages for consultations: create one; import a draft, see how it was
//! cut into headings, paragraphs, items and footnotes and which paragraphs carry over,
//! and only then publish it; open, close and reopen; choose co-facilitators by finding
//! people. The same commands and use cases as the API.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, refuse, State};
use crate::accounts::command::UsersQuery;
use crate::accounts::types::StakeholderGroup;
use crate::accounts::usecase as accounts;
use crate::accounts::view::PersonCard;
use crate::consultations::command::{
    parse_language, CreateInput, PatchInput, VersionCommand, VersionInput,
};
use crate::consultations::importer::Format;
use crate::consultations::phases::{Phase, PhaseInput};
use crate::consultations::types::Status;
use crate::consultations::types::{Participation, ParticipationInput};
use crate::consultations::usecase;
use crate::consultations::view::{
    ConsultationView, KeyFate, PreviewParagraph, VersionPreview, VersionSummary,
};
use crate::error::{ApiError, ErrorCode};
use crate::http::multipart;
use crate::http::page::{Page, MAX_LIMIT};
use crate::policy::guards::{ConsultationEditor, Organizer};
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

/// A pasted draft can be long: a UN report in Chinese is 60 KB, three times that once
/// form-encoded.
pub const FORM_LIMIT: usize = 4 * 1024 * 1024;

/// Characters of a paragraph shown in the preview.
const EXCERPT: usize = 240;

#[derive(Template)]
#[template(path = "secretariat.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    consultations: Vec<ConsultationView>,
    errors: PageErrors,
    form: FormData,
}

#[derive(Template)]
#[template(path = "secretariat_consultation.html")]
struct ManagePage<'a> {
    c: &'a Ctx,
    k: ConsultationView,
    versions: Vec<VersionSummary>,
    /// The next statuses the consultation may take.
    moves: Vec<Status>,
    /// People found with `?q=` to seat as co-facilitators.
    found: Vec<PersonCard>,
    q: String,
    preview: Option<VersionPreview>,
    errors: PageErrors,
    form: FormData,
}

impl ManagePage<'_> {
    fn base(&self) -> String {
        format!("/organize/consultations/{}", self.k.slug)
    }
    /// The stakeholder groups the consultation is limited to (none: anyone may take part).
    fn participant_groups(&self) -> Vec<&'static str> {
        match &self.k.participation {
            Participation::Anyone => vec![],
            Participation::Groups { groups, .. } => groups.iter().map(|g| g.as_str()).collect(),
        }
    }
    /// The phases the consultation may move to from where it is.
    fn next_phases(&self) -> Vec<Phase> {
        Phase::ALL
            .iter()
            .copied()
            .filter(|p| p.can_follow(self.k.phase) && p.not_by_hand(self.k.phase).is_none())
            .collect()
    }
    /// Whether only accounts with a verified organisation may take part.
    fn participant_verified_only(&self) -> bool {
        matches!(
            self.k.participation,
            Participation::Groups {
                verified_only: true,
                ..
            }
        )
    }
    fn excerpt(&self, p: &PreviewParagraph) -> String {
        excerpt(&p.text)
    }
    fn fate(&self, p: &PreviewParagraph) -> String {
        match (p.fate, &p.previous_number) {
            (KeyFate::Moved, Some(n)) => self.c.t.arg("secretariat-fate-moved", "number", n),
            (KeyFate::Moved, None) | (KeyFate::Kept, _) => self.c.t.get("secretariat-fate-kept"),
            (KeyFate::New, _) => self.c.t.get("secretariat-fate-new"),
        }
    }
    fn is_new(&self, p: &PreviewParagraph) -> bool {
        p.fate == KeyFate::New
    }
    fn is_cofacilitator(&self, id: &i64) -> bool {
        self.k.cofacilitators.iter().any(|p| p.id == *id)
    }
    /// The label to suggest for the next version: what was typed, else `rev{n}`.
    fn label(&self) -> String {
        match self.form.opt("label") {
            Some(l) => l.to_owned(),
            None if self.versions.is_empty() => "zero-draft".into(),
            None => format!("rev{}", self.versions.len()),
        }
    }
    fn move_key(&self, s: &Status) -> String {
        // Reopening is a move back to open; the button says so.
        match (self.k.status, s) {
            (Status::Closed, Status::Open) => "secretariat-reopen".into(),
            _ => format!("secretariat-move-{}", s.as_str()),
        }
    }
}

fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_owned();
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    format!("{cut}…")
}

pub async fn list(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show_list(
        &state,
        c,
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

async fn show_list(
    state: &State,
    c: Ctx,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    if let Err(e) = Organizer::check(c.actor()) {
        return refuse(c, &e, "/organize/consultations");
    }
    let listed = match Page::parse(Some(MAX_LIMIT), None) {
        Ok(page) => usecase::list(&state.db, c.actor(), page).await,
        Err(e) => Err(e),
    };
    match listed {
        Ok(list) => {
            let page = ListPage {
                c: &c,
                consultations: list.items,
                errors,
                form,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

/// A `datetime-local` value (`2026-12-05T09:00`, UTC as the form says) as RFC 3339.
fn instant(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Some(match raw.len() {
        16 => format!("{raw}:00Z"),
        _ => raw.to_owned(),
    })
}

pub async fn create(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let by = match Organizer::check(c.actor()) {
        Ok(by) => by,
        Err(e) => return refuse(c, &e, "/organize/consultations"),
    };
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        let input = CreateInput {
            slug: form.get("slug").to_owned(),
            title: form.get("title").to_owned(),
            description: form.get("description").to_owned(),
            language: form.get("language").to_owned(),
            opens_at: instant(form.get("opens_at")),
            closes_at: instant(form.get("closes_at")),
            participation: participation_of(&form),
            timezone: None,
        };
        match input.parse(by.id()) {
            Ok(new) => usecase::create(&state.db, &by, new).await,
            Err(e) => Err(e),
        }
    };
    match attempt {
        Ok(created) => {
            c.flash("secretariat-created");
            c.redirect(&format!("/organize/consultations/{}", created.slug))
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_list(&state, c, errors, form, status).await
        }
    }
}

pub async fn manage(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let shown = Shown {
        errors: PageErrors::new(),
        form: FormData::default(),
        preview: None,
        status: StatusCode::OK,
    };
    show(&state, c, path.into_inner(), shown).await
}

/// What a manage page shows besides the consultation.
struct Shown {
    errors: PageErrors,
    form: FormData,
    preview: Option<VersionPreview>,
    status: StatusCode,
}

async fn show(state: &State, c: Ctx, slug: String, shown: Shown) -> HttpResponse {
    let back = format!("/organize/consultations/{slug}");
    let who = match Organizer::check(c.actor()) {
        Ok(who) => who,
        Err(e) => return refuse(c, &e, &back),
    };
    let k = match usecase::one(&state.db, c.actor(), slug.clone()).await {
        Ok(k) => k,
        Err(e) => return failure(c, &e),
    };
    let versions = match usecase::versions(&state.db, c.actor(), slug).await {
        Ok(v) => v.items,
        Err(e) => return failure(c, &e),
    };
    // People to seat, when the page was asked to find some.
    let q = c.param("q").unwrap_or_default().trim().to_owned();
    let mut errors = shown.errors;
    let found = if q.is_empty() {
        Vec::new()
    } else {
        let query = UsersQuery {
            q: Some(q.clone()),
            limit: Some(20),
            ..UsersQuery::default()
        };
        let found = match query.parse() {
            Ok((filter, page)) => accounts::people(&state.db, &who, filter, page).await,
            Err(e) => Err(e),
        };
        match found {
            Ok(list) => list.items,
            Err(e) => {
                if errors.is_empty() {
                    errors = PageErrors::from_api(&c.t, &e);
                }
                Vec::new()
            }
        }
    };
    let moves = Status::ALL
        .iter()
        .copied()
        .filter(|s| k.status.can_move_to(*s))
        .collect();
    let page = ManagePage {
        c: &c,
        k,
        versions,
        moves,
        found,
        q,
        preview: shown.preview,
        errors,
        form: shown.form,
    };
    respond!(c, shown.status, page)
}

/// One form of the manage page, by its `action`.
enum Action {
    Move(Status),
    Participation,
    Phase,
    Seat(i64),
    Unseat(i64),
    Preview,
    Publish,
}

impl Action {
    fn of(form: &FormData) -> Option<Action> {
        let id = || form.get("user").parse::<i64>().ok();
        match form.get("action") {
            "status" => Status::parse(form.get("status")).map(Action::Move),
            "participation" => Some(Action::Participation),
            "phase" => Some(Action::Phase),
            "seat" => id().map(Action::Seat),
            "unseat" => id().map(Action::Unseat),
            "preview" => Some(Action::Preview),
            "publish" => Some(Action::Publish),
            _ => None,
        }
    }
}

/// Who may take part, as the form's radio (`who`) and boxes (`groups`) say; `None` when
/// the form has no answer (the API's default then holds).
fn participation_of(form: &FormData) -> Option<ParticipationInput> {
    match form.get("who") {
        "anyone" => Some(ParticipationInput::Anyone),
        "groups" => Some(ParticipationInput::Groups {
            verified_only: form.checked("verified_only"),
            groups: form
                .all("groups")
                .iter()
                .filter_map(|g| StakeholderGroup::parse(g))
                .collect(),
        }),
        _ => None,
    }
}

/// A draft's file sent with the import form.
struct Upload {
    filename: String,
    data: Vec<u8>,
}

/// The form's fields, and the file when the import form sent one (`multipart/form-data`).
fn read_form(req: &HttpRequest, body: &[u8]) -> Result<(FormData, Option<Upload>), ApiError> {
    let boundary = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary);
    let Some(boundary) = boundary else {
        return Ok((FormData::parse(body), None));
    };
    let parts = multipart::parse(&boundary, body)?;
    let upload = parts.file("file").map(|f| Upload {
        filename: f.filename.clone().unwrap_or_default(),
        data: f.data.clone(),
    });
    Ok((FormData::from_pairs(parts.fields()), upload))
}

pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let back = format!("/organize/consultations/{slug}");
    let (mut form, upload) = match read_form(&req, &body) {
        Ok(read) => read,
        Err(e) => return failure(c, &e),
    };
    let who = match Organizer::check(c.actor()) {
        Ok(who) => who,
        Err(e) => return refuse(c, &e, &back),
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let e = ApiError::new(ErrorCode::CsrfFailed, "stale form");
        return again(&state, c, slug, &e, form).await;
    }
    let Some(action) = Action::of(&form) else {
        let e = ApiError::field("action", "unknown action");
        return again(&state, c, slug, &e, form).await;
    };
    let done = match action {
        Action::Move(status) => {
            let patch = PatchInput {
                status: Some(status.as_str().to_owned()),
                ..PatchInput::default()
            };
            match patch.try_into() {
                Ok(changes) => usecase::update(&state.db, &who, slug.clone(), changes)
                    .await
                    .map(|_| "secretariat-status-saved"),
                Err(e) => Err(e),
            }
        }
        Action::Phase => {
            let editor = ConsultationEditor::check(&state.db, c.actor(), slug.clone()).await;
            let phase = Phase::parse(form.get("phase"))
                .ok_or_else(|| ApiError::field("phase", "choose one"));
            match (editor, phase) {
                (Ok(editor), Ok(phase)) => {
                    let input = PhaseInput {
                        phase,
                        note: form.get("note").to_owned(),
                        stakeholders_comment: !form.checked("close_stakeholders"),
                    };
                    usecase::set_phase(&state.db, &editor, input)
                        .await
                        .map(|_| "secretariat-phase-saved")
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        Action::Participation => {
            let patch = PatchInput {
                participation: participation_of(&form),
                ..PatchInput::default()
            };
            match patch.try_into() {
                Ok(changes) => usecase::update(&state.db, &who, slug.clone(), changes)
                    .await
                    .map(|_| "secretariat-participation-saved"),
                Err(e) => Err(e),
            }
        }
        Action::Seat(id) | Action::Unseat(id) => {
            let seated = matches!(action, Action::Seat(_));
            usecase::seat_cofacilitator(&state.db, &who, slug.clone(), id, seated)
                .await
                .map(|_| "secretariat-cofacilitators-saved")
        }
        Action::Preview | Action::Publish => {
            let editor = ConsultationEditor::check(&state.db, c.actor(), slug.clone()).await;
            let cmd = match upload {
                // A file: read as the API reads uploads; its text then fills the form.
                Some(up) => {
                    let label = form.get("label").to_owned();
                    // Reading a Word file or a PDF is work: on the blocking pool.
                    actix_web::web::block(move || {
                        VersionCommand::from_file(&label, &up.filename, None, &up.data)
                    })
                    .await
                    .map_err(crate::error::ApiError::from)
                    .and_then(|read| read)
                    .and_then(|read| {
                        let format = match read.format {
                            Format::Markdown => "markdown",
                            Format::Text => "text",
                        };
                        form.set("source", read.source);
                        form.set("format", format.to_owned());
                        let mut command = read.command;
                        command.language = parse_language(Some(form.get("language")))?;
                        Ok(command)
                    })
                }
                None => VersionInput {
                    label: form.get("label").trim().to_owned(),
                    format: Some(form.get("format").to_owned()),
                    source: Some(form.get("source").to_owned()),
                    paragraphs: None,
                    language: Some(form.get("language").to_owned()),
                }
                .try_into(),
            };
            match (editor, cmd) {
                (Ok(editor), Ok(cmd)) => {
                    if matches!(action, Action::Preview) {
                        return match usecase::preview_version(&state.db, &editor, cmd).await {
                            Ok(preview) => {
                                let shown = Shown {
                                    errors: PageErrors::new(),
                                    form,
                                    preview: Some(preview),
                                    status: StatusCode::OK,
                                };
                                show(&state, c, slug, shown).await
                            }
                            Err(e) => again(&state, c, slug, &e, form).await,
                        };
                    }
                    usecase::add_version(&state.db, &editor, cmd)
                        .await
                        .map(|_| "secretariat-published")
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
    };
    match done {
        Ok(key) => {
            c.flash(key);
            c.redirect(&back)
        }
        Err(e) => again(&state, c, slug, &e, form).await,
    }
}

/// The page again with what was sent and what went wrong (403/404 as their pages).
async fn again(state: &State, c: Ctx, slug: String, e: &ApiError, form: FormData) -> HttpResponse {
    if matches!(
        e.code,
        ErrorCode::NotFound | ErrorCode::Forbidden | ErrorCode::Unavailable
    ) {
        return failure(c, e);
    }
    let shown = Shown {
        errors: PageErrors::from_api(&c.t, e),
        form,
        preview: None,
        status: e.code.status(),
    };
    show(state, c, slug, shown).await
}
