//! The compilation text: what clients send about amendments and paragraphs, and the
//! views of the compilation and of the next draft.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::types::string_enum;
use crate::consultations::comments::view::AuthorView;
use crate::consultations::view::Person;
use crate::db::Timestamp;
use crate::delegations::types::Represented;

string_enum!(Disposition {
    Accepted => "accepted",
    Merged => "merged",
    Rejected => "rejected",
    Pending => "pending",
});

string_enum!(ParagraphStatus {
    AgreedAdRef => "agreed_ad_ref",
    Pending => "pending",
});

/// `PUT /comments/{id}/disposition`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionInput {
    pub disposition: Disposition,
    /// With `merged`: the amendment it was merged into.
    pub merged_into: Option<i64>,
    /// With `rejected` (required), or any other (up to 2,000 characters).
    pub reason: Option<String>,
}

/// `PUT /consultations/{id}/paragraphs/{key}/status`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParagraphStatusInput {
    pub status: ParagraphStatus,
}

/// A disposition as given: to every identical amendment on the paragraph at once.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct DispositionView {
    /// The amendments it was given to (the identical ones on the paragraph).
    pub comment_ids: Vec<i64>,
    pub disposition: Disposition,
    pub merged_into: Option<i64>,
    pub reason: String,
    pub set_by: Option<Person>,
    pub set_at: Timestamp,
}

/// A paragraph's status as set.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct ParagraphStatusView {
    pub paragraph_key: String,
    pub status: ParagraphStatus,
    pub set_at: Timestamp,
}

/// The compilation text of a consultation's current version.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct CompilationView {
    pub consultation_id: i64,
    pub title: String,
    /// BCP 47: the language of the text.
    pub language: String,
    /// The version it compiles amendments to.
    pub version: Option<String>,
    pub paragraphs: Vec<CompiledParagraph>,
    /// Amendments to paragraphs that the current version no longer has.
    pub removed: Vec<RemovedParagraph>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct CompiledParagraph {
    pub key: String,
    pub number: String,
    pub section_path: Vec<String>,
    pub text: String,
    pub status: ParagraphStatus,
    pub amendments: Vec<AmendmentGroup>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct RemovedParagraph {
    pub key: String,
    /// Its number in the last version that had it.
    pub last_number: Option<String>,
    pub amendments: Vec<AmendmentGroup>,
}

/// Identical amendments to one paragraph (the same proposed text, spaces aside).
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct AmendmentGroup {
    pub proposed_text: String,
    /// Its amendments, oldest first.
    pub amendments: Vec<TabledAmendment>,
    /// The delegations and groups that tabled it, in order.
    pub tabled_by: Vec<Represented>,
    /// The delegations and groups that endorsed it for their delegation, and had not
    /// tabled it.
    pub supported_by: Vec<Represented>,
    pub disposition: Disposition,
    pub merged_into: Option<i64>,
    pub reason: String,
}

/// One amendment of a group, as the reader may see its author.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct TabledAmendment {
    pub id: i64,
    pub author: AuthorView,
    pub speaks_for: Option<Represented>,
    pub body: String,
    pub created_at: Timestamp,
}

/// The next version's draft: the current text with the accepted amendments' wording,
/// each paragraph with the inputs that informed it. Its `paragraphs` can be sent as
/// they are to `POST …/versions`.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct NextDraft {
    pub based_on: Option<String>,
    pub paragraphs: Vec<DraftParagraph>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct DraftParagraph {
    pub key: String,
    pub number: String,
    pub section: Option<String>,
    pub text: String,
    /// The accepted amendments (and those merged into them) whose wording it takes.
    pub informed_by: Vec<i64>,
    /// Whether an accepted amendment changed its text.
    pub amended: bool,
}
