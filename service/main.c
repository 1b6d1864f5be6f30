/*
 * main.c: the bandocd command line (the table `commands` below, which
 * `bandocd help` prints): serve, check-config, user, backup, import,
 * captcha-sample, config-doc, version, help.  Start-up, signals and
 * graceful shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "api.h"
#include "app.h"
#include "audio.h"
#include "auth.h"
#include "captcha.h"
#include "config.h"
#include "http.h"
#include "importer.h"
#include "log.h"
#include "storage.h"
#include "version.h"
#include "writer.h"

/* Time in-flight requests get to finish at shutdown. */
#define SHUTDOWN_GRACE_MS 10000

/*
 * zlib (PNG encoding of every CAPTCHA) allocates ~256 KB per image: above
 * glibc's default mmap threshold that is an mmap, page faults and a munmap
 * per image, ~20 % of the render. Keeping such blocks in the heap costs at
 * most a few hundred KB of RSS per HTTP thread.
 */
/*
 * Every connection is a descriptor, and the usual soft limit (1,024) is
 * below the default connection_limit (4,096): raise the soft limit as far
 * as the hard one allows (no privilege needed; systemd's hard limit is
 * 524,288) and say so when the configured connections cannot fit.
 */
static void
nofile_raise(const struct config *cfg)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)cfg->connection_limit * (rlim_t)cfg->nlisten +
	              NOFILE_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want
	                  ? want
	                  : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		log_warnx("open files limited to %llu: fewer than the %llu "
		          "connection_limit needs (raise LimitNOFILE)",
		          (unsigned long long)rl.rlim_cur,
		          (unsigned long long)want);
}

static void
malloc_tune(void)
{
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
}

/*
 * Every command: its arguments, what it does, its options.  `bandocd
 * help` and `bandocd COMMAND --help` print these (tests/check-help.sh
 * checks that each command answers, and that the header above names
 * them all).
 */
static const struct command {
	const char *name, *args, *what, *options;
} commands[] = {
    {"serve", "-c FILE [--ready-file PATH]",
     "Run the daemon until SIGTERM or SIGINT; then it finishes the "
     "requests\nin flight and closes the database.",
     "  -c FILE             the configuration file\n"
     "  --ready-file PATH   once listening, write the bound addresses "
     "there,\n"
     "                      one host:port a line, then \"metrics "
     "host:port\"\n"
     "                      if metrics_listen is set (for tests and "
     "scripts)\n"},
    {"check-config", "-c FILE",
     "Read the configuration and print every problem with its line "
     "number;\nexit status 1 if there is any.",
     "  -c FILE   the configuration file\n"},
    {"user",
     "add|passwd|disable|enable|list [NAME] -c FILE [--role ROLE] "
     "[--generate]",
     "Moderator accounts, in the configured database (safe while the "
     "daemon\nruns).  add and passwd read the password from the terminal "
     "(twice) or\none line of standard input.",
     "  add NAME            a new account\n"
     "  passwd NAME         a new password\n"
     "  disable NAME        no more sign-ins; its sessions end\n"
     "  enable NAME         allowed again\n"
     "  list                every account, its role and state\n"
     "  -c FILE             the configuration file\n"
     "  --role ROLE         admin or moderator (add; default moderator)\n"
     "  --generate          make a random password and print it once\n"},
    {"backup", "-c FILE OUT.db",
     "Copy the live database to OUT.db (SQLite online backup, safe while "
     "the\ndaemon runs).",
     "  -c FILE   the configuration file (names the database)\n"
     "  OUT.db    where the copy goes\n"},
    {"import", "-c FILE --site NAME --format F [--map FILE] [--dry-run] INPUT",
     "Import the comments of another system's export into a site "
     "(docs/import.md):\nthreads, dates, statuses, names, e-mails and "
     "articles are kept; running it\nagain adds nothing.  Safe while the "
     "daemon runs.",
     "  -c FILE       the configuration file (names the database)\n"
     "  --site NAME   the [site.NAME] the comments go to\n"
     "  --format F    disqus, wordpress, isso, remark42, waline or artalk\n"
     "  --map FILE    ADDRESS-OR-ID<TAB>ARTICLE-KEY lines; without it the\n"
     "                site's article_url_pattern maps the addresses\n"
     "  --dry-run     read, map and count; write nothing\n"
     "  INPUT         the export file (isso: its database)\n"},
    {"captcha-sample", "-c FILE [--audio vi|en] DIR COUNT",
     "Write COUNT fresh CAPTCHA images (0000.png ...) to DIR, with their\n"
     "answers in DIR/answers.tsv (legibility panels, OCR checks); with\n"
     "--audio, audio challenges (0000.wav ...) instead (listening panels,\n"
     "speech-recognition checks).",
     "  -c FILE        the configuration file (fonts_dir)\n"
     "  --audio LANG   audio challenges spoken in vi or en\n"
     "  DIR            created if missing\n"
     "  COUNT          1 to 100000\n"},
    {"config-doc", "",
     "Print every configuration key, its default and meaning, as the "
     "Markdown\ntable of README.md.",
     ""},
    {"version", "", "Print the version and the database schema version.", ""},
    {"help", "[COMMAND]", "List the commands, or show one command's options.",
     ""},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
command_usage(FILE *fp, const struct command *c)
{
	fprintf(fp, "usage: bandocd %s%s%s\n", c->name, c->args[0] ? " " : "",
	        c->args);
}

/* bandocd help: every command, a line each. */
static void
help_all(FILE *fp)
{
	size_t i;

	fprintf(fp,
	        "bandocd %s: comments, CAPTCHA and view counter for news "
	        "sites.\n\n",
	        BANDOC_VERSION);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  bandocd %s%s%s\n", commands[i].name,
		        commands[i].args[0] ? " " : "", commands[i].args);
	fprintf(fp, "\n`bandocd COMMAND --help` (or `bandocd help COMMAND`) "
	            "tells more of one.\n");
}

