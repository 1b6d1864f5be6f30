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

/* Issuance limits per kind: audio and the no-JS page get less. */
static void
mint_limits(const struct config_site *site, enum token_kind kind,
            unsigned int *per_min, unsigned int *per_hour, const char **name)
{
	unsigned int div = 1;

	*name = "captcha";
	if (kind == TOKEN_KIND_AUDIO || kind == TOKEN_KIND_AUDIO_NOJS) {
		div *= 2;
		*name = "captcha-audio";
	}
	/* Without the work, the limits are all a bot pays: tighter. */
	if (kind == TOKEN_KIND_IMAGE_NOJS || kind == TOKEN_KIND_AUDIO_NOJS) {
		div *= 2;
		*name = kind == TOKEN_KIND_IMAGE_NOJS ? "captcha-nojs"
		                                      : "captcha-audio-nojs";
	}
	*per_min = (unsigned int)site->captcha_per_minute / div;
	*per_hour = (unsigned int)site->captcha_per_hour / div;
	if (*per_min == 0)
		*per_min = 1;
	if (*per_hour == 0)
		*per_hour = 1;
}

int
api_captcha_mint(struct http_req *req, const struct api_mint *m,
                 struct api_minted *out, long *retry_after, const char **code)
{
	struct app *app = http_req_app(req);
	const struct config_site *site = m->site;
	unsigned char key[RATELIMIT_KEY_BYTES], addr[16];
	unsigned int per_min, per_hour;
	enum token_kind kind = m->kind;
	const char *bucket;
	char host[POW_HOST_MAX + 1];
	time_t now = time(NULL);
	double score;
	int family, r;
	long wait;

	http_req_client_bin(req, &family, addr);
	ratelimit_key(app->ratelimit, "captcha-fail", site->id, family, addr,
	              key);
	if ((wait = ratelimit_locked(app->ratelimit, key, (double)now)) > 0) {
		*retry_after = wait;
		*code = "too_many_failures";
		return 429;
	}
	/* Risk: each challenge adds a little, each failure a point. */
	ratelimit_key(app->ratelimit, "pow-risk", site->id, family, addr, key);
	score = ratelimit_score_add(app->ratelimit, key, POW_ISSUE_WEIGHT,
	                            (double)site->pow_half_life, (double)now);
	/* Invisible mode shows the picture once the risk has risen. */
	if (kind == TOKEN_KIND_POW && score >= 1.0 && !m->pow_only)
		kind = TOKEN_KIND_IMAGE;
	mint_limits(site, kind, &per_min, &per_hour, &bucket);
	ratelimit_key(app->ratelimit, bucket, site->id, family, addr, key);
	wait =
	    ratelimit_take(app->ratelimit, key, per_min, per_hour, (double)now);
	if (wait > 0) {
		*retry_after = wait;
		*code = "rate_limited";
		return 429;
	}
	r = challenge_issue(app->challenge, site, m->article, kind, m->en, now,
	                    out->token, sizeof(out->token));
	if (r == -2) {
		*retry_after = 60;
		*code = "captcha_unavailable";
		return 503;
	}
	out->kind = kind;
	out->has_pow = kind == TOKEN_KIND_IMAGE || kind == TOKEN_KIND_AUDIO ||
	               kind == TOKEN_KIND_POW;
	if (r == 0 && out->has_pow &&
	    (http_req_page_host(req, site, host, sizeof(host)) != 0 ||
	     !pow_host_ok(host, strlen(host))))
		snprintf(host, sizeof(host), "localhost");
	if (r != 0 || (out->has_pow &&
	               challenge_pow(app->challenge, site, out->token, host,
	                             m->action, challenge_pow_cost(site, score),
	                             now, &out->pow) != 0)) {
		*code = "internal";
		return 500;
	}
	return 0;
}

/* The ALTCHA v1 challenge object. */
static json_t *
pow_json(const struct pow_challenge *p)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:s}", "algorithm", "SHA-256",
	                 "challenge", p->challenge, "maxnumber",
	                 (json_int_t)p->maxnumber, "salt", p->salt, "signature",
	                 p->signature);
}

/* Reads the optional action label; 0, or -1 with a 400 staged. */
static int
action_arg(struct http_req *req, const char **action)
{
	*action = http_req_arg(req, "action");
	if (*action != NULL && **action == '\0')
		*action = NULL;
	if (*action != NULL && !pow_action_ok(*action, strlen(*action))) {
		http_reply_error(
		    req, 400, "invalid_action",
		    "action must be 1-32 letters, digits, - or _.");
		return -1;
	}
	return 0;
}

