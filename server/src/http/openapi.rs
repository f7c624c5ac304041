//! The OpenAPI 3.1 document, written from the endpoint registry.

use serde_json::{json, Map, Value};

use super::routes::Endpoint;
use crate::error::ErrorCode;

/// `/users/{id:\d+}.ics` → `/users/{id}.ics`
pub fn openapi_path(actix_path: &str) -> String {
    let mut out = String::with_capacity(actix_path.len());
    let mut in_param = false;
    let mut skipping = false;
    for c in actix_path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push(c);
            }
            ':' if in_param => skipping = true,
            '}' if in_param => {
                in_param = false;
                skipping = false;
                out.push(c);
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

fn parameters(path: &str) -> Vec<Value> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

pub fn document(endpoints: &[Endpoint]) -> Value {
    let mut paths = Map::new();
    for e in endpoints {
        let path = openapi_path(e.path);
        let entry = paths
            .entry(format!("/api/v1{path}"))
            .or_insert_with(|| json!({}));
        let mut op = json!({
            "summary": e.summary,
            "description": format!("Who may call it: {}.", e.who),
            "responses": {
                "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        let params = parameters(&path);
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if e.who != "anyone" {
            op["security"] = json!([{"bearer": []}]);
        }
        if let Value::Object(map) = entry {
            map.insert(e.method.as_str().to_lowercase(), op);
        }
    }
    let codes: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(
            |c| json!({"code": c.as_str(), "status": c.status().as_u16(), "meaning": c.describe()}),
        )
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Indaba API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Multistakeholder consultations and IGF events. Errors are JSON with a stable `code`; the table is in `x-error-codes`."
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}}
                    }}}
                }
            }
        },
        "x-error-codes": codes,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_regex_from_params() {
        assert_eq!(
            super::openapi_path(r"/sessions/{id:\d+}.ics"),
            "/sessions/{id}.ics"
        );
        assert_eq!(super::openapi_path("/a/{slug}/b"), "/a/{slug}/b");
    }
}
