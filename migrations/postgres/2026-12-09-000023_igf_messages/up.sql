-- The IGF messages of an event: drafted from its session reports per sub-theme, each
-- message citing the sessions whose reports it comes from; published as a consultation
-- for public comment, then as final. The set's stage says which.
CREATE TABLE igf_message_sets (
    event_id BIGINT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    consultation_id BIGINT REFERENCES consultations(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE TABLE igf_messages (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    subtheme TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    sources TEXT NOT NULL
);
CREATE INDEX igf_messages_by_event ON igf_messages(event_id, position);
