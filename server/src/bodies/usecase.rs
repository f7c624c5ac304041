//! Intersessional bodies: the secretariat creates them and names their coordinators;
//! coordinators keep the page, link the body's sessions and add its outputs (each a
//! consultation, which the coordinators co-facilitate); anyone with an account joins.

use super::store;
use super::types::{
    BodyRow, BodySummary, BodyView, Filters, MemberView, Membership, NewBody, MAX_COORDINATORS,
};
use crate::consultations::command::CreateInput;
use crate::consultations::view::ConsultationView;
use crate::db::{Db, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult};
use crate::policy::guards::bodies::{BodyJoiner, BodyManager, BodyReader};
use crate::policy::guards::Organizer;
use crate::policy::BodyAccess;

fn view(conn: &mut DbConn, b: BodyRow, access: &BodyAccess) -> ApiResult<BodyView> {
    let manages = access.may_manage();
    Ok(BodyView {
        contacts: store::contacts(conn, b.id)?,
        members: store::member_count(conn, b.id)?,
        my_role: access.role,
        may_manage: manages,
        sessions: store::sessions_of(conn, b.id, access.sees_unpublished_events())?,
        outputs: store::outputs(conn, b.id, manages)?,
        id: b.id,
        name: b.name,
        kind: b.kind,
        region: b.region,
        country: b.country,
        description: b.description,
        contact_email: b.contact_email,
        website: b.website,
        created_at: Timestamp(b.created_at),
    })
}

/// 409 when another body has the name.
pub async fn create(db: &Db, org: &Organizer, new: NewBody) -> ApiResult<BodyView> {
    let by = org.id();
    db.tx(move |tx| {
        let id = store::insert(tx, &new)?;
        let body = store::get(tx, id)?;
        view(tx, body, &BodyAccess::secretariat(by))
    })
    .await
}

pub async fn update(db: &Db, m: &BodyManager, new: NewBody) -> ApiResult<BodyView> {
    let (id, access) = (m.body.id, m.access);
    db.tx(move |tx| {
        store::update(tx, id, &new)?;
        let body = store::get(tx, id)?;
        view(tx, body, &access)
    })
    .await
}

pub async fn directory(db: &Db, filters: Filters) -> ApiResult<Vec<BodySummary>> {
    db.run(move |conn| {
        Ok(store::list(conn, &filters)?
            .into_iter()
            .map(|(b, n)| b.summary(n))
            .collect())
    })
    .await
}

pub async fn one(db: &Db, r: &BodyReader) -> ApiResult<BodyView> {
    let (body, access) = (r.body.clone(), r.access);
    db.run(move |conn| view(conn, body, &access)).await
}

/// Joining twice is joining once.
pub async fn join(db: &Db, j: &BodyJoiner) -> ApiResult<Membership> {
    let (user_id, body_id) = (j.user().id, j.body.id);
    match db.tx(move |tx| store::join(tx, body_id, user_id)).await {
        // Two joins at once (PostgreSQL): the other one's row is the membership.
        Err(e) if e.code == crate::error::ErrorCode::Conflict => {
            db.tx(move |tx| store::join(tx, body_id, user_id)).await
        }
        done => done,
    }
}

/// Leaving when not a member is 409 `already_in_state`.
pub async fn leave(db: &Db, j: &BodyJoiner) -> ApiResult<()> {
    let (user_id, body_id) = (j.user().id, j.body.id);
    let left = db.tx(move |tx| store::leave(tx, body_id, user_id)).await?;
    match left {
        true => Ok(()),
        false => Err(ApiError::new(
            crate::error::ErrorCode::AlreadyInState,
            "you are not a member of this body",
        )),
    }
}

/// 403 for those who may not see who the members are.
pub async fn members(db: &Db, r: &BodyReader) -> ApiResult<Vec<MemberView>> {
    if !r.access.may_see_members() {
        return Err(ApiError::forbidden(
            "the members are listed to the body's members, coordinators and the secretariat",
        ));
    }
    let id = r.body.id;
    db.run(move |conn| store::members(conn, id)).await
}

/// The secretariat names the coordinators (403 for coordinators themselves); an id that
/// is no live account is 422.
pub async fn set_coordinators(db: &Db, m: &BodyManager, mut ids: Vec<i64>) -> ApiResult<BodyView> {
    if !m.access.may_set_coordinators() {
        return Err(ApiError::forbidden(
            "the secretariat names a body's coordinators",
        ));
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_COORDINATORS {
        return Err(ApiError::field(
            "user_ids",
            format!("at most {MAX_COORDINATORS} coordinators"),
        ));
    }
    let (id, access) = (m.body.id, m.access);
    db.tx(move |tx| {
        let live = crate::accounts::store::live_accounts(tx, &ids)?;
        ApiError::unless_all_found("user_ids", "account", &ids, |i| live.contains(&i))?;
        store::set_coordinators(tx, id, &ids)?;
        // The coordinators co-facilitate the body's outputs.
        for output in store::outputs(tx, id, true)? {
            crate::consultations::store::set_cofacilitators(tx, output.consultation_id, &ids)?;
        }
        let body = store::get(tx, id)?;
        view(tx, body, &access)
    })
    .await
}

pub async fn set_sessions(db: &Db, m: &BodyManager, mut ids: Vec<i64>) -> ApiResult<BodyView> {
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > 100 {
        return Err(ApiError::field("session_ids", "at most 100 sessions"));
    }
    let (id, access) = (m.body.id, m.access);
    db.tx(move |tx| {
        store::set_sessions(tx, id, &ids, access.sees_unpublished_events())?;
        let body = store::get(tx, id)?;
        view(tx, body, &access)
    })
    .await
}

/// A new output: a consultation (a draft until the secretariat opens it) that the body's
/// coordinators co-facilitate, so that they add its versions.
pub async fn add_output(
    db: &Db,
    m: &BodyManager,
    input: CreateInput,
) -> ApiResult<ConsultationView> {
    let new = input.parse(m.user().id)?;
    let id = m.body.id;
    db.tx(move |tx| {
        let consultation = crate::consultations::store::create(tx, &new)?;
        let coordinators: Vec<i64> = store::contacts(tx, id)?
            .into_iter()
            .map(|c| c.user_id)
            .collect();
        crate::consultations::store::set_cofacilitators(tx, consultation, &coordinators)?;
        store::add_output(tx, id, consultation)?;
        let row = crate::consultations::store::resolve(tx, &consultation.to_string())?;
        crate::consultations::view::consultation(tx, &row)
    })
    .await
}