static int
help_one(const struct command *c)
{
	command_usage(stdout, c);
	printf("\n%s\n", c->what);
	if (c->options[0] != '\0')
		printf("\n%s", c->options);
	return 0;
}

/* The current command (argv[1]), for usage(). */
static const struct command *current;

/* Wrong arguments: the command's usage (or the list) on stderr, exit 2. */
static void
usage(void)
{
	if (current != NULL) {
		command_usage(stderr, current);
		fprintf(stderr, "`bandocd %s --help` tells more.\n",
		        current->name);
	} else
		help_all(stderr);
	exit(2);
}

struct err_ctx {
	const char *path;
	unsigned int count;
};

static void
print_error(void *arg, unsigned int line, const char *msg)
{
	struct err_ctx *e = arg;

	e->count++;
	if (line > 0)
		fprintf(stderr, "%s:%u: %s\n", e->path, line, msg);
	else
		fprintf(stderr, "%s: %s\n", e->path, msg);
}

static struct config *
load_config(const char *path)
{
	struct err_ctx e = {path, 0};
	struct config *cfg = config_load(path, print_error, &e);

	if (cfg == NULL)
		fprintf(stderr, "%s: %u problem%s\n", path, e.count,
		        e.count == 1 ? "" : "s");
	return cfg;
}

/* Parses "-c FILE" and returns the remaining arguments via *rest. */
static const char *
config_arg(int argc, char **argv, int *next)
{
	if (argc < 4 || strcmp(argv[2], "-c") != 0)
		usage();
	*next = 4;
	return argv[3];
}

static int
write_ready(const char *path, struct app *app)
{
	char tmp[4096], line[128];
	size_t i;
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	for (i = 0; i < app->cfg->nlisten; i++) {
		const char *t = app->cfg->listen[i].text;
		const char *colon = strrchr(t, ':');

		snprintf(line, sizeof(line), "%.*s:%u\n", (int)(colon - t), t,
		         http_port(app->http, i));
		fputs(line, fp);
	}
	if (app->cfg->metrics_listen_raw[0] != '\0') {
		const char *t = app->cfg->metrics_listen.text;
		const char *colon = strrchr(t, ':');

		fprintf(fp, "metrics %.*s:%u\n", (int)(colon - t), t,
		        http_port(app->http, app->cfg->nlisten));
	}
	if (fclose(fp) != 0)
		return -1;
	return rename(tmp, path);
}

