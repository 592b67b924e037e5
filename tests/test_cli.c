/*
 * test_cli.c - the spanwatch commands on a real inventory: formats, filters,
 * exit codes, and hostile device strings stored in the database.
 *
 * A capture runs through the pipeline into a store; then one asset gets
 * evidence with every hostile byte a device could send (written straight
 * into SQLite, bypassing the daemon's sanitising, as an old or buggy writer
 * might).  The commands (cli/cli_*.c, compiled in) must still print valid
 * JSON, one-line CSV records and a terminal-safe table.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "sw_limits.h"
#include "obsq.h"
#include "oui.h"
#include "store.h"

#include "../cli/cli_out.c"
#include "../cli/cli_table.c"
#include "../cli/cli_filter.c"
#include "../cli/cli_db.c"
#include "../cli/cli_asset.c"
#include "../cli/cli_list.c"
#include "../cli/cli_show.c"
#include "../cli/cli_net.c"
#include "../cli/cli_stats.c"
#include "../cli/cli_oui.c"

#define CAPTURE	"s7comm/iti__s7comm_reading_plc_status.pcap"
#define PLC_IP	"192.168.1.40"
#define PLC_MAC	"00:1b:1b:23:eb:3b"

/* What a hostile device puts in its host name: ESC sequences, CR LF, quote, comma, bad UTF-8. */
static const char hostile[] = "=HYPERLINK(\"x\"),\r\n\x1b[2J\x1b]0;pwn\x07\xff\xfe end";

static char tmpdir[64], db[128];
static unsigned run_width;	/* the terminal width run() gives a command; 0: piped */

static void
ingest(const char *cap, const char *path)
{
	char err[512], errbuf[PCAP_ERRBUF_SIZE];
	struct pipeline_cfg cfg = { .ndpi = false };
	struct pcap_pkthdr *h;
	const u_char *data;
	struct store *st;
	struct oui_db *oui;
	struct obsq *q;
	struct obs_sink sink;
	struct pipeline *pl;
	pcap_t *pc;

	st = store_open(path, STORE_RW, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	oui = oui_load(NULL, NULL, err, sizeof(err));
	ck_assert_msg(oui != NULL, "%s", err);
	store_set_oui(st, oui);
	q = obsq_new(0);
	sink = obsq_sink(q);
	pl = pipeline_new(&cfg, &sink);
	pc = pcap_open_offline(cap, errbuf);
	ck_assert_msg(pc != NULL, "%s", errbuf);
	while (pcap_next_ex(pc, &h, &data) == 1)
		pipeline_packet(pl, pcap_datalink(pc), data, h->caplen, h->len,
		    (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec);
	pcap_close(pc);
	pipeline_free(pl);
	ck_assert_int_ge(store_ingest(st, q), 0);
	obsq_free(q);
	store_close(st);
	oui_free(oui);
}

/* Raw bytes into the database, as no sanitising writer would. */
static void
plant_hostile(const char *path)
{
	sqlite3 *d;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open(path, &d), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(d,
	    "INSERT INTO evidence (asset_id, attribute, value, source, confidence, "
	    "first_seen, last_seen, count) SELECT id, 'hostname', ?1, 'test', 99, 1, 2, 1 "
	    "FROM assets WHERE mac = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, hostile, sizeof(hostile) - 1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, PLC_MAC, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(d), 1);
	sqlite3_finalize(st);
	sqlite3_close(d);
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sw-cli-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(db, sizeof(db), "%s/sw.db", tmpdir);
	ingest(shared_pcap(CAPTURE), db);
	plant_hostile(db);
}

static void
teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

struct run {
	int	 rc;
	char	*out, *err;
	size_t	 outlen, errlen;
};

/* One command as main() runs it (without the busy retry). */
static struct run
run(const struct cli_cmd *c, const char *dbpath, ...)
{
	char *argv[16], name[64];
	int argc = 0;
	struct cli cli = { 0 };
	struct run r = { 0 };
	va_list ap;

	snprintf(name, sizeof(name), "%s", c->name);	/* argv is writable, the table is not */
	argv[argc++] = name;
	va_start(ap, dbpath);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	cli.db_path = dbpath;
	cli.view.width = run_width;
	cli.out = open_memstream(&r.out, &r.outlen);
	cli.err = open_memstream(&r.err, &r.errlen);
	optind = 0;
	r.rc = c->needs_db ? cli_db_open(&cli) : EXIT_OK;
	if (r.rc == EXIT_OK)
		r.rc = c->run(&cli, argc, argv);
	cli_db_close(&cli);
	fclose(cli.out);
	fclose(cli.err);
	ck_assert(!cli.busy);
	return r;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static bool
has_raw_control(const char *s, bool allow_newline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(allow_newline && (*p == '\n' || *p == '\r'))) || *p == 0x7f)
			return true;
	return false;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static json_t *
parse(const struct run *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	ck_assert_msg(j != NULL, "invalid JSON: %s (line %d): %.200s", e.text, e.line, r->out);
	return j;
}

static json_t *
asset_with_mac(json_t *arr, const char *mac)
{
	size_t i;
	json_t *a;

	json_array_foreach(arr, i, a)
		if (jtext(a, "mac") && strcmp(jtext(a, "mac"), mac) == 0)
			return a;
	return NULL;
}

START_TEST(list_json_follows_the_schema_and_survives_hostile_strings)
{
	static const char *const keys[] = { "id", "mac", "ips", "vendor", "model", "firmware",
	    "serial", "hostname", "os", "roles", "protocols", "risk", "first_seen", "last_seen" };
	struct run r = run(&cmd_list, db, "--json", NULL);
	json_t *arr, *plc;

	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert(json_is_array(arr));
	ck_assert_uint_eq(json_array_size(arr), 2);	/* the PLC and the engineering PC */
	plc = asset_with_mac(arr, PLC_MAC);
	ck_assert_ptr_nonnull(plc);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		ck_assert_msg(json_object_get(plc, keys[k]) != NULL, "key %s missing", keys[k]);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(plc, "ips"), 0)), PLC_IP);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(plc, "protocols"), 0)),
	    "s7comm");
	ck_assert_ptr_nonnull(jtext(json_object_get(plc, "risk"), "level"));
	ck_assert(json_is_array(json_object_get(json_object_get(plc, "risk"), "reasons")));
	ck_assert_ptr_nonnull(strstr(jtext(plc, "oui_vendor"), "Siemens"));
	/* The planted value won (confidence 99); its bad bytes became \xHH text. */
	ck_assert_str_eq(jtext(plc, "hostname"),
	    "=HYPERLINK(\"x\"),\r\n\x1b[2J\x1b]0;pwn\x07\\xFF\\xFE end");
	ck_assert_ptr_nonnull(strstr(jtext(plc, "first_seen"), "T"));
	ck_assert_uint_eq(strlen(jtext(plc, "last_seen")), 20);
	/* jansson escaped every control byte: the document is one clean text. */
	ck_assert(!has_raw_control(r.out, true));
	json_decref(arr);
	run_free(&r);
}
END_TEST

