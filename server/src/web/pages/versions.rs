//! The versions of a text: the list, the per-paragraph diff (with the inputs that
//! informed each paragraph), and the revision editor in which co-facilitators draft the
//! next version paragraph by paragraph, ticking the inputs that informed each one.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, State};
use crate::consultations::command::{ParagraphInput, VersionCommand, VersionInput};
use crate::consultations::comments::usecase as comments;
use crate::consultations::comments::CommentView;
use crate::consultations::types::Visibility;
use crate::consultations::usecase as consultations;
use crate::consultations::view::{ConsultationView, DiffView, VersionSummary};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::guards::{consultation_for, ConsultationEditor};
use crate::policy::Actor;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};

/// Blank slots at the end of the editor for new paragraphs.
const NEW_SLOTS: usize = 2;

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage<'a> {
    c: &'a Ctx,
    k: ConsultationView,
    versions: Vec<VersionSummary>,
    diff: Option<DiffView>,
    can_revise: bool,
}

impl VersionsPage<'_> {
    fn chosen(&self, name: &str, label: &str, fallback: impl std::borrow::Borrow<bool>) -> bool {
        let fallback = *fallback.borrow();
        match self.c.param(name) {
            Some(v) => v == label,
            None => fallback,
        }
    }
    fn summary(&self, d: &DiffView) -> String {
        let s = &d.summary;
        self.c.t.args(
            "diff-summary",
            &[
                ("added", &s.added.to_string()),
                ("changed", &s.changed.to_string()),
                ("removed", &s.removed.to_string()),
                ("unchanged", &s.unchanged.to_string()),
            ],
        )
    }
}

/// The consultation as the caller may see it, and whether they may draft its next version.
async fn consultation(
    state: &State,
    actor: Actor,
    slug: &str,
) -> ApiResult<(ConsultationView, bool)> {
    let slug = slug.to_owned();
    state
        .db
        .run(move |conn| {
            let (row, access) = consultation_for(conn, &actor, &slug)?;
            Ok((
                crate::consultations::view::consultation(conn, &row)?,
                access.may_add_version(),
            ))
        })
        .await
}

pub async fn list(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let loaded = async {
        let (k, can_revise) = consultation(&state, c.actor(), &slug).await?;
        let versions = consultations::versions(&state.db, c.actor(), slug.clone())
            .await?
            .items;
        let diff = match (c.param("from"), c.param("to")) {
            (Some(a), Some(b)) if a != b => Some(
                consultations::diff(&state.db, c.actor(), slug.clone(), a.into(), b.into()).await?,
            ),
            _ => None,
        };
        Ok::<_, ApiError>((k, can_revise, versions, diff))
    }
    .await;
    match loaded {
        Ok((k, can_revise, versions, diff)) => {
            let page = VersionsPage {
                c: &c,
                k,
                versions,
                diff,
                can_revise,
            };
            respond!(c, StatusCode::OK, page)
        }
        Err(e) => failure(c, &e),
    }
}

/// One paragraph in the editor: its text now and the inputs made on it.
pub struct Draft {
    pub key: Option<String>,
    pub number: String,
    pub text: String,
    pub inputs: Vec<CommentView>,
    pub informed: Vec<i64>,
}

#[derive(Template)]
#[template(path = "revise.html")]
struct RevisePage<'a> {
    c: &'a Ctx,
    k: ConsultationView,
    drafts: Vec<Draft>,
    label: String,
    errors: PageErrors,
}

impl RevisePage<'_> {
    fn excerpt(&self, m: &CommentView) -> String {
        let text: String = m.body.chars().take(160).collect();
        if text.len() < m.body.len() {
            format!("{text}…")
        } else {
            text
        }
    }
    /// The draft's place in the form (field names carry it).
    fn index_of(&self, d: &Draft) -> usize {
        self.drafts
            .iter()
            .position(|x| std::ptr::eq(x, d))
            .unwrap_or(0)
    }
    /// A draft's field id, as errors name it (`text-3`).
    fn field(&self, what: &str, d: &Draft) -> String {
        format!("{what}-{}", self.index_of(d))
    }
    fn ticked(&self, d: &Draft, id: &i64) -> bool {
        d.informed.contains(id)
    }
}

