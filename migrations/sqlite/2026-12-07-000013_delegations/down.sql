ALTER TABLE consultation_phases DROP COLUMN stakeholders_comment;
ALTER TABLE endorsements DROP COLUMN group_id;
ALTER TABLE endorsements DROP COLUMN delegation_id;
ALTER TABLE comments DROP COLUMN group_id;
ALTER TABLE comments DROP COLUMN delegation_id;
DROP TABLE group_members;
DROP TABLE negotiating_groups;
DROP TABLE delegates;
DROP TABLE delegations;
