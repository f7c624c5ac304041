//! Queries of delegations, their delegates, negotiating groups and their members.

use std::collections::HashMap;

use diesel::prelude::*;

use super::types::{DelegationStatus, DelegationView, NewDelegation, Represented, SpeaksFor};
use crate::consultations::view::Person;
use crate::db::schema::{delegates, delegations, group_members, negotiating_groups, users};
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult};

#[derive(Queryable, Selectable)]
#[diesel(table_name = delegations)]
struct DelegationRow {
    id: i64,
    name: String,
    #[diesel(deserialize_as = String)]
    status: DelegationStatus,
    country: Option<String>,
}

impl From<DelegationRow> for DelegationView {
    fn from(r: DelegationRow) -> Self {
        DelegationView {
            id: r.id,
            name: r.name,
            status: r.status,
            country: r.country,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = negotiating_groups)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub chair_id: Option<i64>,
}

pub fn insert_delegation(conn: &mut DbConn, d: &NewDelegation) -> ApiResult<DelegationView> {
    let id: i64 = diesel::insert_into(delegations::table)
        .values((
            delegations::name.eq(&d.name),
            delegations::status.eq(d.status.as_str()),
            delegations::country.eq(d.country.map(|c| c.code())),
            delegations::created_at.eq(now()),
        ))
        .returning(delegations::id)
        .get_result(conn)?;
    delegation(conn, id)
}

/// Every delegation, by name.
pub fn all_delegations(conn: &mut DbConn) -> ApiResult<Vec<DelegationView>> {
    Ok(delegations::table
        .order((delegations::name.asc(), delegations::id.asc()))
        .select(DelegationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub fn delegation(conn: &mut DbConn, id: i64) -> ApiResult<DelegationView> {
    delegations::table
        .find(id)
        .select(DelegationRow::as_select())
        .first(conn)
        .optional()?
        .map(Into::into)
        .ok_or_else(|| ApiError::not_found("delegation"))
}

pub fn delegations_by_id(
    conn: &mut DbConn,
    ids: &[i64],
) -> ApiResult<HashMap<i64, DelegationView>> {
    Ok(delegations::table
        .filter(delegations::id.eq_any(ids))
        .select(DelegationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| (r.id, r.into()))
        .collect())
}

/// The delegates of a delegation who still have an account.
pub fn delegates_of(conn: &mut DbConn, delegation_id: i64) -> ApiResult<Vec<Person>> {
    Ok(delegates::table
        .inner_join(users::table.on(users::id.eq(delegates::user_id)))
        .filter(delegates::delegation_id.eq(delegation_id))
        .filter(users::erased_at.is_null())
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, display_name)| Person { id, display_name })
        .collect())
}

/// Replaces a delegation's delegates; every id must be an account that was not erased
/// (422 naming the first that is not).
pub fn set_delegates(conn: &mut DbConn, delegation_id: i64, user_ids: &[i64]) -> ApiResult<()> {
    let known: Vec<i64> = users::table
        .filter(users::id.eq_any(user_ids))
        .filter(users::erased_at.is_null())
        .select(users::id)
        .load(conn)?;
    if let Some(missing) = user_ids.iter().find(|id| !known.contains(id)) {
        return Err(ApiError::field(
            "user_ids",
            format!("no account with id {missing}"),
        ));
    }
    diesel::delete(delegates::table.filter(delegates::delegation_id.eq(delegation_id)))
        .execute(conn)?;
    for u in &known {
        diesel::insert_into(delegates::table)
            .values((
                delegates::delegation_id.eq(delegation_id),
                delegates::user_id.eq(*u),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_group(conn: &mut DbConn, name: &str) -> ApiResult<i64> {
    Ok(diesel::insert_into(negotiating_groups::table)
        .values((
            negotiating_groups::name.eq(name),
            negotiating_groups::created_at.eq(now()),
        ))
        .returning(negotiating_groups::id)
        .get_result(conn)?)
}

pub fn group(conn: &mut DbConn, id: i64) -> ApiResult<GroupRow> {
    negotiating_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("group"))
}

pub fn all_groups(conn: &mut DbConn) -> ApiResult<Vec<GroupRow>> {
    Ok(negotiating_groups::table
        .order((negotiating_groups::name.asc(), negotiating_groups::id.asc()))
        .select(GroupRow::as_select())
        .load(conn)?)
}

/// The member delegations of each of these groups, by name.
pub fn members_of(
    conn: &mut DbConn,
    group_ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<DelegationView>>> {
    let rows: Vec<(i64, DelegationRow)> = group_members::table
        .inner_join(delegations::table)
        .filter(group_members::group_id.eq_any(group_ids))
        .order(delegations::name.asc())
        .select((group_members::group_id, DelegationRow::as_select()))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<DelegationView>> = HashMap::new();
    for (g, d) in rows {
        out.entry(g).or_default().push(d.into());
    }
    Ok(out)
}

/// Replaces a group's members and chair; every id must be a delegation (422 naming the
/// first that is not), and the chair one of the members.
pub fn set_members(
    conn: &mut DbConn,
    group_id: i64,
    delegation_ids: &[i64],
    chair_id: Option<i64>,
) -> ApiResult<()> {
    let known = delegations_by_id(conn, delegation_ids)?;
    if let Some(missing) = delegation_ids.iter().find(|id| !known.contains_key(id)) {
        return Err(ApiError::field(
            "delegation_ids",
            format!("no delegation with id {missing}"),
        ));
    }
    if let Some(chair) = chair_id.filter(|c| !delegation_ids.contains(c)) {
        return Err(ApiError::field(
            "chair_id",
            format!("delegation {chair} chairs the group only as one of its members"),
        ));
    }
    diesel::delete(group_members::table.filter(group_members::group_id.eq(group_id)))
        .execute(conn)?;
    let mut ids: Vec<i64> = known.into_keys().collect();
    ids.sort_unstable();
    for d in &ids {
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(group_id),
                group_members::delegation_id.eq(*d),
            ))
            .execute(conn)?;
    }
    diesel::update(negotiating_groups::table.find(group_id))
        .set(negotiating_groups::chair_id.eq(chair_id))
        .execute(conn)?;
    Ok(())
}

/// The delegations a person is a delegate of.
pub fn delegations_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<DelegationView>> {
    Ok(delegates::table
        .inner_join(delegations::table)
        .filter(delegates::user_id.eq(user_id))
        .order(delegations::name.asc())
        .select(DelegationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Everything a person may speak for: their delegations, then the groups one of them
/// chairs.
pub fn speakers_for(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<Represented>> {
    let own = delegations_of(conn, user_id)?;
    let ids: Vec<i64> = own.iter().map(|d| d.id).collect();
    let groups: Vec<GroupRow> = negotiating_groups::table
        .filter(negotiating_groups::chair_id.eq_any(&ids))
        .order(negotiating_groups::name.asc())
        .select(GroupRow::as_select())
        .load(conn)?;
    Ok(own
        .into_iter()
        .map(Represented::Delegation)
        .chain(groups.into_iter().map(|g| Represented::Group {
            id: g.id,
            name: g.name,
        }))
        .collect())
}

/// Delegations and groups by id, to show whom contributions speak for.
#[derive(Default)]
pub struct Representations {
    delegations: HashMap<i64, DelegationView>,
    groups: HashMap<i64, String>,
}

impl Representations {
    pub fn load(conn: &mut DbConn, wanted: &[SpeaksFor]) -> ApiResult<Representations> {
        let d: Vec<i64> = wanted.iter().filter_map(|s| s.delegation_id()).collect();
        let g: Vec<i64> = wanted.iter().filter_map(|s| s.group_id()).collect();
        if d.is_empty() && g.is_empty() {
            return Ok(Representations::default());
        }
        let groups = negotiating_groups::table
            .filter(negotiating_groups::id.eq_any(&g))
            .select((negotiating_groups::id, negotiating_groups::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
        Ok(Representations {
            delegations: delegations_by_id(conn, &d)?,
            groups,
        })
    }

    pub fn get(&self, s: Option<SpeaksFor>) -> Option<Represented> {
        match s? {
            SpeaksFor::Delegation(id) => self
                .delegations
                .get(&id)
                .cloned()
                .map(Represented::Delegation),
            SpeaksFor::Group(id) => self.groups.get(&id).map(|name| Represented::Group {
                id,
                name: name.clone(),
            }),
        }
    }
}
