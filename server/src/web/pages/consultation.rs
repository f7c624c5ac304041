//! A consultation: the text with comment counts per paragraph; one paragraph with its
//! threads and the comment form; posting, replying and endorsing without JavaScript.

use crate::consultations::phases::{Phase, PhaseView};
use crate::delegations::types::{OnBehalfOf, SpeaksFor};
use crate::negotiation::silence::{self, SilenceLog, SilenceState, SilenceView};
use std::collections::{HashMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, Posted, State};
use crate::consultations::comments::command::{
    CommentInput, NewCommentCommand, Reason, ReasonInput,
};
use crate::consultations::comments::usecase as comments;
use crate::consultations::comments::view::AuthorView;
use crate::consultations::comments::CommentView;
use crate::consultations::types::Participation;
use crate::consultations::view::{self as kview, ConsultationView, ParagraphView, VersionView};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::guards::{consultation_for, Verified};
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};

/// A comment in reading order, with how deep in its thread it sits (shown up to 3).
pub struct Threaded {
    pub entry: Entry,
    pub depth: usize,
}

/// What a place in a thread shows: a comment the reader may read, or where a moderator
/// hid one (for readers who may not see hidden comments).
pub enum Entry {
    Comment(Box<CommentView>),
    Hidden(HiddenMark),
}

impl Entry {
    fn id(&self) -> i64 {
        match self {
            Entry::Comment(c) => c.id,
            Entry::Hidden(h) => h.id,
        }
    }

    fn parent_id(&self) -> Option<i64> {
        match self {
            Entry::Comment(c) => c.parent_id,
            Entry::Hidden(h) => h.parent_id,
        }
    }

    fn endorsements(&self) -> i32 {
        match self {
            Entry::Comment(c) => c.endorsement_count,
            Entry::Hidden(_) => 0,
        }
    }
}

pub use crate::consultations::comments::moderation::HiddenMark;

/// How a paragraph's threads are ordered (`?sort=`); replies always read oldest first
/// under their parent.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ThreadOrder {
    #[default]
    Oldest,
    Newest,
    MostEndorsed,
}

impl ThreadOrder {
    pub const ALL: [ThreadOrder; 3] = [
        ThreadOrder::Oldest,
        ThreadOrder::Newest,
        ThreadOrder::MostEndorsed,
    ];

    fn parse(raw: Option<&str>) -> ThreadOrder {
        match raw {
            Some("new") => ThreadOrder::Newest,
            Some("top") => ThreadOrder::MostEndorsed,
            _ => ThreadOrder::Oldest,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThreadOrder::Oldest => "old",
            ThreadOrder::Newest => "new",
            ThreadOrder::MostEndorsed => "top",
        }
    }
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage<'a> {
    c: &'a Ctx,
    k: ConsultationView,
    version: Option<VersionView>,
    /// The paragraph whose threads are open (`None`: the whole text).
    focus: Option<Focus>,
    thread: Vec<Threaded>,
    errors: PageErrors,
    form: FormData,
    live_since: i64,
    /// Co-facilitators and organisers see the way to the workbench.
    reviewer: bool,
    /// What the reader has endorsed, and what they follow here.
    mine: Mine,
    order: ThreadOrder,
    /// The languages the open thread's comments are written in (for the filter), and
    /// the one it is filtered to.
    comment_languages: Vec<String>,
    comments_language: Option<String>,
    /// The signed-in reader may post and endorse here (who may take part).
    admitted: bool,
    /// The silence procedures, once the negotiation has begun.
    silence: Option<SilenceLog>,
    /// Every phase it went through, oldest first.
    phases: Vec<PhaseView>,
    /// False when the negotiation takes comments from delegations only and the reader
    /// speaks for none (the form is replaced by why).
    delegations_only_ok: bool,
}

/// The signed-in reader's own marks on the page.
#[derive(Default)]
pub struct Mine {
    endorsed: HashSet<i64>,
    following_consultation: bool,
    following_paragraph: bool,
    /// The reader may post and endorse here (who may take part): the cards offer
    /// Endorse and Reply only then.
    admitted: bool,
    /// The delegations and groups the reader may speak for.
    speaks_for: Vec<crate::delegations::types::Represented>,
}

