DROP TABLE session_bookmarks;
DROP TABLE session_reports;
DROP TABLE session_people;
DROP TABLE sessions;
DROP TABLE proposal_reviews;
DROP TABLE proposals;
DROP TABLE rooms;
DROP TABLE events;
