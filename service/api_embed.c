/*
 * api_embed.c: comments without JavaScript. GET /embed/comments is a
 * complete page for an <iframe> (comments, and the form with a fresh
 * CAPTCHA); GET /embed/comments.html is only the comments, for a
 * server-side include (search engines see them); POST /embed/comments
 * takes the plain form: 303 back to the page on success
 * (post/redirect/get), the form again with every typed field and a new
 * CAPTCHA on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "assets.h"
#include "buf.h"
#include "comments.h"
#include "config.h"
#include "http.h"
#include "token.h"

struct form {
	const char *name, *email, *body, *parent_id, *title, *url;
};

static const struct {
	const char *key, *vi, *en;
} strings[] = {
    {"title", "Góp ý của bạn đọc", "Readers' comments"},
    {"count", "góp ý", "comments"},
    {"empty", "Chưa có góp ý nào.", "No comments yet."},
    {"editors", "Ban biên tập trả lời", "Editors' reply"},
    {"name", "Họ tên", "Name"},
    {"email", "Email", "Email"},
    {"email_hint", "Không hiển thị công khai.", "Never shown publicly."},
    {"body", "Nội dung", "Comment"},
    {"code", "Mã xác nhận", "Verification code"},
    {"alt", "Mã xác nhận: nhập các ký tự trong hình",
     "Verification code: type the characters in the picture"},
    {"help", "Nhập mã ở hình trên vào ô dưới đây",
     "Enter the code shown above in the box below."},
    {"help_audio", "Nghe và nhập các chữ số vào ô dưới đây",
     "Listen and type the digits in the box below."},
    {"refresh", "Đổi mã khác", "New code"},
    {"audio", "Nghe mã bằng âm thanh", "Listen to an audio code"},
    {"image", "Xem mã bằng hình", "Show a picture code"},
    {"send", "Gửi", "Send"},
    {"reply_to", "Trả lời góp ý số", "Replying to comment"},
    {"no_captcha", "Không tạo được mã xác nhận lúc này.",
     "No verification code can be made right now."},
};

static const char *
S(const char *lang, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strcmp(strings[i].key, key) == 0)
			return strcmp(lang, "en") == 0 ? strings[i].en
			                               : strings[i].vi;
	return key;
}

/* Appends s percent-encoded for a query string. */
static void
add_query(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			buf_add(b, s, 1);
		else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			buf_add(b, e, 3);
		}
	}
}

/* Site-local date and time of an ISO-8601 UTC timestamp. */
static void
add_date(struct buf *b, const char *iso, long long tz_minutes)
{
	struct tm tm;
	time_t t;
	char out[32];

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return;
	t = timegm(&tm) + (time_t)(tz_minutes * 60);
	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%d/%m/%Y %H:%M", &tm);
	buf_adds(b, "<time class=\"bandoc-date\" datetime=\"");
	buf_add_html(b, iso);
	buf_adds(b, "\">");
	buf_adds(b, out);
	buf_adds(b, "</time>");
}

static void
add_comment(struct buf *b, json_t *c, const char *lang, long long tz)
{
	json_t *reply = json_object_get(c, "reply"), *replies;
	size_t i;

	buf_addf(b,
	         "<li class=\"bandoc-comment\" id=\"c%lld\">"
	         "<div class=\"bandoc-meta\"><span class=\"bandoc-name\">",
	         (long long)json_integer_value(json_object_get(c, "id")));
	buf_add_html(b, json_string_value(json_object_get(c, "name")));
	buf_adds(b, "</span> ");
	add_date(b, json_string_value(json_object_get(c, "created_at")), tz);
	buf_adds(b, "</div><div class=\"bandoc-body\">");
	buf_add_html_linked(b, json_string_value(json_object_get(c, "body")));
	buf_adds(b, "</div>");
	if (json_is_object(reply)) {
		buf_adds(b, "<div class=\"bandoc-reply\"><p class=\"bandoc-"
		            "reply-title\">");
		buf_adds(b, S(lang, "editors"));
		buf_adds(b, "</p><div class=\"bandoc-body\">");
		buf_add_html_linked(
		    b, json_string_value(json_object_get(reply, "body")));
		buf_adds(b, "</div></div>");
	}
	replies = json_object_get(c, "replies");
	if (json_array_size(replies) > 0) {
		buf_adds(b, "<ol class=\"bandoc-replies\">");
		for (i = 0; i < json_array_size(replies); i++)
			add_comment(b, json_array_get(replies, i), lang, tz);
		buf_adds(b, "</ol>");
	}
	buf_adds(b, "</li>");
}

