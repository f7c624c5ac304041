//! The demo IGF's year around its week: twenty sessions accepted late and placed by the
//! schedule solver into the free slots, an evaluation round on a dozen new proposals
//! (a blind rubric, a panel across groups and regions, most evaluations done and the
//! co-facilitator's still to do), intersessional bodies of every kind with members,
//! sessions and an output open for comment, and the draft IGF messages from the reports.

use chrono::NaiveTime;

use crate::accounts::store as accounts;
use crate::accounts::types::{Country, StakeholderGroup};
use crate::bodies::store as bodies;
use crate::bodies::types::{BodyKind, NewBody};
use crate::consultations::importer::{self, Format};
use crate::consultations::store as cstore;
use crate::consultations::types::Status;
use crate::db::{now, Tx};
use crate::error::{ApiError, ApiResult};
use crate::events::evaluation::{self as ev, Criterion, Rubric};
use crate::events::planning::ProposalRequest;
use crate::events::types::{ProposalStatus, SessionFormat, SessionType, Speaker};
use crate::events::{messages, proposals, reports, schedule, solver, store as events};

const EVENT: &str = "igf-2026-demo";

fn account(tx: &mut Tx, local: &str) -> ApiResult<i64> {
    accounts::find_by_email(tx, &format!("{local}@demo.indaba.example"))?
        .map(|u| u.id)
        .ok_or_else(|| ApiError::internal(format!("demo account {local} missing")))
}

fn speaker(name: &str, org: &str, group: StakeholderGroup, country: &str) -> ApiResult<Speaker> {
    let c = Country::parse(country).map_err(ApiError::internal)?;
    Ok(Speaker {
        name: name.into(),
        email: None,
        organization: org.into(),
        stakeholder_group: group,
        country: c.code(),
        region: c.region.as_str().to_owned(),
        gender: None,
    })
}

/// Adds the year to the demo event once (nothing when the bodies exist already).
pub fn year(tx: &mut Tx) -> ApiResult<String> {
    if !bodies::list(tx, &Default::default())?.is_empty() {
        return Ok("the demo year was there already".into());
    }
    let event = events::resolve(tx, EVENT)?;
    let organizer = account(tx, "organizer")?;
    let placed = late_sessions(tx, &event, organizer)?;
    let evaluations = evaluation_round(tx, &event)?;
    let made = body_of_every_kind(tx, &event, organizer)?;
    let drafted = messages::draft(&reports::compile(tx, event.id)?);
    messages::replace(tx, event.id, &drafted)?;
    Ok(format!(
        "{placed} late session(s) placed by the solver, {evaluations} evaluation(s), {made} bod(ies), {} draft message(s)",
        drafted.len()
    ))
}

/// Twenty sessions accepted after the week was laid out, placed by the solver.
fn late_sessions(tx: &mut Tx, event: &events::EventRow, organizer: i64) -> ApiResult<usize> {
    let groups = StakeholderGroup::ALL;
    let countries = ["TZ", "PE", "BD", "MN", "JO", "FJ", "SE", "CR"];
    for n in 0..20 {
        let subthemes = event.subthemes();
        let proposal = proposals::NewProposal {
            title: format!("Late-breaking dialogue {}: what changed this year", n + 1),
            session_type: SessionType::ALL[n % SessionType::ALL.len()],
            subtheme: subthemes[n % subthemes.len().max(1)].clone(),
            format: SessionFormat::Hybrid,
            description: "Accepted after the programme was laid out; the schedule solver found its room and time.".into(),
            policy_questions: vec!["What should the next IGF take up?".into()],
            speakers: (0..2)
                .map(|k| {
                    speaker(
                        &format!("Late speaker {}-{k}", n + 1),
                        "Late network",
                        groups[(n + k) % groups.len()],
                        countries[(n + k) % countries.len()],
                    )
                })
                .collect::<ApiResult<_>>()?,
            moderator_name: format!("Late moderator {}", n + 1),
            rapporteur_name: format!("Late rapporteur {}", n + 1),
        };
        let id = proposals::insert(tx, event.id, organizer, &proposal)?;
        let p = proposals::get(tx, id)?;
        proposals::decide(
            tx,
            &p,
            ProposalStatus::Accepted,
            "Accepted late (demo)",
            None,
        )?;
    }
    let grid = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let req = ProposalRequest {
        days: None,
        day_starts: grid(9, 0),
        day_ends: grid(19, 15),
        slot_minutes: 75,
        break_minutes: 15,
        reschedule: false,
        apply: true,
        partial: true,
    };
    let read = crate::events::usecase::planning::read_problem(tx, event.id, &req)?;
    let solution = solver::solve(&read.problem);
    let rows: std::collections::HashMap<i64, schedule::SessionRow> = schedule::all(tx, event.id)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut placed = 0;
    for p in &solution.placed {
        let Some(s) = rows.get(&p.session_id) else {
            continue;
        };
        let slot = schedule::Slot {
            room_id: p.room_id,
            starts: read.grid[p.slot].starts,
            ends: read.grid[p.slot].ends,
        };
        schedule::place(tx, s, slot)?;
        placed += 1;
    }
    Ok(placed)
}

