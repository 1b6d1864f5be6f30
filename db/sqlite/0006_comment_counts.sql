-- Approved-comment counts per article, kept by triggers so that listing
-- an article with a million comments does not count them on every
-- request. comments: all approved; threads: approved top-level ones.
ALTER TABLE article ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE article ADD COLUMN threads INTEGER NOT NULL DEFAULT 0;
UPDATE article SET
	comments = (SELECT count(*) FROM comment c
		WHERE c.article_id = article.id AND c.status = 1),
	threads = (SELECT count(*) FROM comment c
		WHERE c.article_id = article.id AND c.status = 1
		AND c.root_id IS NULL);
CREATE TRIGGER comment_count_insert AFTER INSERT ON comment
WHEN NEW.status = 1
BEGIN
	UPDATE article SET comments = comments + 1,
		threads = threads + (NEW.root_id IS NULL)
	WHERE id = NEW.article_id;
END;
CREATE TRIGGER comment_count_delete AFTER DELETE ON comment
WHEN OLD.status = 1
BEGIN
	UPDATE article SET comments = comments - 1,
		threads = threads - (OLD.root_id IS NULL)
	WHERE id = OLD.article_id;
END;
CREATE TRIGGER comment_count_update AFTER UPDATE OF status, root_id,
	article_id ON comment
WHEN (OLD.status = 1) OR (NEW.status = 1)
BEGIN
	UPDATE article SET comments = comments - 1,
		threads = threads - (OLD.root_id IS NULL)
	WHERE id = OLD.article_id AND OLD.status = 1;
	UPDATE article SET comments = comments + 1,
		threads = threads + (NEW.root_id IS NULL)
	WHERE id = NEW.article_id AND NEW.status = 1;
END;
