//! The audit log of looks that the policy allows but wants on record: a moderator
//! reading the author of an anonymous contribution. Admins read it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use crate::db::schema::{audit_log, users};
use crate::db::{now, DbConn, Timestamp};
use crate::error::ApiResult;

/// Where a look happened, as the log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Api,
    Page,
    Export,
    Search,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Api => "api",
            Surface::Page => "page",
            Surface::Export => "export",
            Surface::Search => "search",
        }
    }
}

pub const ANONYMOUS_AUTHOR_VIEWED: &str = "anonymous_author_viewed";

/// Records that `moderator_id` was shown the authors of these anonymous contributions.
pub fn anonymous_authors_seen(
    conn: &mut DbConn,
    moderator_id: i64,
    comment_ids: &[i64],
    surface: Surface,
) -> ApiResult<()> {
    let t = now();
    for id in comment_ids {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::actor_id.eq(Some(moderator_id)),
                audit_log::action.eq(ANONYMOUS_AUTHOR_VIEWED),
                audit_log::subject_type.eq("comment"),
                audit_log::subject_id.eq(id),
                audit_log::surface.eq(surface.as_str()),
                audit_log::created_at.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One entry of the audit log, for admins.
#[derive(Serialize, JsonSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Who looked (null once their account is erased).
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: i64,
    /// `api`, `page`, `export` or `search`.
    pub surface: String,
    pub created_at: Timestamp,
}

type Row = (
    i64,
    Option<i64>,
    Option<String>,
    String,
    String,
    i64,
    String,
    NaiveDateTime,
);

/// Newest first, after the cursor's id.
pub fn list(conn: &mut DbConn, before: Option<i64>, limit: i64) -> ApiResult<Vec<AuditEntry>> {
    let mut q = audit_log::table
        .left_join(users::table.on(users::id.nullable().eq(audit_log::actor_id)))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::actor_id,
            users::display_name.nullable(),
            audit_log::action,
            audit_log::subject_type,
            audit_log::subject_id,
            audit_log::surface,
            audit_log::created_at,
        ))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(audit_log::id.lt(b));
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, actor_id, actor_name, action, subject_type, subject_id, surface, t)| AuditEntry {
                id,
                actor_id,
                actor_name,
                action,
                subject_type,
                subject_id,
                surface,
                created_at: Timestamp(t),
            },
        )
        .collect())
}
