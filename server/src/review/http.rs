//! The review endpoints: extract, call the use case, answer its view.

use actix_web::body::BoxBody;
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde_json::{Map, Value};

use super::balance::Balance;
use super::command::{
    BulkCommand, BulkInput, DuplicatesQuery, ExportFormat, ExportQuery, MinSize, ReviewInput,
};
use super::export::Export;
use super::report::{self, ReportView};
use super::store::Change;
use super::usecase::{self, Exported};
use super::view::{BulkResult, Cluster, History, ReviewedInput};
use crate::error::ApiResult;
use crate::http::doc::{Generators, Operation, Responds};
use crate::http::respond::{Csv, Docx, DownloadKind, Either, File, Html, Json, Private};
use crate::http::ApiJson;
use crate::policy::guards::review::InputReviewer;
use crate::policy::guards::{Anyone, ConsultationReviewer};
use crate::state::State;

pub async fn review(
    who: InputReviewer,
    state: State,
    input: ApiJson<ReviewInput>,
) -> ApiResult<Json<ReviewedInput>> {
    let change = Change::try_from(input.0)?;
    usecase::review(&state.db, &who, change).await.map(Json)
}

pub async fn history(who: InputReviewer, state: State) -> ApiResult<Json<History>> {
    usecase::history(&state.db, &who).await.map(Json)
}

pub async fn bulk(
    who: ConsultationReviewer,
    state: State,
    input: ApiJson<BulkInput>,
) -> ApiResult<Json<BulkResult>> {
    let cmd = BulkCommand::try_from(input.0)?;
    usecase::bulk(&state.db, &who, cmd).await.map(Json)
}

pub async fn balance(who: ConsultationReviewer, state: State) -> ApiResult<Json<Balance>> {
    usecase::balance(&state.db, &who).await.map(Json)
}

pub async fn duplicates(
    who: ConsultationReviewer,
    state: State,
    query: crate::http::Query<DuplicatesQuery>,
) -> ApiResult<Json<Vec<Cluster>>> {
    let min_size = MinSize::try_from(query.into_inner())?;
    usecase::duplicates(&state.db, &who, min_size)
        .await
        .map(Json)
}

/// The export as JSON or CSV (one 200 with either media type); either way personal
/// data, never kept by a cache.
pub struct ExportAnswer(Either<Private<Export>, File<Csv>>);

impl From<Exported> for ExportAnswer {
    fn from(e: Exported) -> ExportAnswer {
        ExportAnswer(match e {
            Exported::Json(export) => Either::Left(Private(export)),
            Exported::Csv { filename, body } => Either::Right(File::new(filename, body).private()),
        })
    }
}

impl Responder for ExportAnswer {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        self.0.respond_to(req)
    }
}

impl Responds for ExportAnswer {
    fn document(op: &mut Operation, gen: &mut Generators) {
        <Private<Export> as Responds>::document(op, gen);
        let content = op
            .responses
            .get_mut(&200)
            .and_then(|r| r.get_mut("content"))
            .and_then(Value::as_object_mut);
        if let Some(content) = content {
            let mut schema = Map::new();
            schema.insert("type".into(), Value::String("string".into()));
            let mut media = Map::new();
            media.insert("schema".into(), Value::Object(schema));
            content.insert(Csv::MEDIA_TYPE.into(), Value::Object(media));
        }
    }
}

pub async fn export(
    who: ConsultationReviewer,
    state: State,
    query: crate::http::Query<ExportQuery>,
) -> ApiResult<ExportAnswer> {
    let format = ExportFormat::try_from(query.into_inner())?;
    usecase::export(&state.db, &who, format)
        .await
        .map(ExportAnswer::from)
}

pub async fn compilation(who: ConsultationReviewer, state: State) -> ApiResult<File<Docx>> {
    let f = usecase::compilation(&state.db, &who).await?;
    Ok(File::new(f.filename, f.bytes).private())
}

/// Reads the report of `{id}`'s version `{label}` as the caller may see its inputs.
async fn report_of(
    state: &State,
    actor: crate::policy::Actor,
    path: (String, String),
) -> ApiResult<(String, ReportView)> {
    let (key, label) = path;
    state
        .db
        .run(move |conn| {
            let (row, _) = crate::policy::guards::consultation_for(conn, &actor, &key)?;
            // The report names no author: every reader gets the public's reading of the
            // inputs (and a moderator's look is no look at anonymous authors).
            let r = report::build(conn, &row, &crate::policy::Reader::default(), &label)?;
            Ok((format!("{}-what-we-heard-{label}", row.slug), r))
        })
        .await
}

pub async fn report(
    who: Anyone,
    state: State,
    path: actix_web::web::Path<(String, String)>,
) -> ApiResult<Json<ReportView>> {
    report_of(&state, who.0, path.into_inner())
        .await
        .map(|(_, r)| Json(r))
}

pub async fn report_docx(
    who: Anyone,
    state: State,
    path: actix_web::web::Path<(String, String)>,
) -> ApiResult<File<Docx>> {
    let (name, r) = report_of(&state, who.0, path.into_inner()).await?;
    let f =
        actix_web::web::block(move || report::document(&r).file(format!("{name}.docx"))).await??;
    Ok(File::new(f.filename, f.bytes))
}

pub async fn report_html(
    who: Anyone,
    state: State,
    path: actix_web::web::Path<(String, String)>,
) -> ApiResult<File<Html>> {
    let (name, r) = report_of(&state, who.0, path.into_inner()).await?;
    let html = report::html(&r, &state.config.public_url)?;
    Ok(File::new(format!("{name}.html"), html.into_bytes()))
}