/// A dozen proposals for the next call, a blind rubric and a panel of seven; all but
/// the co-facilitator have evaluated what they were given.
fn evaluation_round(tx: &mut Tx, event: &events::EventRow) -> ApiResult<usize> {
    let proposers = [
        "wanjiru",
        "li.wei",
        "karim",
        "sofia",
        "pierre",
        "amara.okafor",
    ];
    let topics = [
        "Connecting the last billion through community networks",
        "Children's rights in online platforms",
        "Submarine cables and resilience",
        "Local languages in artificial intelligence",
        "Digital public infrastructure for small states",
        "Cyber hygiene for small businesses",
        "Open data for climate action",
        "Gender-based violence online",
        "Internet shutdowns and elections",
        "Spectrum for rural broadband",
        "Youth voices in Internet governance",
        "Trust in digital identity",
    ];
    let groups = StakeholderGroup::ALL;
    let countries = ["KE", "CN", "EG", "MX", "FR", "NG", "IN", "BR", "PL", "JP"];
    for (n, topic) in topics.iter().enumerate() {
        let proposer = account(tx, proposers[n % proposers.len()])?;
        let subthemes = event.subthemes();
        let proposal = proposals::NewProposal {
            title: (*topic).into(),
            session_type: SessionType::ALL[n % SessionType::ALL.len()],
            subtheme: subthemes[n % subthemes.len().max(1)].clone(),
            format: SessionFormat::ALL[n % SessionFormat::ALL.len()],
            description: format!("A session on {}: evidence from every region, and what each stakeholder group can do next.", topic.to_lowercase()),
            policy_questions: vec![format!("What would make progress on {} measurable?", topic.to_lowercase())],
            speakers: (0..3)
                .map(|k| {
                    let i = n * 3 + k;
                    speaker(
                        &format!("Proposed speaker {}", i + 1),
                        &format!("Organisation {}", i % 9 + 1),
                        groups[i % groups.len()],
                        countries[i % countries.len()],
                    )
                })
                .collect::<ApiResult<_>>()?,
            moderator_name: format!("Proposed moderator {}", n + 1),
            rapporteur_name: format!("Proposed rapporteur {}", n + 1),
        };
        proposals::insert(tx, event.id, proposer, &proposal)?;
    }
    let panel: Vec<i64> = [
        "cofacilitator",
        "wanjiru",
        "li.wei",
        "karim",
        "sofia",
        "pierre",
        "ingrid.larsen",
    ]
    .iter()
    .map(|local| account(tx, local))
    .collect::<ApiResult<_>>()?;
    let mut sorted = panel.clone();
    sorted.sort_unstable();
    ev::replace_panel(tx, event.id, &sorted)?;
    let criterion = |key: &str, name: &str, weight: i32| Criterion {
        key: key.into(),
        name: name.into(),
        weight,
    };
    ev::replace_rubric(
        tx,
        event.id,
        &Rubric {
            criteria: vec![
                criterion("relevance", "Relevance to the IGF's theme", 3),
                criterion("diversity", "Diversity of speakers and views", 2),
                criterion("feasibility", "Feasibility of the format", 1),
            ],
            per_proposal: 3,
            blind: true,
        },
    )?;
    crate::events::usecase::evaluation::assign_all(tx, event.id)?;
    let criteria = ev::criteria(tx, event.id)?;
    let mut done = 0;
    for evaluator in panel.iter().skip(1) {
        for proposal_id in ev::assigned_to(tx, *evaluator)? {
            let scores = criteria
                .iter()
                .enumerate()
                .map(|(k, c)| (c.id, 1 + ((proposal_id + evaluator + k as i64) % 5) as i32))
                .collect();
            let weighted = ev::weighted(&scores, &criteria);
            ev::save(
                tx,
                proposal_id,
                *evaluator,
                &scores,
                weighted,
                "Clear questions; the speakers could come from more regions.",
            )?;
            done += 1;
        }
    }
    Ok(done)
}

