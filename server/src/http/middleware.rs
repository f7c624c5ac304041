//! Request tracing, security headers and the JSON fallback for errors on `/api`.

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, Next};
use actix_web::ResponseError;
use tracing::Instrument;

use crate::error::{ApiError, ErrorCode};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest address (path and query) the server reads. A longer one is 414 with the
/// JSON error body. (Past actix-http's own limit on the request head, 32 KiB, the HTTP
/// parser answers a bare 400 before any of this runs; a proxy in front answers 414.)
pub const MAX_URI: usize = 8 * 1024;

/// Gives every request an id (kept from `X-Request-Id` when sane), a tracing span that
/// every log line inside carries, and one summary line when it ends.
pub async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| crate::crypto::random_token(12));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let credentialed = carries_credentials(&req);
    async move {
        let too_long = req.uri().path().len() + req.query_string().len() > MAX_URI;
        let mut res = if too_long {
            let refusal = ApiError::new(
                ErrorCode::UriTooLong,
                format!("the address is over {MAX_URI} bytes"),
            );
            req.error_response(refusal).map_into_right_body()
        } else {
            next.call(req).await?.map_into_left_body()
        };
        let status = res.status().as_u16();
        let seconds = started.elapsed().as_secs_f64();
        crate::metrics::record(status, seconds);
        let ms = seconds * 1000.0;
        if status == 503 {
            // Not ready yet (the search index is being built) or overloaded: expected.
            tracing::warn!(status, ms, "request refused");
        } else if status >= 500 {
            tracing::error!(status, ms, "request failed");
        } else {
            tracing::info!(status, ms, "request");
        }
        if let Ok(value) = HeaderValue::from_str(&id) {
            res.headers_mut().insert(REQUEST_ID, value);
        }
        if credentialed {
            personal(res.headers_mut());
        }
        Ok(res)
    }
    .instrument(span)
    .await
}

/// Whether the request says who sends it (a bearer token or a session cookie): its
/// answer may then hold what only that person may see.
fn carries_credentials(req: &ServiceRequest) -> bool {
    req.headers().contains_key(header::AUTHORIZATION)
        || req
            .headers()
            .get_all(header::COOKIE)
            .filter_map(|v| v.to_str().ok())
            .any(|c| c.contains("indaba_access=") || c.contains("indaba_refresh="))
}

/// One rule instead of one per endpoint: an answer to someone who said who they are is
/// kept by no cache, the browser's disk included (`no-store`), unless it is a public
/// asset. Answers to anonymous requests hold only what everyone may see.
fn personal(headers: &mut actix_web::http::header::HeaderMap) {
    let public = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("public"));
    if !public {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"));
    if https {
        headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}

/// Any error response on `/api` that is not already the contract's JSON (a framework
/// 404, 405 or 413, say) is rewritten into it: never an HTML or plain-text error there.
pub fn json_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !res.request().path().starts_with("/api") {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NoRoute,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let (req, _) = res.into_parts();
    let body = ApiError::new(code, reason).error_response();
    let res: ServiceResponse<EitherBody<B>> = ServiceResponse::new(req, body).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
