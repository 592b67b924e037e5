/*
 * test_ctl.c - the control socket's protocol (daemon/ctl.c, ctl_serve):
 * answers, lines split over reads, quit, and the clients it drops.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "support.h"
#include "ctl.h"
#include "sw_limits.h"

static void
status(void *arg, struct evbuffer *out)
{
	(*(int *)arg)++;
	evbuffer_add_printf(out, "packets 42\n");
}

/* Everything waiting in b, as a string (drained). */
static char *
take(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

START_TEST(answers_whole_lines_in_order)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	int calls = 0;
	char *s;

	evbuffer_add_printf(in, "stat");
	ck_assert_int_eq(ctl_serve(in, out, status, &calls), CTL_KEEP);
	ck_assert_uint_eq(evbuffer_get_length(out), 0);	/* half a line: no answer yet */
	evbuffer_add_printf(in, "us\r\nhelp\nnonsense\n");
	ck_assert_int_eq(ctl_serve(in, out, status, &calls), CTL_KEEP);
	ck_assert_int_eq(calls, 1);
	s = take(out);
	ck_assert_str_eq(s, "packets 42\n.\ncommands: status, help, quit\n.\n"
	    "error: unknown command (try help)\n.\n");
	free(s);
	evbuffer_free(in);
	evbuffer_free(out);
}
END_TEST

START_TEST(quit_closes_and_reads_no_further)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	int calls = 0;

	evbuffer_add_printf(in, "help\nquit\nstatus\n");
	ck_assert_int_eq(ctl_serve(in, out, status, &calls), CTL_CLOSE);
	ck_assert_int_eq(calls, 0);
	ck_assert_uint_eq(evbuffer_get_length(out), strlen("commands: status, help, quit\n.\n"));
	evbuffer_free(in);
	evbuffer_free(out);
}
END_TEST

START_TEST(drops_long_lines_and_clients_that_do_not_read)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	char line[CTL_MAX_LINE + 2];
	int calls = 0;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	evbuffer_add_printf(in, "%s\n", line);		/* one byte too long */
	ck_assert_int_eq(ctl_serve(in, out, status, &calls), CTL_DROP);
	evbuffer_drain(in, evbuffer_get_length(in));
	evbuffer_add_printf(in, "%s", line);		/* no end in sight */
	ck_assert_int_eq(ctl_serve(in, out, status, &calls), CTL_DROP);
	evbuffer_drain(in, evbuffer_get_length(in));
	for (int i = 0; i < CTL_MAX_OUT / 8; i++)
		evbuffer_add_printf(in, "help\n");
	ck_assert_int_eq(ctl_serve(in, out, status, &calls), CTL_DROP);
	ck_assert_uint_gt(evbuffer_get_length(out), CTL_MAX_OUT);
	evbuffer_free(in);
	evbuffer_free(out);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("protocol");

	tcase_add_test(tc, answers_whole_lines_in_order);
	tcase_add_test(tc, quit_closes_and_reads_no_further);
	tcase_add_test(tc, drops_long_lines_and_clients_that_do_not_read);
	suite_add_tcase(s, tc);
	return s;
}
