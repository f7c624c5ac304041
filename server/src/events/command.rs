//! What clients send to the events feature, and the commands it becomes. Each input is
//! parsed once (`TryFrom`), every field problem reported together in one 422; the
//! commands hold domain types only (zones, dates, enums), never raw strings to check
//! again. The pages build the same inputs from their forms.

use chrono::{NaiveDate, NaiveDateTime};
use schemars::JsonSchema;
use serde::Deserialize;

use super::floor::{Mode, Segment, SegmentKind};
use super::import::Row;
use super::proposals::NewProposal;
use super::reports::Report;
use super::schedule::{AgendaFilter, Slot};
use super::store::Changes;
use super::types::{
    parse_date, parse_timezone, ProposalStatus, Rules, SessionFormat, SessionType, SpeakerInput,
};
use crate::accounts::types::bounded_text;
use crate::consultations::types::{parse_slug, parse_time};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::input::{double_option, nullable_time, text};
use crate::http::page::Page;

/// Every problem of one input as one 422 (`validation_failed`), or nothing.
fn refuse_if_any(errors: FieldErrors) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// A value of a `string_enum!`, or a note naming the accepted ones.
macro_rules! parse_enum {
    ($errors:expr, $field:expr, $ty:ty, $raw:expr) => {
        <$ty>::parse($raw.trim())
            .ok_or_else(|| {
                $errors.insert(
                    $field.to_owned(),
                    format!("must be one of {}", <$ty>::expected()),
                )
            })
            .ok()
    };
}

fn subthemes(errors: &mut FieldErrors, raw: &[String]) -> Option<Vec<String>> {
    if raw.len() > 50 {
        errors.insert("subthemes".into(), "at most 50 sub-themes".into());
        return None;
    }
    // Every item is checked (collecting straight into an Option would stop at the first bad one).
    let parsed: Vec<Option<String>> = raw
        .iter()
        .enumerate()
        .map(|(i, s)| text(errors, &format!("subthemes[{i}]"), s, 1, 200))
        .collect();
    parsed.into_iter().collect()
}

fn texts(
    errors: &mut FieldErrors,
    field: &str,
    raw: &[String],
    max_items: usize,
    max_chars: usize,
) -> Option<Vec<String>> {
    let parsed: Vec<Option<String>> = raw
        .iter()
        .enumerate()
        .map(|(n, t)| text(errors, &format!("{field}[{n}]"), t, 1, max_chars))
        .collect();
    if raw.len() > max_items {
        errors.insert(field.into(), format!("at most {max_items}"));
        return None;
    }
    parsed.into_iter().collect()
}

/// `POST /events`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// 3 to 80 lower-case letters, digits and hyphens.
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub venue: String,
    /// An IANA time zone such as `Europe/Oslo`.
    pub timezone: String,
    /// `YYYY-MM-DD`, in the venue's zone.
    pub starts_on: String,
    /// `YYYY-MM-DD`, at most 60 days after `starts_on`.
    pub ends_on: String,
    #[serde(default)]
    pub subthemes: Vec<String>,
}

/// A new event, checked.
#[derive(Debug, Clone)]
pub struct CreateEvent {
    pub slug: String,
    pub name: String,
    pub theme: String,
    pub venue: String,
    pub timezone: chrono_tz::Tz,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub subthemes: Vec<String>,
}

