DELETE FROM channel_seqs WHERE channel LIKE 'user:%';
ALTER TABLE mail_outbox DROP COLUMN unsubscribe_url;
DROP TABLE notification_prefs;
DROP TABLE notification_settings;
DROP TABLE notifications;
DROP TABLE follows;
