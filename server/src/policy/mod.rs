//! The one access policy. Every question "may this caller see or do this?" is answered
//! here and nowhere else: the guards of the route table ([`guards`]), the audiences the
//! views are rendered for ([`Reader`], [`Lens`], [`SpeakerAudience`]), live listeners,
//! search, exports, notifications and the pages all ask these types.
//!
//! The rules, from `shared/contract.md` ("Who sees what"):
//! - an anonymous contribution shows its stakeholder group and region to everyone, its
//!   author only to the author and to moderators; every moderator look is audited;
//! - a hidden contribution's text reaches only moderators, and its author (marked hidden);
//! - speakers are public by name, organisation, group and country; their e-mail reaches
//!   only the event's organisers; gender only as aggregates to organisers;
//! - drafts are seen by organisers and the consultation's co-facilitators;
//! - a privilege ends on every open connection within a minute of its withdrawal.

pub mod audit;
pub mod guards;

use diesel::prelude::*;

use crate::accounts::types::{Role, StakeholderGroup};
use crate::consultations::phases::Phase;
use crate::consultations::store::ConsultationRow;
use crate::consultations::types::{CommentKind, Participation, Status, Visibility};
use crate::db::schema::{consultation_cofacilitators, user_roles, users};
use crate::db::DbConn;
use crate::delegations::{
    self,
    types::{Represented, SpeaksFor},
};
use crate::error::{ApiError, ApiResult, ErrorCode};

pub use crate::accounts::auth::AuthUser;

/// Who is asking: nobody in particular, or a signed-in user (roles as their token says).
#[derive(Debug, Clone, Default)]
pub enum Actor {
    #[default]
    Anonymous,
    User(AuthUser),
}

impl Actor {
    pub fn from_user(user: Option<AuthUser>) -> Actor {
        user.map_or(Actor::Anonymous, Actor::User)
    }

    pub fn user(&self) -> Option<&AuthUser> {
        match self {
            Actor::Anonymous => None,
            Actor::User(u) => Some(u),
        }
    }

    pub fn id(&self) -> Option<i64> {
        self.user().map(|u| u.id)
    }

    fn has(&self, role: Role) -> bool {
        self.user().is_some_and(|u| has_role(&u.roles, role))
    }

    pub fn is_moderator(&self) -> bool {
        self.has(Role::Moderator)
    }

    pub fn is_organizer(&self) -> bool {
        self.has(Role::Organizer)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }
}

/// Admins hold every role.
pub fn has_role(roles: &[Role], role: Role) -> bool {
    roles.contains(&role) || roles.contains(&Role::Admin)
}

/// A user's roles as stored now (a token's may be up to its lifetime old).
pub fn current_roles(conn: &mut DbConn, user_id: i64) -> ApiResult<Option<Vec<Role>>> {
    let active: Option<i64> = users::table
        .filter(users::id.eq(user_id))
        .filter(users::erased_at.is_null())
        .select(users::id)
        .first(conn)
        .optional()?;
    if active.is_none() {
        return Ok(None);
    }
    let stored: Vec<String> = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(user_roles::role)
        .load(conn)?;
    let mut roles: Vec<Role> = stored.iter().filter_map(|r| Role::parse(r)).collect();
    roles.push(Role::Participant);
    Ok(Some(roles))
}

/// Whether `user_id` holds the moderator role now (a live socket's privilege is read
/// again while it stays open).
pub fn is_moderator_now(conn: &mut DbConn, user_id: i64) -> ApiResult<bool> {
    Ok(current_roles(conn, user_id)?.is_some_and(|roles| has_role(&roles, Role::Moderator)))
}

pub fn is_cofacilitator(conn: &mut DbConn, consultation_id: i64, user_id: i64) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        consultation_cofacilitators::table
            .filter(consultation_cofacilitators::consultation_id.eq(consultation_id))
            .filter(consultation_cofacilitators::user_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// What the caller is to one consultation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsultationAccess {
    pub user_id: Option<i64>,
    moderator: bool,
    /// The organiser role runs every consultation.
    organizer: bool,
    /// A co-facilitator of this consultation.
    cofacilitator: bool,
}

impl ConsultationAccess {
    /// The access of `actor`, who co-facilitates the consultation or not (read with it:
    /// `consultations::store::resolve_for`).
    pub fn with(actor: &Actor, cofacilitator: bool) -> Self {
        let Some(user) = actor.user() else {
            return Self::default();
        };
        ConsultationAccess {
            user_id: Some(user.id),
            moderator: actor.is_moderator(),
            organizer: actor.is_organizer(),
            cofacilitator,
        }
    }

    /// Drafts exist only for those who prepare them (404 for everyone else).
    pub fn may_see(&self, status: Status) -> bool {
        status != Status::Draft || self.organizer || self.cofacilitator
    }

