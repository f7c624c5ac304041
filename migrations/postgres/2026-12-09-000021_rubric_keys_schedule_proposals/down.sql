DROP TABLE schedule_proposals;
ALTER TABLE rubric_criteria DROP COLUMN key;
