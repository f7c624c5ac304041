//! Events and their rooms.

use crate::db::Db;
use crate::error::ApiResult;
use crate::events::command::{CreateEvent, NewRoom};
use crate::events::store::{self, Changes, NewEvent};
use crate::events::view::{EventView, RoomView};
use crate::http::page::Page;
use crate::http::respond::List;
use crate::policy::guards::events::{EventOrganizer, EventReader};
use crate::policy::guards::Organizer;
use crate::policy::{Actor, EventAccess};

/// Published events, newest first; organisers see the unpublished ones too.
pub async fn list(db: &Db, actor: &Actor, page: Page) -> ApiResult<List<EventView>> {
    let unpublished = EventAccess::of(actor).may_see(false);
    db.run(move |conn| {
        let rows = store::list(conn, unpublished, page.after, page.fetch())?;
        super::page_of(
            &page,
            rows,
            |r| r.id,
            |rows| rows.iter().map(|r| EventView::of(r, None)).collect(),
        )
    })
    .await
}

/// The event with its rooms.
pub async fn detail(db: &Db, reader: &EventReader) -> ApiResult<EventView> {
    with_rooms(db, reader.event.clone()).await
}

/// The event a proposal was made to, for whoever may read the proposal (its proposer
/// proposed to it, published or not).
pub async fn of_proposal(
    db: &Db,
    reader: &crate::policy::guards::events::ProposalReader,
) -> ApiResult<EventView> {
    let id = reader.proposal.event_id;
    let event = db
        .run(move |conn| store::resolve(conn, &id.to_string()))
        .await?;
    with_rooms(db, event).await
}

/// The event with its rooms, as its organisers manage it (unpublished too).
pub async fn manage(db: &Db, org: &EventOrganizer) -> ApiResult<EventView> {
    with_rooms(db, org.event.clone()).await
}

async fn with_rooms(db: &Db, event: store::EventRow) -> ApiResult<EventView> {
    db.run(move |conn| {
        let rooms = store::rooms_of(conn, event.id)?;
        EventView::of(&event, Some(&rooms))
    })
    .await
}

/// A new event, unpublished.
pub async fn create(db: &Db, by: &Organizer, e: CreateEvent) -> ApiResult<EventView> {
    let new = NewEvent {
        slug: e.slug,
        name: e.name,
        theme: e.theme,
        venue: e.venue,
        timezone: e.timezone.name().to_owned(),
        starts_on: e.starts_on.to_string(),
        ends_on: e.ends_on.to_string(),
        subthemes: e.subthemes,
        created_by: by.id(),
    };
    db.tx(move |tx| {
        let id = store::create(tx, &new)?;
        let row = store::resolve(tx, &id.to_string())?;
        let rooms = store::rooms_of(tx, id)?;
        EventView::of(&row, Some(&rooms))
    })
    .await
}

/// Edits the event: the call window, publishing, the rules…
pub async fn update(db: &Db, org: &EventOrganizer, changes: Changes) -> ApiResult<EventView> {
    let id = org.event.id.to_string();
    db.tx(move |tx| {
        // Read again in the transaction: what is not changed keeps its current value.
        let row = store::resolve(tx, &id)?;
        store::update(tx, &row, changes)?;
        let row = store::resolve(tx, &id)?;
        let rooms = store::rooms_of(tx, row.id)?;
        EventView::of(&row, Some(&rooms))
    })
    .await
}

pub async fn add_room(db: &Db, org: &EventOrganizer, room: NewRoom) -> ApiResult<RoomView> {
    let event_id = org.event.id;
    let row = db
        .tx(move |tx| store::add_room(tx, event_id, &room))
        .await?;
    Ok(RoomView::of(&row))
}
