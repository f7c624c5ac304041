-- The phases a consultation goes through on its way to an adopted text (open call for
-- inputs, stakeholder consultation, intergovernmental negotiation, silence procedure,
-- adopted), chosen by its co-facilitators: each change is a logged act with its date
-- and author, shown to everyone. The current phase is the latest.
CREATE TABLE consultation_phases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    set_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX consultation_phases_by_consultation ON consultation_phases(consultation_id, id);
