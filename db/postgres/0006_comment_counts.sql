-- Approved-comment counts per article, kept by a trigger (twin of
-- SQLite's 0006). comments: all approved; threads: approved top-level.
ALTER TABLE article ADD COLUMN comments BIGINT NOT NULL DEFAULT 0;
ALTER TABLE article ADD COLUMN threads BIGINT NOT NULL DEFAULT 0;
UPDATE article SET
	comments = (SELECT count(*) FROM comment c
		WHERE c.article_id = article.id AND c.status = 1),
	threads = (SELECT count(*) FROM comment c
		WHERE c.article_id = article.id AND c.status = 1
		AND c.root_id IS NULL);
CREATE FUNCTION comment_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 1 THEN
		UPDATE article SET comments = comments - 1,
			threads = threads - (OLD.root_id IS NULL)::int
		WHERE id = OLD.article_id;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 1 THEN
		UPDATE article SET comments = comments + 1,
			threads = threads + (NEW.root_id IS NULL)::int
		WHERE id = NEW.article_id;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER comment_count_insert AFTER INSERT ON comment
	FOR EACH ROW WHEN (NEW.status = 1) EXECUTE FUNCTION comment_count();
CREATE TRIGGER comment_count_delete AFTER DELETE ON comment
	FOR EACH ROW WHEN (OLD.status = 1) EXECUTE FUNCTION comment_count();
CREATE TRIGGER comment_count_update AFTER UPDATE OF status, root_id,
	article_id ON comment
	FOR EACH ROW WHEN (OLD.status = 1 OR NEW.status = 1)
	EXECUTE FUNCTION comment_count();
