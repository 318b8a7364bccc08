/* `ldn serve`: the REST API over the store, until SIGTERM. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/server.h"

/* A whole number within [lo, hi] from --name; false with a message. */
static bool
count(const char *name, const char *s, unsigned long long lo,
    unsigned long long hi, unsigned long long *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s == '\0' || *s == '-' || *end != '\0' || v < lo || v > hi) {
		cli_warn(
		    "--%s: \"%s\" must be a whole number from %llu to %llu",
		    name, s, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

static int
exec_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "kb", required_argument, NULL, 'k' },
		{ "web", required_argument, NULL, 'w' },
		{ "docs", required_argument, NULL, 'D' },
		{ "max-body", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-connections", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 'n' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "routes", no_argument, NULL, 'r' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "cds-url", required_argument, NULL, 'U' },
		{ "cds-issuer", required_argument, NULL, 'I' },
		{ "cds-fhir-server", required_argument, NULL, 'F' },
		{ "cds-jku", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct server_config cfg = {
		.bind = "127.0.0.1",
		.port = 8080,
		.max_body = 8u << 20,
		.timeout_s = 30,
		.max_conns = 512,
		.threads = cpus > 0 && cpus < 64 ? (unsigned)cpus : 2,
		.sql_dir = LDN_SQL_DIR,
		.docs_dir = LDN_DOCS_DIR,
	};
	const char *db = NULL, *kb = NULL, *web = getenv("LDN_WEB");
	const char *docs = getenv("LDN_DOCS");
	unsigned long long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			cfg.bind = optarg;
			break;
		case 'p':
			if (!count("port", optarg, 0, 65535, &v))
				return EX_USAGE_;
			cfg.port = (unsigned)v;
			break;
		case 'd':
			db = optarg;
			break;
		case 'k':
			kb = optarg;
			break;
		case 'w':
			web = optarg;
			break;
		case 'D':
			docs = optarg;
			break;
		case 'm':
			if (!count("max-body", optarg, 1u << 20, 1u << 30, &v))
				return EX_USAGE_;
			cfg.max_body = (size_t)v;
			break;
		case 't':
			if (!count("timeout", optarg, 1, 3600, &v))
				return EX_USAGE_;
			cfg.timeout_s = (unsigned)v;
			break;
		case 'c':
			if (!count("max-connections", optarg, 1, 65536, &v))
				return EX_USAGE_;
			cfg.max_conns = (unsigned)v;
			break;
		case 'n':
			if (!count("threads", optarg, 1, 256, &v))
				return EX_USAGE_;
			cfg.threads = (unsigned)v;
			break;
		case 'a':
			cfg.as_of = optarg;
			break;
		case 'q':
			cfg.quiet = true;
			break;
		case 'r':
			route_print(stdout);
			return EX_OK_;
		case 'C':
			cfg.tls_cert = optarg;
			break;
		case 'K':
			cfg.tls_key = optarg;
			break;
		case 'U':
			cfg.cds_url = optarg;
			break;
		case 'I':
			if (cfg.n_cds_issuers == 8) {
				cli_warn("--cds-issuer: at most 8 issuers");
				return EX_USAGE_;
			}
			cfg.cds_issuers[cfg.n_cds_issuers++] = optarg;
			break;
		case 'F':
			if (cfg.n_cds_fhir == 8 ||
			    strchr(optarg, '=') == NULL) {
				cli_warn(
				    "--cds-fhir-server: ISS=URL_PREFIX, at "
				    "most 8");
				return EX_USAGE_;
			}
			cfg.cds_fhir[cfg.n_cds_fhir++] = optarg;
			break;
		case 'J':
			if (cfg.n_cds_jku == 8 || strchr(optarg, '=') == NULL) {
				cli_warn("--cds-jku: ISS=URL, at most 8");
				return EX_USAGE_;
			}
			cfg.cds_jku[cfg.n_cds_jku++] = optarg;
			break;
		case 'h':
			cli_usage(&cmd_serve_entry, 0);
			return EX_OK_;
		default:
			cli_usage(&cmd_serve_entry, 1);
			return EX_USAGE_;
		}
	}
	if ((cfg.n_cds_issuers > 0 || cfg.n_cds_jku > 0) &&
	    cfg.cds_url == NULL) {
		cli_warn("--cds-issuer needs --cds-url, this server's public "
		         "base URL: a token's aud is checked against it");
		return EX_USAGE_;
	}
	if (optind != argc || !cfg.tls_cert != !cfg.tls_key) {
		if (!cfg.tls_cert != !cfg.tls_key)
			cli_warn("--tls-cert and --tls-key go together");
		cli_usage(&cmd_serve_entry, 1);
		return EX_USAGE_;
	}
	cfg.db_url = cli_db_url(db);
	cfg.kb_dir = cli_kb_dir(kb);
	cfg.web_dir = web && *web ? web : LDN_WEB_DIR;
	cfg.policy_dir = docs && *docs ? docs : LDN_POLICY_DIR;
	return server_run(&cfg);
}

