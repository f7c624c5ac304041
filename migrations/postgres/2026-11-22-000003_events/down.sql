ALTER TABLE moderation_log DROP CONSTRAINT moderation_log_session_fk;
ALTER TABLE comments DROP CONSTRAINT comments_session_fk;
DROP TABLE session_bookmarks;
DROP TABLE session_people;
DROP TABLE sessions;
DROP TABLE proposal_reviews;
DROP TABLE proposals;
DROP TABLE rooms;
DROP TABLE events;
