/*
 * comments.c: the comment submission pipeline (comments.h), shared by
 * POST /api/v1/comments and the no-JavaScript form, without HTTP: the
 * handler parses the request into a struct comment_input.
 *
 * comments_check() runs the steps before the write, each a function
 * below in the order they run:
 *
 *   check_fields      caps, required fields, UTF-8, normalisation (400)
 *   check_origin      the write comes from the site's pages or ours (403)
 *   note_client       the address hash and the user agent of the row
 *   check_captcha     spends the token, pass or fail (403, 503)
 *   check_rate        the client's comment budget (429)
 *   check_bans        a banned client or address: stored as spam
 *   check_honeypot    a filled honeypot: stored as spam, words unread
 *   check_words       blocked and watched words, links (spam, pending)
 *   prepare_row       the row as the writer stores it
 *
 * comments_store() hands the submission to the writer, whose job
 * (job_run) upserts the article, runs write_parent (400) and
 * write_duplicate (409) and inserts; job_done records the outcome and
 * calls the caller's comment_done_fn, which hands the request back.
 */
#include <limits.h>
#include <regex.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "app.h"
#include "challenge.h"
#include "comments.h"
#include "config.h"
#include "bandoc_limits.h"
#include "ratelimit.h"
#include "storage.h"
#include "text.h"
#include "webhook.h"
#include "writer.h"

struct comment_sub {
	struct writer_job job;
	comment_done_fn *done;
	void *done_arg;
	const struct config_site *site;
	char *article, *title, *url, *name, *email, *body, *ua, *search;
	char *self_origin; /* for the moderators' notification */
	long long parent_id;
	char ip_hash[STORAGE_HASH_BYTES * 2 + 1];
	char lang[3];
	struct storage_comment row;
	/* Results, set by the writer. */
	struct comment_error err;
	long long id;
	int failed;
	int status; /* the writer's: 0 stored */
};

static const struct {
	const char *key, *vi, *en;
} messages[] = {
    {"pending", "Cảm ơn bạn! Góp ý đã được gửi và đang chờ duyệt.",
     "Thank you! Your comment was sent and awaits moderation."},
    {"approved", "Cảm ơn bạn! Góp ý đã được đăng.",
     "Thank you! Your comment is published."},
    {"invalid_fields", "Vui lòng kiểm tra lại các ô được đánh dấu.",
     "Please check the marked fields."},
    {"required", "Vui lòng nhập ô này.", "Please fill in this field."},
    {"too_long", "Nội dung quá dài.", "This is too long."},
    {"bad_email", "Địa chỉ email không hợp lệ.",
     "This e-mail address is not valid."},
    {"bad_article", "Mã bài viết không hợp lệ.",
     "The article key is not valid."},
    {"bad_url", "Địa chỉ bài viết không thuộc trang này.",
     "The article address does not belong to this site."},
    {"bad_parent", "Không thể trả lời góp ý này.",
     "This comment cannot be replied to."},
    {"invalid_utf8", "Nội dung có ký tự không hợp lệ.",
     "The text contains invalid characters."},
    {"origin", "Yêu cầu không đến từ trang được phép.",
     "The request does not come from an allowed page."},
    {"captcha_invalid", "Mã xác nhận không đúng. Vui lòng nhập mã mới.",
     "The code is not right. Please type the new code."},
    {"captcha_expired", "Mã xác nhận đã hết hạn. Vui lòng nhập mã mới.",
     "The code has expired. Please type the new code."},
    {"captcha_used", "Mã xác nhận đã được dùng. Vui lòng nhập mã mới.",
     "The code was already used. Please type the new code."},
    {"rate_limited", "Bạn gửi quá nhanh. Vui lòng thử lại sau ít phút.",
     "You are posting too fast. Please try again in a few minutes."},
    {"duplicate", "Góp ý này đã được gửi.", "This comment was already sent."},
    {"unavailable", "Hệ thống đang bận. Vui lòng thử lại.",
     "The service is busy. Please try again."},
};

