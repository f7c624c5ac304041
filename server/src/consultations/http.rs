//! The consultation and version endpoints: extract, call the use case, answer its view.

use actix_web::web;

use super::command::{
    CofacilitatorsInput, CreateInput, PatchInput, ReadQuery, VersionCommand, VersionInput,
    VersionQuery,
};
use super::phases::{PhaseInput, PhaseView};
use super::usecase;
use super::view::{
    ConsultationDetail, ConsultationView, DiffView, VersionPreview, VersionSummary, VersionView,
};
use crate::error::ApiResult;
use crate::http::extract::JsonOrForm;
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Docx, File, Json, List};
use crate::http::respond::{Either, MayConflict, Or};
use crate::http::ApiJson;
use crate::policy::guards::{Anyone, ConsultationEditor, Organizer};
use crate::state::State;

pub async fn create(
    who: Organizer,
    state: State,
    input: ApiJson<CreateInput>,
) -> ApiResult<MayConflict<Created<ConsultationView>>> {
    let new = input.0.parse(who.id())?;
    usecase::create(&state.db, &who, new)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn list(
    who: Anyone,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Json<List<ConsultationView>>> {
    let page = Page::from_query("consultations", &query)?;
    usecase::list(&state.db, who.0, page).await.map(Json)
}

pub async fn detail(
    who: Anyone,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<ReadQuery>,
) -> ApiResult<Json<ConsultationDetail>> {
    let reading = (&query.0).try_into()?;
    usecase::detail(&state.db, who.0, path.into_inner(), reading)
        .await
        .map(Json)
}

pub async fn update(
    who: Organizer,
    state: State,
    path: web::Path<String>,
    input: ApiJson<PatchInput>,
) -> ApiResult<MayConflict<Json<ConsultationView>>> {
    let changes = input.0.try_into()?;
    usecase::update(&state.db, &who, path.into_inner(), changes)
        .await
        .map(|v| Or(Json(v)))
}

pub async fn set_cofacilitators(
    who: Organizer,
    state: State,
    path: web::Path<String>,
    input: ApiJson<CofacilitatorsInput>,
) -> ApiResult<Json<ConsultationView>> {
    usecase::set_cofacilitators(&state.db, &who, path.into_inner(), input.0.user_ids)
        .await
        .map(Json)
}

pub async fn add_version(
    who: ConsultationEditor,
    state: State,
    query: crate::http::Query<VersionQuery>,
    input: JsonOrForm<VersionInput>,
) -> ApiResult<MayConflict<Either<Created<VersionView>, Json<VersionPreview>>>> {
    let cmd = match input {
        JsonOrForm::Json(json) => json.try_into()?,
        // Reading a Word file or a PDF is work: on the blocking pool.
        JsonOrForm::Form(form) => web::block(move || VersionCommand::try_from(&form)).await??,
    };
    if query.preview {
        let preview = usecase::preview_version(&state.db, &who, cmd).await?;
        return Ok(Or(Either::Right(Json(preview))));
    }
    usecase::add_version(&state.db, &who, cmd)
        .await
        .map(|v| Or(Either::Left(Created(v))))
}

pub async fn versions(
    who: Anyone,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Json<List<VersionSummary>>> {
    let key = path.into_inner();
    let page = Page::from_query(&format!("versions:{key}"), &query)?;
    let all = usecase::versions(&state.db, who.0, key).await?;
    Ok(Json(List::page(all.items, &page)))
}

pub async fn version(
    who: Anyone,
    state: State,
    path: web::Path<(String, String)>,
    query: crate::http::Query<ReadQuery>,
) -> ApiResult<Json<VersionView>> {
    let (key, label) = path.into_inner();
    let reading = (&query.0).try_into()?;
    usecase::version(&state.db, who.0, key, label, reading)
        .await
        .map(Json)
}

pub async fn diff(
    who: Anyone,
    state: State,
    path: web::Path<(String, String, String)>,
) -> ApiResult<Json<DiffView>> {
    let (key, a, b) = path.into_inner();
    usecase::diff(&state.db, who.0, key, a, b).await.map(Json)
}

pub async fn version_docx(
    who: Anyone,
    state: State,
    path: web::Path<(String, String)>,
    query: crate::http::Query<ReadQuery>,
) -> ApiResult<File<Docx>> {
    let (key, label) = path.into_inner();
    let reading = (&query.0).try_into()?;
    let f = usecase::version_docx(&state.db, who.0, key, label, reading).await?;
    Ok(File::new(f.filename, f.bytes))
}

pub async fn diff_docx(
    who: Anyone,
    state: State,
    path: web::Path<(String, String, String)>,
) -> ApiResult<File<Docx>> {
    let (key, a, b) = path.into_inner();
    let f = usecase::diff_docx(&state.db, who.0, key, a, b).await?;
    Ok(File::new(f.filename, f.bytes))
}

pub async fn set_phase(
    who: ConsultationEditor,
    state: State,
    input: ApiJson<PhaseInput>,
) -> ApiResult<MayConflict<Json<PhaseView>>> {
    usecase::set_phase(&state.db, &who, input.0)
        .await
        .map(|v| Or(Json(v)))
}

pub async fn phases(
    who: Anyone,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Json<List<PhaseView>>> {
    let key = path.into_inner();
    let page = Page::from_query(&format!("phases:{key}"), &query)?;
    let all = usecase::phases(&state.db, who.0, key).await?;
    Ok(Json(List::page(all.items, &page)))
}
