//! The register of personal data: every column of every table (`db/schema.rs`), with
//! what erasing an account does to the erased person's data in it. A unit test below
//! reads `schema.rs` and fails when a column is missing here, so a new column is
//! decided on before it ships; `tests/tests/erasure.rs` erases a person who used every
//! feature and reads every column back to check that the register is true.
//!
//! Erasure itself is `accounts::privacy::erase`, which calls each feature's part.

/// What erasure does to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Holds nothing about a person (ids of things, texts of the secretariat, times of
    /// public acts).
    NotPersonal,
    /// The person's value is deleted with its row, blanked or set to NULL.
    Erased,
    /// The value stays but names no one: it points to the anonymised account (whose
    /// name is "withdrawn participant"), or is replaced by a neutral value.
    Anonymised,
    /// The person's own contribution to a consultation: it stays, attributed to a
    /// withdrawn participant, unless they ask for their contributions to be withdrawn
    /// too, and then it is blanked.
    Contribution,
    /// Kept on purpose, for the reason given.
    Kept(&'static str),
}

use Treatment::{Anonymised, Contribution, Erased, Kept, NotPersonal};

const IDENTIFIES_NO_ONE: &str =
    "a stakeholder group or region alone identifies no one, and keeps the balance figures of past consultations true";
const DELEGATION_ACT: &str =
    "a delegation's support, or its letter breaking silence, is a member state's act in the negotiation, on the public record; the delegate's own link is anonymised";
const WHEN_ONLY: &str = "when an account existed identifies no one once the rest is gone";
const PROGRAMME: &str = "a proposal that became a session is the event's published programme (undecided proposals are deleted)";
const NAMED_BY_PROPOSER: &str =
    "a name typed by the proposer, linked to no account; organisers correct it on request";
const RANKING: &str =
    "an evaluator's scores keep the event's ranking true; they point to the anonymised account and lose their words";
const MODERATION_REASON: &str =
    "why a comment was hidden is the record of a public act on the comment, kept for appeals; it no longer says by whom";

