DROP TABLE igf_messages;
DROP TABLE igf_message_sets;
