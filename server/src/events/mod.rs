//! IGF events: the call for sessions, proposals and their review, decisions, rooms,
//! clash-free scheduling, and the agenda in any time zone.
//!
//! Layers: `http/` (one file per resource: guard, extract, call, answer) →
//! `usecase/` (what the API and the pages call) → `command` (inputs parsed once) and
//! `view` (what is answered, by audience) → the storage modules (`store` for events and
//! rooms, `proposals`, `schedule` for sessions, `reports`, `floor`, `bookmarks`,
//! `import`, `ical`). Who may do what is asked of `policy::guards::events`.

pub mod bookmarks;
pub mod command;
pub mod confirmations;
pub mod evaluation;
pub mod floor;
pub mod http;
pub mod ical;
pub mod import;
pub mod messages;
pub mod planning;
pub mod privacy;
pub mod proposals;
pub mod reports;
pub mod roles;
pub mod schedule;
pub mod session_comments;
pub mod solver;
pub mod store;
pub mod types;
pub mod usecase;
pub mod view;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::events::{
    EventOrganizer, EventReader, FloorRunner, ProposalOrganizer, ProposalReader, ReportWriter,
    SessionOrganizer, SessionReader,
};
use crate::policy::guards::{Anyone, Organizer, SignedIn, Verified};