/* The comments markup (shared by the page and the fragment). */
static int
add_list(struct buf *b, struct http_req *req, const struct config_site *site,
         const char *article, const char *lang)
{
	struct app *app = http_req_app(req);
	json_t *j = api_comments_public_json(app_reader(app), site, article, 1,
	                                     EMBED_PER_PAGE),
	       *list;
	size_t i;

	if (j == NULL)
		return -1;
	list = json_object_get(j, "comments");
	buf_addf(b, "<p class=\"bandoc-count\">%lld %s</p>",
	         (long long)json_integer_value(json_object_get(j, "total")),
	         S(lang, "count"));
	if (json_array_size(list) == 0) {
		buf_adds(b, "<p class=\"bandoc-empty\">");
		buf_adds(b, S(lang, "empty"));
		buf_adds(b, "</p>");
	} else {
		buf_adds(b, "<ol class=\"bandoc-list\">");
		for (i = 0; i < json_array_size(list); i++)
			add_comment(b, json_array_get(list, i), lang,
			            app->cfg->timezone_offset);
		buf_adds(b, "</ol>");
	}
	json_decref(j);
	return 0;
}

static void
add_hidden(struct buf *b, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	buf_addf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	buf_add_html(b, value);
	buf_adds(b, "\">");
}

/*
 * The errors of fields the page cannot mark (hidden ones: parent_id,
 * article, ...), said in the status message, as the widget does:
 * otherwise "check the marked fields" would point at nothing.
 */
static void
add_unmarked_errors(struct buf *b, json_t *errors)
{
	static const char *const marked[] = {"name", "email", "body",
	                                     "captcha_answer"};
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(errors, key, v)
	{
		for (i = 0; i < sizeof(marked) / sizeof(marked[0]); i++)
			if (strcmp(key, marked[i]) == 0)
				break;
		if (i < sizeof(marked) / sizeof(marked[0]) ||
		    !json_is_string(v))
			continue;
		buf_adds(b, " ");
		buf_add_html(b, json_string_value(v));
	}
}

static void
add_field(struct buf *b, const char *lang, const char *name, const char *label,
          const char *value, json_t *errors, int textarea, const char *extra,
          const char *hint)
{
	const char *err = json_string_value(json_object_get(errors, name));

	buf_addf(b,
	         "<div class=\"bandoc-field\"><label for=\"bandoc-%s\">%s"
	         "</label>",
	         name, label);
	if (hint != NULL)
		buf_addf(b,
		         "<p class=\"bandoc-hint\" id=\"bandoc-%s-hint\">%s"
		         "</p>",
		         name, hint);
	buf_addf(b,
	         textarea ? "<textarea id=\"bandoc-%s\" name=\"%s\" %s"
	                  : "<input id=\"bandoc-%s\" name=\"%s\" %s",
	         name, name, extra);
	/* One aria-describedby naming both (a second attribute would be
	 * ignored, and screen readers would never hear the error). */
	if (err != NULL)
		buf_addf(b, " aria-invalid=\"true\"");
	if (err != NULL && hint != NULL)
		buf_addf(b,
		         " aria-describedby=\"bandoc-%s-error bandoc-%s-hint\"",
		         name, name);
	else if (err != NULL || hint != NULL)
		buf_addf(b, " aria-describedby=\"bandoc-%s-%s\"", name,
		         err != NULL ? "error" : "hint");
	if (textarea) {
		buf_adds(b, ">");
		buf_add_html(b, value != NULL ? value : "");
		buf_adds(b, "</textarea>");
	} else {
		buf_adds(b, " value=\"");
		buf_add_html(b, value != NULL ? value : "");
		buf_adds(b, "\">");
	}
	if (err != NULL) {
		buf_addf(b,
		         "<p class=\"bandoc-field-error\" id=\"bandoc-%s-"
		         "error\">",
		         name);
		buf_add_html(b, err);
		buf_adds(b, "</p>");
	}
	(void)lang;
	buf_adds(b, "</div>");
}

