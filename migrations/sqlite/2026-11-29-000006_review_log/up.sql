-- Every change to a contribution's review, kept: who changed what, from what, when.
CREATE TABLE review_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX review_log_comment ON review_log(comment_id, id);
