//! The demo negotiation: one short declaration walked through every phase, so that a
//! newcomer sees the whole process in the browser: a call for inputs, the zero draft and
//! stakeholders' comments, the negotiation among delegations (amendments tabled and
//! supported, the compilation's dispositions), rev1 with the accepted amendments, a
//! silence broken by one delegation's letter, rev2, a silence that held, and the
//! adoption under a document symbol. The silences ran in the past; the rest is written
//! through the same functions the API uses.

use chrono::Duration;
use diesel::prelude::*;

use crate::accounts::store as accounts;
use crate::consultations::comments::{self, NewComment};
use crate::consultations::phases::{self, Phase, PhaseInput};
use crate::consultations::store::{self as cstore, DraftParagraph};
use crate::consultations::types::CommentKind;
use crate::db::{now, Tx};
use crate::delegations::store as delegations;
use crate::delegations::types::{DelegationStatus, NewDelegation, SpeaksFor};
use crate::error::{ApiError, ApiResult};
use crate::negotiation::silence::{self, PastSilence};
use crate::negotiation::store::{self as nstore, DispositionRow};
use crate::negotiation::types::{Disposition, ParagraphStatus};
use crate::negotiation::usecase as compilation;
use crate::policy::Reader;

fn user(tx: &mut Tx, email: &str) -> ApiResult<i64> {
    accounts::find_by_email(tx, &format!("{email}@demo.indaba.example"))?
        .map(|u| u.id)
        .ok_or_else(|| ApiError::internal(format!("demo account {email} is missing")))
}

fn move_to(tx: &mut Tx, id: i64, by: i64, phase: Phase, note: &str) -> ApiResult<()> {
    phases::set(
        tx,
        id,
        Some(by),
        PhaseInput {
            phase,
            note: note.into(),
            stakeholders_comment: true,
        },
    )
    .map(|_| ())
}

/// A delegation by name, created when missing, with its delegate.
fn delegation(tx: &mut Tx, name: &str, country: &str, delegate: &str) -> ApiResult<i64> {
    let existing = delegations::all_delegations(tx)?
        .into_iter()
        .find(|d| d.name == name)
        .map(|d| d.id);
    let id = match existing {
        Some(id) => id,
        None => {
            let country =
                crate::accounts::types::Country::parse(country).map_err(ApiError::internal)?;
            delegations::insert_delegation(
                tx,
                &NewDelegation {
                    name: name.into(),
                    status: DelegationStatus::Member,
                    country: Some(country),
                },
            )?
            .id
        }
    };
    let who = user(tx, delegate)?;
    let mut list: Vec<i64> = delegations::delegates_of(tx, id)?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if !list.contains(&who) {
        list.push(who);
        delegations::set_delegates(tx, id, &list)?;
    }
    Ok(id)
}

fn group(tx: &mut Tx, name: &str, members: &[i64], chair: i64) -> ApiResult<i64> {
    let existing = delegations::all_groups(tx)?
        .into_iter()
        .find(|g| g.name == name)
        .map(|g| g.id);
    let id = match existing {
        Some(id) => id,
        None => delegations::insert_group(tx, name)?,
    };
    delegations::set_members(tx, id, members, Some(chair))?;
    Ok(id)
}

struct Walk {
    consultation: i64,
    keys: Vec<String>,
    version: String,
}

impl Walk {
    fn post(
        &self,
        tx: &mut Tx,
        author: i64,
        paragraph: Option<usize>,
        body: &str,
        amendment: Option<(&str, SpeaksFor)>,
    ) -> ApiResult<i64> {
        let new = NewComment {
            consultation_id: Some(self.consultation),
            session_id: None,
            paragraph_key: paragraph.map(|n| self.keys[n - 1].clone()),
            parent_id: None,
            author_id: author,
            kind: if amendment.is_some() {
                CommentKind::Amendment
            } else {
                CommentKind::Comment
            },
            body: body.into(),
            proposed_text: amendment.map(|(t, _)| t.to_owned()),
            on_behalf_of: None,
            speaks_for: amendment.map(|(_, s)| s),
            anonymous: false,
            language: "en".into(),
            version_label: Some(self.version.clone()),
        };
        Ok(comments::insert(tx, &new)?.id)
    }

