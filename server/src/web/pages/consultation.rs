//! A consultation: the text with comment counts per paragraph; one paragraph with its
//! threads and the comment form; posting, replying and endorsing without JavaScript.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::{failure, State};
use crate::accounts::auth::MaybeUser;
use crate::consultations::handlers as api_h;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};
use crate::web::time::Stamp;

#[derive(Deserialize)]
pub struct Paragraph {
    pub key: String,
    pub number: Option<String>,
    pub section: Option<String>,
    pub text: String,
    #[serde(default)]
    pub comment_count: i64,
    #[serde(default)]
    pub informed_by: Vec<i64>,
}

#[derive(Deserialize)]
pub struct Version {
    pub label: String,
    pub paragraphs: Vec<Paragraph>,
    #[serde(default)]
    pub general_comment_count: i64,
}

#[derive(Deserialize)]
pub struct Consultation {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub status: String,
    pub closes_at: Option<Stamp>,
    pub accepting_contributions: bool,
    pub version: Option<Version>,
}

#[derive(Deserialize)]
pub struct Author {
    /// Absent for anonymous and withdrawn authors.
    pub id: Option<i64>,
    pub display_name: String,
    pub stakeholder_group: Option<String>,
    pub region: Option<String>,
    pub organization: Option<String>,
}

#[derive(Deserialize)]
pub struct Comment {
    pub id: i64,
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub proposed_text: Option<String>,
    pub language: String,
    pub status: String,
    pub author: Author,
    pub endorsement_count: i64,
    pub created_at: Stamp,
    /// What happened to it (on consultation lists).
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

#[derive(Deserialize)]
pub struct Informed {
    pub version: String,
    pub number: String,
}

#[derive(Deserialize)]
pub struct Outcome {
    pub review_status: String,
    #[serde(default)]
    pub informed: Vec<Informed>,
}

/// A comment in reading order, with how deep in its thread it sits (shown up to 3).
pub struct Threaded {
    pub comment: Comment,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage<'a> {
    c: &'a Ctx,
    k: Consultation,
    /// The paragraph whose threads are open (`None`: the whole text).
    focus: Option<Focus>,
    thread: Vec<Threaded>,
    errors: PageErrors,
    form: FormData,
    live_since: i64,
    /// Co-facilitators and organisers see the way to the workbench.
    reviewer: bool,
}

pub struct Focus {
    /// The paragraph key, or empty for general comments.
    pub key: String,
    pub paragraph: Option<Paragraph>,
}

impl ConsultationPage<'_> {
    fn author_name(&self, a: &Author) -> String {
        match a.display_name.as_str() {
            "anonymous" => self.c.t.get("comment-anonymous-author"),
            name => name.to_owned(),
        }
    }

    /// Endorsing is for others' inputs.
    fn can_endorse(&self, a: &Author) -> bool {
        self.c.user.as_ref().is_some_and(|u| a.id != Some(u.id))
    }

    fn group(&self, a: &Author) -> String {
        a.stakeholder_group
            .as_deref()
            .map(|g| self.c.t.get(&format!("group-{g}")))
            .unwrap_or_default()
    }

    fn status_label(&self) -> String {
        self.c.t.get(&format!("status-{}", self.k.status))
    }

    fn focus_key(&self) -> &str {
        self.focus
            .as_ref()
            .map(|f| f.key.as_str())
            .unwrap_or_default()
    }

    fn here(&self) -> String {
        match &self.focus {
            Some(f) if f.key.is_empty() => {
                format!("/consultations/{}?paragraph=general", self.k.slug)
            }
            Some(f) => format!(
                "/consultations/{}?paragraph={}",
                self.k.slug,
                percent(&f.key)
            ),
            None => format!("/consultations/{}", self.k.slug),
        }
    }

    /// Stakeholder group names for the live script, as JSON safe inside `<script>`.
    fn group_names_json(&self) -> String {
        let names: serde_json::Map<String, serde_json::Value> =
            crate::accounts::types::StakeholderGroup::ALL
                .iter()
                .map(|g| {
                    (
                        g.as_str().to_owned(),
                        json!(self.c.t.get(&format!("group-{}", g.as_str()))),
                    )
                })
                .collect();
        serde_json::Value::Object(names)
            .to_string()
            .replace('<', "\\u003c")
    }

