/*
 * capture.c - capture files and interfaces, libnetfilter_queue (see capture.h).
 * pcap files are read by pcapfile.c, pcapng by pcapng.c; libpcap reads
 * interfaces, pipes and the pcap variants pcapfile.c leaves to it.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define NF_ACCEPT	1	/* <linux/netfilter.h> clashes with <netinet/in.h> */

#include "capture.h"
#include "decode.h"
#include "pcapfile.h"
#include "pcapng.h"
#include "sw_limits.h"

#define NFQ_COPY_MAX	0xffff
#define NFQ_BUF		(NFQ_COPY_MAX + 4096)
#define SLL_HDR_LEN	16	/* Linux cooked v1 header (decode.c) */

struct capture {
	enum capture_kind	 kind;
	char			 name[512];
	pcap_t			*pc;
	uint64_t		 size;		/* file size */
	uint64_t		 packets;
	/* NFQUEUE */
	struct nfq_handle	*nh;
	struct nfq_q_handle	*qh;
	int			 fd;
	uint8_t			*buf;
	uint8_t			*frame;		/* NFQUEUE: cooked header + packet */
	uint8_t			*filebuf;	/* file: stdio buffer, freed after pcap_close */
	struct pcapng		*ng;		/* a pcapng file: read by pcapng.c, not libpcap */
	struct pcapfile		*pf;		/* a pcap file: read by pcapfile.c, not libpcap */
	FILE			*fp;		/* its FILE */
	capture_cb		 cb;
	void			*cb_arg;
	struct capture_stats	 st;
};

/* The file starts with a pcapng Section Header Block; leaves fp at its start. */
static bool
is_pcapng(FILE *fp)
{
	uint8_t m[4];
	bool yes = fread(m, 1, 4, fp) == 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d &&
	    m[3] == 0x0a;

	rewind(fp);
	return yes;
}