/*
 * The start of both issuing handlers: a known site, a valid article when
 * one is named, m cleared and scoped.  0, or -1 with a 400 staged.
 */
static int
mint_start(struct http_req *req, const struct config_site *site,
           const char *article, struct api_mint *m)
{
	if (site == NULL)
		return -1;
	if (article != NULL && *article != '\0' &&
	    api_article(req, site, "article") == NULL)
		return -1;
	memset(m, 0, sizeof(*m));
	m->site = site;
	m->article = article;
	return 0;
}

static void
mint_failed(struct http_req *req, int status, const char *code, long wait)
{
	http_reply_error(req, (unsigned int)status, code,
	                 status == 429
	                     ? "Too many challenges or wrong answers; "
	                       "try again later."
	                     : "The CAPTCHA service is unavailable; "
	                       "try again later.");
	if (wait > 0)
		api_retry_after(req, wait);
}

void
api_captcha_issue(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article = http_req_arg(req, "article");
	const char *kind = http_req_arg(req, "kind");
	const char *lang = http_req_arg(req, "lang");
	char url[TOKEN_MAX_TEXT + 64];
	struct api_minted out;
	struct api_mint m;
	const char *code = NULL, *kname;
	long wait = 0;
	int status;
	json_t *body;

	if (mint_start(req, site, article, &m) != 0)
		return;
	if (kind != NULL && strcmp(kind, "audio") == 0)
		m.kind = TOKEN_KIND_AUDIO;
	else if (kind != NULL && *kind != '\0' && strcmp(kind, "image") != 0) {
		http_reply_error(req, 400, "invalid_kind",
		                 "kind must be image or audio.");
		return;
	} else
		m.kind =
		    site->captcha_invisible ? TOKEN_KIND_POW : TOKEN_KIND_IMAGE;
	if (action_arg(req, &m.action) != 0)
		return;
	m.en = lang != NULL ? strcmp(lang, "en") == 0
	                    : strcmp(site->lang, "en") == 0;
	status = api_captcha_mint(req, &m, &out, &wait, &code);
	if (status != 0) {
		mint_failed(req, status, code, wait);
		return;
	}
	kname = out.kind == TOKEN_KIND_AUDIO ? "audio"
	        : out.kind == TOKEN_KIND_POW ? "pow"
	                                     : "image";
	body = json_pack("{s:s, s:I, s:s, s:o}", "token", out.token,
	                 "expires_in", (json_int_t)site->captcha_ttl, "kind",
	                 kname, "pow", pow_json(&out.pow));
	if (out.kind == TOKEN_KIND_AUDIO) {
		snprintf(url, sizeof(url), "/api/v1/captcha/%s.wav", out.token);
		json_object_set_new(body, "audio", json_string(url));
	} else if (out.kind == TOKEN_KIND_IMAGE) {
		snprintf(url, sizeof(url), "/api/v1/captcha/%s.png", out.token);
		json_object_set_new(body, "image", json_string(url));
		snprintf(url, sizeof(url), "/api/v1/captcha/%s@2x.png",
		         out.token);
		json_object_set_new(body, "image_2x", json_string(url));
	}
	http_reply_json(req, 201, body);
}

void
api_captcha_altcha(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article = http_req_arg(req, "article");
	struct api_minted out;
	struct api_mint m;
	const char *code = NULL;
	long wait = 0;
	int status;

	if (site == NULL)
		return;
	if (!site->captcha_invisible) {
		http_reply_error(req, 409, "image_mode",
		                 "This site's CAPTCHA needs the picture: use "
		                 "embed.js or POST /api/v1/captcha.");
		return;
	}
	if (mint_start(req, site, article, &m) != 0)
		return;
	m.kind = TOKEN_KIND_POW;
	/* The stock widget cannot show a picture: risk raises the cost. */
	m.pow_only = 1;
	if (action_arg(req, &m.action) != 0)
		return;
	status = api_captcha_mint(req, &m, &out, &wait, &code);
	if (status != 0) {
		mint_failed(req, status, code, wait);
		return;
	}
	http_reply_json(req, 200, pow_json(&out.pow));
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
	challenge_failed(http_req_app(req)->ratelimit, site, r, family, addr,
	                 time(NULL));
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
                 const struct challenge_outcome *o, const char *code)
{
	json_t *body = json_pack("{s:b}", "success", ok);
	json_t *codes = json_array();

	if (o != NULL && o->issued_at != 0)
		json_object_set_new(body, "challenge_ts",
		                    api_iso_time((long long)o->issued_at));
	if (o != NULL && o->host[0] != '\0')
		json_object_set_new(body, "hostname", json_string(o->host));
	if (o != NULL && o->action[0] != '\0')
		json_object_set_new(body, "action", json_string(o->action));
	if (site != NULL)
		json_object_set_new(body, "site", json_string(site));
	if (code != NULL)
		json_array_append_new(codes, json_string(code));
	json_object_set_new(body, "error-codes", codes);
	http_reply_json(req, 200, body);
}

