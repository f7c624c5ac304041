//! IGF events: the call for sessions, proposals and their review, decisions, rooms,
//! clash-free scheduling, and the agenda in any time zone.

pub mod bookmarks;
pub mod floor;
pub mod handlers;
pub mod ical;
pub mod import;
pub mod proposals;
pub mod reports;
pub mod schedule;
pub mod session_comments;
pub mod store;
pub mod types;

use crate::http::Endpoint;
use crate::policy::guards::{Anyone, Verified};
use crate::{endpoint, endpoint_untyped};

pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    use session_comments::http as sc;
    vec![
        endpoint_untyped!(POST "/events", "organizer", "Create an event (unpublished)", h::create),
        endpoint_untyped!(GET "/events", "anyone", "Published events (organisers see all)", h::list),
        endpoint_untyped!(GET "/events/{id}", "anyone", "An event (by id or slug) with rooms and sub-themes", h::detail),
        endpoint_untyped!(PATCH "/events/{id}", "organizer", "Edit an event: call window, publishing, proposal rules", h::update),
        endpoint_untyped!(POST "/events/{id}/rooms", "organizer", "Add a room", h::add_room),
        endpoint_untyped!(POST "/events/{id}/proposals", "verified user", "Propose a session during the call", h::propose),
        endpoint_untyped!(GET "/events/{id}/proposals", "organizer", "Proposals ranked by mean review score, with their diversity", h::list_proposals),
        endpoint_untyped!(GET "/events/{id}/sessions", "organizer", "Every session of the event, scheduled or not (?tz=)", h::sessions),
        endpoint_untyped!(GET "/events/{id}/agenda", "anyone", "Scheduled sessions (?day, type, subtheme, format, q, tz)", h::agenda),
        endpoint_untyped!(GET "/events/{id}/agenda.ics", "anyone", "The agenda as an iCalendar file (RFC 5545)", h::agenda_ics),
        endpoint_untyped!(GET "/events/{id}/agenda.csv", "anyone", "The agenda as CSV (?tz= for local times)", h::agenda_csv),
        endpoint_untyped!(POST "/events/{id}/agenda/import", "organizer", "Import scheduled sessions from {format: csv, source} or {rows: [...]}: all or nothing, every bad row reported", h::import_agenda, limit = 4 * 1024 * 1024),
        endpoint_untyped!(GET r"/proposals/{id:\d+}", "organizer, proposer", "A proposal (with its reviews for organisers)", h::get_proposal),
        endpoint_untyped!(POST r"/proposals/{id:\d+}/reviews", "organizer", "Review a proposal: score 1–5 and a comment, once", h::review),
        endpoint_untyped!(POST r"/proposals/{id:\d+}/decision", "organizer", "Accept (it becomes a session), reject or merge", h::decide),
        endpoint_untyped!(GET r"/sessions/{id:\d+}", "anyone", "A session, with times in the event's zone or ?tz=", h::get_session),
        endpoint_untyped!(GET r"/sessions/{id:\d+}.ics", "anyone", "One session as an iCalendar file", h::session_ics),
        endpoint_untyped!(PUT r"/sessions/{id:\d+}/slot", "organizer", "Schedule a session in a room; clashes are refused", h::set_slot),
        endpoint!(POST r"/sessions/{id:\d+}/comments", Verified, "A live comment or question {body, kind: comment|question}", sc::post_comment),
        endpoint!(GET r"/sessions/{id:\d+}/comments", Anyone, "The session's comments and questions (?kind=question&sort=top|newest|oldest)", sc::comments),
        endpoint!(POST r"/comments/{id:\d+}/upvote", Verified, "Upvote a session question (once)", sc::upvote),
        endpoint!(DELETE r"/comments/{id:\d+}/upvote", Verified, "Withdraw your upvote", sc::withdraw_upvote),
        endpoint_untyped!(PUT r"/sessions/{id:\d+}/report", "organizer, the session's proposer", "File or replace the session report: takeaways, calls to action, attendance", h::file_report),
        endpoint_untyped!(GET r"/sessions/{id:\d+}/report", "anyone", "The session report", h::get_report),
        endpoint_untyped!(GET "/events/{id}/report", "anyone", "The event's reports compiled by sub-theme", h::event_report),
        endpoint_untyped!(PUT r"/sessions/{id:\d+}/segments", "organizer", "Set the ordered segments (opening, panel, interactive dialogue, closing)", h::set_segments),
        endpoint_untyped!(GET r"/sessions/{id:\d+}/segments", "anyone", "The session's segments with their planned starts", h::segments),
        endpoint_untyped!(GET r"/sessions/{id:\d+}/queue", "anyone", "The speaking queue: who has the floor, who waits", h::queue),
        endpoint_untyped!(POST r"/sessions/{id:\d+}/queue", "verified user", "Join the speaking queue {mode: onsite|remote}", h::join_queue),
        endpoint_untyped!(DELETE r"/sessions/{id:\d+}/queue", "verified user", "Leave the speaking queue", h::leave_queue),
        endpoint_untyped!(POST r"/sessions/{id:\d+}/queue/next", "organizer, moderator", "Give the floor to the next in the queue", h::next_speaker),
        endpoint_untyped!(POST r"/sessions/{id:\d+}/bookmark", "user", "Add a session to your agenda", h::bookmark),
        endpoint_untyped!(DELETE r"/sessions/{id:\d+}/bookmark", "user", "Remove a session from your agenda", h::unbookmark),
        endpoint_untyped!(GET "/me/agenda", "user", "Your bookmarked sessions (?tz=)", h::my_agenda),
        endpoint_untyped!(GET "/me/agenda.ics", "user", "Your bookmarked sessions as an iCalendar file", h::my_agenda_ics),
    ]
}
