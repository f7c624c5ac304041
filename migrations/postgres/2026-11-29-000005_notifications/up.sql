-- What each user follows. A paragraph is followed by its key (target_id is the
-- consultation), so the follow outlives the version the user saw.
CREATE TABLE follows (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target_type TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    target_key TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, target_type, target_id, target_key)
);
CREATE INDEX follows_target ON follows(target_type, target_id);

-- One row per recipient and event: the unique key makes notifying idempotent.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    data TEXT NOT NULL,
    frequency TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    emailed_at TIMESTAMP,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_pending ON notifications(frequency, emailed_at);

CREATE TABLE notification_settings (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    frequency TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- When each user last got each digest, and the time zone reminders are shown in.
CREATE TABLE notification_prefs (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    timezone TEXT,
    daily_sent_at TIMESTAMP,
    weekly_sent_at TIMESTAMP
);

ALTER TABLE mail_outbox ADD COLUMN unsubscribe_url TEXT;

-- Each user's own live channel (the unread count).
INSERT INTO channel_seqs (channel, last_seq) SELECT 'user:' || id, 0 FROM users;
