CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    theme TEXT NOT NULL DEFAULT '',
    venue TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    subthemes TEXT NOT NULL DEFAULT '[]',
    call_opens_at TIMESTAMP,
    call_closes_at TIMESTAMP,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    rules TEXT NOT NULL DEFAULT '{}',
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE rooms (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    remote_link TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, name)
);

CREATE TABLE proposals (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    proposer_id BIGINT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    session_type TEXT NOT NULL,
    subtheme TEXT NOT NULL,
    format TEXT NOT NULL,
    description TEXT NOT NULL,
    policy_questions TEXT NOT NULL DEFAULT '[]',
    speakers TEXT NOT NULL DEFAULT '[]',
    moderator_name TEXT NOT NULL,
    rapporteur_name TEXT NOT NULL,
    status TEXT NOT NULL,
    decision_note TEXT,
    session_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX proposals_event ON proposals(event_id, id);
CREATE INDEX proposals_proposer ON proposals(event_id, proposer_id);

CREATE TABLE proposal_reviews (
    id BIGSERIAL PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    reviewer_id BIGINT NOT NULL REFERENCES users(id),
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (proposal_id, reviewer_id)
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    proposal_id BIGINT REFERENCES proposals(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    session_type TEXT NOT NULL,
    subtheme TEXT NOT NULL,
    format TEXT NOT NULL,
    description TEXT NOT NULL,
    speakers TEXT NOT NULL DEFAULT '[]',
    moderator_name TEXT NOT NULL,
    rapporteur_name TEXT NOT NULL,
    room_id BIGINT REFERENCES rooms(id) ON DELETE SET NULL,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    ical_sequence INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_event ON sessions(event_id, starts_at);
CREATE INDEX sessions_room ON sessions(room_id, starts_at);

-- Who takes part in a session (speakers and the moderator), for clash detection.
CREATE TABLE session_people (
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    person TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (session_id, person)
);
CREATE INDEX session_people_person ON session_people(person);

CREATE TABLE session_reports (
    session_id BIGINT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    key_takeaways TEXT NOT NULL,
    calls_to_action TEXT NOT NULL,
    participants_onsite INTEGER NOT NULL,
    participants_online INTEGER NOT NULL,
    women_share DOUBLE PRECISION,
    filed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE session_segments (
    id BIGSERIAL PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    minutes INTEGER NOT NULL
);
CREATE INDEX session_segments_session ON session_segments(session_id, position);

-- One queue for the floor, joined alike from the room and from afar.
CREATE TABLE speaking_queue (
    id BIGSERIAL PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    called_at TIMESTAMP,
    left_at TIMESTAMP
);
CREATE INDEX speaking_queue_session ON speaking_queue(session_id, id);

CREATE TABLE session_bookmarks (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, session_id)
);

-- Comments and moderation acts on sessions (SQLite relies on the application here:
-- it cannot add a foreign key to an existing table).
ALTER TABLE comments ADD CONSTRAINT comments_session_fk FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE;
ALTER TABLE moderation_log ADD CONSTRAINT moderation_log_session_fk FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE;
