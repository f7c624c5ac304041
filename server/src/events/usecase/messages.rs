//! The IGF messages: the organisers draft them from the session reports, edit them, open
//! them for public comment as a consultation and publish them as final; everyone reads
//! them once opened, and downloads them as HTML or Word.

use crate::consultations::command::{CreateInput, PatchInput, VersionCommand, VersionInput};
use crate::consultations::store::{self as cstore, Changes};
use crate::consultations::types::Status;
use crate::db::{Db, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::messages::{
    self as msg, ConsultationInput, Drafted, MessageStage, MessagesConsultation, MessagesView,
};
use crate::events::reports;
use crate::policy::guards::events::{EventOrganizer, EventReader};
use crate::policy::guards::Organizer;
use crate::policy::Actor;

fn view(conn: &mut crate::db::DbConn, event_id: i64) -> ApiResult<MessagesView> {
    let set = msg::set_of(conn, event_id)?.ok_or_else(|| ApiError::not_found("messages"))?;
    let consultation = match set.consultation_id {
        Some(id) => crate::consultations::store::resolve(conn, &id.to_string())
            .ok()
            .map(|c| MessagesConsultation {
                id: c.id,
                slug: c.slug,
            }),
        None => None,
    };
    Ok(MessagesView {
        event_id,
        stage: set.stage,
        consultation,
        updated_at: Timestamp(set.updated_at),
        published_at: set.published_at.map(Timestamp),
        messages: msg::messages(conn, event_id)?,
    })
}

/// Drafts the messages from the reports filed so far, replacing the messages (409 once
/// final, or when no report says anything yet).
pub async fn draft(db: &Db, org: &EventOrganizer) -> ApiResult<MessagesView> {
    let event_id = org.event.id;
    let report = db.run(move |conn| reports::compile(conn, event_id)).await?;
    let drafted: Vec<Drafted> = msg::draft(&report)
        .into_iter()
        .take(msg::MAX_MESSAGES)
        .collect();
    if drafted.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "no session report of this event says anything yet: there is nothing to draft from",
        ));
    }
    db.tx(move |tx| {
        msg::editable(msg::set_of(tx, event_id)?.as_ref())?;
        msg::replace(tx, event_id, &drafted)?;
        view(tx, event_id)
    })
    .await
}

/// The organisers' edit: every message again (409 once final; 422 naming a source that
/// is no report of the event).
pub async fn edit(
    db: &Db,
    org: &EventOrganizer,
    messages: Vec<Drafted>,
) -> ApiResult<MessagesView> {
    let event_id = org.event.id;
    db.tx(move |tx| {
        msg::editable(msg::set_of(tx, event_id)?.as_ref())?;
        msg::check_sources(tx, event_id, &messages)?;
        msg::replace(tx, event_id, &messages)?;
        view(tx, event_id)
    })
    .await
}

/// The messages as the caller may read them: a draft is its organisers' alone (404 for
/// everyone else, as before anything was drafted).
pub async fn read(db: &Db, reader: &EventReader) -> ApiResult<MessagesView> {
    let (event_id, organizer) = (reader.event.id, reader.may_organize());
    let v = db.run(move |conn| view(conn, event_id)).await?;
    if v.stage == MessageStage::Draft && !organizer {
        return Err(ApiError::not_found("messages"));
    }
    Ok(v)
}

/// Opens the draft for public comment: a consultation whose text is the messages, a
/// heading per sub-theme and a numbered paragraph per message, open at once; the
/// organiser co-facilitates it. 409 unless a draft.
pub async fn open_for_comment(
    db: &Db,
    org: &EventOrganizer,
    input: ConsultationInput,
) -> ApiResult<MessagesView> {
    let event = org.event.clone();
    let organizer = Organizer::check(Actor::User(org.user().clone()))?;
    let event_id = event.id;
    let current = db.run(move |conn| view(conn, event_id)).await?;
    if current.stage != MessageStage::Draft {
        return Err(ApiError::new(
            ErrorCode::AlreadyInState,
            "the messages were opened for comment already",
        ));
    }
    if current.messages.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "there are no messages to open",
        ));
    }
    let title = format!("{}: messages", event.name);
    let slug = input.slug.unwrap_or_else(|| {
        let mut s = format!("{}-messages", event.slug);
        s.truncate(80);
        s
    });
    let created = CreateInput {
        slug,
        title: title.clone(),
        description: format!(
            "The draft messages of {}, from its session reports, open for comment.",
            event.name
        ),
        language: "en".into(),
        opens_at: None,
        closes_at: None,
        participation: None,
        timezone: Some(event.timezone.clone()),
    }
    .parse(organizer.id())?;
    let by = organizer.id();
    let version: VersionCommand = VersionInput {
        label: "draft".into(),
        format: Some("markdown".into()),
        source: Some(msg::markdown(&title, &current.messages)),
        paragraphs: None,
        language: None,
    }
    .try_into()?;
    let open: Changes = PatchInput {
        status: Some(Status::Open.as_str().into()),
        closes_at: input.closes_at.map(Some),
        ..PatchInput::default()
    }
    .try_into()?;
    let read_at = current.updated_at.0;
    // One transaction creates the consultation, stores the text (planned against no
    // text at all: nothing to match, so it is cheap under the write lock), opens it and
    // moves the messages on: a failure leaves no half-made consultation behind.
    db.tx(move |tx| {
        let set = msg::set_of(tx, event_id)?;
        if set.as_ref().map(|s| s.stage) != Some(MessageStage::Draft) {
            return Err(ApiError::new(
                ErrorCode::AlreadyInState,
                "the messages were opened for comment already",
            ));
        }
        if set.as_ref().map(|s| s.updated_at) != Some(read_at) {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "the messages were edited meanwhile: open them again",
            ));
        }
        let id = cstore::create(tx, &created)?;
        cstore::set_cofacilitators(tx, id, &[by])?;
        let row = cstore::resolve(tx, &id.to_string())?;
        cstore::insert_version(
            tx,
            &row,
            &version.label,
            version.source_format,
            version.draft,
            &version.footnotes,
            Some(by),
        )?;
        let row = cstore::resolve(tx, &id.to_string())?;
        cstore::update(tx, &row, open)?;
        msg::set_stage(tx, event_id, MessageStage::Consultation, Some(id))?;
        view(tx, event_id)
    })
    .await
}

