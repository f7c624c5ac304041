DROP TABLE silence_breaks;
DROP TABLE silences;