    fn paragraph_link(&self, p: &Paragraph) -> String {
        format!(
            "/consultations/{}?paragraph={}",
            self.k.slug,
            percent(&p.key)
        )
    }
}

/// Threads in reading order: each root, then its replies depth-first, oldest first.
fn thread(mut comments: Vec<Comment>) -> Vec<Threaded> {
    comments.sort_by_key(|c| c.id);
    let ids: std::collections::HashSet<i64> = comments.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Comment>> = HashMap::new();
    for c in comments {
        // A reply whose parent is not shown (hidden, say) stands as a root.
        let parent = c.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(c);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Comment, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|c| (c, 0))
        .collect();
    while let Some((c, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(c.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push(Threaded {
            comment: c,
            depth: depth.min(3),
        });
    }
    out
}

async fn load(
    state: &State,
    c: &Ctx,
    slug: &str,
    focus_key: Option<String>,
) -> ApiResult<(Consultation, Option<Focus>, Vec<Threaded>, i64)> {
    let detail = api::json(
        api_h::detail(
            state.clone(),
            MaybeUser(c.auth()),
            web::Path::from(slug.to_owned()),
        )
        .await,
    )
    .await?;
    let mut k: Consultation = api::read(detail)?;
    let channel = crate::outbox::consultation_channel(k.id);
    // The head is read before the comments: whatever lands in between is replayed by
    // the live script, which skips comments already on the page.
    let live_since = state
        .db
        .run(move |conn| crate::live::log::head(conn, &channel))
        .await?;
    let Some(key) = focus_key else {
        return Ok((k, None, vec![], live_since));
    };
    let general = key == "general";
    let paragraph = match (&mut k.version, general) {
        (Some(v), false) => {
            let at = v
                .paragraphs
                .iter()
                .position(|p| p.key == key)
                .ok_or_else(|| ApiError::not_found("paragraph"))?;
            Some(v.paragraphs.remove(at))
        }
        (None, false) => return Err(ApiError::not_found("paragraph")),
        (_, true) => None,
    };
    let filter = if general {
        String::new()
    } else {
        format!("&paragraph_key={}", percent(&key))
    };
    let comments: Vec<Comment> = every_comment(state, c, k.id, &filter)
        .await?
        .into_iter()
        .filter(|x| !general || x.paragraph_key.is_none())
        .collect();
    let focus = Focus {
        key: if general { String::new() } else { key },
        paragraph,
    };
    Ok((k, Some(focus), thread(comments), live_since))
}

/// The comments of a consultation (of one paragraph with `filter`), page after page:
/// a thread is shown whole. At most 5,000 are read for one page view.
pub async fn every_comment(
    state: &State,
    c: &Ctx,
    id: i64,
    filter: &str,
) -> ApiResult<Vec<Comment>> {
    api::every_page(&format!("limit=200{filter}"), |query| async move {
        let q = api::query::<api_h::CommentQuery>(&query)?;
        api_h::list_comments(
            state.clone(),
            MaybeUser(c.auth()),
            web::Path::from(id.to_string()),
            q,
        )
        .await
    })
    .await
}

async fn show(
    state: &State,
    c: Ctx,
    slug: String,
    focus: Option<String>,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    let retry_general = !errors.is_empty() && focus.as_deref().is_some_and(|f| f != "general");
    let mut loaded = load(state, &c, &slug, focus).await;
    // A form sent for a paragraph that a new version has just removed: the text typed
    // comes back with the general comments instead of being lost with the paragraph.
    if retry_general && matches!(&loaded, Err(e) if e.code == ErrorCode::NotFound) {
        loaded = load(state, &c, &slug, Some("general".to_owned())).await;
    }
    match loaded {
        Ok((k, focus, thread, live_since)) => {
            let (user, id) = (c.auth(), k.id);
            let reviewer = match user {
                Some(u) => state
                    .db
                    .run(move |conn| crate::search::handlers::is_reviewer(conn, Some(&u), id))
                    .await
                    .unwrap_or(false),
                None => false,
            };
            let page = ConsultationPage {
                reviewer,
                c: &c,
                k,
                focus,
                thread,
                errors,
                form,
                live_since,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn page(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let focus = c.param("paragraph").map(str::to_owned);
    show(
        &state,
        c,
        path.into_inner(),
        focus,
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn post_comment(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let form = FormData::parse(&body);
    let focus = form
        .opt("paragraph_key")
        .map(str::to_owned)
        .unwrap_or_else(|| "general".into());
    let Some(user) = c.auth() else {
        return c.redirect(&format!("/login?next=/consultations/{slug}"));
    };
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        let kind = form.opt("kind").unwrap_or("comment");
        let parent_id = form.opt("parent_id").and_then(|p| p.parse::<i64>().ok());
        let input = json!({
            "body": form.get("body"),
            "kind": kind,
            "paragraph_key": form.opt("paragraph_key"),
            "parent_id": parent_id,
            "proposed_text": if kind == "amendment" { form.opt("proposed_text") } else { None },
            "anonymous": form.checked("anonymous"),
        });
        match api::body(input) {
            Ok(input) => {
                api::json(
                    api_h::post_comment(state.clone(), user, web::Path::from(slug.clone()), input)
                        .await,
                )
                .await
            }
            Err(e) => Err(e),
        }
    };
    match attempt {
        Ok(created) => {
            c.flash("comment-posted");
            let id = created["id"].as_i64().unwrap_or_default();
            let target = if focus == "general" {
                "general".to_owned()
            } else {
                percent(&focus)
            };
            c.redirect(&format!("/consultations/{slug}?paragraph={target}#c-{id}"))
        }
        Err(e) if e.code == ErrorCode::NotFound => failure(c, &e),
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show(&state, c, slug, Some(focus), errors, form, status).await
        }
    }
}

pub async fn endorse(
    req: HttpRequest,
    state: State,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let back = form
        .opt("back")
        .filter(|b| b.starts_with("/consultations/"))
        .unwrap_or("/")
        .to_owned();
    let Some(user) = c.auth() else {
        return c.redirect(&format!("/login?next={}", percent(&back)));
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        return c.redirect(&back);
    }
    let id = path.into_inner();
    match api::json(api_h::endorse(state.clone(), user, web::Path::from(id)).await).await {
        Ok(_) => c.redirect(&format!("{back}#c-{id}")),
        Err(e) if e.code == ErrorCode::AlreadyEndorsed => c.redirect(&format!("{back}#c-{id}")),
        Err(e) => failure(c, &e),
    }
}

/// Reports an input to the moderators, then back to the thread.
pub async fn flag(
    req: HttpRequest,
    state: State,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let back = form
        .opt("back")
        .filter(|b| b.starts_with("/consultations/"))
        .unwrap_or("/")
        .to_owned();
    let Some(user) = c.auth() else {
        return c.redirect(&format!("/login?next={}", percent(&back)));
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        return c.redirect(&back);
    }
    let id = path.into_inner();
    let result = match api::body(json!({"reason": form.get("reason")})) {
        Ok(input) => {
            api::json(api_h::flag(state.clone(), user, web::Path::from(id), input).await).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            c.flash("comment-flagged");
            c.redirect(&format!("{back}#c-{id}"))
        }
        // Flagged before: the same thanks, nothing twice.
        Err(e) if e.code == ErrorCode::AlreadyFlagged => {
            c.flash("comment-flagged");
            c.redirect(&format!("{back}#c-{id}"))
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let slug = back
                .trim_start_matches("/consultations/")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned();
            let focus = back
                .split("paragraph=")
                .nth(1)
                .map(|k| k.split(['&', '#']).next().unwrap_or_default().to_owned());
            let status = e.code.status();
            show(&state, c, slug, focus, errors, FormData::default(), status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent: Option<i64>) -> Comment {
        serde_json::from_value(json!({
            "id": id, "paragraph_key": "k", "parent_id": parent, "kind": "comment", "body": "b",
            "proposed_text": null, "language": "en", "status": "visible",
            "author": {"display_name": "A", "stakeholder_group": "academia", "region": null, "organization": null},
            "endorsement_count": 0, "created_at": "2025-06-23T09:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn threads_read_depth_first_and_orphans_stand_as_roots() {
        let t = thread(vec![
            comment(4, Some(2)),
            comment(1, None),
            comment(2, Some(1)),
            comment(3, None),
            comment(5, Some(99)),
        ]);
        let order: Vec<(i64, usize)> = t.iter().map(|x| (x.comment.id, x.depth)).collect();
        assert_eq!(order, vec![(1, 0), (2, 1), (4, 2), (3, 0), (5, 0)]);
    }
}
