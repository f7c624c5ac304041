//! Intersessional work: the directory of bodies (filters, pages of 30, and for the
//! secretariat a form to create one), and each body's page (contacts, sessions at the
//! IGF, outputs open for comment, members for those who may see them, and a join or
//! leave button that needs no JavaScript). The forms run the API's use cases.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, Posted, State};
use crate::accounts::types::{Country, Region};
use crate::bodies::types::{
    BodyInput, BodyKind, BodySummary, BodyView, Filters, MemberView, NewBody,
};
use crate::bodies::usecase;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::guards::bodies::{BodyJoiner, BodyReader};
use crate::policy::guards::Organizer;
use crate::web::forms::{FormData, PageErrors};
use crate::web::paging::{paginate, Pager};
use crate::web::session::Ctx;

#[derive(Template)]
#[template(path = "bodies.html")]
struct DirectoryPage<'a> {
    c: &'a Ctx,
    bodies: Vec<BodySummary>,
    pager: Pager,
    kinds: &'static [BodyKind],
    regions: &'static [Region],
    errors: PageErrors,
    form: FormData,
}

impl DirectoryPage<'_> {
    fn filtered(&self, name: &str, value: &str) -> bool {
        self.c.param(name) == Some(value)
    }
}

/// The page's filters: an unknown value is no filter (a link from elsewhere still lands).
fn filters(c: &Ctx) -> Filters {
    Filters {
        kind: c.param("kind").and_then(BodyKind::parse),
        region: c.param("region").and_then(Region::parse),
        country: c.param("country").and_then(|v| Country::parse(v).ok()),
        q: c.param("q")
            .map(str::to_owned)
            .filter(|q| !q.trim().is_empty()),
    }
}

async fn show_directory(
    state: &State,
    c: Ctx,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    match usecase::directory(&state.db, filters(&c)).await {
        Ok(all) => {
            let (bodies, pager) = paginate(&c, all, 30);
            let page = DirectoryPage {
                c: &c,
                bodies,
                pager,
                kinds: BodyKind::ALL,
                regions: Region::ALL,
                errors,
                form,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn directory(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show_directory(
        &state,
        c,
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// The secretariat creates a body.
pub async fn create(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let posted = match Posted::signed_in(&req, &state, &body, "/bodies").await {
        Ok(p) => p,
        Err(to_sign_in) => return to_sign_in,
    };
    let done = match posted.csrf(&state) {
        Ok(()) => create_body(&state, &posted.c, &posted.form).await,
        Err(e) => Err(e),
    };
    let Posted { mut c, form } = posted;
    match done {
        Ok(id) => {
            c.flash("organize-saved");
            c.redirect(&format!("/bodies/{id}"))
        }
        Err(e) if matches!(e.code, ErrorCode::CsrfFailed | ErrorCode::Forbidden) => failure(c, &e),
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_directory(&state, c, errors, form, status).await
        }
    }
}

fn optional(form: &FormData, name: &str) -> Option<String> {
    form.opt(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

async fn create_body(state: &State, c: &Ctx, form: &FormData) -> ApiResult<i64> {
    let org = Organizer::check(c.actor())?;
    let kind = BodyKind::parse(form.get("kind"))
        .ok_or_else(|| ApiError::field("kind", "choose a kind"))?;
    let region = match optional(form, "region") {
        Some(r) => {
            Some(Region::parse(&r).ok_or_else(|| ApiError::field("region", "choose a region"))?)
        }
        None => None,
    };
    let new = NewBody::try_from(BodyInput {
        name: form.get("name").to_owned(),
        kind,
        region,
        country: optional(form, "country"),
        description: form.get("description").to_owned(),
        contact_email: optional(form, "contact_email"),
        website: optional(form, "website"),
    })?;
    Ok(usecase::create(&state.db, &org, new).await?.id)
}

#[derive(Template)]
#[template(path = "body.html")]
struct BodyPage<'a> {
    c: &'a Ctx,
    body: BodyView,
    members: Option<Vec<MemberView>>,
}

pub async fn page(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let key = path.into_inner();
    let shown = async {
        let reader = BodyReader::check(&state.db, c.actor(), key).await?;
        let body = usecase::one(&state.db, &reader).await?;
        let members = match reader.access.may_see_members() {
            true => Some(usecase::members(&state.db, &reader).await?),
            false => None,
        };
        Ok::<_, ApiError>((body, members))
    }
    .await;
    match shown {
        Ok((body, members)) => {
            let page = BodyPage {
                c: &c,
                body,
                members,
            };
            respond!(c, StatusCode::OK, page)
        }
        Err(e) => failure(c, &e),
    }
}

/// Join or leave.
pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let back = format!("/bodies/{}", path.as_str());
    let posted = match Posted::signed_in(&req, &state, &body, &back).await {
        Ok(p) => p,
        Err(to_sign_in) => return to_sign_in,
    };
    let done = match posted.csrf(&state) {
        Ok(()) => {
            join_or_leave(
                &state,
                &posted.c,
                path.into_inner(),
                posted.form.get("action"),
            )
            .await
        }
        Err(e) => Err(e),
    };
    let mut c = posted.c;
    match done {
        Ok(()) => {
            c.flash("organize-saved");
            c.redirect(&back)
        }
        Err(e) => failure(c, &e),
    }
}

async fn join_or_leave(state: &State, c: &Ctx, key: String, action: &str) -> ApiResult<()> {
    let joiner = BodyJoiner::check(&state.db, c.actor(), key).await?;
    match action {
        "join" => usecase::join(&state.db, &joiner).await.map(|_| ()),
        "leave" => usecase::leave(&state.db, &joiner).await,
        _ => Err(ApiError::field("action", "unknown action")),
    }
}
