//! Liveness and readiness, and the API description.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppState;
use crate::endpoint;
use crate::http::Endpoint;

pub fn endpoints() -> Vec<Endpoint> {
    vec![endpoint!(GET "/openapi.json", "anyone", "This description of the API", openapi)]
}

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The process can serve: the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => {
            HttpResponse::Ok().json(json!({ "status": "ready", "checks": { "database": "ok" } }))
        }
        Err(_) => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "checks": { "database": "unreachable" } })),
    }
}

async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(&state.openapi)
}
