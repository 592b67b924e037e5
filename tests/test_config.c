/*
 * test_config.c - spanwatch.conf: defaults, good files, every kind of bad
 * line reported with its line number, reload diffs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "config.h"
#include "sw_limits.h"

static char path[64];

/* Write text to a fresh temporary file; its name is in path. */
static const char *
conf_file(const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/sw-test-config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
remove_conf(void)
{
	if (path[0])
		unlink(path);
	path[0] = '\0';
}

/* Load text; expect failure with exactly "FILE:want". */
static void
assert_error(const char *text, const char *want)
{
	struct config c;
	char err[600], full[700];

	config_defaults(&c);
	conf_file(text);
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), -1);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	ck_assert_str_eq(err, full);
	remove_conf();
}

START_TEST(defaults)
{
	struct config c;

	config_defaults(&c);
	ck_assert_str_eq(c.database, "/var/lib/spanwatch/spanwatch.db");
	ck_assert(!c.database_set);
	ck_assert_str_eq(c.control_socket, "/run/spanwatch/spanwatchd.sock");
	ck_assert(!c.control_socket_set);
	ck_assert_int_eq(c.flush_interval_ms, STORE_FLUSH_MS_DEFAULT);
	ck_assert_int_eq(c.flush_max_obs, STORE_FLUSH_OBS_DEFAULT);
	ck_assert_int_eq(c.flows_max, FLOW_MAX_DEFAULT);
	ck_assert_int_eq(c.snaplen, 262144);
	ck_assert_int_eq(c.buffer_mb, 32);
	ck_assert_int_eq(c.log_level, LOGLEVEL_INFO);
	ck_assert(c.ndpi);
	ck_assert_str_eq(c.interface, "");
	ck_assert_str_eq(c.path, "");
}
END_TEST

START_TEST(good_file_sets_every_kind_of_key)
{
	struct config c;
	char err[600];

	config_defaults(&c);
	conf_file("; spanwatch.conf\n"
	    "# a comment\n"
	    "\n"
	    "[capture]\n"
	    "interface = eth1\n"
	    "bpf = not port 22 and not port 514\n"
	    "buffer_mb = 256\n"
	    "[store]\n"
	    "database=/srv/sw.db\n"
	    "flush_interval_ms = 500 ; inline comment\n"
	    "[limits]\n"
	    "flows_max = 200000\n"
	    "[daemon]\n"
	    "user = swuser\n"
	    "control_socket = /tmp/sw.sock\n"
	    "log_level = Debug\n"
	    "[ndpi]\n"
	    "enabled = no\n");
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), 0);
	ck_assert_str_eq(c.interface, "eth1");
	ck_assert_str_eq(c.bpf, "not port 22 and not port 514");
	ck_assert_int_eq(c.buffer_mb, 256);
	ck_assert_str_eq(c.database, "/srv/sw.db");
	ck_assert(c.database_set);
	ck_assert_int_eq(c.flush_interval_ms, 500);
	ck_assert_int_eq(c.flows_max, 200000);
	ck_assert_str_eq(c.user, "swuser");
	ck_assert_str_eq(c.control_socket, "/tmp/sw.sock");
	ck_assert(c.control_socket_set);
	ck_assert_int_eq(c.log_level, LOGLEVEL_DEBUG);
	ck_assert(!c.ndpi);
	ck_assert_str_eq(c.path, path);
	/* Keys not in the file keep their defaults. */
	ck_assert_int_eq(c.snaplen, 262144);
	ck_assert_int_eq(c.flush_max_obs, STORE_FLUSH_OBS_DEFAULT);
	remove_conf();
}
END_TEST

