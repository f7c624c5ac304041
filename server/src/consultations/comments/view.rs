//! How a contribution is shown: one view type, filled by the lens the policy chose for
//! each reader (`policy::Reader::lens`). Every surface renders contributions here: the
//! API, the pages, live streams, search results, exports and the moderators' queue.

use std::collections::HashMap;

use chrono::Duration;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use super::store::{self, CommentRow};
use crate::accounts::types::{Region, StakeholderGroup};
use crate::consultations::types::{CommentKind, Visibility};
use crate::db::schema::users;
use crate::db::{DbConn, Timestamp};
use crate::delegations::store::Representations;
use crate::delegations::types::Represented;
use crate::error::ApiResult;
use crate::policy::audit::{self, Surface};
use crate::policy::{Lens, Reader};

pub const EDIT_WINDOW_MINUTES: i64 = 15;

/// A comment, amendment, reply, or a session's comment or question.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct CommentView {
    pub id: i64,
    pub consultation_id: Option<i64>,
    pub session_id: Option<i64>,
    /// The paragraph it is on (absent: a general comment).
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub kind: CommentKind,
    pub body: String,
    /// An amendment's proposed text.
    pub proposed_text: Option<String>,
    /// Whom it speaks for, as its author stated it (not checked).
    pub on_behalf_of: Option<String>,
    /// The delegation or group it speaks for, checked when it was given: its author was
    /// a delegate of it.
    pub speaks_for: Option<Represented>,
    pub anonymous: bool,
    /// BCP 47.
    pub language: String,
    /// `hidden` only reaches moderators and the author.
    pub status: Visibility,
    /// The version of the text it was written on.
    pub version: Option<String>,
    pub author: AuthorView,
    pub endorsement_count: i32,
    pub upvote_count: i32,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    /// Until when its author may edit it (absent in live events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editable_until: Option<Timestamp>,
    /// What happened to it (on a consultation's list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Earlier texts (for the author and moderators, on the comment itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<Revision>>,
}

/// Who wrote a contribution, as this reader may know it.
#[derive(Serialize, JsonSchema, Clone, Debug)]
#[serde(untagged)]
pub enum AuthorView {
    Named(NamedAuthor),
    /// Posted anonymously: group and region only.
    Anonymous(AnonymousAuthor),
    /// The account was erased: "withdrawn participant".
    Withdrawn(WithdrawnAuthor),
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct NamedAuthor {
    pub id: i64,
    pub display_name: String,
    pub stakeholder_group: StakeholderGroup,
    pub region: Option<Region>,
    pub organization: Option<String>,
    /// An admin checked that the author speaks for `organization`.
    pub organization_verified: bool,
}

#[derive(Serialize, JsonSchema, Clone, Copy, Debug)]
pub enum AnonymousName {
    #[serde(rename = "anonymous")]
    Anonymous,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct AnonymousAuthor {
    pub display_name: AnonymousName,
    pub stakeholder_group: StakeholderGroup,
    pub region: Option<Region>,
}

#[derive(Serialize, JsonSchema, Clone, Copy, Debug)]
pub enum WithdrawnName {
    #[serde(rename = "withdrawn participant")]
    Withdrawn,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct WithdrawnAuthor {
    pub display_name: WithdrawnName,
    pub stakeholder_group: Option<StakeholderGroup>,
    pub region: Option<Region>,
}

impl AuthorView {
    /// The account's id, when this reader may know who it is.
    pub fn id(&self) -> Option<i64> {
        match self {
            AuthorView::Named(a) => Some(a.id),
            _ => None,
        }
    }

    /// The name to show; anonymous and withdrawn authors have a label (translated by
    /// the pages: `comment-anonymous-author`, `comment-withdrawn-author`).
    pub fn display_name(&self) -> &str {
        match self {
            AuthorView::Named(a) => &a.display_name,
            AuthorView::Anonymous(_) => "anonymous",
            AuthorView::Withdrawn(_) => crate::accounts::privacy::WITHDRAWN,
        }
    }

    pub fn is_anonymous(&self) -> bool {
        matches!(self, AuthorView::Anonymous(_))
    }

    pub fn is_withdrawn(&self) -> bool {
        matches!(self, AuthorView::Withdrawn(_))
    }

    pub fn organization(&self) -> Option<&str> {
        match self {
            AuthorView::Named(a) => a.organization.as_deref(),
            _ => None,
        }
    }

