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

/// The process can serve: the database answers and the search index is open and built.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db.ping().await.is_ok();
    let search = state.search.cursor().is_some();
    let body = json!({
        "status": if database && search { "ready" } else { "unavailable" },
        "checks": {
            "database": if database { "ok" } else { "unreachable" },
            "search": if search { "ok" } else { "building" },
        },
    });
    if database && search {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(&state.openapi)
}
