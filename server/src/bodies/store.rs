//! The rows of bodies, their members, sessions and outputs.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::types::{
    BodyRow, BodySessionView, Contact, Filters, MemberRole, MemberView, Membership,
    MembershipRecord, NewBody, OutputView,
};
use crate::accounts::types::Region;
use crate::db::schema::{
    bodies, body_members, body_outputs, body_sessions, comments, consultations,
    document_versions as versions, events, sessions, users,
};
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// 409 when another body has this name, in any case. Compared here rather than left to
/// the unique index on lower(name): SQLite's lower() folds ASCII only, so "Réseau" and
/// "RÉSEAU" would both be stored there; the directory's few hundred names are cheap.
fn name_free(conn: &mut DbConn, name: &str, except: Option<i64>) -> ApiResult<()> {
    let lower = name.to_lowercase();
    let same: Vec<(i64, String)> = bodies::table
        .select((bodies::id, bodies::name))
        .load(conn)?;
    let taken = same
        .iter()
        .any(|(id, n)| Some(*id) != except && n.to_lowercase() == lower);
    match taken {
        true => Err(ApiError::new(
            ErrorCode::Conflict,
            "another body has this name",
        )),
        false => Ok(()),
    }
}

pub fn insert(conn: &mut DbConn, b: &NewBody) -> ApiResult<i64> {
    name_free(conn, &b.name, None)?;
    Ok(diesel::insert_into(bodies::table)
        .values((
            bodies::name.eq(&b.name),
            bodies::kind.eq(b.kind.as_str()),
            bodies::region.eq(b.region.map(Region::as_str)),
            bodies::country.eq(b.country.as_ref().map(|c| c.code())),
            bodies::description.eq(&b.description),
            bodies::contact_email.eq(&b.contact_email),
            bodies::website.eq(&b.website),
            bodies::created_at.eq(now()),
        ))
        .returning(bodies::id)
        .get_result(conn)?)
}

