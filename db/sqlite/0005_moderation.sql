-- Moderation: accounts, sessions (only a hash of the cookie is kept),
-- the audit log (never updated or deleted by the API), a folded search
-- text for comments, the webhook outbox and used one-click tokens.
CREATE TABLE user (
	name TEXT PRIMARY KEY,
	role TEXT NOT NULL CHECK (role IN ('admin', 'moderator')),
	hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	last_login INTEGER
);
CREATE TABLE session (
	hash BLOB PRIMARY KEY,
	user TEXT NOT NULL REFERENCES user (name) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	ip_hash TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user TEXT NOT NULL,
	action TEXT NOT NULL,
	comment_id INTEGER,
	ip_hash TEXT NOT NULL DEFAULT '',
	before TEXT,
	after TEXT
);
CREATE INDEX audit_by_comment ON audit (comment_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
ALTER TABLE comment ADD COLUMN search TEXT NOT NULL DEFAULT '';
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	site TEXT NOT NULL,
	body TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_at);
CREATE TABLE oneclick_used (
	nonce BLOB PRIMARY KEY,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
