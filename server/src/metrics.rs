//! `GET /metrics` in the Prometheus text format: requests by status class and a latency
//! histogram (counted by the request middleware), live channels and listeners, the
//! search indexer's lag behind the job log, the mail queue, and resident memory.
//! Process-wide atomics: one process is one scrape target.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{web, HttpResponse};
use diesel::prelude::*;

use crate::db::schema::{mail_outbox, notifications, search_jobs};
use crate::error::ApiResult;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

struct Http {
    by_class: [AtomicU64; 5],
    /// Cumulative counts per bucket, the last for +Inf.
    buckets: [AtomicU64; 12],
    /// Microseconds, summed.
    sum_micros: AtomicU64,
}

static HTTP: Http = Http {
    by_class: [const { AtomicU64::new(0) }; 5],
    buckets: [const { AtomicU64::new(0) }; 12],
    sum_micros: AtomicU64::new(0),
};

/// Counts one finished request.
pub fn record(status: u16, seconds: f64) {
    let class = usize::from(status / 100).clamp(1, 5) - 1;
    HTTP.by_class[class].fetch_add(1, Ordering::Relaxed);
    let bucket = BUCKETS
        .iter()
        .position(|b| seconds <= *b)
        .unwrap_or(BUCKETS.len());
    HTTP.buckets[bucket].fetch_add(1, Ordering::Relaxed);
    HTTP.sum_micros
        .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
}

/// Resident memory in bytes (Linux), if known.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

struct Queues {
    jobs_head: i64,
    mail_pending: i64,
    mail_failed: i64,
    notifications_unmailed: i64,
}

fn queues(conn: &mut crate::db::DbConn) -> ApiResult<Queues> {
    let jobs_head: Option<i64> = search_jobs::table
        .select(diesel::dsl::max(search_jobs::id))
        .first(conn)?;
    let mail_pending = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::failed_at.is_null())
        .count()
        .get_result(conn)?;
    let mail_failed = mail_outbox::table
        .filter(mail_outbox::failed_at.is_not_null())
        .count()
        .get_result(conn)?;
    let notifications_unmailed = notifications::table
        .filter(notifications::emailed_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(Queues {
        jobs_head: jobs_head.unwrap_or(0),
        mail_pending,
        mail_failed,
        notifications_unmailed,
    })
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// `/metrics` on the main address: only with `Authorization: Bearer <INDABA_METRICS_TOKEN>`
/// (404 otherwise, as for any page that is not there). Prometheus normally scrapes the
/// separate address (`INDABA_METRICS_BIND`).
pub async fn behind_token(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let allowed = match (&state.config.metrics_token, presented) {
        (Some(token), Some(given)) => {
            crate::crypto::constant_time_eq(token.as_bytes(), given.trim().as_bytes())
        }
        _ => false,
    };
    if !allowed {
        return Err(crate::error::ApiError::new(
            crate::error::ErrorCode::NoRoute,
            "no such page",
        ));
    }
    metrics(state).await
}

pub async fn metrics(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let q = state.db.run(queues).await?;
    // Meilisearch answers over the network: off the async threads.
    let search = state.search.clone();
    let documents = web::block(move || search.documents())
        .await
        .ok()
        .and_then(Result::ok);
    let mut out = String::with_capacity(4096);
    metric(
        &mut out,
        "indaba_http_requests_total",
        "counter",
        "HTTP requests answered, by status class.",
    );
    for (i, class) in CLASSES.iter().enumerate() {
        let n = HTTP.by_class[i].load(Ordering::Relaxed);
        let _ = writeln!(out, "indaba_http_requests_total{{class=\"{class}\"}} {n}");
    }
    metric(
        &mut out,
        "indaba_http_request_duration_seconds",
        "histogram",
        "Time to answer HTTP requests.",
    );
    let mut cumulative = 0;
    for (i, bound) in BUCKETS.iter().enumerate() {
        cumulative += HTTP.buckets[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "indaba_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
        );
    }
    cumulative += HTTP.buckets[BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "indaba_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
    );
    let sum = HTTP.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(out, "indaba_http_request_duration_seconds_sum {sum}");
    let _ = writeln!(
        out,
        "indaba_http_request_duration_seconds_count {cumulative}"
    );

    let (channels, listeners) = state.hub.counts();
    metric(
        &mut out,
        "indaba_live_channels",
        "gauge",
        "Live channels open on this instance.",
    );
    let _ = writeln!(out, "indaba_live_channels {channels}");
    metric(
        &mut out,
        "indaba_live_listeners",
        "gauge",
        "WebSocket and long-poll listeners on this instance.",
    );
    let _ = writeln!(out, "indaba_live_listeners {listeners}");

    let cursor = state.search.cursor().unwrap_or(0);
    metric(
        &mut out,
        "indaba_search_lag_jobs",
        "gauge",
        "Search jobs written but not yet in this instance's index.",
    );
    let _ = writeln!(
        out,
        "indaba_search_lag_jobs {}",
        (q.jobs_head - cursor).max(0)
    );
    metric(
        &mut out,
        "indaba_search_documents",
        "gauge",
        "Documents in this instance's search index.",
    );
    if let Some(documents) = documents {
        let _ = writeln!(out, "indaba_search_documents {documents}");
    }
    metric(
        &mut out,
        "indaba_mail_queue",
        "gauge",
        "Mail waiting to be sent, and mail given up on.",
    );
    let _ = writeln!(
        out,
        "indaba_mail_queue{{state=\"pending\"}} {}",
        q.mail_pending
    );
    let _ = writeln!(
        out,
        "indaba_mail_queue{{state=\"failed\"}} {}",
        q.mail_failed
    );
    metric(
        &mut out,
        "indaba_notifications_unmailed",
        "gauge",
        "Notifications waiting for their mail or digest.",
    );
    let _ = writeln!(
        out,
        "indaba_notifications_unmailed {}",
        q.notifications_unmailed
    );
    if let Some(bytes) = resident_bytes() {
        metric(
            &mut out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
        );
        let _ = writeln!(out, "process_resident_memory_bytes {bytes}");
    }
    metric(
        &mut out,
        "indaba_build_info",
        "gauge",
        "The running version.",
    );
    let _ = writeln!(
        out,
        "indaba_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fall_into_classes_and_buckets() {
        let before = HTTP.by_class[3].load(Ordering::Relaxed);
        record(404, 0.003);
        record(404, 20.0);
        assert_eq!(HTTP.by_class[3].load(Ordering::Relaxed), before + 2);
        assert!(HTTP.buckets[0].load(Ordering::Relaxed) >= 1);
        assert!(HTTP.buckets[BUCKETS.len()].load(Ordering::Relaxed) >= 1);
    }
}
