//! The endpoint registry: every API route is declared once, with who may call it and
//! what it does. The same list registers the routes and writes the OpenAPI document,
//! so the two cannot drift apart.

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::web;

use super::extract::BodyLimit;
use crate::error::{ApiError, ErrorCode};

pub struct Endpoint {
    pub method: Method,
    /// Path under `/api/v1`, in actix syntax (`/users/{id:\d+}`).
    pub path: &'static str,
    /// Who may call it: the guard's own words.
    pub who: &'static str,
    pub summary: &'static str,
    /// The route for a method: the endpoint's own, and HEAD for a GET.
    pub route: fn(Method) -> actix_web::Route,
    /// Describes the operation from the handler's types (see `http::doc`).
    pub describe: fn(&mut super::doc::Operation, &mut super::doc::Generators),
    pub body_limit: Option<usize>,
}

/// `endpoint!(POST "/consultations", Organizer, "Create a consultation", handlers::create)`:
/// the handler must take the guard `Organizer` as its first argument (a compile error
/// otherwise), so the route table, the check and `openapi.json` say the same thing.
#[macro_export]
macro_rules! endpoint {
    ($method:ident $path:literal, $guard:ty, $summary:literal, $handler:path) => {
        $crate::http::Endpoint {
            method: actix_web::http::Method::$method,
            path: $path,
            who: <$guard as $crate::http::doc::Guard>::WHO,
            summary: $summary,
            route: |method| actix_web::web::route().method(method).to($handler),
            describe: |op, gen| $crate::http::doc::describe::<$guard, _, _>(&$handler, op, gen),
            body_limit: None,
        }
    };
    ($method:ident $path:literal, $guard:ty, $summary:literal, $handler:path, limit = $limit:expr) => {
        $crate::http::Endpoint { body_limit: Some($limit), ..$crate::endpoint!($method $path, $guard, $summary, $handler) }
    };
}

/// Registers the endpoints, one resource per path, each answering 405 (as JSON, with
/// `Allow`) for a method it does not have. Every GET answers HEAD too (its headers, no
/// body).
///
/// The resources are grouped in scopes by their first segment (`/consultations`,
/// `/events`…): actix tries a scope's resources one after another, matching each
/// parameterised path with a regular expression, so a comment's POST was tried against
/// every parameterised path of the API listed before it. A scope's prefix is compared
/// as text, and two paths with different first segments never match the same request,
/// so the grouping changes no answer (`tests/tests/http_basics.rs` checks the 404s).
pub fn register(cfg: &mut web::ServiceConfig, endpoints: &[Endpoint]) {
    let mut by_scope: BTreeMap<&str, BTreeMap<&str, Vec<&Endpoint>>> = BTreeMap::new();
    for e in endpoints {
        let (scope, rest) = split_first_segment(e.path);
        by_scope
            .entry(scope)
            .or_default()
            .entry(rest)
            .or_default()
            .push(e);
    }
    // Paths whose first segment is a parameter come after every scope, as parameterised
    // paths come after literal ones.
    let unscoped = by_scope.remove("");
    for (scope, by_path) in by_scope {
        // A path under the scope that none of its resources takes: the API's 404, as
        // before the grouping (a scope would answer actix's own).
        cfg.service(
            web::scope(scope)
                .configure(|c| register_resources(c, by_path))
                .default_service(web::to(no_route)),
        );
    }
    if let Some(by_path) = unscoped {
        register_resources(cfg, by_path);
    }
}

/// `/consultations/{id}/comments` → (`/consultations`, `/{id}/comments`). A path whose
/// first segment holds a parameter stays whole, outside any scope.
fn split_first_segment(path: &str) -> (&str, &str) {
    // The second '/', after the leading one.
    let end = path
        .get(1..)
        .and_then(|rest| rest.find('/'))
        .map_or(path.len(), |i| i + 1);
    let (scope, rest) = path.split_at(end);
    if scope.contains('{') {
        ("", path)
    } else {
        (scope, rest)
    }
}

fn register_resources(cfg: &mut web::ServiceConfig, by_path: BTreeMap<&str, Vec<&Endpoint>>) {
    // Literal paths before parameterised ones, so `/me/export` is never taken for `/me/{x}`;
    // among those with as many parameters, the more literal text first, so that
    // `/versions/{label}.docx` is never taken for `/versions/{label}`.
    let literal = |p: &str| {
        let mut depth = 0;
        p.chars()
            .filter(|c| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => return depth == 0,
                }
                false
            })
            .count()
    };
    let mut paths: Vec<_> = by_path.into_iter().collect();
    paths.sort_by_key(|(p, _)| (p.matches('{').count(), std::cmp::Reverse(literal(p)), *p));
    for (path, group) in paths {
        let mut methods: Vec<&str> = group.iter().map(|e| e.method.as_str()).collect();
        if group.iter().any(|e| e.method == Method::GET) {
            methods.push("HEAD");
        }
        let allow = methods.join(", ");
        let mut resource = web::resource(path).default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(&allow) }
        }));
        if let Some(limit) = group.iter().filter_map(|e| e.body_limit).max() {
            resource = resource.app_data(BodyLimit(limit));
        }
        for e in group {
            resource = resource.route((e.route)(e.method.clone()));
            if e.method == Method::GET {
                resource = resource.route((e.route)(Method::HEAD));
            }
        }
        cfg.service(resource);
    }
}

/// 405 with the methods the resource has (RFC 9110, 15.5.6).
fn method_not_allowed(allow: &str) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    let mut res = ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take that method",
    )
    .error_response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    res
}

pub async fn no_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::NoRoute, "no such endpoint"))
}

#[cfg(test)]
mod tests {
    use super::split_first_segment;

    #[test]
    fn a_path_is_split_after_its_first_literal_segment() {
        assert_eq!(
            split_first_segment("/consultations/{id}/comments"),
            ("/consultations", "/{id}/comments")
        );
        assert_eq!(
            split_first_segment("/consultations"),
            ("/consultations", "")
        );
        assert_eq!(split_first_segment("/openapi.json"), ("/openapi.json", ""));
        assert_eq!(split_first_segment("/{x}/y"), ("", "/{x}/y"));
    }
}
