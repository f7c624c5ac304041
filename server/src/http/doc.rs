//! The API's description, generated from the types each handler takes and returns.
//!
//! A handler's first argument is its guard (who may call it, checked when the argument
//! is extracted); each further argument says what it reads (a JSON body, query
//! parameters, a path); its return type says what it answers. [`Describe`] is
//! implemented for every handler whose arguments all describe themselves, so the
//! route table cannot register a handler that `openapi.json` would describe wrongly:
//! the guard named in the table must be the one the handler takes.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use schemars::generate::{Contract, SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::error::ApiError;

/// What is known of one operation while its handler's types describe it.
pub struct Operation {
    pub parameters: Vec<Value>,
    pub request_body: Option<Value>,
    /// Successful answers: status → OpenAPI response object.
    pub responses: BTreeMap<u16, Value>,
    /// Error statuses the operation can answer with (each with the `Error` body).
    pub errors: BTreeSet<u16>,
    /// Whether the operation needs a bearer token (or the page session).
    pub signed_in: bool,
}

impl Operation {
    fn new() -> Operation {
        Operation {
            parameters: Vec::new(),
            request_body: None,
            responses: BTreeMap::new(),
            // Any request can meet a database that is down, or be too long to read.
            errors: BTreeSet::from([414, 503]),
            signed_in: false,
        }
    }

    pub fn error(&mut self, statuses: &[u16]) {
        self.errors.extend(statuses.iter().copied());
    }

    /// A successful answer with a JSON body of type `T`.
    pub fn json<T: JsonSchema>(&mut self, status: u16, description: &str, gen: &mut Generators) {
        let schema = gen.output.subschema_for::<T>();
        self.responses.insert(
            status,
            json!({"description": description, "content": {"application/json": {"schema": schema}}}),
        );
    }

    /// A successful answer of another media type, described in words.
    pub fn media(&mut self, status: u16, description: &str, media_type: &str) {
        self.responses.insert(
            status,
            json!({"description": description, "content": {media_type: {"schema": {"type": "string"}}}}),
        );
    }

    pub fn empty(&mut self, status: u16, description: &str) {
        self.responses
            .insert(status, json!({ "description": description }));
    }
}

/// Schema generators for what clients send (deserialised) and what they receive
/// (serialised): the two differ where fields have defaults or are left out when empty.
pub struct Generators {
    pub input: SchemaGenerator,
    pub output: SchemaGenerator,
}

impl Generators {
    pub fn new() -> Generators {
        let settings = |contract: Contract| {
            SchemaSettings::draft2020_12().with(|s| {
                s.definitions_path = "#/components/schemas/".into();
                s.contract = contract;
                s.meta_schema = None;
            })
        };
        Generators {
            input: SchemaGenerator::new(settings(Contract::Deserialize)),
            output: SchemaGenerator::new(settings(Contract::Serialize)),
        }
    }

    /// Every named schema met, for `components.schemas`. A name used for an input and an
    /// output of different shapes keeps both, the input's under `…Input`.
    pub fn components(&mut self) -> Map<String, Value> {
        let mut all = self.output.take_definitions(true);
        for (name, schema) in self.input.take_definitions(true) {
            match all.get(&name) {
                Some(existing) if *existing != schema => {
                    all.insert(format!("{name}Input"), schema);
                }
                _ => {
                    all.insert(name, schema);
                }
            }
        }
        all
    }
}

impl Default for Generators {
    fn default() -> Self {
        Self::new()
    }
}

/// A guard: the first argument of every handler, an extractor that refuses callers the
/// operation is not for. `WHO` is what `openapi.json` says of it.
pub trait Guard {
    const WHO: &'static str;
    /// Error statuses the guard itself answers with.
    const ERRORS: &'static [u16];
    const SIGNED_IN: bool;
}

/// An argument that says what it reads from the request.
pub trait DocArg {
    fn document(_op: &mut Operation, _gen: &mut Generators) {}
}

/// A handler's answer, describing itself.
pub trait Responds {
    fn document(op: &mut Operation, gen: &mut Generators);
}

