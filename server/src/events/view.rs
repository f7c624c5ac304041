//! What the events feature answers: one view struct per resource, rendered for the
//! audience the policy chose. The API serialises these and the pages render them; no
//! view is built as loose JSON.
//!
//! Speakers are the one resource whose view differs by audience
//! ([`SpeakerView::of`], by [`SpeakerAudience`]): name, organisation, stakeholder group,
//! country and region for everyone; the e-mail for the event's organisers; the gender
//! only for the proposer reading back what they gave. Organisers see genders as
//! aggregates ([`Diversity`]).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use schemars::JsonSchema;
use serde::Serialize;

use super::confirmations::{answer_of, Answers};
use super::floor::{Mode, SegmentKind};
use super::proposals::ProposalRow;
use super::reports::ReportRow;
use super::schedule::SessionRow;
use super::store::{EventRow, RoomRow};
use super::types::{ProposalStatus, Rules, SessionFormat, SessionType, Speaker, SpeakerAnswer};
use crate::accounts::types::{Gender, StakeholderGroup};
use crate::db::{now, Timestamp};
use crate::error::{ApiError, ApiResult};
use crate::policy::SpeakerAudience;

/// A time with the offset of a chosen zone at that instant (`2025-10-27T09:00:00+01:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime(pub DateTime<FixedOffset>);

impl LocalTime {
    pub fn at(t: chrono::NaiveDateTime, tz: chrono_tz::Tz) -> LocalTime {
        LocalTime(tz.from_utc_datetime(&t).fixed_offset())
    }

    pub fn date(&self) -> NaiveDate {
        self.0.date_naive()
    }

    pub fn time(&self) -> NaiveTime {
        self.0.time()
    }

    /// 24-hour clock, as the UN writes times in all six languages.
    pub fn hm(&self) -> String {
        self.0.format("%H:%M").to_string()
    }

    /// RFC 3339 with the offset (also for `<time datetime=…>`).
    pub fn iso(&self) -> String {
        self.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl JsonSchema for LocalTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LocalTime".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 with the offset of the chosen zone at that instant"
        })
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RoomView {
    pub id: i64,
    pub name: String,
    pub capacity: i32,
    pub remote_link: Option<String>,
    /// Interpretation into the UN languages is available.
    pub interpretation: bool,
}

impl RoomView {
    pub fn of(r: &RoomRow) -> RoomView {
        RoomView {
            id: r.id,
            name: r.name.clone(),
            capacity: r.capacity,
            remote_link: r.remote_link.clone(),
            interpretation: r.interpretation,
        }
    }
}

/// An event. Lists leave out `rooms`; the detail has them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub theme: String,
    pub venue: String,
    /// IANA time zone of the venue.
    pub timezone: String,
    #[schemars(with = "String", extend("format" = "date"))]
    pub starts_on: NaiveDate,
    #[schemars(with = "String", extend("format" = "date"))]
    pub ends_on: NaiveDate,
    pub subthemes: Vec<String>,
    pub call_opens_at: Option<Timestamp>,
    pub call_closes_at: Option<Timestamp>,
    /// Whether proposals are taken now.
    pub call_open: bool,
    pub published: bool,
    pub rules: Rules,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rooms: Option<Vec<RoomView>>,
}

impl EventView {
    pub fn of(row: &EventRow, rooms: Option<&[RoomRow]>) -> ApiResult<EventView> {
        let date = |d: &str| super::types::parse_date(d).map_err(ApiError::internal);
        Ok(EventView {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            theme: row.theme.clone(),
            venue: row.venue.clone(),
            timezone: row.timezone.clone(),
            starts_on: date(&row.starts_on)?,
            ends_on: date(&row.ends_on)?,
            subthemes: row.subthemes(),
            call_opens_at: row.call_opens_at.map(Timestamp),
            call_closes_at: row.call_closes_at.map(Timestamp),
            call_open: row.call_open(now()),
            published: row.published,
            rules: row.rules(),
            created_at: Timestamp(row.created_at),
            rooms: rooms.map(|r| r.iter().map(RoomView::of).collect()),
        })
    }

    /// The event's days, first to last.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.starts_on
            .iter_days()
            .take_while(|d| *d <= self.ends_on)
            .take(62)
            .collect()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        super::types::parse_timezone(&self.timezone).unwrap_or(chrono_tz::UTC)
    }
}

