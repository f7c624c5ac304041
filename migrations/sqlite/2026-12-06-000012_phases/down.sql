DROP TABLE consultation_phases;
