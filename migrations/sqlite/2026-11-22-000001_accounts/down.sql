DROP TABLE mail_outbox;
DROP TABLE email_tokens;
DROP TABLE refresh_tokens;
DROP TABLE user_roles;
DROP TABLE users;
