-- The people who run a session from its room: its moderators give the floor, its
-- rapporteurs file the report. Named per session by the organisers, as accounts (the
-- names typed in a proposal are not accounts).
CREATE TABLE session_roles (
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id, role)
);
CREATE INDEX session_roles_by_user ON session_roles(user_id);
