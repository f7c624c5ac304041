DROP TABLE paragraph_statuses;
DROP TABLE amendment_dispositions;