START_TEST(list_csv_is_one_record_per_line_and_neutralised)
{
	struct run r = run(&cmd_list, db, "--csv", NULL);
	char *line, *save = NULL;
	size_t n = 0;
	bool seen = false;

	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_uint_eq(count_lines(r.out), 3);	/* header + 2 assets */
	ck_assert(!has_raw_control(r.out, true));
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		ck_assert_uint_gt(strlen(line), 0);
		ck_assert_int_eq(line[strlen(line) - 1], '\r');	/* CRLF */
		if (strstr(line, PLC_MAC)) {
			/* formula neutralised, quotes doubled, field quoted for its comma */
			ck_assert_ptr_nonnull(strstr(line,
			    ",\"'=HYPERLINK(\"\"x\"\"),\\x0D\\x0A\\x1B[2J\\x1B]0;pwn\\x07\\xFF\\xFE end\","));
			seen = true;
		}
	}
	ck_assert(seen);
	ck_assert_uint_eq(n, 3);
	run_free(&r);
}
END_TEST

START_TEST(list_table_is_terminal_safe)
{
	struct run r = run(&cmd_list, db, NULL);

	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_uint_eq(count_lines(r.out), 3);
	ck_assert(!has_raw_control(r.out, true));
	ck_assert_ptr_null(strchr(r.out, '\x1b'));
	ck_assert_ptr_nonnull(strstr(r.out, PLC_IP));
	/* piped (no width): the whole value, escaped */
	ck_assert_ptr_nonnull(strstr(r.out, "=HYPERLINK(\"x\"),\\x0D\\x0A\\x1B[2J"));
	run_free(&r);
	/* on an 80-column terminal every line fits, the address whole */
	run_width = 80;
	r = run(&cmd_list, db, NULL);
	run_width = 0;
	ck_assert_int_eq(r.rc, EXIT_OK);
	for (char *ln = r.out, *nl; (nl = strchr(ln, '\n')) != NULL; ln = nl + 1)
		ck_assert_msg(nl - ln <= 80, "line of %d columns", (int)(nl - ln));
	ck_assert_ptr_nonnull(strstr(r.out, PLC_IP));
	run_free(&r);
	/* show prints the whole value */
	r = run(&cmd_show, db, PLC_IP, NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_null(strchr(r.out, '\x1b'));
	ck_assert_ptr_nonnull(strstr(r.out, "\\x1B[2J\\x1B]0;pwn\\x07\\xFF\\xFE end"));
	run_free(&r);
}
END_TEST

START_TEST(list_filters_and_exit_codes)
{
	struct run r;
	json_t *arr;

	r = run(&cmd_list, db, "--vendor", "SIEMENS", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 1);
	ck_assert_str_eq(jtext(json_array_get(arr, 0), "mac"), PLC_MAC);
	json_decref(arr);
	run_free(&r);

	r = run(&cmd_list, db, "--proto", "s7comm", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 2);	/* server and client */
	json_decref(arr);
	run_free(&r);

	r = run(&cmd_list, db, "--role", "plc", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 1);
	json_decref(arr);
	run_free(&r);

	r = run(&cmd_list, db, "--role", "dnp3_master", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	arr = parse(&r);		/* still a valid (empty) array */
	ck_assert_uint_eq(json_array_size(arr), 0);
	json_decref(arr);
	run_free(&r);

	/* Several values: repeated or comma-separated, any one matches. */
	r = run(&cmd_list, db, "--role", "dnp3_master", "--role", "plc", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 1);
	json_decref(arr);
	run_free(&r);
	r = run(&cmd_list, db, "--role", "plc,s7_client", "--risk", "none,unknown", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 2);
	json_decref(arr);
	run_free(&r);
	/* Networks: --subnet CIDR and --ip, together one set. */
	r = run(&cmd_list, db, "--subnet", "192.168.1.32/28", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 1);	/* .40 in .32-.47, .10 not */
	ck_assert_str_eq(jtext(json_array_get(arr, 0), "mac"), PLC_MAC);
	json_decref(arr);
	run_free(&r);
	r = run(&cmd_list, db, "--subnet", "10.0.0.0/8", "--ip", "192.168.1.10", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	arr = parse(&r);
	ck_assert_uint_eq(json_array_size(arr), 1);
	ck_assert_str_eq(jtext(json_array_get(arr, 0), "mac"), "90:e6:ba:84:5e:41");
	json_decref(arr);
	run_free(&r);
	r = run(&cmd_list, db, "--subnet", "10.0.0.0/8", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	run_free(&r);
	r = run(&cmd_list, db, "--subnet", "192.168.1.0/33", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "--subnet"));
	run_free(&r);
	r = run(&cmd_list, db, "--ip", "192.168.1.0/24", NULL);	/* an address, not a network */
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);

	r = run(&cmd_list, db, "--since", "2100-01-01", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	run_free(&r);
	r = run(&cmd_list, db, "--since", "2000-01-01T00:00:00Z", "--csv", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	run_free(&r);
	r = run(&cmd_list, db, "--risk", "sky-high", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "--risk"));
	run_free(&r);
	r = run(&cmd_list, db, "--since", "yesterday", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
	r = run(&cmd_list, db, "--bogus", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
	r = run(&cmd_list, db, "extra", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
}
END_TEST

START_TEST(show_finds_by_id_ip_and_mac_with_all_details)
{
	struct run r = run(&cmd_show, db, PLC_IP, "--json", NULL);
	json_t *a, *e;
	char id[24];
	size_t i;
	bool found = false;

	ck_assert_int_eq(r.rc, EXIT_OK);
	a = parse(&r);
	ck_assert_str_eq(jtext(a, "mac"), PLC_MAC);
	ck_assert(json_array_size(json_object_get(a, "evidence")) > 3);
	json_array_foreach(json_object_get(a, "evidence"), i, e) {
		ck_assert_ptr_nonnull(jtext(e, "attribute"));
		ck_assert_ptr_nonnull(jtext(e, "value"));
		ck_assert(json_is_integer(json_object_get(e, "confidence")));
		ck_assert(json_is_integer(json_object_get(e, "count")));
		if (strcmp(jtext(e, "attribute"), "product_code") == 0 &&
		    strstr(jtext(e, "value"), "6ES7 151-8AB01-0AB0"))
			found = true;
	}
	ck_assert(found);	/* from SZL 0x0011 */
	ck_assert_uint_ge(json_array_size(json_object_get(a, "services")), 1);
	ck_assert_uint_ge(json_array_size(json_object_get(a, "peers")), 1);
	ck_assert_uint_ge(json_array_size(json_object_get(a, "addresses")), 1);
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(a, "id")));
	json_decref(a);
	run_free(&r);

	r = run(&cmd_show, db, "00:1B:1B:23:EB:3B", NULL);	/* MAC, any case; table */
	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "EVIDENCE"));
	ck_assert_ptr_nonnull(strstr(r.out, "PEERS"));
	ck_assert(!has_raw_control(r.out, true));
	run_free(&r);
	r = run(&cmd_show, db, id, NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, PLC_MAC));
	run_free(&r);
	r = run(&cmd_show, db, "10.99.99.99", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	run_free(&r);
	r = run(&cmd_show, db, "not-an-asset", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
	r = run(&cmd_show, db, NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
}
END_TEST

START_TEST(services_conversations_stats)
{
	struct run r = run(&cmd_services, db, "--json", "--port", "102", NULL);
	json_t *j;

	ck_assert_int_eq(r.rc, EXIT_OK);
	j = parse(&r);
	ck_assert_uint_eq(json_array_size(j), 1);
	ck_assert_str_eq(jtext(json_array_get(j, 0), "ip"), PLC_IP);
	ck_assert_str_eq(jtext(json_array_get(j, 0), "role"), "server");
	ck_assert_str_eq(jtext(json_array_get(j, 0), "transport"), "tcp");
	ck_assert_str_eq(jtext(json_array_get(j, 0), "first_seen"), "2014-08-20T10:05:28Z");
	json_decref(j);
	run_free(&r);

	r = run(&cmd_conversations, db, "--json", "--proto", "s7comm", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	j = parse(&r);
	ck_assert_uint_eq(json_array_size(j), 1);
	ck_assert_str_eq(jtext(json_array_get(j, 0), "server_ip"), PLC_IP);
	ck_assert_str_eq(jtext(json_array_get(j, 0), "client_ip"), "192.168.1.10");
	ck_assert_int_gt(json_integer_value(json_object_get(json_array_get(j, 0), "packets")), 100);
	/* first seen is the session's first packet, not the time it was reported */
	ck_assert_str_eq(jtext(json_array_get(j, 0), "first_seen"), "2014-08-20T10:05:28Z");
	ck_assert_str_eq(jtext(json_array_get(j, 0), "last_seen"), "2014-08-20T10:05:41Z");
	json_decref(j);
	run_free(&r);

	/* The same filters on services and conversations. */
	r = run(&cmd_services, db, "--json", "--port", "80,102", "--subnet", "192.168.1.0/24", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	j = parse(&r);
	ck_assert_uint_eq(json_array_size(j), 1);
	json_decref(j);
	run_free(&r);
	r = run(&cmd_services, db, "--ip", "192.168.1.10", NULL);	/* the client serves nothing */
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	run_free(&r);
	r = run(&cmd_conversations, db, "--json", "--ip", "192.168.1.10", "--proto", "modbus,s7comm", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);	/* either side */
	j = parse(&r);
	ck_assert_uint_eq(json_array_size(j), 1);
	json_decref(j);
	run_free(&r);
	r = run(&cmd_conversations, db, "--subnet", "10.0.0.0/8", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	run_free(&r);

	r = run(&cmd_conversations, db, "--proto", "modbus", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	run_free(&r);

	r = run(&cmd_stats, db, "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	j = parse(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "counts"), "assets")), 2);
	ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(j, "database"), "bytes")), 0);
	ck_assert_str_eq(jtext(json_array_get(json_object_get(j, "per_protocol"), 0), "protocol"), "s7comm");
	json_decref(j);
	run_free(&r);
	r = run(&cmd_stats, db, NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "assets"));
	run_free(&r);
}
END_TEST

START_TEST(database_errors_exit_3)
{
	char bad[160];
	FILE *f;
	struct run r = run(&cmd_list, "/nonexistent/sw.db", NULL);

	ck_assert_int_eq(r.rc, EXIT_DB);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/sw.db"));
	ck_assert_ptr_null(strstr(r.err, "locked"));
	run_free(&r);
	/* Not a database at all. */
	snprintf(bad, sizeof(bad), "%s/junk.db", tmpdir);
	f = fopen(bad, "w");
	fputs("this is not sqlite\n", f);
	fclose(f);
	r = run(&cmd_list, bad, NULL);
	ck_assert_int_eq(r.rc, EXIT_DB);
	run_free(&r);
	/* A directory: said so, with a file name to give instead. */
	r = run(&cmd_list, tmpdir, NULL);
	ck_assert_int_eq(r.rc, EXIT_DB);
	ck_assert_msg(strstr(r.err, "is a directory, not a database file") != NULL, "%s", r.err);
	run_free(&r);
}
END_TEST

/* A damaged page under an intact schema: the query fails; the message says what to do. */
START_TEST(corrupt_database_says_what_to_do)
{
	sqlite3 *d;
	sqlite3_stmt *st;
	int root = 0, psize = 0;
	char page[65536];
	FILE *f;
	struct run r;

	ck_assert_int_eq(sqlite3_open(db, &d), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(d, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(d, "SELECT (SELECT rootpage FROM sqlite_master "
	    "WHERE name = 'assets'), (SELECT page_size FROM pragma_page_size)", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	root = sqlite3_column_int(st, 0);
	psize = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(d);
	ck_assert_int_gt(root, 1);
	ck_assert_int_le(psize, (int)sizeof(page));
	memset(page, 0xff, sizeof(page));
	ck_assert_ptr_nonnull(f = fopen(db, "r+b"));
	ck_assert_int_eq(fseek(f, (long)(root - 1) * psize, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(page, 1, (size_t)psize, f), (size_t)psize);
	fclose(f);
	r = run(&cmd_list, db, NULL);
	ck_assert_int_eq(r.rc, EXIT_DB);
	ck_assert_msg(strstr(r.err, "malformed") != NULL, "%s", r.err);
	ck_assert_msg(strstr(r.err, "the file is damaged: move it aside") != NULL, "%s", r.err);
	ck_assert_msg(strstr(r.err, "restore a backup") != NULL, "%s", r.err);
	run_free(&r);
}
END_TEST

START_TEST(oui_update_validates_before_installing)
{
	char good[160], bad[160], dst[160];
	FILE *f;
	struct run r;

	snprintf(good, sizeof(good), "%s/good.csv", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.csv", tmpdir);
	snprintf(dst, sizeof(dst), "%s/override.csv", tmpdir);
	f = fopen(good, "w");
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,001B1B,Override Test Org,\"Werner-von-Siemens-Str. 50\n Amberg  DE 92224 \"\n"
	    "MA-L,000C29,\"VMware, Inc.\",3401 Hillview Avenue Palo Alto CA US 94304\n", f);
	fclose(f);
	f = fopen(bad, "w");
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,00ZZ11,Broken,nowhere\n", f);
	fclose(f);
	r = run(&cmd_oui, NULL, "update", bad, "--output", dst, NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:2"));
	ck_assert_int_ne(access(dst, F_OK), 0);		/* nothing installed */
	run_free(&r);
	r = run(&cmd_oui, NULL, "update", good, "--output", dst, NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	run_free(&r);
	/* The daemon's loader reads the result; the two-line address became one line. */
	{
		char err[256];
		size_t rows = 0;
		static const uint8_t siemens[6] = { 0x00, 0x1b, 0x1b, 1, 2, 3 };
		struct oui_db *o;

		ck_assert_int_eq(oui_validate_file(dst, &rows, err, sizeof(err)), 0);
		ck_assert_uint_eq(rows, 2);
		o = oui_load(NULL, dst, err, sizeof(err));
		ck_assert_msg(o != NULL, "%s", err);
		ck_assert_str_eq(oui_lookup(o, siemens)->org, "Override Test Org");
		ck_assert_str_eq(oui_lookup(o, siemens)->country, "DE");
		oui_free(o);
	}
	r = run(&cmd_oui, NULL, "update", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("commands");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, list_json_follows_the_schema_and_survives_hostile_strings);
	tcase_add_test(tc, list_csv_is_one_record_per_line_and_neutralised);
	tcase_add_test(tc, list_table_is_terminal_safe);
	tcase_add_test(tc, list_filters_and_exit_codes);
	tcase_add_test(tc, show_finds_by_id_ip_and_mac_with_all_details);
	tcase_add_test(tc, services_conversations_stats);
	tcase_add_test(tc, database_errors_exit_3);
	tcase_add_test(tc, corrupt_database_says_what_to_do);
	tcase_add_test(tc, oui_update_validates_before_installing);
	suite_add_tcase(s, tc);
	return s;
}
