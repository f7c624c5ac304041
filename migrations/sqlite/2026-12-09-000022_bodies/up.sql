-- Intersessional bodies: national, regional and youth IGF initiatives (NRIs), dynamic
-- coalitions, best practice forums and policy networks. Members join with their
-- accounts; coordinators (named by the secretariat) keep the page and its outputs.
-- A body's sessions at the annual IGF and its outputs (consultations, with versions
-- and public comment) are linked, not copied.
CREATE TABLE bodies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region TEXT,
    country TEXT,
    description TEXT NOT NULL,
    contact_email TEXT,
    website TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX bodies_by_name ON bodies(lower(name));
CREATE INDEX bodies_by_kind ON bodies(kind, region);
CREATE TABLE body_members (
    body_id BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (body_id, user_id)
);
CREATE INDEX body_members_by_user ON body_members(user_id);
CREATE TABLE body_sessions (
    body_id BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    PRIMARY KEY (body_id, session_id)
);
CREATE TABLE body_outputs (
    body_id BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    PRIMARY KEY (body_id, consultation_id)
);
