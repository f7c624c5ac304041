//! The people who run a session from its room, named by the organisers as accounts:
//! its moderators give the floor, its rapporteurs file the report. (The moderator and
//! rapporteur names a proposal types are words on the programme, not accounts.)

use std::collections::BTreeSet;

use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::types::string_enum;
use crate::db::schema::{session_roles, users};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, FieldErrors};

string_enum!(SessionRole {
    Moderator => "moderator",
    Rapporteur => "rapporteur",
});

/// `PUT /sessions/{id}/roles`: both lists, replaced.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesInput {
    /// Account ids, at most 20.
    #[serde(default)]
    pub moderators: Vec<i64>,
    /// Account ids, at most 20.
    #[serde(default)]
    pub rapporteurs: Vec<i64>,
}

pub struct Roles {
    moderators: BTreeSet<i64>,
    rapporteurs: BTreeSet<i64>,
}

impl TryFrom<RolesInput> for Roles {
    type Error = ApiError;
    fn try_from(i: RolesInput) -> ApiResult<Roles> {
        let mut errors = FieldErrors::new();
        for (field, list) in [
            ("moderators", &i.moderators),
            ("rapporteurs", &i.rapporteurs),
        ] {
            if list.len() > 20 {
                errors.insert(field.into(), "at most 20".into());
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(Roles {
            moderators: i.moderators.into_iter().collect(),
            rapporteurs: i.rapporteurs.into_iter().collect(),
        })
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersonRef {
    pub user_id: i64,
    pub display_name: String,
}

/// Who runs the session: public, as the programme names its moderators.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RolesView {
    pub session_id: i64,
    pub moderators: Vec<PersonRef>,
    pub rapporteurs: Vec<PersonRef>,
}

pub fn view(conn: &mut DbConn, session_id: i64) -> ApiResult<RolesView> {
    let rows: Vec<(String, i64, String)> = session_roles::table
        .inner_join(users::table)
        .filter(session_roles::session_id.eq(session_id))
        .order((session_roles::role, users::display_name, users::id))
        .select((session_roles::role, users::id, users::display_name))
        .load(conn)?;
    let mut v = RolesView {
        session_id,
        moderators: vec![],
        rapporteurs: vec![],
    };
    for (role, user_id, display_name) in rows {
        let person = PersonRef {
            user_id,
            display_name,
        };
        match SessionRole::parse(&role) {
            Some(SessionRole::Moderator) => v.moderators.push(person),
            Some(SessionRole::Rapporteur) => v.rapporteurs.push(person),
            None => {}
        }
    }
    Ok(v)
}

/// Replaces both lists; an id that is no account, or an erased one, is 422 naming it.
pub fn replace(conn: &mut DbConn, session_id: i64, roles: &Roles) -> ApiResult<()> {
    let wanted: Vec<i64> = roles
        .moderators
        .union(&roles.rapporteurs)
        .copied()
        .collect();
    let known = crate::accounts::store::live_accounts(conn, &wanted)?;
    let mut errors = FieldErrors::new();
    for (field, list) in [
        ("moderators", &roles.moderators),
        ("rapporteurs", &roles.rapporteurs),
    ] {
        if let Some(problem) =
            crate::error::missing("account", list.iter().copied(), |id| known.contains(&id))
        {
            errors.insert(field.into(), problem);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    diesel::delete(session_roles::table.filter(session_roles::session_id.eq(session_id)))
        .execute(conn)?;
    for (role, list) in [
        (SessionRole::Moderator, &roles.moderators),
        (SessionRole::Rapporteur, &roles.rapporteurs),
    ] {
        for user_id in list {
            diesel::insert_into(session_roles::table)
                .values((
                    session_roles::session_id.eq(session_id),
                    session_roles::user_id.eq(user_id),
                    session_roles::role.eq(role.as_str()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Whether the account holds this role in the session.
pub fn holds(
    conn: &mut DbConn,
    session_id: i64,
    user_id: i64,
    role: SessionRole,
) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        session_roles::table
            .filter(session_roles::session_id.eq(session_id))
            .filter(session_roles::user_id.eq(user_id))
            .filter(session_roles::role.eq(role.as_str())),
    ))
    .get_result(conn)?)
}

/// Erasure: the person runs no session any more.
pub fn erase(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::delete(session_roles::table.filter(session_roles::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}