/*
 * Renders the iframe page: status message (ok or error), the comments,
 * the form with values kept and a fresh challenge (image, or audio).
 */
static void
render_page(struct http_req *req, unsigned int status,
            const struct config_site *site, const char *article,
            const char *lang, const char *message, int ok, json_t *errors,
            const struct form *f, int audio)
{
	char body_attrs[64];
	const char *code = NULL, *token;
	struct api_minted minted;
	struct api_mint m;
	long wait = 0;
	struct buf b;
	char *html;
	size_t len;
	int mint;

	buf_init(&b, EMBED_PAGE_BYTES);
	buf_addf(&b,
	         "<!doctype html>\n<html lang=\"%s\"><head><meta charset="
	         "\"utf-8\"><meta name=\"viewport\" content=\"width=device-"
	         "width, initial-scale=1\"><title>%s</title><link rel="
	         "\"stylesheet\" href=\"/static/%s\"></head><body>"
	         "<main class=\"bandoc\"><h1 class=\"bandoc-sr\">%s</h1>",
	         lang, S(lang, "title"), assets_hashed("embed.css"),
	         S(lang, "title"));
	if (message != NULL) {
		buf_addf(&b,
		         "<p id=\"bandoc-status\" class=\"bandoc-status "
		         "bandoc-status-%s\" role=\"%s\">",
		         ok ? "ok" : "error", ok ? "status" : "alert");
		buf_add_html(&b, message);
		add_unmarked_errors(&b, errors);
		buf_adds(&b, "</p>");
	}
	if (add_list(&b, req, site, article, lang) != 0) {
		buf_free(&b);
		http_reply_error(req, 503, "unavailable",
		                 "Comments are unavailable; try again.");
		return;
	}
	buf_adds(&b, "<form class=\"bandoc-form\" method=\"post\" action="
	             "\"/embed/comments\" accept-charset=\"utf-8\">");
	add_hidden(&b, "site", site->id);
	add_hidden(&b, "article", article);
	add_hidden(&b, "lang", lang);
	add_hidden(&b, "article_title", f->title);
	add_hidden(&b, "article_url", f->url);
	if (f->parent_id != NULL && *f->parent_id != '\0') {
		add_hidden(&b, "parent_id", f->parent_id);
		buf_addf(&b, "<p class=\"bandoc-hint\">%s ",
		         S(lang, "reply_to"));
		buf_add_html(&b, f->parent_id);
		buf_adds(&b, "</p>");
	}
	add_field(
	    &b, lang, "name", S(lang, "name"), f->name, errors, 0,
	    "type=\"text\" maxlength=\"80\" required autocomplete=\"name\"",
	    NULL);
	add_field(&b, lang, "email", S(lang, "email"), f->email, errors, 0,
	          "type=\"email\" maxlength=\"254\" autocomplete=\"email\"",
	          S(lang, "email_hint"));
	snprintf(body_attrs, sizeof(body_attrs),
	         "rows=\"5\" maxlength=\"%lld\" required",
	         site->body_max_chars);
	add_field(&b, lang, "body", S(lang, "body"), f->body, errors, 1,
	          body_attrs, NULL);
	buf_adds(&b, "<div class=\"bandoc-hp\" aria-hidden=\"true\"><label>"
	             "Website <input name=\"website\" tabindex=\"-1\" "
	             "autocomplete=\"off\"></label></div>");
	/* No JavaScript, no proof of work: the picture (or audio) alone,
	 * under tighter issuance limits, in every captcha_mode. */
	memset(&m, 0, sizeof(m));
	m.site = site;
	m.article = article;
	m.kind = audio ? TOKEN_KIND_AUDIO_NOJS : TOKEN_KIND_IMAGE_NOJS;
	m.en = strcmp(lang, "en") == 0;
	mint = api_captcha_mint(req, &m, &minted, &wait, &code);
	token = minted.token;
	buf_adds(&b, "<div class=\"bandoc-captcha\">");
	if (mint != 0) {
		buf_addf(&b, "<p class=\"bandoc-field-error\">%s</p>",
		         S(lang, "no_captcha"));
	} else {
		add_hidden(&b, "captcha_token", token);
		if (audio)
			buf_addf(&b,
			         "<audio controls preload=\"none\" src="
			         "\"/api/v1/captcha/%s.wav\"></audio>"
			         "<p class=\"bandoc-captcha-help\">%s</p>",
			         token, S(lang, "help_audio"));
		else
			buf_addf(&b,
			         "<img class=\"bandoc-captcha-img\" "
			         "width=\"220\" height=\"80\" src=\"/api/v1/"
			         "captcha/%s.png\" srcset=\"/api/v1/captcha/"
			         "%s@2x.png 2x\" alt=\"%s\"><p class=\""
			         "bandoc-captcha-help\">%s</p>",
			         token, token, S(lang, "alt"), S(lang, "help"));
	}
	add_field(
	    &b, lang, "captcha_answer", S(lang, "code"), "", errors, 0,
	    audio ? "type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" "
	            "required"
	          : "type=\"text\" autocomplete=\"off\" autocapitalize="
	            "\"characters\" spellcheck=\"false\" required",
	    NULL);
	buf_addf(&b,
	         "<p><button class=\"bandoc-button\" type=\"submit\" "
	         "name=\"do\" value=\"%s\" formnovalidate>%s</button> "
	         "<button class=\"bandoc-button\" type=\"submit\" name="
	         "\"do\" value=\"%s\" formnovalidate>%s</button></p></div>",
	         audio ? "audio" : "image", S(lang, "refresh"),
	         audio ? "image" : "audio", S(lang, audio ? "image" : "audio"));
	buf_addf(&b,
	         "<p><button class=\"bandoc-button\" type=\"submit\" "
	         "name=\"do\" value=\"send\">%s</button></p></form></main>"
	         "</body></html>\n",
	         S(lang, "send"));
	if ((html = buf_take(&b, &len)) == NULL) {
		http_reply_error(req, 500, "out_of_memory", "Out of memory.");
		return;
	}
	http_reply_html(req, status, html, len, site);
	free(html);
	if (mint == 0)
		http_reply_header(req, "Cache-Control", "no-store");
}

