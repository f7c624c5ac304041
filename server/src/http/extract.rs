//! The JSON body extractor: size limit, content type, and serde errors that name the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// Default body limit for JSON requests; endpoints that take documents raise it.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Per-resource override of the body limit.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body parsed into `T`. Malformed JSON is 400, a wrong or missing field 422
/// (naming the field), a body over the limit 413, another content type 415.
pub struct ApiJson<T>(pub T);

/// What a body extractor needs of the request before it reads the payload.
struct BodyHead {
    limit: usize,
    content_type: Option<String>,
    declared_len: Option<usize>,
}

impl BodyHead {
    fn of(req: &HttpRequest) -> BodyHead {
        BodyHead {
            limit: req
                .app_data::<BodyLimit>()
                .map_or(DEFAULT_BODY_LIMIT, |l| l.0),
            content_type: req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            declared_len: req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok()),
        }
    }

    /// The media type without parameters, lower-cased.
    fn essence(&self) -> Option<String> {
        self.content_type.as_deref().map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// 415 unless the body is said to be JSON (or its type is not said).
    fn ensure_json(&self) -> Result<(), ApiError> {
        match self.essence().filter(|e| !is_json(e)) {
            Some(essence) => Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!("expected application/json, got {essence}"),
            )),
            None => Ok(()),
        }
    }

    /// The whole body, within the limit (413 beyond it).
    async fn read(&self, mut payload: Payload) -> Result<web::BytesMut, ApiError> {
        let limit = self.limit;
        let too_large = || {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is over {limit} bytes"),
            )
        };
        if self.declared_len.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let head = BodyHead::of(req);
        let payload = payload.take();
        Box::pin(async move {
            head.ensure_json()?;
            let body = head.read(payload).await?;
            parse_json(&body).map(ApiJson)
        })
    }
}

/// A JSON body that may be left out: no body (or only whitespace) reads as
/// `T::default()`; otherwise as [`ApiJson`].
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let head = BodyHead::of(req);
        let payload = payload.take();
        Box::pin(async move {
            let body = head.read(payload).await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            head.ensure_json()?;
            parse_json(&body).map(OptionalJson)
        })
    }
}

impl<T: schemars::JsonSchema> super::doc::DocArg for OptionalJson<T> {
    fn document(op: &mut super::doc::Operation, gen: &mut super::doc::Generators) {
        document_json::<T>(op, gen, false);
    }
}

/// A JSON request body of `T`, and the errors reading one can answer.
fn document_json<T: schemars::JsonSchema>(
    op: &mut super::doc::Operation,
    gen: &mut super::doc::Generators,
    required: bool,
) {
    let schema = gen.input.subschema_for::<T>();
    op.request_body = Some(serde_json::json!({
        "required": required,
        "content": {"application/json": {"schema": schema}}
    }));
    op.error(&[400, 413, 415, 422]);
}

/// A body that is JSON parsed into `T`, or a `multipart/form-data` upload (a file with
/// its fields), under the same limits; anything else is 415.
pub enum JsonOrForm<T> {
    Json(T),
    Form(super::multipart::Multipart),
}

/// The fields of the form an endpoint takes besides JSON, for `openapi.json`.
pub trait FormSchema {
    fn form_schema() -> serde_json::Value;
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonOrForm<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let head = BodyHead::of(req);
        let payload = payload.take();
        Box::pin(async move {
            let boundary = head
                .content_type
                .as_deref()
                .and_then(super::multipart::boundary);
            match (head.essence(), boundary) {
                (_, Some(boundary)) => {
                    let body = head.read(payload).await?;
                    super::multipart::parse(&boundary, &body).map(JsonOrForm::Form)
                }
                (Some(essence), None) if !is_json(&essence) => Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    format!("expected application/json or multipart/form-data, got {essence}"),
                )),
                _ => {
                    let body = head.read(payload).await?;
                    parse_json(&body).map(JsonOrForm::Json)
                }
            }
        })
    }
}

