//! Demo data, written by us, loaded by `indaba seed demo` and `indaba serve --demo`:
//! accounts of every stakeholder group and region, and an open consultation on a draft in
//! English with its French and Chinese translations (one text, three languages, comments
//! attached to the paragraphs), with comments, replies, amendments, endorsements and a
//! small mass campaign, in the six UN languages; and a short declaration walked through
//! every phase of a negotiation to its adoption.

mod igf;
mod negotiation;

use std::collections::HashMap;

use serde::Deserialize;

use crate::accounts::{password, store, types};
use crate::consultations::comments::{self, NewComment};
use crate::consultations::importer::{self, Format};
use crate::consultations::store as cstore;
use crate::consultations::translation;
use crate::consultations::types::{CommentKind, Status};
use crate::db::Tx;
use crate::db::{now, Db};
use crate::error::ApiResult;

const DEMO: &str = include_str!("../../../seeds/demo.json");
const COMMENTS: &str = include_str!("../../../seeds/comments.json");
const EVENT: &str = include_str!("../../../seeds/event.json");

fn draft(name: &str) -> Option<&'static str> {
    match name {
        "draft.en.md" => Some(include_str!("../../../seeds/draft.en.md")),
        "draft.fr.md" => Some(include_str!("../../../seeds/draft.fr.md")),
        "draft.zh.md" => Some(include_str!("../../../seeds/draft.zh.md")),
        "negotiation.en.md" => Some(include_str!("../../../seeds/negotiation.en.md")),
        _ => None,
    }
}

#[derive(Deserialize)]
struct Demo {
    password: String,
    users: Vec<DemoUser>,
    consultations: Vec<DemoConsultation>,
}

#[derive(Deserialize)]
struct DemoUser {
    email: String,
    name: String,
    stakeholder_group: String,
    organization: Option<String>,
    country: Option<String>,
    gender: Option<String>,
    language: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    cofacilitates: Vec<String>,
}

#[derive(Deserialize)]
struct DemoConsultation {
    slug: String,
    title: String,
    description: String,
    language: String,
    source: String,
    comments: usize,
    /// Its text in other languages: language → file, aligned by paragraph numbers.
    #[serde(default)]
    translations: std::collections::BTreeMap<String, String>,
    /// Walked through every phase to adoption (`negotiation.rs`) instead of the open
    /// consultation's comments.
    #[serde(default)]
    negotiation: bool,
}

#[derive(Deserialize)]
struct Texts {
    comments: HashMap<String, Vec<String>>,
    replies: HashMap<String, Vec<String>>,
    amendments: Vec<Amendment>,
    campaign: Campaign,
}

#[derive(Deserialize)]
struct Amendment {
    paragraph: String,
    lang: String,
    body: String,
    proposed_text: String,
}

#[derive(Deserialize)]
struct Campaign {
    paragraph: String,
    variants: Vec<String>,
}

/// A small deterministic generator: the same demo data on every machine.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

struct Participant {
    id: i64,
    language: String,
    organization: Option<String>,
}

