ALTER TABLE consultations DROP COLUMN participant_groups;
ALTER TABLE consultations DROP COLUMN participation;