impl<T: schemars::JsonSchema + FormSchema> super::doc::DocArg for JsonOrForm<T> {
    fn document(op: &mut super::doc::Operation, gen: &mut super::doc::Generators) {
        let schema = gen.input.subschema_for::<T>();
        let form = T::form_schema();
        op.request_body = Some(serde_json::json!({
            "required": true,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": form}
            }
        }));
        op.error(&[400, 413, 415, 422]);
    }
}

impl<T: schemars::JsonSchema> super::doc::DocArg for ApiJson<T> {
    fn document(op: &mut super::doc::Operation, gen: &mut super::doc::Generators) {
        document_json::<T>(op, gen, true);
    }
}

/// Parses JSON, telling a syntax error (400) from a value of the wrong shape (422).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ErrorCode::MalformedJson,
            "the body is empty: send a JSON object",
        ));
    }
    // Every request body of the API is an object; serde would otherwise read a struct
    // from an array, and name a confusing position instead of the field.
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut track = serde_path_to_error::Track::new();
    let result = T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .and_then(|v| {
            de.end()?;
            Ok(v)
        });
    match result {
        Ok(value) => Ok(value),
        Err(e) => {
            use serde_json::error::Category;
            match e.classify() {
                Category::Syntax | Category::Eof | Category::Io => Err(ApiError::new(
                    ErrorCode::MalformedJson,
                    format!("malformed JSON: {e}"),
                )),
                Category::Data => {
                    let path = track.path().to_string();
                    let message = strip_position(&e.to_string());
                    let (field, problem) = match missing_field(&message) {
                        Some(name) => (join_path(&path, name), "is required".to_owned()),
                        None if path == "." || path.is_empty() => ("body".to_owned(), message),
                        None => (path, message),
                    };
                    Err(ApiError::field(&field, problem))
                }
            }
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() || path == "." {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The client's address for rate limits: the peer, or the proxy's forwarded address
/// when the operator said the proxy is trusted.
/// The client's address. Behind a trusted proxy it is the last `X-Forwarded-For` entry:
/// the one our proxy appended. Earlier entries and `Forwarded` come from the client and
/// could name anyone (and dodge rate limits).
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        let last = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(ip) = last {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Sample {
        email: String,
        age: u8,
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    fn field_of(e: ApiError) -> (ErrorCode, String) {
        (
            e.code,
            e.fields
                .map(|f| f.keys().cloned().collect::<Vec<_>>().join(","))
                .unwrap_or_default(),
        )
    }

    #[test]
    fn behind_a_proxy_the_last_forwarded_address_counts() {
        let req = actix_web::test::TestRequest::default()
            .peer_addr("10.0.0.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.7"))
            .insert_header(("forwarded", "for=1.2.3.4"))
            .to_http_request();
        assert_eq!(client_ip(&req, true), "203.0.113.7");
        assert_eq!(client_ip(&req, false), "10.0.0.9");
    }

    #[test]
    fn classifies_errors() {
        assert_eq!(
            field_of(parse_json::<Sample>(b"{").unwrap_err()).0,
            ErrorCode::MalformedJson
        );
        assert_eq!(
            field_of(parse_json::<Sample>(b"").unwrap_err()).0,
            ErrorCode::MalformedJson
        );
        assert_eq!(
            field_of(parse_json::<Sample>(br#"{"email": 5, "age": 1}"#).unwrap_err()),
            (ErrorCode::ValidationFailed, "email".into())
        );
        assert_eq!(
            field_of(parse_json::<Sample>(br#"{"age": 1}"#).unwrap_err()),
            (ErrorCode::ValidationFailed, "email".into())
        );
        assert_eq!(
            field_of(
                parse_json::<Sample>(br#"{"email": "a", "age": 1, "inner": {"name": 2}}"#)
                    .unwrap_err()
            ),
            (ErrorCode::ValidationFailed, "inner.name".into())
        );
        assert_eq!(
            field_of(parse_json::<Sample>(b"[1]").unwrap_err()),
            (ErrorCode::ValidationFailed, "body".into())
        );
        assert!(parse_json::<Sample>(br#"{"email": "a", "age": 1} x"#).is_err());
    }
}