    pub fn organization_verified(&self) -> bool {
        matches!(self, AuthorView::Named(a) if a.organization_verified)
    }

    pub fn stakeholder_group(&self) -> Option<StakeholderGroup> {
        match self {
            AuthorView::Named(a) => Some(a.stakeholder_group),
            AuthorView::Anonymous(a) => Some(a.stakeholder_group),
            AuthorView::Withdrawn(a) => a.stakeholder_group,
        }
    }

    pub fn region(&self) -> Option<Region> {
        match self {
            AuthorView::Named(a) => a.region,
            AuthorView::Anonymous(a) => a.region,
            AuthorView::Withdrawn(a) => a.region,
        }
    }
}

/// What the co-facilitators made of an input, for everyone to see: its review status
/// (tags and notes stay theirs) and the paragraphs of later versions it informed.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct Outcome {
    pub review_status: String,
    pub informed: Vec<Informed>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct Informed {
    pub version: String,
    pub number: String,
}

/// An earlier text of an edited contribution.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct Revision {
    pub body: String,
    pub proposed_text: Option<String>,
    pub written_at: Timestamp,
}

/// What the policy needs to know of an author.
pub struct Author {
    pub display_name: String,
    pub stakeholder_group: Option<StakeholderGroup>,
    pub region: Option<Region>,
    pub organization: Option<String>,
    pub organization_verified: bool,
    pub erased: bool,
}

/// The columns of `users` an author's view needs, as [`Author::from_fields`] takes them.
pub type AuthorColumns = (
    users::display_name,
    users::stakeholder_group,
    users::region,
    users::organization,
    users::organization_verified_at,
    users::erased_at,
);

pub const AUTHOR_COLUMNS: AuthorColumns = (
    users::display_name,
    users::stakeholder_group,
    users::region,
    users::organization,
    users::organization_verified_at,
    users::erased_at,
);

/// [`AUTHOR_COLUMNS`] as read.
pub type AuthorFields = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);

impl Author {
    pub fn from_fields(fields: AuthorFields) -> Author {
        let (display_name, group, region, organization, verified_at, erased_at) = fields;
        Author {
            display_name,
            stakeholder_group: StakeholderGroup::parse(&group),
            region: region.as_deref().and_then(Region::parse),
            organization,
            organization_verified: verified_at.is_some(),
            erased: erased_at.is_some(),
        }
    }
}

pub fn authors(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, Author>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(i64, AuthorFields)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, AUTHOR_COLUMNS))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, fields)| (id, Author::from_fields(fields)))
        .collect())
}

/// The delegations and groups these contributions speak for.
pub fn represented(conn: &mut DbConn, rows: &[CommentRow]) -> ApiResult<Representations> {
    let wanted: Vec<_> = rows.iter().filter_map(CommentRow::speaks_for).collect();
    Representations::load(conn, &wanted)
}

/// The author as `lens` shows it.
fn author_view(c: &CommentRow, author: Option<&Author>, lens: Lens) -> AuthorView {
    match author {
        Some(a) if !a.erased && (!c.anonymous || lens.names_anonymous_author()) => {
            match a.stakeholder_group {
                Some(group) => AuthorView::Named(NamedAuthor {
                    id: c.author_id,
                    display_name: a.display_name.clone(),
                    stakeholder_group: group,
                    region: a.region,
                    organization: a.organization.clone(),
                    organization_verified: a.organization_verified,
                }),
                None => withdrawn(Some(a)),
            }
        }
        Some(a) if !a.erased => match a.stakeholder_group {
            Some(group) => AuthorView::Anonymous(AnonymousAuthor {
                display_name: AnonymousName::Anonymous,
                stakeholder_group: group,
                region: a.region,
            }),
            None => withdrawn(Some(a)),
        },
        other => withdrawn(other),
    }
}

fn withdrawn(a: Option<&Author>) -> AuthorView {
    AuthorView::Withdrawn(WithdrawnAuthor {
        display_name: WithdrawnName::Withdrawn,
        stakeholder_group: a.and_then(|a| a.stakeholder_group),
        region: a.and_then(|a| a.region),
    })
}

