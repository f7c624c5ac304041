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

/// A handler's query parameters, parsed the way actix parses a request's; a string
/// that does not parse is the caller's to fix (422).
pub fn query<T: DeserializeOwned>(raw: &str) -> ApiResult<actix_web::web::Query<T>> {
    actix_web::web::Query::<T>::from_query(raw).map_err(|e| ApiError::query("query", e.to_string()))
}

/// At most this many pages are read for one page view (5,000 items at 200 a page).
const MAX_PAGES: usize = 25;

/// Every item of a paged list, page after page: `fetch` answers one page for a query
/// string (`base`, then `base&cursor=…`).
pub async fn every_page<T, F, Fut>(base: &str, mut fetch: F) -> ApiResult<Vec<T>>
where
    T: DeserializeOwned,
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = ApiResult<HttpResponse>>,
{
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let query = match &cursor {
            Some(c) => format!("{base}&cursor={}", crate::web::session::percent(c)),
            None => base.to_owned(),
        };
        let page = json(fetch(query).await).await?;
        all.extend(read::<Vec<T>>(page["items"].clone())?);
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    Ok(all)
}