    /// Edit, open, close, choose co-facilitators.
    pub fn may_manage(&self) -> bool {
        self.organizer
    }

    pub fn may_add_version(&self) -> bool {
        self.organizer || self.cofacilitator
    }

    /// Review status, tags, notes, assignments, balance, campaigns, the export.
    pub fn may_review(&self) -> bool {
        self.organizer || self.cofacilitator
    }

    /// Sees the way to the workbench (the pages).
    pub fn is_reviewer(&self) -> bool {
        self.may_review()
    }

    pub fn reader(&self) -> Reader {
        Reader {
            user_id: self.user_id,
            moderator: self.moderator,
            stream: false,
        }
    }

    /// Whether the caller may post inputs to this consultation and endorse them: the
    /// secretariat and the co-facilitators always; others as its participation says
    /// (403 naming who may). Its being open is checked apart (409).
    pub fn may_contribute(&self, conn: &mut DbConn, row: &ConsultationRow) -> ApiResult<()> {
        let participation = row.participation();
        let Participation::Groups {
            groups,
            verified_only,
        } = &participation
        else {
            return Ok(());
        };
        if self.may_review() {
            return Ok(());
        }
        let Some(user_id) = self.user_id else {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "sign in to take part",
            ));
        };
        let account: Option<(String, Option<chrono::NaiveDateTime>)> = users::table
            .find(user_id)
            .select((users::stakeholder_group, users::organization_verified_at))
            .first(conn)
            .optional()?;
        let admitted = account.as_ref().is_some_and(|(group, verified_at)| {
            StakeholderGroup::parse(group)
                .is_some_and(|g| participation.admits(g, verified_at.is_some()))
        });
        if admitted {
            return Ok(());
        }
        let names: Vec<&str> = groups.iter().map(|g| g.as_str()).collect();
        let verified = if *verified_only {
            ", from accounts whose organisation an admin has verified"
        } else {
            ""
        };
        Err(ApiError::forbidden(format!(
            "this consultation takes inputs from these stakeholder groups only: {}{verified}",
            names.join(", ")
        )))
    }
}

/// Whether a person may speak for a delegation (they are one of its delegates) or a
/// group (they are a delegate of its chair): the delegation or group as it will be
/// shown; 422 when there is no such delegation or group, 403 naming it otherwise.
pub fn may_speak_for(conn: &mut DbConn, user_id: i64, s: SpeaksFor) -> ApiResult<Represented> {
    if let Some(r) = delegations::store::speakers_for(conn, user_id)?
        .into_iter()
        .find(|r| r.speaks_for() == s)
    {
        return Ok(r);
    }
    let unknown = |what: &str| ApiError::field("on_behalf_of", format!("no such {what}"));
    Err(match s {
        SpeaksFor::Delegation(id) => {
            let d = delegations::store::delegation(conn, id).map_err(|_| unknown("delegation"))?;
            ApiError::forbidden(format!(
                "you are not a delegate of {}: an admin attaches delegates to their delegation",
                d.name
            ))
        }
        SpeaksFor::Group(id) => {
            let g = delegations::store::group(conn, id).map_err(|_| unknown("group"))?;
            ApiError::forbidden(format!(
                "only the delegates of the delegation that chairs {} speak for it",
                g.name
            ))
        }
    })
}

impl ConsultationAccess {
    /// In the intergovernmental negotiation, amendments are tabled by delegations (or
    /// groups) only, and stakeholders comment only if the co-facilitators kept that
    /// open; the co-facilitators and the secretariat always comment. Other phases take
    /// every input `may_contribute` lets through.
    pub fn may_table(
        &self,
        phase: Option<crate::consultations::phases::Current>,
        kind: CommentKind,
        speaks_for: Option<&Represented>,
    ) -> ApiResult<()> {
        let Some(current) = phase.filter(|c| c.phase == Phase::Negotiation) else {
            return Ok(());
        };
        match kind {
            CommentKind::Amendment if speaks_for.is_none() => Err(ApiError::forbidden(
                "in the intergovernmental negotiation, amendments are tabled by delegations: \
                 give on_behalf_of {delegation_id} of your delegation",
            )),
            CommentKind::Amendment => Ok(()),
            _ if speaks_for.is_some() || current.stakeholders_comment || self.may_review() => {
                Ok(())
            }
            _ => Err(ApiError::forbidden(
                "in this negotiation only delegations comment: the co-facilitators closed \
                 stakeholders' comments",
            )),
        }
    }
}

/// Who reads contributions (comments, amendments, a session's comments and questions):
/// everything about them that differs by reader follows from these two facts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reader {
    pub user_id: Option<i64>,
    pub moderator: bool,
    /// A live stream's shared audience rather than one person looking.
    stream: bool,
}

