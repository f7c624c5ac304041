DROP TABLE paragraph_translations;
DROP TABLE version_translations;
