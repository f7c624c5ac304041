//! Proposals: made during the call, reviewed and ranked by organisers, decided.

use crate::db::{now, Db};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::command::{Decision, NewReview};
use crate::events::proposals::{self, NewProposal};
use crate::events::store;
use crate::events::view::{ProposalView, ReviewCreated, Reviews};
use crate::http::respond::List;
use crate::policy::guards::events::{EventOrganizer, ProposalOrganizer, ProposalReader};
use crate::policy::guards::Verified;
use crate::policy::SpeakerAudience;

/// Proposes a session to the event `event` (id or slug) while its call is open; the
/// event's rules are checked and every broken one reported.
pub async fn propose(
    db: &Db,
    by: &Verified,
    event: String,
    new: NewProposal,
) -> ApiResult<ProposalView> {
    let proposer = by.id();
    db.tx(move |tx| {
        let event = store::resolve(tx, &event)?;
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
        let broken = proposals::broken_rules(tx, &event, &event.rules(), proposer, &new)?;
        if !broken.is_empty() {
            let mut e = ApiError::validation(broken);
            e.message = "the proposal breaks the event's rules".into();
            return Err(e);
        }
        let id = proposals::insert(tx, event.id, proposer, &new)?;
        // The proposer reads back what they gave.
        Ok(ProposalView::of(
            &proposals::get(tx, id)?,
            SpeakerAudience::Proposer,
            None,
        ))
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
        let mut items: Vec<ProposalView> = rows
            .iter()
            .map(|p| {
                let r = Reviews::of(reviews.remove(&p.id).unwrap_or_default());
                ProposalView::of(p, SpeakerAudience::Organizer, Some(r))
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
    let p = &reader.proposal;
    let reviews = if reader.sees_reviews() {
        let id = p.id;
        let reviews = db.run(move |conn| proposals::reviews_of(conn, id)).await?;
        Some(Reviews::of(reviews))
    } else {
        None
    };
    Ok(ProposalView::of(p, reader.speakers(), reviews))
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
        proposals::decide(tx, &p, d.verdict.into(), &d.note)?;
        Ok(ProposalView::of(
            &proposals::get(tx, proposal_id)?,
            SpeakerAudience::Organizer,
            None,
        ))
    })
    .await
}