static int
serve(const char *path, const char *ready_file)
{
	struct config *cfg;
	struct app app;
	enum log_level lv;
	enum log_format lf;
	sigset_t set;
	size_t i;
	int sig;

	if ((cfg = load_config(path)) == NULL)
		return 1;
	if (log_level_parse(cfg->log_level, &lv) == 0)
		log_set_level(lv);
	if (log_format_parse(cfg->log_format, &lf) == 0)
		log_set_format(lf);
	malloc_tune();
	nofile_raise(cfg);
	/* Signals are taken by sigwait() in this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (app_open(&app, cfg) != 0)
		fatalx("start-up failed");
	if (writer_start(app.writer) != 0)
		fatalx("cannot start the writer");
	if ((app.http = http_start(&app)) == NULL)
		fatalx("cannot start HTTP");
	for (i = 0; i < cfg->nlisten; i++)
		log_info("bandocd %s listening on %s (port %u)", BANDOC_VERSION,
		         cfg->listen[i].text, http_port(app.http, i));
	if (ready_file != NULL && write_ready(ready_file, &app) != 0)
		log_warn("cannot write %s", ready_file);
#ifdef HAVE_SYSTEMD
	sd_notify(0, "READY=1");
#endif
	for (;;) {
		struct timespec ts = {MEMORY_TRIM_S, 0};

		/* Between signals: hand freed memory back to the system.
		 * A burst of connections leaves megabytes of free heap (each
		 * connection's 32 KiB pool is below the mmap threshold) that
		 * free() alone keeps resident. */
		if ((sig = sigtimedwait(&set, NULL, &ts)) == -1) {
			if (errno == EAGAIN)
				malloc_trim(0);
			continue;
		}
		if (sig == SIGHUP) {
			log_info(
			    "SIGHUP ignored: restart to reload the config");
			continue;
		}
		break;
	}
	log_info("signal %d: shutting down", sig);
#ifdef HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
	http_stop(app.http, SHUTDOWN_GRACE_MS);
	app.http = NULL;
	app_shutdown_hooks(&app);
	app_close(&app);
	config_free(cfg);
	log_info("stopped");
	return 0;
}

/* Room for an answer of either kind, and a seed of either kind. */
#define SAMPLE_ANSWER_MAX                                                      \
	(CAPTCHA_ANSWER_MAX > AUDIO_DIGITS_MAX ? CAPTCHA_ANSWER_MAX            \
	                                       : AUDIO_DIGITS_MAX)
#define SAMPLE_SEED_BYTES                                                      \
	(CAPTCHA_SEED_BYTES > AUDIO_SEED_BYTES ? CAPTCHA_SEED_BYTES            \
	                                       : AUDIO_SEED_BYTES)

/*
 * Renders one fresh challenge as the daemon would (random answer and
 * seed): an image, or audio in *lang when lang is not NULL.  On success
 * returns 0 with the answer in answer and a malloc'd file in *buf (*len
 * bytes); -1 otherwise.
 */
static int
sample_one(const enum audio_lang *lang, char answer[SAMPLE_ANSWER_MAX + 1],
           unsigned char **buf, size_t *len)
{
	unsigned char seed[SAMPLE_SEED_BYTES];

	randombytes_buf(seed, sizeof(seed));
	if (lang != NULL) {
		audio_answer_new(answer);
		return audio_render_wav(answer, *lang, seed, buf, len);
	}
	captcha_answer_new(answer);
	return captcha_render_png(answer, seed, 1, buf, len);
}

/* Writes n sample challenges DIR/NNNN.png (or NNNN.wav when lang is not
 * NULL) and DIR/answers.tsv, rendered exactly as the daemon renders them
 * (random answer and seed). */
