/*
 * fuzz_config.c - libFuzzer harness for spanwatch.conf's parser
 * (core/config.c over libinih), fed as the file it reads.
 *
 * Input: the file's bytes.  The file lives in memory (memfd) and is read
 * through its /proc/self/fd path, as config_load() opens any file.
 * Checks: a refused file leaves the settings untouched and names the file;
 * an accepted one yields NUL-terminated strings and integers in range,
 * and reading it again gives the same settings (config_diff finds none).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_config: %s\n", what);
	abort();
}

static void
diff_cb(void *arg, const char *key, const char *was, const char *now)
{
	(void)arg;
	fprintf(stderr, "fuzz_config: %s read twice differs: %s / %s\n", key, was, now);
	abort();
}

static void
check_loaded(const struct config *c)
{
	if (memchr(c->interface, 0, sizeof(c->interface)) == NULL ||
	    memchr(c->database, 0, sizeof(c->database)) == NULL ||
	    memchr(c->memory_max, 0, sizeof(c->memory_max)) == NULL ||
	    memchr(c->export_at, 0, sizeof(c->export_at)) == NULL ||
	    memchr(c->events_severity, 0, sizeof(c->events_severity)) == NULL)
		fail("a string setting without its NUL");
	if (c->workers < 1 || c->snaplen < 64 || c->fwd_port < 1 || c->fwd_port > 65535 ||
	    c->flows_max < 1024 || c->log_level < LOGLEVEL_INFO || c->log_level > LOGLEVEL_DEBUG)
		fail("a number out of its range");
	if (c->export_at[0] && strlen(c->export_at) != 5)
		fail("export_at accepted that is no HH:MM");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, before, again;
	char err[1024];

	if (fd < 0) {
		if ((fd = memfd_create("fuzz-config", 0)) < 0)
			fail("memfd_create");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		fail("cannot write the memfd");
	config_defaults(&c);
	before = c;
	err[0] = '\0';
	if (config_load(&c, path, true, err, sizeof(err)) != 0) {
		if (memcmp(&c, &before, sizeof(c)) != 0)
			fail("a refused file changed the settings");
		if (strncmp(err, path, strlen(path)) != 0)
			fail("an error that does not name the file");
		return 0;
	}
	check_loaded(&c);
	config_defaults(&again);
	if (config_load(&again, path, true, err, sizeof(err)) != 0)
		fail("the same file refused the second time");
	(void)config_diff(&c, &again, diff_cb, NULL);
	(void)config_diff(&before, &c, NULL, NULL);
	return 0;
}
