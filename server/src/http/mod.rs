//! HTTP plumbing shared by every feature: the JSON body extractor, the endpoint
//! registry (which also feeds the OpenAPI document), middleware and fallbacks.

pub mod cache;
pub mod csv;
pub mod doc;
pub mod extract;
pub mod input;
pub mod middleware;
pub mod multipart;
pub mod openapi;
pub mod page;
pub mod query;
pub mod respond;
pub mod routes;

pub use extract::{client_ip, ApiJson, BodyLimit};
pub use query::Query;
pub use routes::Endpoint;
