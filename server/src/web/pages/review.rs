//! The co-facilitators' workbench: search every input with facets, review one by one or
//! a selection at once, the balance of voices (an SVG chart with its table), campaign
//! clusters, and exports.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{failure, State};
use crate::accounts::auth::{AuthUser, MaybeUser};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::review::handlers as review_h;
use crate::search::handlers as search_h;
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};

/// Filters the page passes on to the search, in the order the form shows them.
const FACETS: [&str; 6] = [
    "stakeholder_group",
    "region",
    "language",
    "paragraph_key",
    "review_status",
    "tag",
];
const STATUSES: [&str; 6] = [
    "new",
    "read",
    "incorporated",
    "partially_incorporated",
    "not_incorporated",
    "out_of_scope",
];
/// Below this many people a balance cell is not shown: it could point at someone.
const MIN_CELL: i64 = 5;

#[derive(Deserialize)]
struct Consultation {
    id: i64,
    slug: String,
    title: String,
    version: Option<Version>,
}

#[derive(Deserialize)]
struct Version {
    paragraphs: Vec<ParagraphRef>,
}

#[derive(Deserialize)]
struct ParagraphRef {
    key: String,
    number: Option<String>,
}

pub struct Hit {
    pub id: i64,
    pub highlight: String,
    pub language: String,
    pub group: String,
    pub region: String,
    pub paragraph: String,
    pub status: String,
    pub tags: String,
    pub note: String,
}

pub struct Facet {
    pub name: &'static str,
    pub values: Vec<(String, i64)>,
}

pub struct BalanceRow {
    pub value: String,
    pub people: Option<i64>,
    pub inputs: Option<i64>,
}

pub struct BalanceTable {
    pub dimension: &'static str,
    pub rows: Vec<BalanceRow>,
    pub missing: Vec<String>,
}

pub struct Cluster {
    pub size: i64,
    pub excerpt: String,
    pub member_ids: Vec<i64>,
}

enum View {
    Inputs {
        hits: Vec<Hit>,
        total: i64,
        approximate: bool,
        facets: Vec<Facet>,
        next: Option<String>,
    },
    Balance {
        people: i64,
        inputs: i64,
        tables: Vec<BalanceTable>,
    },
    Campaigns {
        clusters: Vec<Cluster>,
    },
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    c: &'a Ctx,
    k: Consultation,
    view: View,
    errors: PageErrors,
    numbers: BTreeMap<String, String>,
}

impl ReviewPage<'_> {
    fn base(&self) -> String {
        format!("/consultations/{}/review", self.k.slug)
    }

    fn tab(&self) -> &'static str {
        match self.view {
            View::Inputs { .. } => "inputs",
            View::Balance { .. } => "balance",
            View::Campaigns { .. } => "campaigns",
        }
    }

    fn label(&self, facet: &str, value: &str) -> String {
        match facet {
            "stakeholder_group" => self.c.t.of("group", value),
            "region" => self.c.t.of("region", value),
            "review_status" => self.c.t.of("review", value),
            "gender" => self.c.t.of("gender", value),
            "paragraph_key" => match self.numbers.get(value) {
                Some(n) => self.c.t.arg("review-paragraph", "number", n),
                None => value.to_owned(),
            },
            _ => value.to_owned(),
        }
    }

    fn chosen(&self, facet: &str, value: &str) -> bool {
        self.c.param(facet) == Some(value)
    }

    /// The current search with one more (or one other) parameter.
    fn with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<(String, String)> = FACETS
            .iter()
            .chain(["q", "sort", "cursor"].iter())
            .filter(|k| **k != name)
            .filter_map(|k| {
                self.c
                    .param(k)
                    .filter(|v| !v.is_empty())
                    .map(|v| (k.to_string(), v.to_owned()))
            })
            .collect();
        pairs.push((name.to_owned(), value.to_owned()));
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent(v)))
            .collect();
        format!("{}?{}", self.base(), query.join("&"))
    }

    fn missing_list(&self, table: &BalanceTable) -> String {
        table
            .missing
            .iter()
            .map(|m| self.label(table.dimension, m))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Bar width (of 300) for the chart.
    fn bar(&self, table: &BalanceTable, row: &BalanceRow) -> i64 {
        let max = table
            .rows
            .iter()
            .filter_map(|r| r.inputs)
            .max()
            .unwrap_or(0)
            .max(1);
        row.inputs.map(|n| n * 300 / max).unwrap_or(0)
    }
}

