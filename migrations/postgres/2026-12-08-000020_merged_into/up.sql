-- A merged proposal points to the proposal it joins.
ALTER TABLE proposals ADD COLUMN merged_into BIGINT REFERENCES proposals(id) ON DELETE SET NULL;
