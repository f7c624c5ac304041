//! What handlers answer: typed bodies that write themselves as HTTP and describe
//! themselves in `openapi.json`. Handlers never build JSON by hand.

use actix_web::body::BoxBody;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, Responder};
use schemars::JsonSchema;
use serde::Serialize;

use super::doc::{Generators, Operation, Responds};

/// 200 with a JSON body.
pub struct Json<T>(pub T);

/// 201 with the created resource.
pub struct Created<T>(pub T);

/// 202: taken, done later (or deliberately not told, as for password resets).
pub struct Accepted<T>(pub T);

/// 204.
pub struct NoContent;

/// 200 with a JSON body that holds personal data: never kept by a cache.
pub struct Private<T>(pub T);

/// The media types a [`File`] can have, as each operation documents it.
pub trait DownloadKind {
    const MEDIA_TYPE: &'static str;
    const DESCRIPTION: &'static str;
    /// What the file starts with before its body.
    const PREFIX: &'static str = "";
}

/// A download of a known kind, so that `openapi.json` can name its media type.
pub struct File<K: DownloadKind> {
    pub filename: String,
    pub body: Vec<u8>,
    pub private: bool,
    kind: std::marker::PhantomData<K>,
}

impl<K: DownloadKind> File<K> {
    pub fn new(filename: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        File {
            filename: filename.into(),
            body: body.into(),
            private: false,
            kind: std::marker::PhantomData,
        }
    }

    pub fn private(mut self) -> Self {
        self.private = true;
        self
    }
}

pub struct Csv;
impl DownloadKind for Csv {
    const MEDIA_TYPE: &'static str = "text/csv; charset=utf-8";
    const DESCRIPTION: &'static str =
        "CSV (RFC 4180) with a header row, after a UTF-8 byte-order mark";
    /// Excel on Windows reads a CSV without a byte-order mark in the machine's legacy
    /// code page, turning Arabic and Chinese into mojibake.
    const PREFIX: &'static str = "\u{feff}";
}

pub struct Docx;
impl DownloadKind for Docx {
    const MEDIA_TYPE: &'static str =
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const DESCRIPTION: &'static str = "A Word document (Office Open XML, .docx)";
}

pub struct Html;
impl DownloadKind for Html {
    const MEDIA_TYPE: &'static str = "text/html; charset=utf-8";
    const DESCRIPTION: &'static str = "An HTML document to keep, print or send";
}

pub struct Calendar;
impl DownloadKind for Calendar {
    const MEDIA_TYPE: &'static str = "text/calendar; charset=utf-8";
    const DESCRIPTION: &'static str = "iCalendar (RFC 5545)";
}

/// 101: a WebSocket upgrade (its frames are described in docs/live.md).
pub struct Upgrade(pub HttpResponse);

fn json_response<T: Serialize>(
    mut builder: actix_web::HttpResponseBuilder,
    body: &T,
) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => builder
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .body(bytes),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::internal(e)),
    }
}

impl<T: Serialize> Responder for Json<T> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        json_response(HttpResponse::Ok(), &self.0)
    }
}

impl<T: Serialize> Responder for Private<T> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut b = HttpResponse::Ok();
        b.insert_header((header::CACHE_CONTROL, "no-store"));
        json_response(b, &self.0)
    }
}

impl<T: Serialize> Responder for Created<T> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        json_response(HttpResponse::Created(), &self.0)
    }
}

impl<T: Serialize> Responder for Accepted<T> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        json_response(HttpResponse::Accepted(), &self.0)
    }
}

impl Responder for NoContent {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }
}

impl<K: DownloadKind> Responder for File<K> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut b = HttpResponse::Ok();
        b.insert_header((header::CONTENT_TYPE, K::MEDIA_TYPE))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    self.filename.replace('"', "")
                ),
            ));
        if self.private {
            b.insert_header((header::CACHE_CONTROL, "no-store"));
        }
        if K::PREFIX.is_empty() {
            b.body(self.body)
        } else {
            let mut body = K::PREFIX.as_bytes().to_vec();
            body.extend_from_slice(&self.body);
            b.body(body)
        }
    }
}

impl Responder for Upgrade {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.0
    }
}

impl<T: JsonSchema> Responds for Json<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        op.json::<T>(200, "OK", gen);
    }
}

impl<T: JsonSchema> Responds for Private<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        op.json::<T>(200, "OK (personal data: Cache-Control: no-store)", gen);
    }
}

impl<T: JsonSchema> Responds for Created<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        op.json::<T>(201, "Created", gen);
    }
}

impl<T: JsonSchema> Responds for Accepted<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        op.json::<T>(202, "Accepted", gen);
    }
}

impl Responds for NoContent {
    fn document(op: &mut Operation, _: &mut Generators) {
        op.empty(204, "Done");
    }
}

impl<K: DownloadKind> Responds for File<K> {
    fn document(op: &mut Operation, _: &mut Generators) {
        op.media(200, K::DESCRIPTION, K::MEDIA_TYPE);
    }
}

impl Responds for Upgrade {
    fn document(op: &mut Operation, _: &mut Generators) {
        op.empty(
            101,
            "Switching to the WebSocket protocol; frames as described in docs/live.md",
        );
        // A request without the upgrade headers.
        op.error(&[400]);
    }
}

/// An answer that is either of two typed answers (a 200 or a 201, say).
pub enum Either<L, R> {
    Left(L),
    Right(R),
}

impl<L: Responder<Body = BoxBody>, R: Responder<Body = BoxBody>> Responder for Either<L, R> {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        match self {
            Either::Left(l) => l.respond_to(req),
            Either::Right(r) => r.respond_to(req),
        }
    }
}

impl<L: Responds, R: Responds> Responds for Either<L, R> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        L::document(op, gen);
        R::document(op, gen);
    }
}

/// An answer `R` of an operation that may also be refused with the status `S` for a
/// reason of its own (409 when it conflicts with the current state, 429 when rate
/// limited, 403 when a part of the request is for others), so that `openapi.json` lists
/// that status too.
pub struct Or<R, const S: u16>(pub R);

/// May answer 409 (a duplicate, a closed call, a decision already taken, a clash…).
pub type MayConflict<R> = Or<R, 409>;

/// May answer 429 (with `Retry-After`).
pub type RateLimited<R> = Or<R, 429>;

/// May answer 403 for a part of the request that only some callers may use.
pub type MayForbid<R> = Or<R, 403>;

/// May answer 404 for a resource named in the body (a follow's target, say).
pub type MayMiss<R> = Or<R, 404>;

/// May answer 401 for its own reason (a wrong password, a spent refresh token).
pub type MayRefuse<R> = Or<R, 401>;

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

/// A list page: `{items, next_cursor}`.
#[derive(Serialize, JsonSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Give it as `?cursor=` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A list that always fits in one page.
    pub fn all(items: Vec<T>) -> List<T> {
        List {
            items,
            next_cursor: None,
        }
    }

    /// The page `page` asks for of a list computed whole.
    pub fn page(items: Vec<T>, page: &crate::http::page::Page) -> List<T> {
        let (items, next_cursor) = page.slice(items);
        List { items, next_cursor }
    }
}
