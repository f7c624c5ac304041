-- MAG evaluation: an event's evaluation panel (accounts; their stakeholder group and
-- region are their accounts'), the rubric (criteria with weights, each scored 1 to 5),
-- how many evaluators each proposal gets and whether evaluation is blind; proposals
-- assigned to evaluators (who may recuse, with a reason); and the evaluations, with
-- their weighted score kept for ranking.
CREATE TABLE evaluation_settings (
    event_id BIGINT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    per_proposal INTEGER NOT NULL,
    blind BOOLEAN NOT NULL
);
CREATE TABLE panel_members (
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, user_id)
);
CREATE TABLE rubric_criteria (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    weight INTEGER NOT NULL
);
CREATE INDEX rubric_criteria_by_event ON rubric_criteria(event_id, position);
CREATE TABLE evaluation_assignments (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    evaluator_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_at TIMESTAMP NOT NULL,
    recused_at TIMESTAMP,
    recusal_reason TEXT,
    PRIMARY KEY (proposal_id, evaluator_id)
);
CREATE INDEX evaluation_assignments_by_evaluator ON evaluation_assignments(evaluator_id);
CREATE TABLE evaluations (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    evaluator_id BIGINT NOT NULL REFERENCES users(id),
    scores TEXT NOT NULL,
    weighted DOUBLE PRECISION NOT NULL,
    comment TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (proposal_id, evaluator_id)
);
