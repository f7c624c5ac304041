//! The events API, one file per resource. Each handler takes its guard, extracts what it
//! reads, calls one use case and answers a typed view: nothing else happens here.

pub mod bookmarks;
pub mod events;
pub mod floor;
pub mod proposals;
pub mod reports;
pub mod rooms;
pub mod sessions;

use actix_web::body::BoxBody;
use actix_web::{HttpRequest, HttpResponse, Responder};

use crate::http::doc::{Generators, Operation, Responds};
use crate::http::respond::{DownloadKind, File};

use super::usecase::Export;

/// An answer `R` of an operation that may also be refused with the status `S` for a
/// reason of its own (409 when it conflicts with the current state, 429 when rate
/// limited), so that `openapi.json` lists that status too.
pub struct Or<R, const S: u16>(pub R);

/// May answer 409 (a duplicate, a closed call, a decision already taken, a clash…).
pub type MayConflict<R> = Or<R, 409>;

/// May answer 429 (with `Retry-After`).
pub type RateLimited<R> = Or<R, 429>;

impl<R: Responder<Body = BoxBody>, const S: u16> Responder for Or<R, S> {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        self.0.respond_to(req)
    }
}

impl<R: Responds, const S: u16> Responds for Or<R, S> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        R::document(op, gen);
        op.error(&[S]);
    }
}

/// A download of an export.
fn file<K: DownloadKind>(e: Export) -> File<K> {
    File::new(e.filename, e.body)
}