START_TEST(missing_file_is_fine_unless_required)
{
	struct config c;
	char err[600] = "";

	config_defaults(&c);
	c.flows_max = 4242;
	ck_assert_int_eq(config_load(&c, "/nonexistent/spanwatch.conf", false, err, sizeof(err)), 0);
	ck_assert_int_eq(c.flows_max, 4242);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(config_load(&c, "/nonexistent/spanwatch.conf", true, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/spanwatch.conf: No such file or directory");
}
END_TEST

START_TEST(unknown_key_names_line_key_and_section)
{
	assert_error("[capture]\ninterface = eth0\nintreface = eth1\n",
	    "3: unknown key 'intreface' in [capture]");
}
END_TEST

START_TEST(unknown_section)
{
	assert_error("# x\n[captur]\ninterface = eth0\n", "3: unknown section [captur]");
}
END_TEST

START_TEST(key_outside_a_section)
{
	assert_error("database = /x.db\n",
	    "1: 'database' is outside any section: put it under [section]");
}
END_TEST

START_TEST(bad_numbers_give_the_range)
{
	assert_error("[limits]\n\n\nflows_max = abc\n",
	    "4: flows_max: 'abc' is not a number (1024..16777216)");
	assert_error("[limits]\nflows_max = 12x\n",
	    "2: flows_max: '12x' is not a number (1024..16777216)");
	assert_error("[capture]\nsnaplen = 10\n", "2: snaplen: 10 is out of range (64..262144)");
	assert_error("[store]\nflush_interval_ms = 99999999999999999999\n",
	    "2: flush_interval_ms: 99999999999999999999 is out of range (50..60000)");
	/* half the queue at most: the other half holds what comes before the flush */
	assert_error("[store]\nflush_max_obs = 16384\n", "2: flush_max_obs: 16384 is out of range (16..8192)");
}
END_TEST

START_TEST(bad_bool_and_enum)
{
	assert_error("[ndpi]\nenabled = maybe\n", "2: enabled: 'maybe' is not yes or no");
	assert_error("[daemon]\nlog_level = loud\n",
	    "2: log_level: 'loud' is not one of info|verbose|debug");
}
END_TEST

START_TEST(syntax_error_line)
{
	assert_error("[capture]\ninterface = eth0\nthis line has no equals sign\n",
	    "3: syntax error (expected [section], key = value or a comment)");
	assert_error("[capture\n", "1: syntax error (expected [section], key = value or a comment)");
}
END_TEST

START_TEST(first_error_wins)
{
	/* A syntax error before a bad key, and a bad key before a syntax error. */
	assert_error("[capture]\nnonsense\n[limits]\nflows_max = x\n",
	    "2: syntax error (expected [section], key = value or a comment)");
	assert_error("[limits]\nflows_max = x\n[capture]\nnonsense\nbogus = 1\n",
	    "2: flows_max: 'x' is not a number (1024..16777216)");
}
END_TEST

START_TEST(long_line_is_an_error_with_its_number)
{
	char text[600];

	snprintf(text, sizeof(text), "[capture]\nbpf = %0300d\ninterface = eth0\n", 0);
	assert_error(text, "2: line longer than 198 characters");
	/* And the line count after it is still right. */
	snprintf(text, sizeof(text), "[capture]\n# %0300d\nintreface = eth0\n", 0);
	assert_error(text, "2: line longer than 198 characters");
}
END_TEST

START_TEST(value_too_long_for_its_field)
{
	char text[300];

	snprintf(text, sizeof(text), "[capture]\ninterface = %070d\n", 0);
	assert_error(text, "2: interface: value longer than 63 characters");
}
END_TEST

START_TEST(failed_load_leaves_config_untouched)
{
	struct config c;
	char err[600];

	config_defaults(&c);
	conf_file("[capture]\ninterface = eth9\n[limits]\nflows_max = nope\n");
	ck_assert_int_eq(config_load(&c, path, true, err, sizeof(err)), -1);
	ck_assert_str_eq(c.interface, "");
	ck_assert_int_eq(c.flows_max, FLOW_MAX_DEFAULT);
	remove_conf();
}
END_TEST

struct diffs {
	int	 n;
	char	 text[4][200];
};

static void
on_diff(void *arg, const char *key, const char *was, const char *now)
{
	struct diffs *d = arg;

	if (d->n < 4)
		snprintf(d->text[d->n], sizeof(d->text[0]), "%s %s -> %s", key, was, now);
	d->n++;
}

START_TEST(diff_names_changed_keys)
{
	struct config a, b;
	struct diffs d = { 0 };

	config_defaults(&a);
	b = a;
	ck_assert_int_eq(config_diff(&a, &b, on_diff, &d), 0);
	b.flows_max = 5000;
	snprintf(b.bpf, sizeof(b.bpf), "tcp");
	b.ndpi = false;
	b.log_level = LOGLEVEL_VERBOSE;
	ck_assert_int_eq(config_diff(&a, &b, on_diff, &d), 4);
	ck_assert_int_eq(d.n, 4);
	/* In key-table order: [capture], [limits], [daemon], [ndpi]. */
	ck_assert_str_eq(d.text[0], "capture.bpf '' -> 'tcp'");
	ck_assert_str_eq(d.text[1], "limits.flows_max 65536 -> 5000");
	ck_assert_str_eq(d.text[2], "daemon.log_level info -> verbose");
	ck_assert_str_eq(d.text[3], "ndpi.enabled yes -> no");
}
END_TEST

/*
 * memory_max: the daemon and packaging/systemd/spanwatch-generator accept
 * the same sizes, so systemd never gets a MemoryMax the daemon refuses.
 */
START_TEST(memory_max_daemon_and_generator_agree)
{
	static const struct { const char *v; bool ok; } sizes[] = {
		{ "512M", true }, { "2G", true }, { "infinity", true }, { "67108864", true },
		{ "65536K", true }, { "1T", true }, { "0100M", true },
		{ "67108863", false }, { "63M", false }, { "512X", false }, { "1G5", false },
		{ "512m", false }, { "-1G", false }, { "1.5G", false }, { "999999999999T", false },
		{ "1234567890123", false }, { "G", false },
	};
	char text[128], cmd[400], dropin[300], err[600];
	struct config c;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\nmemory_max = %s ; comment\n", sizes[i].v);
		config_defaults(&c);
		conf_file(text);
		ck_assert_msg((config_load(&c, path, true, err, sizeof(err)) == 0) == sizes[i].ok,
		    "daemon on %s: %s", sizes[i].v, err);
		if (sizes[i].ok)
			ck_assert_str_eq(c.memory_max, sizes[i].v);
		else
			ck_assert_ptr_nonnull(strstr(err, ":2: memory_max: '"));
		snprintf(dropin, sizeof(dropin), "%s.d/spanwatchd.service.d/50-memory.conf", path);
		snprintf(cmd, sizeof(cmd), "SPANWATCH_CONF=%s sh packaging/systemd/spanwatch-generator "
		    "%s.d %s.e %s.l 2>/dev/null </dev/null >/dev/null", path, path, path, path);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert_msg((access(dropin, R_OK) == 0) == sizes[i].ok, "generator on %s", sizes[i].v);
		snprintf(cmd, sizeof(cmd), "rm -rf %s.d", path);
		ck_assert_int_eq(system(cmd), 0);
		remove_conf();
	}
}
END_TEST

/*
 * export_dir outside /var/lib/spanwatch: the generator makes it writable
 * under ProtectSystem=strict; under it, or unusable in a unit file, not.
 */
START_TEST(generator_makes_the_export_dir_writable)
{
	static const struct { const char *dir, *want; } dirs[] = {
		{ "/mnt/soc/spanwatch", "ReadWritePaths=-/mnt/soc/spanwatch\n" },
		{ "/var/lib/spanwatch/exports", NULL },
		{ "/mnt/soc share", NULL }, { "relative/dir", NULL }, { "/mnt/%h", NULL },
	};
	char text[200], cmd[400], dropin[300], got[200];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		FILE *f;
		size_t n = 0;

		snprintf(text, sizeof(text), "[daemon]\n[export]\nexport_dir = %s ; the share\n",
		    dirs[i].dir);
		conf_file(text);
		snprintf(dropin, sizeof(dropin), "%s.d/spanwatchd.service.d/50-export-dir.conf", path);
		snprintf(cmd, sizeof(cmd), "SPANWATCH_CONF=%s sh packaging/systemd/spanwatch-generator "
		    "%s.d %s.e %s.l 2>/dev/null </dev/null >/dev/null", path, path, path, path);
		ck_assert_int_eq(system(cmd), 0);
		if ((f = fopen(dropin, "r")) != NULL) {
			n = fread(got, 1, sizeof(got) - 1, f);
			fclose(f);
		}
		got[n] = '\0';
		if (dirs[i].want)
			ck_assert_msg(strstr(got, dirs[i].want) != NULL, "%s: %s", dirs[i].dir, got);
		else
			ck_assert_msg(f == NULL, "a drop-in for %s", dirs[i].dir);
		snprintf(cmd, sizeof(cmd), "rm -rf %s.d", path);
		ck_assert_int_eq(system(cmd), 0);
		remove_conf();
	}
}
END_TEST