/// Loads what is missing (accounts by email, consultations by slug), so running it
/// twice is harmless.
pub fn demo(db: &Db) -> Result<String, String> {
    let demo: Demo = serde_json::from_str(DEMO).map_err(|e| format!("seeds/demo.json: {e}"))?;
    let texts: Texts =
        serde_json::from_str(COMMENTS).map_err(|e| format!("seeds/comments.json: {e}"))?;
    let hash = password::hash(&demo.password).map_err(|e| e.message)?;
    let mut created = 0;
    for u in &demo.users {
        let group = types::StakeholderGroup::parse(&u.stakeholder_group)
            .ok_or_else(|| format!("seeds/demo.json: {}: bad stakeholder group", u.email))?;
        let country = u
            .country
            .as_deref()
            .map(types::Country::parse)
            .transpose()
            .map_err(|e| format!("seeds/demo.json: {}: country {e}", u.email))?;
        let roles: Vec<types::Role> = u
            .roles
            .iter()
            .filter_map(|r| types::Role::parse(r))
            .collect();
        let new = store::NewUser {
            email: u.email.clone(),
            password_hash: hash.clone(),
            display_name: u.name.clone(),
            stakeholder_group: group,
            organization: u.organization.clone(),
            country: country.map(|c| c.code()),
            region: country.map(|c| c.region.as_str().to_owned()),
            gender: u.gender.clone(),
            preferred_language: u.language.clone(),
            verified: true,
        };
        let inserted = db
            .tx_blocking(|conn| {
                if store::email_exists(conn, &new.email)? {
                    return Ok(false);
                }
                let id = store::insert_user(conn, &new)?;
                store::set_roles(conn, id, &roles)?;
                Ok(true)
            })
            .map_err(|e| e.message)?;
        created += usize::from(inserted);
    }

    let mut consultations = 0;
    let mut contributions = 0;
    for c in &demo.consultations {
        let made = db
            .tx_blocking(|conn| seed_consultation(conn, &demo, &texts, c))
            .map_err(|e| e.message)?;
        if let Some(n) = made {
            consultations += 1;
            contributions += n;
        }
    }
    let sessions = db.tx_blocking(seed_event).map_err(|e| e.message)?;
    let year = db.tx_blocking(igf::year).map_err(|e| e.message)?;
    Ok(format!(
        "demo data: {created} account(s) created, {} already there; {consultations} consultation(s) with {contributions} contribution(s) created; {sessions} scheduled session(s) created; the IGF's year: {year}; every demo password is {:?}",
        demo.users.len() - created,
        demo.password
    ))
}

