-- The silence procedure: the co-facilitators put a version under silence until a
-- deadline (kept in UTC, with the time zone it was given in); delegations may break it
-- with a letter naming paragraphs until then; after the deadline its outcome is
-- recorded once (held or broken), and a held silence is followed by the adoption, with
-- its document symbol and date.
CREATE TABLE silences (
    id BIGSERIAL PRIMARY KEY,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    version_id BIGINT NOT NULL REFERENCES document_versions(id) ON DELETE CASCADE,
    deadline TIMESTAMP NOT NULL,
    timezone TEXT NOT NULL,
    started_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    started_at TIMESTAMP NOT NULL,
    outcome TEXT,
    settled_at TIMESTAMP,
    reminded_at TIMESTAMP,
    symbol TEXT,
    adopted_on TEXT,
    adopted_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX silences_by_consultation ON silences(consultation_id, id);
CREATE TABLE silence_breaks (
    id BIGSERIAL PRIMARY KEY,
    silence_id BIGINT NOT NULL REFERENCES silences(id) ON DELETE CASCADE,
    delegation_id BIGINT NOT NULL REFERENCES delegations(id),
    paragraph_keys TEXT NOT NULL,
    letter TEXT NOT NULL,
    broken_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    broken_at TIMESTAMP NOT NULL
);
CREATE INDEX silence_breaks_by_silence ON silence_breaks(silence_id, id);