/// Implemented for handlers `async fn(G, A, B, …) -> Result<R, ApiError>` whose first
/// argument is the guard `G`.
pub trait Describe<G, Args> {
    fn describe(op: &mut Operation, gen: &mut Generators);
}

macro_rules! describe_handlers {
    ($($arg:ident),*) => {
        impl<F, Fut, R, G, $($arg),*> Describe<G, (G, $($arg,)*)> for F
        where
            F: Fn(G, $($arg),*) -> Fut,
            Fut: Future<Output = Result<R, ApiError>>,
            G: Guard,
            $($arg: DocArg,)*
            R: Responds,
        {
            fn describe(op: &mut Operation, gen: &mut Generators) {
                op.signed_in = G::SIGNED_IN;
                op.error(G::ERRORS);
                $(<$arg as DocArg>::document(op, gen);)*
                R::document(op, gen);
            }
        }
    };
}

describe_handlers!();
describe_handlers!(A);
describe_handlers!(A, B);
describe_handlers!(A, B, C);
describe_handlers!(A, B, C, D);
describe_handlers!(A, B, C, D, E);
describe_handlers!(A, B, C, D, E, H);
describe_handlers!(A, B, C, D, E, H, I);

/// Describes `handler`, which must take the guard `G` first (a compile error otherwise).
pub fn describe<G, Args, F: Describe<G, Args>>(
    _handler: &F,
    op: &mut Operation,
    gen: &mut Generators,
) {
    F::describe(op, gen)
}

/// A fresh operation, described by `describe`.
pub fn operation(describe: fn(&mut Operation, &mut Generators), gen: &mut Generators) -> Operation {
    let mut op = Operation::new();
    describe(&mut op, gen);
    op
}

// What the framework's own extractors read.

impl DocArg for actix_web::HttpRequest {}
impl<T: ?Sized> DocArg for actix_web::web::Data<T> {}
impl DocArg for actix_web::web::Payload {}
impl<T> DocArg for actix_web::web::Path<T> {
    fn document(op: &mut Operation, _gen: &mut Generators) {
        op.error(&[404]);
    }
}

/// Query parameters, one per property of `T`'s schema.
impl<T: JsonSchema> DocArg for actix_web::web::Query<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        let schema = T::json_schema(&mut gen.input);
        let value = schema.as_value();
        let required: BTreeSet<&str> = value
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = value.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                let mut schema = schema.clone();
                let description = schema.as_object_mut().and_then(|o| o.remove("description"));
                let mut param = json!({
                    "name": name,
                    "in": "query",
                    "required": required.contains(name.as_str()),
                    "schema": schema,
                });
                if let Some(d) = description {
                    param["description"] = d;
                }
                op.parameters.push(param);
            }
        }
        op.error(&[422]);
    }
}

/// The parts of a path template: `/users/{id:\d+}.ics` → `/users/{id}.ics` and its
/// parameters (an integer when the route only matches digits).
pub fn path_template(actix_path: &str) -> (String, Vec<Value>) {
    let mut out = String::with_capacity(actix_path.len());
    let mut params = Vec::new();
    let mut rest = actix_path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        let (name, pattern) = inner.split_once(':').unwrap_or((inner, ""));
        let schema = if pattern == r"\d+" {
            json!({"type": "integer", "minimum": 0})
        } else {
            json!({"type": "string"})
        };
        params.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
        out.push('{');
        out.push_str(name);
        out.push('}');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    (out, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_name_their_parameters() {
        let (path, params) = path_template(r"/sessions/{id:\d+}.ics");
        assert_eq!(path, "/sessions/{id}.ics");
        assert_eq!(params[0]["schema"]["type"], "integer");
        let (path, params) = path_template("/consultations/{id}/versions/{a}/diff/{b}");
        assert_eq!(path, "/consultations/{id}/versions/{a}/diff/{b}");
        assert_eq!(params.len(), 3);
        assert_eq!(params[2]["name"], "b");
    }
}
