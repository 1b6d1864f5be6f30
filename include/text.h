#ifndef BANDOC_TEXT_H
#define BANDOC_TEXT_H

/*
 * text: what readers type, made safe and comparable (utf8proc).
 * Normalisation: valid UTF-8 only, NFC (Vietnamese arrives precomposed
 * or decomposed depending on the keyboard), control characters and
 * bidirectional overrides removed (newlines kept in multi-line text),
 * runs of blank lines collapsed, lines and the whole trimmed.
 * Folding (for word filters and search): lower case, tone marks and
 * other diacritics removed, "đ" -> "d".
 */

#include <stddef.h>

#include "bandoc_limits.h"

enum text_result { TEXT_OK = 0, TEXT_INVALID_UTF8 = -1, TEXT_NOMEM = -2 };

/*
 * Normalises len bytes of in into a malloc'd NUL-terminated *out; *nchars
 * receives its length in code points. multiline keeps newlines (one
 * blank line at most between paragraphs); otherwise they become spaces.
 */
enum text_result text_normalize(const char *in, size_t len, int multiline,
                                char **out, size_t *nchars);

/* Folds NUL-terminated UTF-8 s (already normalised) into a malloc'd
 * string. NULL on error. */
char *text_fold(const char *s);

/*
 * text_fold(), then every run of punctuation, symbols, separators and
 * controls (Unicode categories P*, S*, Z*, Cc) becomes one space, so that
 * "lừa-đảo", "lừa.đảo" and "lừa…đảo" all read "lua dao" (the word
 * filters fold both the phrases and the comment this way).  Letters
 * spaced apart ("l ừ a") or look-alike letters from other scripts are
 * not undone.  NULL on error.
 */
char *text_fold_words(const char *s);

/*
 * 1 when folded text contains folded word (or phrase) on word
 * boundaries (the characters around it are not letters or digits).
 */
int text_has_word(const char *text, const char *word);

/* 1 when s (len bytes) is valid UTF-8 (no surrogates, no overlong
 * forms). */
int text_utf8_valid(const char *s, size_t len);

/* Number of links (http://, https://, www.) in s. */
int text_count_links(const char *s);

/* 1 when s (len bytes) is a valid article key: 1..MAX_ARTICLE_KEY
 * bytes of valid UTF-8, no control characters or NUL. */
int text_article_key_ok(const char *s, size_t len);

/* 1 when s is a plausible e-mail address (one @, a dotted domain, no
 * spaces or controls, at most 254 bytes). */
int text_email_ok(const char *s);

/*
 * The form of e-mail address s that bans are stored and matched in:
 * trimmed, ASCII letters in lower case (as SQLite's lower()), and a
 * domain (after the last '@') that is not ASCII in its IDNA ASCII form
 * (libidn2, UTS #46 non-transitional, NFC input: "spam@Báo.vn" becomes
 * "spam@xn--bo-mia.vn"), so that both spellings of a domain are one
 * address. Returns a new string (the caller frees it), or NULL when s
 * has more than MAX_EMAIL_BYTES bytes before or after, when its domain
 * is not a valid IDN, or out of memory.
 */
char *text_email_key(const char *s);

/*
 * Calls fn for each comma-separated, trimmed, non-empty item of list,
 * folded (word lists of the config). Returns the number of items.
 */
int text_each_phrase(const char *list,
                     void (*fn)(void *arg, const char *folded), void *arg);

#endif