const char *
comments_msg(const char *lang, const char *key)
{
	size_t i;
	int en = lang != NULL && strcmp(lang, "en") == 0;

	for (i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (strcmp(messages[i].key, key) == 0)
			return en ? messages[i].en : messages[i].vi;
	return key;
}

char *
comments_search_text(const char *name, const char *email, const char *body)
{
	size_t n = strlen(name) + strlen(email) + strlen(body) + 3;
	char *all = malloc(n), *folded;

	if (all == NULL)
		return NULL;
	snprintf(all, n, "%s\n%s\n%s", name, email, body);
	folded = text_fold(all);
	free(all);
	return folded;
}

const char *
comments_lang(const char *arg, const struct config_site *site)
{
	if (arg != NULL && (strcmp(arg, "vi") == 0 || strcmp(arg, "en") == 0))
		return strcmp(arg, "en") == 0 ? "en" : "vi";
	return site != NULL && strcmp(site->lang, "en") == 0 ? "en" : "vi";
}

const struct config_site *
comments_site(const struct config *cfg, const char *id)
{
	const struct config_site *site;

	site = config_site_find(cfg, id != NULL ? id : "");
	if (site == NULL && cfg->nsites == 1 && id == NULL)
		site = &cfg->sites[0];
	return site;
}

const struct config_site *
comments_sub_site(const struct comment_sub *sub)
{
	return sub->site;
}

const char *
comments_sub_article(const struct comment_sub *sub)
{
	return sub->article;
}

const struct comment_error *
comments_sub_result(const struct comment_sub *sub, long long *id, int *approved)
{
	*id = sub->id;
	*approved = sub->row.status == STORAGE_APPROVED;
	return sub->status == 0 ? NULL : &sub->err;
}

void
comments_sub_free(struct comment_sub *s)
{
	if (s == NULL)
		return;
	free(s->article);
	free(s->title);
	free(s->url);
	free(s->name);
	free(s->email);
	free(s->body);
	free(s->ua);
	free(s->search);
	free(s->self_origin);
	json_decref(s->err.fields);
	free(s);
}

static void
set_err(struct comment_error *e, unsigned int status, const char *code,
        const char *lang, const char *key)
{
	e->status = status;
	e->code = code;
	snprintf(e->message, sizeof(e->message), "%s", comments_msg(lang, key));
}

static void
field_err(json_t **fields, const char *name, const char *lang, const char *key)
{
	if (*fields == NULL)
		*fields = json_object();
	if (json_object_get(*fields, name) == NULL)
		json_object_set_new(*fields, name,
		                    json_string(comments_msg(lang, key)));
}

/*
 * Normalises one field. required: must be non-empty; maxc: code points.
 * Returns the malloc'd text (maybe ""), or NULL with a field error (or
 * *bad_utf8 set).
 */
static char *
field(const struct comment_text *t, const char *name, int multiline,
      size_t maxc, int required, const char *lang, json_t **fields,
      int *bad_utf8)
{
	const char *raw = t->s != NULL ? t->s : "";
	size_t len = t->s != NULL ? t->len : 0, nc;
	char *out = NULL;

	switch (text_normalize(raw, len, multiline, &out, &nc)) {
	case TEXT_OK:
		break;
	case TEXT_INVALID_UTF8:
		*bad_utf8 = 1;
		field_err(fields, name, lang, "invalid_utf8");
		return NULL;
	default:
		field_err(fields, name, lang, "unavailable");
		return NULL;
	}
	if (required && nc == 0) {
		field_err(fields, name, lang, "required");
		free(out);
		return NULL;
	}
	if (nc > maxc) {
		field_err(fields, name, lang, "too_long");
		free(out);
		return NULL;
	}
	return out;
}

/* --- the steps before the write --- */

/* The article key, checked against the site's pattern. */
static void
read_article(struct comment_sub *s, const struct comment_input *in,
             json_t **fields)
{
	const struct config_site *site = s->site;
	const char *article = in->article.s;

	if (!text_article_key_ok(article,
	                         article != NULL ? in->article.len : 0) ||
	    (site->has_article_re &&
	     regexec(&site->article_re, article, 0, NULL, 0) != 0))
		field_err(fields, "article", s->lang, "bad_article");
	else
		s->article = strdup(article);
}

/* Name, e-mail, body, the article's title and address. */
static void
read_texts(struct comment_sub *s, const struct comment_input *in,
           json_t **fields, int *bad_utf8)
{
	const struct config_site *site = s->site;
	const char *lang = s->lang;

	s->name = field(&in->name, "name", 0, MAX_NAME_CHARS, 1, lang, fields,
	                bad_utf8);
	s->email = field(&in->email, "email", 0, MAX_EMAIL_BYTES,
	                 (int)site->require_email, lang, fields, bad_utf8);
	if (s->email != NULL && s->email[0] != '\0' &&
	    (strlen(s->email) > MAX_EMAIL_BYTES || !text_email_ok(s->email)))
		field_err(fields, "email", lang, "bad_email");
	s->body = field(&in->body, "body", 1, (size_t)site->body_max_chars, 1,
	                lang, fields, bad_utf8);
	s->title = field(&in->title, "article_title", 0, STORAGE_MAX_URL, 0,
	                 lang, fields, bad_utf8);
	s->url = field(&in->url, "article_url", 0, STORAGE_MAX_URL, 0, lang,
	               fields, bad_utf8);
	/* A long title is cut (on a character boundary), not refused: the
	 * reader cannot fix it. */
	if (s->title != NULL && strlen(s->title) > STORAGE_MAX_TITLE) {
		size_t n = STORAGE_MAX_TITLE;

		while (n > 0 && ((unsigned char)s->title[n] & 0xc0) == 0x80)
			n--;
		s->title[n] = '\0';
	}
	if (s->url != NULL && s->url[0] != '\0' &&
	    (strlen(s->url) > STORAGE_MAX_URL ||
	     !config_url_of_site(site, in->self_origin, s->url)))
		field_err(fields, "article_url", lang, "bad_url");
}

/* 1-2. Required fields, caps, UTF-8, normalisation: 400. */
static int
check_fields(struct comment_sub *s, const struct comment_input *in,
             struct comment_error *err)
{
	const char *pid = in->parent_id;
	int bad_utf8 = 0;

	read_article(s, in, &err->fields);
	read_texts(s, in, &err->fields, &bad_utf8);
	if (pid != NULL && *pid != '\0' &&
	    config_parse_ll(pid, 1, LLONG_MAX, &s->parent_id) != 0)
		field_err(&err->fields, "parent_id", s->lang, "bad_parent");
	/* Without a proof of work only an answer can pass (no-JS page); a
	 * proof alone may be enough (captcha_mode = invisible). */
	if (in->captcha.alen == 0 && in->captcha.plen == 0)
		field_err(&err->fields, "captcha_answer", s->lang, "required");
	if (err->fields == NULL)
		return 0;
	if (bad_utf8)
		set_err(err, 400, "invalid_utf8", s->lang, "invalid_utf8");
	else
		set_err(err, 400, "invalid_fields", s->lang, "invalid_fields");
	return -1;
}

/* 3. The write must come from the site's pages or ours: 403. */
static int
check_origin(struct comment_sub *s, const struct comment_input *in,
             struct comment_error *err)
{
	if (in->origin_allowed)
		return 0;
	set_err(err, 403, "origin_refused", s->lang, "origin");
	return -1;
}

/* The client's address hash and user agent (cut to MAX_UA_BYTES on a
 * character boundary), and the status a clean comment gets. */
static int
note_client(struct app *app, struct comment_sub *s,
            const struct comment_input *in, struct comment_error *err)
{
	const char *ua = in->user_agent;
	size_t n = ua != NULL ? strlen(ua) : 0;

	app_ip_hash(app, in->family, in->addr, s->ip_hash);
	if (n > MAX_UA_BYTES)
		n = MAX_UA_BYTES;
	while (n > 0 && ua != NULL && ((unsigned char)ua[n] & 0xc0) == 0x80)
		n--;
	if ((s->ua = malloc(n + 1)) == NULL) {
		set_err(err, 503, "unavailable", s->lang, "unavailable");
		return -1;
	}
	if (n > 0)
		memcpy(s->ua, ua, n);
	s->ua[n] = '\0';
	s->row.status =
	    s->site->moderation ? STORAGE_PENDING : STORAGE_APPROVED;
	return 0;
}

/* 4-5. CAPTCHA and its proof of work: spends the token, pass or fail (a
 * failure counts towards the client's lock-out). A filled honeypot
 * passes here and every limit below like any post (a bot that fills it
 * pays like any other). */
static int
check_captcha(struct app *app, struct comment_sub *s,
              const struct comment_input *in, struct comment_error *err)
{
	const char *lang = s->lang;
	enum challenge_result cr;

	cr = challenge_verify(app->challenge, s->site, s->article, &in->captcha,
	                      in->now, NULL);
	challenge_failed(app->ratelimit, s->site, cr, in->family, in->addr,
	                 in->now);
	switch (cr) {
	case CHALLENGE_OK:
		return 0;
	case CHALLENGE_EXPIRED:
		set_err(err, 403, "captcha_expired", lang, "captcha_expired");
		break;
	case CHALLENGE_USED:
		set_err(err, 403, "captcha_used", lang, "captcha_used");
		break;
	case CHALLENGE_UNAVAILABLE:
		set_err(err, 503, "unavailable", lang, "unavailable");
		err->retry_after = 60;
		break;
	default:
		set_err(err, 403, "captcha_invalid", lang, "captcha_invalid");
		field_err(&err->fields, "captcha_answer", lang,
		          "captcha_invalid");
		break;
	}
	return -1;
}

/* 6. Rate limit per client: 429 with the wait. */
static int
check_rate(struct app *app, struct comment_sub *s,
           const struct comment_input *in, struct comment_error *err)
{
	unsigned char key[RATELIMIT_KEY_BYTES];
	long wait;

	ratelimit_key(app->ratelimit, "comment", s->site->id, in->family,
	              in->addr, key);
	wait = ratelimit_take(
	    app->ratelimit, key, (unsigned int)s->site->comments_per_minute,
	    (unsigned int)s->site->comments_per_hour, (double)in->now);
	if (wait <= 0)
		return 0;
	set_err(err, 429, "rate_limited", s->lang, "rate_limited");
	err->retry_after = wait;
	return -1;
}

/* 7. Bans (of this site or of all): stored as spam. An IDN domain is
 * matched in both spellings; an address whose domain is no valid IDN is
 * matched as written. 503 when the bans cannot be read. */
static int
check_bans(struct app *app, struct comment_sub *s,
           const struct comment_input *in, struct comment_error *err)
{
	struct storage *rd = app_reader(app);
	char *ekey;
	int ban;

	ekey = s->email != NULL && s->email[0] != '\0'
	           ? text_email_key(s->email)
	           : NULL;
	ban = rd != NULL ? storage_ban_match(rd, s->site->id, s->ip_hash,
	                                     s->email, ekey, (long long)in->now)
	                 : -1;
	free(ekey);
	if (ban < 0) {
		set_err(err, 503, "unavailable", s->lang, "unavailable");
		return -1;
	}
	if (ban == 1) {
		s->row.status = STORAGE_SPAM;
		s->row.flags |= STORAGE_FLAG_BANNED;
	}
	return 0;
}

/* The honeypot: the same reply as a success, stored as spam on an
 * article that exists, never creating one (see job_run). 1 when it was
 * filled (the word filter is skipped), else 0. */
static int
check_honeypot(struct comment_sub *s, const struct comment_input *in)
{
	if (in->honeypot == NULL || *in->honeypot == '\0')
		return 0;
	s->row.status = STORAGE_SPAM;
	s->row.flags |= STORAGE_FLAG_HONEYPOT;
	return 1;
}

struct phrase_ctx {
	const char *folded;
	int hit;
};

static void
phrase_check(void *arg, const char *word)
{
	struct phrase_ctx *c = arg;

	if (!c->hit && text_has_word(c->folded, word))
		c->hit = 1;
}

/* The folded words of the body and the name (names are filtered as well
 * as bodies; the body's alone if the name cannot be added), or NULL. */
static char *
folded_words(const struct comment_sub *s)
{
	char *folded = text_fold_words(s->body), *fname, *both;
	size_t a, b;

	if (folded == NULL || (fname = text_fold_words(s->name)) == NULL)
		return folded;
	a = strlen(folded);
	b = strlen(fname);
	if ((both = realloc(folded, a + b + 2)) != NULL) {
		both[a] = '\n';
		memcpy(both + a + 1, fname, b + 1);
		folded = both;
	}
	free(fname);
	return folded;
}

/* 8. Word filter and links: a blocked word makes spam; a watched word or
 * too many links send an approved comment to moderation. */
static int
check_words(struct comment_sub *s, struct comment_error *err)
{
	const struct config_site *site = s->site;
	struct phrase_ctx pc;

	if ((pc.folded = folded_words(s)) == NULL) {
		set_err(err, 503, "unavailable", s->lang, "unavailable");
		return -1;
	}
	pc.hit = 0;
	text_each_phrase(site->blocked_words, phrase_check, &pc);
	if (pc.hit) {
		s->row.status = STORAGE_SPAM;
		s->row.flags |= STORAGE_FLAG_BLOCKED;
	}
	pc.hit = 0;
	text_each_phrase(site->watched_words, phrase_check, &pc);
	if (pc.hit)
		s->row.flags |= STORAGE_FLAG_WATCHED;
	if (text_count_links(s->body) > site->max_links)
		s->row.flags |= STORAGE_FLAG_LINKS;
	if (s->row.status == STORAGE_APPROVED &&
	    (s->row.flags & (STORAGE_FLAG_WATCHED | STORAGE_FLAG_LINKS)))
		s->row.status = STORAGE_PENDING;
	free((char *)pc.folded);
	return 0;
}

/* The row as the writer stores it: texts, search text, body hash. */
static int
prepare_row(struct comment_sub *s, const struct comment_input *in,
            struct comment_error *err)
{
	s->row.name = s->name;
	s->row.email = s->email;
	s->row.body = s->body;
	s->row.ip_hash = s->ip_hash;
	s->row.user_agent = s->ua;
	s->row.created_at = (long long)in->now;
	s->search = comments_search_text(s->name, s->email, s->body);
	s->self_origin = strdup(in->self_origin != NULL ? in->self_origin : "");
	if (s->search == NULL || s->self_origin == NULL) {
		set_err(err, 503, "unavailable", s->lang, "unavailable");
		return -1;
	}
	s->row.search = s->search;
	crypto_generichash(s->row.body_hash, sizeof(s->row.body_hash),
	                   (const unsigned char *)s->body, strlen(s->body),
	                   NULL, 0);
	return 0;
}

struct comment_sub *
comments_check(struct app *app, const struct comment_input *in,
               struct comment_error *err)
{
	const char *lang = in->lang != NULL ? in->lang : "vi";
	struct comment_sub *s;

	memset(err, 0, sizeof(*err));
	if (in->site == NULL) {
		set_err(err, 400, "unknown_site", lang, "invalid_fields");
		field_err(&err->fields, "site", lang, "required");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, 503, "unavailable", lang, "unavailable");
		return NULL;
	}
	s->site = in->site;
	snprintf(s->lang, sizeof(s->lang), "%s", lang);
	if (check_fields(s, in, err) != 0 || check_origin(s, in, err) != 0 ||
	    note_client(app, s, in, err) != 0 ||
	    check_captcha(app, s, in, err) != 0 ||
	    check_rate(app, s, in, err) != 0 ||
	    check_bans(app, s, in, err) != 0 ||
	    (!check_honeypot(s, in) && check_words(s, err) != 0) ||
	    prepare_row(s, in, err) != 0) {
		comments_sub_free(s);
		return NULL;
	}
	return s;
}

