/*
 * test_pcapfile.c - the pcap file reader (packet/pcapfile.c): both byte
 * orders, micro- and nanosecond stamps, records cut to the snapshot, a
 * file larger than the read buffer packet for packet as libpcap reads it,
 * records cut short or lying about their length, and the files it leaves
 * to libpcap.
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "pcapfile.h"
#include "sw_limits.h"

static char path[64];
static FILE *out;
static bool big_endian;

static void
put32(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	if (big_endian)
		b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
	fwrite(b, 1, 4, out);
}

static void
put16(uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	if (big_endian)
		b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
	fwrite(b, 1, 2, out);
}

static void
begin(bool be, uint32_t magic, uint16_t minor, uint32_t snap, uint32_t link)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/sw-pcapfile.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(out = fdopen(fd, "wb"));
	big_endian = be;
	put32(magic);
	put16(2);
	put16(minor);
	put32(0);
	put32(0);
	put32(snap);
	put32(link);
}

/* A record of n bytes, each (seq + i) & 0xff. */
static void
record(uint32_t sec, uint32_t frac, uint32_t n, uint32_t wire, uint32_t seq)
{
	put32(sec);
	put32(frac);
	put32(n);
	put32(wire);
	for (uint32_t i = 0; i < n; i++)
		fputc((int)((seq + i) & 0xff), out);
}

static struct pcapfile *
finish_and_open(int *fd)
{
	char err[256];
	struct pcapfile *r;

	ck_assert_int_eq(fclose(out), 0);
	ck_assert_int_ge(*fd = open(path, O_RDONLY), 0);
	r = pcapfile_open(*fd, err, sizeof(err));
	return r;
}

static void
done(struct pcapfile *r, int fd)
{
	pcapfile_close(r);
	close(fd);
	unlink(path);
}

START_TEST(little_endian_microseconds_cut_to_the_snapshot)
{
	const uint8_t *d;
	uint32_t cap, len;
	uint64_t ts;
	char err[256];
	int fd;
	struct pcapfile *r;

	begin(false, 0xa1b2c3d4, 4, 60, 1);
	record(1700000000, 123456, 42, 42, 7);
	record(1700000001, 5, 100, 1500, 9);	/* longer than the snapshot: cut to it */
	r = finish_and_open(&fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pcapfile_linktype(r), 1);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 1);
	ck_assert_uint_eq(cap, 42);
	ck_assert_uint_eq(len, 42);
	ck_assert_uint_eq(ts, 1700000000ull * 1000000 + 123456);
	ck_assert_uint_eq(d[0], 7);
	ck_assert_uint_eq(d[41], 7 + 41);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 1);
	ck_assert_uint_eq(cap, 60);
	ck_assert_uint_eq(len, 1500);
	ck_assert_uint_eq(d[59], 9 + 59);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 0);
	ck_assert_uint_eq(pcapfile_offset(r), 24 + 16 + 42 + 16 + 100);
	done(r, fd);
}
END_TEST

START_TEST(big_endian_nanoseconds_and_raw_ip)
{
	const uint8_t *d;
	uint32_t cap, len;
	uint64_t ts;
	char err[256];
	int fd;
	struct pcapfile *r;

	begin(true, 0xa1b23c4d, 4, 65535, 101);
	record(1600000000, 987654321, 20, 20, 0x45);
	r = finish_and_open(&fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pcapfile_linktype(r), 12);	/* LINKTYPE_RAW as libpcap gives it: DLT_RAW */
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 1);
	ck_assert_uint_eq(ts, 1600000000ull * 1000000 + 987654);
	ck_assert_uint_eq(cap, 20);
	ck_assert_uint_eq(d[0], 0x45);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 0);
	done(r, fd);
}
END_TEST

