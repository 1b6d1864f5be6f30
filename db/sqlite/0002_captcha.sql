-- CAPTCHA tokens already used (pass or fail), kept until they expire so
-- that a restart does not reopen replays. The nonce is a hash of the
-- token's random nonce.
CREATE TABLE captcha_spent (
	nonce BLOB PRIMARY KEY,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX captcha_spent_expiry ON captcha_spent (expires_at);
