//! The OpenAPI 3.1 document, written from the endpoint registry and the types of each
//! handler (see `http::doc`).

use serde_json::{json, Map, Value};

use super::doc::{operation, path_template, Generators};
use super::routes::Endpoint;
use crate::error::ErrorCode;

/// What each error status means, for the responses that list it.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "Malformed request (body not JSON, or not a WebSocket upgrade)",
        401 => "No token, or an invalid or expired one",
        403 => "Not allowed for this caller",
        404 => "No such resource",
        409 => "Conflicts with the current state",
        413 => "Body over the size limit",
        414 => "Address over 8 KiB",
        415 => "Not JSON",
        422 => "Invalid field or parameter values: see `fields`",
        429 => "Rate limited: see Retry-After",
        503 => "A dependency (the database) is unavailable",
        _ => "Error",
    }
}

pub fn document(endpoints: &[Endpoint]) -> Value {
    let mut gen = Generators::new();
    let mut paths = Map::new();
    for e in endpoints {
        let (path, path_params) = path_template(e.path);
        let op = operation(e.describe, &mut gen);
        let mut responses = Map::new();
        for (status, response) in &op.responses {
            responses.insert(status.to_string(), response.clone());
        }
        for status in &op.errors {
            responses.insert(
                status.to_string(),
                json!({
                    "description": error_description(*status),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                }),
            );
        }
        let mut parameters = path_params;
        parameters.extend(op.parameters);
        let mut o = json!({
            "summary": e.summary,
            "description": format!("Who may call it: {}.", e.who),
            "x-who": e.who,
            "responses": responses,
        });
        if !parameters.is_empty() {
            o["parameters"] = Value::Array(parameters);
        }
        if let Some(body) = op.request_body {
            o["requestBody"] = body;
        }
        o["security"] = if op.signed_in {
            json!([{"bearer": []}])
        } else {
            // Anonymous callers are welcome; a token, when sent, is checked.
            json!([{}, {"bearer": []}])
        };
        let entry = paths
            .entry(format!("/api/v1{path}"))
            .or_insert_with(|| json!({}));
        if let Value::Object(map) = entry {
            map.insert(e.method.as_str().to_lowercase(), o);
        }
    }
    let codes: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(
            |c| json!({"code": c.as_str(), "status": c.status().as_u16(), "meaning": c.describe()}),
        )
        .collect();
    let mut schemas = gen.components();
    let code_names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": code_names},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "details": {"type": "object"}
                }
            }}
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Indaba API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Multistakeholder consultations and IGF events. Errors are JSON with a stable `code`; the table is in `x-error-codes`."
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": schemas,
        },
        "x-error-codes": codes,
    })
}

/// `/users/{id:\d+}.ics` → `/users/{id}.ics`
pub fn openapi_path(actix_path: &str) -> String {
    path_template(actix_path).0
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_operations_carry_their_schemas() {
        let doc = super::document(&crate::app::endpoints());
        let op = &doc["paths"]["/api/v1/openapi.json"]["get"];
        assert_eq!(op["x-who"], "anyone");
        assert!(op["responses"]["200"]["content"]["application/json"]["schema"].is_object());
        assert_eq!(
            op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
    }

    #[test]
    fn strips_regex_from_params() {
        assert_eq!(
            super::openapi_path(r"/sessions/{id:\d+}.ics"),
            "/sessions/{id}.ics"
        );
        assert_eq!(super::openapi_path("/a/{slug}/b"), "/a/{slug}/b");
    }
}