struct capture *
capture_open_file(const char *path, char *err, size_t errsz)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct capture *c = calloc(1, sizeof(*c));
	struct stat sb;
	FILE *fp;
	int link;

	if (c == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	c->kind = CAP_FILE;
	c->fd = -1;
	snprintf(c->name, sizeof(c->name), "%s", path);
	/*
	 * Our own FILE with a large buffer: libpcap reads each record with
	 * fread, and stdio's default 4 KiB buffer made a read(2) per few
	 * packets.
	 */
	if ((fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "cannot read capture %s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	/* one thread reads it: no stdio lock around each of libpcap's freads */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	/* glibc ignores the size unless given the buffer itself */
	if ((c->filebuf = malloc(CAPTURE_FILE_BUF)) != NULL)
		setvbuf(fp, (char *)c->filebuf, _IOFBF, CAPTURE_FILE_BUF);
	/*
	 * pcapng is read by pcapng.c: libpcap refuses a file whose interfaces
	 * differ in link type or snapshot length, which is what mergecap
	 * writes by default.  A pipe ("-") cannot be peeked: libpcap reads it.
	 */
	if (fp != stdin && is_pcapng(fp)) {
		c->fp = fp;
		if ((c->ng = pcapng_open(fp, perr, sizeof(perr))) == NULL) {
			snprintf(err, errsz, "cannot read capture %s: %s", path, perr);
			capture_close(c);
			return NULL;
		}
		if (stat(path, &sb) == 0)
			c->size = (uint64_t)sb.st_size;
		return c;
	}
	/* a pipe cannot be read at an offset: libpcap reads it */
	if (fp != stdin && (c->pf = pcapfile_open(fileno(fp), perr, sizeof(perr))) != NULL) {
		c->fp = fp;
		if (stat(path, &sb) == 0)
			c->size = (uint64_t)sb.st_size;
		return c;
	}
	if ((c->pc = pcap_fopen_offline(fp, perr)) == NULL) {
		snprintf(err, errsz, "cannot read capture %s: %s", path, perr);
		fclose(fp);
		free(c->filebuf);
		free(c);
		return NULL;
	}
	if (stat(path, &sb) == 0)
		c->size = (uint64_t)sb.st_size;
	link = pcap_datalink(c->pc);
	if (!decode_linktype_supported(link)) {
		snprintf(err, errsz, "%s: link type %d (%s) is not supported; spanwatch reads Ethernet, "
		    "Linux cooked (SLL, SLL2) and raw IP captures", path, link,
		    pcap_datalink_val_to_name(link) ? pcap_datalink_val_to_name(link) : "unknown");
		capture_close(c);
		return NULL;
	}
	return c;
}

static void
note_first_time(void *arg, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
    uint64_t ts_us)
{
	(void)linktype, (void)data, (void)caplen, (void)wirelen;
	*(uint64_t *)arg = ts_us;
}

int
capture_first_time(const char *path, uint64_t *ts_us, char *err, size_t errsz)
{
	struct capture *c = capture_open_file(path, err, errsz);
	int rc;

	*ts_us = 0;
	if (c == NULL)
		return -1;
	rc = capture_dispatch(c, 1, note_first_time, ts_us, err, errsz);
	capture_close(c);
	return rc < 0 ? -1 : 0;
}

/* The interfaces one can capture on, "eth0, eth1, lo", for a mistyped name. */
static void
interface_names(char *out, size_t outsz)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *i;
	size_t len = 0;

	if (pcap_findalldevs(&all, perr) != 0)
		return;
	for (i = all; i && len < outsz; i = i->next) {
		if (if_nametoindex(i->name) == 0)
			continue;	/* pseudo-devices: any, nflog, nfqueue, dbus-*, usbmon* */
		len += (size_t)snprintf(out + len, outsz - len, "%s%s", len ? ", " : "", i->name);
	}
	pcap_freealldevs(all);
}

struct capture *
capture_open_live(const char *iface, const char *bpf, int snaplen, int buffer_mb,
    char *err, size_t errsz)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct capture *c = calloc(1, sizeof(*c));
	struct bpf_program prog;
	int rc, link;

	if (c == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	c->kind = CAP_LIVE;
	snprintf(c->name, sizeof(c->name), "%s", iface);
	if ((c->pc = pcap_create(iface, perr)) == NULL) {
		snprintf(err, errsz, "cannot capture on %s: %s", iface, perr);
		free(c);
		return NULL;
	}
	pcap_set_snaplen(c->pc, snaplen);
	pcap_set_promisc(c->pc, 1);
	pcap_set_timeout(c->pc, 100);
	pcap_set_buffer_size(c->pc, buffer_mb * 1024 * 1024);
	if ((rc = pcap_activate(c->pc)) < 0) {
		char names[512] = "";

		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			interface_names(names, sizeof(names));
		snprintf(err, errsz, "cannot capture on %s: %s%s%s%s", iface, pcap_geterr(c->pc),
		    rc == PCAP_ERROR_PERM_DENIED ? " (run as root or with CAP_NET_RAW)" : "",
		    names[0] ? "; interfaces here: " : "", names);
		capture_close(c);
		return NULL;
	}
	link = pcap_datalink(c->pc);
	if (!decode_linktype_supported(link)) {
		snprintf(err, errsz, "%s: link type %d is not supported", iface, link);
		capture_close(c);
		return NULL;
	}
	if (bpf && bpf[0]) {
		if (pcap_compile(c->pc, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(c->pc, &prog) != 0) {
			snprintf(err, errsz, "capture filter '%s': %s", bpf, pcap_geterr(c->pc));
			capture_close(c);
			return NULL;
		}
		pcap_freecode(&prog);
	}
	if (pcap_setnonblock(c->pc, 1, perr) != 0 || (c->fd = pcap_get_selectable_fd(c->pc)) < 0) {
		snprintf(err, errsz, "%s: cannot poll the capture: %s", iface, perr);
		capture_close(c);
		return NULL;
	}
	return c;
}

/*
 * Put a Linux cooked (SLL v1) header carrying the sender's MAC in front of
 * a queued IP packet: NFQUEUE hands over the network layer only, and an
 * asset without its MAC has no OUI vendor.  Returns the frame length.
 */
static uint32_t
nfq_cook(struct capture *c, const uint8_t *mac, const uint8_t *ip, uint32_t len)
{
	struct cur pc = cur_make(ip, len);
	uint8_t v = 0;
	uint16_t proto;

	cur_peek_u8(&pc, 0, &v);
	proto = v >> 4 == 6 ? 0x86dd : 0x0800;
	memset(c->frame, 0, SLL_HDR_LEN);
	c->frame[3] = 1;		/* ARPHRD_ETHER */
	c->frame[5] = 6;		/* address length */
	memcpy(c->frame + 6, mac, 6);
	c->frame[14] = (uint8_t)(proto >> 8);
	c->frame[15] = (uint8_t)proto;
	memcpy(c->frame + SLL_HDR_LEN, ip, len);
	return SLL_HDR_LEN + len;
}

/* The kernel hands us a queued packet: look, then always accept it unchanged. */
static int
nfq_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
	struct capture *c = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	struct nfqnl_msg_packet_hw *hw = nfq_get_packet_hw(nfa);
	unsigned char *payload = NULL;
	struct timeval tv;
	uint32_t id = ph ? ntohl(ph->packet_id) : 0;
	int len = nfq_get_payload(nfa, &payload);
	uint64_t ts;

	(void)msg;
	if (nfq_get_timestamp(nfa, &tv) != 0)
		gettimeofday(&tv, NULL);
	ts = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	if (len > 0 && c->cb) {
		c->st.received++;
		if (hw && ntohs(hw->hw_addrlen) == 6 && len <= NFQ_COPY_MAX) {
			uint32_t n = nfq_cook(c, hw->hw_addr, payload, (uint32_t)len);

			c->cb(c->cb_arg, LINK_SLL, c->frame, n, n, ts);
		} else
			c->cb(c->cb_arg, LINK_RAW, payload, (uint32_t)len, (uint32_t)len, ts);
	}
	if (nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL) < 0)
		c->st.nfq_verdict_errors++;
	return 0;
}