const struct cmd_entry cmd_serve_entry = {
	.name = "serve",
	.usage = "[--bind ADDR] [--port N] [--db URL] [--kb DIR] [--web DIR] "
	         "[--docs DIR] "
	         "[--max-body BYTES] [--timeout S] [--max-connections N] "
	         "[--threads N] [--as-of DATE] [--quiet] [--routes] "
	         "[--tls-cert PEM --tls-key PEM] [--cds-url URL] "
	         "[--cds-issuer ISS=JWKS_FILE]... "
	         "[--cds-fhir-server ISS=URL_PREFIX]... [--cds-jku ISS=URL]...",
	.summary = "Serve the REST API (and its OpenAPI description).",
	.help =
	    "Listens on 127.0.0.1:8080 by default (--port 0: any free port;\n"
	    "the address is printed).  Request bodies up to --max-body\n"
	    "(default 8 MiB: a whole Synthea record is 2.5 MB; 1 MiB at\n"
	    "least) are read; larger ones get 413 as soon as they show.\n"
	    "Idle connections close after --timeout seconds (30).\n"
	    "SIGTERM or SIGINT stops it gracefully: no new connections,\n"
	    "requests in flight finish (up to 10 s).  The access log on\n"
	    "stderr names the route, never a patient: `POST /api/v1/plan\n"
	    "200 850us`.  Routes: GET /healthz, GET /metrics (Prometheus),\n"
	    "GET /api/v1/openapi.json, GET /api/v1/kb, POST /api/v1/plan,\n"
	    "GET|POST /api/v1/patients, POST /api/v1/patients/ID/visits,\n"
	    "GET /api/v1/patients/ID/next, GET /api/v1/patients/ID/history\n"
	    "(--routes lists them and exits).  The web page is GET / and\n"
	    "GET /web/NAME, read at start from --web DIR, else $LDN_WEB,\n"
	    "else the web/ of the source tree ldn was built from (missing:\n"
	    "a warning, and the API is served without it; GET / is 503).\n"
	    "GET /docs/editorial-policy is docs/editorial-policy.md, read\n"
	    "at start from --docs DIR, else $LDN_DOCS, else the docs/ of\n"
	    "the source tree (missing: a warning, and the route is 503).\n"
	    "The review queue: GET /api/v1/review, GET and POST\n"
	    "/api/v1/review/KIND/ID (reviewer tokens act; the review\n"
	    "states plans show follow the store's log within 2 s).\n"
	    "With --tls-cert and --tls-key (PEM files) it serves HTTPS only\n"
	    "(GnuTLS, through libmicrohttpd).\n"
	    "CDS Hooks: GET /cds-services; POST /cds-services/ID and\n"
	    "/cds-services/ID/feedback take the EHR's JWT (ES384 or RS384)\n"
	    "from an issuer named by --cds-issuer ISS=JWKS_FILE (or by\n"
	    "--cds-jku ISS=URL: a key set the token may name as its jku,\n"
	    "fetched when first named, and for a kid it lacks at most once\n"
	    "in 30 s per service), whose aud\n"
	    "is --cds-url (this server's public base URL) + the path;\n"
	    "prefetch the EHR leaves out is fetched from its fhirServer only\n"
	    "when --cds-fhir-server allows that server for the token's\n"
	    "issuer (allow https in production: the EHR's access token goes\n"
	    "with the request); else 412 names what is missing.\n",
	.exec = exec_serve,
};
