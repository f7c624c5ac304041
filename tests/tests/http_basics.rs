//! Health, errors outside any feature, headers, and the OpenAPI document.

use awc::http::{Method, StatusCode};
use indaba_tests::*;

both_backends!(
    health_and_readiness,
    metrics_in_prometheus_format,
    unknown_routes_and_methods_are_json,
    openapi_lists_every_route_and_every_route_exists,
    mistakes_are_answered_one_way
);

async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/healthz", None).await;
    assert_eq!(
        (res.status, res.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let res = app.get("/readyz", None).await;
    assert_eq!(
        (res.status, res.body["checks"]["database"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    // Security headers and a request id on every response.
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));
    assert!(res
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'self'"));
    assert!(res.header("x-request-id").is_some_and(|id| !id.is_empty()));
}

/// The value of a sample line (`name{labels} value`).
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

async fn metrics_in_prometheus_format(backend: Backend) {
    const TOKEN: &str = "metrics-token-metrics-token-0123456789";
    let app = spawn_app_with(backend, Options::new().with("INDABA_METRICS_TOKEN", TOKEN)).await;
    // Not on the public address, unless the caller has the metrics token.
    assert_eq!(
        app.get("/metrics", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/metrics", Some("a-wrong-token")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/metrics", Some(TOKEN)).await.status,
        StatusCode::OK
    );
    let res = app.metrics().await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let before = sample(&res.text, "indaba_http_requests_total{class=\"4xx\"}");
    for _ in 0..3 {
        app.get("/api/v1/no/such/thing", None).await;
    }
    // A mail waits in the queue until the worker sends it.
    app.register("Metrics", serde_json::json!({})).await;
    let text = app.metrics().await.text;
    assert!(sample(&text, "indaba_http_requests_total{class=\"4xx\"}") >= before + 3.0);
    assert!(sample(&text, "indaba_http_request_duration_seconds_count") >= 5.0);
    assert!(sample(&text, "indaba_mail_queue{state=\"pending\"}") >= 0.0);
    assert_eq!(sample(&text, "indaba_live_listeners"), 0.0);
    assert!(sample(&text, "indaba_search_lag_jobs") >= 0.0);
    assert!(sample(&text, "process_resident_memory_bytes") > 1e6);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
}

async fn unknown_routes_and_methods_are_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/api/v1/no/such/thing", None).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::NOT_FOUND, "no_route")
    );
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    // Under a first segment the API has (its routes are grouped by it): the same 404.
    for path in [
        "/api/v1/consultations/",
        "/api/v1/consultations/1/no-such-thing",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(
            (
                res.status,
                res.code(),
                res.body["error"]["message"].as_str()
            ),
            (StatusCode::NOT_FOUND, "no_route", Some("no such endpoint")),
            "{path}"
        );
    }
    let res = app
        .raw(Method::DELETE, "/api/v1/auth/login", None, None)
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let res = app
        .get("/api/v1/admin/users/not-a-number/roles", None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.code().is_empty(), "{}", res.text);
}

/// Every route the app registers is in the document (both come from one registry),
/// and every documented route answers: none falls through to `no_route`.
async fn openapi_lists_every_route_and_every_route_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["openapi"], "3.1.0");
    let paths = res.body["paths"].as_object().unwrap();

    let registered = indaba::app::endpoints();
    let mut documented = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            documented += 1;
            assert!(
                !op["summary"].as_str().unwrap_or("").is_empty(),
                "{method} {path} has no summary"
            );
            let concrete = path
                .replace("{id}", "1")
                .replace("{slug}", "x")
                .replace("{id_or_slug}", "x")
                .replace("{pid}", "1")
                .replace("{n}", "0");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app
                .raw(
                    method.clone(),
                    &concrete,
                    None,
                    Some(("application/json", "{}")),
                )
                .await;
            assert_ne!(
                res.code(),
                "no_route",
                "{method} {path} is documented but not routed"
            );
            assert_ne!(
                res.code(),
                "method_not_allowed",
                "{method} {path} is documented but not routed"
            );
            assert!(
                !res.status.is_server_error(),
                "{method} {path}: {}",
                res.text
            );
        }
    }
    assert_eq!(documented, registered.len());
    for e in &registered {
        let path = format!("/api/v1{}", indaba::http::openapi::openapi_path(e.path));
        assert!(
            paths[&path][e.method.as_str().to_lowercase()].is_object(),
            "{} {path} missing",
            e.method
        );
    }
    let codes = res.body["x-error-codes"].as_array().unwrap();
    assert!(codes
        .iter()
        .any(|c| c["code"] == "validation_failed" && c["status"] == 422));
}

/// HEAD wherever GET; 405 with `Allow`; query problems name the parameter in plain
/// words; an address too long to read is 414 with the JSON error body.
async fn mistakes_are_answered_one_way(backend: Backend) {
    let app = spawn_app(backend).await;
    let head = app
        .client
        .head(app.url("/api/v1/consultations"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let res = app
        .raw(Method::DELETE, "/api/v1/consultations", None, None)
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let allow = res.header("allow").unwrap().to_owned();
    for m in ["GET", "HEAD", "POST"] {
        assert!(allow.contains(m), "{allow}");
    }
    let res = app
        .get("/api/v1/live/consultations/1/events?since=abc", None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.field("since"),
        Some("must be a whole number"),
        "{}",
        res.text
    );
    let res = app.get("/api/v1/consultations?limit=x", None).await;
    assert!(res.field("limit").is_some(), "{}", res.text);
    let long = format!("/api/v1/consultations?q={}", "a".repeat(9000));
    let res = app.get(&long, None).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (414, "uri_too_long"),
        "{}",
        res.text
    );
}
