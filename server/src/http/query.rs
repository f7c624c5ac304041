//! The query-string extractor: like actix's, but a refusal names the parameter in plain
//! words (`since must be a whole number`, not `Query deserialize error: invalid digit`).

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::doc::{DocArg, Generators, Operation};
use crate::error::{ApiError, ApiResult};

/// Query parameters parsed into `T`; a wrong value is 422 `invalid_query` naming it.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Parses a query string, naming the parameter a problem is in.
pub fn parse<T: DeserializeOwned>(raw: &str) -> ApiResult<T> {
    let pairs = form_urlencoded::parse(raw.as_bytes());
    let de = serde_urlencoded::Deserializer::new(pairs);
    let mut track = serde_path_to_error::Track::new();
    T::deserialize(serde_path_to_error::Deserializer::new(de, &mut track)).map_err(|e| {
        let path = track.path().to_string();
        let message = e.to_string();
        let (field, problem) = match message.strip_prefix("missing field `") {
            Some(rest) => (
                rest.split('`').next().unwrap_or("query").to_owned(),
                "is required".to_owned(),
            ),
            None => (
                if path == "." || path.is_empty() {
                    "query".to_owned()
                } else {
                    path
                },
                plain(&message),
            ),
        };
        ApiError::query(&field, problem)
    })
}

/// serde's words for a value of the wrong kind, as a person would say them.
fn plain(message: &str) -> String {
    if message.contains("invalid digit") || message.contains("cannot parse integer") {
        return "must be a whole number".into();
    }
    if message.contains("number too large") || message.contains("too large to fit") {
        return "is too large".into();
    }
    if message.contains("provided string was not `true` or `false`") {
        return "must be true or false".into();
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some((_, expected)) = rest.split_once("expected ") {
            return format!("must be {}", expected.replace('`', ""));
        }
    }
    format!("is not valid: {message}")
}

impl<T: schemars::JsonSchema> DocArg for Query<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        <actix_web::web::Query<T> as DocArg>::document(op, gen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Q {
        since: Option<i64>,
        wait: Option<u64>,
    }

    #[test]
    fn problems_name_their_parameter() {
        let e = parse::<Q>("since=abc").unwrap_err();
        assert_eq!(e.fields.unwrap()["since"], "must be a whole number");
        let e = parse::<Q>("since=1&wait=-3").unwrap_err();
        assert!(e.fields.unwrap().contains_key("wait"));
        assert!(parse::<Q>("since=4&other=x").is_ok());
    }
}