/// (name, kind, country, description, coordinator, members), the accounts by the local
/// part of their demo address.
type DemoBody = (
    &'static str,
    BodyKind,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// One body of each kind (and a regional and a youth initiative), with coordinators,
/// members, a few of the week's sessions, and a coalition's report open for comment.
fn body_of_every_kind(tx: &mut Tx, event: &events::EventRow, organizer: i64) -> ApiResult<usize> {
    let list: [DemoBody; 7] = [
        (
            "Kenya IGF",
            BodyKind::Nri,
            Some("KE"),
            "The national Internet Governance Forum of Kenya, held every year since 2008.",
            "wanjiru",
            &["amara.okafor", "tendai.moyo"],
        ),
        (
            "African IGF",
            BodyKind::Nri,
            None,
            "The regional IGF of Africa, hosted in turn by member states of the African Union.",
            "fatou.ndiaye",
            &["youssef.benali", "karim"],
        ),
        (
            "Youth IGF Brazil",
            BodyKind::Nri,
            Some("BR"),
            "Young people's IGF of Brazil: a youth initiative of the national IGF.",
            "camila.souza",
            &["mateo.rojas"],
        ),
        (
            "Dynamic Coalition on Community Connectivity",
            BodyKind::DynamicCoalition,
            None,
            "Community networks and the policies that let them grow.",
            "diego.herrera",
            &["sione.tupou", "priya.sharma", "anna.nowak"],
        ),
        (
            "Best Practice Forum on Cybersecurity",
            BodyKind::BestPracticeForum,
            None,
            "How cybersecurity norms are put into practice, case by case.",
            "sarah.thompson",
            &["dmitri.sokolov"],
        ),
        (
            "Policy Network on Meaningful Access",
            BodyKind::PolicyNetwork,
            None,
            "Connectivity, digital inclusion and capacity development, together.",
            "nguyen.thi.lan",
            &["li.wei", "valentina.cruz"],
        ),
        (
            "Policy Network on Artificial Intelligence",
            BodyKind::PolicyNetwork,
            None,
            "AI governance from the Global South and North alike.",
            "hiroshi.tanaka",
            &["aroha.ngata", "michael.brown"],
        ),
    ];
    let sessions = schedule::all(tx, event.id)?;
    let mut made = 0;
    for (n, (name, kind, country, description, coordinator, members)) in
        list.into_iter().enumerate()
    {
        let country = country
            .map(Country::parse)
            .transpose()
            .map_err(ApiError::internal)?;
        let id = bodies::insert(
            tx,
            &NewBody {
                name: name.into(),
                kind,
                region: match (country.as_ref(), n) {
                    (Some(c), _) => Some(c.region),
                    (None, 1) => Some(crate::accounts::types::Region::African),
                    _ => None,
                },
                country,
                description: description.into(),
                contact_email: Some(format!("contact{}@bodies.demo.indaba.example", n + 1)),
                website: None,
            },
        )?;
        let coordinator = account(tx, coordinator)?;
        bodies::set_coordinators(tx, id, &[coordinator])?;
        for m in members {
            let member = account(tx, m)?;
            bodies::join(tx, id, member)?;
        }
        let linked: Vec<i64> = sessions.iter().skip(n * 5).take(2).map(|s| s.id).collect();
        bodies::set_sessions(tx, id, &linked, true)?;
        if kind == BodyKind::DynamicCoalition {
            output(tx, id, coordinator, organizer)?;
        }
        made += 1;
    }
    Ok(made)
}

/// The coalition's annual report: a consultation open for comment, its coordinator
/// co-facilitating.
fn output(tx: &mut Tx, body: i64, coordinator: i64, organizer: i64) -> ApiResult<()> {
    let id = cstore::create(
        tx,
        &cstore::NewConsultation {
            slug: "dc3-annual-report-2026".into(),
            title: "Dynamic Coalition on Community Connectivity: annual report 2026 (demo)".into(),
            description: "The coalition's yearly output, open for public comment before the IGF."
                .into(),
            language: "en".into(),
            opens_at: Some(now() - chrono::Duration::days(3)),
            closes_at: Some(now() + chrono::Duration::days(45)),
            created_by: Some(organizer),
            participation: Default::default(),
            timezone: cstore::DEFAULT_TIMEZONE,
        },
    )?;
    let source = "# Annual report 2026\n\n## Findings\n\n1. Community networks connected people in places no operator serves.\n\n2. Licence-exempt and shared spectrum made most of them possible.\n\n## Recommendations\n\n3. Regulators should set aside affordable spectrum for community networks.\n\n4. Universal service funds should be open to community operators.\n";
    let doc = importer::parse(source, Format::Markdown)
        .map_err(|e| ApiError::internal(format!("demo output: {e}")))?;
    let (paragraphs, footnotes): (Vec<cstore::DraftParagraph>, _) = doc.into();
    let row = cstore::resolve(tx, &id.to_string())?;
    cstore::insert_version(
        tx,
        &row,
        "v1",
        "markdown",
        paragraphs,
        &footnotes,
        Some(coordinator),
    )?;
    let row = cstore::resolve(tx, &id.to_string())?;
    cstore::update(
        tx,
        &row,
        cstore::Changes {
            status: Some(Status::Open),
            ..Default::default()
        },
    )?;
    cstore::set_cofacilitators(tx, id, &[coordinator])?;
    bodies::add_output(tx, body, id)
}
