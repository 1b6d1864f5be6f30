-- A ban may be limited to one site (twin of SQLite's 0009).
ALTER TABLE ban ADD COLUMN site TEXT;