pub fn update(conn: &mut DbConn, id: i64, b: &NewBody) -> ApiResult<()> {
    name_free(conn, &b.name, Some(id))?;
    diesel::update(bodies::table.find(id))
        .set((
            bodies::name.eq(&b.name),
            bodies::kind.eq(b.kind.as_str()),
            bodies::region.eq(b.region.map(Region::as_str)),
            bodies::country.eq(b.country.as_ref().map(|c| c.code())),
            bodies::description.eq(&b.description),
            bodies::contact_email.eq(&b.contact_email),
            bodies::website.eq(&b.website),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: i64) -> ApiResult<BodyRow> {
    bodies::table
        .find(id)
        .select(BodyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("body"))
}

/// The directory: bodies with their member counts, by name.
pub fn list(conn: &mut DbConn, f: &Filters) -> ApiResult<Vec<(BodyRow, i64)>> {
    let mut query = bodies::table.select(BodyRow::as_select()).into_boxed();
    if let Some(kind) = f.kind {
        query = query.filter(bodies::kind.eq(kind.as_str()));
    }
    if let Some(region) = f.region {
        query = query.filter(bodies::region.eq(region.as_str()));
    }
    if let Some(country) = &f.country {
        query = query.filter(bodies::country.eq(country.code()));
    }
    let rows: Vec<BodyRow> = query.order((bodies::name, bodies::id)).load(conn)?;
    let words: Vec<String> =
        f.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
    let counts: HashMap<i64, i64> = body_members::table
        .group_by(body_members::body_id)
        .select((body_members::body_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut out = vec![];
    for b in rows {
        let hay = format!("{} {}", b.name, b.description).to_lowercase();
        if words.iter().all(|w| hay.contains(w.as_str())) {
            let n = counts.get(&b.id).copied().unwrap_or(0);
            out.push((b, n));
        }
    }
    Ok(out)
}

pub fn role_of(conn: &mut DbConn, body_id: i64, user_id: i64) -> ApiResult<Option<MemberRole>> {
    let role: Option<String> = body_members::table
        .find((body_id, user_id))
        .select(body_members::role)
        .first(conn)
        .optional()?;
    role.map(|r| MemberRole::try_from(r).map_err(ApiError::internal))
        .transpose()
}

/// Joins the caller; joining again changes nothing.
pub fn join(conn: &mut DbConn, body_id: i64, user_id: i64) -> ApiResult<Membership> {
    get(conn, body_id)?;
    if role_of(conn, body_id, user_id)?.is_none() {
        diesel::insert_into(body_members::table)
            .values((
                body_members::body_id.eq(body_id),
                body_members::user_id.eq(user_id),
                body_members::role.eq(MemberRole::Member.as_str()),
                body_members::joined_at.eq(now()),
            ))
            .execute(conn)?;
    }
    let (role, joined_at): (String, NaiveDateTime) = body_members::table
        .find((body_id, user_id))
        .select((body_members::role, body_members::joined_at))
        .first(conn)?;
    Ok(Membership {
        body_id,
        role: MemberRole::try_from(role).map_err(ApiError::internal)?,
        joined_at: Timestamp(joined_at),
    })
}

/// Whether the caller was a member.
pub fn leave(conn: &mut DbConn, body_id: i64, user_id: i64) -> ApiResult<bool> {
    get(conn, body_id)?;
    Ok(diesel::delete(body_members::table.find((body_id, user_id))).execute(conn)? > 0)
}

pub fn member_count(conn: &mut DbConn, body_id: i64) -> ApiResult<i64> {
    Ok(body_members::table
        .filter(body_members::body_id.eq(body_id))
        .count()
        .get_result(conn)?)
}

pub fn members(conn: &mut DbConn, body_id: i64) -> ApiResult<Vec<MemberView>> {
    type M = (i64, String, String, Option<String>, String, NaiveDateTime);
    let rows: Vec<M> = body_members::table
        .inner_join(users::table)
        .filter(body_members::body_id.eq(body_id))
        // "coordinator" sorts before "member": the coordinators first.
        .order((body_members::role, users::display_name, users::id))
        .select((
            users::id,
            users::display_name,
            users::stakeholder_group,
            users::country,
            body_members::role,
            body_members::joined_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(user_id, display_name, stakeholder_group, country, role, joined_at)| {
                Ok(MemberView {
                    user_id,
                    display_name,
                    stakeholder_group,
                    country,
                    role: MemberRole::try_from(role).map_err(ApiError::internal)?,
                    joined_at: Timestamp(joined_at),
                })
            },
        )
        .collect()
}

pub fn contacts(conn: &mut DbConn, body_id: i64) -> ApiResult<Vec<Contact>> {
    let rows: Vec<(i64, String)> = body_members::table
        .inner_join(users::table)
        .filter(body_members::body_id.eq(body_id))
        .filter(body_members::role.eq(MemberRole::Coordinator.as_str()))
        .order((users::display_name, users::id))
        .select((users::id, users::display_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, display_name)| Contact {
            user_id,
            display_name,
        })
        .collect())
}

/// The coordinators, all at once: others stay members; the new ones join.
pub fn set_coordinators(conn: &mut DbConn, body_id: i64, ids: &[i64]) -> ApiResult<()> {
    diesel::update(
        body_members::table
            .filter(body_members::body_id.eq(body_id))
            .filter(body_members::role.eq(MemberRole::Coordinator.as_str())),
    )
    .set(body_members::role.eq(MemberRole::Member.as_str()))
    .execute(conn)?;
    for id in ids {
        join(conn, body_id, *id)?;
        diesel::update(body_members::table.find((body_id, *id)))
            .set(body_members::role.eq(MemberRole::Coordinator.as_str()))
            .execute(conn)?;
    }
    Ok(())
}

/// The body's sessions, all at once; an id that is no session (or, unless
/// `with_unpublished`, a session of an unpublished event) is 422.
pub fn set_sessions(
    conn: &mut DbConn,
    body_id: i64,
    ids: &[i64],
    with_unpublished: bool,
) -> ApiResult<()> {
    let mut query = sessions::table
        .inner_join(events::table)
        .filter(sessions::id.eq_any(ids))
        .select(sessions::id)
        .into_boxed();
    if !with_unpublished {
        query = query.filter(events::published.eq(true));
    }
    let known: Vec<i64> = query.load(conn)?;
    ApiError::unless_all_found("session_ids", "session", ids, |id| known.contains(&id))?;
    diesel::delete(body_sessions::table.filter(body_sessions::body_id.eq(body_id)))
        .execute(conn)?;
    for id in ids {
        diesel::insert_into(body_sessions::table)
            .values((
                body_sessions::body_id.eq(body_id),
                body_sessions::session_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The body's sessions, by time; those of unpublished events only when asked.
pub fn sessions_of(
    conn: &mut DbConn,
    body_id: i64,
    with_unpublished: bool,
) -> ApiResult<Vec<BodySessionView>> {
    type S = (i64, String, i64, String, Option<NaiveDateTime>);
    let mut query = body_sessions::table
        .inner_join(sessions::table.inner_join(events::table))
        .filter(body_sessions::body_id.eq(body_id))
        .select((
            sessions::id,
            sessions::title,
            events::id,
            events::name,
            sessions::starts_at,
        ))
        .order((sessions::starts_at, sessions::id))
        .into_boxed();
    if !with_unpublished {
        query = query.filter(events::published.eq(true));
    }
    let rows: Vec<S> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(session_id, title, event_id, event_name, starts)| BodySessionView {
                session_id,
                title,
                event_id,
                event_name,
                starts_at: starts.map(Timestamp),
            },
        )
        .collect())
}

pub fn add_output(conn: &mut DbConn, body_id: i64, consultation_id: i64) -> ApiResult<()> {
    diesel::insert_into(body_outputs::table)
        .values((
            body_outputs::body_id.eq(body_id),
            body_outputs::consultation_id.eq(consultation_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The body's outputs, newest first; drafts only when asked.
pub fn outputs(conn: &mut DbConn, body_id: i64, with_drafts: bool) -> ApiResult<Vec<OutputView>> {
    let rows: Vec<(i64, String, String, String)> = body_outputs::table
        .inner_join(consultations::table)
        .filter(body_outputs::body_id.eq(body_id))
        .order(consultations::id.desc())
        .select((
            consultations::id,
            consultations::slug,
            consultations::title,
            consultations::status,
        ))
        .load(conn)?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, _, _, status)| with_drafts || status != "draft")
        .collect();
    let ids: Vec<i64> = rows.iter().map(|(id, ..)| *id).collect();
    let versions: HashMap<i64, i64> = versions::table
        .filter(versions::consultation_id.eq_any(&ids))
        .group_by(versions::consultation_id)
        .select((versions::consultation_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let comments: HashMap<i64, i64> = comments::table
        .filter(comments::consultation_id.eq_any(&ids))
        .filter(comments::status.eq("visible"))
        .group_by(comments::consultation_id)
        .select((comments::consultation_id, diesel::dsl::count_star()))
        .load::<(Option<i64>, i64)>(conn)?
        .into_iter()
        .filter_map(|(id, n)| Some((id?, n)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, slug, title, status)| OutputView {
            consultation_id: id,
            versions: versions.get(&id).copied().unwrap_or(0),
            comments: comments.get(&id).copied().unwrap_or(0),
            slug,
            title,
            status,
        })
        .collect())
}

/// The bodies a person belongs to, for their export.
pub fn memberships_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<MembershipRecord>> {
    let rows: Vec<(i64, String, String, NaiveDateTime)> = body_members::table
        .inner_join(bodies::table)
        .filter(body_members::user_id.eq(user_id))
        .order(bodies::name)
        .select((
            bodies::id,
            bodies::name,
            body_members::role,
            body_members::joined_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(body_id, body_name, role, joined_at)| {
            Ok(MembershipRecord {
                body_id,
                body_name,
                role: MemberRole::try_from(role).map_err(ApiError::internal)?,
                joined_at: Timestamp(joined_at),
            })
        })
        .collect()
}

/// Erasure: the person belongs to no body any more.
pub fn erase(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::delete(body_members::table.filter(body_members::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}
