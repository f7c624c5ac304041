CREATE TABLE consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    current_version_id BIGINT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE consultation_cofacilitators (
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (consultation_id, user_id)
);

CREATE TABLE document_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    source_format TEXT NOT NULL,
    footnotes TEXT NOT NULL DEFAULT '[]',
    removed_keys TEXT NOT NULL DEFAULT '[]',
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (consultation_id, label)
);

CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id BIGINT NOT NULL REFERENCES document_versions(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    number TEXT NOT NULL,
    parent_key TEXT,
    section TEXT NOT NULL DEFAULT '',
    section_path TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    footnote_refs TEXT NOT NULL DEFAULT '[]',
    informed_by TEXT NOT NULL DEFAULT '[]',
    UNIQUE (version_id, key)
);
CREATE INDEX paragraphs_version ON paragraphs(version_id, position);

-- A comment belongs to a consultation or to an IGF session (whose table comes later).
CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id BIGINT REFERENCES consultations(id) ON DELETE CASCADE,
    session_id BIGINT,
    paragraph_key TEXT,
    parent_id BIGINT REFERENCES comments(id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    proposed_text TEXT,
    on_behalf_of TEXT,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    version_label TEXT,
    endorsement_count INTEGER NOT NULL DEFAULT 0,
    upvote_count INTEGER NOT NULL DEFAULT 0,
    flag_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE INDEX comments_consultation ON comments(consultation_id, id);
CREATE INDEX comments_session ON comments(session_id, id);
CREATE INDEX comments_paragraph ON comments(consultation_id, paragraph_key);
CREATE INDEX comments_parent ON comments(parent_id);
CREATE INDEX comments_author ON comments(author_id);

CREATE TABLE comment_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    proposed_text TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions(comment_id);

-- Upvotes on session questions.
CREATE TABLE upvotes (
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE endorsements (
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    UNIQUE (comment_id, user_id)
);

CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id BIGINT REFERENCES consultations(id) ON DELETE CASCADE,
    session_id BIGINT,
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    moderator_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX moderation_log_consultation ON moderation_log(consultation_id, id);

-- The outbox for the live stream: every event of a channel with its sequence number.
CREATE TABLE channel_seqs (
    channel TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE live_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    subject_id BIGINT,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (channel, seq)
);

CREATE INDEX live_events_subject ON live_events(subject_id);

-- The outbox for the search indexer.
CREATE TABLE search_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP
);
CREATE INDEX search_jobs_pending ON search_jobs(done_at, id);
