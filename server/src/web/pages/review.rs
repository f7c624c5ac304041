//! The co-facilitators' workbench: search every input with facets, review one by one or
//! a selection at once, the balance of voices (an SVG chart with its table), campaign
//! clusters, and exports. It calls the review and search use cases with the proof the
//! policy gives ([`ConsultationReviewer`], [`InputReviewer`]) and renders the views they
//! return, so each contribution is shown here as on every other surface.

use std::collections::BTreeMap;

use crate::http::respond::{Docx, File};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, Responder};
use askama::Template;

use super::{failure, State};
use crate::consultations::view::ConsultationDetail;
use crate::error::{ApiResult, ErrorCode};
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::ConsultationReviewer;
use crate::review::balance::{Balance, Cell};
use crate::review::command::{BulkCommand, BulkInput, ExportFormat, ReviewInput};
use crate::review::http::ExportAnswer;
use crate::review::store::{Change, ReviewStatus};
use crate::review::usecase as review;
use crate::review::view::{Cluster, ReviewView};
use crate::search::command::{ConsultationSearch, ConsultationSearchQuery};
use crate::search::usecase as search;
use crate::search::view::CommentHit;
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
const STATUSES: &[ReviewStatus] = ReviewStatus::ALL;
/// Below this many people a balance cell is not shown: it could point at someone.
const MIN_CELL: usize = crate::review::balance::MIN_CELL;

pub struct Facet {
    pub name: &'static str,
    pub values: Vec<(String, i64)>,
}

pub struct BalanceRow {
    pub value: String,
    pub people: Option<usize>,
    pub inputs: Option<i64>,
}

pub struct BalanceTable {
    pub dimension: &'static str,
    pub rows: Vec<BalanceRow>,
    pub missing: Vec<String>,
}

enum View {
    Inputs {
        hits: Vec<CommentHit>,
        total: usize,
        approximate: bool,
        facets: Vec<Facet>,
        next: Option<String>,
    },
    Balance {
        /// `None`: withheld (a small total, or one that would give a cell away).
        people: Option<usize>,
        inputs: Option<u64>,
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
    k: ConsultationDetail,
    view: View,
    errors: PageErrors,
    numbers: BTreeMap<String, String>,
}

/// A review as a form shows it: `new` with nothing else when nobody reviewed the input.
fn review_of(h: &CommentHit) -> Option<&ReviewView> {
    h.comment.review.as_ref()
}

impl ReviewPage<'_> {
    fn base(&self) -> String {
        format!("/consultations/{}/review", self.k.consultation.slug)
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
            "language" => self.c.t.language(value),
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

    /// The author as this reviewer may know them (anonymous and withdrawn authors have
    /// labels; their names never reach this page).
    fn author(&self, h: &CommentHit) -> String {
        super::consultation::author_name(self.c, &h.comment.view.author)
    }

    fn group(&self, h: &CommentHit) -> String {
        h.comment
            .view
            .author
            .stakeholder_group()
            .map(|g| g.as_str().to_owned())
            .unwrap_or_default()
    }

    fn region(&self, h: &CommentHit) -> String {
        h.comment
            .view
            .author
            .region()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default()
    }

    fn paragraph(&self, h: &CommentHit) -> String {
        h.comment.view.paragraph_key.clone().unwrap_or_default()
    }

    fn has_status(&self, h: &CommentHit, status: &ReviewStatus) -> bool {
        review_of(h).map_or(ReviewStatus::New, |r| r.status) == *status
    }

    fn tags(&self, h: &CommentHit) -> String {
        review_of(h).map(|r| r.tags.join(", ")).unwrap_or_default()
    }

    fn note(&self, h: &CommentHit) -> String {
        review_of(h).map(|r| r.note.clone()).unwrap_or_default()
    }
}

/// A count as the page's number formatting takes it.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn facets(found: &BTreeMap<String, BTreeMap<String, u64>>) -> Vec<Facet> {
    FACETS
        .iter()
        .map(|name| {
            let mut values: Vec<(String, i64)> = found
                .get(*name)
                .map(|o| o.iter().map(|(k, n)| (k.clone(), count(*n))).collect())
                .unwrap_or_default();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Facet { name, values }
        })
        .collect()
}

fn balance_tables(b: &Balance) -> Vec<BalanceTable> {
    let row = |(value, cell): (&String, &Cell)| {
        // The use case withholds small cells; the page checks again.
        let people = cell.contributors.unwrap_or(0);
        let shown = !cell.suppressed && (people == 0 || people >= MIN_CELL);
        BalanceRow {
            value: value.clone(),
            people: shown.then_some(people),
            inputs: shown.then(|| count(cell.contributions.unwrap_or(0))),
        }
    };
    [
        (
            "stakeholder_group",
            &b.overall.stakeholder_group,
            b.missing.stakeholder_group.clone(),
        ),
        ("region", &b.overall.region, b.missing.region.clone()),
        ("gender", &b.overall.gender, Vec::new()),
        ("language", &b.overall.language, Vec::new()),
    ]
    .into_iter()
    .map(|(dimension, cells, missing)| BalanceTable {
        dimension,
        rows: cells.iter().map(row).collect(),
        missing,
    })
    .collect()
}

