-- The zone a consultation's dates are told in: a silence's deadline first of all.
ALTER TABLE consultations ADD COLUMN timezone TEXT NOT NULL DEFAULT 'America/New_York';
