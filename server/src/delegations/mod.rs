//! Delegations and negotiating groups: member states and observers, with the accounts an
//! admin attached to them as delegates; groups of delegations with a chair. A delegate
//! speaks for their delegation, and the chair's delegates for the group, on
//! contributions and endorsements (checked by `policy::may_speak_for`).

pub mod http;
pub mod store;
pub mod types;
pub mod usecase;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::{Admin, Anyone, SignedIn};

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(POST "/delegations", Admin, "Create a delegation {name, status: member|observer, country}", h::create_delegation),
        endpoint!(GET "/delegations", Anyone, "Every delegation, by name", h::delegations),
        endpoint!(PUT r"/delegations/{id:\d+}/delegates", Admin, "Set a delegation's delegates {user_ids}: the accounts that speak for it", h::set_delegates),
        endpoint!(POST "/groups", Admin, "Create a negotiating group {name}", h::create_group),
        endpoint!(GET "/groups", Anyone, "Every negotiating group with its member delegations and chair", h::groups),
        endpoint!(PUT r"/groups/{id:\d+}/members", Admin, "Set a group's member delegations and chair {delegation_ids, chair_id?}: the chair's delegates speak for the group", h::set_members),
        endpoint!(GET "/me/delegations", SignedIn, "What the caller may speak for: their delegations and the groups one of them chairs", h::mine),
    ]
}
