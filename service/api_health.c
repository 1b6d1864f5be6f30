/*
 * api_health.c: GET /healthz, GET /metrics, GET /api/v1/version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "assets.h"
#include "http.h"
#include "bandoc_limits.h"
#include "metrics.h"
#include "storage.h"
#include "version.h"

void
api_health_healthz(struct http_req *req)
{
	struct storage *st = app_reader(http_req_app(req));

	if (st == NULL || storage_ping(st) != 0) {
		http_reply_bytes(req, 503, "text/plain; charset=utf-8",
		                 "database unavailable\n", 21, 1);
		return;
	}
	http_reply_bytes(req, 200, "text/plain; charset=utf-8", "ok\n", 3, 1);
}

void
api_health_metrics(struct http_req *req)
{
	struct app *app = http_req_app(req);
	char *extra = http_metrics_text(app->http), *text;

	text = metrics_render(extra != NULL ? extra : "");
	free(extra);
	if (text == NULL) {
		http_reply_error(req, 500, "out_of_memory",
		                 "The server is out of memory.");
		return;
	}
	http_reply_bytes(req, 200, "text/plain; version=0.0.4", text,
	                 strlen(text), 0);
	free(text);
}

void
api_health_version(struct http_req *req)
{
	char embed_js[MAX_ASSET_NAME + 2];

	/* The widget's hashed URL, for a site's build to put in its
	 * template (docs/widget.md). */
	snprintf(embed_js, sizeof(embed_js), "/%s", assets_hashed("embed.js"));
	http_reply_json(req, 200,
	                json_pack("{s:s, s:i, s:s}", "version", BANDOC_VERSION,
	                          "schema", storage_schema_latest(), "embed_js",
	                          embed_js));
}
