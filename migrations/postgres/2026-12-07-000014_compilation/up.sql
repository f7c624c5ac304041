-- The compilation text of a negotiation: the co-facilitators' disposition of each
-- amendment (accepted, merged into another, rejected with a reason, pending), given to
-- every identical amendment on the paragraph at once, and each paragraph's status
-- (agreed ad referendum, or pending).
CREATE TABLE amendment_dispositions (
    comment_id BIGINT PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    disposition TEXT NOT NULL,
    merged_into BIGINT REFERENCES comments(id) ON DELETE SET NULL,
    reason TEXT NOT NULL DEFAULT '',
    set_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    set_at TIMESTAMP NOT NULL
);
CREATE TABLE paragraph_statuses (
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    paragraph_key TEXT NOT NULL,
    status TEXT NOT NULL,
    set_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (consultation_id, paragraph_key)
);
