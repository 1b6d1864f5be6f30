-- A ban may be limited to one site (the site's configured name); NULL
-- keeps the ban on every site, as all bans before this migration were.
ALTER TABLE ban ADD COLUMN site TEXT;
