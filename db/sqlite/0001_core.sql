-- Core tables: the articles of each site. Later migrations add the
-- tables of comments, moderation and view counts the same way.
CREATE TABLE article (
	id INTEGER PRIMARY KEY,
	site TEXT NOT NULL,
	key TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	UNIQUE (site, key)
);