/// Every column, as `(table, column, treatment)`.
pub const REGISTER: &[(&str, &str, Treatment)] = &[
    ("users", "id", NotPersonal),
    ("users", "email", Anonymised),
    ("users", "password_hash", Erased),
    ("users", "display_name", Anonymised),
    ("users", "stakeholder_group", Kept(IDENTIFIES_NO_ONE)),
    ("users", "organization", Erased),
    ("users", "country", Erased),
    ("users", "region", Kept(IDENTIFIES_NO_ONE)),
    ("users", "gender", Erased),
    ("users", "preferred_language", Anonymised),
    ("users", "email_verified_at", Erased),
    ("users", "erased_at", NotPersonal),
    ("users", "created_at", Kept(WHEN_ONLY)),
    ("users", "updated_at", Kept(WHEN_ONLY)),
    ("users", "suspended_at", Erased),
    ("users", "organization_verified_at", Erased),
    ("user_roles", "user_id", Erased),
    ("user_roles", "role", Erased),
    ("user_roles", "granted_at", Erased),
    ("refresh_tokens", "id", NotPersonal),
    ("refresh_tokens", "user_id", Erased),
    ("refresh_tokens", "family", Erased),
    ("refresh_tokens", "token_hash", Erased),
    ("refresh_tokens", "created_at", Erased),
    ("refresh_tokens", "expires_at", Erased),
    ("refresh_tokens", "used_at", Erased),
    ("refresh_tokens", "revoked_at", Erased),
    ("refresh_tokens", "user_agent", Erased),
    ("email_tokens", "id", NotPersonal),
    ("email_tokens", "user_id", Erased),
    ("email_tokens", "purpose", Erased),
    ("email_tokens", "token_hash", Erased),
    ("email_tokens", "created_at", Erased),
    ("email_tokens", "expires_at", Erased),
    ("email_tokens", "used_at", Erased),
    ("mail_outbox", "id", NotPersonal),
    ("mail_outbox", "user_id", Erased),
    ("mail_outbox", "recipient", Anonymised),
    ("mail_outbox", "kind", NotPersonal),
    ("mail_outbox", "language", NotPersonal),
    ("mail_outbox", "subject", Erased),
    ("mail_outbox", "body_text", Erased),
    ("mail_outbox", "body_html", Erased),
    ("mail_outbox", "created_at", NotPersonal),
    ("mail_outbox", "attempts", NotPersonal),
    ("mail_outbox", "next_attempt_at", NotPersonal),
    ("mail_outbox", "claimed_until", NotPersonal),
    ("mail_outbox", "sent_at", NotPersonal),
    ("mail_outbox", "failed_at", NotPersonal),
    ("mail_outbox", "last_error", Erased),
    ("mail_outbox", "unsubscribe_url", Erased),
    ("consultations", "id", NotPersonal),
    ("consultations", "slug", NotPersonal),
    ("consultations", "title", NotPersonal),
    ("consultations", "description", NotPersonal),
    ("consultations", "language", NotPersonal),
    ("consultations", "status", NotPersonal),
    ("consultations", "opens_at", NotPersonal),
    ("consultations", "closes_at", NotPersonal),
    ("consultations", "current_version_id", NotPersonal),
    ("consultations", "created_by", Anonymised),
    ("consultations", "created_at", NotPersonal),
    ("consultations", "updated_at", NotPersonal),
    ("consultations", "participation", NotPersonal),
    ("consultations", "participant_groups", NotPersonal),
    ("consultations", "timezone", NotPersonal),
    ("consultation_cofacilitators", "consultation_id", Erased),
    ("consultation_cofacilitators", "user_id", Erased),
    ("document_versions", "id", NotPersonal),
    ("document_versions", "consultation_id", NotPersonal),
    ("document_versions", "label", NotPersonal),
    ("document_versions", "position", NotPersonal),
    ("document_versions", "source_format", NotPersonal),
    ("document_versions", "footnotes", NotPersonal),
    ("document_versions", "removed_keys", NotPersonal),
    ("document_versions", "created_by", Anonymised),
    ("document_versions", "created_at", NotPersonal),
    ("paragraphs", "id", NotPersonal),
    ("paragraphs", "version_id", NotPersonal),
    ("paragraphs", "key", NotPersonal),
    ("paragraphs", "number", NotPersonal),
    ("paragraphs", "parent_key", NotPersonal),
    ("paragraphs", "section", NotPersonal),
    ("paragraphs", "section_path", NotPersonal),
    ("paragraphs", "position", NotPersonal),
    ("paragraphs", "text", NotPersonal),
    ("paragraphs", "footnote_refs", NotPersonal),
    ("paragraphs", "informed_by", NotPersonal),
    ("consultation_phases", "id", NotPersonal),
    ("consultation_phases", "consultation_id", NotPersonal),
    ("consultation_phases", "phase", NotPersonal),
    ("consultation_phases", "note", NotPersonal),
    ("consultation_phases", "set_by", Anonymised),
    ("consultation_phases", "set_at", NotPersonal),
    ("consultation_phases", "stakeholders_comment", NotPersonal),
    ("version_translations", "version_id", NotPersonal),
    ("version_translations", "language", NotPersonal),
    ("version_translations", "source_format", NotPersonal),
    ("version_translations", "footnotes", NotPersonal),
    ("version_translations", "created_by", Anonymised),
    ("version_translations", "created_at", NotPersonal),
    ("paragraph_translations", "version_id", NotPersonal),
    ("paragraph_translations", "language", NotPersonal),
    ("paragraph_translations", "paragraph_key", NotPersonal),
    ("paragraph_translations", "section_path", NotPersonal),
    ("paragraph_translations", "text", NotPersonal),
    ("paragraph_translations", "footnote_refs", NotPersonal),
    ("comments", "id", NotPersonal),
    ("comments", "consultation_id", NotPersonal),
    ("comments", "session_id", NotPersonal),
    ("comments", "paragraph_key", NotPersonal),
    ("comments", "parent_id", NotPersonal),
    ("comments", "author_id", Anonymised),
    ("comments", "kind", NotPersonal),
    ("comments", "body", Contribution),
    ("comments", "proposed_text", Contribution),
    ("comments", "on_behalf_of", Contribution),
    ("comments", "anonymous", NotPersonal),
    ("comments", "language", NotPersonal),
    ("comments", "status", NotPersonal),
    ("comments", "version_label", NotPersonal),
    ("comments", "endorsement_count", NotPersonal),
    ("comments", "upvote_count", NotPersonal),
    ("comments", "flag_count", NotPersonal),
    ("comments", "created_at", NotPersonal),
    ("comments", "edited_at", NotPersonal),
    ("comments", "delegation_id", Contribution),
    ("comments", "group_id", Contribution),
    ("comment_revisions", "id", NotPersonal),
    ("comment_revisions", "comment_id", NotPersonal),
    ("comment_revisions", "body", Contribution),
    ("comment_revisions", "proposed_text", Contribution),
    ("comment_revisions", "created_at", NotPersonal),
    ("endorsements", "comment_id", NotPersonal),
    ("endorsements", "user_id", Anonymised),
    ("endorsements", "created_at", NotPersonal),
    ("endorsements", "delegation_id", Kept(DELEGATION_ACT)),
    ("endorsements", "group_id", Kept(DELEGATION_ACT)),
    ("delegations", "id", NotPersonal),
    ("delegations", "name", NotPersonal),
    ("delegations", "status", NotPersonal),
    ("delegations", "country", NotPersonal),
    ("delegations", "created_at", NotPersonal),
    ("delegates", "delegation_id", Erased),
    ("delegates", "user_id", Erased),
    ("negotiating_groups", "id", NotPersonal),
    ("negotiating_groups", "name", NotPersonal),
    ("negotiating_groups", "chair_id", NotPersonal),
    ("negotiating_groups", "created_at", NotPersonal),
    ("group_members", "group_id", NotPersonal),
    ("group_members", "delegation_id", NotPersonal),
    ("amendment_dispositions", "comment_id", NotPersonal),
    ("amendment_dispositions", "disposition", NotPersonal),
    ("amendment_dispositions", "merged_into", NotPersonal),
    ("amendment_dispositions", "reason", NotPersonal),
    ("amendment_dispositions", "set_by", Anonymised),
    ("amendment_dispositions", "set_at", NotPersonal),
    ("paragraph_statuses", "consultation_id", NotPersonal),
    ("paragraph_statuses", "paragraph_key", NotPersonal),
    ("paragraph_statuses", "status", NotPersonal),
    ("paragraph_statuses", "set_by", Anonymised),
    ("paragraph_statuses", "set_at", NotPersonal),
    ("silences", "id", NotPersonal),
    ("silences", "consultation_id", NotPersonal),
    ("silences", "version_id", NotPersonal),
    ("silences", "deadline", NotPersonal),
    ("silences", "timezone", NotPersonal),
    ("silences", "started_by", Anonymised),
    ("silences", "started_at", NotPersonal),
    ("silences", "outcome", NotPersonal),
    ("silences", "settled_at", NotPersonal),
    ("silences", "reminded_at", NotPersonal),
    ("silences", "symbol", NotPersonal),
    ("silences", "adopted_on", NotPersonal),
    ("silences", "adopted_by", Anonymised),
    ("silence_breaks", "id", NotPersonal),
    ("silence_breaks", "silence_id", NotPersonal),
    ("silence_breaks", "delegation_id", NotPersonal),
    ("silence_breaks", "paragraph_keys", NotPersonal),
    ("silence_breaks", "letter", Kept(DELEGATION_ACT)),
    ("silence_breaks", "broken_by", Anonymised),
    ("silence_breaks", "broken_at", NotPersonal),
    ("upvotes", "comment_id", NotPersonal),
    ("upvotes", "user_id", Anonymised),
    ("upvotes", "created_at", NotPersonal),
    ("flags", "id", NotPersonal),
    ("flags", "comment_id", NotPersonal),
    ("flags", "user_id", Anonymised),
    ("flags", "reason", Erased),
    ("flags", "created_at", NotPersonal),
    ("flags", "resolved_at", NotPersonal),
    ("moderation_log", "id", NotPersonal),
    ("moderation_log", "consultation_id", NotPersonal),
    ("moderation_log", "session_id", NotPersonal),
    ("moderation_log", "comment_id", NotPersonal),
    ("moderation_log", "moderator_id", Erased),
    ("moderation_log", "action", NotPersonal),
    ("moderation_log", "reason", Kept(MODERATION_REASON)),
    ("moderation_log", "created_at", NotPersonal),
    ("channel_seqs", "channel", NotPersonal),
    ("channel_seqs", "last_seq", NotPersonal),
    // Live events carry ids only; names are read when an event is delivered.
    ("live_events", "id", NotPersonal),
    ("live_events", "channel", NotPersonal),
    ("live_events", "seq", NotPersonal),
    ("live_events", "kind", NotPersonal),
    ("live_events", "audience", NotPersonal),
    ("live_events", "subject_id", NotPersonal),
    ("live_events", "data", NotPersonal),
    ("live_events", "created_at", NotPersonal),
    ("search_jobs", "id", NotPersonal),
    ("search_jobs", "entity", NotPersonal),
    ("search_jobs", "entity_id", NotPersonal),
    ("search_jobs", "action", NotPersonal),
    ("search_jobs", "created_at", NotPersonal),
    ("search_jobs", "done_at", NotPersonal),
    ("events", "id", NotPersonal),
    ("events", "slug", NotPersonal),
    ("events", "name", NotPersonal),
    ("events", "theme", NotPersonal),
    ("events", "venue", NotPersonal),
    ("events", "timezone", NotPersonal),
    ("events", "starts_on", NotPersonal),
    ("events", "ends_on", NotPersonal),
    ("events", "subthemes", NotPersonal),
    ("events", "call_opens_at", NotPersonal),
    ("events", "call_closes_at", NotPersonal),
    ("events", "published", NotPersonal),
    ("events", "rules", NotPersonal),
    ("events", "created_by", Anonymised),
    ("events", "created_at", NotPersonal),
    ("events", "updated_at", NotPersonal),
    ("rooms", "id", NotPersonal),
    ("rooms", "event_id", NotPersonal),
    ("rooms", "name", NotPersonal),
    ("rooms", "capacity", NotPersonal),
    ("rooms", "remote_link", NotPersonal),
    ("rooms", "created_at", NotPersonal),
    ("rooms", "interpretation", NotPersonal),
    ("proposals", "id", NotPersonal),
    ("proposals", "event_id", NotPersonal),
    ("proposals", "proposer_id", Anonymised),
    ("proposals", "title", Kept(PROGRAMME)),
    ("proposals", "session_type", NotPersonal),
    ("proposals", "subtheme", NotPersonal),
    ("proposals", "format", NotPersonal),
    ("proposals", "description", Kept(PROGRAMME)),
    ("proposals", "policy_questions", Kept(PROGRAMME)),
    // A speaker given with the person's address becomes a withdrawn participant.
    ("proposals", "speakers", Anonymised),
    ("proposals", "moderator_name", Kept(NAMED_BY_PROPOSER)),
    ("proposals", "rapporteur_name", Kept(NAMED_BY_PROPOSER)),
    ("proposals", "status", NotPersonal),
    ("proposals", "decision_note", NotPersonal),
    ("proposals", "session_id", NotPersonal),
    ("proposals", "created_at", NotPersonal),
    ("proposals", "updated_at", NotPersonal),
    ("proposals", "merged_into", NotPersonal),
    ("evaluation_settings", "event_id", NotPersonal),
    ("evaluation_settings", "per_proposal", NotPersonal),
    ("evaluation_settings", "blind", NotPersonal),
    ("panel_members", "event_id", Erased),
    ("panel_members", "user_id", Erased),
    ("rubric_criteria", "id", NotPersonal),
    ("rubric_criteria", "event_id", NotPersonal),
    ("rubric_criteria", "position", NotPersonal),
    ("rubric_criteria", "name", NotPersonal),
    ("rubric_criteria", "weight", NotPersonal),
    ("rubric_criteria", "key", NotPersonal),
    ("bodies", "id", NotPersonal),
    ("bodies", "name", NotPersonal),
    ("bodies", "kind", NotPersonal),
    ("bodies", "region", NotPersonal),
    ("bodies", "country", NotPersonal),
    ("bodies", "description", NotPersonal),
    ("bodies", "contact_email", Kept("the body's public contact address, given for publication by the secretariat, not a member's")),
    ("bodies", "website", NotPersonal),
    ("bodies", "created_at", NotPersonal),
    ("body_members", "body_id", Erased),
    ("body_members", "user_id", Erased),
    ("body_members", "role", Erased),
    ("body_members", "joined_at", Erased),
    ("body_sessions", "body_id", NotPersonal),
    ("body_sessions", "session_id", NotPersonal),
    ("body_outputs", "body_id", NotPersonal),
    ("body_outputs", "consultation_id", NotPersonal),
    ("igf_message_sets", "event_id", NotPersonal),
    ("igf_message_sets", "stage", NotPersonal),
    ("igf_message_sets", "consultation_id", NotPersonal),
    ("igf_message_sets", "updated_at", NotPersonal),
    ("igf_message_sets", "published_at", NotPersonal),
    ("igf_messages", "id", NotPersonal),
    ("igf_messages", "event_id", NotPersonal),
    ("igf_messages", "subtheme", NotPersonal),
    ("igf_messages", "position", NotPersonal),
    ("igf_messages", "text", NotPersonal),
    ("igf_messages", "sources", NotPersonal),
    ("schedule_proposals", "id", NotPersonal),
    ("schedule_proposals", "event_id", NotPersonal),
    ("schedule_proposals", "fingerprint", NotPersonal),
    ("schedule_proposals", "reschedule", NotPersonal),
    ("schedule_proposals", "body", NotPersonal),
    ("schedule_proposals", "created_at", NotPersonal),
    ("schedule_proposals", "applied_at", NotPersonal),
    ("evaluation_assignments", "proposal_id", Erased),
    ("evaluation_assignments", "evaluator_id", Erased),
    ("evaluation_assignments", "assigned_at", Erased),
    ("evaluation_assignments", "recused_at", Erased),
    ("evaluation_assignments", "recusal_reason", Erased),
    ("evaluations", "proposal_id", NotPersonal),
    ("evaluations", "evaluator_id", Anonymised),
    ("evaluations", "scores", Kept(RANKING)),
    ("evaluations", "weighted", Kept(RANKING)),
    ("evaluations", "comment", Erased),
    ("evaluations", "updated_at", NotPersonal),
    ("session_roles", "session_id", Erased),
    ("session_roles", "user_id", Erased),
    ("session_roles", "role", Erased),
    ("speaker_unavailability", "id", NotPersonal),
    ("speaker_unavailability", "event_id", NotPersonal),
    ("speaker_unavailability", "person", Erased),
    ("speaker_unavailability", "speaker", Erased),
    ("speaker_unavailability", "starts_at", Erased),
    ("speaker_unavailability", "ends_at", Erased),
    ("speaker_confirmations", "id", NotPersonal),
    ("speaker_confirmations", "proposal_id", Erased),
    ("speaker_confirmations", "email", Erased),
    ("speaker_confirmations", "token_hash", Erased),
    ("speaker_confirmations", "answer", Erased),
    ("speaker_confirmations", "asked_at", Erased),
    ("speaker_confirmations", "answered_at", Erased),
    ("proposal_reviews", "id", NotPersonal),
    ("proposal_reviews", "proposal_id", NotPersonal),
    // The score stays so that the ranking stays true.
    ("proposal_reviews", "reviewer_id", Anonymised),
    ("proposal_reviews", "score", NotPersonal),
    ("proposal_reviews", "comment", Erased),
    ("proposal_reviews", "created_at", NotPersonal),
    ("sessions", "id", NotPersonal),
    ("sessions", "event_id", NotPersonal),
    ("sessions", "proposal_id", NotPersonal),
    ("sessions", "title", NotPersonal),
    ("sessions", "session_type", NotPersonal),
    ("sessions", "subtheme", NotPersonal),
    ("sessions", "format", NotPersonal),
    ("sessions", "description", NotPersonal),
    ("sessions", "speakers", Anonymised),
    ("sessions", "moderator_name", Kept(NAMED_BY_PROPOSER)),
    ("sessions", "rapporteur_name", Kept(NAMED_BY_PROPOSER)),
    ("sessions", "room_id", NotPersonal),
    ("sessions", "starts_at", NotPersonal),
    ("sessions", "ends_at", NotPersonal),
    ("sessions", "ical_sequence", NotPersonal),
    ("sessions", "created_at", NotPersonal),
    ("sessions", "updated_at", NotPersonal),
    ("sessions", "track", NotPersonal),
    ("sessions", "expected_audience", NotPersonal),
    ("sessions", "needs_interpretation", NotPersonal),
    ("sessions", "pinned", NotPersonal),
    ("session_people", "session_id", Erased),
    ("session_people", "person", Erased),
    ("session_people", "display_name", Erased),
    ("session_reports", "session_id", NotPersonal),
    ("session_reports", "key_takeaways", NotPersonal),
    ("session_reports", "calls_to_action", NotPersonal),
    ("session_reports", "participants_onsite", NotPersonal),
    ("session_reports", "participants_online", NotPersonal),
    ("session_reports", "women_share", NotPersonal),
    ("session_reports", "filed_by", Anonymised),
    ("session_reports", "created_at", NotPersonal),
    ("session_reports", "updated_at", NotPersonal),
    ("session_segments", "id", NotPersonal),
    ("session_segments", "session_id", NotPersonal),
    ("session_segments", "position", NotPersonal),
    ("session_segments", "kind", NotPersonal),
    ("session_segments", "title", NotPersonal),
    ("session_segments", "minutes", NotPersonal),
    ("speaking_queue", "id", NotPersonal),
    ("speaking_queue", "session_id", Erased),
    ("speaking_queue", "user_id", Erased),
    ("speaking_queue", "mode", Erased),
    ("speaking_queue", "joined_at", Erased),
    ("speaking_queue", "called_at", Erased),
    ("speaking_queue", "left_at", Erased),
    ("session_bookmarks", "user_id", Erased),
    ("session_bookmarks", "session_id", Erased),
    ("session_bookmarks", "created_at", Erased),
    ("review_log", "id", NotPersonal),
    ("review_log", "comment_id", NotPersonal),
    ("review_log", "user_id", Erased),
    // Snapshots lose the notes the person wrote and every mention of their id.
    ("review_log", "before", Anonymised),
    ("review_log", "after", Anonymised),
    ("review_log", "created_at", NotPersonal),
    ("comment_reviews", "comment_id", NotPersonal),
    ("comment_reviews", "status", NotPersonal),
    ("comment_reviews", "tags", NotPersonal),
    ("comment_reviews", "assignee_id", Erased),
    ("comment_reviews", "note", Erased),
    ("comment_reviews", "reviewed_by", Erased),
    ("comment_reviews", "updated_at", NotPersonal),
    ("follows", "id", NotPersonal),
    ("follows", "user_id", Erased),
    ("follows", "target_type", Erased),
    ("follows", "target_id", Erased),
    ("follows", "target_key", Erased),
    ("follows", "created_at", Erased),
    ("notifications", "id", NotPersonal),
    ("notifications", "user_id", Erased),
    ("notifications", "kind", Erased),
    ("notifications", "dedupe_key", Erased),
    ("notifications", "data", Erased),
    ("notifications", "frequency", Erased),
    ("notifications", "created_at", Erased),
    ("notifications", "read_at", Erased),
    ("notifications", "emailed_at", Erased),
    ("notification_settings", "user_id", Erased),
    ("notification_settings", "kind", Erased),
    ("notification_settings", "frequency", Erased),
    ("notification_prefs", "user_id", Erased),
    ("notification_prefs", "timezone", Erased),
    ("notification_prefs", "daily_sent_at", Erased),
    ("notification_prefs", "weekly_sent_at", Erased),
    ("audit_log", "id", NotPersonal),
    // What was looked at stays (the log's purpose), no longer by whom.
    ("audit_log", "actor_id", Erased),
    ("audit_log", "action", NotPersonal),
    ("audit_log", "subject_type", NotPersonal),
    ("audit_log", "subject_id", NotPersonal),
    ("audit_log", "surface", NotPersonal),
    ("audit_log", "created_at", NotPersonal),
];