static const char *
siteverify_code(enum challenge_result r)
{
	switch (r) {
	case CHALLENGE_OK:
		return NULL;
	case CHALLENGE_MISSING:
		return "missing-input-response";
	case CHALLENGE_INVALID:
	case CHALLENGE_POW_INVALID:
		return "invalid-input-response";
	case CHALLENGE_EXPIRED:
	case CHALLENGE_USED:
		return "timeout-or-duplicate";
	case CHALLENGE_WRONG:
		return "wrong-answer";
	case CHALLENGE_TOO_FAST:
	case CHALLENGE_UNAVAILABLE:
		break;
	}
	return "bad-request";
}

/*
 * The reCAPTCHA/Turnstile name "response" carries what the widget put
 * in the form: a token ("b1."), or an ALTCHA payload that names its
 * token, optionally followed by ":" and the typed answer (base64 has no
 * ':').  Our own names (token, answer, altcha) may be used instead.
 */
static void
siteverify_input(struct http_req *req, struct challenge_answer *a)
{
	const char *resp = http_req_arg(req, "response");
	const char *colon;

	memset(a, 0, sizeof(*a));
	a->token = http_req_arg(req, "token");
	a->tlen = a->token != NULL ? http_req_arg_len(req, "token") : 0;
	a->answer = http_req_arg(req, "answer");
	a->alen = a->answer != NULL ? http_req_arg_len(req, "answer") : 0;
	a->pow = http_req_arg(req, "altcha");
	a->plen = a->pow != NULL ? http_req_arg_len(req, "altcha") : 0;
	if (resp == NULL || *resp == '\0')
		return;
	if (strncmp(resp, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0) {
		a->token = resp;
		a->tlen = http_req_arg_len(req, "response");
		return;
	}
	a->pow = resp;
	a->plen = http_req_arg_len(req, "response");
	if ((colon = memchr(resp, ':', a->plen)) != NULL) {
		a->answer = colon + 1;
		a->alen = a->plen - (size_t)(colon + 1 - resp);
		a->plen = (size_t)(colon - resp);
	}
}

void
api_captcha_siteverify(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const char *secret = http_req_arg(req, "secret");
	const char *article = http_req_arg(req, "article");
	const char *remoteip = http_req_arg(req, "remoteip");
	const struct config_site *site;
	struct challenge_answer in;
	struct challenge_outcome o;
	enum challenge_result r;

	if (secret == NULL || *secret == '\0') {
		siteverify_reply(req, 0, NULL, NULL, "missing-input-secret");
		return;
	}
	if ((site = site_by_secret(app->cfg, secret)) == NULL) {
		siteverify_reply(req, 0, NULL, NULL, "invalid-input-secret");
		return;
	}
	siteverify_input(req, &in);
	if ((in.token == NULL || in.tlen == 0) &&
	    (in.pow == NULL || in.plen == 0)) {
		siteverify_reply(req, 0, site->id, NULL,
		                 "missing-input-response");
		return;
	}
	r = challenge_verify(app->challenge, site,
	                     article != NULL ? article : "", &in, time(NULL),
	                     &o);
	/* Failures count against the reader's address when the site's
	 * server tells it (remoteip); never against the server itself. */
	if (remoteip != NULL) {
		unsigned char addr[16] = {0};

		if (inet_pton(AF_INET, remoteip, addr) == 1)
			api_captcha_failed(req, site, r, AF_INET, addr);
		else if (inet_pton(AF_INET6, remoteip, addr) == 1)
			api_captcha_failed(req, site, r, AF_INET6, addr);
	}
	siteverify_reply(req, r == CHALLENGE_OK, site->id, &o,
	                 siteverify_code(r));
}
