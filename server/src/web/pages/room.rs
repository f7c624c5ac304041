//! The session room on the session's page: who runs it, the segments and which one is
//! on now, the speaking queue (raise a hand in the room or online; the session's
//! moderators give the floor, everyone sees who has it), the questions by upvotes, and
//! the report form for its rapporteurs. Every form works without JavaScript; each runs
//! the use case the API's endpoint runs.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use super::events::show_session;
use super::{Posted, State};
use crate::consultations::comments::CommentView as Comment;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::command::ReportInput;
use crate::events::floor::Mode;
use crate::events::roles::RolesView;
use crate::events::usecase;
use crate::events::view::{QueueView, SegmentsView};
use crate::policy::guards::events::{FloorRunner, ReportWriter, SessionReader};
use crate::policy::guards::{SignedIn, Verified};
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

/// What the room shows to this reader.
pub struct Room {
    pub roles: RolesView,
    pub segments: SegmentsView,
    /// The segment on now, when the session runs.
    pub now: Option<usize>,
    pub queue: QueueView,
    /// Questions, most upvoted first.
    pub questions: Vec<Comment>,
    /// Whether the reader waits in the queue or has the floor.
    pub in_queue: bool,
    pub may_run_floor: bool,
    pub may_report: bool,
}

impl Room {
    pub async fn load(
        state: &State,
        c: &Ctx,
        reader: &SessionReader,
        comments: &[Comment],
    ) -> ApiResult<Room> {
        let db = &state.db;
        let id = reader.session.id.to_string();
        let roles = usecase::floor::roles(db, reader).await?;
        let segments = usecase::floor::segments(db, reader).await?;
        let queue = usecase::floor::queue(db, reader).await?;
        let me = c.user.as_ref().map(|u| u.id);
        let in_queue = me.is_some()
            && (queue.speaking.as_ref().is_some_and(|s| s.user_id == me)
                || queue.waiting.iter().any(|w| w.user_id == me));
        let (may_run_floor, may_report) = match me {
            Some(_) => (
                FloorRunner::check(db, c.actor(), id.clone()).await.is_ok(),
                ReportWriter::check(db, c.actor(), id).await.is_ok(),
            ),
            None => (false, false),
        };
        let now = Utc::now().naive_utc();
        let running = reader.session.ends_at.is_some_and(|end| now < end);
        let now = segments
            .segments
            .iter()
            .rposition(|s| s.starts_at.is_some_and(|t| t.0 <= now))
            .filter(|_| running);
        let mut questions: Vec<Comment> = comments
            .iter()
            .filter(|m| m.kind.as_str() == "question" && m.status.as_str() == "visible")
            .cloned()
            .collect();
        questions.sort_by_key(|q| (std::cmp::Reverse(q.upvote_count), q.id));
        Ok(Room {
            roles,
            segments,
            now,
            queue,
            questions,
            in_queue,
            may_run_floor,
            may_report,
        })
    }

    pub fn moderator_names(&self) -> String {
        names(&self.roles.moderators)
    }

    pub fn rapporteur_names(&self) -> String {
        names(&self.roles.rapporteurs)
    }

    pub fn is_now(&self, i: &usize) -> bool {
        self.now == Some(*i)
    }
}

fn names(people: &[crate::events::roles::PersonRef]) -> String {
    people
        .iter()
        .map(|p| p.display_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per item of a textarea, blank lines dropped.
fn lines(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every form of the room posts here with an `action`.
pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let id = path.into_inner();
    let back = format!("/sessions/{id}");
    let posted = match Posted::signed_in(&req, &state, &body, &back).await {
        Ok(p) => p,
        Err(to_sign_in) => return to_sign_in,
    };
    let done = match posted.csrf(&state) {
        Ok(()) => perform(&state, &posted.c, id, &posted.form).await,
        Err(e) => Err(e),
    };
    let Posted { mut c, form } = posted;
    match done {
        Ok(anchor) => {
            c.flash("organize-saved");
            c.redirect(&format!("/sessions/{id}#{anchor}"))
        }
        Err(e) if e.code == ErrorCode::NotFound => super::failure(c, &e),
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_session(c, &state, id, errors, form, status).await
        }
    }
}

async fn perform(state: &State, c: &Ctx, id: i64, form: &FormData) -> ApiResult<&'static str> {
    let db = &state.db;
    let key = id.to_string();
    match form.get("action") {
        "raise" => {
            let mode = Mode::parse(form.get("mode"))
                .ok_or_else(|| ApiError::field("mode", "in the room or online"))?;
            let by = Verified::check(db, c.actor()).await?;
            usecase::floor::join(db, &by, id, mode).await?;
            Ok("queue")
        }
        "lower" => {
            let by = SignedIn(crate::policy::guards::signed_in(c.actor())?);
            usecase::floor::leave(db, &by, id).await?;
            Ok("queue")
        }
        "next" => {
            let runner = FloorRunner::check(db, c.actor(), key).await?;
            usecase::floor::call_next(db, &runner).await?;
            Ok("queue")
        }
        "upvote" => {
            let by = Verified::check(db, c.actor()).await?;
            let comment: i64 = form
                .get("comment")
                .parse()
                .map_err(|_| ApiError::field("comment", "no such question"))?;
            // Only a question of this session: another's is not on this page.
            let reader = SessionReader::check(db, c.actor(), key).await?;
            let comments =
                crate::events::session_comments::stream(db, c.actor(), reader.session.id).await?;
            if !comments.iter().any(|m| m.id == comment) {
                return Err(ApiError::not_found("comment"));
            }
            crate::events::session_comments::upvote(db, &by, comment).await?;
            Ok("questions")
        }
        "report" => {
            let writer = ReportWriter::check(db, c.actor(), key).await?;
            let number = |name: &str| -> ApiResult<i32> {
                form.get(name)
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::field(name, "a whole number"))
            };
            let women = match form.get("women_percent").trim() {
                "" => None,
                v => Some(
                    v.parse::<f64>()
                        .map_err(|_| ApiError::field("women_percent", "a number from 0 to 100"))?
                        / 100.0,
                ),
            };
            let report = ReportInput {
                key_takeaways: lines(form.get("key_takeaways")),
                calls_to_action: lines(form.get("calls_to_action")),
                participants_onsite: number("participants_onsite")?,
                participants_online: number("participants_online")?,
                women_share: women,
            };
            usecase::reports::file(db, &writer, report.try_into()?).await?;
            Ok("report-h")
        }
        _ => Err(ApiError::field("action", "unknown action")),
    }
}
