//! An evaluator's page: the proposals given to them, each whole (or blind, when the
//! event says so: the speakers' groups and regions only), with the rubric to score and a
//! way to step back for a conflict of interest. The forms run the use cases the API's
//! `PUT /proposals/{id}/evaluation` and `POST /proposals/{id}/recusal` run.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, refuse, Posted, State};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::evaluation::Evaluation;
use crate::events::usecase::evaluation::{self as uc, EvaluationItem};
use crate::policy::guards::signed_in;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "evaluate.html")]
struct EvaluatePage<'a> {
    c: &'a Ctx,
    items: Vec<EvaluationItem>,
    errors: PageErrors,
    form: FormData,
}

impl EvaluatePage<'_> {
    fn done(&self) -> usize {
        self.items.iter().filter(|i| i.evaluated).count()
    }
    /// The score shown chosen: what was just sent for this proposal, else the one saved;
    /// none before (a preselected score would be sent unread).
    fn chosen(&self, it: &EvaluationItem, criterion: &i64, n: &i32) -> bool {
        if self.form.is("proposal", &it.proposal_id.to_string()) {
            return self.form.is(&format!("c{criterion}"), &n.to_string());
        }
        it.scores
            .iter()
            .any(|s| s.criterion_id == *criterion && s.score == *n)
    }
}

async fn show(
    state: &State,
    c: Ctx,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    let Some(user) = c.user.as_ref().map(|u| u.id) else {
        return refuse(
            c,
            &ApiError::new(ErrorCode::Unauthenticated, "sign in"),
            "/evaluate",
        );
    };
    match uc::mine(&state.db, user).await {
        Ok(items) => {
            let page = EvaluatePage {
                c: &c,
                items,
                errors,
                form,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn page(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(
        &state,
        c,
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn act(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let posted = match Posted::signed_in(&req, &state, &body, "/evaluate").await {
        Ok(p) => p,
        Err(to_sign_in) => return to_sign_in,
    };
    let done = match posted.csrf(&state) {
        Ok(()) => perform(&state, &posted.c, &posted.form).await,
        Err(e) => Err(e),
    };
    let Posted { mut c, form } = posted;
    match done {
        Ok(proposal) => {
            c.flash("organize-saved");
            c.redirect(&format!("/evaluate#proposal-{proposal}"))
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show(&state, c, errors, form, status).await
        }
    }
}

async fn perform(state: &State, c: &Ctx, form: &FormData) -> ApiResult<i64> {
    let user = signed_in(c.actor())?.id;
    let proposal: i64 = form
        .get("proposal")
        .parse()
        .map_err(|_| ApiError::not_found("proposal"))?;
    match form.get("action") {
        "evaluate" => {
            // Every `c{criterion id}` field chosen is a score.
            let mut scores = BTreeMap::new();
            for (name, value) in form.pairs() {
                let Some(id) = name.strip_prefix('c').and_then(|i| i.parse::<i64>().ok()) else {
                    continue;
                };
                let score = value
                    .parse()
                    .map_err(|_| ApiError::field("scores", "choose a score for every criterion"))?;
                scores.insert(id, score);
            }
            let evaluation = Evaluation::try_from(crate::events::evaluation::EvaluationInput {
                scores: crate::events::evaluation::ScoresInput::List(
                    scores
                        .into_iter()
                        .map(
                            |(criterion_id, score)| crate::events::evaluation::ScoreInput {
                                criterion_id,
                                score,
                            },
                        )
                        .collect(),
                ),
                comment: form.get("comment").to_owned(),
            })?;
            uc::evaluate(&state.db, user, proposal, evaluation).await?;
        }
        "recuse" => {
            uc::recuse(&state.db, user, proposal, form.get("reason").to_owned()).await?;
        }
        _ => return Err(ApiError::field("action", "unknown action")),
    }
    Ok(proposal)
}
