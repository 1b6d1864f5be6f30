-- What an audit entry acted on, as a JSON text (twin of SQLite's 0008).
ALTER TABLE audit ADD COLUMN detail TEXT;
