//! The IGF messages of an event: drafted from its session reports per sub-theme, each
//! message citing the sessions whose reports say it; edited by the organisers; published
//! as a consultation for public comment (the paragraph-comment machinery), then as final
//! with their sources. The draft is extractive: similar report lines are one message,
//! in the words of the line closest to the others, citing every session that said it;
//! nothing is said that no report says. The drafting is a pure function, tested below.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::view::EventReport;
use crate::accounts::types::string_enum;
use crate::consultations::text::{is_cjk, tokens};
use crate::db::schema::{igf_message_sets, igf_messages, session_reports, sessions};
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::text;

string_enum!(
    /// Where the messages are: a draft for the organisers, open for public comment as a
    /// consultation, or final.
    MessageStage {
        Draft => "draft",
        Consultation => "consultation",
        Final => "final",
    }
);

/// Lines at least this alike (shared words over all words) are one message.
const ALIKE: f64 = 0.5;
/// At most this many messages per event.
pub const MAX_MESSAGES: usize = 500;

// ---- drafting ----------------------------------------------------------------------

/// A line of a report: what the session said.
#[derive(Debug, Clone)]
pub struct Line {
    pub session_id: i64,
    pub text: String,
}

/// A drafted message: its words, and the sessions it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Drafted {
    pub subtheme: String,
    pub text: String,
    pub sources: Vec<i64>,
}

/// Words to compare lines by: words of three letters or more, lower case, and each
/// Han, kana or Hangul character (those scripts write no spaces), as the consultations'
/// tokens cut them. Not the consultations' similarity, which counts every word: report
/// lines are short, and "AI in health" is not "AI in education" for sharing "AI in".
fn words(text: &str) -> HashSet<String> {
    tokens(text)
        .into_iter()
        .filter_map(|t| {
            let mut chars = t.chars();
            let first = chars.next()?;
            if is_cjk(first) {
                return Some(t.to_owned());
            }
            (first.is_alphanumeric() && t.chars().count() >= 3).then(|| t.to_lowercase())
        })
        .collect()
}

fn alike(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// One sub-theme's lines as messages: each line joins the first group it is alike to
/// (greedy, in report order); a group speaks in the words of its most central line. The
/// messages said by more sessions come first.
pub fn draft_subtheme(subtheme: &str, lines: &[Line]) -> Vec<Drafted> {
    let sets: Vec<HashSet<String>> = lines.iter().map(|l| words(&l.text)).collect();
    let mut groups: Vec<Vec<usize>> = vec![];
    for (i, set) in sets.iter().enumerate() {
        let home = groups
            .iter_mut()
            .find(|g| g.iter().any(|&j| alike(set, &sets[j]) >= ALIKE));
        match home {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    let mut drafted: Vec<(usize, Drafted)> = groups
        .into_iter()
        .map(|g| {
            let central = g
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let score =
                        |x: usize| g.iter().map(|&y| alike(&sets[x], &sets[y])).sum::<f64>();
                    score(a)
                        .partial_cmp(&score(b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                        // Ties: the earlier line.
                        .then(b.cmp(&a))
                })
                .unwrap_or(g[0]);
            let sources: BTreeSet<i64> = g.iter().map(|&i| lines[i].session_id).collect();
            (
                g[0],
                Drafted {
                    subtheme: subtheme.to_owned(),
                    text: lines[central].text.trim().to_owned(),
                    sources: sources.into_iter().collect(),
                },
            )
        })
        .collect();
    drafted.sort_by(|(a_first, a), (b_first, b)| {
        b.sources
            .len()
            .cmp(&a.sources.len())
            .then(a_first.cmp(b_first))
    });
    drafted.into_iter().map(|(_, d)| d).collect()
}

/// The whole event's draft, sub-theme by sub-theme: takeaways and calls to action alike.
pub fn draft(report: &EventReport) -> Vec<Drafted> {
    report
        .subthemes
        .iter()
        .flat_map(|s| {
            let lines: Vec<Line> = s
                .key_takeaways
                .iter()
                .chain(&s.calls_to_action)
                .filter(|l| !l.text.trim().is_empty())
                .map(|l| Line {
                    session_id: l.session_id,
                    text: l.text.clone(),
                })
                .collect();
            draft_subtheme(&s.subtheme, &lines)
        })
        .collect()
}

// ---- inputs ------------------------------------------------------------------------

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// 1 to 200 characters.
    pub subtheme: String,
    /// 1 to 2,000 characters.
    pub text: String,
    /// The sessions whose reports it comes from (1 to 100; each of the event, with a
    /// report).
    pub sources: Vec<i64>,
}

/// `PUT /events/{id}/messages`: every message, in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagesInput {
    pub messages: Vec<MessageInput>,
}

/// `POST /events/{id}/messages/consultation`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationInput {
    /// The consultation's slug (3 to 80 lower-case letters, digits and hyphens); the
    /// event's slug and `-messages` when absent.
    pub slug: Option<String>,
    /// RFC 3339: when comments close.
    pub closes_at: Option<String>,
}

