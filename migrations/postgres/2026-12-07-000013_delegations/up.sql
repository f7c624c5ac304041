-- Member states and observers take part in the intergovernmental negotiation as
-- delegations (name, status, country), with delegates: accounts an admin attached to
-- them. Negotiating groups (G77 and China, the African Group…) have member delegations;
-- the delegates of the group's chair speak for it.
CREATE TABLE delegations (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    country TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX delegations_by_name ON delegations(lower(name));
CREATE TABLE delegates (
    delegation_id BIGINT NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (delegation_id, user_id)
);
CREATE INDEX delegates_by_user ON delegates(user_id);
CREATE TABLE negotiating_groups (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    chair_id BIGINT REFERENCES delegations(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX negotiating_groups_by_name ON negotiating_groups(lower(name));
CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES negotiating_groups(id) ON DELETE CASCADE,
    delegation_id BIGINT NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, delegation_id)
);
CREATE INDEX group_members_by_delegation ON group_members(delegation_id);
-- A contribution or an endorsement given for a delegation or a group, checked when
-- given: its author was a delegate of it (or of the group's chair).

ALTER TABLE comments ADD COLUMN delegation_id BIGINT REFERENCES delegations(id);
ALTER TABLE comments ADD COLUMN group_id BIGINT REFERENCES negotiating_groups(id);
ALTER TABLE endorsements ADD COLUMN delegation_id BIGINT REFERENCES delegations(id);
ALTER TABLE endorsements ADD COLUMN group_id BIGINT REFERENCES negotiating_groups(id);
-- In the intergovernmental negotiation, whether stakeholders may still comment (the
-- co-facilitators choose when they move it there).
ALTER TABLE consultation_phases ADD COLUMN stakeholders_comment BOOLEAN NOT NULL DEFAULT TRUE;