/// One contribution as `lens` shows it (the caller has checked that the lens exists).
pub fn view_with(
    c: &CommentRow,
    author: Option<&Author>,
    speaks_for: Option<Represented>,
    lens: Lens,
) -> CommentView {
    let erased = author.is_none_or(|a| a.erased);
    CommentView {
        id: c.id,
        consultation_id: c.consultation_id,
        session_id: c.session_id,
        paragraph_key: c.paragraph_key.clone(),
        parent_id: c.parent_id,
        kind: c.kind,
        body: c.body.clone(),
        proposed_text: c.proposed_text.clone(),
        // Whom an erased person spoke for would tell who they were.
        on_behalf_of: if erased { None } else { c.on_behalf_of.clone() },
        speaks_for: if erased { None } else { speaks_for },
        anonymous: c.anonymous,
        language: c.language.clone(),
        status: c.status,
        version: c.version_label.clone(),
        author: author_view(c, author, lens),
        endorsement_count: c.endorsement_count,
        upvote_count: c.upvote_count,
        created_at: Timestamp(c.created_at),
        edited_at: c.edited_at.map(Timestamp),
        editable_until: Some(Timestamp(
            c.created_at + Duration::minutes(EDIT_WINDOW_MINUTES),
        )),
        outcome: None,
        revisions: None,
    }
}

/// The contributions this reader may see, each through its lens, in the order given.
/// A moderator shown the author of an anonymous contribution is written to the audit
/// log, with the surface it was shown on.
pub fn render(
    conn: &mut DbConn,
    rows: &[CommentRow],
    reader: &Reader,
    surface: Surface,
) -> ApiResult<Vec<CommentView>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.author_id).collect();
    let authors = authors(conn, &ids)?;
    let represented = represented(conn, rows)?;
    let mut audited = Vec::new();
    let mut views = Vec::with_capacity(rows.len());
    for c in rows {
        let Some(lens) = reader.lens(c.author_id, c.status) else {
            continue;
        };
        if c.anonymous && lens == Lens::Moderator {
            audited.push(c.id);
        }
        let speaks_for = represented.get(c.speaks_for());
        views.push(view_with(c, authors.get(&c.author_id), speaks_for, lens));
    }
    if let (false, Some(moderator)) = (audited.is_empty(), reader.user_id) {
        audit::anonymous_authors_seen(conn, moderator, &audited, surface)?;
    }
    Ok(views)
}

/// One contribution for this reader; `None` when the reader may not see it.
pub fn render_one(
    conn: &mut DbConn,
    row: &CommentRow,
    reader: &Reader,
    surface: Surface,
) -> ApiResult<Option<CommentView>> {
    Ok(render(conn, std::slice::from_ref(row), reader, surface)?.pop())
}

/// What happened to each of these inputs of a consultation.
pub fn outcomes(
    conn: &mut DbConn,
    consultation_id: i64,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Outcome>> {
    let mut statuses = store::review_statuses(conn, ids)?;
    let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut informed: HashMap<i64, Vec<Informed>> = HashMap::new();
    for (label, number, list) in store::informing_paragraphs(conn, consultation_id)? {
        for id in serde_json::from_str::<Vec<i64>>(&list).unwrap_or_default() {
            if wanted.contains(&id) {
                informed.entry(id).or_default().push(Informed {
                    version: label.clone(),
                    number: number.clone(),
                });
            }
        }
    }
    Ok(ids
        .iter()
        .map(|id| {
            let outcome = Outcome {
                review_status: statuses.remove(id).unwrap_or_else(|| "new".into()),
                informed: informed.remove(id).unwrap_or_default(),
            };
            (*id, outcome)
        })
        .collect())
}

pub fn revisions(conn: &mut DbConn, comment_id: i64) -> ApiResult<Vec<Revision>> {
    Ok(store::revisions(conn, comment_id)?
        .into_iter()
        .map(|(body, proposed_text, t)| Revision {
            body,
            proposed_text,
            written_at: Timestamp(t),
        })
        .collect())
}

/// The count after an endorsement was given or withdrawn.
#[derive(Serialize, JsonSchema)]
pub struct EndorsementView {
    pub comment_id: i64,
    pub endorsement_count: i64,
    /// Whether the caller now endorses it.
    pub endorsed: bool,
}

/// A flag taken.
#[derive(Serialize, JsonSchema)]
pub struct FlagReceipt {
    pub comment_id: i64,
    pub flagged: bool,
}

impl CommentView {
    /// A hidden or withdrawn contribution keeps its place in a thread, without its text.
    pub fn is_visible(&self) -> bool {
        self.status == Visibility::Visible
    }
}