static const char *
arg(struct http_req *req, const char *name)
{
	const char *v = http_req_arg(req, name);

	return v != NULL ? v : "";
}

/*
 * Only short, well-formed form values are echoed back. It reads the same
 * fields as input_from() in api_comments.c, on purpose: this is what the
 * reader typed, as sent, put back into the form; input_from() reads them
 * normalised for the pipeline, which is never what is echoed.
 */
static void
form_from(struct http_req *req, struct form *f)
{
	f->name = arg(req, "name");
	f->email = arg(req, "email");
	f->body = arg(req, "body");
	f->parent_id = arg(req, "parent_id");
	f->title = arg(req, "article_title");
	f->url = arg(req, "article_url");
	if (strspn(f->parent_id, "0123456789") != strlen(f->parent_id))
		f->parent_id = "";
}

void
api_embed_page(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article, *posted = http_req_arg(req, "posted");
	const char *audio = http_req_arg(req, "audio");
	const char *lang, *msg = NULL;
	struct form f = {"", "", "", "", "", ""};

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	lang = comments_lang(http_req_arg(req, "lang"), site);
	if (posted != NULL && strcmp(posted, "approved") == 0)
		msg = comments_msg(lang, "approved");
	else if (posted != NULL)
		msg = comments_msg(lang, "pending");
	f.title = arg(req, "title");
	f.url = arg(req, "url");
	f.parent_id = arg(req, "parent_id");
	if (strspn(f.parent_id, "0123456789") != strlen(f.parent_id))
		f.parent_id = "";
	render_page(req, 200, site, article, lang, msg, 1, NULL, &f,
	            audio != NULL && strcmp(audio, "1") == 0);
}

