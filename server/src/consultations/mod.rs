//! Consultations: draft texts, versions with stable paragraph keys, comments,
//! amendments, endorsements, flags and moderation.

pub mod command;
pub mod comments;
pub mod http;
pub mod importer;
pub mod keys;
pub mod pdf;
pub mod phases;
pub mod store;
pub mod text;
pub mod translation;
pub mod types;
pub mod usecase;
pub mod view;
pub mod word;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::{
    Anyone, CommentAuthor, ConsultationEditor, Moderator, Organizer, Verified,
};

/// Draft texts are larger than other bodies: the Global Digital Compact is ~100 KB.
const DOCUMENT_LIMIT: usize = 4 * 1024 * 1024;

pub fn endpoints() -> Vec<Endpoint> {
    use comments::http as c;
    use http as h;
    vec![
        endpoint!(POST "/consultations", Organizer, "Create a consultation (status draft)", h::create),
        endpoint!(GET "/consultations", Anyone, "List consultations (drafts only for organisers)", h::list),
        endpoint!(GET "/consultations/{id}", Anyone, "A consultation (by id or slug) with the current text and comment counts per paragraph", h::detail),
        endpoint!(PATCH "/consultations/{id}", Organizer, "Edit, open, close, or move the status of a consultation", h::update),
        endpoint!(PUT "/consultations/{id}/cofacilitators", Organizer, "Set the co-facilitators", h::set_cofacilitators),
        endpoint!(PUT "/consultations/{id}/phase", ConsultationEditor, "Move the consultation to its next phase {phase: inputs|consultation|negotiation|silence|adopted, note}: a logged act", h::set_phase),
        endpoint!(GET "/consultations/{id}/phases", Anyone, "The phases the consultation went through, with dates and who moved it on", h::phases),
        endpoint!(POST "/consultations/{id}/versions", ConsultationEditor, "Add a version: import a text or Markdown draft, or give paragraphs with informed_by", h::add_version, limit = DOCUMENT_LIMIT),
        endpoint!(GET "/consultations/{id}/versions", Anyone, "The versions of the text", h::versions),
        endpoint!(GET "/consultations/{id}/versions/{label}.docx", Anyone, "One version as a Word file (.docx), as published: headings, numbered paragraphs, notes", h::version_docx),
        endpoint!(GET "/consultations/{id}/versions/{a}/diff/{b}.docx", Anyone, "The changes between two versions as a Word file of tracked changes (w:ins, w:del)", h::diff_docx),
        endpoint!(GET "/consultations/{id}/versions/{label}", Anyone, "One version with its paragraphs", h::version),
        endpoint!(GET "/consultations/{id}/versions/{a}/diff/{b}", Anyone, "Per-paragraph diff between two versions, with word diffs", h::diff),
        endpoint!(POST "/consultations/{id}/comments", Verified, "Comment, reply or propose an amendment", c::post),
        endpoint!(GET "/consultations/{id}/comments", Anyone, "Comments (?paragraph_key, parent_id, since_id), oldest first; hidden ones only for moderators", c::list),
        endpoint!(GET "/moderation/queue", Moderator, "Flagged comments nobody has dealt with, oldest first, with the flags' reasons", c::queue),
        endpoint!(POST r"/comments/{id:\d+}/keep", Moderator, "Keep a flagged comment as it is: resolves its flags {reason}", c::keep),
        endpoint!(GET "/consultations/{id}/moderation-log", Anyone, "The public moderation log", c::log),
        endpoint!(GET r"/comments/{id:\d+}", Anyone, "A comment (with its earlier texts for the author and moderators)", c::get),
        endpoint!(PATCH r"/comments/{id:\d+}", CommentAuthor, "Edit within 15 minutes; earlier texts are kept", c::edit),
        endpoint!(POST r"/comments/{id:\d+}/endorsement", Verified, "Endorse (once per user)", c::endorse),
        endpoint!(DELETE r"/comments/{id:\d+}/endorsement", Verified, "Withdraw your endorsement", c::withdraw_endorsement),
        endpoint!(POST r"/comments/{id:\d+}/flags", Verified, "Flag for moderators", c::flag),
        endpoint!(POST r"/comments/{id:\d+}/moderation", Moderator, "Hide or restore, with a reason (publicly logged)", c::moderate),
    ]
}