impl Mine {
    fn of(
        conn: &mut crate::db::DbConn,
        user_id: i64,
        consultation: i64,
        key: Option<&str>,
    ) -> ApiResult<Mine> {
        use crate::notifications::types::TargetType;
        let follows = crate::notifications::usecase::follow_views(conn, user_id)?;
        Ok(Mine {
            endorsed: crate::consultations::comments::store::endorsed_by(conn, user_id)?
                .into_iter()
                .collect(),
            following_consultation: follows
                .iter()
                .any(|f| f.target_type == TargetType::Consultation && f.target_id == consultation),
            following_paragraph: key.is_some_and(|key| {
                follows.iter().any(|f| {
                    f.target_type == TargetType::Paragraph
                        && f.consultation_id == Some(consultation)
                        && f.paragraph_key.as_deref() == Some(key)
                })
            }),
            admitted: false,
            speaks_for: crate::delegations::store::speakers_for(conn, user_id)?,
        })
    }
}

pub struct Focus {
    /// The paragraph key, or empty for general comments.
    pub key: String,
    pub paragraph: Option<ParagraphView>,
}

/// What `comment_card.html` asks of the template that includes it: the page and the
/// single card of a live update answer alike.
macro_rules! card_helpers {
    () => {
        fn author_name(&self, a: &AuthorView) -> String {
            author_name(self.c, a)
        }

        /// Endorsing is for others' inputs, by those who may take part.
        fn can_endorse(&self, a: &AuthorView) -> bool {
            self.mine.admitted && self.c.user.as_ref().is_some_and(|u| a.id() != Some(u.id))
        }

        fn endorsed(&self, id: &i64) -> bool {
            self.mine.endorsed.contains(id)
        }

        /// The reader's own contribution, posted anonymously: they see their name,
        /// others do not.
        fn own_anonymous(&self, m: &CommentView) -> bool {
            m.anonymous
                && self
                    .c
                    .user
                    .as_ref()
                    .is_some_and(|u| m.author.id() == Some(u.id))
        }

        fn group(&self, a: &AuthorView) -> String {
            a.stakeholder_group()
                .map(|g| self.c.t.get(&format!("group-{g}")))
                .unwrap_or_default()
        }
    };
}

