DROP TABLE body_outputs;
DROP TABLE body_sessions;
DROP TABLE body_members;
DROP TABLE bodies;
