//! Guards of the events feature: who may read or act on an event, a proposal or a
//! session named by the route's `{id}`. Each looks the resource up once, refuses with
//! 401 (no token), 403 (no right) or 404 (unknown, or unpublished to this caller), and
//! carries what it found to the use case. Every role question goes to
//! [`EventAccess`]; the pages get the same proofs from the same `check` functions.

use actix_web::{FromRequest, HttpRequest};

use super::{request_parts, signed_in, Boxed};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::events::proposals::{self, ProposalRow};
use crate::events::roles::{self, SessionRole};
use crate::events::schedule::{self, SessionRow};
use crate::events::store::{self, EventRow};
use crate::http::doc::Guard;
use crate::policy::{Actor, AuthUser, EventAccess, SpeakerAudience};

/// A session id from the route: digits, else no such session.
fn session_id(key: &str) -> ApiResult<i64> {
    key.parse().map_err(|_| ApiError::not_found("session"))
}

fn proposal_id(key: &str) -> ApiResult<i64> {
    key.parse().map_err(|_| ApiError::not_found("proposal"))
}

/// Anyone may read the event `{id}` (id or slug) once it is published; before that only
/// its organisers know it exists (404 for everyone else).
pub struct EventReader {
    pub event: EventRow,
    access: EventAccess,
}

impl EventReader {
    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<EventReader> {
        db.run(move |conn| {
            let event = store::visible_to(conn, &key, &actor)?;
            Ok(EventReader {
                event,
                access: EventAccess::of(&actor),
            })
        })
        .await
    }

    /// How this caller sees the event's speakers.
    pub fn speakers(&self) -> SpeakerAudience {
        self.access.speakers()
    }

    /// Whether the caller organises the event (and sees its drafts).
    pub fn may_organize(&self) -> bool {
        self.access.may_organize()
    }
}

impl Guard for EventReader {
    const WHO: &'static str = "anyone (an unpublished event: organizer)";
    const ERRORS: &'static [u16] = &[401, 404];
    const SIGNED_IN: bool = false;
}

resource_guard!(EventReader);

/// An organiser acting on the event `{id}` (id or slug): edit, rooms, proposals,
/// sessions, agenda import.
pub struct EventOrganizer {
    user: AuthUser,
    pub event: EventRow,
}

impl EventOrganizer {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<EventOrganizer> {
        let user = organizer(actor)?;
        let event = db.run(move |conn| store::resolve(conn, &key)).await?;
        Ok(EventOrganizer { user, event })
    }
}

impl Guard for EventOrganizer {
    const WHO: &'static str = "organizer";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(EventOrganizer);

/// The signed-in user, if the policy lets them organise events.
fn organizer(actor: Actor) -> ApiResult<AuthUser> {
    let may = EventAccess::of(&actor).may_organize();
    let user = signed_in(actor)?;
    if !may {
        return Err(ApiError::forbidden("this needs the organizer role"));
    }
    Ok(user)
}

/// Anyone may read the session `{id}` of a published event; sessions of unpublished
/// events exist only for their organisers (404 for everyone else).
pub struct SessionReader {
    pub session: SessionRow,
    pub event: EventRow,
    access: EventAccess,
}

impl SessionReader {
    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<SessionReader> {
        let id = session_id(&key)?;
        db.run(move |conn| {
            let (session, event) = schedule::visible_to(conn, id, &actor)?;
            Ok(SessionReader {
                session,
                event,
                access: EventAccess::of(&actor),
            })
        })
        .await
    }

