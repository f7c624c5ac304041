-- A rubric criterion has a key, so that an evaluation can name its scores
-- {"relevance": 4}; existing criteria get 'c' and their id.
ALTER TABLE rubric_criteria ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE rubric_criteria SET key = 'c' || id;
-- A proposed schedule is kept, so that the organiser can review it and apply it later:
-- it applies only while the schedule is as it was read (fingerprint).
CREATE TABLE schedule_proposals (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    reschedule BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    applied_at TIMESTAMP
);
CREATE INDEX schedule_proposals_by_event ON schedule_proposals(event_id, id);
