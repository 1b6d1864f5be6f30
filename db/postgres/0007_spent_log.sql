-- Spent CAPTCHA tokens and proof-of-work solutions. Unlike SQLite's 0007
-- (an append-only log behind the daemon's in-memory set), several
-- daemons share this table, so it keeps the primary key on the nonce:
-- a token is spent by the one INSERT that succeeds, on any daemon
-- (docs/deploy.md). The name stays that of the SQLite table, so that
-- both engines have the same tables.
ALTER TABLE captcha_spent RENAME TO captcha_spent_log;
ALTER INDEX captcha_spent_expiry RENAME TO captcha_spent_log_expiry;
