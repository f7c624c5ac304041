//! Review of contributions by a consultation's co-facilitators: status, tags and
//! assignment per input, the balance of voices, campaign clusters, and exports.

pub mod balance;
pub mod duplicates;
pub mod export;
pub mod handlers;
pub mod store;

use crate::endpoint_untyped;
use crate::http::Endpoint;

pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    vec![
        endpoint_untyped!(PATCH r"/comments/{id:\d+}/review", "cofacilitator", "Set the review status, tags, assignee and note of a contribution", h::review),
        endpoint_untyped!(GET r"/comments/{id:\d+}/review/history", "cofacilitator", "Every change to a contribution's review: who, when, before and after", h::history),
        endpoint_untyped!(POST "/consultations/{id}/reviews", "cofacilitator", "One change to a selection, all or nothing: {comment_ids, status?, add_tags?, remove_tags?}", h::bulk),
        endpoint_untyped!(GET "/consultations/{id}/balance", "cofacilitator", "Contributors and contributions by stakeholder group, region and gender, overall and per paragraph", h::balance),
        endpoint_untyped!(GET "/consultations/{id}/duplicates", "cofacilitator", "Clusters of near-identical contributions (?min_size=)", h::duplicates),
        endpoint_untyped!(GET "/consultations/{id}/export", "cofacilitator", "Every contribution with its author's group and region and its review (?format=csv|json)", h::export),
    ]
}
