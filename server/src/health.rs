//! Liveness and readiness, and the API description.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::endpoint;
use crate::error::ApiResult;
use crate::http::respond::Json;
use crate::http::Endpoint;
use crate::policy::guards::Anyone;
use crate::state::AppState;
use crate::state::State;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/openapi.json", Anyone, "This description of the API (OpenAPI 3.1)", openapi),
    ]
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

/// The OpenAPI 3.1 document (its own schema is OpenAPI's, not repeated here).
#[derive(serde::Serialize)]
#[serde(transparent)]
pub struct OpenApiDocument(serde_json::Value);

impl schemars::JsonSchema for OpenApiDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OpenApiDocument".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "description": "An OpenAPI 3.1 document"
        })
    }
}

async fn openapi(_: Anyone, state: State) -> ApiResult<Json<OpenApiDocument>> {
    Ok(Json(OpenApiDocument(state.openapi.clone())))
}
