/*
 * comments.c: the comment submission pipeline (comments.h), shared by
 * POST /api/v1/comments and the no-JavaScript form.
 */
#include <arpa/inet.h>
#include <regex.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "auth.h"
#include "challenge.h"
#include "comments.h"
#include "config.h"
#include "http.h"
#include "bandoc_limits.h"
#include "log.h"
#include "pagecache.h"
#include "ratelimit.h"
#include "storage.h"
#include "text.h"
#include "webhook.h"
#include "writer.h"

#define MAX_NAME_CHARS   80
#define MAX_UA_BYTES     255
#define DUPLICATE_WINDOW (24 * 3600)

struct comment_sub {
	struct writer_job job;
	struct http_req *req;
	comment_finish_fn *finish;
	const struct config_site *site;
	char *article, *title, *url, *name, *email, *body, *ua, *search;
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
comments_lang(struct http_req *req, const struct config_site *site)
{
	const char *l = http_req_arg(req, "lang");

	if (l != NULL && (strcmp(l, "vi") == 0 || strcmp(l, "en") == 0))
		return strcmp(l, "en") == 0 ? "en" : "vi";
	return site != NULL && strcmp(site->lang, "en") == 0 ? "en" : "vi";
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

static void
sub_free(struct comment_sub *s)
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
field(struct http_req *req, const char *name, int multiline, size_t maxc,
      int required, const char *lang, json_t **fields, int *bad_utf8)
{
	const char *raw = http_req_arg(req, name);
	size_t len = raw != NULL ? http_req_arg_len(req, name) : 0, nc;
	char *out = NULL;

	if (raw == NULL)
		raw = "";
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

void
comments_ip_hash_of(const struct app *app, int family,
                    const unsigned char addr[16],
                    char out[STORAGE_HASH_BYTES * 2 + 1])
{
	unsigned char h[STORAGE_HASH_BYTES];

	/* IPv6 clients are one /64: a ban must hold across their
	 * addresses. */
	crypto_generichash(h, sizeof(h), addr, family == AF_INET6 ? 8 : 4,
	                   app->iphash_key, sizeof(app->iphash_key));
	sodium_bin2hex(out, STORAGE_HASH_BYTES * 2 + 1, h, sizeof(h));
}

static void
ip_hash(struct app *app, struct http_req *req,
        char out[STORAGE_HASH_BYTES * 2 + 1], int *family,
        unsigned char addr[16])
{
	http_req_client_bin(req, family, addr);
	comments_ip_hash_of(app, *family, addr, out);
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

/* --- the write --- */

/* The moderators' notification of a comment that waits for them. */
static int
outbox_add(struct storage *st, struct comment_sub *s)
{
	struct webhook_comment c = {
	    s->id,   s->row.created_at, s->article, s->title,    s->url,
	    s->name, s->email,          s->body,    s->row.flags};

	return webhook_enqueue(st, s->site, WEBHOOK_PENDING, &c,
	                       http_self_origin(s->req), NULL, 0,
	                       s->row.created_at);
}

static int
job_run(struct storage *st, void *arg)
{
	struct comment_sub *s = arg;
	const char *lang = s->lang;
	long long article_id, pa;
	int pstatus, r;

	if (s->row.flags & STORAGE_FLAG_HONEYPOT) {
		struct storage_article a;

		r = storage_article_get(st, s->site->id, s->article, &a);
		if (r < 0)
			goto fail;
		if (r == 1) /* a new article: write nothing, answer alike */
			return storage_comment_next_id(st, &s->id) == 0 ? 0
			                                                : -1;
	}
	if (storage_article_upsert(st, s->site->id, s->article, s->title,
	                           s->url, s->row.created_at, &article_id) != 0)
		goto fail;
	s->row.article_id = article_id;
	if (s->parent_id > 0) {
		long long root;

		r = storage_comment_parent(st, s->parent_id, &pa, &pstatus,
		                           &root);
		if (r < 0)
			goto fail;
		if (r == 1 || pa != article_id || pstatus != STORAGE_APPROVED) {
			set_err(&s->err, 400, "invalid_parent", lang,
			        "bad_parent");
			field_err(&s->err.fields, "parent_id", lang,
			          "bad_parent");
			s->failed = 1;
			return -1;
		}
		s->row.parent_id = s->parent_id;
		s->row.root_id = root > 0 ? root : s->parent_id;
	}
	r = storage_comment_duplicate(st, article_id, s->row.body_hash,
	                              s->row.created_at - DUPLICATE_WINDOW);
	if (r < 0)
		goto fail;
	if (r == 1) {
		set_err(&s->err, 409, "duplicate", lang, "duplicate");
		s->failed = 1;
		return -1;
	}
	if (storage_comment_insert(st, &s->row, &s->id) != 0)
		goto fail;
	/* The moderators' notification goes in the same transaction. */
	if (s->row.status == STORAGE_PENDING && outbox_add(st, s) != 0)
		goto fail;
	return 0;
fail:
	set_err(&s->err, 503, "unavailable", lang, "unavailable");
	s->failed = 1;
	return -1;
}

/* On the HTTP thread, resumed: the reply from what job_done recorded. */
static void
sub_reply(struct http_req *req, void *arg)
{
	struct comment_sub *s = arg;

	s->finish(req, s, s->status == 0 ? NULL : &s->err, s->id,
	          s->row.status == STORAGE_APPROVED);
	sub_free(s);
}

/* On the writer thread: records the outcome and resumes, nothing else. */
static void
job_done(void *arg, int status)
{
	struct comment_sub *s = arg;

	s->status = status;
	if (status != 0 && !s->failed)
		set_err(&s->err, 503, "unavailable", s->lang, "unavailable");
	http_req_resume_with(s->req, sub_reply, s);
}

int
comments_submit(struct http_req *req, comment_finish_fn *finish,
                struct comment_error *err)
{
	struct app *app = http_req_app(req);
	const struct config_site *site;
	const char *lang, *hp, *pid, *article;
	struct challenge_answer ca;
	struct comment_sub *s = NULL;
	unsigned char addr[16], key[RATELIMIT_KEY_BYTES];
	enum challenge_result cr;
	struct phrase_ctx pc;
	struct storage *rd;
	char *folded = NULL, *ekey;
	time_t now = time(NULL);
	int family, bad_utf8 = 0, ban;
	long wait;

	memset(err, 0, sizeof(*err));
	site = config_site_find(app->cfg, http_req_arg(req, "site") != NULL
	                                      ? http_req_arg(req, "site")
	                                      : "");
	if (site == NULL && app->cfg->nsites == 1 &&
	    http_req_arg(req, "site") == NULL)
		site = &app->cfg->sites[0];
	lang = comments_lang(req, site);
	if (site == NULL) {
		set_err(err, 400, "unknown_site", lang, "invalid_fields");
		field_err(&err->fields, "site", lang, "required");
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, 503, "unavailable", lang, "unavailable");
		return -1;
	}
	s->site = site;
	s->req = req;
	snprintf(s->lang, sizeof(s->lang), "%s", lang);
	s->finish = finish;

	/* 1-2. Required fields, caps, UTF-8, normalisation. */
	article = http_req_arg(req, "article");
	if (!api_article_key_ok(article, article != NULL
	                                     ? http_req_arg_len(req, "article")
	                                     : 0) ||
	    (site->has_article_re &&
	     regexec(&site->article_re, article, 0, NULL, 0) != 0))
		field_err(&err->fields, "article", lang, "bad_article");
	else
		s->article = strdup(article);
	s->name = field(req, "name", 0, MAX_NAME_CHARS, 1, lang, &err->fields,
	                &bad_utf8);
	s->email =
	    field(req, "email", 0, MAX_EMAIL_BYTES, (int)site->require_email,
	          lang, &err->fields, &bad_utf8);
	if (s->email != NULL && s->email[0] != '\0' &&
	    (strlen(s->email) > MAX_EMAIL_BYTES || !text_email_ok(s->email)))
		field_err(&err->fields, "email", lang, "bad_email");
	s->body = field(req, "body", 1, (size_t)site->body_max_chars, 1, lang,
	                &err->fields, &bad_utf8);
	s->title = field(req, "article_title", 0, STORAGE_MAX_URL, 0, lang,
	                 &err->fields, &bad_utf8);
	s->url = field(req, "article_url", 0, STORAGE_MAX_URL, 0, lang,
	               &err->fields, &bad_utf8);
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
	     !api_url_of_site(req, site, s->url)))
		field_err(&err->fields, "article_url", lang, "bad_url");
	pid = http_req_arg(req, "parent_id");
	if (pid != NULL && *pid != '\0') {
		char *end;

		s->parent_id = strtoll(pid, &end, 10);
		if (*end != '\0' || s->parent_id <= 0)
			field_err(&err->fields, "parent_id", lang,
			          "bad_parent");
	}
	memset(&ca, 0, sizeof(ca));
	if ((ca.token = http_req_arg(req, "captcha_token")) != NULL)
		ca.tlen = http_req_arg_len(req, "captcha_token");
	if ((ca.answer = http_req_arg(req, "captcha_answer")) != NULL)
		ca.alen = http_req_arg_len(req, "captcha_answer");
	if ((ca.pow = http_req_arg(req, "altcha")) != NULL)
		ca.plen = http_req_arg_len(req, "altcha");
	hp = http_req_arg(req, "website");
	/* Without a proof of work only an answer can pass (no-JS page); a
	 * proof alone may be enough (captcha_mode = invisible). */
	if (ca.alen == 0 && ca.plen == 0)
		field_err(&err->fields, "captcha_answer", lang, "required");
	if (err->fields != NULL) {
		if (bad_utf8)
			set_err(err, 400, "invalid_utf8", lang, "invalid_utf8");
		else
			set_err(err, 400, "invalid_fields", lang,
			        "invalid_fields");
		goto fail;
	}

	/* 3. The write must come from the site's pages or ours. */
	if (!http_req_origin_allowed(req, site)) {
		set_err(err, 403, "origin_refused", lang, "origin");
		goto fail;
	}
	ip_hash(app, req, s->ip_hash, &family, addr);
	{
		const char *ua = http_req_header(req, "User-Agent");
		size_t n = ua != NULL ? strlen(ua) : 0;

		if (n > MAX_UA_BYTES)
			n = MAX_UA_BYTES;
		/* Cut on a character boundary. */
		while (n > 0 && ua != NULL &&
		       ((unsigned char)ua[n] & 0xc0) == 0x80)
			n--;
		if ((s->ua = malloc(n + 1)) == NULL)
			goto oom;
		if (n > 0)
			memcpy(s->ua, ua, n);
		s->ua[n] = '\0';
	}
	s->row.status = site->moderation ? STORAGE_PENDING : STORAGE_APPROVED;

	/* 4-5. CAPTCHA and its proof of work: spends the token, pass or
	 * fail.  A filled honeypot passes here and every limit below like
	 * any post (a bot that fills it pays like any other). */
	cr = challenge_verify(app->challenge, site, s->article, &ca, now, NULL);
	api_captcha_failed(req, site, cr, family, addr);
	switch (cr) {
	case CHALLENGE_OK:
		break;
	case CHALLENGE_EXPIRED:
		set_err(err, 403, "captcha_expired", lang, "captcha_expired");
		goto fail;
	case CHALLENGE_USED:
		set_err(err, 403, "captcha_used", lang, "captcha_used");
		goto fail;
	case CHALLENGE_UNAVAILABLE:
		set_err(err, 503, "unavailable", lang, "unavailable");
		err->retry_after = 60;
		goto fail;
	default:
		set_err(err, 403, "captcha_invalid", lang, "captcha_invalid");
		field_err(&err->fields, "captcha_answer", lang,
		          "captcha_invalid");
		goto fail;
	}

	/* 6. Rate limit per client. */
	ratelimit_key(app->ratelimit, "comment", site->id, family, addr, key);
	wait = ratelimit_take(
	    app->ratelimit, key, (unsigned int)site->comments_per_minute,
	    (unsigned int)site->comments_per_hour, (double)now);
	if (wait > 0) {
		set_err(err, 429, "rate_limited", lang, "rate_limited");
		err->retry_after = wait;
		goto fail;
	}

	/* 7. Bans (of this site or of all): stored as spam. An IDN domain
	 * is matched in both spellings; an address whose domain is no
	 * valid IDN is matched as written. */
	rd = app_reader(app);
	ekey = s->email != NULL && s->email[0] != '\0'
	           ? text_email_key(s->email)
	           : NULL;
	ban = rd != NULL ? storage_ban_match(rd, site->id, s->ip_hash, s->email,
	                                     ekey, (long long)now)
	                 : -1;
	free(ekey);
	if (ban < 0) {
		set_err(err, 503, "unavailable", lang, "unavailable");
		goto fail;
	}
	if (ban == 1) {
		s->row.status = STORAGE_SPAM;
		s->row.flags |= STORAGE_FLAG_BANNED;
	}

	/* The honeypot: the same reply as a success, stored as spam on an
	 * article that exists, never creating one (see job_run). */
	if (hp != NULL && *hp != '\0') {
		s->row.status = STORAGE_SPAM;
		s->row.flags |= STORAGE_FLAG_HONEYPOT;
		goto store;
	}

	/* 8. Word filter and links. */
	if ((folded = text_fold_words(s->body)) == NULL)
		goto oom;
	{
		char *fname = text_fold_words(s->name);

		if (fname != NULL) {
			/* Names are filtered as well as bodies. */
			size_t a = strlen(folded), b = strlen(fname);
			char *both = realloc(folded, a + b + 2);

			if (both != NULL) {
				both[a] = '\n';
				memcpy(both + a + 1, fname, b + 1);
				folded = both;
			}
			free(fname);
		}
	}
	pc.folded = folded;
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
	free(folded);
	folded = NULL;

store:
	/* 9-10. Duplicate check and insert, in the writer. */
	s->row.name = s->name;
	s->row.email = s->email;
	s->row.body = s->body;
	s->row.ip_hash = s->ip_hash;
	s->row.user_agent = s->ua;
	s->row.created_at = (long long)now;
	if ((s->search = comments_search_text(s->name, s->email, s->body)) ==
	    NULL)
		goto oom;
	s->row.search = s->search;
	crypto_generichash(s->row.body_hash, sizeof(s->row.body_hash),
	                   (const unsigned char *)s->body, strlen(s->body),
	                   NULL, 0);
	s->job.run = job_run;
	s->job.done = job_done;
	s->job.arg = s;
	http_req_suspend(req);
	if (writer_submit(app->writer, &s->job) != 0) {
		http_req_unsuspend(req);
		set_err(err, 503, "unavailable", lang, "unavailable");
		err->retry_after = 5;
		goto fail;
	}
	return 0;
oom:
	set_err(err, 503, "unavailable", lang, "unavailable");
fail:
	free(folded);
	sub_free(s);
	return -1;
}