/* --- the write --- */

/* The moderators' notification of a comment that waits for them. */
static int
outbox_add(struct storage *st, struct comment_sub *s)
{
	struct webhook_comment c = {
	    s->id,   s->row.created_at, s->article, s->title,    s->url,
	    s->name, s->email,          s->body,    s->row.flags};

	return webhook_enqueue(st, s->site, WEBHOOK_PENDING, &c, s->self_origin,
	                       NULL, 0, s->row.created_at);
}

/* The writer could not read or write: 503. */
static int
write_failed(struct comment_sub *s)
{
	set_err(&s->err, 503, "unavailable", s->lang, "unavailable");
	s->failed = 1;
	return -1;
}

/* A reply must answer an approved comment of the same article: 400. */
static int
write_parent(struct storage *st, struct comment_sub *s)
{
	long long pa, root;
	int pstatus, r;

	if (s->parent_id <= 0)
		return 0;
	r = storage_comment_parent(st, s->parent_id, &pa, &pstatus, &root);
	if (r < 0)
		return write_failed(s);
	if (r == 1 || pa != s->row.article_id || pstatus != STORAGE_APPROVED) {
		set_err(&s->err, 400, "invalid_parent", s->lang, "bad_parent");
		field_err(&s->err.fields, "parent_id", s->lang, "bad_parent");
		s->failed = 1;
		return -1;
	}
	s->row.parent_id = s->parent_id;
	s->row.root_id = root > 0 ? root : s->parent_id;
	return 0;
}

