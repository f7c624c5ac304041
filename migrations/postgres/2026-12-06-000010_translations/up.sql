-- One draft in up to six languages: a version's text in another language than the
-- consultation's own, aligned to it by paragraph numbers. Each translated paragraph
-- carries the key of the original one, so comments attach to the paragraph, never to a
-- language copy of it.
CREATE TABLE version_translations (
    version_id BIGINT NOT NULL REFERENCES document_versions(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    source_format TEXT NOT NULL,
    footnotes TEXT NOT NULL DEFAULT '[]',
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (version_id, language)
);

CREATE TABLE paragraph_translations (
    version_id BIGINT NOT NULL,
    language TEXT NOT NULL,
    paragraph_key TEXT NOT NULL,
    section_path TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,
    footnote_refs TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (version_id, language, paragraph_key),
    FOREIGN KEY (version_id, language) REFERENCES version_translations(version_id, language) ON DELETE CASCADE
);
