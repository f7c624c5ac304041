//! Speakers confirm that they will speak. Each speaker a proposer names with an e-mail is
//! sent a one-time link (its hash is stored, never the link); whoever holds it answers
//! "I will speak" or "I will not", and may change the answer with the same link. Reviewers
//! and the proposer see the answers beside the speakers; the public never does.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use super::proposals::ProposalRow;
use super::types::{ProposalStatus, Speaker, SpeakerAnswer};
use crate::accounts::types::Email;
use crate::db::schema::{events, speaker_confirmations, users};
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::mail::templates::{self, SpeakerRequest};
use crate::mail::{self, OutgoingMail};

/// The answers of a proposal's speakers, by their address in lower case.
pub type Answers = HashMap<String, SpeakerAnswer>;

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The answer of the speaker with this address, if they were asked.
pub fn answer_of(answers: &Answers, email: Option<&str>) -> Option<SpeakerAnswer> {
    email.and_then(|e| answers.get(&key(e)).copied())
}

pub fn answers_of(conn: &mut DbConn, proposal_ids: &[i64]) -> ApiResult<HashMap<i64, Answers>> {
    let rows: Vec<(i64, String, String)> = speaker_confirmations::table
        .filter(speaker_confirmations::proposal_id.eq_any(proposal_ids))
        .select((
            speaker_confirmations::proposal_id,
            speaker_confirmations::email,
            speaker_confirmations::answer,
        ))
        .load(conn)?;
    let mut by: HashMap<i64, Answers> = HashMap::new();
    for (proposal, email, answer) in rows {
        let answer = SpeakerAnswer::parse(&answer).unwrap_or(SpeakerAnswer::Asked);
        by.entry(proposal).or_default().insert(email, answer);
    }
    Ok(by)
}

/// The addresses of these speakers that can be asked, in lower case.
pub fn addresses(speakers: &[Speaker]) -> BTreeSet<String> {
    speakers
        .iter()
        .filter_map(|s| s.email.as_deref())
        .filter(|e| Email::parse(e).is_ok())
        .map(key)
        .collect()
}