static int
captcha_sample(const char *path, const enum audio_lang *lang, const char *dir,
               const char *count)
{
	struct config *cfg;
	unsigned char *file = NULL;
	char answer[SAMPLE_ANSWER_MAX + 1], name[4096];
	const char *ext = lang != NULL ? "wav" : "png";
	FILE *tsv = NULL, *fp;
	size_t len;
	long long n, i;
	int ret = 1;

	if (config_parse_ll(count, 1, 100000, &n) != 0) {
		fprintf(stderr, "captcha-sample: N must be 1..100000\n");
		return 2;
	}
	if ((cfg = load_config(path)) == NULL)
		return 1;
	malloc_tune();
	if (captcha_init(cfg->fonts_dir) != 0) {
		fprintf(stderr, "captcha-sample: %s\n", captcha_strerror());
		goto done;
	}
	if (lang != NULL && audio_init() != 0) {
		fprintf(stderr, "captcha-sample: the audio voices are not "
		                "usable\n");
		goto done;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "captcha-sample: cannot create %s\n", dir);
		goto done;
	}
	snprintf(name, sizeof(name), "%s/answers.tsv", dir);
	if ((tsv = fopen(name, "w")) == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		if (sample_one(lang, answer, &file, &len) != 0)
			goto done;
		snprintf(name, sizeof(name), "%s/%04lld.%s", dir, i, ext);
		if ((fp = fopen(name, "wb")) == NULL ||
		    fwrite(file, 1, len, fp) != len || fclose(fp) != 0) {
			free(file);
			goto done;
		}
		free(file);
		fprintf(tsv, "%04lld.%s\t%s\n", i, ext, answer);
	}
	printf("%lld %s and answers.tsv written to %s\n", n,
	       lang != NULL ? "audio challenges" : "images", dir);
	ret = 0;
done:
	if (tsv != NULL)
		fclose(tsv);
	captcha_shutdown();
	config_free(cfg);
	return ret;
}

/* Reads a password: from the terminal without echo (twice), or one line
 * of standard input. Returns 0 / -1 with a message printed. */
static int
read_password(char *pw, size_t sz)
{
	char again[AUTH_PASSWORD_MAX + 2];
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), ret = -1;
	size_t n;

	if (tty) {
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		fprintf(stderr, "Password: ");
	}
	if (fgets(pw, (int)sz, stdin) == NULL)
		goto done;
	if (tty) {
		fprintf(stderr, "\nAgain: ");
		if (fgets(again, sizeof(again), stdin) == NULL ||
		    strcmp(again, pw) != 0) {
			fprintf(stderr, "\nThe passwords differ.\n");
			goto done;
		}
		fprintf(stderr, "\n");
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX) {
		fprintf(stderr, "A password has %d to %d characters.\n",
		        AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
		goto done;
	}
	ret = 0;
done:
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	sodium_memzero(again, sizeof(again));
	return ret;
}

static void
print_user(void *arg, const struct storage_user *u)
{
	(void)arg;
	printf("%-20s %-10s %s\n", u->name, u->role,
	       u->disabled ? "disabled" : "active");
}

/* bandocd user add|passwd|disable|enable|list [NAME] -c FILE [--role R]
 * [--generate] */
