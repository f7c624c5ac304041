//! The versions of a text: the list, the per-paragraph diff (with the inputs that
//! informed each paragraph), and the revision editor in which co-facilitators draft the
//! next version paragraph by paragraph, ticking the inputs that informed each one.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::{json, Value};

use super::consultation::{Comment, Consultation, Paragraph};
use super::{failure, State};
use crate::accounts::auth::MaybeUser;
use crate::consultations::handlers as api_h;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};

/// Blank slots at the end of the editor for new paragraphs.
const NEW_SLOTS: usize = 2;

#[derive(Deserialize)]
pub struct VersionItem {
    pub label: String,
    pub current: bool,
}

#[derive(Deserialize)]
pub struct DiffPart {
    pub op: String,
    pub text: String,
}

#[derive(Deserialize)]
pub struct ParagraphDiff {
    pub key: String,
    pub status: String,
    pub number: String,
    pub previous_number: Option<String>,
    pub text: Option<String>,
    pub previous_text: Option<String>,
    pub word_diff: Option<Vec<DiffPart>>,
    #[serde(default)]
    pub informed_by: Vec<i64>,
}

#[derive(Deserialize)]
pub struct Diff {
    pub from: String,
    pub to: String,
    pub summary: BTreeMap<String, i64>,
    pub paragraphs: Vec<ParagraphDiff>,
}

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage<'a> {
    c: &'a Ctx,
    k: Consultation,
    versions: Vec<VersionItem>,
    diff: Option<Diff>,
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
    fn summary(&self, d: &Diff) -> String {
        let n = |k: &str| d.summary.get(k).copied().unwrap_or(0).to_string();
        self.c.t.args(
            "diff-summary",
            &[
                ("added", &n("added")),
                ("changed", &n("changed")),
                ("removed", &n("removed")),
                ("unchanged", &n("unchanged")),
            ],
        )
    }
}

async fn consultation(state: &State, c: &Ctx, slug: &str) -> ApiResult<Consultation> {
    api::read(
        api::json(
            api_h::detail(
                state.clone(),
                MaybeUser(c.auth()),
                web::Path::from(slug.to_owned()),
            )
            .await,
        )
        .await?,
    )
}

async fn may_revise(state: &State, c: &Ctx, id: i64) -> bool {
    match c.auth() {
        Some(u) => state
            .db
            .run(move |conn| crate::search::handlers::is_reviewer(conn, Some(&u), id))
            .await
            .unwrap_or(false),
        None => false,
    }
}

pub async fn list(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let loaded = async {
        let k = consultation(&state, &c, &slug).await?;
        let versions = api::json(
            api_h::list_versions(
                state.clone(),
                MaybeUser(c.auth()),
                web::Path::from(slug.clone()),
            )
            .await,
        )
        .await?;
        let versions: Vec<VersionItem> = api::read(versions["items"].clone())?;
        let diff = match (c.param("from"), c.param("to")) {
            (Some(a), Some(b)) if a != b => {
                let path = web::Path::from((slug.clone(), a.to_owned(), b.to_owned()));
                Some(api::read::<Diff>(
                    api::json(api_h::diff(state.clone(), MaybeUser(c.auth()), path).await).await?,
                )?)
            }
            _ => None,
        };
        Ok::<_, ApiError>((k, versions, diff))
    }
    .await;
    match loaded {
        Ok((k, versions, diff)) => {
            let can_revise = may_revise(&state, &c, k.id).await;
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
    pub inputs: Vec<Comment>,
    pub informed: Vec<i64>,
}

#[derive(Template)]
#[template(path = "revise.html")]
struct RevisePage<'a> {
    c: &'a Ctx,
    k: Consultation,
    drafts: Vec<Draft>,
    label: String,
    errors: PageErrors,
}

impl RevisePage<'_> {
    fn excerpt(&self, m: &Comment) -> String {
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

/// Every visible input of the consultation, by paragraph key (at most 2,000 read).
async fn inputs_by_paragraph(
    state: &State,
    c: &Ctx,
    id: i64,
) -> ApiResult<BTreeMap<String, Vec<Comment>>> {
    let mut by: BTreeMap<String, Vec<Comment>> = BTreeMap::new();
    for m in super::consultation::every_comment(state, c, id, "").await? {
        if let Some(k) = m.paragraph_key.clone() {
            if m.parent_id.is_none() && m.status == "visible" {
                by.entry(k).or_default().push(m);
            }
        }
    }
    Ok(by)
}

async fn editor(
    state: &State,
    c: Ctx,
    slug: String,
    form: Option<&FormData>,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    let Some(_) = c.auth() else {
        return c.redirect(&format!("/login?next=/consultations/{slug}/revise"));
    };
    let k = match consultation(state, &c, &slug).await {
        Ok(k) => k,
        Err(e) => return failure(c, &e),
    };
    if !may_revise(state, &c, k.id).await {
        return failure(c, &ApiError::forbidden("co-facilitators only"));
    }
    let mut inputs = match inputs_by_paragraph(state, &c, k.id).await {
        Ok(i) => i,
        Err(e) => return failure(c, &e),
    };
    let current: Vec<&Paragraph> = k
        .version
        .as_ref()
        .map(|v| v.paragraphs.iter().collect())
        .unwrap_or_default();
    let mut drafts: Vec<Draft> = current
        .iter()
        .map(|p| Draft {
            key: Some(p.key.clone()),
            number: p.number.clone().unwrap_or_default(),
            text: p.text.clone(),
            inputs: inputs.remove(&p.key).unwrap_or_default(),
            informed: vec![],
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
    let Some(user) = c.auth() else {
        return c.redirect(&format!("/login?next=/consultations/{slug}/revise"));
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return editor(&state, c, slug, Some(&form), errors, StatusCode::OK).await;
    }
    let count: usize = form.get("count").parse().unwrap_or(0).min(2000);
    // The drafts sent (a blank one is a removed paragraph): the API numbers them in order.
    let sent: Vec<usize> = (0..count)
        .filter(|i| form.opt(&format!("text-{i}")).is_some())
        .collect();
    let paragraphs: Vec<Value> = sent
        .iter()
        .map(|i| {
            let informed: Vec<i64> = form
                .all(&format!("informed-{i}"))
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect();
            let mut p = json!({"number": form.get(&format!("number-{i}")), "text": form.get(&format!("text-{i}")), "informed_by": informed});
            if let Some(key) = form.opt(&format!("key-{i}")) {
                p["key"] = json!(key);
            }
            p
        })
        .collect();
    let result = match api::body(json!({"label": form.get("label"), "paragraphs": paragraphs})) {
        Ok(input) => {
            api::json(
                api_h::create_version(state.clone(), user, web::Path::from(slug.clone()), input)
                    .await,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => {
            c.flash("revise-done");
            let to = created["label"].as_str().unwrap_or_default().to_owned();
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
    let found = api::json(
        api_h::get_comment(state.clone(), MaybeUser(c.auth()), web::Path::from(id)).await,
    )
    .await;
    let place = async {
        let v = found?;
        if let Some(session) = v["session_id"].as_i64() {
            return Ok(format!("/sessions/{session}#c-{id}"));
        }
        let cid = v["consultation_id"]
            .as_i64()
            .ok_or_else(|| ApiError::not_found("comment"))?;
        let k = consultation(&state, &c, &cid.to_string()).await?;
        let paragraph = v["paragraph_key"]
            .as_str()
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