/// The addresses a proposal has asked already.
pub fn asked(conn: &mut DbConn, proposal_id: i64) -> ApiResult<BTreeSet<String>> {
    Ok(speaker_confirmations::table
        .filter(speaker_confirmations::proposal_id.eq(proposal_id))
        .select(speaker_confirmations::email)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// One proposal's answers.
pub fn answers_for(conn: &mut DbConn, proposal_id: i64) -> ApiResult<Answers> {
    Ok(answers_of(conn, &[proposal_id])?
        .remove(&proposal_id)
        .unwrap_or_default())
}

/// Asks every speaker of the proposal whose address was not asked yet, by mail queued in
/// the caller's transaction, and forgets those the proposal no longer names. Answers how
/// many were asked (the caller wakes the mail worker).
pub fn ask(conn: &mut DbConn, p: &ProposalRow, public_url: &str) -> ApiResult<usize> {
    let named = addresses(&p.speakers());
    let asked = asked(conn, p.id)?;
    let dropped: Vec<&String> = asked.difference(&named).collect();
    diesel::delete(
        speaker_confirmations::table
            .filter(speaker_confirmations::proposal_id.eq(p.id))
            .filter(speaker_confirmations::email.eq_any(dropped)),
    )
    .execute(conn)?;
    let new: Vec<&String> = named.difference(&asked).collect();
    if new.is_empty() {
        return Ok(0);
    }
    let event: String = events::table
        .find(p.event_id)
        .select(events::name)
        .first(conn)?;
    let (proposer, language): (String, String) = users::table
        .find(p.proposer_id)
        .select((users::display_name, users::preferred_language))
        .first(conn)?;
    // The speaker's language is not known: the proposer's, who usually shares it.
    let lang = templates::ui_language(&language);
    let request = SpeakerRequest {
        proposer: &proposer,
        title: &p.title,
        event: &event,
    };
    for email in &new {
        let token = crate::crypto::random_token(32);
        diesel::insert_into(speaker_confirmations::table)
            .values((
                speaker_confirmations::proposal_id.eq(p.id),
                speaker_confirmations::email.eq(email.as_str()),
                speaker_confirmations::token_hash.eq(crate::crypto::token_hash(&token)),
                speaker_confirmations::answer.eq(SpeakerAnswer::Asked.as_str()),
                speaker_confirmations::asked_at.eq(now()),
            ))
            .execute(conn)?;
        let link = format!("{public_url}/speaker-confirmation?token={token}");
        // Mail to an account's address is that account's (its export and erasure).
        let account = crate::accounts::store::find_by_email(conn, email)?.map(|u| u.id);
        mail::enqueue(
            conn,
            OutgoingMail {
                user_id: account,
                recipient: email,
                kind: "speaker_request",
                language: lang,
                rendered: templates::speaker_request(lang, &request, &link),
                unsubscribe_url: None,
            },
        )?;
    }
    Ok(new.len())
}

/// What a confirmation link is about, for the one who holds it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConfirmationView {
    pub proposal_id: i64,
    pub proposal_title: String,
    pub event_name: String,
    /// The name the proposer gave the speaker with this address.
    pub speaker_name: String,
    pub answer: SpeakerAnswer,
    /// Whether the answer can still change: not once the proposal is rejected or merged.
    pub open: bool,
}

struct Found {
    id: i64,
    /// The address asked, lower case.
    email: String,
    view: ConfirmationView,
}

fn find(conn: &mut DbConn, token: &str) -> ApiResult<Found> {
    let invalid = || ApiError::new(ErrorCode::InvalidToken, "this confirmation link is unknown");
    if token.is_empty() || token.len() > 200 {
        return Err(invalid());
    }
    let row: Option<(i64, i64, String, String)> = speaker_confirmations::table
        .filter(speaker_confirmations::token_hash.eq(crate::crypto::token_hash(token)))
        .select((
            speaker_confirmations::id,
            speaker_confirmations::proposal_id,
            speaker_confirmations::email,
            speaker_confirmations::answer,
        ))
        .first(conn)
        .optional()?;
    let (id, proposal_id, email, answer) = row.ok_or_else(invalid)?;
    let p = super::proposals::get(conn, proposal_id)?;
    let event_name: String = events::table
        .find(p.event_id)
        .select(events::name)
        .first(conn)?;
    let speaker_name = p
        .speakers()
        .into_iter()
        .find(|s| s.email.as_deref().map(key).as_deref() == Some(email.as_str()))
        .map(|s| s.name)
        .unwrap_or_default();
    Ok(Found {
        id,
        email,
        view: ConfirmationView {
            proposal_id,
            proposal_title: p.title,
            event_name,
            speaker_name,
            answer: SpeakerAnswer::parse(&answer).unwrap_or(SpeakerAnswer::Asked),
            open: matches!(
                p.status,
                ProposalStatus::Submitted | ProposalStatus::Accepted
            ),
        },
    })
}

/// What the link is about (the page shows it before anything changes).
pub fn read(conn: &mut DbConn, token: &str) -> ApiResult<ConfirmationView> {
    Ok(find(conn, token)?.view)
}

/// Which speaker a link is for: the proposal, and the speaker's place in its list
/// (from 0, as the API lists them).
pub struct SpeakerAt {
    pub proposal_id: i64,
    pub n: usize,
}

/// Records the speaker's answer; the same answer twice changes nothing. When the caller
/// names the speaker, the link must be theirs (otherwise `invalid_token`).
pub fn answer(
    conn: &mut DbConn,
    token: &str,
    at: Option<SpeakerAt>,
    answer: SpeakerAnswer,
) -> ApiResult<ConfirmationView> {
    if answer == SpeakerAnswer::Asked {
        return Err(ApiError::field("answer", "must be confirmed or declined"));
    }
    let Found {
        id,
        email,
        mut view,
    } = find(conn, token)?;
    if let Some(at) = at {
        let p = super::proposals::get(conn, view.proposal_id)?;
        let theirs = view.proposal_id == at.proposal_id
            && p.speakers()
                .get(at.n)
                .and_then(|s| s.email.as_deref())
                .map(key)
                == Some(email);
        if !theirs {
            return Err(ApiError::new(
                ErrorCode::InvalidToken,
                "this confirmation link is not for this speaker",
            ));
        }
    }
    if !view.open {
        return Err(ApiError::new(
            ErrorCode::AlreadyDecided,
            "the organisers have decided on this proposal: the answer can no longer change",
        ));
    }
    if view.answer != answer {
        diesel::update(speaker_confirmations::table.find(id))
            .set((
                speaker_confirmations::answer.eq(answer.as_str()),
                speaker_confirmations::answered_at.eq(Some(now())),
            ))
            .execute(conn)?;
        view.answer = answer;
    }
    Ok(view)
}

/// Erasure: the person's address is asked about nothing any more.
pub fn erase(conn: &mut DbConn, email: &str) -> ApiResult<()> {
    diesel::delete(
        speaker_confirmations::table.filter(speaker_confirmations::email.eq(key(email))),
    )
    .execute(conn)?;
    Ok(())
}