/// A speaker as the caller may see them: everyone sees name, organisation, stakeholder
/// group, country and region; the event's organisers also the e-mail; the proposer,
/// reading back their proposal, what they gave.
// Built only by `SpeakerView::of`, from the audience the policy chose.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SpeakerView {
    pub name: String,
    pub organization: String,
    pub stakeholder_group: StakeholderGroup,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The UN regional group of the country.
    pub region: String,
    /// Given to the event's organisers (and back to the proposer) only, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Given back to the proposer only, when known; organisers see genders as aggregates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// A proposal's speaker with an e-mail, for its organisers and proposer: whether they
    /// confirmed that they will speak (asked by mail when the proposal named them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<SpeakerAnswer>,
}

impl SpeakerView {
    pub fn of(s: &Speaker, audience: SpeakerAudience) -> SpeakerView {
        let (email, gender) = match audience {
            SpeakerAudience::Public => (None, None),
            SpeakerAudience::Organizer => (s.email.clone(), None),
            SpeakerAudience::Proposer => (s.email.clone(), s.gender),
        };
        SpeakerView {
            name: s.name.clone(),
            organization: s.organization.clone(),
            stakeholder_group: s.stakeholder_group,
            country: s.country.clone(),
            region: s.region.clone(),
            email,
            gender,
            confirmation: None,
        }
    }

    pub fn all(speakers: &[Speaker], audience: SpeakerAudience) -> Vec<SpeakerView> {
        speakers
            .iter()
            .map(|s| SpeakerView::of(s, audience))
            .collect()
    }
}

/// A proposal's speakers in aggregate: how many, and which groups, regions and genders
/// they bring (what the event's rules look at).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Diversity {
    pub speakers: usize,
    pub stakeholder_groups: Vec<StakeholderGroup>,
    pub regions: Vec<String>,
    pub genders: Vec<Gender>,
}

impl Diversity {
    pub fn of(speakers: &[Speaker]) -> Diversity {
        // Each in the order of its name, as before.
        let mut groups: Vec<StakeholderGroup> = speakers
            .iter()
            .map(|s| s.stakeholder_group)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        groups.sort_by_key(|g| g.as_str());
        let mut genders: Vec<Gender> = speakers
            .iter()
            .filter_map(|s| s.gender)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        genders.sort_by_key(|g| g.as_str());
        Diversity {
            speakers: speakers.len(),
            stakeholder_groups: groups,
            regions: speakers
                .iter()
                .map(|s| s.region.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            genders,
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewView {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub score: i32,
    pub comment: String,
}

/// The reviews of a proposal, for organisers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Reviews {
    pub review_count: usize,
    /// Rounded to two decimals; null while unreviewed.
    pub mean_score: Option<f64>,
    pub reviews: Vec<ReviewView>,
}

impl Reviews {
    pub fn of(reviews: Vec<ReviewView>) -> Reviews {
        let n = reviews.len();
        let mean = (n > 0).then(|| {
            let m = reviews.iter().map(|r| f64::from(r.score)).sum::<f64>() / n as f64;
            (m * 100.0).round() / 100.0
        });
        Reviews {
            review_count: n,
            mean_score: mean,
            reviews,
        }
    }
}

/// A proposal, for its organisers (speakers' e-mails, reviews) or its proposer (what
/// they gave, without the reviews).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProposalView {
    pub id: i64,
    pub event_id: i64,
    pub proposer_id: i64,
    pub title: String,
    #[serde(rename = "type")]
    pub session_type: SessionType,
    pub subtheme: String,
    pub format: SessionFormat,
    pub description: String,
    pub policy_questions: Vec<String>,
    pub speakers: Vec<SpeakerView>,
    pub moderator_name: String,
    pub rapporteur_name: String,
    pub status: ProposalStatus,
    pub decision_note: Option<String>,
    /// The session an accepted proposal became.
    pub session_id: Option<i64>,
    /// The proposal a merged one joined.
    pub merged_into: Option<i64>,
    pub diversity: Diversity,
    pub created_at: Timestamp,
    /// Organisers only.
    #[serde(flatten)]
    pub reviews: Option<Reviews>,
}

impl ProposalView {
    pub fn of(
        p: &ProposalRow,
        audience: SpeakerAudience,
        reviews: Option<Reviews>,
        answers: &Answers,
    ) -> Self {
        let speakers = p.speakers();
        let speaker = |s: &Speaker| SpeakerView {
            confirmation: match audience {
                SpeakerAudience::Public => None,
                SpeakerAudience::Organizer | SpeakerAudience::Proposer => {
                    answer_of(answers, s.email.as_deref())
                }
            },
            ..SpeakerView::of(s, audience)
        };
        ProposalView {
            id: p.id,
            event_id: p.event_id,
            proposer_id: p.proposer_id,
            title: p.title.clone(),
            session_type: p.session_type,
            subtheme: p.subtheme.clone(),
            format: p.format,
            description: p.description.clone(),
            policy_questions: serde_json::from_str(&p.policy_questions).unwrap_or_default(),
            speakers: speakers.iter().map(speaker).collect(),
            moderator_name: p.moderator_name.clone(),
            rapporteur_name: p.rapporteur_name.clone(),
            status: p.status,
            decision_note: p.decision_note.clone(),
            session_id: p.session_id,
            merged_into: p.merged_into,
            diversity: Diversity::of(&speakers),
            created_at: Timestamp(p.created_at),
            reviews,
        }
    }
}

/// A proposal as its organisers review it on its page: the whole submission with the
/// reviews and the speakers' answers, the event it was made to and who made it.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub proposal: ProposalView,
    pub event_name: String,
    pub event_slug: String,
    pub proposer_name: String,
    /// Whether the caller has reviewed it already (one review each).
    pub reviewed: bool,
    /// The event's other proposals it could join (open or accepted): id and title.
    pub others: Vec<(i64, String)>,
}

/// A review just given.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewCreated {
    pub id: i64,
    pub proposal_id: i64,
    pub score: i32,
    pub comment: String,
}