impl TryFrom<MessagesInput> for Vec<Drafted> {
    type Error = ApiError;
    fn try_from(i: MessagesInput) -> ApiResult<Vec<Drafted>> {
        let mut errors = FieldErrors::new();
        if i.messages.len() > MAX_MESSAGES {
            errors.insert(
                "messages".into(),
                format!("at most {MAX_MESSAGES} messages"),
            );
        }
        let mut out = vec![];
        for (n, m) in i.messages.into_iter().enumerate() {
            let subtheme = text(
                &mut errors,
                &format!("messages[{n}].subtheme"),
                &m.subtheme,
                1,
                200,
            );
            let words = text(
                &mut errors,
                &format!("messages[{n}].text"),
                &m.text,
                1,
                2000,
            );
            let mut sources = m.sources;
            sources.sort_unstable();
            sources.dedup();
            if sources.is_empty() || sources.len() > 100 {
                errors.insert(
                    format!("messages[{n}].sources"),
                    "1 to 100 sessions whose reports say it".into(),
                );
            }
            if let (Some(subtheme), Some(text)) = (subtheme, words) {
                out.push(Drafted {
                    subtheme,
                    text,
                    sources,
                });
            }
        }
        match errors.is_empty() {
            true => Ok(out),
            false => Err(ApiError::validation(errors)),
        }
    }
}

// ---- views -------------------------------------------------------------------------

/// A session a message cites.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourceView {
    pub session_id: i64,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MessageView {
    pub id: i64,
    pub subtheme: String,
    /// From 1, across the event.
    pub number: usize,
    pub text: String,
    pub sources: Vec<SourceView>,
}

/// The consultation the draft was opened for comment in.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MessagesConsultation {
    pub id: i64,
    pub slug: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MessagesView {
    pub event_id: i64,
    pub stage: MessageStage,
    pub consultation: Option<MessagesConsultation>,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub messages: Vec<MessageView>,
}

// ---- rows --------------------------------------------------------------------------

