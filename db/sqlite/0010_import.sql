-- Imported comments (bandocd import, docs/import.md): import_id is
-- "SITE:FORMAT:ID", the other system's id of the comment, so that the
-- same export imported again adds nothing; import_parent is its parent's
-- import_id while that parent has not been stored (it came later in the
-- file), until the import's last step links it. NULL for comments that
-- readers wrote here.
ALTER TABLE comment ADD COLUMN import_id TEXT;
ALTER TABLE comment ADD COLUMN import_parent TEXT;
CREATE UNIQUE INDEX comment_import ON comment (import_id)
	WHERE import_id IS NOT NULL;
CREATE INDEX comment_import_parent ON comment (import_parent)
	WHERE import_parent IS NOT NULL;