/// A session, with times in UTC and in the zone asked for.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SessionView {
    pub id: i64,
    pub event_id: i64,
    pub proposal_id: Option<i64>,
    pub title: String,
    #[serde(rename = "type")]
    pub session_type: SessionType,
    pub subtheme: String,
    pub format: SessionFormat,
    pub description: String,
    pub speakers: Vec<SpeakerView>,
    pub moderator_name: String,
    pub rapporteur_name: String,
    pub room: Option<RoomView>,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    /// The zone of `local_starts_at` and `local_ends_at`.
    pub timezone: String,
    pub local_starts_at: Option<LocalTime>,
    pub local_ends_at: Option<LocalTime>,
    /// Rises with every reschedule (the calendar's SEQUENCE).
    pub sequence: i32,
}

impl SessionView {
    pub fn of(
        s: &SessionRow,
        rooms: &HashMap<i64, RoomRow>,
        tz: chrono_tz::Tz,
        audience: SpeakerAudience,
    ) -> SessionView {
        SessionView {
            id: s.id,
            event_id: s.event_id,
            proposal_id: s.proposal_id,
            title: s.title.clone(),
            session_type: s.session_type,
            subtheme: s.subtheme.clone(),
            format: s.format,
            description: s.description.clone(),
            speakers: SpeakerView::all(&s.speakers(), audience),
            moderator_name: s.moderator_name.clone(),
            rapporteur_name: s.rapporteur_name.clone(),
            room: s.room_id.and_then(|r| rooms.get(&r)).map(RoomView::of),
            starts_at: s.starts_at.map(Timestamp),
            ends_at: s.ends_at.map(Timestamp),
            timezone: tz.name().to_owned(),
            local_starts_at: s.starts_at.map(|t| LocalTime::at(t, tz)),
            local_ends_at: s.ends_at.map(|t| LocalTime::at(t, tz)),
            sequence: s.ical_sequence,
        }
    }

    pub fn speaker_names(&self) -> Vec<&str> {
        self.speakers.iter().map(|s| s.name.as_str()).collect()
    }
}

/// An event's sessions in one zone.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AgendaView {
    pub event_id: i64,
    /// The zone of every `local_*` time.
    pub timezone: String,
    pub items: Vec<SessionView>,
    /// Give it as `?cursor=` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

impl AgendaView {
    /// The page `page` asks for of the whole agenda.
    pub fn paged(self, page: &crate::http::page::Page) -> AgendaView {
        let (items, next_cursor) = page.slice(self.items);
        AgendaView {
            items,
            next_cursor,
            ..self
        }
    }
}

/// Why a slot clashes with another session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClashReason {
    /// The same room at the same time.
    Room,
    /// A speaker or the moderator in both.
    Person,
}

/// A session a slot clashes with (`error.details.conflicts`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Conflict {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    pub reason: ClashReason,
    /// Who is in both, when the reason is `person`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// What an agenda import created.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Imported {
    pub imported: usize,
    pub session_ids: Vec<i64>,
}

