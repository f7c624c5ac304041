//! The notification endpoints: extract, call the use case, answer its view.

use actix_web::body::BoxBody;
use actix_web::{HttpRequest, HttpResponse, Responder};

use super::command::{Follow, LinkQuery, ListQuery, ReadInput, SettingsInput};
use super::usecase;
use super::view::{
    FollowView, Following, NotificationList, SettingsView, UnreadCount, Unsubscribed,
};
use crate::error::ApiResult;
use crate::http::doc::{Generators, Operation, Responds};
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Either, Json, List, MayMiss, NoContent, Or, Private};
use crate::http::ApiJson;
use crate::policy::guards::accounts::UnsubscribeLink;
use crate::policy::guards::SignedIn;
use crate::state::State;

/// 201 when the follow is new, 200 when it was there already.
pub async fn follow(
    who: SignedIn,
    state: State,
    input: ApiJson<Follow>,
) -> ApiResult<MayMiss<Either<Created<Following>, Private<Following>>>> {
    let (created, following) = usecase::follow(&state.db, &who, input.0).await?;
    Ok(Or(if created {
        Either::Left(Created(following))
    } else {
        Either::Right(Private(following))
    }))
}

pub async fn unfollow(
    who: SignedIn,
    state: State,
    input: ApiJson<Follow>,
) -> ApiResult<MayMiss<NoContent>> {
    usecase::unfollow(&state.db, &who, input.0).await?;
    Ok(Or(NoContent))
}

pub async fn my_follows(
    who: SignedIn,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<FollowView>>> {
    let page = Page::from_query("follows", &query)?;
    let all = usecase::follows(&state.db, &who).await?;
    Ok(Private(List::page(all, &page)))
}

pub async fn my_notifications(
    who: SignedIn,
    state: State,
    query: crate::http::Query<ListQuery>,
) -> ApiResult<Private<NotificationList>> {
    let q = query.into_inner().try_into()?;
    Ok(Private(usecase::list(&state.db, &who, q).await?))
}

pub async fn mark_read(
    who: SignedIn,
    state: State,
    input: ApiJson<ReadInput>,
) -> ApiResult<Private<UnreadCount>> {
    let which = input.0.try_into()?;
    Ok(Private(usecase::mark_read(&state.db, &who, which).await?))
}

pub async fn settings(who: SignedIn, state: State) -> ApiResult<Private<SettingsView>> {
    Ok(Private(usecase::settings(&state.db, &who).await?))
}

pub async fn update_settings(
    who: SignedIn,
    state: State,
    input: ApiJson<SettingsInput>,
) -> ApiResult<Private<SettingsView>> {
    let change = input.0.try_into()?;
    Ok(Private(
        usecase::update_settings(&state.db, &who, change).await?,
    ))
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` (the body is not read);
/// the signed token is the only authority needed.
pub async fn unsubscribe(
    link: UnsubscribeLink,
    state: State,
    _: crate::http::Query<LinkQuery>,
) -> ApiResult<Json<Unsubscribed>> {
    Ok(Json(usecase::unsubscribe(&state.db, &link).await?))
}

/// Where a browser goes when someone follows an address of the API's in an older mail:
/// the page in the site's look (`/unsubscribe`), which asks before it changes anything
/// (link scanners and prefetchers GET; a GET must not unsubscribe).
pub async fn unsubscribe_page(
    _: UnsubscribeLink,
    query: crate::http::Query<LinkQuery>,
) -> ApiResult<UnsubscribePage> {
    Ok(UnsubscribePage {
        token: query.into_inner().token,
    })
}

/// 303 to the unsubscribe page.
pub struct UnsubscribePage {
    token: String,
}

impl Responder for UnsubscribePage {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("token", &self.token);
        HttpResponse::SeeOther()
            .insert_header((
                actix_web::http::header::LOCATION,
                format!("/unsubscribe?{}", query.finish()),
            ))
            .finish()
    }
}

impl Responds for UnsubscribePage {
    fn document(op: &mut Operation, _: &mut Generators) {
        op.empty(
            303,
            "To the unsubscribe page (/unsubscribe), which asks before it changes anything",
        );
    }
}
