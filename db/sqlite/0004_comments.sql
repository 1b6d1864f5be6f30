-- Reader comments. status: 0 pending, 1 approved, 2 rejected, 3 spam,
-- 4 deleted. root_id is the top-level comment of a thread (NULL for a
-- top-level comment); replies are shown one level deep under it.
-- ip_hash is a keyed hash of the client address, never the address.
CREATE TABLE comment (
	-- AUTOINCREMENT: a hard-deleted comment's id is never reused (the
	-- audit log refers to it).
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL REFERENCES article (id) ON DELETE CASCADE,
	parent_id INTEGER REFERENCES comment (id) ON DELETE SET NULL,
	root_id INTEGER REFERENCES comment (id) ON DELETE SET NULL,
	status INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 4),
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	body_hash BLOB NOT NULL,
	ip_hash TEXT NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	flags INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	reply_name TEXT,
	reply_body TEXT,
	reply_at INTEGER
);
CREATE INDEX comment_by_article ON comment (article_id, status, root_id, id);
CREATE INDEX comment_by_status ON comment (status, id);
CREATE INDEX comment_dup ON comment (article_id, body_hash, created_at);

-- Bans set by moderators: kind 'ip' (an ip_hash) or 'email'.
CREATE TABLE ban (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('ip', 'email')),
	value TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	expires_at INTEGER, -- NULL: never
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ban_by_value ON ban (kind, value);
