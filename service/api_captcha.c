/*
 * api_captcha.c: POST /api/v1/captcha, GET /api/v1/captcha/:file,
 * POST /api/v1/siteverify.
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "challenge.h"
#include "config.h"
#include "http.h"
#include "ratelimit.h"

int
api_captcha_mint(struct http_req *req, const struct config_site *site,
                 const char *article, int audio, int en, char *token,
                 size_t tokensz, long *retry_after, const char **code)
{
	struct app *app = http_req_app(req);
	unsigned char key[RATELIMIT_KEY_BYTES], addr[16];
	unsigned int per_min = (unsigned int)site->captcha_per_minute;
	unsigned int per_hour = (unsigned int)site->captcha_per_hour;
	time_t now = time(NULL);
	int family, r;
	long wait;

	if (audio) {
		per_min = per_min / 2 > 0 ? per_min / 2 : 1;
		per_hour = per_hour / 2 > 0 ? per_hour / 2 : 1;
	}
	http_req_client_bin(req, &family, addr);
	ratelimit_key(app->ratelimit, "captcha-fail", site->id, family, addr,
	              key);
	if ((wait = ratelimit_locked(app->ratelimit, key, (double)now)) > 0) {
		*retry_after = wait;
		*code = "too_many_failures";
		return 429;
	}
	ratelimit_key(app->ratelimit, audio ? "captcha-audio" : "captcha",
	              site->id, family, addr, key);
	wait =
	    ratelimit_take(app->ratelimit, key, per_min, per_hour, (double)now);
	if (wait > 0) {
		*retry_after = wait;
		*code = "rate_limited";
		return 429;
	}
	r = challenge_issue(app->challenge, site, article,
	                    audio ? TOKEN_KIND_AUDIO : TOKEN_KIND_IMAGE, en,
	                    now, token, tokensz);
	if (r == -2) {
		*retry_after = 60;
		*code = "captcha_unavailable";
		return 503;
	}
	if (r != 0) {
		*code = "internal";
		return 500;
	}
	return 0;
}

void
api_captcha_issue(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article = http_req_arg(req, "article");
	const char *kind = http_req_arg(req, "kind");
	const char *lang = http_req_arg(req, "lang");
	char token[TOKEN_MAX_TEXT + 1], url[TOKEN_MAX_TEXT + 64];
	const char *code = NULL;
	long wait = 0;
	int audio = 0, en, status;
	json_t *body;

	if (site == NULL)
		return;
	if (article != NULL && *article != '\0' &&
	    api_article(req, site, "article") == NULL)
		return;
	if (kind != NULL && strcmp(kind, "audio") == 0)
		audio = 1;
	else if (kind != NULL && *kind != '\0' && strcmp(kind, "image") != 0) {
		http_reply_error(req, 400, "invalid_kind",
		                 "kind must be image or audio.");
		return;
	}
	en = lang != NULL ? strcmp(lang, "en") == 0
	                  : strcmp(site->lang, "en") == 0;
	status = api_captcha_mint(req, site, article, audio, en, token,
	                          sizeof(token), &wait, &code);
	if (status != 0) {
		http_reply_error(req, (unsigned int)status, code,
		                 status == 429
		                     ? "Too many challenges or wrong answers; "
		                       "try again later."
		                     : "The CAPTCHA service is unavailable; "
		                       "try again later.");
		if (wait > 0)
			api_retry_after(req, wait);
		return;
	}
	body = json_pack("{s:s, s:I}", "token", token, "expires_in",
	                 (json_int_t)site->captcha_ttl);
	if (audio) {
		snprintf(url, sizeof(url), "/api/v1/captcha/%s.wav", token);
		json_object_set_new(body, "audio", json_string(url));
	} else {
		snprintf(url, sizeof(url), "/api/v1/captcha/%s.png", token);
		json_object_set_new(body, "image", json_string(url));
		snprintf(url, sizeof(url), "/api/v1/captcha/%s@2x.png", token);
		json_object_set_new(body, "image_2x", json_string(url));
	}
	http_reply_json(req, 201, body);
}

void
api_captcha_render(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const char *file = http_req_param(req, "file");
	const char *format, *type;
	size_t n = file != NULL ? strlen(file) : 0, tlen;
	unsigned char *data = NULL;
	size_t len;

	if (n > 8 && strcmp(file + n - 7, "@2x.png") == 0) {
		tlen = n - 7;
		format = "2x.png";
		type = "image/png";
	} else if (n > 4 && strcmp(file + n - 4, ".png") == 0) {
		tlen = n - 4;
		format = "png";
		type = "image/png";
	} else if (n > 4 && strcmp(file + n - 4, ".wav") == 0) {
		tlen = n - 4;
		format = "wav";
		type = "audio/wav";
	} else {
		http_reply_error(req, 404, "not_found", "No such challenge.");
		return;
	}
	if (challenge_render(app->challenge, file, tlen, format, &data, &len) !=
	    0) {
		http_reply_error(req, 404, "not_found", "No such challenge.");
		return;
	}
	http_reply_bytes(req, 200, type, data, len, 0);
	free(data);
}

void
api_captcha_failed(struct http_req *req, const struct config_site *site,
                   enum challenge_result r, int family,
                   const unsigned char *addr)
{
	struct app *app = http_req_app(req);
	unsigned char key[RATELIMIT_KEY_BYTES];

	if (r == CHALLENGE_OK || r == CHALLENGE_TOO_FAST ||
	    r == CHALLENGE_UNAVAILABLE || r == CHALLENGE_EXPIRED)
		return;
	ratelimit_key(app->ratelimit, "captcha-fail", site->id, family, addr,
	              key);
	ratelimit_fail(
	    app->ratelimit, key, (unsigned int)site->captcha_fail_limit,
	    (unsigned int)site->captcha_fail_window, (double)time(NULL));
}

/* Constant-time lookup of the site whose siteverify secret this is. */
static const struct config_site *
site_by_secret(const struct config *cfg, const char *secret)
{
	const struct config_site *found = NULL;
	unsigned char a[32], b[32];
	size_t i;

	crypto_generichash(a, sizeof(a), (const unsigned char *)secret,
	                   strlen(secret), NULL, 0);
	for (i = 0; i < cfg->nsites; i++) {
		const char *s = cfg->sites[i].secret;

		if (s == NULL || *s == '\0')
			continue;
		crypto_generichash(b, sizeof(b), (const unsigned char *)s,
		                   strlen(s), NULL, 0);
		if (sodium_memcmp(a, b, sizeof(a)) == 0)
			found = &cfg->sites[i];
	}
	return found;
}