/* The same body on the same article within DUPLICATE_WINDOW: 409. */
static int
write_duplicate(struct storage *st, struct comment_sub *s)
{
	int r;

	r = storage_comment_duplicate(st, s->row.article_id, s->row.body_hash,
	                              s->row.created_at - DUPLICATE_WINDOW);
	if (r < 0)
		return write_failed(s);
	if (r == 0)
		return 0;
	set_err(&s->err, 409, "duplicate", s->lang, "duplicate");
	s->failed = 1;
	return -1;
}

/* The writer's job: the article, the checks that need the database, the
 * insert and the moderators' notification, in one savepoint. */
static int
job_run(struct storage *st, void *arg)
{
	struct comment_sub *s = arg;
	struct storage_article a;
	int r;

	if (s->row.flags & STORAGE_FLAG_HONEYPOT) {
		r = storage_article_get(st, s->site->id, s->article, &a);
		if (r < 0)
			return write_failed(s);
		if (r == 1) /* a new article: write nothing, answer alike */
			return storage_comment_next_id(st, &s->id) == 0 ? 0
			                                                : -1;
	}
	if (storage_article_upsert(st, s->site->id, s->article, s->title,
	                           s->url, s->row.created_at,
	                           &s->row.article_id) != 0)
		return write_failed(s);
	if (write_parent(st, s) != 0 || write_duplicate(st, s) != 0)
		return -1;
	if (storage_comment_insert(st, &s->row, &s->id) != 0)
		return write_failed(s);
	/* The moderators' notification goes in the same transaction. */
	if (s->row.status == STORAGE_PENDING && outbox_add(st, s) != 0)
		return write_failed(s);
	return 0;
}

/* On the writer thread: records the outcome and hands the request back
 * to the caller, nothing else. */
static void
job_done(void *arg, int status)
{
	struct comment_sub *s = arg;

	s->status = status;
	if (status != 0 && !s->failed)
		set_err(&s->err, 503, "unavailable", s->lang, "unavailable");
	s->done(s, s->done_arg);
}

int
comments_store(struct app *app, struct comment_sub *s, comment_done_fn *done,
               void *arg, struct comment_error *err)
{
	memset(err, 0, sizeof(*err));
	s->done = done;
	s->done_arg = arg;
	s->job.run = job_run;
	s->job.done = job_done;
	s->job.arg = s;
	if (writer_submit(app->writer, &s->job) == 0)
		return 0;
	set_err(err, 503, "unavailable", s->lang, "unavailable");
	err->retry_after = 5;
	return -1;
}
