//! Delegations and groups: admins create them and attach delegates and members; everyone
//! reads them; a delegate reads what they may speak for.

use std::collections::HashMap;

use super::store::{self, GroupRow};
use super::types::{
    DelegationAdminView, DelegationView, GroupView, NewDelegation, Represented, MAX_DELEGATES,
    MAX_MEMBERS,
};
use crate::db::{Db, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};

fn taken(e: ApiError, what: &str) -> ApiError {
    if e.code == ErrorCode::Conflict {
        ApiError::new(
            ErrorCode::Conflict,
            format!("a {what} with this name exists"),
        )
    } else {
        e
    }
}

pub async fn create_delegation(db: &Db, new: NewDelegation) -> ApiResult<DelegationView> {
    db.tx(move |tx| store::insert_delegation(tx, &new))
        .await
        .map_err(|e| taken(e, "delegation"))
}

pub async fn delegations(db: &Db) -> ApiResult<Vec<DelegationView>> {
    db.run(store::all_delegations).await
}

pub async fn set_delegates(
    db: &Db,
    delegation_id: i64,
    mut user_ids: Vec<i64>,
) -> ApiResult<DelegationAdminView> {
    user_ids.sort_unstable();
    user_ids.dedup();
    if user_ids.len() > MAX_DELEGATES {
        return Err(ApiError::field(
            "user_ids",
            format!("at most {MAX_DELEGATES} delegates"),
        ));
    }
    db.tx(move |tx| {
        let delegation = store::delegation(tx, delegation_id)?;
        store::set_delegates(tx, delegation_id, &user_ids)?;
        Ok(DelegationAdminView {
            delegates: store::delegates_of(tx, delegation_id)?,
            delegation,
        })
    })
    .await
}

fn group_views(conn: &mut DbConn, rows: Vec<GroupRow>) -> ApiResult<Vec<GroupView>> {
    let ids: Vec<i64> = rows.iter().map(|g| g.id).collect();
    let mut members = store::members_of(conn, &ids)?;
    let chair_ids: Vec<i64> = rows.iter().filter_map(|g| g.chair_id).collect();
    let chairs: HashMap<i64, DelegationView> = store::delegations_by_id(conn, &chair_ids)?;
    Ok(rows
        .into_iter()
        .map(|g| GroupView {
            chair: g.chair_id.and_then(|c| chairs.get(&c).cloned()),
            members: members.remove(&g.id).unwrap_or_default(),
            id: g.id,
            name: g.name,
        })
        .collect())
}

pub async fn create_group(db: &Db, name: String) -> ApiResult<GroupView> {
    db.tx(move |tx| {
        let id = store::insert_group(tx, &name)?;
        let row = store::group(tx, id)?;
        group_views(tx, vec![row])?
            .pop()
            .ok_or_else(|| ApiError::internal("a group just written is not there"))
    })
    .await
    .map_err(|e| taken(e, "group"))
}

pub async fn groups(db: &Db) -> ApiResult<Vec<GroupView>> {
    db.run(|conn| {
        let rows = store::all_groups(conn)?;
        group_views(conn, rows)
    })
    .await
}

pub async fn set_members(
    db: &Db,
    group_id: i64,
    mut delegation_ids: Vec<i64>,
    chair_id: Option<i64>,
) -> ApiResult<GroupView> {
    delegation_ids.sort_unstable();
    delegation_ids.dedup();
    if delegation_ids.len() > MAX_MEMBERS {
        return Err(ApiError::field(
            "delegation_ids",
            format!("at most {MAX_MEMBERS} members"),
        ));
    }
    db.tx(move |tx| {
        store::group(tx, group_id)?;
        store::set_members(tx, group_id, &delegation_ids, chair_id)?;
        let row = store::group(tx, group_id)?;
        group_views(tx, vec![row])?
            .pop()
            .ok_or_else(|| ApiError::internal("a group just written is not there"))
    })
    .await
}

/// What the caller may speak for: their delegations, and the groups one of them chairs.
pub async fn mine(db: &Db, user_id: i64) -> ApiResult<Vec<Represented>> {
    db.run(move |conn| store::speakers_for(conn, user_id)).await
}