static int
user_cmd(int argc, char **argv)
{
	const char *sub = argc > 2 ? argv[2] : "", *name = NULL,
	           *cfgpath = NULL;
	const char *role = "moderator";
	char pw[AUTH_PASSWORD_MAX + 2], hash[STORAGE_MAX_PWHASH + 1];
	char err[512], *db = NULL;
	struct storage_conf sc;
	struct storage *st = NULL;
	struct config *cfg = NULL;
	enum storage_result sr;
	int generate = 0, i, ret = 1;

	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			cfgpath = argv[++i];
		else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--generate") == 0)
			generate = 1;
		else if (name == NULL && argv[i][0] != '-')
			name = argv[i];
		else
			usage();
	}
	if (cfgpath == NULL || (strcmp(sub, "list") != 0 && name == NULL))
		usage();
	if (name != NULL && !api_admin_name_ok(name)) {
		fprintf(stderr, "user: names are 1-64 of a-z 0-9 . _ -\n");
		return 2;
	}
	if (strcmp(role, "admin") != 0 && strcmp(role, "moderator") != 0) {
		fprintf(stderr, "user: --role admin or moderator\n");
		return 2;
	}
	if ((cfg = load_config(cfgpath)) == NULL)
		return 1;
	if ((db = config_db_path(cfg)) == NULL)
		goto done;
	if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "user: cannot create %s\n", cfg->data_dir);
		goto done;
	}
	app_storage_conf(cfg, db, &sc);
	if ((st = storage_open(&sc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "user: %s\n", err);
		goto done;
	}
	if (strcmp(sub, "list") == 0) {
		ret = storage_user_list(st, print_user, NULL) == 0 ? 0 : 1;
		goto done;
	}
	if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
		sr = storage_user_set_disabled(st, name,
		                               strcmp(sub, "disable") == 0);
		if (sr != STORAGE_OK)
			fprintf(stderr,
			        sr == STORAGE_NOT_FOUND
			            ? "user: no user %s\n"
			            : "user: cannot store %s (see the log)\n",
			        name);
		else {
			storage_audit_add(st, (long long)time(NULL), "cli",
			                  strcmp(sub, "disable") == 0
			                      ? "user_disable"
			                      : "user_enable",
			                  0, "", NULL, name);
			printf("%s %sd\n", name, sub);
			ret = 0;
		}
		goto done;
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0)
		usage();
	if (generate) {
		unsigned char raw[18];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(pw, sizeof(pw), raw, sizeof(raw),
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		sodium_memzero(raw, sizeof(raw));
	} else if (read_password(pw, sizeof(pw)) != 0)
		goto done;
	if (auth_hash_password(pw, hash) != 0) {
		fprintf(stderr, "user: cannot hash the password\n");
		goto done;
	}
	if (strcmp(sub, "add") == 0) {
		sr = storage_user_add(st, name, role, hash,
		                      (long long)time(NULL));
		if (sr != STORAGE_OK) {
			fprintf(stderr,
			        sr == STORAGE_EXISTS
			            ? "user: %s exists already\n"
			            : "user: cannot store %s (see the log)\n",
			        name);
			goto done;
		}
	} else if ((sr = storage_user_set_hash(st, name, hash)) != STORAGE_OK) {
		fprintf(stderr,
		        sr == STORAGE_NOT_FOUND
		            ? "user: no user %s\n"
		            : "user: cannot store %s (see the log)\n",
		        name);
		goto done;
	}
	storage_audit_add(st, (long long)time(NULL), "cli",
	                  strcmp(sub, "add") == 0 ? "user_add" : "user_passwd",
	                  0, "", NULL, name);
	if (generate)
		printf("%s %s: password %s (shown once)\n", sub, name, pw);
	else
		printf("%s %s: done\n", sub, name);
	ret = 0;
done:
	sodium_memzero(pw, sizeof(pw));
	storage_close(st);
	free(db);
	config_free(cfg);
	return ret;
}

static int
backup(const char *path, const char *out)
{
	struct storage_conf sc;
	struct config *cfg;
	char err[512], *db;
	int ret = 1;

	if ((cfg = load_config(path)) == NULL)
		return 1;
	if ((db = config_db_path(cfg)) == NULL) {
		fprintf(stderr, "backup: out of memory\n");
		goto done;
	}
	app_storage_conf(cfg, db, &sc);
	if (storage_backup(&sc, out, err, sizeof(err)) != STORAGE_OK)
		fprintf(stderr, "backup: %s\n", err);
	else {
		printf("backup of %s written to %s\n", db, out);
		ret = 0;
	}
done:
	free(db);
	config_free(cfg);
	return ret;
}

