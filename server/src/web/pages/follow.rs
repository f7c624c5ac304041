//! Following and unfollowing from the pages: one form for a consultation, a paragraph
//! or a session, through the same use case as `POST /api/v1/follows`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::{failure, Posted, State};
use crate::notifications::command::Follow;
use crate::notifications::types::TargetType;
use crate::notifications::usecase as notifications;
use crate::policy::guards::SignedIn;
use crate::web::session::is_local_path;

/// `POST /follow` with `target_type`, `target_id`, `action` (`follow` or `unfollow`)
/// and the page to go `back` to.
pub async fn follow(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let posted = Posted::read(&req, &state, &body).await;
    let back = posted
        .form
        .opt("back")
        .filter(|b| is_local_path(b))
        .unwrap_or("/")
        .to_owned();
    let posted = match posted.sign_in_first(&back) {
        Ok(p) => p,
        Err(to_sign_in) => return to_sign_in,
    };
    if posted.csrf(&state).is_err() {
        return posted.c.redirect(&back);
    }
    let Posted { mut c, form } = posted;
    let Some(user) = c.auth() else {
        return c.redirect(&back);
    };
    let target = match (
        form.opt("target_type").and_then(TargetType::parse),
        form.opt("target_id").and_then(|id| id.parse::<i64>().ok()),
    ) {
        (Some(target_type), Some(target_id)) => Follow {
            target_type,
            target_id,
        },
        // Only our own forms send this: a tampered one goes back where it came from.
        _ => return c.redirect(&back),
    };
    let who = SignedIn(user);
    let stop = form.opt("action") == Some("unfollow");
    let done = if stop {
        notifications::unfollow(&state.db, &who, target).await
    } else {
        notifications::follow(&state.db, &who, target)
            .await
            .map(|_| ())
    };
    match done {
        Ok(()) => {
            c.flash(if stop {
                "follow-stopped"
            } else {
                "follow-started"
            });
            c.redirect(&back)
        }
        Err(e) => failure(c, &e),
    }
}