/* The shipped, commented configuration parses and changes nothing. */
START_TEST(shipped_file_parses_to_the_defaults)
{
	struct config def, c;
	char err[600];

	config_defaults(&def);
	c = def;
	ck_assert_msg(config_load(&c, "packaging/spanwatch.conf", true, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(config_diff(&def, &c, NULL, NULL), 0);
	ck_assert(!c.database_set);
	ck_assert(!c.control_socket_set);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, good_file_sets_every_kind_of_key);
	tcase_add_test(tc, missing_file_is_fine_unless_required);
	tcase_add_test(tc, unknown_key_names_line_key_and_section);
	tcase_add_test(tc, unknown_section);
	tcase_add_test(tc, key_outside_a_section);
	tcase_add_test(tc, bad_numbers_give_the_range);
	tcase_add_test(tc, bad_bool_and_enum);
	tcase_add_test(tc, syntax_error_line);
	tcase_add_test(tc, first_error_wins);
	tcase_add_test(tc, long_line_is_an_error_with_its_number);
	tcase_add_test(tc, value_too_long_for_its_field);
	tcase_add_test(tc, failed_load_leaves_config_untouched);
	tcase_add_test(tc, diff_names_changed_keys);
	tcase_add_test(tc, shipped_file_parses_to_the_defaults);
	tcase_add_test(tc, memory_max_daemon_and_generator_agree);
	tcase_add_test(tc, generator_makes_the_export_dir_writable);
	suite_add_tcase(s, tc);
	return s;
}
