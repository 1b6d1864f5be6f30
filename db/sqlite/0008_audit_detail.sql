-- What an audit entry acted on, as a JSON object, for the actions whose
-- before/after say nothing: a ban's and an unban's kind, value, site and
-- expiry; a hard delete's author name, date and a digest of the text
-- (never the text or the e-mail: a deletion for privacy stays one).
-- NULL for older entries and for actions that need none. Adding a column
-- does not fire the append-only triggers.
ALTER TABLE audit ADD COLUMN detail TEXT;
