-- Who may take part in a consultation: anyone with a verified account, or only the
-- verified accounts of some stakeholder groups (a JSON list of them).
ALTER TABLE consultations ADD COLUMN participation TEXT NOT NULL DEFAULT 'anyone';
ALTER TABLE consultations ADD COLUMN participant_groups TEXT NOT NULL DEFAULT '[]';
