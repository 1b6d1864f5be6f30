/*
 * Every limit of bandoc in one place, each with the reason for its value
 * (after SQLite's sqliteLimit.h). Configurable limits have their default
 * and range here; the config table refers to these names.
 */
#ifndef BANDOC_LIMITS_H
#define BANDOC_LIMITS_H

/* A config file is hand-written; anything larger is a mistake. */
#define MAX_CONFIG_BYTES (1024 * 1024)
/* One INI value; the longest legitimate ones are origin lists. */
#define MAX_CONFIG_VALUE 4096
/* Sites per daemon: a provincial portal network has a few dozen. */
#define MAX_SITES 64
/* Site names appear in URLs and SQL keys. */
#define MAX_SITE_NAME 48
/* An article key (a slug, an id or a path), in bytes. */
#define MAX_ARTICLE_KEY 200
/* Allowed origins per site (www/non-www, http/https, staging...). */
#define MAX_ORIGINS 16
/* scheme://host:port of an origin (RFC 3986 hosts are <= 255). */
#define MAX_ORIGIN_LEN 300
/* Listening sockets: IPv4 + IPv6 + a few internal addresses. */
#define MAX_LISTEN 8
/* Trusted proxy ranges (a CDN publishes a few dozen). */
#define MAX_PROXIES 64
/* An e-mail address: RFC 5321's 256-byte path less its angle brackets;
 * an IDN domain must still fit once in its ASCII (xn--) form. */
#define MAX_EMAIL_BYTES 254
/* Problems reported by check-config before it stops listing them. */
#define MAX_CONFIG_ERRORS 100

/* Request path; our routes are short, a long path is an attack. */
#define MAX_PATH_LEN 1024
/* Path segments in a route pattern or request. */
#define MAX_PATH_SEGMENTS 16
/* Digits of a "#id" path parameter: ids below 10^18 fit a long long
 * (SQLite's rowids reach 2^63 - 1, ours count comments and bans). */
#define HTTP_ID_DIGITS 18
/* A "$name" path parameter (a CAPTCHA token with its file suffix, an
 * asset or user name): our longest, a sealed token, is under 300. */
#define HTTP_TOKEN_MAX 512
/* Form or JSON fields in one request body. */
#define MAX_FIELDS 32
/* Field name length. */
#define MAX_FIELD_NAME 64
/*
 * Body caps of the routes (service/routes.c), by what they carry.
 * A few short fields (a CAPTCHA request, siteverify, a view, a login, a
 * ban, a user).
 */
#define BODY_SHORT (4 * 1024)
/* A token, or nothing (log-out, a one-click link). */
#define BODY_TINY 1024
/* A comment: 4,000 characters of up to 4 bytes, most of them sent as
 * %XX (3 bytes a byte), is 48,000 bytes, with its other fields. */
#define BODY_COMMENT (64 * 1024)
/* A moderator's action with a reason or a reply. */
#define BODY_ACTION (32 * 1024)
/* A bulk action: up to 500 ids. */
#define BODY_BULK (64 * 1024)
/* An edit: the comment's new text and the moderator's reply. */
#define BODY_EDIT (96 * 1024)
/* [server] body_max, the cap over all routes: by default the largest
 * route cap (96 KiB), so that it lowers, never raises, a route's cap.
 * Integer literals: config.c writes the defaults from these names. */
#define DEFAULT_BODY_MAX 98304
#define MIN_BODY_MAX     1024
#define MAX_BODY_MAX     1048576
_Static_assert(DEFAULT_BODY_MAX == BODY_EDIT && BODY_EDIT >= BODY_COMMENT &&
                   BODY_EDIT >= BODY_BULK && BODY_EDIT >= BODY_ACTION &&
                   BODY_EDIT >= BODY_SHORT,
               "body_max's default is the largest route cap");
_Static_assert(MIN_BODY_MAX <= BODY_SHORT && DEFAULT_BODY_MAX <= MAX_BODY_MAX,
               "body_max's range holds its default and the short routes");