static void
siteverify_reply(struct http_req *req, int ok, const char *site,
                 uint64_t issued_at, const char *code)
{
	json_t *body = json_pack("{s:b}", "success", ok);
	json_t *codes = json_array();
	char ts[32];

	if (issued_at != 0) {
		time_t t = (time_t)issued_at;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(body, "challenge_ts", json_string(ts));
	}
	if (site != NULL)
		json_object_set_new(body, "site", json_string(site));
	if (code != NULL)
		json_array_append_new(codes, json_string(code));
	json_object_set_new(body, "error-codes", codes);
	http_reply_json(req, 200, body);
}

void
api_captcha_siteverify(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const char *secret = http_req_arg(req, "secret");
	const char *token = http_req_arg(req, "token");
	const char *answer = http_req_arg(req, "answer");
	const char *article = http_req_arg(req, "article");
	const char *remoteip = http_req_arg(req, "remoteip");
	const struct config_site *site;
	enum challenge_result r;
	uint64_t issued = 0;
	const char *code = NULL;

	if (secret == NULL || *secret == '\0') {
		siteverify_reply(req, 0, NULL, 0, "missing-input-secret");
		return;
	}
	if ((site = site_by_secret(app->cfg, secret)) == NULL) {
		siteverify_reply(req, 0, NULL, 0, "invalid-input-secret");
		return;
	}
	if (token == NULL || *token == '\0') {
		siteverify_reply(req, 0, site->id, 0, "missing-input-response");
		return;
	}
	r = challenge_verify(
	    app->challenge, site, article != NULL ? article : "", token,
	    http_req_arg_len(req, "token"), answer,
	    answer != NULL ? http_req_arg_len(req, "answer") : 0, time(NULL),
	    &issued);
	switch (r) {
	case CHALLENGE_OK:
		break;
	case CHALLENGE_MISSING:
		code = "missing-input-response";
		break;
	case CHALLENGE_INVALID:
		code = "invalid-input-response";
		break;
	case CHALLENGE_EXPIRED:
	case CHALLENGE_USED:
		code = "timeout-or-duplicate";
		break;
	case CHALLENGE_WRONG:
		code = "wrong-answer";
		break;
	case CHALLENGE_TOO_FAST:
	case CHALLENGE_UNAVAILABLE:
		code = "bad-request";
		break;
	}
	/* Failures count against the reader's address when the site's
	 * server tells it (remoteip); never against the server itself. */
	if (remoteip != NULL) {
		unsigned char addr[16] = {0};

		if (inet_pton(AF_INET, remoteip, addr) == 1)
			api_captcha_failed(req, site, r, AF_INET, addr);
		else if (inet_pton(AF_INET6, remoteip, addr) == 1)
			api_captcha_failed(req, site, r, AF_INET6, addr);
	}
	siteverify_reply(req, r == CHALLENGE_OK, site->id, issued, code);
}