impl Reader {
    /// The public: no account, or nothing that matters here.
    pub const PUBLIC: Reader = Reader {
        user_id: None,
        moderator: false,
        stream: false,
    };

    /// Moderators as a live stream serves them: hidden content and flags, but anonymous
    /// authors stay anonymous (a stream is not a look at one contribution).
    pub const MODERATORS: Reader = Reader {
        user_id: None,
        moderator: true,
        stream: true,
    };

    /// One person who is not a moderator (the author reading their own, say).
    pub fn person(user_id: i64) -> Reader {
        Reader {
            user_id: Some(user_id),
            moderator: false,
            stream: false,
        }
    }

    pub fn of(actor: &Actor) -> Reader {
        Reader {
            user_id: actor.id(),
            moderator: actor.is_moderator(),
            stream: false,
        }
    }

    /// How this reader sees a contribution by `author_id` in `status`; `None` when it
    /// does not see it at all.
    pub fn lens(&self, author_id: i64, status: Visibility) -> Option<Lens> {
        let own = self.user_id == Some(author_id);
        match status {
            Visibility::Withdrawn => None,
            _ if self.moderator && !own && self.stream => Some(Lens::ModeratorStream),
            _ if self.moderator && !own => Some(Lens::Moderator),
            _ if own => Some(Lens::Author),
            Visibility::Visible => Some(Lens::Public),
            Visibility::Hidden => None,
        }
    }

    /// Whether hidden contributions are listed for this reader at all.
    pub fn sees_hidden(&self) -> bool {
        self.moderator
    }
}

/// The form in which one reader sees one contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lens {
    Public,
    /// The contribution's own author.
    Author,
    /// A moderator (who is not the author).
    Moderator,
    /// The moderators' live stream: hidden content and flags, never an anonymous
    /// author (a frame shared by many is not one person's audited look).
    ModeratorStream,
}

impl Lens {
    /// Names the author of an anonymous contribution (audited for moderators).
    pub fn names_anonymous_author(self) -> bool {
        matches!(self, Lens::Author | Lens::Moderator)
    }

    /// Earlier texts of an edited contribution.
    pub fn sees_revisions(self) -> bool {
        matches!(self, Lens::Author | Lens::Moderator)
    }

    /// A moderator's lens: hidden content, flags and their reasons.
    pub fn moderates(self) -> bool {
        matches!(self, Lens::Moderator | Lens::ModeratorStream)
    }
}

/// What the caller is to one IGF event. The organiser role organises every event; the
/// per-event organisers of a later wave will change this function only.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventAccess {
    pub user_id: Option<i64>,
    organizer: bool,
    moderator: bool,
}

impl EventAccess {
    pub fn of(actor: &Actor) -> EventAccess {
        EventAccess {
            user_id: actor.id(),
            organizer: actor.is_organizer(),
            moderator: actor.is_moderator(),
        }
    }

    /// Unpublished events exist only for their organisers (404 for everyone else).
    pub fn may_see(&self, published: bool) -> bool {
        published || self.organizer
    }

    /// Edit, rooms, proposals, reviews, decisions, slots, segments, agenda import.
    pub fn may_organize(&self) -> bool {
        self.organizer
    }

    /// A proposal: its organisers, and whoever proposed it.
    pub fn may_read_proposal(&self, proposer_id: i64) -> bool {
        self.organizer || self.user_id == Some(proposer_id)
    }

    /// A session's report: its organisers, and whoever proposed the session.
    /// File a session's report: organisers, its named rapporteurs, its proposer.
    pub fn may_file_report(&self, proposer_id: Option<i64>, rapporteur: bool) -> bool {
        self.organizer || rapporteur || (self.user_id.is_some() && self.user_id == proposer_id)
    }

    /// Give the floor to the next speaker: organisers, moderators, the session's own
    /// moderators.
    pub fn may_run_floor(&self, session_moderator: bool) -> bool {
        self.organizer || self.moderator || session_moderator
    }

    /// How speakers are shown to this caller.
    pub fn speakers(&self) -> SpeakerAudience {
        if self.organizer {
            SpeakerAudience::Organizer
        } else {
            SpeakerAudience::Public
        }
    }
}

/// What the caller is to one intersessional body. The secretariat (the organiser role)
/// runs every body; its coordinators keep their own; members see each other.
#[derive(Debug, Clone, Copy, Default)]
pub struct BodyAccess {
    pub user_id: Option<i64>,
    organizer: bool,
    /// The caller's membership, if any.
    pub role: Option<crate::bodies::types::MemberRole>,
}

impl BodyAccess {
    pub fn of(conn: &mut DbConn, actor: &Actor, body_id: i64) -> ApiResult<BodyAccess> {
        let role = match actor.id() {
            Some(user_id) => crate::bodies::store::role_of(conn, body_id, user_id)?,
            None => None,
        };
        Ok(BodyAccess {
            user_id: actor.id(),
            organizer: actor.is_organizer(),
            role,
        })
    }

