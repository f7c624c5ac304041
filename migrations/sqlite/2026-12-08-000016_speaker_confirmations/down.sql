DROP TABLE speaker_confirmations;