struct capture *
capture_open_nfq(unsigned queue, char *err, size_t errsz)
{
	struct capture *c = calloc(1, sizeof(*c));
	uint32_t flags = NFQA_CFG_F_FAIL_OPEN;

	if (c == NULL || (c->buf = malloc(NFQ_BUF)) == NULL ||
	    (c->frame = malloc(SLL_HDR_LEN + NFQ_COPY_MAX)) == NULL) {
		snprintf(err, errsz, "out of memory");
		if (c)
			free(c->buf);
		free(c);
		return NULL;
	}
	c->kind = CAP_NFQ;
	snprintf(c->name, sizeof(c->name), "nfqueue %u", queue);
	if ((c->nh = nfq_open()) == NULL) {
		snprintf(err, errsz, "cannot open NFQUEUE: %s (needs CAP_NET_ADMIN)", strerror(errno));
		capture_close(c);
		return NULL;
	}
	if ((c->qh = nfq_create_queue(c->nh, (uint16_t)queue, nfq_packet, c)) == NULL) {
		snprintf(err, errsz, "cannot bind NFQUEUE %u: %s (is another program bound to it?)",
		    queue, strerror(errno));
		capture_close(c);
		return NULL;
	}
	if (nfq_set_mode(c->qh, NFQNL_COPY_PACKET, NFQ_COPY_MAX) < 0 ||
	    nfq_set_queue_flags(c->qh, flags, flags) < 0) {
		snprintf(err, errsz, "NFQUEUE %u: cannot set copy mode and fail-open: %s", queue,
		    strerror(errno));
		capture_close(c);
		return NULL;
	}
	c->fd = nfq_fd(c->nh);
	return c;
}

void
capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->qh)
		nfq_destroy_queue(c->qh);
	if (c->nh)
		nfq_close(c->nh);
	if (c->pc)
		pcap_close(c->pc);
	pcapng_close(c->ng);
	pcapfile_close(c->pf);
	if (c->fp)
		fclose(c->fp);
	free(c->filebuf);
	free(c->buf);
	free(c->frame);
	free(c);
}

enum capture_kind capture_kind(const struct capture *c) { return c->kind; }
int capture_fd(const struct capture *c) { return c->fd; }