/* Body bytes read and dropped after an error, so that the error goes
 * out on a connection kept alive, and a proxy still sending the body
 * (nginx's default client_max_body_size is 1 MiB) gets it instead of a
 * reset it would turn into 502. A declared body above it is answered at
 * once and the connection closed. */
#define HTTP_DISCARD_MAX (1024 * 1024)
/* X-Forwarded-For entries we walk before giving up. */
#define MAX_XFF_HOPS 16
/* libmicrohttpd's post processor buffer (it must be >= 256). */
#define POST_BUFFER_SIZE 1024
/* Memory per connection for headers: 32 KiB fits any browser's headers;
 * anything larger is refused with 431 by libmicrohttpd. */
#define DEFAULT_CONNECTION_MEMORY 32768
#define MIN_CONNECTION_MEMORY     8192
#define MAX_CONNECTION_MEMORY     1048576
/* Simultaneous connections; each costs about the memory limit. */
#define DEFAULT_CONNECTION_LIMIT 4096
#define MAX_CONNECTION_LIMIT     65536
/* Connections per client address (a NAT of an office shares one). */
#define DEFAULT_PER_IP_CONNECTION_LIMIT 256
/* Descriptors besides connections: database files of every reader, the
 * log, webhook sockets, listening sockets, epoll. */
#define NOFILE_RESERVE 256
/* Bytes of a User-Agent searched for bot words (they come early; real
 * browsers send 100-200 bytes). */
#define MAX_UA_SCAN 1024
/* Seconds between returns of freed heap memory to the system
 * (malloc_trim walks the free lists: a few ms, on the idle main thread). */
#define MEMORY_TRIM_S 10
/* Idle connection timeout in seconds (slow-loris protection). */
#define DEFAULT_CONNECTION_TIMEOUT 15
#define MAX_CONNECTION_TIMEOUT     3600
/* HTTP threads; more than the cores only adds contention. */
#define DEFAULT_THREADS 2
#define MAX_THREADS     64
/* How often SQLite's upkeep thread (storage_maintenance_start()) copies
 * the WAL into the database: a WAL of
 * 100 ms of the heaviest comment load is a few MB. */
#define WAL_CHECKPOINT_MS 100
/* How often spent CAPTCHA tokens are written: small batches keep each
 * group short (6,000 a second were one 6-22 ms insert at 1 s). */
#define SPENT_FLUSH_MS 200

/* Rendered comment pages kept in memory (pagecache.h): the first pages
 * of the few hundred most read articles. A page of 100 long comments
 * (~600 KB) is not worth keeping; 20 typical ones are 5-15 KB. */
#define PAGE_CACHE_SLOTS     512
#define PAGE_CACHE_BYTES     (2 * 1024 * 1024)
#define PAGE_CACHE_ENTRY_MAX (128 * 1024)
/* An entity tag: a quoted hex BLAKE2b-128 is 34 characters. */
#define PAGE_CACHE_TAG_MAX 40

/* A file name after /static/: the longest embedded one with its hash is
 * "admin.<12 hex digits>.css", 22 bytes; a longer name names nothing. */
#define MAX_ASSET_NAME 64

/* Jobs the durable writer keeps queued before refusing with 503:
 * a few seconds of peak load at fsync-bound group commit. */
#define MAX_WRITER_QUEUE 65536
/* Jobs committed in one transaction: bounds the latency of a group. */
#define MAX_WRITER_BATCH 1024
/* SQLite busy timeout in milliseconds. */
#define DEFAULT_BUSY_TIMEOUT_MS 5000

/* Moderation (api_admin.c, admin_session.c). Failed logins from one
 * address before it is locked out, and failures of one account before
 * its attempts are slowed (OWASP suggests 3-10). */
#define ADMIN_LOGIN_FAIL_LIMIT 5
/* Seconds between refreshes of a session's last_seen (at most half the
 * idle timeout): a write a minute per moderator, not one a request. */
