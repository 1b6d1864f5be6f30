/*
 * token.c: sealing and opening CAPTCHA tokens. See token.h.
 */
#include <sodium.h>
#include <string.h>

#include "token.h"

static const char ad_label[] = "bandoc-captcha";

/* 1 for a character of the base64url alphabet. */
static int
b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void
token_scope(const char *site, const char *article,
            unsigned char out[TOKEN_SCOPE_BYTES])
{
	crypto_generichash_state st;
	static const unsigned char zero = 0;

	crypto_generichash_init(&st, NULL, 0, TOKEN_SCOPE_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)site,
	                          strlen(site));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, (const unsigned char *)article,
	                          strlen(article));
	crypto_generichash_final(&st, out, TOKEN_SCOPE_BYTES);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Additional data: label, version, key id, kind. */
static size_t
make_ad(unsigned char *ad, const unsigned char header[TOKEN_HEADER_BYTES])
{
	size_t n = sizeof(ad_label) - 1;

	memcpy(ad, ad_label, n);
	ad[n++] = TOKEN_VERSION;
	memcpy(ad + n, header, TOKEN_HEADER_BYTES);
	return n + TOKEN_HEADER_BYTES;
}

static void
encode_plain(const struct token_claims *c, unsigned char *p)
{
	put32(p, c->key_id);
	put32(p + 4, (uint32_t)(c->issued_at >> 32));
	put32(p + 8, (uint32_t)c->issued_at);
	p[12] = (unsigned char)(c->ttl >> 8);
	p[13] = (unsigned char)c->ttl;
	p[14] = c->kind;
	p[15] = c->lang;
	p[16] = c->answer_len;
	memset(p + 17, 0, TOKEN_ANSWER_WIDTH);
	memcpy(p + 17, c->answer, c->answer_len);
	memcpy(p + 25, c->scope, TOKEN_SCOPE_BYTES);
}

int
token_seal(struct token_claims *c, const unsigned char key[TOKEN_KEY_BYTES],
           char *out, size_t outsz)
{
	unsigned char bin[TOKEN_BIN_BYTES], plain[TOKEN_PLAIN_BYTES];
	unsigned char ad[sizeof(ad_label) + 1 + TOKEN_HEADER_BYTES];
	unsigned long long clen;
	size_t adlen, plen = strlen(TOKEN_PREFIX);
	int ret = -1;

	c->answer_len = (uint8_t)strlen(c->answer);
	if (c->answer_len == 0 || c->answer_len > TOKEN_ANSWER_WIDTH ||
	    outsz < TOKEN_MAX_TEXT + 1)
		return -1;
	put32(bin, c->key_id);
	bin[4] = c->kind;
	randombytes_buf(c->nonce, TOKEN_NONCE_BYTES);
	memcpy(bin + TOKEN_HEADER_BYTES, c->nonce, TOKEN_NONCE_BYTES);
	encode_plain(c, plain);
	adlen = make_ad(ad, bin);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
	        bin + TOKEN_HEADER_BYTES + TOKEN_NONCE_BYTES, &clen, plain,
	        sizeof(plain), ad, adlen, NULL, c->nonce, key) != 0)
		goto done;
	memcpy(out, TOKEN_PREFIX, plen);
	sodium_bin2base64(out + plen, outsz - plen, bin, sizeof(bin),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	ret = 0;
done:
	sodium_memzero(plain, sizeof(plain));
	return ret;
}

int
token_open(const char *text, size_t len, token_key_fn *key_fn, void *arg,
           struct token_claims *c)
{
	unsigned char bin[TOKEN_BIN_BYTES], plain[TOKEN_PLAIN_BYTES];
	unsigned char key[TOKEN_KEY_BYTES];
	unsigned char ad[sizeof(ad_label) + 1 + TOKEN_HEADER_BYTES];
	unsigned long long mlen;
	const char *end;
	size_t binlen, adlen, plen = strlen(TOKEN_PREFIX), i;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (text == NULL || len != TOKEN_TEXT_LEN ||
	    memcmp(text, TOKEN_PREFIX, plen) != 0)
		return -1;
	/* libsodium 1.0.18 decodes bytes 0x80-0xff as '_': check the
	 * alphabet first so that one token has exactly one spelling. */
	for (i = plen; i < len; i++)
		if (!b64url(text[i]))
			return -1;
	if (sodium_base642bin(bin, sizeof(bin), text + plen, len - plen, NULL,
	                      &binlen, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen != sizeof(bin) || end != text + len)
		return -1;
	if (key_fn(arg, get32(bin), key) != 0)
		goto done;
	adlen = make_ad(ad, bin);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	        plain, &mlen, NULL,
	        bin + TOKEN_HEADER_BYTES + TOKEN_NONCE_BYTES,
	        sizeof(bin) - TOKEN_HEADER_BYTES - TOKEN_NONCE_BYTES, ad, adlen,
	        bin + TOKEN_HEADER_BYTES, key) != 0 ||
	    mlen != sizeof(plain))
		goto done;
	c->key_id = get32(plain);
	c->issued_at = (uint64_t)get32(plain + 4) << 32 | get32(plain + 8);
	c->ttl = (uint16_t)(plain[12] << 8 | plain[13]);
	c->kind = plain[14];
	c->lang = plain[15];
	c->answer_len = plain[16];
	/* Sealed fields must agree with the clear header. */
	if (c->key_id != get32(bin) || c->kind != bin[4] ||
	    c->kind < TOKEN_KIND_IMAGE || c->kind > TOKEN_KIND_MAX ||
	    c->lang > 1 || c->answer_len == 0 ||
	    c->answer_len > TOKEN_ANSWER_WIDTH)
		goto done;
	for (i = 0; i < TOKEN_ANSWER_WIDTH; i++) {
		unsigned char ch = plain[17 + i];

		if (i < c->answer_len ? (ch < '0' || ch > 'Z') : ch != 0)
			goto done;
	}
	memcpy(c->answer, plain + 17, c->answer_len);
	c->answer[c->answer_len] = '\0';
	memcpy(c->scope, plain + 25, TOKEN_SCOPE_BYTES);
	memcpy(c->nonce, bin + TOKEN_HEADER_BYTES, TOKEN_NONCE_BYTES);
	ret = 0;
done:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(plain, sizeof(plain));
	if (ret != 0)
		sodium_memzero(c, sizeof(*c));
	return ret;
}