impl ConsultationPage<'_> {
    card_helpers!();

    fn status_label(&self) -> String {
        self.c.t.get(&format!("status-{}", self.k.status))
    }

    /// What the silence procedure is at, in a sentence.
    fn silence_line(&self, s: &SilenceView) -> String {
        let t = &self.c.t;
        match s.state {
            SilenceState::Running => t.args(
                "silence-running",
                &[("version", &s.version), ("deadline", &s.deadline_local)],
            ),
            SilenceState::Held => t.arg("silence-held", "version", &s.version),
            SilenceState::Broken => {
                let mut names: Vec<&str> = s
                    .breaks
                    .iter()
                    .map(|b| b.delegation.name.as_str())
                    .collect();
                names.dedup();
                t.args(
                    "silence-broken",
                    &[("version", &s.version), ("names", &names.join(", "))],
                )
            }
            SilenceState::Adopted => {
                let (symbol, on) = s
                    .adoption
                    .as_ref()
                    .map(|a| (a.symbol.as_str(), a.adopted_on.as_str()))
                    .unwrap_or_default();
                t.args(
                    "silence-adopted",
                    &[("version", &s.version), ("symbol", symbol), ("date", on)],
                )
            }
        }
    }

    /// The delegations the reader may break silence for (while it runs).
    fn breakers(&self) -> Vec<&crate::delegations::types::DelegationView> {
        let running = self
            .silence
            .as_ref()
            .is_some_and(|s| s.current.state == SilenceState::Running);
        if !running {
            return vec![];
        }
        self.mine
            .speaks_for
            .iter()
            .filter_map(|r| match r {
                crate::delegations::types::Represented::Delegation(d) => Some(d),
                _ => None,
            })
            .collect()
    }

    fn paragraph_numbers(b: &crate::negotiation::silence::BreakView) -> String {
        b.paragraphs
            .iter()
            .map(|p| p.number.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "Phase: negotiation, since 4 December 2026", in the page's language.
    fn phase_line(&self) -> Option<String> {
        let (phase, since) = (self.k.phase?, self.k.phase_since.as_ref()?);
        Some(self.c.t.args(
            "consultation-phase",
            &[
                ("phase", &self.c.t.of("phase", phase.as_str())),
                ("date", &self.c.t.date(since.date())),
            ],
        ))
    }

    /// "Negotiation, from 4 December 2026, by Ms Co-facilitator", in the page's language.
    fn phase_entry(&self, p: &PhaseView) -> String {
        let (phase, date) = (
            self.c.t.of("phase", p.phase.as_str()),
            self.c.t.date(p.set_at.date()),
        );
        match &p.set_by {
            Some(by) => self.c.t.args(
                "phase-entry-by",
                &[
                    ("phase", &phase),
                    ("date", &date),
                    ("name", &by.display_name),
                ],
            ),
            None => self
                .c
                .t
                .args("phase-entry", &[("phase", &phase), ("date", &date)]),
        }
    }

    /// The stakeholder groups that may take part, named in the page's language; `None`
    /// when anyone may.
    fn participant_groups(&self) -> Option<String> {
        match &self.k.participation {
            Participation::Anyone => None,
            Participation::Groups { groups, .. } => Some(
                groups
                    .iter()
                    .map(|g| self.c.t.of("group", g.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }

    fn focus_key(&self) -> &str {
        self.focus
            .as_ref()
            .map(|f| f.key.as_str())
            .unwrap_or_default()
    }

    fn here(&self) -> String {
        let text = self.text_query();
        match &self.focus {
            Some(f) if f.key.is_empty() => {
                format!("/consultations/{}?paragraph=general{text}", self.k.slug)
            }
            Some(f) => format!(
                "/consultations/{}?paragraph={}{text}",
                self.k.slug,
                percent(&f.key)
            ),
            None if text.is_empty() => format!("/consultations/{}", self.k.slug),
            None => format!("/consultations/{}?{}", self.k.slug, &text[1..]),
        }
    }

    /// `&text=fr` when the reader chose the text's language, to keep it on the links.
    fn text_query(&self) -> String {
        match (self.c.param("text"), &self.version) {
            (Some(_), Some(v)) => format!("&text={}", percent(&v.language)),
            _ => String::new(),
        }
    }

    /// The language the text is shown in.
    fn text_language(&self) -> &str {
        self.version
            .as_ref()
            .map_or(self.k.language.as_str(), |v| v.language.as_str())
    }

    /// This page with the text in `language`.
    fn text_link(&self, language: &str) -> String {
        let mut link = format!("/consultations/{}?text={}", self.k.slug, percent(language));
        if let Some(f) = &self.focus {
            let key = if f.key.is_empty() { "general" } else { &f.key };
            link.push_str(&format!("&paragraph={}", percent(key)));
        }
        link
    }

    /// Stakeholder group names for the live script, as JSON safe inside `<script>`.
    fn group_names_json(&self) -> String {
        let names: std::collections::BTreeMap<&str, String> =
            crate::accounts::types::StakeholderGroup::ALL
                .iter()
                .map(|g| (g.as_str(), self.c.t.get(&format!("group-{}", g.as_str()))))
                .collect();
        script_json(&names)
    }

    /// "N comments" in the page's language for sample numbers, with the number as
    /// `{n}`: the live script picks the form whose sample has the same plural category
    /// (`Intl.PluralRules`) when a paragraph's count goes up.
    fn count_forms_json(&self) -> String {
        let forms: std::collections::BTreeMap<String, String> = [1u32, 2, 3, 5, 11, 21, 100, 101]
            .iter()
            .map(|n| {
                let text = self.c.t.count("comments-count", i64::from(*n));
                (n.to_string(), text.replace(&n.to_string(), "{n}"))
            })
            .collect();
        script_json(&forms)
    }

    fn paragraph_link(&self, p: &ParagraphView) -> String {
        format!(
            "/consultations/{}?paragraph={}{}",
            self.k.slug,
            percent(&p.key),
            self.text_query()
        )
    }
}

/// An author's name in the page's language (anonymous and withdrawn authors have labels).
/// A value as JSON to embed in a page's `<script>` or `data-` attribute: `<` escaped, so
/// that no text in it can close the script.
fn script_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

pub fn author_name(c: &Ctx, a: &AuthorView) -> String {
    match a {
        AuthorView::Named(n) => n.display_name.clone(),
        AuthorView::Anonymous(_) => c.t.get("comment-anonymous-author"),
        AuthorView::Withdrawn(_) => c.t.get("comment-withdrawn-author"),
    }
}

/// Threads in reading order: each root, then its replies depth-first, oldest first.
fn thread(
    comments: Vec<CommentView>,
    hidden: Vec<HiddenMark>,
    order: ThreadOrder,
) -> Vec<Threaded> {
    let mut entries: Vec<Entry> = comments
        .into_iter()
        .map(|c| Entry::Comment(Box::new(c)))
        .chain(hidden.into_iter().map(Entry::Hidden))
        .collect();
    entries.sort_by_key(Entry::id);
    let ids: HashSet<i64> = entries.iter().map(Entry::id).collect();
    let mut children: HashMap<Option<i64>, Vec<Entry>> = HashMap::new();
    for e in entries {
        // A reply whose parent is not shown (withdrawn, say) stands as a root.
        let parent = e.parent_id().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(e);
    }
    let mut out = Vec::new();
    let mut roots = children.remove(&None).unwrap_or_default();
    match order {
        ThreadOrder::Oldest => {}
        ThreadOrder::Newest => roots.reverse(),
        // Stable: equal counts keep the oldest first.
        ThreadOrder::MostEndorsed => roots.sort_by_key(|e| std::cmp::Reverse(e.endorsements())),
    }
    let mut stack: Vec<(Entry, usize)> = roots.into_iter().rev().map(|c| (c, 0)).collect();
    while let Some((e, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(e.id())) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push(Threaded {
            entry: e,
            depth: depth.min(3),
        });
    }
    out
}

/// What the consultation page shows.
struct Loaded {
    k: ConsultationView,
    version: Option<VersionView>,
    focus: Option<Focus>,
    thread: Vec<Threaded>,
    live_since: i64,
    reviewer: bool,
    mine: Mine,
    comment_languages: Vec<String>,
    comments_language: Option<String>,
    admitted: bool,
    delegations_only_ok: bool,
}

/// A language named in the page's query (`?text=`, `?comments=`), if it is one.
fn language_param(c: &Ctx, name: &str) -> Option<String> {
    crate::accounts::types::LanguageTag::parse_optional(c.param(name))
        .ok()
        .flatten()
}

async fn load(state: &State, c: &Ctx, slug: &str, focus_key: Option<String>) -> ApiResult<Loaded> {
    let order = ThreadOrder::parse(c.param("sort"));
    // The text in the language asked for, else in the page's, else the original.
    let wanted: Vec<String> = language_param(c, "text")
        .into_iter()
        .chain([c.lang.code().to_owned()])
        .collect();
    let comments_language = language_param(c, "comments");
    let actor = c.actor();
    let user_id = c.user.as_ref().map(|u| u.id);
    let slug = slug.to_owned();
    state
        .db
        .run(move |conn| {
            let (row, access) = consultation_for(conn, &actor, &slug)?;
            let k = kview::consultation(conn, &row)?;
            let mut version = match row.current_version_id {
                Some(id) => {
                    let label = crate::consultations::store::version_label(conn, id)?;
                    let v = crate::consultations::store::find_version(conn, row.id, &label)?;
                    let reading = kview::Reading {
                        language: crate::consultations::translation::first_available(
                            conn,
                            &v,
                            &row.language,
                            &wanted,
                        )?,
                        all_languages: false,
                    };
                    Some(kview::version_in(conn, &v, true, &reading)?)
                }
                None => None,
            };
            // The head is read before the comments: whatever lands in between is
            // replayed by the live script, which skips comments already on the page.
            let live_since =
                crate::live::log::head(conn, &crate::outbox::consultation_channel(row.id))?;
            let reviewer = access.is_reviewer();
            let admitted = user_id.is_none() || access.may_contribute(conn, &row).is_ok();
            let focused = focus_key.as_deref().filter(|k| *k != "general");
            let mut mine = match user_id {
                Some(id) => Mine::of(conn, id, row.id, focused)?,
                None => Mine::default(),
            };
            mine.admitted = admitted;
            let phase = crate::consultations::phases::current(conn, row.id)?;
            let delegations_only_ok = !mine.speaks_for.is_empty()
                || access
                    .may_table(
                        phase,
                        crate::consultations::types::CommentKind::Comment,
                        None,
                    )
                    .is_ok();
            let Some(key) = focus_key else {
                return Ok(Loaded {
                    k,
                    version,
                    focus: None,
                    thread: vec![],
                    live_since,
                    reviewer,
                    mine,
                    comment_languages: vec![],
                    comments_language: None,
                    admitted,
                    delegations_only_ok,
                });
            };
            let general = key == "general";
            let paragraph = match (&mut version, general) {
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
            let paragraph_key = (!general).then_some(key.as_str());
            let reader = access.reader();
            let mut comments = comments::thread(conn, row.id, &reader, paragraph_key)?;
            let mut comment_languages: Vec<String> = comments
                .iter()
                .map(|m| crate::consultations::translation::primary(&m.language).to_owned())
                .collect();
            comment_languages.sort_unstable();
            comment_languages.dedup();
            // As the API filters: `fr` takes `fr-CA`, `fr-CA` only itself.
            if let Some(l) = &comments_language {
                let regional = format!("{l}-");
                comments.retain(|m| m.language == *l || m.language.starts_with(&regional));
            }
            // Where a moderator hid a comment, others see that it was, and why.
            let hidden = if reader.sees_hidden() {
                vec![]
            } else {
                crate::consultations::comments::moderation::hidden_marks(
                    conn,
                    row.id,
                    paragraph_key,
                )?
                .into_iter()
                .filter(|h| !comments.iter().any(|c| c.id == h.id))
                .collect()
            };
            Ok(Loaded {
                k,
                version,
                focus: Some(Focus {
                    key: if general { String::new() } else { key.clone() },
                    paragraph,
                }),
                thread: thread(comments, hidden, order),
                live_since,
                reviewer,
                mine,
                comment_languages,
                comments_language,
                admitted,
                delegations_only_ok,
            })
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
    let silence = match &loaded {
        Ok(l) if l.k.phase >= Some(Phase::Negotiation) => {
            silence::read(&state.db, c.actor(), slug.clone()).await.ok()
        }
        _ => None,
    };
    let phases = match &loaded {
        Ok(l) if l.k.phase.is_some() => {
            crate::consultations::usecase::phases(&state.db, c.actor(), slug.clone())
                .await
                .map(|list| list.items)
                .unwrap_or_default()
        }
        _ => vec![],
    };
    match loaded {
        Ok(l) => {
            let page = ConsultationPage {
                silence,
                phases,
                reviewer: l.reviewer,
                c: &c,
                k: l.k,
                version: l.version,
                focus: l.focus,
                thread: l.thread,
                errors,
                form,
                live_since: l.live_since,
                mine: l.mine,
                order: ThreadOrder::parse(c.param("sort")),
                comment_languages: l.comment_languages,
                comments_language: l.comments_language,
                admitted: l.admitted,
                delegations_only_ok: l.delegations_only_ok,
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
    let slug = path.into_inner();
    let (mut c, form, checked) = match posted_here(&req, &state, &body, &slug).await {
        Ok(posted) => posted,
        Err(to_sign_in) => return to_sign_in,
    };
    let focus = form
        .opt("paragraph_key")
        .map(str::to_owned)
        .unwrap_or_else(|| "general".into());
    let attempt = if let Err(stale) = checked {
        Err(stale)
    } else {
        let kind = form.opt("kind").unwrap_or("comment");
        let input = CommentInput {
            body: form.get("body").to_owned(),
            kind: Some(kind.to_owned()),
            paragraph_key: form.opt("paragraph_key").map(str::to_owned),
            parent_id: form.opt("parent_id").and_then(|p| p.parse::<i64>().ok()),
            proposed_text: if kind == "amendment" {
                form.opt("proposed_text").map(str::to_owned)
            } else {
                None
            },
            anonymous: form.checked("anonymous"),
            // Empty: detected, else the author's own language.
            language: form.opt("language").map(str::to_owned),
            on_behalf_of: form
                .opt("on_behalf_of")
                .and_then(SpeaksFor::from_form)
                .map(OnBehalfOf::from),
        };
        match (
            Verified::check(&state.db, c.actor()).await,
            NewCommentCommand::try_from(input),
        ) {
            (Ok(who), Ok(cmd)) => comments::post(&state, &who, slug.clone(), cmd).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    };
    match attempt {
        Ok(created) => {
            c.flash("comment-posted");
            let id = created.id;
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

/// Reads a form posted to the consultation's page (a visitor is sent to sign in), with
/// the CSRF check's outcome for the page to show beside the text it keeps.
async fn posted_here(
    req: &HttpRequest,
    state: &State,
    body: &[u8],
    slug: &str,
) -> Result<(Ctx, FormData, ApiResult<()>), HttpResponse> {
    let posted = Posted::signed_in(req, state, body, &format!("/consultations/{slug}")).await?;
    let checked = posted.csrf(state);
    Ok((posted.c, posted.form, checked))
}

/// Reads a card's form (endorse, flag), whose way back is its `back` field: a visitor
/// is sent to sign in, a stale form goes back and changes nothing.
async fn back_to_consultation(
    req: &HttpRequest,
    state: &State,
    body: &[u8],
) -> Result<(Ctx, FormData, String), HttpResponse> {
    let posted = Posted::read(req, state, body).await;
    let back = posted
        .form
        .opt("back")
        .filter(|b| b.starts_with("/consultations/"))
        .unwrap_or("/")
        .to_owned();
    let posted = posted.sign_in_first(&back)?;
    if posted.csrf(state).is_err() {
        return Err(posted.c.redirect(&back));
    }
    Ok((posted.c, posted.form, back))
}

pub async fn endorse(
    req: HttpRequest,
    state: State,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let (c, form, back) = match back_to_consultation(&req, &state, &body).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let id = path.into_inner();
    let withdraw = form.opt("action") == Some("withdraw");
    let done = match Verified::check(&state.db, c.actor()).await {
        Ok(who) if withdraw => comments::withdraw_endorsement(&state.db, &who, id)
            .await
            .map(|_| ()),
        Ok(who) => comments::endorse(&state.db, &who, id, None)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => c.redirect(&format!("{back}#c-{id}")),
        // Sent twice (a double click, a second tab): the state asked for is there.
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
    let (mut c, form, back) = match back_to_consultation(&req, &state, &body).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let id = path.into_inner();
    let reason = Reason::try_from(ReasonInput {
        reason: form.get("reason").to_owned(),
    });
    let result = match (Verified::check(&state.db, c.actor()).await, reason) {
        (Ok(who), Ok(reason)) => comments::flag(&state.db, &who, id, reason)
            .await
            .map(|_| ()),
        (Err(e), _) | (_, Err(e)) => Err(e),
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
    use crate::accounts::types::StakeholderGroup;
    use crate::consultations::comments::view::NamedAuthor;
    use crate::consultations::types::{CommentKind, Visibility};
    use crate::db::Timestamp;

    fn comment(id: i64, parent: Option<i64>) -> CommentView {
        CommentView {
            id,
            consultation_id: Some(1),
            session_id: None,
            paragraph_key: Some("k".into()),
            parent_id: parent,
            kind: CommentKind::Comment,
            body: "b".into(),
            proposed_text: None,
            on_behalf_of: None,
            speaks_for: None,
            anonymous: false,
            language: "en".into(),
            status: Visibility::Visible,
            version: None,
            author: AuthorView::Named(NamedAuthor {
                id: 1,
                display_name: "A".into(),
                stakeholder_group: StakeholderGroup::Academia,
                region: None,
                organization: None,
                organization_verified: false,
            }),
            endorsement_count: 0,
            upvote_count: 0,
            created_at: Timestamp(chrono::NaiveDateTime::default()),
            edited_at: None,
            editable_until: None,
            outcome: None,
            revisions: None,
        }
    }

    #[test]
    fn threads_read_depth_first_and_orphans_stand_as_roots() {
        let t = thread(
            vec![
                comment(4, Some(2)),
                comment(1, None),
                comment(2, Some(1)),
                comment(3, None),
                comment(5, Some(99)),
            ],
            vec![],
            ThreadOrder::Oldest,
        );
        let order: Vec<(i64, usize)> = t.iter().map(|x| (x.entry.id(), x.depth)).collect();
        assert_eq!(order, vec![(1, 0), (2, 1), (4, 2), (3, 0), (5, 0)]);
    }

    #[test]
    fn a_hidden_comment_keeps_its_place_and_its_replies() {
        let t = thread(
            vec![comment(1, None), comment(3, Some(2))],
            vec![HiddenMark {
                id: 2,
                parent_id: Some(1),
                log_id: Some(7),
                reason: "Rule 2".into(),
            }],
            ThreadOrder::Oldest,
        );
        let order: Vec<(i64, usize, bool)> = t
            .iter()
            .map(|x| (x.entry.id(), x.depth, matches!(x.entry, Entry::Hidden(_))))
            .collect();
        assert_eq!(order, vec![(1, 0, false), (2, 1, true), (3, 2, false)]);
    }

    #[test]
    fn threads_sort_by_their_first_comment_and_replies_stay_in_order() {
        let endorsed = |id, parent, n| {
            let mut c = comment(id, parent);
            c.endorsement_count = n;
            c
        };
        let all = || {
            vec![
                endorsed(1, None, 0),
                endorsed(2, None, 5),
                endorsed(3, Some(1), 9),
                endorsed(4, None, 5),
                endorsed(5, Some(1), 0),
            ]
        };
        let ids = |order| -> Vec<i64> {
            thread(all(), vec![], order)
                .iter()
                .map(|x| x.entry.id())
                .collect()
        };
        assert_eq!(ids(ThreadOrder::Oldest), [1, 3, 5, 2, 4]);
        assert_eq!(ids(ThreadOrder::Newest), [4, 2, 1, 3, 5]);
        assert_eq!(ids(ThreadOrder::MostEndorsed), [2, 4, 1, 3, 5]);
    }
}

/// One comment as its thread shows it, for the live script: the same template as the
/// page, so a card that arrives live has everything a rendered one has.
#[derive(Template)]
#[template(path = "comment_card_only.html")]
struct CardFragment<'a> {
    c: &'a Ctx,
    k: ConsultationView,
    comment: CommentView,
    mine: Mine,
}

impl CardFragment<'_> {
    card_helpers!();

    fn focus_key(&self) -> &str {
        self.comment.paragraph_key.as_deref().unwrap_or_default()
    }

    fn here(&self) -> String {
        let key = self
            .comment
            .paragraph_key
            .as_deref()
            .map_or_else(|| "general".to_owned(), percent);
        format!("/consultations/{}?paragraph={key}", self.k.slug)
    }
}

/// `GET /comments/{id}/card`: the comment's card as the reader may see it (404 when they
/// may not).
pub async fn card(req: HttpRequest, state: State, path: web::Path<i64>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    let actor = c.actor();
    let user_id = c.user.as_ref().map(|u| u.id);
    let loaded = async {
        let comment = comments::get(&state.db, actor.clone(), id).await?;
        let consultation = comment
            .consultation_id
            .ok_or_else(|| ApiError::not_found("comment"))?;
        let key = comment.paragraph_key.clone();
        let (k, mine) = state
            .db
            .run(move |conn| {
                let (row, access) = consultation_for(conn, &actor, &consultation.to_string())?;
                let mut mine = match user_id {
                    Some(user) => Mine::of(conn, user, row.id, key.as_deref())?,
                    None => Mine::default(),
                };
                mine.admitted = user_id.is_some() && access.may_contribute(conn, &row).is_ok();
                Ok((kview::consultation(conn, &row)?, mine))
            })
            .await?;
        Ok::<_, ApiError>((k, comment, mine))
    }
    .await;
    match loaded {
        Ok((k, comment, mine)) => {
            let card = CardFragment {
                c: &c,
                k,
                comment,
                mine,
            };
            // Through the Ctx: a session renewed while loading must reach the browser
            // (its old refresh token is spent).
            respond!(c, StatusCode::OK, card)
        }
        Err(e) => failure(c, &e),
    }
}

/// A delegate breaks silence from the page (`POST /consultations/{slug}/silence/breaks`).
pub async fn break_silence(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let slug = path.into_inner();
    let (mut c, form, checked) = match posted_here(&req, &state, &body, &slug).await {
        Ok(posted) => posted,
        Err(to_sign_in) => return to_sign_in,
    };
    let attempt = if let Err(stale) = checked {
        Err(stale)
    } else {
        let input = silence::BreakInput {
            delegation_id: form.get("delegation_id").parse().unwrap_or_default(),
            paragraph_keys: form
                .all("paragraph_keys")
                .iter()
                .map(|k| k.to_string())
                .collect(),
            letter: form.get("letter").to_owned(),
        };
        match Verified::check(&state.db, c.actor()).await {
            Ok(who) => silence::break_silence(&state.db, &who, slug.clone(), input)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        }
    };
    match attempt {
        Ok(()) => {
            c.flash("silence-break-sent");
            c.redirect(&format!("/consultations/{slug}#silence-h"))
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show(&state, c, slug, None, errors, form, status).await
        }
    }
}
