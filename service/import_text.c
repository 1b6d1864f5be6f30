/*
 * import_text.c: an imported comment's text as bandoc keeps it (see
 * import.h, import_plain_text()).
 *
 * Disqus and WordPress hold comments as HTML. bandoc keeps plain text
 * and never renders markup, so the HTML is parsed with libxml2's HTML
 * parser (no network, no DTD, no entity loading) and only its text is
 * kept: entities decoded, <br> a line break, the end of a paragraph or
 * other block a blank line, a link as its text followed by its address
 * when the two differ (so that the address stays visible and is linked
 * again, docs/widget.md "Links"). Scripts and styles are dropped with
 * their content. The result then goes through text_normalize(), as a
 * reader's comment does.
 */
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "buf.h"
#include "import.h"
#include "text.h"

static int
is_block(const char *name)
{
	static const char *const blocks[] = {
	    "p",     "div", "li", "ul", "ol", "blockquote", "pre",
	    "h1",    "h2",  "h3", "h4", "h5", "h6",         "tr",
	    "table", "dl",  "dd", "dt", "hr", NULL};
	size_t i;

	for (i = 0; blocks[i] != NULL; i++)
		if (strcasecmp(name, blocks[i]) == 0)
			return 1;
	return 0;
}

/* The text of a node's children into b; depth bounds the recursion
 * (libxml2 itself stops at 256 levels). */
static void
walk(struct buf *b, xmlNodePtr n, int depth)
{
	for (; n != NULL && depth < 300; n = n->next) {
		const char *name = (const char *)n->name;

		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			buf_adds(b, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || name == NULL)
			continue;
		if (strcasecmp(name, "script") == 0 ||
		    strcasecmp(name, "style") == 0)
			continue;
		if (strcasecmp(name, "br") == 0) {
			buf_adds(b, "\n");
			continue;
		}
		if (strcasecmp(name, "a") == 0) {
			xmlChar *href = xmlGetProp(n, BAD_CAST "href");
			size_t before = b->len;

			walk(b, n->children, depth + 1);
			if (href != NULL && !b->failed &&
			    (strncasecmp((const char *)href, "http://", 7) ==
			         0 ||
			     strncasecmp((const char *)href, "https://", 8) ==
			         0) &&
			    strcmp(b->data + before, (const char *)href) != 0) {
				buf_adds(b, " (");
				buf_adds(b, (const char *)href);
				buf_adds(b, ")");
			}
			xmlFree(href);
			continue;
		}
		walk(b, n->children, depth + 1);
		if (is_block(name))
			buf_adds(b, "\n\n");
	}
}

char *
import_plain_text(const char *html, int is_html, int multiline, size_t max)
{
	struct buf b;
	htmlDocPtr doc;
	char *out = NULL;
	size_t nchars, len = strlen(html);

	if (len > (size_t)0x7fffffff)
		return NULL;
	buf_init(&b, max + 1);
	if (!is_html) {
		buf_add(&b, html, len);
	} else if (len > 0) {
		doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
		                     HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		                         HTML_PARSE_NOWARNING |
		                         HTML_PARSE_NOBLANKS);
		if (doc == NULL) {
			buf_free(&b);
			return NULL;
		}
		walk(&b, doc->children, 0);
		xmlFreeDoc(doc);
	}
	if (b.failed || text_normalize(b.data != NULL ? b.data : "", b.len,
	                               multiline, &out, &nchars) != TEXT_OK)
		out = NULL;
	buf_free(&b);
	return out;
}