#define ADMIN_TOUCH_EVERY 60
/* A number limit as text, for messages that state it. */
#define LIMIT_STR_(x) #x
#define LIMIT_STR(x)  LIMIT_STR_(x)

/* A reader's display name, in characters after normalisation (a full
 * Vietnamese name with a place is under 60). */
#define MAX_NAME_CHARS 80
/* A reader's user agent as stored with a comment (real browsers send
 * 100-200 bytes). */
#define MAX_UA_BYTES 255
/* The same text on the same article within this many seconds is a
 * duplicate (409): a double click or a resend, not a second opinion. */
#define DUPLICATE_WINDOW (24 * 3600)
/* Public comment lists: comments per page a client may ask for, the
 * highest page number (beyond it an article has no comments), and the
 * no-JS page's fixed page size and its HTML buffer's starting size. */
#define MAX_PER_PAGE     100
#define MAX_PAGE_NUMBER  100000
#define EMBED_PER_PAGE   50
#define EMBED_PAGE_BYTES (1024 * 1024)
/* The newsroom's reply under a comment, in characters: the longest
 * comment a reader may send. */
#define ADMIN_MAX_REPLY_CHARS 4000
/* A moderator's edit of a comment's text, in characters: room for a
 * comment that came in under a larger site limit. */
#define ADMIN_MAX_EDIT_CHARS 20000
/* A search of the moderation queue, in bytes before folding. */
#define ADMIN_MAX_QUERY_BYTES 200
/* A ban's reason, in bytes (a sentence for the audit log). */
#define ADMIN_MAX_BAN_REASON 500
/* Rows of an admin list and of the audit log when the request says
 * nothing. */
#define ADMIN_LIST_DEFAULT  50
#define ADMIN_AUDIT_DEFAULT 100
/* Comments one bulk action changes (one writer transaction). */
#define ADMIN_MAX_BULK 500
/* The longest timed ban, in seconds (10 years; no expiry: permanent). */
#define ADMIN_MAX_BAN_SECONDS (10LL * 365 * 86400)
/* Rows of one page of an admin list. */
#define ADMIN_MAX_LIST 200
_Static_assert(ADMIN_LIST_DEFAULT <= ADMIN_MAX_LIST &&
                   ADMIN_AUDIT_DEFAULT <= ADMIN_MAX_LIST,
               "the default page of an admin list is a page it allows");

/* The most viewed articles one request lists (GET /api/v1/views/top),
 * and the articles one GET /api/v1/counts asks about (a front page
 * lists a few dozen). */
#define VIEWS_MAX_TOP        50
#define VIEWS_MAX_COUNT_KEYS 100

/* Metrics: routes are a fixed table; statuses are bucketed. */
#define MAX_METRICS     64
#define MAX_METRIC_NAME 64

/* Secrets file: a few keys, hex encoded. */
#define MAX_SECRETS_BYTES 8192

/*
 * Proof of work (pow.h): the ALTCHA maxnumber of a client in good standing
 * and its adaptive cap.  Solving takes maxnumber / 2 SHA-256 hashes on
 * average; measured in Chromium (docs/captcha.md), the default is about
 * 0.3 s on a phone (4x CPU throttling) and the cap about 100 times that.
 */
#define DEFAULT_POW_COST         60000
#define DEFAULT_POW_COST_STR     "60000"
#define DEFAULT_POW_COST_MAX     6000000
#define DEFAULT_POW_COST_MAX_STR "6000000"
/*
 * Risk score of a client (per site and /32 or /64): each failure adds 1,
 * each challenge issued adds POW_ISSUE_WEIGHT, and it halves every
 * pow_half_life seconds; the cost doubles per whole point.  So about four
 * challenges in a few minutes are "normal", a fifth doubles the cost.
 */
#define POW_ISSUE_WEIGHT 0.25
#define POW_FAIL_WEIGHT  1.0

#endif
