DROP TABLE speaker_unavailability;
ALTER TABLE sessions DROP COLUMN pinned;
ALTER TABLE sessions DROP COLUMN needs_interpretation;
ALTER TABLE sessions DROP COLUMN expected_audience;
ALTER TABLE sessions DROP COLUMN track;
ALTER TABLE rooms DROP COLUMN interpretation;
