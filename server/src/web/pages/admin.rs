//! The admins' page for accounts: find them by name, organisation or whole e-mail, by
//! role and stakeholder group; change roles, verify an organisation, suspend and
//! reinstate. The same commands and use cases as `/api/v1/admin/users`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{failure, refuse, State};
use crate::accounts::command::{RoleSet, RolesInput, UsersQuery};
use crate::accounts::types::{Role, StakeholderGroup};
use crate::accounts::usecase;
use crate::accounts::view::ManagedUserView;
use crate::error::{ApiError, ErrorCode};
use crate::policy::guards::Admin;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};

/// Accounts per page.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    c: &'a Ctx,
    users: Vec<ManagedUserView>,
    next: Option<String>,
    q: String,
    role: String,
    group: String,
    /// This page's address, to come back to after a change.
    here: String,
    errors: PageErrors,
}

impl UsersPage<'_> {
    fn grantable(&self) -> &'static [Role] {
        &Role::GRANTABLE
    }
    fn roles(&self) -> &'static [Role] {
        Role::ALL
    }
    fn groups(&self) -> &'static [StakeholderGroup] {
        StakeholderGroup::ALL
    }
    fn holds(&self, u: &ManagedUserView, r: &Role) -> bool {
        u.roles.contains(r)
    }
    fn next_href(&self, cursor: &str) -> String {
        format!("{}&cursor={}", self.here, percent(cursor))
    }
}

pub async fn users(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show(&state, c, PageErrors::new(), StatusCode::OK).await
}

async fn show(state: &State, c: Ctx, errors: PageErrors, status: StatusCode) -> HttpResponse {
    let admin = match Admin::check(c.actor()) {
        Ok(a) => a,
        Err(e) => return refuse(c, &e, "/admin/users"),
    };
    let param = |name: &str| {
        c.param(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let query = UsersQuery {
        q: param("q"),
        role: param("role"),
        stakeholder_group: param("stakeholder_group"),
        limit: Some(PAGE),
        cursor: param("cursor"),
    };
    let (q, role, group) = (
        query.q.clone().unwrap_or_default(),
        query.role.clone().unwrap_or_default(),
        query.stakeholder_group.clone().unwrap_or_default(),
    );
    let listed = match query.parse() {
        Ok((filter, page)) => usecase::users(&state.db, &admin, filter, page).await,
        Err(e) => Err(e),
    };
    let (users, next, errors, status) = match listed {
        Ok(list) => (list.items, list.next_cursor, errors, status),
        // A bad filter is named beside its field; the list is then empty.
        Err(e) if e.code.status().is_client_error() => {
            let status = e.code.status();
            (Vec::new(), None, PageErrors::from_api(&c.t, &e), status)
        }
        Err(e) => return failure(c, &e),
    };
    // Back to the same filters after a change (the first page: the change may move rows).
    let here = format!(
        "/admin/users?q={}&role={}&stakeholder_group={}",
        percent(&q),
        percent(&role),
        percent(&group)
    );
    let page = UsersPage {
        c: &c,
        users,
        next,
        q,
        role,
        group,
        here,
        errors,
    };
    respond!(c, status, page)
}

/// One form of the page, by its `action`.
enum Action {
    Roles(RoleSet),
    Suspend(bool),
    Verify(bool),
}

impl Action {
    fn of(form: &FormData) -> Result<Action, ApiError> {
        match form.get("action") {
            "roles" => {
                let input = RolesInput {
                    roles: form.all("roles").into_iter().map(str::to_owned).collect(),
                };
                RoleSet::try_from(input).map(Action::Roles)
            }
            "suspend" => Ok(Action::Suspend(true)),
            "reinstate" => Ok(Action::Suspend(false)),
            "verify" => Ok(Action::Verify(true)),
            "unverify" => Ok(Action::Verify(false)),
            _ => Err(ApiError::field("action", "unknown action")),
        }
    }
}

pub async fn act(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let admin = match Admin::check(c.actor()) {
        Ok(a) => a,
        Err(e) => return refuse(c, &e, "/admin/users"),
    };
    let back = form
        .opt("back")
        .filter(|b| b.starts_with("/admin/users"))
        .unwrap_or("/admin/users")
        .to_owned();
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        match (form.get("user").parse::<i64>(), Action::of(&form)) {
            (Ok(user), Ok(action)) => match action {
                Action::Roles(roles) => usecase::set_roles(&state.db, &admin, user, roles)
                    .await
                    .map(|_| ()),
                Action::Suspend(on) => usecase::suspend(&state, &admin, user, on).await.map(|_| ()),
                Action::Verify(on) => usecase::verify_organization(&state.db, &admin, user, on)
                    .await
                    .map(|_| ()),
            },
            (Err(_), _) => Err(ApiError::not_found("user")),
            (_, Err(e)) => Err(e),
        }
    };
    match attempt {
        Ok(()) => {
            c.flash("admin-saved");
            c.redirect(&back)
        }
        Err(e) if matches!(e.code, ErrorCode::NotFound | ErrorCode::Unavailable) => failure(c, &e),
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show(&state, c, errors, status).await
        }
    }
}