/// Publishes the messages as final, with their sources; the consultation closes. 409
/// when final already, or empty.
pub async fn publish(db: &Db, org: &EventOrganizer) -> ApiResult<MessagesView> {
    let event_id = org.event.id;
    let organizer = Organizer::check(Actor::User(org.user().clone()))?;
    let published = db
        .tx(move |tx| {
            let set = msg::set_of(tx, event_id)?;
            msg::editable(set.as_ref())?;
            if msg::messages(tx, event_id)?.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "there are no messages to publish",
                ));
            }
            msg::set_stage(tx, event_id, MessageStage::Final, None)?;
            view(tx, event_id)
        })
        .await?;
    if let Some(c) = &published.consultation {
        let close = PatchInput {
            status: Some(Status::Closed.as_str().into()),
            ..PatchInput::default()
        }
        .try_into()?;
        // A consultation closed by hand already stays as it is.
        match crate::consultations::usecase::update(db, &organizer, c.id.to_string(), close).await {
            Err(e) if e.code != ErrorCode::InvalidTransition => return Err(e),
            _ => {}
        }
    }
    Ok(published)
}

/// The messages as a standalone HTML document (the published ones; organisers also the
/// draft), each with the sessions it comes from.
#[derive(askama::Template)]
#[template(path = "messages_file.html")]
struct MessagesFile<'a> {
    event: &'a str,
    base: &'a str,
    v: &'a MessagesView,
}

impl MessagesFile<'_> {
    /// Whether the message starts a sub-theme.
    fn opens(&self, n: &usize) -> bool {
        *n == 0 || self.v.messages[*n - 1].subtheme != self.v.messages[*n].subtheme
    }
}

pub async fn html(db: &Db, reader: &EventReader, base: &str) -> ApiResult<super::Export> {
    let v = read(db, reader).await?;
    let file = MessagesFile {
        event: &reader.event.name,
        base,
        v: &v,
    };
    let body = askama::Template::render(&file).map_err(ApiError::internal)?;
    Ok(super::Export {
        filename: format!("{}-messages-{}.html", reader.event.slug, v.stage),
        body,
    })
}

pub async fn docx(
    db: &Db,
    reader: &EventReader,
) -> ApiResult<crate::consultations::word::WordFile> {
    use crate::consultations::word::{Block, Document, Piece};
    let v = read(db, reader).await?;
    let name = reader.event.name.clone();
    let filename = format!("{}-messages-{}.docx", reader.event.slug, v.stage);
    actix_web::web::block(move || {
        let mut blocks = vec![Block::Title(format!("{name}: messages ({})", v.stage))];
        let mut current: Option<String> = None;
        for m in &v.messages {
            if current.as_deref() != Some(m.subtheme.as_str()) {
                blocks.push(Block::Heading(1, m.subtheme.clone()));
                current = Some(m.subtheme.clone());
            }
            blocks.push(Block::text(format!("{}. {}", m.number, m.text)));
            let sources: Vec<String> = m.sources.iter().map(|s| s.title.clone()).collect();
            blocks.push(Block::Paragraph {
                indent: 1,
                pieces: vec![
                    Piece::Strong("Sources: ".into()),
                    Piece::Text(sources.join("; ")),
                ],
            });
        }
        Document {
            language: "en".into(),
            author: "Indaba".into(),
            date: Timestamp(crate::db::now()).iso(),
            blocks,
        }
        .file(filename)
    })
    .await
    .map_err(ApiError::internal)?
}
