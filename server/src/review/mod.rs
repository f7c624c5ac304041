//! Review of contributions by a consultation's co-facilitators: status, tags and
//! assignment per input, the balance of voices, campaign clusters, and exports.

pub mod balance;
pub mod command;
pub mod compilation;
pub mod duplicates;
pub mod export;
pub mod http;
pub mod report;
pub mod store;
pub mod usecase;
pub mod view;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::{Anyone, ConsultationReviewer};

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(PATCH r"/comments/{id:\d+}/review", InputReviewer, "Set the review status, tags, assignee and note of a contribution", h::review),
        endpoint!(GET r"/comments/{id:\d+}/review/history", InputReviewer, "Every change to a contribution's review: who, when, before and after", h::history),
        endpoint!(POST "/consultations/{id}/reviews", ConsultationReviewer, "One change to a selection, all or nothing: {comment_ids, status?, add_tags?, remove_tags?}", h::bulk),
        endpoint!(GET "/consultations/{id}/balance", ConsultationReviewer, "Contributors and contributions by stakeholder group, region, gender and language, overall and per paragraph", h::balance),
        endpoint!(GET "/consultations/{id}/duplicates", ConsultationReviewer, "Clusters of near-identical contributions (?min_size=)", h::duplicates),
        endpoint!(GET "/consultations/{id}/inputs.docx", ConsultationReviewer, "The compilation of inputs as a Word file: the current text paragraph by paragraph, each with the inputs on it (amendments' wording as insertions), then general comments", h::compilation),
        endpoint!(GET "/consultations/{id}/versions/{label}/report", Anyone, "What we heard on a version: per paragraph, the inputs by group, region and language (small cells withheld), campaigns folded, themes with quotes, what informed the next text; every sentence cites its inputs", h::report),
        endpoint!(GET "/consultations/{id}/versions/{label}/report.docx", Anyone, "What we heard on a version, as a Word file", h::report_docx),
        endpoint!(GET "/consultations/{id}/versions/{label}/report.html", Anyone, "What we heard on a version, as an HTML file whose citations link to each input", h::report_html),
        endpoint!(GET "/consultations/{id}/export", ConsultationReviewer, "Every contribution with its author's group and region and its review (?format=csv|json)", h::export),
    ]
}
