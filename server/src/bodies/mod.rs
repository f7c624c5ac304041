//! Intersessional work: national, regional and youth IGF initiatives (NRIs), dynamic
//! coalitions, best practice forums and policy networks. Each is a body with a page,
//! members who join with their accounts, coordinators named by the secretariat, its
//! sessions at the annual IGF and its outputs, which are consultations (versions, and
//! paragraph comments from the public). Who may do what is `policy::BodyAccess`.

pub mod http;
pub mod store;
pub mod types;
pub mod usecase;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::bodies::{BodyJoiner, BodyManager, BodyReader};
use crate::policy::guards::{Anyone, Organizer};

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(POST "/bodies", Organizer, "Create a body {name, kind: nri|dynamic_coalition|best_practice_forum|policy_network, region?, country?, description, contact_email?, website?} (409 when the name is taken)", h::create),
        endpoint!(GET "/bodies", Anyone, "The directory of bodies, by name (?kind=&region=&country=&q=)", h::directory),
        endpoint!(GET r"/bodies/{id:\d+}", BodyReader, "A body: its contacts, member count, sessions at IGF events and outputs", h::get),
        endpoint!(PATCH r"/bodies/{id:\d+}", BodyManager, "Edit a body (every field of creating it)", h::update),
        endpoint!(POST r"/bodies/{id:\d+}/members", BodyJoiner, "Join the body (signed in; joining again changes nothing)", h::join),
        endpoint!(DELETE r"/bodies/{id:\d+}/members", BodyJoiner, "Leave the body (signed in; 409 when not a member)", h::leave),
        endpoint!(GET r"/bodies/{id:\d+}/members", BodyReader, "The members (for its members, coordinators and the secretariat)", h::members),
        endpoint!(PUT r"/bodies/{id:\d+}/coordinators", BodyManager, "Name the coordinators {user_ids} (the secretariat)", h::set_coordinators),
        endpoint!(PUT r"/bodies/{id:\d+}/sessions", BodyManager, "Set the body's sessions at IGF events {session_ids}", h::set_sessions),
        endpoint!(POST r"/bodies/{id:\d+}/outputs", BodyManager, "Add an output: a consultation (the fields of POST /consultations), co-facilitated by the coordinators", h::add_output, limit = 64 * 1024),
    ]
}