    /// The secretariat's (an organiser's) access, for the one who has just created it.
    pub fn secretariat(user_id: i64) -> BodyAccess {
        BodyAccess {
            user_id: Some(user_id),
            organizer: true,
            role: None,
        }
    }

    /// Edit the body, link its sessions, add its outputs.
    pub fn may_manage(&self) -> bool {
        self.organizer || self.role == Some(crate::bodies::types::MemberRole::Coordinator)
    }

    /// Name the coordinators.
    pub fn may_set_coordinators(&self) -> bool {
        self.organizer
    }

    /// Sessions of unpublished events exist for the secretariat only: a coordinator
    /// links, and everyone sees, those of published events.
    pub fn sees_unpublished_events(&self) -> bool {
        self.organizer
    }

    /// Who the members are: the members themselves, and whoever manages the body; the
    /// public sees the count and the coordinators.
    pub fn may_see_members(&self) -> bool {
        self.may_manage() || self.role.is_some()
    }
}

/// How much of a speaker a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerAudience {
    /// Name, organisation, stakeholder group, country and region.
    Public,
    /// The event's organisers: the e-mail too (never the gender, which they see only
    /// as aggregates).
    Organizer,
    /// The proposer, reading back what they gave.
    Proposer,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One policy: outside `policy/` (and `accounts/`, which grants, stores and signs
    /// roles), no code looks at a role itself.
    #[test]
    fn roles_are_judged_in_the_policy_only() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        let mut offenders = Vec::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            if rel.starts_with("policy") || rel.starts_with("accounts") {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let judged = [
                    "Role::Moderator",
                    "Role::Organizer",
                    "Role::Admin",
                    ".has(Role",
                    "require(Role",
                ]
                .iter()
                // The account's `Role`, not a type whose name ends in it (`SessionRole`).
                .any(|p| {
                    line.match_indices(p).any(|(i, _)| {
                        !p.starts_with("Role::")
                            || !line[..i]
                                .chars()
                                .next_back()
                                .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    })
                });
                if judged {
                    offenders.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "role checks outside the policy:\n{}",
            offenders.join("\n")
        );
    }

    fn user(id: i64, roles: &[Role]) -> Actor {
        Actor::User(AuthUser {
            id,
            roles: roles.to_vec(),
            verified: true,
            expires_at: i64::MAX,
        })
    }

    #[test]
    fn hidden_contributions_reach_moderators_and_their_author_only() {
        let author = Reader::of(&user(1, &[]));
        let other = Reader::of(&user(2, &[]));
        let moderator = Reader::of(&user(3, &[Role::Moderator]));
        let admin = Reader::of(&user(4, &[Role::Admin]));
        let organizer = Reader::of(&user(5, &[Role::Organizer]));
        assert_eq!(author.lens(1, Visibility::Hidden), Some(Lens::Author));
        assert_eq!(other.lens(1, Visibility::Hidden), None);
        assert_eq!(organizer.lens(1, Visibility::Hidden), None);
        assert_eq!(Reader::PUBLIC.lens(1, Visibility::Hidden), None);
        assert_eq!(moderator.lens(1, Visibility::Hidden), Some(Lens::Moderator));
        assert_eq!(admin.lens(1, Visibility::Hidden), Some(Lens::Moderator));
        for r in [author, other, moderator, Reader::PUBLIC] {
            assert_eq!(r.lens(1, Visibility::Withdrawn), None);
        }
    }

    #[test]
    fn anonymous_authors_are_named_to_the_author_and_moderators_only() {
        let lens = |r: Reader| r.lens(1, Visibility::Visible).unwrap();
        assert!(lens(Reader::of(&user(1, &[]))).names_anonymous_author());
        assert!(lens(Reader::of(&user(3, &[Role::Moderator]))).names_anonymous_author());
        assert!(!lens(Reader::of(&user(2, &[Role::Organizer]))).names_anonymous_author());
        assert!(!lens(Reader::PUBLIC).names_anonymous_author());
        assert!(!lens(Reader::MODERATORS).names_anonymous_author());
        assert!(lens(Reader::MODERATORS).moderates());
    }

    #[test]
    fn speakers_emails_reach_organisers_only() {
        assert_eq!(
            EventAccess::of(&user(1, &[Role::Organizer])).speakers(),
            SpeakerAudience::Organizer
        );
        assert_eq!(
            EventAccess::of(&user(1, &[Role::Moderator])).speakers(),
            SpeakerAudience::Public
        );
        assert_eq!(
            EventAccess::of(&Actor::Anonymous).speakers(),
            SpeakerAudience::Public
        );
    }
}
