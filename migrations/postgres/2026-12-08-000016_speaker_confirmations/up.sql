-- Each speaker a proposer names with an e-mail is asked, by a one-time link, to confirm
-- that they will speak; reviewers see the answers. One row per speaker's address and
-- proposal: an edit that keeps a speaker keeps their answer, one that drops them drops it.
CREATE TABLE speaker_confirmations (
    id BIGSERIAL PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    answer TEXT NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    UNIQUE (proposal_id, email)
);
