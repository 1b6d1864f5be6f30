-- CAPTCHA tokens already used (twin of SQLite's 0002). 0007 replaces it.
CREATE TABLE captcha_spent (
	nonce BYTEA PRIMARY KEY,
	expires_at BIGINT NOT NULL
);
CREATE INDEX captcha_spent_expiry ON captcha_spent (expires_at);
