//! An organiser's page for one proposal: the whole submission (description, policy
//! questions, format, speakers with their groups, regions and answers to the request to
//! confirm, the proposer), the reviews the other organisers left, a review form and the
//! decision with its note. Reviewers used to score from a title in a table.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, refuse, State};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::command::{DecisionInput, ReviewInput};
use crate::events::types::ProposalStatus;
use crate::events::usecase::proposals as uc;
use crate::events::view::{Dossier, ProposalView};
use crate::policy::guards::events::ProposalOrganizer;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage<'a> {
    c: &'a Ctx,
    p: &'a ProposalView,
    d: &'a Dossier,
    errors: PageErrors,
    form: FormData,
}

impl ProposalPage<'_> {
    fn here(&self) -> String {
        format!("/organize/proposals/{}", self.p.id)
    }
    fn undecided(&self) -> bool {
        self.p.status == ProposalStatus::Submitted
    }
    /// One review each, never of one's own proposal, before the decision.
    fn may_review(&self) -> bool {
        let me = self.c.user.as_ref().map(|u| u.id);
        self.undecided() && !self.d.reviewed && me != Some(self.p.proposer_id)
    }
}

async fn show(
    state: &State,
    c: Ctx,
    id: i64,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    let here = format!("/organize/proposals/{id}");
    let org = match ProposalOrganizer::check(&state.db, c.actor(), id.to_string()).await {
        Ok(org) => org,
        Err(e) => return refuse(c, &e, &here),
    };
    match uc::dossier(&state.db, &org).await {
        Ok(d) => {
            let page = ProposalPage {
                c: &c,
                p: &d.proposal,
                d: &d,
                errors,
                form,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn page(req: HttpRequest, state: State, path: web::Path<i64>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    show(
        &state,
        c,
        id,
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    let form = FormData::parse(&body);
    let here = format!("/organize/proposals/{id}");
    let org = match ProposalOrganizer::check(&state.db, c.actor(), id.to_string()).await {
        Ok(org) => org,
        Err(e) => return refuse(c, &e, &here),
    };
    let done = if c.csrf_ok(&state, form.opt("csrf")) {
        perform(&state, &org, &form).await
    } else {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    };
    match done {
        Ok(()) => {
            c.flash("organize-saved");
            c.redirect(&here)
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show(&state, c, id, errors, form, status).await
        }
    }
}

async fn perform(state: &State, org: &ProposalOrganizer, form: &FormData) -> ApiResult<()> {
    let db = &state.db;
    match form.get("action") {
        "review" => {
            let score = form
                .get("score")
                .parse()
                .map_err(|_| ApiError::field("score", "choose one"))?;
            let review = ReviewInput {
                score,
                comment: form.get("comment").to_owned(),
            };
            uc::review(db, org, review.try_into()?).await?;
        }
        verdict @ ("accept" | "reject" | "merge") => {
            let merging = verdict == "merge";
            let decision = DecisionInput {
                decision: match verdict {
                    "accept" => "accepted",
                    "reject" => "rejected",
                    _ => "merged",
                }
                .to_owned(),
                note: form.get("note").to_owned(),
                merged_into: merging
                    .then(|| form.get("merged_into").parse().ok())
                    .flatten(),
                carry_speakers: merging && form.checked("carry_speakers"),
            };
            uc::decide(db, org, decision.try_into()?).await?;
        }
        _ => return Err(ApiError::field("action", "unknown action")),
    }
    Ok(())
}
