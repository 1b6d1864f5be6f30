-- The spent CAPTCHA tokens as an append-only log. Keyed by the random
-- nonce (0002), every flush dirtied pages all over the B-tree, so the
-- writer's once-a-second flush rewrote nearly the whole table into the
-- WAL and grew with it (9 ms -> 97 ms within 7 s of comment load). The
-- daemon's in-memory set is what rejects a replay; this table only
-- refills that set after a restart (duplicates are harmless there), so it
-- needs no key: rows go at the end of the rowid B-tree, and the expiry
-- index (almost in insertion order) at its end too.
CREATE TABLE captcha_spent_log (
	nonce BLOB NOT NULL,
	expires_at INTEGER NOT NULL
);
INSERT INTO captcha_spent_log (nonce, expires_at)
	SELECT nonce, expires_at FROM captcha_spent ORDER BY expires_at;
DROP TABLE captcha_spent;
CREATE INDEX captcha_spent_log_expiry ON captcha_spent_log (expires_at);
