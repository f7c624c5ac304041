//! Consultations: draft texts, versions with stable paragraph keys, comments,
//! amendments, endorsements, flags and moderation.

pub mod comments;
pub mod handlers;
pub mod importer;
pub mod keys;
pub mod store;
pub mod text;
pub mod types;

use crate::endpoint_untyped;
use crate::http::Endpoint;

/// Draft texts are larger than other bodies: the Global Digital Compact is ~100 KB.
const DOCUMENT_LIMIT: usize = 4 * 1024 * 1024;

pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    vec![
        endpoint_untyped!(POST "/consultations", "organizer", "Create a consultation (status draft)", h::create),
        endpoint_untyped!(GET "/consultations", "anyone", "List consultations (drafts only for organisers)", h::list),
        endpoint_untyped!(GET "/consultations/{id}", "anyone", "A consultation (by id or slug) with the current text and comment counts per paragraph", h::detail),
        endpoint_untyped!(PATCH "/consultations/{id}", "organizer", "Edit, open, close, or move the status of a consultation", h::update),
        endpoint_untyped!(PUT "/consultations/{id}/cofacilitators", "organizer", "Set the co-facilitators", h::set_cofacilitators),
        endpoint_untyped!(POST "/consultations/{id}/versions", "organizer, cofacilitator", "Add a version: import a text or Markdown draft, or give paragraphs with informed_by", h::create_version, limit = DOCUMENT_LIMIT),
        endpoint_untyped!(GET "/consultations/{id}/versions", "anyone", "The versions of the text", h::list_versions),
        endpoint_untyped!(GET "/consultations/{id}/versions/{label}", "anyone", "One version with its paragraphs", h::version),
        endpoint_untyped!(GET "/consultations/{id}/versions/{a}/diff/{b}", "anyone", "Per-paragraph diff between two versions, with word diffs", h::diff),
        endpoint_untyped!(POST "/consultations/{id}/comments", "verified user", "Comment, reply or propose an amendment", h::post_comment),
        endpoint_untyped!(GET "/consultations/{id}/comments", "anyone", "Comments (?paragraph_key, parent_id, since_id); hidden ones only for moderators", h::list_comments),
        endpoint_untyped!(GET "/moderation/queue", "moderator", "Flagged comments nobody has dealt with, oldest first, with the flags' reasons", h::moderation_queue),
        endpoint_untyped!(POST r"/comments/{id:\d+}/keep", "moderator", "Keep a flagged comment as it is: resolves its flags {reason}", h::keep),
        endpoint_untyped!(GET "/consultations/{id}/moderation-log", "anyone", "The public moderation log", h::moderation_log),
        endpoint_untyped!(GET r"/comments/{id:\d+}", "anyone", "A comment (with its earlier texts for the author and moderators)", h::get_comment),
        endpoint_untyped!(PATCH r"/comments/{id:\d+}", "author", "Edit within 15 minutes; earlier texts are kept", h::edit_comment),
        endpoint_untyped!(POST r"/comments/{id:\d+}/endorsement", "verified user", "Endorse (once per user)", h::endorse),
        endpoint_untyped!(DELETE r"/comments/{id:\d+}/endorsement", "verified user", "Withdraw your endorsement", h::withdraw_endorsement),
        endpoint_untyped!(POST r"/comments/{id:\d+}/flags", "verified user", "Flag for moderators", h::flag),
        endpoint_untyped!(POST r"/comments/{id:\d+}/moderation", "moderator", "Hide or restore, with a reason (publicly logged)", h::moderate),
    ]
}