pub struct SetRow {
    pub stage: MessageStage,
    pub consultation_id: Option<i64>,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

pub fn set_of(conn: &mut DbConn, event_id: i64) -> ApiResult<Option<SetRow>> {
    let row: Option<(String, Option<i64>, NaiveDateTime, Option<NaiveDateTime>)> =
        igf_message_sets::table
            .find(event_id)
            .select((
                igf_message_sets::stage,
                igf_message_sets::consultation_id,
                igf_message_sets::updated_at,
                igf_message_sets::published_at,
            ))
            .first(conn)
            .optional()?;
    row.map(|(stage, consultation_id, updated_at, published_at)| {
        Ok(SetRow {
            stage: MessageStage::try_from(stage).map_err(ApiError::internal)?,
            consultation_id,
            updated_at,
            published_at,
        })
    })
    .transpose()
}

/// 409 unless the messages may still change (not final).
pub fn editable(set: Option<&SetRow>) -> ApiResult<()> {
    match set.map(|s| s.stage) {
        Some(MessageStage::Final) => Err(ApiError::new(
            ErrorCode::AlreadyDecided,
            "the messages are final: they no longer change",
        )),
        _ => Ok(()),
    }
}

/// Sources that are no session of the event with a report: 422, named.
pub fn check_sources(conn: &mut DbConn, event_id: i64, messages: &[Drafted]) -> ApiResult<()> {
    let reported: HashSet<i64> = session_reports::table
        .inner_join(sessions::table)
        .filter(sessions::event_id.eq(event_id))
        .select(sessions::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut errors = FieldErrors::new();
    for (n, m) in messages.iter().enumerate() {
        let bad: Vec<String> = m
            .sources
            .iter()
            .filter(|s| !reported.contains(s))
            .map(|s| s.to_string())
            .collect();
        if !bad.is_empty() {
            errors.insert(
                format!("messages[{n}].sources"),
                format!("no report of a session of this event: {}", bad.join(", ")),
            );
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(ApiError::validation(errors)),
    }
}

/// Replaces the messages; the stage stays (a draft when there was none).
pub fn replace(conn: &mut DbConn, event_id: i64, messages: &[Drafted]) -> ApiResult<()> {
    diesel::delete(igf_messages::table.filter(igf_messages::event_id.eq(event_id)))
        .execute(conn)?;
    for (position, m) in messages.iter().enumerate() {
        let sources = serde_json::to_string(&m.sources).map_err(ApiError::internal)?;
        diesel::insert_into(igf_messages::table)
            .values((
                igf_messages::event_id.eq(event_id),
                igf_messages::subtheme.eq(&m.subtheme),
                igf_messages::position.eq(position as i32),
                igf_messages::text.eq(&m.text),
                igf_messages::sources.eq(sources),
            ))
            .execute(conn)?;
    }
    match set_of(conn, event_id)? {
        Some(_) => {
            diesel::update(igf_message_sets::table.find(event_id))
                .set(igf_message_sets::updated_at.eq(now()))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(igf_message_sets::table)
                .values((
                    igf_message_sets::event_id.eq(event_id),
                    igf_message_sets::stage.eq(MessageStage::Draft.as_str()),
                    igf_message_sets::updated_at.eq(now()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn set_stage(
    conn: &mut DbConn,
    event_id: i64,
    stage: MessageStage,
    consultation_id: Option<i64>,
) -> ApiResult<()> {
    diesel::update(igf_message_sets::table.find(event_id))
        .set((
            igf_message_sets::stage.eq(stage.as_str()),
            igf_message_sets::updated_at.eq(now()),
            igf_message_sets::published_at.eq(Some(now())),
        ))
        .execute(conn)?;
    if let Some(id) = consultation_id {
        diesel::update(igf_message_sets::table.find(event_id))
            .set(igf_message_sets::consultation_id.eq(Some(id)))
            .execute(conn)?;
    }
    Ok(())
}

/// The messages in order, each with the sessions it cites.
pub fn messages(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<MessageView>> {
    let rows: Vec<(i64, String, String, String)> = igf_messages::table
        .filter(igf_messages::event_id.eq(event_id))
        .order(igf_messages::position)
        .select((
            igf_messages::id,
            igf_messages::subtheme,
            igf_messages::text,
            igf_messages::sources,
        ))
        .load(conn)?;
    let titles: BTreeMap<i64, String> = sessions::table
        .filter(sessions::event_id.eq(event_id))
        .select((sessions::id, sessions::title))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(n, (id, subtheme, text, sources))| {
            let ids: Vec<i64> = serde_json::from_str(&sources).unwrap_or_default();
            MessageView {
                id,
                subtheme,
                number: n + 1,
                text,
                // A session deleted since is no source any more.
                sources: ids
                    .into_iter()
                    .filter_map(|s| {
                        titles.get(&s).map(|title| SourceView {
                            session_id: s,
                            title: title.clone(),
                        })
                    })
                    .collect(),
            }
        })
        .collect())
}

/// The messages as a Markdown text for the consultation: a heading per sub-theme, a
/// numbered paragraph per message (numbered across the event, as the view numbers them).
pub fn markdown(title: &str, messages: &[MessageView]) -> String {
    let mut out = format!("# {title}\n\n");
    let mut current: Option<&str> = None;
    for m in messages {
        if current != Some(m.subtheme.as_str()) {
            out.push_str(&format!("## {}\n\n", m.subtheme.replace('\n', " ")));
            current = Some(&m.subtheme);
        }
        out.push_str(&format!("{}. {}\n\n", m.number, m.text.replace('\n', " ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(session_id: i64, text: &str) -> Line {
        Line {
            session_id,
            text: text.into(),
        }
    }

    #[test]
    fn alike_lines_are_one_message_citing_every_session() {
        let lines = [
            line(1, "Meaningful access needs affordable devices and skills"),
            line(2, "Data governance must respect human rights"),
            line(
                3,
                "Affordable devices and digital skills are needed for meaningful access",
            ),
            line(
                4,
                "Meaningful access needs affordable devices, skills and local content",
            ),
        ];
        let drafted = draft_subtheme("Access", &lines);
        assert_eq!(drafted.len(), 2, "{drafted:?}");
        assert_eq!(drafted[0].sources, vec![1, 3, 4]);
        assert!(drafted[0].text.contains("affordable devices"));
        assert_eq!(drafted[1].sources, vec![2]);
        assert_eq!(drafted[1].text, "Data governance must respect human rights");
    }

    #[test]
    fn short_words_do_not_make_lines_alike() {
        let lines = [
            line(1, "AI in health"),
            line(2, "AI in education"),
            line(3, "网络安全与数据保护"),
            line(4, "数据安全与网络保护"),
        ];
        let drafted = draft_subtheme("AI", &lines);
        let sources: Vec<Vec<i64>> = drafted.iter().map(|d| d.sources.clone()).collect();
        assert_eq!(sources, vec![vec![3, 4], vec![1], vec![2]], "{drafted:?}");
    }

    #[test]
    fn han_text_is_compared_by_characters() {
        let lines = [
            line(1, "缩小数字鸿沟需要负担得起的接入"),
            line(2, "缩小数字鸿沟需要可负担的接入"),
            line(3, "人工智能治理需要多利益相关方参与"),
        ];
        let drafted = draft_subtheme("接入", &lines);
        assert_eq!(drafted.len(), 2, "{drafted:?}");
        assert_eq!(drafted[0].sources, vec![1, 2]);
    }

    #[test]
    fn the_markdown_heads_each_subtheme_once_and_numbers_across() {
        let m = |n: usize, s: &str, t: &str| MessageView {
            id: n as i64,
            subtheme: s.into(),
            number: n,
            text: t.into(),
            sources: vec![],
        };
        let text = markdown(
            "IGF 2025 messages",
            &[
                m(1, "Access", "One."),
                m(2, "Access", "Two."),
                m(3, "Trust", "Three."),
            ],
        );
        assert_eq!(
            text,
            "# IGF 2025 messages\n\n## Access\n\n1. One.\n\n2. Two.\n\n## Trust\n\n3. Three.\n\n"
        );
    }
}
