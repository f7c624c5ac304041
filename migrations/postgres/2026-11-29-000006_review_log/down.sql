DROP TABLE review_log;