/* More than the read buffer holds, with records of every size across its end. */
START_TEST(larger_than_the_buffer_as_libpcap_reads_it)
{
	char err[256], perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *pd;
	const uint8_t *d;
	uint32_t cap, len, n = 0, total = 0;
	uint64_t ts;
	int fd;
	struct pcapfile *r;
	pcap_t *pc;

	begin(false, 0xa1b2c3d4, 4, 262144, 1);
	for (uint32_t i = 0; total < 3 * PCAPFILE_BUF; i++) {
		uint32_t sz = 14 + (i * 7919u) % 1500u + (i % 97 == 0 ? 60000u : 0);

		record(1000 + i, i % 1000000, sz, sz + 4, i);
		total += 16 + sz;
	}
	r = finish_and_open(&fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(pc = pcap_open_offline(path, perr));
	while (pcap_next_ex(pc, &h, &pd) == 1) {
		ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 1);
		ck_assert_uint_eq(cap, h->caplen);
		ck_assert_uint_eq(len, h->len);
		ck_assert_uint_eq(ts, (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec);
		ck_assert_int_eq(memcmp(d, pd, cap), 0);
		n++;
	}
	ck_assert_uint_gt(n, 1000);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 0);
	pcap_close(pc);
	done(r, fd);
}
END_TEST

START_TEST(a_record_cut_short_ends_the_file_with_an_error)
{
	const uint8_t *d;
	uint32_t cap, len;
	uint64_t ts;
	char err[256] = "";
	int fd;
	struct pcapfile *r;

	begin(false, 0xa1b2c3d4, 4, 65535, 1);
	record(1, 0, 60, 60, 0);
	put32(2);
	put32(0);
	put32(60);
	put32(60);
	fwrite("abc", 1, 3, out);	/* 3 of 60 bytes */
	r = finish_and_open(&fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), 1);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "truncated dump file; tried to read 60 captured bytes, only got 3");
	ck_assert_uint_eq(pcapfile_offset(r), 24 + 16 + 60);
	done(r, fd);
}
END_TEST

START_TEST(a_record_header_cut_short)
{
	const uint8_t *d;
	uint32_t cap, len;
	uint64_t ts;
	char err[256] = "";
	int fd;
	struct pcapfile *r;

	begin(true, 0xa1b2c3d4, 4, 65535, 1);
	put32(2);
	put32(0);
	r = finish_and_open(&fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "truncated dump file; tried to read 16 header bytes, only got 8");
	done(r, fd);
}
END_TEST

START_TEST(a_length_beyond_any_snapshot_is_a_lie)
{
	const uint8_t *d;
	uint32_t cap, len;
	uint64_t ts;
	char err[256] = "";
	int fd;
	struct pcapfile *r;

	begin(false, 0xa1b2c3d4, 4, 65535, 1);
	put32(2);
	put32(0);
	put32(0x7fffffff);
	put32(60);
	r = finish_and_open(&fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pcapfile_next(r, &d, &cap, &len, &ts, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid packet capture length 2147483647"));
	done(r, fd);
}
END_TEST

/* Another magic, an old version, a link type we do not decode: libpcap's. */
START_TEST(files_left_to_libpcap)
{
	static const struct { uint32_t magic; uint16_t minor; uint32_t link; } f[] = {
		{ 0xa1b2cd34, 4, 1 },	/* Kuznetzov's modified pcap */
		{ 0xa1b2c3d4, 2, 1 },	/* 2.2: the two lengths swapped */
		{ 0xa1b2c3d4, 4, 105 },	/* 802.11 */
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int fd;
		struct pcapfile *r;

		begin(false, f[i].magic, f[i].minor, 65535, f[i].link);
		record(1, 0, 60, 60, 0);
		r = finish_and_open(&fd);
		ck_assert_ptr_null(r);
		done(r, fd);
	}
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("pcapfile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, little_endian_microseconds_cut_to_the_snapshot);
	tcase_add_test(tc, big_endian_nanoseconds_and_raw_ip);
	tcase_add_test(tc, larger_than_the_buffer_as_libpcap_reads_it);
	tcase_add_test(tc, a_record_cut_short_ends_the_file_with_an_error);
	tcase_add_test(tc, a_record_header_cut_short);
	tcase_add_test(tc, a_length_beyond_any_snapshot_is_a_lie);
	tcase_add_test(tc, files_left_to_libpcap);
	suite_add_tcase(s, tc);
	return s;
}