/// The editor: the current text, each paragraph with the inputs made on it.
async fn editor(
    state: &State,
    c: Ctx,
    slug: String,
    form: Option<&FormData>,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/consultations/{slug}/revise"));
    }
    let who = match ConsultationEditor::check(&state.db, c.actor(), slug.clone()).await {
        Ok(who) => who,
        Err(e) => return failure(c, &e),
    };
    let row = who.consultation.clone();
    let actor = c.actor();
    let loaded = state
        .db
        .run(move |conn| {
            let (_, access) = consultation_for(conn, &actor, &row.id.to_string())?;
            let k = crate::consultations::view::consultation(conn, &row)?;
            let paragraphs = match row.current_version_id {
                Some(id) => {
                    let label = crate::consultations::store::version_label(conn, id)?;
                    let v = crate::consultations::store::find_version(conn, row.id, &label)?;
                    crate::consultations::view::version(conn, &v, false)?.paragraphs
                }
                None => vec![],
            };
            // Every visible input, by paragraph (replies stay in their threads).
            let mut inputs: BTreeMap<String, Vec<CommentView>> = BTreeMap::new();
            for m in comments::all_of(conn, row.id, &access.reader())? {
                if let Some(k) = m.paragraph_key.clone() {
                    if m.parent_id.is_none() && m.status == Visibility::Visible {
                        inputs.entry(k).or_default().push(m);
                    }
                }
            }
            // The accepted amendments' wording, and the inputs behind it, start the draft.
            let next = crate::negotiation::usecase::draft_for(conn, &row, &access.reader())?;
            Ok((k, paragraphs, inputs, next))
        })
        .await;
    let (k, paragraphs, mut inputs, next) = match loaded {
        Ok(x) => x,
        Err(e) => return failure(c, &e),
    };
    let mut drafts: Vec<Draft> = paragraphs
        .iter()
        .map(|p| {
            let drafted = next.paragraphs.iter().find(|d| d.key == p.key);
            Draft {
                key: Some(p.key.clone()),
                number: p.number.clone(),
                text: drafted.map_or_else(|| p.text.clone(), |d| d.text.clone()),
                inputs: inputs.remove(&p.key).unwrap_or_default(),
                informed: drafted.map(|d| d.informed_by.clone()).unwrap_or_default(),
            }
        })
        .collect();
    drafts.extend((0..NEW_SLOTS).map(|_| Draft {
        key: None,
        number: String::new(),
        text: String::new(),
        inputs: vec![],
        informed: vec![],
    }));
    // After a refusal, what was typed comes back.
    if let Some(form) = form {
        for (i, d) in drafts.iter_mut().enumerate() {
            d.number = form.get(&format!("number-{i}")).to_owned();
            d.text = form.get(&format!("text-{i}")).to_owned();
            d.informed = form
                .all(&format!("informed-{i}"))
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect();
        }
    }
    let label = form.map(|f| f.get("label").to_owned()).unwrap_or_default();
    let page = RevisePage {
        c: &c,
        k,
        drafts,
        label,
        errors,
    };
    respond!(c, status, page)
}

pub async fn revise_form(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    editor(
        &state,
        c,
        path.into_inner(),
        None,
        PageErrors::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn revise(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let form = FormData::parse(&body);
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/consultations/{slug}/revise"));
    }
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return editor(&state, c, slug, Some(&form), errors, StatusCode::OK).await;
    }
    let count: usize = form.get("count").parse().unwrap_or(0).min(2000);
    // The drafts sent (a blank one is a removed paragraph): they are numbered in order.
    let sent: Vec<usize> = (0..count)
        .filter(|i| form.opt(&format!("text-{i}")).is_some())
        .collect();
    let paragraphs: Vec<ParagraphInput> = sent
        .iter()
        .map(|i| ParagraphInput {
            key: form.opt(&format!("key-{i}")).map(str::to_owned),
            number: form.get(&format!("number-{i}")).to_owned(),
            section: None,
            text: form.get(&format!("text-{i}")).to_owned(),
            informed_by: form
                .all(&format!("informed-{i}"))
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect(),
        })
        .collect();
    let input = VersionInput {
        label: form.get("label").to_owned(),
        format: None,
        source: None,
        paragraphs: Some(paragraphs),
        language: None,
    };
    let result = match (
        ConsultationEditor::check(&state.db, c.actor(), slug.clone()).await,
        VersionCommand::try_from(input),
    ) {
        (Ok(who), Ok(cmd)) => consultations::add_version(&state.db, &who, cmd).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(created) => {
            c.flash("revise-done");
            let to = created.label;
            let from = form.get("from").to_owned();
            c.redirect(&format!(
                "/consultations/{slug}/versions?from={}&to={}",
                percent(&from),
                percent(&to)
            ))
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            // `paragraphs[n].text` is the n-th draft sent: point it at that draft's box.
            errors.rename_with(|f| {
                let rest = f.strip_prefix("paragraphs[")?;
                let (n, field) = rest.split_once("].")?;
                let i = sent.get(n.parse::<usize>().ok()?)?;
                Some(format!("{field}-{i}"))
            });
            editor(&state, c, slug, Some(&form), errors, e.code.status()).await
        }
    }
}

/// A contribution's own address: to its place in its thread.
pub async fn comment(req: HttpRequest, state: State, path: web::Path<i64>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    let place = async {
        let v = comments::get(&state.db, c.actor(), id).await?;
        if let Some(session) = v.session_id {
            return Ok(format!("/sessions/{session}#c-{id}"));
        }
        let cid = v
            .consultation_id
            .ok_or_else(|| ApiError::not_found("comment"))?;
        let (k, _) = consultation(&state, c.actor(), &cid.to_string()).await?;
        let paragraph = v
            .paragraph_key
            .as_deref()
            .map(percent)
            .unwrap_or_else(|| "general".into());
        Ok::<_, ApiError>(format!(
            "/consultations/{}?paragraph={paragraph}#c-{id}",
            k.slug
        ))
    }
    .await;
    match place {
        Ok(to) => c.redirect(&to),
        Err(e) if e.code == ErrorCode::NotFound => failure(c, &e),
        Err(e) => failure(c, &e),
    }
}