/// The treatment of one column, if the register has it.
pub fn treatment(table: &str, column: &str) -> Option<Treatment> {
    REGISTER
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, treatment)| *treatment)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// `(table, column)` of every `diesel::table!` in `schema.rs`.
    fn schema_columns() -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        let mut table = None;
        for line in include_str!("../db/schema.rs").lines() {
            if line.starts_with("    ") && !line.starts_with("     ") && line.ends_with('{') {
                table = line.split_whitespace().next().map(str::to_owned);
            } else if let (Some(t), Some((column, _))) = (&table, line.trim().split_once(" ->")) {
                out.insert((t.clone(), column.to_owned()));
            } else if line == "    }" {
                table = None;
            }
        }
        out
    }

    #[test]
    fn every_column_of_the_schema_is_in_the_register() {
        let schema = schema_columns();
        assert!(schema.len() > 250, "the schema was not read: {schema:?}");
        let register: BTreeSet<(String, String)> = REGISTER
            .iter()
            .map(|(t, c, _)| ((*t).to_owned(), (*c).to_owned()))
            .collect();
        let missing: Vec<_> = schema.difference(&register).collect();
        assert!(
            missing.is_empty(),
            "columns that the register of personal data does not decide on (add them to \
             accounts/personal_data.rs, and to erasure and export if they hold personal data): {missing:?}"
        );
        let stale: Vec<_> = register.difference(&schema).collect();
        assert!(
            stale.is_empty(),
            "columns no longer in the schema: {stale:?}"
        );
        assert_eq!(register.len(), REGISTER.len(), "a column is listed twice");
    }

    #[test]
    fn kept_personal_data_says_why() {
        for (t, c, treatment) in REGISTER {
            if let Kept(why) = treatment {
                assert!(why.len() > 20, "{t}.{c} is kept without a reason");
            }
        }
    }

    #[test]
    fn a_new_column_would_be_found() {
        assert_eq!(treatment("users", "email"), Some(Anonymised));
        assert_eq!(treatment("users", "shoe_size"), None);
        assert!(schema_columns().contains(&("audit_log".to_owned(), "surface".to_owned())));
    }
}
