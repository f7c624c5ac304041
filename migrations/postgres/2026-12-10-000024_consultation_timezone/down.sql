ALTER TABLE consultations DROP COLUMN timezone;