static int
import_cmd(int argc, char **argv)
{
	struct importer_options o;
	struct config *cfg;
	const char *path;
	int next, ret, have_format = 0;

	memset(&o, 0, sizeof(o));
	path = config_arg(argc, argv, &next);
	for (; next < argc; next++) {
		if (strcmp(argv[next], "--dry-run") == 0) {
			o.dry_run = 1;
		} else if (strcmp(argv[next], "--site") == 0 &&
		           next + 1 < argc) {
			o.site = argv[++next];
		} else if (strcmp(argv[next], "--map") == 0 &&
		           next + 1 < argc) {
			o.map_path = argv[++next];
		} else if (strcmp(argv[next], "--format") == 0 &&
		           next + 1 < argc) {
			if (import_format_parse(argv[++next], &o.format) != 0)
				usage();
			have_format = 1;
		} else if (argv[next][0] != '-' && o.input == NULL) {
			o.input = argv[next];
		} else {
			usage();
		}
	}
	if (o.site == NULL || o.input == NULL || !have_format)
		usage();
	if ((cfg = load_config(path)) == NULL)
		return 1;
	ret = importer_run(cfg, &o, stdout);
	config_free(cfg);
	return ret;
}

int
main(int argc, char **argv)
{
	const char *path;
	int next;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc == 2) {
			help_all(stdout);
			return 0;
		}
		if (argc == 3 && (strcmp(argv[2], "--help") == 0 ||
		                  strcmp(argv[2], "-h") == 0))
			return help_one(command_find("help"));
		if (argc == 3 && (current = command_find(argv[2])) != NULL)
			return help_one(current);
		current = NULL;
		usage();
	}
	if ((current = command_find(argv[1])) == NULL) {
		fprintf(stderr, "bandocd: no command '%s'\n\n", argv[1]);
		usage();
	}
	for (next = 2; next < argc; next++)
		if (strcmp(argv[next], "--help") == 0 ||
		    strcmp(argv[next], "-h") == 0)
			return help_one(current);
	if (sodium_init() < 0)
		fatalx("libsodium cannot start");
	if (strcmp(argv[1], "version") == 0) {
		printf("bandocd %s (schema %d)\n", BANDOC_VERSION,
		       storage_schema_latest());
		return 0;
	}
	if (strcmp(argv[1], "config-doc") == 0) {
		char *doc = config_doc_markdown();

		if (doc == NULL)
			return 1;
		fputs(doc, stdout);
		free(doc);
		return 0;
	}
	if (strcmp(argv[1], "check-config") == 0) {
		struct config *cfg;

		path = config_arg(argc, argv, &next);
		if ((cfg = load_config(path)) == NULL)
			return 1;
		printf("%s: ok (%zu site%s)\n", path, cfg->nsites,
		       cfg->nsites == 1 ? "" : "s");
		config_free(cfg);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0) {
		const char *ready = NULL;

		path = config_arg(argc, argv, &next);
		if (next < argc) {
			if (next + 2 != argc ||
			    strcmp(argv[next], "--ready-file") != 0)
				usage();
			ready = argv[next + 1];
		}
		return serve(path, ready);
	}
	if (strcmp(argv[1], "captcha-sample") == 0) {
		enum audio_lang lang = AUDIO_LANG_VI;
		const enum audio_lang *audio = NULL;

		path = config_arg(argc, argv, &next);
		if (next < argc && strcmp(argv[next], "--audio") == 0) {
			if (next + 1 >= argc)
				usage();
			if (strcmp(argv[next + 1], "en") == 0)
				lang = AUDIO_LANG_EN;
			else if (strcmp(argv[next + 1], "vi") != 0)
				usage();
			audio = &lang;
			next += 2;
		}
		if (next + 2 != argc)
			usage();
		return captcha_sample(path, audio, argv[next], argv[next + 1]);
	}
	if (strcmp(argv[1], "user") == 0)
		return user_cmd(argc, argv);
	if (strcmp(argv[1], "import") == 0)
		return import_cmd(argc, argv);
	if (strcmp(argv[1], "backup") == 0) {
		path = config_arg(argc, argv, &next);
		if (next + 1 != argc)
			usage();
		return backup(path, argv[next]);
	}
	usage(); /* a command in the table without a branch here */
}