fn text(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_default()
}

fn hits(items: &Value) -> Vec<Hit> {
    items
        .as_array()
        .map(|a| {
            a.iter()
                .map(|item| {
                    let c = &item["comment"];
                    let review = &item["comment"]["review"];
                    let review = if review.is_null() {
                        &item["review"]
                    } else {
                        review
                    };
                    Hit {
                        id: c["id"].as_i64().unwrap_or_default(),
                        highlight: text(&item["highlight"]),
                        language: text(&c["language"]),
                        group: text(&c["author"]["stakeholder_group"]),
                        region: text(&c["author"]["region"]),
                        paragraph: text(&c["paragraph_key"]),
                        status: review["status"].as_str().unwrap_or("new").to_owned(),
                        tags: review["tags"]
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(|x| x.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            })
                            .unwrap_or_default(),
                        note: text(&review["note"]),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn facets(v: &Value) -> Vec<Facet> {
    FACETS
        .iter()
        .map(|name| {
            let mut values: Vec<(String, i64)> = v[*name]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, n)| (k.clone(), n.as_i64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Facet { name, values }
        })
        .collect()
}

fn balance_tables(b: &Value) -> Vec<BalanceTable> {
    ["stakeholder_group", "region", "gender"]
        .into_iter()
        .map(|dimension| {
            let rows = b["overall"][dimension]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(value, cell)| {
                            // The API withholds small cells; the page checks again.
                            let people = cell["contributors"].as_i64().unwrap_or(0);
                            let shown =
                                cell["suppressed"] != true && (people == 0 || people >= MIN_CELL);
                            BalanceRow {
                                value: value.clone(),
                                people: shown.then_some(people),
                                inputs: shown.then(|| cell["contributions"].as_i64().unwrap_or(0)),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let missing = b["missing"][dimension]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            BalanceTable {
                dimension,
                rows,
                missing,
            }
        })
        .collect()
}

async fn reviewer(state: &State, c: &Ctx, slug: &str) -> ApiResult<(AuthUser, Consultation)> {
    let user = c
        .auth()
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in"))?;
    let (key, u) = (slug.to_owned(), user.clone());
    state
        .db
        .run(move |conn| review_h::reviewed(conn, &key, &u).map(|_| ()))
        .await?;
    let detail = crate::consultations::usecase::detail(
        &state.db,
        crate::policy::Actor::User(user.clone()),
        slug.to_owned(),
    )
    .await?;
    let detail = serde_json::to_value(detail).map_err(ApiError::internal)?;
    Ok((user, api::read(detail)?))
}

async fn load_view(state: &State, c: &Ctx, user: &AuthUser, k: &Consultation) -> ApiResult<View> {
    match c.param("view") {
        Some("balance") => {
            let b = api::json(
                review_h::balance(
                    state.clone(),
                    user.clone(),
                    web::Path::from(k.id.to_string()),
                )
                .await,
            )
            .await?;
            Ok(View::Balance {
                people: b["contributors"].as_i64().unwrap_or(0),
                inputs: b["contributions"].as_i64().unwrap_or(0),
                tables: balance_tables(&b),
            })
        }
        Some("campaigns") => {
            let q = api::query::<review_h::DuplicatesQuery>("")?;
            let d = api::json(
                review_h::duplicates(
                    state.clone(),
                    user.clone(),
                    web::Path::from(k.id.to_string()),
                    q,
                )
                .await,
            )
            .await?;
            let clusters = d
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| Cluster {
                            size: x["size"].as_i64().unwrap_or(0),
                            excerpt: text(&x["representative_excerpt"]),
                            member_ids: x["member_ids"]
                                .as_array()
                                .map(|m| m.iter().filter_map(Value::as_i64).collect())
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(View::Campaigns { clusters })
        }
        _ => {
            let mut pairs: Vec<String> = FACETS
                .iter()
                .chain(["q", "sort", "cursor"].iter())
                .filter_map(|k| {
                    c.param(k)
                        .filter(|v| !v.trim().is_empty())
                        .map(|v| format!("{k}={}", percent(v)))
                })
                .collect();
            pairs.push("limit=50".into());
            let q = api::query::<search_h::SearchParams>(&pairs.join("&"))?;
            let r = api::json(
                search_h::consultation(
                    state.clone(),
                    MaybeUser(Some(user.clone())),
                    web::Path::from(k.id.to_string()),
                    q,
                )
                .await,
            )
            .await?;
            let next = r["next_cursor"].as_str().map(str::to_owned);
            Ok(View::Inputs {
                hits: hits(&r["items"]),
                total: r["total"].as_i64().unwrap_or(0),
                approximate: r["approximate"] == true,
                facets: facets(&r["facets"]),
                next,
            })
        }
    }
}

async fn show(
    req: &HttpRequest,
    state: &State,
    c: Ctx,
    slug: String,
    errors: PageErrors,
    status: StatusCode,
) -> HttpResponse {
    let loaded = match reviewer(state, &c, &slug).await {
        Ok((user, k)) => load_view(state, &c, &user, &k).await.map(|view| (k, view)),
        Err(e) => Err(e),
    };
    match loaded {
        Ok((k, view)) => {
            let numbers = k
                .version
                .as_ref()
                .map(|v| {
                    v.paragraphs
                        .iter()
                        .filter_map(|p| p.number.clone().map(|n| (p.key.clone(), n)))
                        .collect()
                })
                .unwrap_or_default();
            let page = ReviewPage {
                c: &c,
                k,
                view,
                errors,
                numbers,
            };
            respond!(c, status, page)
        }
        Err(e) if e.code == ErrorCode::Unauthenticated => {
            let back = format!("{}?{}", req.path(), req.query_string());
            c.redirect(&format!("/login?next={}", percent(&back)))
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn page(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(
        &req,
        &state,
        c,
        path.into_inner(),
        PageErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// One input's review, or the same change to a selection (`ids`), then back to the
/// search the reviewer was in.
pub async fn save(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let form = FormData::parse(&body);
    let back = form
        .opt("back")
        .filter(|b| b.starts_with(&format!("/consultations/{slug}/review")))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("/consultations/{slug}/review"));
    let Some(user) = c.auth() else {
        return c.redirect(&format!("/login?next={}", percent(&back)));
    };
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return show(&req, &state, c, slug, errors, StatusCode::OK).await;
    }
    let ids: Vec<i64> = form
        .all("ids")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    if ids.is_empty() {
        let errors = PageErrors::one(c.t.get("review-bulk-none"));
        return show(
            &req,
            &state,
            c,
            slug,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let result = if form.opt("bulk").is_some() {
        // A selection: one all-or-nothing change through the API's bulk endpoint.
        let mut change = json!({"comment_ids": ids});
        if let Some(status) = form.opt("status") {
            change["status"] = json!(status);
        }
        if let Some(tag) = form.opt("add_tag") {
            change["add_tags"] = json!([tag.trim()]);
        }
        match api::body(change) {
            Ok(input) => {
                api::json(
                    review_h::bulk(
                        state.clone(),
                        user.clone(),
                        web::Path::from(slug.clone()),
                        input,
                    )
                    .await,
                )
                .await
            }
            Err(e) => Err(e),
        }
    } else {
        let tags: Vec<&str> = form
            .get("tags")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let mut change = json!({"tags": tags, "note": form.get("note")});
        if let Some(status) = form.opt("status") {
            change["status"] = json!(status);
        }
        match api::body(change) {
            Ok(input) => {
                api::json(
                    review_h::review(state.clone(), user.clone(), web::Path::from(ids[0]), input)
                        .await,
                )
                .await
            }
            Err(e) => Err(e),
        }
    };
    if let Err(e) = result {
        let errors = PageErrors::from_api(&c.t, &e);
        let status = if e.code.status().is_server_error() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            e.code.status()
        };
        return show(&req, &state, c, slug, errors, status).await;
    }
    c.flash("review-saved");
    c.redirect(&back)
}

/// The export with the reviewer's cookie session (a link cannot carry a bearer token).
pub async fn export(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let Some(user) = c.auth() else {
        return c.redirect(&format!("/login?next=/consultations/{slug}/review"));
    };
    let format = if c.param("format") == Some("json") {
        "format=json"
    } else {
        "format=csv"
    };
    let q = match api::query::<review_h::ExportQuery>(format) {
        Ok(q) => q,
        Err(e) => return failure(c, &e),
    };
    match review_h::export(state.clone(), user, web::Path::from(slug), q).await {
        Ok(mut res) => {
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            c.attach(res)
        }
        Err(e) => failure(c, &e),
    }
}