impl TryFrom<EventInput> for CreateEvent {
    type Error = ApiError;
    fn try_from(i: EventInput) -> ApiResult<CreateEvent> {
        let mut errors = FieldErrors::new();
        let slug = parse_slug(&i.slug)
            .map_err(|e| errors.insert("slug".into(), e.into()))
            .ok();
        let name = text(&mut errors, "name", &i.name, 1, 300);
        let theme = text(&mut errors, "theme", &i.theme, 0, 500);
        let venue = text(&mut errors, "venue", &i.venue, 0, 300);
        let tz = parse_timezone(&i.timezone)
            .map_err(|e| errors.insert("timezone".into(), e))
            .ok();
        let starts = parse_date(&i.starts_on)
            .map_err(|e| errors.insert("starts_on".into(), e))
            .ok();
        let ends = parse_date(&i.ends_on)
            .map_err(|e| errors.insert("ends_on".into(), e))
            .ok();
        if let (Some(s), Some(e)) = (starts, ends) {
            if e < s {
                errors.insert("ends_on".into(), "must not be before starts_on".into());
            } else if (e - s).num_days() > 60 {
                errors.insert("ends_on".into(), "an event lasts at most 60 days".into());
            }
        }
        let subthemes = subthemes(&mut errors, &i.subthemes);
        match (slug, name, theme, venue, tz, starts, ends, subthemes) {
            (
                Some(slug),
                Some(name),
                Some(theme),
                Some(venue),
                Some(timezone),
                Some(starts_on),
                Some(ends_on),
                Some(subthemes),
            ) if errors.is_empty() => Ok(CreateEvent {
                slug,
                name,
                theme,
                venue,
                timezone,
                starts_on,
                ends_on,
                subthemes,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `PATCH /events/{id}`: only what is given changes; `null` clears a call time.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub name: Option<String>,
    pub theme: Option<String>,
    pub venue: Option<String>,
    pub timezone: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub subthemes: Option<Vec<String>>,
    /// RFC 3339, or null for none.
    #[serde(default, deserialize_with = "double_option")]
    pub call_opens_at: Option<Option<String>>,
    /// RFC 3339, or null for none.
    #[serde(default, deserialize_with = "double_option")]
    pub call_closes_at: Option<Option<String>>,
    pub published: Option<bool>,
    pub rules: Option<Rules>,
}

impl TryFrom<EventPatch> for Changes {
    type Error = ApiError;
    fn try_from(i: EventPatch) -> ApiResult<Changes> {
        let mut errors = FieldErrors::new();
        let mut date = |field: &str, v: &str| {
            parse_date(v)
                .map_err(|e| errors.insert(field.into(), e))
                .ok()
        };
        let starts_on = i.starts_on.as_deref().and_then(|v| date("starts_on", v));
        let ends_on = i.ends_on.as_deref().and_then(|v| date("ends_on", v));
        let changes = Changes {
            name: i
                .name
                .as_deref()
                .and_then(|v| text(&mut errors, "name", v, 1, 300)),
            theme: i
                .theme
                .as_deref()
                .and_then(|v| text(&mut errors, "theme", v, 0, 500)),
            venue: i
                .venue
                .as_deref()
                .and_then(|v| text(&mut errors, "venue", v, 0, 300)),
            timezone: i.timezone.as_deref().and_then(|v| {
                parse_timezone(v)
                    .map_err(|e| errors.insert("timezone".into(), e))
                    .ok()
            }),
            starts_on,
            ends_on,
            subthemes: i
                .subthemes
                .as_deref()
                .and_then(|s| subthemes(&mut errors, s)),
            call_opens_at: nullable_time(&mut errors, "call_opens_at", &i.call_opens_at),
            call_closes_at: nullable_time(&mut errors, "call_closes_at", &i.call_closes_at),
            published: i.published,
            rules: i.rules,
        };
        refuse_if_any(errors)?;
        Ok(changes)
    }
}

/// `POST /events/{id}/rooms`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomInput {
    pub name: String,
    /// 1 to 100,000 seats.
    pub capacity: i32,
    /// An http(s) URL for remote participants.
    pub remote_link: Option<String>,
    /// Interpretation into the UN languages is available in the room.
    #[serde(default)]
    pub interpretation: bool,
}

#[derive(Debug, Clone)]
pub struct NewRoom {
    pub name: String,
    pub capacity: i32,
    pub remote_link: Option<String>,
    pub interpretation: bool,
}

impl TryFrom<RoomInput> for NewRoom {
    type Error = ApiError;
    fn try_from(i: RoomInput) -> ApiResult<NewRoom> {
        let mut errors = FieldErrors::new();
        let name = text(&mut errors, "name", &i.name, 1, 200);
        if !(1..=100_000).contains(&i.capacity) {
            errors.insert("capacity".into(), "must be from 1 to 100000".into());
        }
        let link = i
            .remote_link
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_owned());
        if link.as_deref().is_some_and(|l| {
            !(l.starts_with("https://") || l.starts_with("http://")) || l.len() > 2000
        }) {
            errors.insert("remote_link".into(), "must be an http(s) URL".into());
        }
        match name {
            Some(name) if errors.is_empty() => Ok(NewRoom {
                name,
                capacity: i.capacity,
                remote_link: link,
                interpretation: i.interpretation,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `POST /events/{id}/proposals`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    pub title: String,
    #[serde(rename = "type")]
    #[schemars(with = "SessionType")]
    pub session_type: String,
    /// One of the event's sub-themes, when it has any.
    pub subtheme: String,
    #[schemars(with = "SessionFormat")]
    pub format: String,
    pub description: String,
    #[serde(default)]
    pub policy_questions: Vec<String>,
    #[serde(default)]
    pub speakers: Vec<SpeakerInput>,
    pub moderator_name: String,
    pub rapporteur_name: String,
}

impl TryFrom<ProposalInput> for NewProposal {
    type Error = ApiError;
    fn try_from(i: ProposalInput) -> ApiResult<NewProposal> {
        let mut errors = FieldErrors::new();
        let title = text(&mut errors, "title", &i.title, 1, 300);
        let session_type = parse_enum!(errors, "type", SessionType, i.session_type);
        let format = parse_enum!(errors, "format", SessionFormat, i.format);
        let subtheme = text(&mut errors, "subtheme", &i.subtheme, 1, 200);
        let description = text(&mut errors, "description", &i.description, 1, 10_000);
        if i.policy_questions.len() > 10 {
            errors.insert(
                "policy_questions".into(),
                "at most 10 policy questions".into(),
            );
        }
        let questions: Vec<Option<String>> = i
            .policy_questions
            .iter()
            .enumerate()
            .map(|(n, q)| text(&mut errors, &format!("policy_questions[{n}]"), q, 1, 1000))
            .collect();
        if i.speakers.len() > 30 {
            errors.insert("speakers".into(), "at most 30 speakers".into());
        }
        let speakers: Vec<Option<_>> = i
            .speakers
            .iter()
            .enumerate()
            .map(|(n, s)| s.parse(&format!("speakers[{n}]"), &mut errors))
            .collect();
        let moderator = text(&mut errors, "moderator_name", &i.moderator_name, 1, 200);
        let rapporteur = text(&mut errors, "rapporteur_name", &i.rapporteur_name, 1, 200);
        match (
            title,
            session_type,
            format,
            subtheme,
            description,
            questions.into_iter().collect::<Option<Vec<_>>>(),
            speakers.into_iter().collect::<Option<Vec<_>>>(),
            moderator,
            rapporteur,
        ) {
            (
                Some(title),
                Some(session_type),
                Some(format),
                Some(subtheme),
                Some(description),
                Some(policy_questions),
                Some(speakers),
                Some(moderator_name),
                Some(rapporteur_name),
            ) if errors.is_empty() => Ok(NewProposal {
                title,
                session_type,
                subtheme,
                format,
                description,
                policy_questions,
                speakers,
                moderator_name,
                rapporteur_name,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `POST /proposals/{id}/reviews`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// 1 (weak) to 5 (strong).
    pub score: i32,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone)]
pub struct NewReview {
    pub score: i32,
    pub comment: String,
}

impl TryFrom<ReviewInput> for NewReview {
    type Error = ApiError;
    fn try_from(i: ReviewInput) -> ApiResult<NewReview> {
        let mut errors = FieldErrors::new();
        if !(1..=5).contains(&i.score) {
            errors.insert("score".into(), "must be from 1 to 5".into());
        }
        let comment = text(&mut errors, "comment", &i.comment, 0, 5000);
        match comment {
            Some(comment) if errors.is_empty() => Ok(NewReview {
                score: i.score,
                comment,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// What organisers decide of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    Rejected,
    Merged,
}

impl From<Verdict> for ProposalStatus {
    fn from(v: Verdict) -> ProposalStatus {
        match v {
            Verdict::Accepted => ProposalStatus::Accepted,
            Verdict::Rejected => ProposalStatus::Rejected,
            Verdict::Merged => ProposalStatus::Merged,
        }
    }
}

/// `POST /proposals/{id}/decision`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[schemars(with = "Verdict")]
    pub decision: String,
    #[serde(default)]
    pub note: String,
    /// For `merged`: the proposal of the same event it joins.
    pub merged_into: Option<i64>,
    /// For `merged`: its speakers join the other proposal's (and its session's).
    #[serde(default)]
    pub carry_speakers: bool,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    pub note: String,
    pub merge: Option<crate::events::proposals::Merge>,
}

impl TryFrom<DecisionInput> for Decision {
    type Error = ApiError;
    fn try_from(i: DecisionInput) -> ApiResult<Decision> {
        let mut errors = FieldErrors::new();
        let verdict = match ProposalStatus::parse(i.decision.trim()) {
            Some(ProposalStatus::Accepted) => Some(Verdict::Accepted),
            Some(ProposalStatus::Rejected) => Some(Verdict::Rejected),
            Some(ProposalStatus::Merged) => Some(Verdict::Merged),
            _ => {
                errors.insert(
                    "decision".into(),
                    "must be accepted, rejected or merged".into(),
                );
                None
            }
        };
        let note = bounded_text(&i.note, 0, 5000)
            .map_err(|e| errors.insert("note".into(), e))
            .ok();
        let merge = match (verdict, i.merged_into) {
            (Some(Verdict::Merged), Some(into)) => Some(crate::events::proposals::Merge {
                into,
                carry_speakers: i.carry_speakers,
            }),
            (Some(Verdict::Merged), None) => {
                errors.insert(
                    "merged_into".into(),
                    "a merged proposal names the proposal it joins".into(),
                );
                None
            }
            (_, Some(_)) => {
                errors.insert("merged_into".into(), "only for decision merged".into());
                None
            }
            _ => None,
        };
        match (verdict, note) {
            (Some(verdict), Some(note)) if errors.is_empty() => Ok(Decision {
                verdict,
                note,
                merge,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `PUT /sessions/{id}/slot`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
    pub room_id: i64,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
}

impl TryFrom<SlotInput> for Slot {
    type Error = ApiError;
    fn try_from(i: SlotInput) -> ApiResult<Slot> {
        let mut errors = FieldErrors::new();
        let mut time = |field: &str, raw: &str| -> Option<NaiveDateTime> {
            parse_time(field, raw)
                .map_err(|e| errors.extend(e.fields.unwrap_or_default()))
                .ok()
        };
        let starts = time("starts_at", &i.starts_at);
        let ends = time("ends_at", &i.ends_at);
        match (starts, ends) {
            (Some(starts), Some(ends)) if errors.is_empty() => Ok(Slot {
                room_id: i.room_id,
                starts,
                ends,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `?tz=&limit=&cursor=` of a list of sessions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct SessionsQuery {
    /// An IANA time zone such as `America/New_York`.
    pub tz: Option<String>,
    /// 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl SessionsQuery {
    /// The zone asked for, if any, and the page of the list named `list`.
    pub fn parse(&self, list: &str) -> ApiResult<(Option<chrono_tz::Tz>, Page)> {
        let tz = TzQuery {
            tz: self.tz.clone(),
        }
        .zone()?;
        let page = Page::of_list(list, self.limit, self.cursor.as_deref())?;
        Ok((tz, page))
    }
}

/// `?tz=`: the zone of the `local_*` times (default: the event's).
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct TzQuery {
    /// An IANA time zone such as `America/New_York`.
    pub tz: Option<String>,
}

impl TzQuery {
    /// The zone asked for, if any (422 `invalid_query` when unknown).
    pub fn zone(&self) -> ApiResult<Option<chrono_tz::Tz>> {
        let mut errors = FieldErrors::new();
        let tz = zone(&mut errors, self.tz.as_deref());
        crate::http::input::refuse_query_if_any(errors)?;
        Ok(tz)
    }
}

fn zone(errors: &mut FieldErrors, raw: Option<&str>) -> Option<chrono_tz::Tz> {
    raw.filter(|t| !t.trim().is_empty()).and_then(|t| {
        parse_timezone(t)
            .map_err(|e| errors.insert("tz".into(), e))
            .ok()
    })
}

/// `GET /events/{id}/agenda`: every filter is optional.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct AgendaQuery {
    /// `YYYY-MM-DD` in the agenda's zone.
    pub day: Option<String>,
    #[serde(rename = "type")]
    #[schemars(with = "Option<SessionType>")]
    pub session_type: Option<String>,
    pub subtheme: Option<String>,
    #[schemars(with = "Option<SessionFormat>")]
    pub format: Option<String>,
    /// Words found in titles, descriptions and speakers' names.
    pub q: Option<String>,
    /// An IANA time zone (default: the event's).
    pub tz: Option<String>,
    /// 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (of the same agenda, with the same filters).
    pub cursor: Option<String>,
}

/// An agenda request: which sessions, in which zone.
#[derive(Debug, Default)]
pub struct Agenda {
    pub filter: AgendaFilter,
    pub tz: Option<chrono_tz::Tz>,
}

impl Agenda {
    /// The page `limit` and `cursor` ask for of this agenda of `event_id`: a cursor works
    /// with the same filters only.
    pub fn page(&self, event_id: i64, limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Page> {
        Page::of_list(
            &format!("agenda:{event_id}:{:?}", self.filter),
            limit,
            cursor,
        )
    }
}

impl TryFrom<AgendaQuery> for Agenda {
    type Error = ApiError;
    fn try_from(q: AgendaQuery) -> ApiResult<Agenda> {
        let mut errors = FieldErrors::new();
        let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let day = given(q.day).and_then(|d| {
            parse_date(&d)
                .map_err(|e| errors.insert("day".into(), e))
                .ok()
        });
        let session_type =
            given(q.session_type).and_then(|t| parse_enum!(errors, "type", SessionType, t));
        let format = given(q.format).and_then(|f| parse_enum!(errors, "format", SessionFormat, f));
        let tz = zone(&mut errors, q.tz.as_deref());
        crate::http::input::refuse_query_if_any(errors)?;
        Ok(Agenda {
            filter: AgendaFilter {
                day,
                session_type,
                subtheme: given(q.subtheme),
                format,
                q: given(q.q),
            },
            tz,
        })
    }
}

/// `POST /events/{id}/agenda/import`: `{format: "csv", source}` or `{rows: [...]}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// `csv` with `source`; `json` (or nothing) with `rows`.
    pub format: Option<String>,
    /// CSV with a header row: the columns of a row, `speakers` as
    /// `name|stakeholder_group|country` entries joined by `;`.
    pub source: Option<String>,
    pub rows: Option<Vec<Row>>,
}

/// The rows to import, each read or refused with its problems.
pub struct ImportRows(pub Vec<Result<Row, FieldErrors>>);

impl TryFrom<ImportInput> for ImportRows {
    type Error = ApiError;
    fn try_from(i: ImportInput) -> ApiResult<ImportRows> {
        match (i.format.as_deref(), i.source, i.rows) {
            (Some("csv"), Some(source), None) => Ok(ImportRows(super::import::parse_csv(&source)?)),
            (None | Some("json"), None, Some(rows)) => {
                Ok(ImportRows(rows.into_iter().map(Ok).collect()))
            }
            _ => Err(ApiError::field(
                "source",
                "give {format: \"csv\", source} or {rows: [...]}",
            )),
        }
    }
}

/// `PUT /sessions/{id}/report`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// 1 to 10.
    pub key_takeaways: Vec<String>,
    /// At most 10.
    #[serde(default)]
    pub calls_to_action: Vec<String>,
    pub participants_onsite: i32,
    pub participants_online: i32,
    /// The share of women among participants, 0 to 1.
    pub women_share: Option<f64>,
}

impl TryFrom<ReportInput> for Report {
    type Error = ApiError;
    fn try_from(i: ReportInput) -> ApiResult<Report> {
        let mut errors = FieldErrors::new();
        let takeaways = texts(&mut errors, "key_takeaways", &i.key_takeaways, 10, 2000);
        let calls = texts(&mut errors, "calls_to_action", &i.calls_to_action, 10, 2000);
        if i.key_takeaways.is_empty() || i.key_takeaways.len() > 10 {
            errors.insert("key_takeaways".into(), "give from 1 to 10 takeaways".into());
        }
        for (field, n) in [
            ("participants_onsite", i.participants_onsite),
            ("participants_online", i.participants_online),
        ] {
            if !(0..=1_000_000).contains(&n) {
                errors.insert(field.into(), "must be from 0 to 1000000".into());
            }
        }
        if i.women_share
            .is_some_and(|w| !(0.0..=1.0).contains(&w) || w.is_nan())
        {
            errors.insert(
                "women_share".into(),
                "must be a fraction from 0 to 1".into(),
            );
        }
        match (takeaways, calls) {
            (Some(key_takeaways), Some(calls_to_action)) if errors.is_empty() => Ok(Report {
                key_takeaways,
                calls_to_action,
                participants_onsite: i.participants_onsite,
                participants_online: i.participants_online,
                women_share: i.women_share,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    #[schemars(with = "SegmentKind")]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// 1 to 480; together they must fit the session's slot.
    pub minutes: i32,
}

/// `PUT /sessions/{id}/segments`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentsInput {
    pub segments: Vec<SegmentInput>,
}

/// The segments of a session, in order.
pub struct Segments(pub Vec<Segment>);

impl TryFrom<SegmentsInput> for Segments {
    type Error = ApiError;
    fn try_from(i: SegmentsInput) -> ApiResult<Segments> {
        let mut errors = FieldErrors::new();
        if i.segments.len() > 20 {
            errors.insert("segments".into(), "at most 20 segments".into());
        }
        let segments: Vec<Option<Segment>> = i
            .segments
            .iter()
            .enumerate()
            .map(|(n, g)| {
                let kind = parse_enum!(errors, format!("segments[{n}].kind"), SegmentKind, g.kind);
                let title = text(
                    &mut errors,
                    &format!("segments[{n}].title"),
                    &g.title,
                    0,
                    200,
                );
                if !(1..=480).contains(&g.minutes) {
                    errors.insert(
                        format!("segments[{n}].minutes"),
                        "must be from 1 to 480".into(),
                    );
                }
                Some(Segment {
                    kind: kind?,
                    title: title?,
                    minutes: g.minutes,
                })
            })
            .collect();
        match segments.into_iter().collect::<Option<Vec<_>>>() {
            Some(segments) if errors.is_empty() => Ok(Segments(segments)),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `POST /sessions/{id}/queue`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    #[schemars(with = "Mode")]
    pub mode: String,
}

impl TryFrom<JoinInput> for Mode {
    type Error = ApiError;
    fn try_from(i: JoinInput) -> ApiResult<Mode> {
        Mode::parse(i.mode.trim())
            .ok_or_else(|| ApiError::field("mode", "must be onsite or remote"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn every_problem_of_an_event_is_told_at_once() {
        let e = CreateEvent::try_from(EventInput {
            slug: "bad one".into(),
            name: "".into(),
            theme: String::new(),
            venue: String::new(),
            timezone: "Mars/Olympus".into(),
            starts_on: "2025-13-01".into(),
            ends_on: "2025-01-01".into(),
            subthemes: vec![String::new()],
        })
        .unwrap_err();
        let fields = e.fields.unwrap();
        for f in ["slug", "name", "timezone", "starts_on", "subthemes[0]"] {
            assert!(fields.contains_key(f), "{f}: {fields:?}");
        }
    }

    #[test]
    fn agenda_filters_are_typed_and_blank_ones_ignored() {
        let a = Agenda::try_from(AgendaQuery {
            session_type: Some("workshop".into()),
            format: Some(String::new()),
            tz: Some("Asia/Kolkata".into()),
            ..AgendaQuery::default()
        })
        .unwrap();
        assert_eq!(a.filter.session_type, Some(SessionType::Workshop));
        assert_eq!(a.filter.format, None);
        assert_eq!(a.tz, Some(chrono_tz::Asia::Kolkata));
        let e = Agenda::try_from(AgendaQuery {
            session_type: Some("keynote".into()),
            day: Some("27-10-2025".into()),
            tz: Some("Mars/Olympus".into()),
            ..AgendaQuery::default()
        })
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidQuery);
        assert_eq!(e.fields.unwrap().len(), 3);
    }

    #[test]
    fn decisions_are_verdicts() {
        let d = |s: &str| {
            Decision::try_from(DecisionInput {
                decision: s.into(),
                note: String::new(),
                merged_into: None,
                carry_speakers: false,
            })
        };
        assert_eq!(d("accepted").unwrap().verdict, Verdict::Accepted);
        // A merge names what it joins.
        assert!(d("merged").is_err());
        assert!(d("submitted").is_err());
        assert!(d("maybe").is_err());
    }
}

/// `POST /speaker-confirmations`: a speaker's answer, with the link's token.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerConfirmationInput {
    /// The `token` of the link in the mail.
    pub token: String,
    /// `confirmed` or `declined`.
    #[schemars(with = "crate::events::types::SpeakerAnswer")]
    pub answer: String,
}

/// `POST /proposals/{id}/speakers/{n}/confirmation?token=&answer=`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerLinkQuery {
    /// The `token` of the link in the mail.
    pub token: String,
    /// `confirmed` (default) or `declined`.
    pub answer: Option<String>,
}

impl TryFrom<SpeakerLinkQuery> for SpeakerConfirmation {
    type Error = ApiError;
    fn try_from(q: SpeakerLinkQuery) -> ApiResult<SpeakerConfirmation> {
        SpeakerConfirmation::try_from(SpeakerConfirmationInput {
            token: q.token,
            answer: q.answer.unwrap_or_else(|| "confirmed".into()),
        })
    }
}

pub struct SpeakerConfirmation {
    pub token: String,
    pub answer: crate::events::types::SpeakerAnswer,
}

impl TryFrom<SpeakerConfirmationInput> for SpeakerConfirmation {
    type Error = ApiError;
    fn try_from(i: SpeakerConfirmationInput) -> ApiResult<SpeakerConfirmation> {
        use crate::events::types::SpeakerAnswer;
        match SpeakerAnswer::parse(i.answer.trim()) {
            Some(answer @ (SpeakerAnswer::Confirmed | SpeakerAnswer::Declined)) => {
                Ok(SpeakerConfirmation {
                    token: i.token,
                    answer,
                })
            }
            _ => Err(ApiError::field("answer", "must be confirmed or declined")),
        }
    }
}