    /// The next version from the compilation's accepted amendments, as the revision
    /// page drafts it.
    fn revise(&mut self, tx: &mut Tx, label: &str, by: i64) -> ApiResult<i64> {
        let row = cstore::resolve(tx, &self.consultation.to_string())?;
        let next = compilation::draft_for(tx, &row, &Reader::person(by))?;
        let current = cstore::version_paragraphs(tx, row.current_version_id.unwrap_or_default())?;
        let draft = current
            .iter()
            .map(|p| {
                let d = next.paragraphs.iter().find(|d| d.key == p.key);
                DraftParagraph {
                    key: Some(p.key.clone()),
                    number: p.number.clone(),
                    parent_number: p.parent_key.as_ref().and_then(|k| {
                        current
                            .iter()
                            .find(|q| &q.key == k)
                            .map(|q| q.number.clone())
                    }),
                    section_path: serde_json::from_str(&p.section_path).unwrap_or_default(),
                    text: d.map_or_else(|| p.text.clone(), |d| d.text.clone()),
                    footnote_refs: serde_json::from_str(&p.footnote_refs).unwrap_or_default(),
                    informed_by: d.map(|d| d.informed_by.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let id = cstore::insert_version(tx, &row, label, "paragraphs", draft, &[], Some(by))?;
        self.version = label.into();
        Ok(id)
    }
}

fn dispose(tx: &mut Tx, ids: &[i64], d: Disposition, reason: &str, by: i64) -> ApiResult<()> {
    nstore::set_dispositions(
        tx,
        ids,
        &DispositionRow {
            comment_id: ids[0],
            disposition: d,
            merged_into: None,
            reason: reason.into(),
            set_by: Some(by),
            set_at: now(),
        },
    )
}

/// Walks consultation `id` (its zero draft stored) to adoption; the contributions made.
pub fn walk(tx: &mut Tx, id: i64, by: i64) -> ApiResult<usize> {
    let row = cstore::resolve(tx, &id.to_string())?;
    let keys: Vec<String> =
        cstore::version_paragraphs(tx, row.current_version_id.unwrap_or_default())?
            .into_iter()
            .map(|p| p.key)
            .collect();
    let mut w = Walk {
        consultation: id,
        keys,
        version: "zero-draft".into(),
    };
    let mut made = 0;

    move_to(
        tx,
        id,
        by,
        Phase::Inputs,
        "Call for inputs on the elements of a declaration",
    )?;
    move_to(
        tx,
        id,
        by,
        Phase::Consultation,
        "Zero draft published for comment by all stakeholders",
    )?;
    for (who, n, body) in [
        (
            "wanjiru",
            2,
            "Affordability is about devices and data plans too, not only networks.",
        ),
        (
            "li.wei",
            3,
            "Capacity-building should include research institutions and universities.",
        ),
        (
            "karim",
            4,
            "Libraries are where many people first go online: please name them.",
        ),
        (
            "camila.souza",
            2,
            "In the Amazon region, the cost of a data plan is a day's wage.",
        ),
    ] {
        let author = user(tx, who)?;
        w.post(tx, author, Some(n), body, None)?;
        made += 1;
    }

    move_to(
        tx,
        id,
        by,
        Phase::Negotiation,
        "Negotiations among Member States; stakeholders may still comment",
    )?;
    let france = delegation(tx, "France", "FR", "pierre")?;
    let zimbabwe = delegation(tx, "Zimbabwe", "ZW", "tendai.moyo")?;
    let oman = delegation(tx, "Oman", "OM", "omar.alfarsi")?;
    let china = delegation(tx, "China", "CN", "wang.fang")?;
    let georgia = delegation(tx, "Georgia", "GE", "giorgi.beridze")?;
    let colombia = delegation(tx, "Colombia", "CO", "mateo.rojas")?;
    let g77 = group(
        tx,
        "G77 and China",
        &[zimbabwe, oman, china, colombia],
        colombia,
    )?;
    let eu = group(tx, "European Union", &[france], france)?;

    let devices = "We recognise that affordable access, including devices and data, remains out of reach for many people in developing countries.";
    let (tendai, omar, mateo, pierre, wang, giorgi) = (
        user(tx, "tendai.moyo")?,
        user(tx, "omar.alfarsi")?,
        user(tx, "mateo.rojas")?,
        user(tx, "pierre")?,
        user(tx, "wang.fang")?,
        user(tx, "giorgi.beridze")?,
    );
    let a1 = w.post(
        tx,
        tendai,
        Some(2),
        "Devices and data are part of access.",
        Some((devices, SpeaksFor::Delegation(zimbabwe))),
    )?;
    let a2 = w.post(
        tx,
        omar,
        Some(2),
        "Oman supports naming devices and data.",
        Some((devices, SpeaksFor::Delegation(oman))),
    )?;
    let a3 = w.post(
        tx,
        mateo,
        Some(3),
        "On behalf of the Group of 77 and China.",
        Some(("We recall that capacity-building and technology transfer on mutually agreed terms are essential for developing countries to benefit from digital technologies.", SpeaksFor::Group(g77))),
    )?;
    let a3_row = comments::get(tx, a3)?;
    comments::usecase::endorse_as(tx, &a3_row, wang, Some(SpeaksFor::Delegation(china)))?;
    let a4 = w.post(
        tx,
        pierre,
        Some(4),
        "Libraries are public access points.",
        Some((
            "We commit to connect every school, library and health centre to the Internet by 2030.",
            SpeaksFor::Delegation(france),
        )),
    )?;
    let a5 = w.post(
        tx,
        pierre,
        Some(5),
        "On behalf of the European Union.",
        Some(("We will review progress on these commitments at the Internet Governance Forum every two years.", SpeaksFor::Group(eu))),
    )?;
    made += 5;
    dispose(tx, &[a1, a2], Disposition::Accepted, "", by)?;
    dispose(tx, &[a3], Disposition::Accepted, "", by)?;
    dispose(tx, &[a4], Disposition::Accepted, "", by)?;
    dispose(
        tx,
        &[a5],
        Disposition::Rejected,
        "A yearly review at the Internet Governance Forum is language agreed in the WSIS review.",
        by,
    )?;
    for n in [1, 2] {
        nstore::set_status(tx, id, &w.keys[n - 1], ParagraphStatus::AgreedAdRef, by)?;
    }
    let rev1 = w.revise(tx, "rev1", by)?;

    // Silence on rev1, broken by Georgia's letter on paragraph 3.
    move_to(tx, id, by, Phase::Silence, "Silence procedure on rev1")?;
    let day = Duration::days(1);
    silence::record_past(
        tx,
        PastSilence {
            consultation_id: id,
            version_id: rev1,
            started_at: now() - day * 8,
            deadline: now() - day * 6,
            by,
            breaks: vec![(
                georgia,
                vec![w.keys[2].clone()],
                "The delegation of Georgia breaks silence on paragraph 3. Technology transfer should be voluntary as well as on mutually agreed terms; we ask that the paragraph say so.".into(),
                giorgi,
            )],
            adoption: None,
        },
    )?;
    phases::set(
        tx,
        id,
        None,
        PhaseInput {
            phase: Phase::Negotiation,
            note: "Silence on rev1 broken by Georgia".into(),
            stakeholders_comment: true,
        },
    )?;
    let a6 = w.post(
        tx,
        giorgi,
        Some(3),
        "As in our letter breaking silence.",
        Some(("We recall that capacity-building and voluntary technology transfer on mutually agreed terms are essential for developing countries to benefit from digital technologies.", SpeaksFor::Delegation(georgia))),
    )?;
    made += 1;
    dispose(tx, &[a6], Disposition::Accepted, "", by)?;
    for n in [3, 4, 5] {
        nstore::set_status(tx, id, &w.keys[n - 1], ParagraphStatus::AgreedAdRef, by)?;
    }
    let rev2 = w.revise(tx, "rev2", by)?;

    // Silence on rev2 held; the text is adopted.
    move_to(tx, id, by, Phase::Silence, "Silence procedure on rev2")?;
    let adopted_on = (now() - day).date().format("%Y-%m-%d").to_string();
    silence::record_past(
        tx,
        PastSilence {
            consultation_id: id,
            version_id: rev2,
            started_at: now() - day * 4,
            deadline: now() - day * 2,
            by,
            breaks: vec![],
            adoption: Some(("A/RES/81/27".into(), adopted_on.clone())),
        },
    )?;
    move_to(
        tx,
        id,
        by,
        Phase::Adopted,
        &format!("Adopted as A/RES/81/27 on {adopted_on}"),
    )?;
    // The log's dates as the walk happened (the silences above ran in the past): the
    // call six weeks ago, the zero draft a month ago, the negotiation three weeks ago,
    // and so on to the adoption yesterday.
    use crate::db::schema::consultation_phases as log;
    let ids: Vec<i64> = log::table
        .filter(log::consultation_id.eq(id))
        .order(log::id.asc())
        .select(log::id)
        .load(tx.conn())?;
    let hours = [42 * 24, 30 * 24, 21 * 24, 8 * 24, 6 * 24 - 1, 4 * 24, 24];
    for (row, ago) in ids.iter().zip(hours) {
        diesel::update(log::table.find(row))
            .set(log::set_at.eq(now() - Duration::hours(ago)))
            .execute(tx.conn())?;
    }
    Ok(made)
}