pub fn endpoints() -> Vec<Endpoint> {
    use http::{
        bookmarks, evaluation, events, floor, messages, planning, proposals, reports, rooms,
        sessions,
    };
    use session_comments::http as sc;
    vec![
        endpoint!(POST "/events", Organizer, "Create an event (unpublished)", events::create),
        endpoint!(GET "/events", Anyone, "Published events (organisers see all)", events::list),
        endpoint!(GET "/events/{id}", EventReader, "An event (by id or slug) with rooms and sub-themes", events::detail),
        endpoint!(PATCH "/events/{id}", EventOrganizer, "Edit an event: call window, publishing, proposal rules", events::update),
        endpoint!(POST "/events/{id}/rooms", EventOrganizer, "Add a room", rooms::add),
        endpoint!(POST "/events/{id}/proposals", Verified, "Propose a session during the call", proposals::propose),
        endpoint!(GET "/events/{id}/proposals", EventOrganizer, "Proposals ranked by mean review score, with their diversity", proposals::ranking),
        endpoint!(GET "/events/{id}/sessions", EventOrganizer, "Every session of the event, scheduled or not (?tz=)", sessions::all),
        endpoint!(GET "/events/{id}/agenda", EventReader, "Scheduled sessions (?day, type, subtheme, format, q, tz)", sessions::agenda),
        endpoint!(GET "/events/{id}/agenda.ics", EventReader, "The agenda as an iCalendar file (RFC 5545)", sessions::agenda_ics),
        endpoint!(GET "/events/{id}/agenda.csv", EventReader, "The agenda as CSV (?tz= for local times)", sessions::agenda_csv),
        endpoint!(POST "/events/{id}/agenda/import", EventOrganizer, "Import scheduled sessions from {format: csv, source} or {rows: [...]}: all or nothing, every bad row reported", sessions::import, limit = 4 * 1024 * 1024),
        endpoint!(GET r"/proposals/{id:\d+}", ProposalReader, "A proposal (with its reviews for organisers)", proposals::get),
        endpoint!(PATCH r"/proposals/{id:\d+}", ProposalReader, "Its proposer replaces the proposal (the same fields as proposing) while the call is open and nothing is decided", proposals::edit),
        endpoint!(GET "/me/proposals", SignedIn, "Your proposals to every event, newest first, with their status and decision note", proposals::mine),
        endpoint!(GET "/events/{id}/evaluation", EventOrganizer, "The MAG evaluation's set-up (panel, rubric, evaluators per proposal, blind) and each evaluator's progress", evaluation::setup),
        endpoint!(PUT "/events/{id}/evaluation", EventOrganizer, "Set up the evaluation {panel: [user ids], criteria: [{name or label, key?, weight}], per_proposal, blind}; the rubric is fixed once used (409)", evaluation::set_up),
        endpoint!(PUT "/events/{id}/panel", EventOrganizer, "Replace the evaluation panel {members: [{user_id}]}; the rubric is kept", evaluation::set_panel),
        endpoint!(PUT "/events/{id}/rubric", EventOrganizer, "Replace the rubric {criteria: [{key, label, weight 1–10}], blind, evaluators_per_proposal}; the panel is kept; fixed once used (409)", evaluation::set_rubric),
        endpoint!(POST "/events/{id}/evaluation/assignments", EventOrganizer, "Give every submitted proposal its evaluators, balanced across stakeholder groups and regions, never of the proposer's or a speaker's organisation", evaluation::assign),
        endpoint!(POST "/events/{id}/assignments", EventOrganizer, "The same as /events/{id}/evaluation/assignments: assign every submitted proposal", evaluation::assign),
        endpoint!(GET "/events/{id}/evaluation/ranking", EventOrganizer, "Proposals by their evaluators' weighted scores, normalised per evaluator", evaluation::ranking),
        endpoint!(GET "/me/evaluations", SignedIn, "The proposals given to you to evaluate (blind when the event says so), with the rubric and your scores", evaluation::mine),
        endpoint!(PUT r"/proposals/{id:\d+}/evaluation", SignedIn, "Evaluate a proposal given to you (403 otherwise) {scores: {criterion key: 1–5} or [{criterion_id, score}], comment}", evaluation::evaluate),
        endpoint!(POST r"/proposals/{id:\d+}/recusal", SignedIn, "Step back from a proposal given to you, for a conflict of interest {reason}; another evaluator is given it", evaluation::recuse),
        endpoint!(POST "/speaker-confirmations", Anyone, "A speaker named in a proposal answers with the link mailed to them {token, answer: confirmed|declined}; the answer can change until the proposal is rejected or merged", proposals::confirm_speaker),
        endpoint!(POST r"/proposals/{id:\d+}/speakers/{n:\d+}/confirmation", Anyone, "The speaker at place n (from 0) answers with the token of the link mailed to them (?token=&answer=confirmed|declined, confirmed by default)", proposals::confirm_speaker_at),
        endpoint!(POST r"/proposals/{id:\d+}/reviews", ProposalOrganizer, "Review a proposal: score 1–5 and a comment, once", proposals::review),
        endpoint!(POST r"/proposals/{id:\d+}/decision", ProposalOrganizer, "Accept (it becomes a session), reject or merge", proposals::decide),
        endpoint!(GET r"/sessions/{id:\d+}", SessionReader, "A session, with times in the event's zone or ?tz=", sessions::get),
        endpoint!(GET r"/sessions/{id:\d+}.ics", SessionReader, "One session as an iCalendar file", sessions::session_ics),
        endpoint!(PUT r"/sessions/{id:\d+}/slot", SessionOrganizer, "Schedule a session in a room; clashes are refused", sessions::set_slot),
        endpoint!(GET r"/sessions/{id:\d+}/planning", SessionOrganizer, "What the schedule solver knows of a session: track, expected audience, interpretation, pin", planning::get),
        endpoint!(PUT r"/sessions/{id:\d+}/planning", SessionOrganizer, "Set a session's track, expected audience, need of interpretation and pin", planning::set),
        endpoint!(GET "/events/{id}/unavailability", EventOrganizer, "The times speakers cannot speak", planning::unavailability),
        endpoint!(PUT "/events/{id}/unavailability", EventOrganizer, "Replace the times speakers cannot speak {items: [{speaker: e-mail or name, starts_at, ends_at}]}", planning::set_unavailability, limit = 1024 * 1024),
        endpoint!(POST "/events/{id}/schedule/proposal", EventOrganizer, "Propose a schedule with no hard violation and the fewest soft ones {constraints: {days, day_starts, day_ends, slot_minutes, break_minutes}, reschedule, apply, partial}: 422 names each session that can be placed nowhere; kept to apply by id, or written at once with apply: true (409 if the schedule changed meanwhile)", planning::propose),
        endpoint!(POST r"/events/{id}/schedule/proposal/{pid:\d+}/apply", EventOrganizer, "Write a kept schedule proposal (409 when the schedule changed since, or it was applied)", planning::apply),
        endpoint!(DELETE r"/sessions/{id:\d+}/slot", SessionOrganizer, "Take a session out of the schedule (409 already_in_state when it was not in it)", sessions::unschedule),
        endpoint!(POST r"/sessions/{id:\d+}/comments", Verified, "A live comment or question {body, kind: comment|question}", sc::post_comment),
        endpoint!(GET r"/sessions/{id:\d+}/comments", Anyone, "The session's comments and questions (?kind=question&sort=top|newest|oldest)", sc::comments),
        endpoint!(POST r"/comments/{id:\d+}/upvote", Verified, "Upvote a session question (once)", sc::upvote),
        endpoint!(DELETE r"/comments/{id:\d+}/upvote", Verified, "Withdraw your upvote", sc::withdraw_upvote),
        endpoint!(PUT r"/sessions/{id:\d+}/report", ReportWriter, "File or replace the session report: takeaways, calls to action, attendance", reports::file),
        endpoint!(GET r"/sessions/{id:\d+}/report", SessionReader, "The session report", reports::get),
        endpoint!(GET "/events/{id}/report", EventReader, "The event's reports compiled by sub-theme", reports::event),
        endpoint!(POST "/events/{id}/messages", EventOrganizer, "Draft the IGF messages from the session reports, per sub-theme, each citing the sessions it comes from (replaces the messages; 409 once final or with no report)", messages::draft),
        endpoint!(GET "/events/{id}/messages", EventReader, "The IGF messages with their sources and stage (draft: organisers only)", messages::get),
        endpoint!(PUT "/events/{id}/messages", EventOrganizer, "Edit the messages {messages: [{subtheme, text, sources: [session ids]}]} until final", messages::edit, limit = 1024 * 1024),
        endpoint!(POST "/events/{id}/messages/consultation", EventOrganizer, "Open the draft messages for public comment as a consultation {slug?, closes_at?}", messages::open_for_comment),
        endpoint!(POST "/events/{id}/messages/final", EventOrganizer, "Publish the messages as final, with their sources (the consultation closes)", messages::publish),
        endpoint!(GET "/events/{id}/messages.html", EventReader, "The messages as an HTML document, with their sources", messages::html),
        endpoint!(GET "/events/{id}/messages.docx", EventReader, "The messages as a Word file, with their sources", messages::docx),
        endpoint!(GET r"/sessions/{id:\d+}/roles", SessionReader, "Who runs the session from its room: its moderators and rapporteurs (accounts)", floor::roles),
        endpoint!(PUT r"/sessions/{id:\d+}/roles", SessionOrganizer, "Name the session's moderators (they give the floor) and rapporteurs (they file the report) {moderators: [user ids], rapporteurs: [user ids]}", floor::set_roles),
        endpoint!(PUT r"/sessions/{id:\d+}/segments", SessionOrganizer, "Set the ordered segments (opening, panel, interactive dialogue, closing)", floor::set_segments),
        endpoint!(GET r"/sessions/{id:\d+}/segments", SessionReader, "The session's segments with their planned starts", floor::segments),
        endpoint!(GET r"/sessions/{id:\d+}/queue", SessionReader, "The speaking queue: who has the floor, who waits", floor::queue),
        endpoint!(POST r"/sessions/{id:\d+}/queue", Verified, "Join the speaking queue {mode: onsite|remote}", floor::join),
        endpoint!(DELETE r"/sessions/{id:\d+}/queue", SignedIn, "Leave the speaking queue", floor::leave),
        endpoint!(POST r"/sessions/{id:\d+}/queue/next", FloorRunner, "Give the floor to the next in the queue", floor::next),
        endpoint!(POST r"/sessions/{id:\d+}/bookmark", SignedIn, "Add a session to your agenda", bookmarks::add),
        endpoint!(DELETE r"/sessions/{id:\d+}/bookmark", SignedIn, "Remove a session from your agenda", bookmarks::remove),
        endpoint!(GET "/me/agenda", SignedIn, "Your bookmarked sessions (?tz=)", bookmarks::mine),
        endpoint!(GET "/me/agenda.ics", SignedIn, "Your bookmarked sessions as an iCalendar file", bookmarks::mine_ics),
    ]
}
