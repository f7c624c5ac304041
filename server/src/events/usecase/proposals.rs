//! Proposals: made during the call, reviewed and ranked by organisers, decided.

use crate::db::{now, Db, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::command::{Decision, NewReview};
use crate::events::confirmations::{self, ConfirmationView};
use crate::events::proposals::ProposalRow;
use crate::events::proposals::{self, NewProposal};
use crate::events::store::{self, EventRow};
use crate::events::types::{ProposalStatus, SpeakerAnswer};
use crate::events::view::{Dossier, ProposalView, ReviewCreated, Reviews};
use crate::http::respond::List;
use crate::policy::guards::events::{EventOrganizer, ProposalOrganizer, ProposalReader};
use crate::policy::guards::Verified;
use crate::policy::SpeakerAudience;
use crate::ratelimit::limits::SPEAKER_REQUESTS_PER_DAY;
use crate::state::AppState;

/// Proposes a session to the event `event` (id or slug) while its call is open; the
/// event's rules are checked and every broken one reported.
pub async fn propose(
    state: &AppState,
    by: &Verified,
    event: String,
    new: NewProposal,
) -> ApiResult<ProposalView> {
    let proposer = by.id();
    let asking = confirmations::addresses(&new.speakers).len();
    limit_requests(state, proposer, asking)?;
    let public_url = state.config.public_url.clone();
    let view = state
        .db
        .tx(move |tx| {
            let event = store::resolve(tx, &event)?;
            if !event.call_open(now()) {
                return Err(ApiError::new(
                    ErrorCode::CallClosed,
                    "the call for session proposals is not open",
                ));
            }
            check(tx, &event, proposer, &new, None)?;
            let id = proposals::insert(tx, event.id, proposer, &new)?;
            let p = proposals::get(tx, id)?;
            confirmations::ask(tx, &p, &public_url)?;
            // The proposer reads back what they gave.
            proposer_view(tx, &p)
        })
        .await?;
    state.mail_wakeup.notify_one();
    Ok(view)
}

/// Counts the requests to confirm a proposal would send against the proposer's daily
/// allowance (each is a mail to an address they typed); 429 past it, before anything
/// is written.
fn limit_requests(state: &AppState, proposer: i64, asking: usize) -> ApiResult<()> {
    let key = format!("speaker-requests:{proposer}");
    for _ in 0..asking {
        state.limiter.hit(&key, SPEAKER_REQUESTS_PER_DAY)?;
    }
    Ok(())
}

/// A proposal as its proposer reads it back: what they gave and the speakers' answers.
fn proposer_view(conn: &mut DbConn, p: &ProposalRow) -> ApiResult<ProposalView> {
    let answers = confirmations::answers_for(conn, p.id)?;
    Ok(ProposalView::of(
        p,
        SpeakerAudience::Proposer,
        None,
        &answers,
    ))
}

/// The call is open, the sub-theme is the event's and no rule is broken (each one
/// named); `editing` is the proposal being replaced.
fn check(
    tx: &mut crate::db::DbConn,
    event: &EventRow,
    proposer: i64,
    new: &NewProposal,
    editing: Option<i64>,
) -> ApiResult<()> {
    if !event.call_open(now()) {
        return Err(ApiError::new(
            ErrorCode::CallClosed,
            "the call for session proposals is not open",
        ));
    }
    let themes = event.subthemes();
    if !themes.is_empty() && !themes.contains(&new.subtheme) {
        return Err(ApiError::field(
            "subtheme",
            format!("must be one of: {}", themes.join("; ")),
        ));
    }
    let broken = proposals::broken_rules(tx, event, &event.rules(), proposer, new, editing)?;
    if !broken.is_empty() {
        let mut e = ApiError::validation(broken);
        e.message = "the proposal breaks the event's rules".into();
        return Err(e);
    }
    Ok(())
}

/// Its proposer replaces a proposal while the call is open and nothing is decided.
pub async fn edit(
    state: &AppState,
    reader: &ProposalReader,
    new: NewProposal,
) -> ApiResult<ProposalView> {
    let (id, user) = (reader.proposal.id, reader.user().id);
    if reader.proposal.proposer_id != user {
        return Err(ApiError::forbidden("only its proposer edits a proposal"));
    }
    let asked = state
        .db
        .run(move |conn| confirmations::asked(conn, id))
        .await?;
    let asking = confirmations::addresses(&new.speakers)
        .difference(&asked)
        .count();
    limit_requests(state, user, asking)?;
    let public_url = state.config.public_url.clone();
    let view = state
        .db
        .tx(move |tx| {
            // Read again in the transaction: a decision may have landed meanwhile.
            let p = proposals::get(tx, id)?;
            if p.status != crate::events::types::ProposalStatus::Submitted {
                return Err(ApiError::new(
                    ErrorCode::AlreadyDecided,
                    "a decision on this proposal has been taken: it can no longer be edited",
                ));
            }
            let event = store::resolve(tx, &p.event_id.to_string())?;
            check(tx, &event, user, &new, Some(id))?;
            proposals::update(tx, id, &new)?;
            let p = proposals::get(tx, id)?;
            // Speakers already asked keep their answer; new ones are asked.
            confirmations::ask(tx, &p, &public_url)?;
            proposer_view(tx, &p)
        })
        .await?;
    state.mail_wakeup.notify_one();
    Ok(view)
}

/// The caller's proposals to every event, newest first, with the decisions and notes.
pub async fn mine(db: &Db, user_id: i64) -> ApiResult<Vec<ProposalView>> {
    db.run(move |conn| {
        let rows = proposals::of_proposer(conn, user_id)?;
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let mut answers = confirmations::answers_of(conn, &ids)?;
        Ok(rows
            .iter()
            .map(|p| {
                let a = answers.remove(&p.id).unwrap_or_default();
                ProposalView::of(p, SpeakerAudience::Proposer, None, &a)
            })
            .collect())
    })
    .await
}

/// Every proposal of the event with its reviews, best mean score first (unreviewed last).
pub async fn ranking(db: &Db, org: &EventOrganizer) -> ApiResult<List<ProposalView>> {
    let event_id = org.event.id;
    db.run(move |conn| {
        let rows = proposals::of_event(conn, event_id)?;
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let mut reviews = proposals::reviews_by_proposal(conn, &ids)?;
        let mut answers = confirmations::answers_of(conn, &ids)?;
        let mut items: Vec<ProposalView> = rows
            .iter()
            .map(|p| {
                let r = Reviews::of(reviews.remove(&p.id).unwrap_or_default());
                let a = answers.remove(&p.id).unwrap_or_default();
                ProposalView::of(p, SpeakerAudience::Organizer, Some(r), &a)
            })
            .collect();
        let score = |v: &ProposalView| {
            v.reviews
                .as_ref()
                .and_then(|r| r.mean_score)
                .unwrap_or(-1.0)
        };
        items.sort_by(|a, b| score(b).total_cmp(&score(a)));
        Ok(List::all(items))
    })
    .await
}

/// A proposal: with its reviews for organisers, as given for its proposer.
pub async fn get(db: &Db, reader: &ProposalReader) -> ApiResult<ProposalView> {
    let (id, sees_reviews) = (reader.proposal.id, reader.sees_reviews());
    let (reviews, answers) = db
        .run(move |conn| {
            let reviews = match sees_reviews {
                true => Some(Reviews::of(proposals::reviews_of(conn, id)?)),
                false => None,
            };
            let answers = confirmations::answers_for(conn, id)?;
            Ok((reviews, answers))
        })
        .await?;
    Ok(ProposalView::of(
        &reader.proposal,
        reader.speakers(),
        reviews,
        &answers,
    ))
}

/// One review per organiser, never of their own proposal.
pub async fn review(db: &Db, org: &ProposalOrganizer, r: NewReview) -> ApiResult<ReviewCreated> {
    let (proposal_id, reviewer) = (org.proposal.id, org.id());
    db.tx(move |tx| {
        let p = proposals::get(tx, proposal_id)?;
        let id = proposals::review(tx, &p, reviewer, r.score, &r.comment)?;
        Ok(ReviewCreated {
            id,
            proposal_id,
            score: r.score,
            comment: r.comment,
        })
    })
    .await
}

/// Accepts (the proposal becomes a session, whose id the answer carries), rejects or
/// merges, once.
pub async fn decide(db: &Db, org: &ProposalOrganizer, d: Decision) -> ApiResult<ProposalView> {
    let proposal_id = org.proposal.id;
    db.tx(move |tx| {
        // Read again in the transaction, so that two decisions cannot both be taken.
        let p = proposals::get(tx, proposal_id)?;
        proposals::decide(tx, &p, d.verdict.into(), &d.note, d.merge)?;
        let answers = confirmations::answers_for(tx, proposal_id)?;
        Ok(ProposalView::of(
            &proposals::get(tx, proposal_id)?,
            SpeakerAudience::Organizer,
            None,
            &answers,
        ))
    })
    .await
}

/// A speaker, holding the link mailed to them, reads what it is about.
pub async fn confirmation(db: &Db, token: String) -> ApiResult<ConfirmationView> {
    db.run(move |conn| confirmations::read(conn, &token)).await
}

/// A speaker, holding the link mailed to them, says whether they will speak.
pub async fn answer_confirmation(
    db: &Db,
    token: String,
    at: Option<confirmations::SpeakerAt>,
    answer: SpeakerAnswer,
) -> ApiResult<ConfirmationView> {
    db.tx(move |tx| confirmations::answer(tx, &token, at, answer))
        .await
}

/// A proposal for its organisers' page: everything the API's `get` gives them, with the
/// event and the proposer named.
pub async fn dossier(db: &Db, org: &ProposalOrganizer) -> ApiResult<Dossier> {
    let (p, me) = (org.proposal.clone(), org.id());
    db.run(move |conn| {
        use crate::db::schema::{events, users};
        use diesel::prelude::*;
        let reviews = proposals::reviews_of(conn, p.id)?;
        let reviewed = reviews.iter().any(|r| r.reviewer_id == me);
        let answers = confirmations::answers_for(conn, p.id)?;
        let (event_name, event_slug): (String, String) = events::table
            .find(p.event_id)
            .select((events::name, events::slug))
            .first(conn)?;
        let proposer_name: String = users::table
            .find(p.proposer_id)
            .select(users::display_name)
            .first(conn)?;
        let others = proposals::of_event(conn, p.event_id)?
            .into_iter()
            .filter(|o| o.id != p.id)
            .filter(|o| {
                matches!(
                    o.status,
                    ProposalStatus::Submitted | ProposalStatus::Accepted
                )
            })
            .map(|o| (o.id, o.title))
            .collect();
        Ok(Dossier {
            proposal: ProposalView::of(
                &p,
                SpeakerAudience::Organizer,
                Some(Reviews::of(reviews)),
                &answers,
            ),
            event_name,
            event_slug,
            proposer_name,
            reviewed,
            others,
        })
    })
    .await
}
