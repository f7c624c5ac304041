//! The end of the process, where co-facilitators turn amendments into a negotiated
//! text: the compilation text (amendments grouped per paragraph, who tabled and
//! supported them, dispositions, paragraph statuses) and the next draft it leads to; the
//! silence procedure and the adoption.

pub mod compilation;
pub mod http;
pub mod page;
pub mod silence;
pub mod store;
pub mod types;
pub mod usecase;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::{Anyone, ConsultationEditor, Verified};

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(GET "/consultations/{id}/compilation", Anyone, "The compilation text: per paragraph of the current version, the amendments grouped by identical wording, who tabled and supported each, the disposition, and the paragraph's status", h::compilation),
        endpoint!(GET "/consultations/{id}/compilation.docx", Anyone, "The compilation text as a Word file", h::compilation_docx),
        endpoint!(GET "/consultations/{id}/compilation.html", Anyone, "The compilation text as an HTML file", h::compilation_html),
        endpoint!(PUT r"/comments/{id:\d+}/disposition", InputReviewer, "Dispose of an amendment, and of every identical one on the paragraph {disposition: accepted|merged|rejected|pending, merged_into?, reason?}", h::set_disposition),
        endpoint!(PUT "/consultations/{id}/paragraphs/{key}/status", ConsultationEditor, "Set a paragraph's status {status: agreed_ad_ref|pending}", h::set_status),
        endpoint!(POST "/consultations/{id}/silence", ConsultationEditor, "Put a version under silence until a deadline {version, deadline, timezone?}: from the negotiation, one at a time", h::start_silence),
        endpoint!(GET "/consultations/{id}/silence", Anyone, "The silence procedure (and earlier ones): deadline, state (running, held, broken, adopted), the letters that broke it, the adoption", h::silence),
        endpoint!(POST "/consultations/{id}/silence/breaks", Verified, "Break silence for your delegation {delegation_id, paragraph_keys, letter}: until the deadline (409 silence_ended after)", h::break_silence),
        endpoint!(POST "/consultations/{id}/adoption", ConsultationEditor, "Record the adoption after a held silence {symbol: A/RES/79/1, adopted_on}", h::adoption),
        endpoint!(GET "/consultations/{id}/next-draft", ConsultationEditor, "The next version's draft: the current text with the accepted amendments' wording and the inputs that informed each paragraph, ready for POST …/versions", h::next_draft),
    ]
}