/// The search the page shows, from its own query string.
fn search_query(c: &Ctx) -> ConsultationSearchQuery {
    let param = |name: &str| {
        c.param(name)
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
    };
    ConsultationSearchQuery {
        q: param("q"),
        stakeholder_group: param("stakeholder_group"),
        region: param("region"),
        language: param("language"),
        paragraph_key: param("paragraph_key"),
        review_status: param("review_status"),
        tag: param("tag"),
        sort: param("sort"),
        cursor: param("cursor"),
        limit: Some(50),
        ..ConsultationSearchQuery::default()
    }
}

async fn load_view(state: &State, c: &Ctx, who: &ConsultationReviewer) -> ApiResult<View> {
    match c.param("view") {
        Some("balance") => {
            let b = review::balance(&state.db, who).await?;
            Ok(View::Balance {
                people: b.contributors,
                inputs: b.contributions,
                tables: balance_tables(&b),
            })
        }
        Some("campaigns") => {
            let clusters = review::duplicates(
                &state.db,
                who,
                crate::review::command::MinSize::try_from(
                    crate::review::command::DuplicatesQuery::default(),
                )?,
            )
            .await?;
            Ok(View::Campaigns { clusters })
        }
        _ => {
            let key = who.consultation.id.to_string();
            let cmd = ConsultationSearch::parse(&key, search_query(c))?;
            let r =
                search::consultation(&state.db, state.search.clone(), c.actor(), key, cmd).await?;
            Ok(View::Inputs {
                facets: facets(&r.facets),
                hits: r.items,
                total: r.total,
                approximate: r.approximate,
                next: r.next_cursor,
            })
        }
    }
}

/// The reviewer's proof for this consultation, with its text (for paragraph numbers).
async fn reviewer(
    state: &State,
    c: &Ctx,
    slug: &str,
) -> ApiResult<(ConsultationReviewer, ConsultationDetail)> {
    let who = ConsultationReviewer::check(&state.db, c.actor(), slug.to_owned()).await?;
    let detail = crate::consultations::usecase::detail(
        &state.db,
        c.actor(),
        who.consultation.id.to_string(),
        Default::default(),
    )
    .await?;
    Ok((who, detail))
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
        Ok((who, k)) => load_view(state, &c, &who).await.map(|view| (k, view)),
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
                        .map(|p| (p.key.clone(), p.number.clone()))
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

/// A selection (`bulk`): one all-or-nothing change, as `POST …/reviews` makes it.
async fn save_bulk(
    state: &State,
    c: &Ctx,
    slug: &str,
    form: &FormData,
    ids: Vec<i64>,
) -> ApiResult<()> {
    let input = BulkInput {
        comment_ids: ids,
        status: form.opt("status").map(str::to_owned),
        add_tags: form
            .opt("add_tag")
            .map(|t| vec![t.trim().to_owned()])
            .unwrap_or_default(),
        remove_tags: Vec::new(),
    };
    let who = ConsultationReviewer::check(&state.db, c.actor(), slug.to_owned()).await?;
    let cmd = BulkCommand::try_from(input)?;
    review::bulk(&state.db, &who, cmd).await.map(|_| ())
}

/// One input, as `PATCH /comments/{id}/review` changes it.
async fn save_one(state: &State, c: &Ctx, form: &FormData, id: i64) -> ApiResult<()> {
    let tags: Vec<String> = form
        .get("tags")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let input = ReviewInput {
        status: form.opt("status").map(str::to_owned),
        tags: Some(tags),
        assignee_id: None,
        note: Some(form.get("note").to_owned()),
    };
    let who = InputReviewer::check(&state.db, c.actor(), id).await?;
    let change = Change::try_from(input)?;
    review::review(&state.db, &who, change).await.map(|_| ())
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
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next={}", percent(&back)));
    }
    if !c.csrf_ok(&state, form.opt("csrf")) {
        let errors = PageErrors::one(c.t.get("error-csrf"));
        return show(&req, &state, c, slug, errors, StatusCode::OK).await;
    }
    let ids: Vec<i64> = form
        .all("ids")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let Some(first) = ids.first().copied() else {
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
    };
    let result = if form.opt("bulk").is_some() {
        save_bulk(&state, &c, &slug, &form, ids).await
    } else {
        save_one(&state, &c, &form, first).await
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

/// The export with the reviewer's cookie session (a link cannot carry a bearer token):
/// the same use case and the same answer as `GET /consultations/{id}/export`.
pub async fn export(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/consultations/{slug}/review"));
    }
    let format = if c.param("format") == Some("json") {
        ExportFormat::Json
    } else {
        ExportFormat::Csv
    };
    let exported = match ConsultationReviewer::check(&state.db, c.actor(), slug).await {
        Ok(who) => review::export(&state.db, &who, format).await,
        Err(e) => Err(e),
    };
    match exported {
        Ok(e) => {
            let res = ExportAnswer::from(e).respond_to(&req);
            c.attach(res)
        }
        Err(e) => failure(c, &e),
    }
}

/// The compilation of inputs as a Word file, from the workbench.
pub async fn compilation(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/consultations/{slug}/review"));
    }
    let made = match ConsultationReviewer::check(&state.db, c.actor(), slug).await {
        Ok(who) => review::compilation(&state.db, &who).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(f) => {
            let file: File<Docx> = File::new(f.filename, f.bytes).private();
            let res = file.respond_to(&req);
            c.attach(res)
        }
        Err(e) => failure(c, &e),
    }
}
