//! The pages are a client of the API, in process: they call the same handlers with the
//! same inputs, so every rule (validation, visibility, rate limits, state changes and
//! the live events they append) is the API's, written once.

use actix_web::HttpResponse;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::http::ApiJson;

/// The JSON an API handler answered, or its refusal.
pub async fn json(res: ApiResult<HttpResponse>) -> ApiResult<Value> {
    let res = res?;
    let status = res.status();
    let bytes = actix_web::body::to_bytes(res.into_body())
        .await
        .map_err(|_| ApiError::internal("could not read an API answer"))?;
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::internal(format!("API answer ({status}) is not JSON: {e}")))
}

/// A request body for a handler, built the way a client's JSON would be.
pub fn body<T: DeserializeOwned>(v: Value) -> ApiResult<ApiJson<T>> {
    serde_json::from_value(v)
        .map(ApiJson)
        .map_err(|e| ApiError::internal(format!("page built a bad API input: {e}")))
}

/// Typed view of an API answer (only the fields a page shows).
pub fn read<T: DeserializeOwned>(v: Value) -> ApiResult<T> {
    serde_json::from_value(v).map_err(|e| ApiError::internal(format!("unexpected API answer: {e}")))
}