int
capture_linktype(const struct capture *c)
{
	if (c->ng)
		return pcapng_first_linktype(c->ng);	/* each packet has its interface's own */
	if (c->pf)
		return pcapfile_linktype(c->pf);
	return c->kind == CAP_NFQ ? LINK_RAW : pcap_datalink(c->pc);
}

static uint64_t
file_offset(const struct capture *c)
{
	FILE *fp = c->fp ? c->fp : c->pc && c->kind == CAP_FILE ? pcap_file(c->pc) : NULL;
	long off;

	if (c->pf)
		return pcapfile_offset(c->pf);
	off = fp ? ftell(fp) : -1;

	return off < 0 ? 0 : (uint64_t)off;
}

/* A file that breaks off: where, and that what came before it is kept. */
static int
file_failed(struct capture *c, const char *why, char *err, size_t errsz)
{
	snprintf(err, errsz, "%s: %s, at byte offset %llu after packet %llu; the packets "
	    "before it were kept", c->name, why, (unsigned long long)file_offset(c),
	    (unsigned long long)c->packets);
	return -1;
}

/* A pcapng file's packets, each with its interface's link type. */
static int
dispatch_pcapng(struct capture *c, int max, capture_cb cb, void *arg, char *err, size_t errsz)
{
	char why[256];
	const uint8_t *data;
	uint32_t caplen, len;
	uint64_t ts;
	int n = 0, rc = 0, link;

	while (n < max && (rc = pcapng_next(c->ng, &link, &data, &caplen, &len, &ts, why,
	    sizeof(why))) == 1) {
		c->packets++;
		cb(arg, link, data, caplen, len, ts);
		n++;
	}
	return rc < 0 ? file_failed(c, why, err, errsz) : n;
}

/* A pcap file's packets. */
static int
dispatch_pcapfile(struct capture *c, int max, capture_cb cb, void *arg, char *err, size_t errsz)
{
	char why[256];
	int n, rc;

	n = pcapfile_dispatch(c->pf, max, cb, arg, &rc, why, sizeof(why));
	c->packets += (uint64_t)n;
	return rc < 0 ? file_failed(c, why, err, errsz) : n;
}

int
capture_dispatch(struct capture *c, int max, capture_cb cb, void *arg, char *err, size_t errsz)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int n = 0, rc = 0, link;

	if (c->kind == CAP_NFQ) {
		ssize_t len;

		c->cb = cb;
		c->cb_arg = arg;
		while (n < max && (len = recv(c->fd, c->buf, NFQ_BUF, MSG_DONTWAIT)) > 0) {
			nfq_handle_packet(c->nh, (char *)c->buf, (int)len);
			n++;
		}
		return n;
	}
	if (c->ng)
		return dispatch_pcapng(c, max, cb, arg, err, errsz);
	if (c->pf)
		return dispatch_pcapfile(c, max, cb, arg, err, errsz);
	link = pcap_datalink(c->pc);
	while (n < max && (rc = pcap_next_ex(c->pc, &h, &data)) == 1) {
		c->packets++;
		if (c->kind == CAP_LIVE)
			c->st.received++;
		cb(arg, link, data, h->caplen, h->len,
		    (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec);
		n++;
	}
	if (n == max || (c->kind == CAP_LIVE && rc == 0))
		return n;
	if (rc == PCAP_ERROR) {
		snprintf(err, errsz, "%s: %s, at byte offset %llu after packet %llu; the packets "
		    "before it were kept", c->name, pcap_geterr(c->pc),
		    (unsigned long long)file_offset(c), (unsigned long long)c->packets);
		return -1;
	}
	return n;	/* PCAP_ERROR_BREAK: end of file */
}

void
capture_progress(const struct capture *c, uint64_t *offset, uint64_t *size)
{
	*offset = file_offset(c);
	*size = c->size;
}

void
capture_get_stats(struct capture *c, struct capture_stats *st)
{
	struct pcap_stat ps;

	if (c->kind == CAP_LIVE && pcap_stats(c->pc, &ps) == 0) {
		c->st.kernel_drops = ps.ps_drop;
		c->st.if_drops = ps.ps_ifdrop;
	}
	*st = c->st;
}
