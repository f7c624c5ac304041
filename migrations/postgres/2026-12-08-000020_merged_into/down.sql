ALTER TABLE proposals DROP COLUMN merged_into;