void
api_embed_fragment(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article;
	struct buf b;
	char *html;
	size_t len;

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	buf_init(&b, EMBED_PAGE_BYTES);
	buf_adds(&b, "<div class=\"bandoc\">");
	if (add_list(&b, req, site, article,
	             comments_lang(http_req_arg(req, "lang"), site)) != 0) {
		buf_free(&b);
		http_reply_error(req, 503, "unavailable",
		                 "Comments are unavailable; try again.");
		return;
	}
	buf_adds(&b, "</div>\n");
	if ((html = buf_take(&b, &len)) == NULL) {
		http_reply_error(req, 500, "out_of_memory", "Out of memory.");
		return;
	}
	http_reply_html(req, 200, html, len, site);
	free(html);
	http_reply_header(req, "Cache-Control", "public, max-age=30");
}

static void
nojs_finish(struct http_req *req, const struct comment_sub *s,
            const struct comment_error *err, long long id, int approved)
{
	const struct config_site *site = comments_sub_site(s);
	const char *lang = comments_lang(http_req_arg(req, "lang"), site);
	struct buf b;
	char *loc;

	(void)id;
	if (err != NULL) {
		struct form f;

		form_from(req, &f);
		render_page(req, err->status, site, comments_sub_article(s),
		            lang, err->message, 0, err->fields, &f, 0);
		return;
	}
	/* Post/redirect/get: a reload does not post again. */
	buf_init(&b, 4096);
	buf_adds(&b, "/embed/comments?site=");
	add_query(&b, site->id);
	buf_adds(&b, "&article=");
	add_query(&b, comments_sub_article(s));
	buf_addf(&b, "&lang=%s&posted=%s#bandoc-status", lang,
	         approved ? "approved" : "pending");
	if ((loc = buf_take(&b, NULL)) != NULL) {
		http_reply_redirect(req, 303, loc);
		free(loc);
	} else
		http_reply_error(req, 500, "out_of_memory", "Out of memory.");
}

void
api_embed_post(struct http_req *req)
{
	struct comment_error err;
	const struct config_site *site = api_site(req);
	const char *article, *lang, *action = http_req_arg(req, "do");
	struct form f;

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	lang = comments_lang(http_req_arg(req, "lang"), site);
	form_from(req, &f);
	if (action != NULL &&
	    (strcmp(action, "image") == 0 || strcmp(action, "audio") == 0)) {
		/* A new code (picture or sound): nothing is sent, nothing
		 * typed is lost. */
		render_page(req, 200, site, article, lang, NULL, 1, NULL, &f,
		            strcmp(action, "audio") == 0);
		return;
	}
	if (api_comments_submit(req, nojs_finish, &err) == 0)
		return;
	render_page(req, err.status, site, article, lang, err.message, 0,
	            err.fields, &f, 0);
	if (err.retry_after > 0)
		api_retry_after(req, err.retry_after);
	json_decref(err.fields);
}
