-- What co-facilitators decided about each contribution. No row means status "new".
CREATE TABLE comment_reviews (
    comment_id BIGINT PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    assignee_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX comment_reviews_assignee ON comment_reviews(assignee_id);
