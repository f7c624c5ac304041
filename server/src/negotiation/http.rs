//! The endpoints of the compilation text.

use actix_web::web;

use super::silence::{self, AdoptionInput, BreakInput, BreakView, SilenceInput, SilenceLog};
use super::types::{
    CompilationView, DispositionInput, DispositionView, NextDraft, ParagraphStatusInput,
    ParagraphStatusView,
};
use super::usecase;
use crate::error::ApiResult;
use crate::http::respond::{Created, Docx, File, Html, Json, MayConflict, Or};
use crate::http::ApiJson;
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::{Anyone, ConsultationEditor, Verified};
use crate::state::State;

pub async fn compilation(
    who: Anyone,
    state: State,
    path: web::Path<String>,
) -> ApiResult<Json<CompilationView>> {
    usecase::read(&state.db, who.0, path.into_inner())
        .await
        .map(Json)
}

pub async fn compilation_docx(
    who: Anyone,
    state: State,
    path: web::Path<String>,
) -> ApiResult<File<Docx>> {
    let f = usecase::docx(&state.db, who.0, path.into_inner()).await?;
    Ok(File::new(f.filename, f.bytes))
}

pub async fn compilation_html(
    who: Anyone,
    state: State,
    path: web::Path<String>,
) -> ApiResult<File<Html>> {
    let f = usecase::html(&state.db, who.0, path.into_inner()).await?;
    Ok(File::new(f.filename, f.bytes))
}

pub async fn set_disposition(
    who: InputReviewer,
    state: State,
    input: ApiJson<DispositionInput>,
) -> ApiResult<MayConflict<Json<DispositionView>>> {
    usecase::set_disposition(&state.db, who, input.0)
        .await
        .map(|v| Or(Json(v)))
}

pub async fn set_status(
    who: ConsultationEditor,
    state: State,
    path: web::Path<(String, String)>,
    input: ApiJson<ParagraphStatusInput>,
) -> ApiResult<Json<ParagraphStatusView>> {
    let (_, key) = path.into_inner();
    usecase::set_status(&state.db, &who, key, input.0.status)
        .await
        .map(Json)
}

pub async fn next_draft(who: ConsultationEditor, state: State) -> ApiResult<Json<NextDraft>> {
    usecase::next_draft(&state.db, &who).await.map(Json)
}

pub async fn start_silence(
    who: ConsultationEditor,
    state: State,
    input: ApiJson<SilenceInput>,
) -> ApiResult<MayConflict<Created<SilenceLog>>> {
    silence::start(&state.db, &who, input.0)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn break_silence(
    who: Verified,
    state: State,
    path: web::Path<String>,
    input: ApiJson<BreakInput>,
) -> ApiResult<MayConflict<Created<BreakView>>> {
    silence::break_silence(&state.db, &who, path.into_inner(), input.0)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn silence(
    who: Anyone,
    state: State,
    path: web::Path<String>,
) -> ApiResult<Json<SilenceLog>> {
    silence::read(&state.db, who.0, path.into_inner())
        .await
        .map(Json)
}

pub async fn adoption(
    who: ConsultationEditor,
    state: State,
    input: ApiJson<AdoptionInput>,
) -> ApiResult<MayConflict<Json<SilenceLog>>> {
    silence::adopt(&state.db, &who, input.0)
        .await
        .map(|v| Or(Json(v)))
}
