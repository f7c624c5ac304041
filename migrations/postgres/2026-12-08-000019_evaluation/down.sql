DROP TABLE evaluations;
DROP TABLE evaluation_assignments;
DROP TABLE rubric_criteria;
DROP TABLE panel_members;
DROP TABLE evaluation_settings;
