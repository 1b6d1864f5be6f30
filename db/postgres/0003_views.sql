-- View counts (twin of SQLite's 0003). No reader identifier is stored.
ALTER TABLE article ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
CREATE TABLE view_day (
	article_id BIGINT NOT NULL REFERENCES article (id) ON DELETE CASCADE,
	day BIGINT NOT NULL, -- days since 1970-01-01 in the site's time zone
	views BIGINT NOT NULL,
	PRIMARY KEY (article_id, day)
);
CREATE INDEX view_day_by_day ON view_day (day);
CREATE INDEX article_by_views ON article (site, views DESC);