fn seed_consultation(
    tx: &mut Tx,
    demo: &Demo,
    texts: &Texts,
    c: &DemoConsultation,
) -> ApiResult<Option<usize>> {
    if cstore::resolve(tx, &c.slug).is_ok() {
        return Ok(None);
    }
    let organizer = store::find_by_email(tx, "organizer@demo.indaba.example")?.map(|u| u.id);
    let id = cstore::create(
        tx,
        &cstore::NewConsultation {
            slug: c.slug.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            language: c.language.clone(),
            opens_at: Some(now() - chrono::Duration::days(7)),
            closes_at: Some(now() + chrono::Duration::days(60)),
            created_by: organizer,
            participation: Default::default(),
            timezone: cstore::DEFAULT_TIMEZONE,
        },
    )?;
    let row = cstore::resolve(tx, &id.to_string())?;
    let source = draft(&c.source).unwrap_or_default();
    let doc = importer::parse(source, Format::Markdown)
        .map_err(|e| crate::error::ApiError::internal(format!("{}: {e}", c.source)))?;
    let (paragraphs, footnotes): (Vec<cstore::DraftParagraph>, _) = doc.into();
    cstore::insert_version(
        tx,
        &row,
        "zero-draft",
        "markdown",
        paragraphs,
        &footnotes,
        organizer,
    )?;
    let row = cstore::resolve(tx, &id.to_string())?;
    let version_id = row.current_version_id.unwrap_or_default();
    let original = cstore::version_paragraphs(tx, version_id)?;
    for (language, file) in &c.translations {
        let doc = importer::parse(draft(file).unwrap_or_default(), Format::Markdown)
            .map_err(|e| crate::error::ApiError::internal(format!("{file}: {e}")))?;
        let (paragraphs, footnotes): (Vec<cstore::DraftParagraph>, _) = doc.into();
        let aligned = translation::align(&original, paragraphs, &c.language);
        if !aligned.report.is_whole() {
            return Err(crate::error::ApiError::internal(format!(
                "{file}: {}",
                aligned.report.problem()
            )));
        }
        translation::replace(
            tx,
            &translation::NewTranslation {
                version_id,
                original: c.language.clone(),
                language: language.clone(),
                source_format: "markdown".into(),
                footnotes,
                created_by: organizer,
                paragraphs: aligned.paragraphs,
            },
        )?;
    }
    cstore::update(
        tx,
        &row,
        cstore::Changes {
            status: Some(Status::Open),
            ..Default::default()
        },
    )?;

    if let (Some(by), false) = (organizer, c.negotiation) {
        use crate::consultations::phases::{self, Phase, PhaseInput};
        phases::set(
            tx,
            id,
            Some(by),
            PhaseInput {
                phase: Phase::Consultation,
                note: "Zero draft open for comment by all stakeholders".into(),
                stakeholders_comment: true,
            },
        )?;
    }

    let mut cofacilitators = Vec::new();
    let mut participants = Vec::new();
    for u in &demo.users {
        let Some(user) = store::find_by_email(tx, &u.email)? else {
            continue;
        };
        if u.cofacilitates.contains(&c.slug) {
            cofacilitators.push(user.id);
        }
        if u.roles.is_empty() && u.cofacilitates.is_empty() {
            participants.push(Participant {
                id: user.id,
                language: u.language.clone(),
                organization: u.organization.clone(),
            });
        }
    }
    cstore::set_cofacilitators(tx, id, &cofacilitators)?;
    if c.negotiation {
        let by = cofacilitators
            .first()
            .copied()
            .or(organizer)
            .unwrap_or_default();
        return negotiation::walk(tx, id, by).map(Some);
    }

    let version = cstore::version_paragraphs(tx, row.current_version_id.unwrap_or_default())?;
    let key_of = |number: &str| {
        version
            .iter()
            .find(|p| p.number == number)
            .map(|p| p.key.clone())
    };
    let mut rng = Lcg(id as u64 ^ 0x1d_ba);
    let mut posted: Vec<(i64, i64, Option<String>)> = Vec::new(); // (comment, author, paragraph)
    let comment =
        |tx: &mut Tx, new: NewComment| -> ApiResult<i64> { Ok(comments::insert(tx, &new)?.id) };
    let base = |author: &Participant| NewComment {
        consultation_id: Some(id),
        session_id: None,
        paragraph_key: None,
        parent_id: None,
        author_id: author.id,
        kind: CommentKind::Comment,
        body: String::new(),
        proposed_text: None,
        on_behalf_of: None,
        speaks_for: None,
        anonymous: false,
        language: author.language.clone(),
        version_label: Some("zero-draft".into()),
    };

    for i in 0..c.comments {
        let author = &participants[rng.below(participants.len())];
        let mut new = base(author);
        if i % 4 == 3 && !posted.is_empty() {
            let (parent, _, key) = posted[rng.below(posted.len())].clone();
            let replies = texts
                .replies
                .get(&author.language)
                .or_else(|| texts.replies.get("en"));
            new.body = replies
                .map(|r| r[rng.below(r.len())].clone())
                .unwrap_or_default();
            new.parent_id = Some(parent);
            new.paragraph_key = key;
        } else {
            let pool = texts
                .comments
                .get(&author.language)
                .or_else(|| texts.comments.get("en"));
            new.body = pool
                .map(|r| r[rng.below(r.len())].clone())
                .unwrap_or_default();
            new.paragraph_key =
                (rng.below(10) != 0).then(|| version[rng.below(version.len())].key.clone());
            new.anonymous = rng.below(12) == 0;
            new.on_behalf_of = if rng.below(3) == 0 {
                author.organization.clone()
            } else {
                None
            };
        }
        let key = new.paragraph_key.clone();
        let id = comment(tx, new)?;
        posted.push((id, author.id, key));
    }
    for a in &texts.amendments {
        let Some(author) = participants
            .iter()
            .find(|p| p.language == a.lang)
            .or(participants.first())
        else {
            break;
        };
        let mut new = base(author);
        new.kind = CommentKind::Amendment;
        new.body = a.body.clone();
        new.proposed_text = Some(a.proposed_text.clone());
        new.paragraph_key = key_of(&a.paragraph);
        new.language = a.lang.clone();
        let key = new.paragraph_key.clone();
        posted.push((comment(tx, new)?, author.id, key));
    }
    if c.language == "en" {
        // A mass campaign: near-identical inputs from many accounts.
        for (n, author) in participants.iter().take(15).enumerate() {
            let mut new = base(author);
            new.body = texts.campaign.variants[n % texts.campaign.variants.len()].clone();
            new.paragraph_key = key_of(&texts.campaign.paragraph);
            new.language = "en".into();
            let key = new.paragraph_key.clone();
            posted.push((comment(tx, new)?, author.id, key));
        }
    }
    for (comment_id, author, _) in &posted {
        let row = comments::get(tx, *comment_id)?;
        let wanted = rng.below(5);
        let mut endorsers: Vec<i64> = Vec::new();
        for _ in 0..wanted * 2 {
            let p = participants[rng.below(participants.len())].id;
            if p != *author && !endorsers.contains(&p) && endorsers.len() < wanted {
                endorsers.push(p);
                comments::usecase::endorse_as(tx, &row, p, None)?;
            }
        }
    }
    Ok(Some(posted.len()))
}

