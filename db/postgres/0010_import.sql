-- Imported comments (twin of SQLite's 0010; docs/import.md).
ALTER TABLE comment ADD COLUMN import_id TEXT;
ALTER TABLE comment ADD COLUMN import_parent TEXT;
CREATE UNIQUE INDEX comment_import ON comment (import_id)
	WHERE import_id IS NOT NULL;
CREATE INDEX comment_import_parent ON comment (import_parent)
	WHERE import_parent IS NOT NULL;
