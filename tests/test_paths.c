/*
 * test_paths.c - one table of default paths (core/paths.h) and one list of
 * restart-only keys (core/config.c): the configuration's defaults are the
 * table's, a reload keeps exactly the restart keys, and the man pages and
 * the shipped configuration say what the code does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "config.h"
#include "paths.h"

/* A file's text, troff's "\-" read as "-". */
static char *
slurp(const char *path)
{
	static char buf[1 << 18];
	FILE *f = fopen(path, "r");
	size_t n, j = 0;

	ck_assert_msg(f != NULL, "%s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	ck_assert(feof(f));
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!(buf[i] == '\\' && i + 1 < n && buf[i + 1] == '-'))
			buf[j++] = buf[i];
	buf[j] = '\0';
	return strdup(buf);
}

/* The part of text from the first `from` to the next `to` (or the end). */
static char *
section(char *text, const char *from, const char *to)
{
	char *a = strstr(text, from), *b;

	ck_assert_msg(a != NULL, "no %s", from);
	if ((b = strstr(a + strlen(from), to)) != NULL)
		*b = '\0';
	return a;
}

/* A default as the Debian package installs it (PREFIX=/usr): /etc/spanwatch, /usr/share/spanwatch. */
static const char *
installed(const char *p)
{
	static char out[512];

	if (strncmp(p, SW_SYSCONFDIR "/", strlen(SW_SYSCONFDIR) + 1) == 0)
		snprintf(out, sizeof(out), "/etc/spanwatch%s", p + strlen(SW_SYSCONFDIR));
	else if (strncmp(p, SW_DATADIR "/", strlen(SW_DATADIR) + 1) == 0)
		snprintf(out, sizeof(out), "/usr/share/spanwatch%s", p + strlen(SW_DATADIR));
	else
		snprintf(out, sizeof(out), "%s", p);
	return out;
}

START_TEST(the_configuration_defaults_are_the_table)
{
	struct config c;

	config_defaults(&c);
	ck_assert_str_eq(c.database, PATH_DB);
	ck_assert_str_eq(c.control_socket, PATH_CONTROL_SOCKET);
	ck_assert_str_eq(c.oui_dir, PATH_OUI_DIR);
	ck_assert_str_eq(c.oui_override, PATH_OUI_OVERRIDE);
	ck_assert_str_eq(c.risk_policy, PATH_RISK_POLICY);
	ck_assert_str_eq(c.vendors, PATH_VENDORS);
	ck_assert_str_eq(c.services, PATH_SERVICES);
	ck_assert_str_eq(c.export_dir, PATH_EXPORT_DIR);
	ck_assert_str_eq(c.fwd_spool, PATH_FWD_SPOOL);
	ck_assert_str_eq(CONFIG_DEFAULT, PATH_CONFIG);
}
END_TEST

START_TEST(the_man_pages_and_the_shipped_file_give_the_same_defaults)
{
	const char *every[] = { PATH_CONFIG, PATH_RISK_POLICY, PATH_DB, PATH_CONTROL_SOCKET,
	    PATH_OUI_DIR, PATH_OUI_OVERRIDE, PATH_EXPORT_DIR, PATH_FWD_SPOOL, PATH_VENDORS,
	    PATH_SERVICES };
	const char *cli[] = { PATH_CONFIG, PATH_DB, PATH_CONTROL_SOCKET, PATH_OUI_OVERRIDE };
	const char *daemon[] = { PATH_CONFIG, PATH_DB, PATH_CONTROL_SOCKET };
	char *conf5 = slurp("docs/man/spanwatch.conf.5"), *shipped = slurp("packaging/spanwatch.conf");
	char *man1 = slurp("docs/man/spanwatch.1"), *man8 = slurp("docs/man/spanwatchd.8");

	for (size_t i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		ck_assert_msg(strstr(conf5, installed(every[i])), "spanwatch.conf.5: no %s", installed(every[i]));
		ck_assert_msg(strstr(shipped, installed(every[i])), "packaging/spanwatch.conf: no %s",
		    installed(every[i]));
	}
	for (size_t i = 0; i < sizeof(cli) / sizeof(cli[0]); i++)
		ck_assert_msg(strstr(man1, installed(cli[i])), "spanwatch.1: no %s", installed(cli[i]));
	for (size_t i = 0; i < sizeof(daemon) / sizeof(daemon[0]); i++)
		ck_assert_msg(strstr(man8, installed(daemon[i])), "spanwatchd.8: no %s", installed(daemon[i]));
	free(conf5);
	free(shipped);
	free(man1);
	free(man8);
}
END_TEST

/* How a man page names a restart key: "[capture]" for a section, the key's name otherwise. */
static void
assert_names_every_restart_key(const char *page, const char *text)
{
	for (int i = 0; config_restart_keys[i]; i++) {
		const char *k = config_restart_keys[i], *dot = strchr(k, '.');
		char want[64];

		if (dot[1] == '\0')
			snprintf(want, sizeof(want), "[%.*s]", (int)(dot - k), k);
		else
			snprintf(want, sizeof(want), "%s", dot + 1);
		ck_assert_msg(strstr(text, want), "%s: the restart keys do not name %s", page, want);
	}
}

START_TEST(the_man_pages_list_the_restart_keys)
{
	char *conf5 = slurp("docs/man/spanwatch.conf.5"), *man8 = slurp("docs/man/spanwatchd.8");

	assert_names_every_restart_key("spanwatch.conf.5 RELOADING", section(conf5, ".SH RELOADING", ".SH "));
	assert_names_every_restart_key("spanwatchd.8 SIGHUP", section(man8, ".B SIGHUP", ".PP"));
	free(conf5);
	free(man8);
}
END_TEST

START_TEST(a_reload_keeps_exactly_the_restart_keys)
{
	struct config run, next;

	ck_assert(config_needs_restart("capture.bpf"));
	ck_assert(config_needs_restart("store.database"));
	ck_assert(config_needs_restart("forward.host"));
	ck_assert(!config_needs_restart("store.database_x"));
	ck_assert(!config_needs_restart("store.flush_interval_ms"));
	ck_assert(!config_needs_restart("risk.policy"));
	config_defaults(&run);
	config_defaults(&next);
	snprintf(run.interface, sizeof(run.interface), "eth1");
	run.database_set = true;
	run.flows_max = 4096;
	snprintf(next.interface, sizeof(next.interface), "eth9");
	snprintf(next.database, sizeof(next.database), "/tmp/other.db");
	next.flows_max = 8192;
	next.flush_interval_ms = 250;
	snprintf(next.risk_policy, sizeof(next.risk_policy), "/tmp/risk.conf");
	config_keep_restart_keys(&next, &run);
	ck_assert_str_eq(next.interface, "eth1");
	ck_assert_str_eq(next.database, PATH_DB);
	ck_assert(next.database_set);
	ck_assert_int_eq(next.flows_max, 4096);
	ck_assert_int_eq(next.flush_interval_ms, 250);		/* reloadable: the new value */
	ck_assert_str_eq(next.risk_policy, "/tmp/risk.conf");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, the_configuration_defaults_are_the_table);
	tcase_add_test(tc, the_man_pages_and_the_shipped_file_give_the_same_defaults);
	tcase_add_test(tc, the_man_pages_list_the_restart_keys);
	tcase_add_test(tc, a_reload_keeps_exactly_the_restart_keys);
	suite_add_tcase(s, tc);
	return s;
}