#[derive(Deserialize)]
struct DemoEvent {
    slug: String,
    name: String,
    theme: String,
    venue: String,
    timezone: String,
    starts_on: String,
    subthemes: Vec<String>,
    rooms: Vec<DemoRoom>,
    slots: Vec<String>,
    minutes: i64,
    sessions: usize,
    topics: Vec<String>,
    first_names: Vec<String>,
    last_names: Vec<String>,
    countries: Vec<String>,
}

#[derive(Deserialize)]
struct DemoRoom {
    name: String,
    capacity: i32,
}

/// An IGF week: five days, eight rooms, about 250 scheduled sessions of every type and
/// format, speakers of every stakeholder group and region. Nothing if the event exists.
fn seed_event(tx: &mut Tx) -> ApiResult<usize> {
    use crate::events::types::{SessionFormat, SessionType, Speaker};
    use crate::events::{proposals, schedule, store as events};
    use chrono::TimeZone;

    let e: DemoEvent = serde_json::from_str(EVENT).map_err(crate::error::ApiError::internal)?;
    if events::resolve(tx, &e.slug).is_ok() {
        return Ok(0);
    }
    let organizer = store::find_by_email(tx, "organizer@demo.indaba.example")?.map_or(0, |u| u.id);
    let tz = crate::events::types::parse_timezone(&e.timezone)
        .map_err(crate::error::ApiError::internal)?;
    let first =
        crate::events::types::parse_date(&e.starts_on).map_err(crate::error::ApiError::internal)?;
    let id = events::create(
        tx,
        &events::NewEvent {
            slug: e.slug.clone(),
            name: e.name.clone(),
            theme: e.theme.clone(),
            venue: e.venue.clone(),
            timezone: e.timezone.clone(),
            starts_on: first.to_string(),
            ends_on: (first + chrono::Duration::days(4)).to_string(),
            subthemes: e.subthemes.clone(),
            created_by: organizer,
        },
    )?;
    let event = events::resolve(tx, &id.to_string())?;
    events::update(
        tx,
        &event,
        events::Changes {
            published: Some(true),
            ..Default::default()
        },
    )?;
    let event = events::resolve(tx, &id.to_string())?;
    let rooms: Vec<_> = e
        .rooms
        .iter()
        .map(|r| {
            let room = crate::events::command::NewRoom {
                name: r.name.clone(),
                capacity: r.capacity,
                remote_link: Some(format!(
                    "https://meet.example.org/igf-2026/{}",
                    r.name.to_lowercase().replace(' ', "-")
                )),
                // The large rooms have interpretation into the six languages.
                interpretation: r.capacity >= 300,
            };
            events::add_room(tx, id, &room)
        })
        .collect::<ApiResult<_>>()?;
    let groups = crate::accounts::types::StakeholderGroup::ALL;
    let genders = [
        crate::accounts::types::Gender::Female,
        crate::accounts::types::Gender::Male,
        crate::accounts::types::Gender::NonBinary,
    ];
    let mut made = 0;
    let mut n = 0usize;
    'days: for day in 0..5 {
        for slot in &e.slots {
            for room in &rooms {
                if made >= e.sessions {
                    break 'days;
                }
                n += 1;
                let kind = SessionType::ALL[n % SessionType::ALL.len()];
                let format = SessionFormat::ALL[n % SessionFormat::ALL.len()];
                let topic = &e.topics[n % e.topics.len()];
                let speakers: Vec<Speaker> = (0..3)
                    .filter_map(|k| {
                        let i = n * 3 + k;
                        let country = crate::accounts::types::Country::parse(
                            &e.countries[i % e.countries.len()],
                        )
                        .ok()?;
                        Some(Speaker {
                            // Names are unique per session, so no speaker is in two rooms at once.
                            name: format!(
                                "{} {} ({n})",
                                e.first_names[i % e.first_names.len()],
                                e.last_names[(i * 7) % e.last_names.len()]
                            ),
                            email: None,
                            organization: format!(
                                "{} network",
                                e.last_names[(i * 5) % e.last_names.len()]
                            ),
                            stakeholder_group: groups[i % groups.len()],
                            country: country.code(),
                            region: country.region.as_str().to_owned(),
                            gender: Some(genders[i % genders.len()]),
                        })
                    })
                    .collect();
                let proposal = proposals::NewProposal {
                    title: format!("{topic} ({})", kind.as_str().replace('_', " ")),
                    session_type: kind,
                    subtheme: e.subthemes[n % e.subthemes.len()].clone(),
                    format,
                    description: format!("A {} on {}: what works, what does not, and what each stakeholder group can do next.", kind.as_str().replace('_', " "), topic.to_lowercase()),
                    policy_questions: vec![format!("What should governments and other stakeholders do about {}?", topic.to_lowercase())],
                    speakers,
                    moderator_name: format!("Moderator {n}"),
                    rapporteur_name: format!("Rapporteur {n}"),
                };
                let proposal_id = proposals::insert(tx, id, organizer, &proposal)?;
                let p = proposals::get(tx, proposal_id)?;
                let Some(session_id) = proposals::decide(
                    tx,
                    &p,
                    crate::events::types::ProposalStatus::Accepted,
                    "Accepted by the MAG (demo)",
                    None,
                )?
                else {
                    continue;
                };
                let start_local = chrono::NaiveTime::parse_from_str(slot, "%H:%M")
                    .map_err(crate::error::ApiError::internal)?;
                let local = (first + chrono::Duration::days(day)).and_time(start_local);
                let Some(starts) = tz
                    .from_local_datetime(&local)
                    .single()
                    .map(|t| t.naive_utc())
                else {
                    continue;
                };
                let ends = starts + chrono::Duration::minutes(e.minutes);
                let session = schedule::get(tx, session_id)?;
                schedule::set_slot(tx, &session, &event, room.id, starts, ends)?;
                // The week is over: a third of the sessions have their rapporteur's report.
                if n % 3 == 0 {
                    let topic = topic.to_lowercase();
                    let report = crate::events::reports::Report {
                        key_takeaways: vec![
                            format!("Progress on {topic} depends on cooperation between governments, the private sector, civil society and the technical community."),
                            format!("Participants asked for open data to measure {topic} in every region, not only in the largest economies."),
                        ],
                        calls_to_action: vec![format!(
                            "Fund local initiatives on {topic} and report on them at the next IGF."
                        )],
                        participants_onsite: 40 + (n as i32 * 7) % 160,
                        participants_online: 25 + (n as i32 * 11) % 300,
                        women_share: Some(0.35 + ((n % 30) as f64) / 100.0),
                    };
                    crate::events::reports::file(tx, &session, &report, organizer)?;
                }
                made += 1;
            }
        }
    }
    Ok(made)
}