/// A refused import row (`error.details.rows`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BadRow {
    /// 1 for the first row.
    pub row: usize,
    pub errors: crate::error::FieldErrors,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<Conflict>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportView {
    pub session_id: i64,
    pub key_takeaways: Vec<String>,
    pub calls_to_action: Vec<String>,
    pub participants_onsite: i32,
    pub participants_online: i32,
    pub women_share: Option<f64>,
    pub filed_at: Timestamp,
    pub updated_at: Timestamp,
}

impl ReportView {
    pub fn of(r: &ReportRow) -> ReportView {
        ReportView {
            session_id: r.session_id,
            key_takeaways: serde_json::from_str(&r.key_takeaways).unwrap_or_default(),
            calls_to_action: serde_json::from_str(&r.calls_to_action).unwrap_or_default(),
            participants_onsite: r.participants_onsite,
            participants_online: r.participants_online,
            women_share: r.women_share,
            filed_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        }
    }
}

/// A takeaway or call to action with the session it comes from.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportLine {
    pub session_id: i64,
    /// The session's title.
    pub session: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct SubthemeReport {
    pub subtheme: String,
    pub reports: usize,
    pub key_takeaways: Vec<ReportLine>,
    pub calls_to_action: Vec<ReportLine>,
    pub participants_onsite: i64,
    pub participants_online: i64,
}

/// An event's reports compiled by sub-theme.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventReport {
    pub event_id: i64,
    pub reports: usize,
    pub participants_onsite: i64,
    pub participants_online: i64,
    pub subthemes: Vec<SubthemeReport>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SegmentView {
    pub kind: SegmentKind,
    pub title: String,
    pub minutes: i32,
    /// When the session is scheduled: the segment's planned start.
    pub starts_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SegmentsView {
    pub session_id: i64,
    pub segments: Vec<SegmentView>,
}

/// Who has the floor.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Speaking {
    pub entry_id: i64,
    /// Absent once the account is erased.
    pub user_id: Option<i64>,
    pub display_name: String,
    pub mode: Mode,
}

/// Who waits for the floor, in the order they joined.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Waiting {
    /// 1 for the next to speak.
    pub position: usize,
    pub entry_id: i64,
    /// Absent once the account is erased.
    pub user_id: Option<i64>,
    pub display_name: String,
    pub mode: Mode,
    pub joined_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueueView {
    pub session_id: i64,
    pub speaking: Option<Speaking>,
    pub waiting: Vec<Waiting>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Bookmark {
    pub session_id: i64,
    pub bookmarked: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Upvotes {
    pub comment_id: i64,
    pub upvote_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::types::StakeholderGroup;

    fn ana() -> Speaker {
        Speaker {
            name: "Ana".into(),
            email: Some("ana@example.org".into()),
            organization: "Rede".into(),
            stakeholder_group: StakeholderGroup::CivilSociety,
            country: "BR".into(),
            region: "latin_american_caribbean".into(),
            gender: Some(Gender::Female),
        }
    }

    #[test]
    fn speakers_are_shown_by_audience() {
        let public =
            serde_json::to_value(SpeakerView::of(&ana(), SpeakerAudience::Public)).unwrap();
        assert_eq!(
            public,
            serde_json::json!({"name": "Ana", "organization": "Rede",
                "stakeholder_group": "civil_society", "country": "BR",
                "region": "latin_american_caribbean"})
        );
        let organizer =
            serde_json::to_value(SpeakerView::of(&ana(), SpeakerAudience::Organizer)).unwrap();
        assert_eq!(organizer["email"], "ana@example.org");
        assert!(organizer.get("gender").is_none());
        let proposer =
            serde_json::to_value(SpeakerView::of(&ana(), SpeakerAudience::Proposer)).unwrap();
        assert_eq!(
            (proposer["email"].as_str(), proposer["gender"].as_str()),
            (Some("ana@example.org"), Some("female"))
        );
    }

    #[test]
    fn local_times_carry_the_offset_of_their_instant() {
        let t = |s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        let oslo = chrono_tz::Europe::Oslo;
        assert_eq!(
            LocalTime::at(t("2025-10-25T08:00"), oslo).iso(),
            "2025-10-25T10:00:00+02:00"
        );
        assert_eq!(
            LocalTime::at(t("2025-10-27T08:00"), oslo).iso(),
            "2025-10-27T09:00:00+01:00"
        );
        assert_eq!(
            LocalTime::at(t("2025-10-27T08:00"), chrono_tz::UTC).iso(),
            "2025-10-27T08:00:00+00:00"
        );
    }
}
