-- View counts: a total per article and a per-day table for the
-- most-read lists. No address or reader identifier is ever stored.
ALTER TABLE article ADD COLUMN views INTEGER NOT NULL DEFAULT 0;
CREATE TABLE view_day (
	article_id INTEGER NOT NULL REFERENCES article (id) ON DELETE CASCADE,
	day INTEGER NOT NULL, -- days since 1970-01-01 in the site's time zone
	views INTEGER NOT NULL,
	PRIMARY KEY (article_id, day)
) WITHOUT ROWID;
CREATE INDEX view_day_by_day ON view_day (day);
CREATE INDEX article_by_views ON article (site, views DESC);
