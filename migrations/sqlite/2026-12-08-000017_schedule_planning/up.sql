-- What the schedule solver needs: rooms with interpretation (remote participation is
-- the room's remote link); sessions with a track (never two of one at once), the
-- audience expected (it must fit the room), whether they need interpretation, and a pin
-- that keeps an organiser's slot; and the times speakers cannot speak.
ALTER TABLE rooms ADD COLUMN interpretation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN track TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN expected_audience INTEGER;
ALTER TABLE sessions ADD COLUMN needs_interpretation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE speaker_unavailability (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    person TEXT NOT NULL,
    speaker TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL
);
CREATE INDEX speaker_unavailability_by_event ON speaker_unavailability(event_id);