    /// How this caller sees the session's speakers.
    pub fn speakers(&self) -> SpeakerAudience {
        self.access.speakers()
    }
}

impl Guard for SessionReader {
    const WHO: &'static str = "anyone (a session of an unpublished event: organizer)";
    const ERRORS: &'static [u16] = &[401, 404];
    const SIGNED_IN: bool = false;
}

resource_guard!(SessionReader);

/// An organiser acting on the session `{id}`: its slot and its segments.
pub struct SessionOrganizer {
    user: AuthUser,
    pub session: SessionRow,
    pub event: EventRow,
}

impl SessionOrganizer {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<SessionOrganizer> {
        let user = organizer(actor)?;
        let id = session_id(&key)?;
        let (session, event) = db
            .run(move |conn| {
                let session = schedule::get(conn, id)?;
                let event = store::resolve(conn, &session.event_id.to_string())?;
                Ok((session, event))
            })
            .await?;
        Ok(SessionOrganizer {
            user,
            session,
            event,
        })
    }
}

impl Guard for SessionOrganizer {
    const WHO: &'static str = "organizer";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(SessionOrganizer);

/// Who reads the proposal `{id}`: the event's organisers, and whoever proposed it. To
/// anyone else it does not exist (404).
pub struct ProposalReader {
    user: AuthUser,
    pub proposal: ProposalRow,
    access: EventAccess,
}

impl ProposalReader {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<ProposalReader> {
        let access = EventAccess::of(&actor);
        let user = signed_in(actor)?;
        let id = proposal_id(&key)?;
        let proposal = db.run(move |conn| proposals::get(conn, id)).await?;
        if !access.may_read_proposal(proposal.proposer_id) {
            return Err(ApiError::not_found("proposal"));
        }
        Ok(ProposalReader {
            user,
            proposal,
            access,
        })
    }

    /// Whether the reader sees the reviews (organisers do; a proposer does not).
    pub fn sees_reviews(&self) -> bool {
        self.access.may_organize()
    }

    /// The proposer reads back what they gave; organisers see speakers as organisers.
    pub fn speakers(&self) -> SpeakerAudience {
        if self.proposal.proposer_id == self.user.id {
            SpeakerAudience::Proposer
        } else {
            self.access.speakers()
        }
    }
}

impl Guard for ProposalReader {
    const WHO: &'static str = "organizer, the proposer";
    const ERRORS: &'static [u16] = &[401, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(ProposalReader);

/// An organiser acting on the proposal `{id}`: reviews and the decision.
pub struct ProposalOrganizer {
    user: AuthUser,
    pub proposal: ProposalRow,
}

impl ProposalOrganizer {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<ProposalOrganizer> {
        let user = organizer(actor)?;
        let id = proposal_id(&key)?;
        let proposal = db.run(move |conn| proposals::get(conn, id)).await?;
        Ok(ProposalOrganizer { user, proposal })
    }
}

impl Guard for ProposalOrganizer {
    const WHO: &'static str = "organizer";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(ProposalOrganizer);

/// Who files the report of the session `{id}`: its organisers, and the session's
/// proposer (the rapporteur is a name, not an account, so the proposer files for them).
pub struct ReportWriter {
    user: AuthUser,
    pub session: SessionRow,
}

impl ReportWriter {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<ReportWriter> {
        let access = EventAccess::of(&actor);
        let user = signed_in(actor)?;
        let id = session_id(&key)?;
        let user_id = user.id;
        let (session, proposer, rapporteur) = db
            .run(move |conn| {
                let session = schedule::get(conn, id)?;
                let proposer = match session.proposal_id {
                    Some(p) => Some(proposals::get(conn, p)?.proposer_id),
                    None => None,
                };
                let rapporteur = roles::holds(conn, id, user_id, SessionRole::Rapporteur)?;
                Ok((session, proposer, rapporteur))
            })
            .await?;
        if !access.may_file_report(proposer, rapporteur) {
            return Err(ApiError::forbidden(
                "reports are filed by organisers, the session's rapporteurs and its proposer",
            ));
        }
        Ok(ReportWriter { user, session })
    }
}

impl Guard for ReportWriter {
    const WHO: &'static str = "organizer, the session's rapporteur or proposer";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(ReportWriter);

/// Who gives the floor in the session `{id}`: organisers, moderators, and the session's
/// own moderators.
pub struct FloorRunner {
    user: AuthUser,
    pub session: SessionRow,
}

impl FloorRunner {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<FloorRunner> {
        let access = EventAccess::of(&actor);
        let user = signed_in(actor)?;
        let id = session_id(&key)?;
        let user_id = user.id;
        let (session, named) = db
            .run(move |conn| {
                let session = schedule::get(conn, id)?;
                let named = roles::holds(conn, id, user_id, SessionRole::Moderator)?;
                Ok((session, named))
            })
            .await?;
        if !access.may_run_floor(named) {
            return Err(ApiError::forbidden(
                "organisers and the session's moderators give the floor",
            ));
        }
        Ok(FloorRunner { user, session })
    }
}

impl Guard for FloorRunner {
    const WHO: &'static str = "organizer, moderator, the session's moderator";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(FloorRunner);
