/*
 * capture.h - where packets come from: a pcap/pcapng file, a live
 * interface (libpcap), or an NFQUEUE that always says ACCEPT.
 *
 * Nothing here transmits on the monitored network.  NFQUEUE sees packets
 * that a Linux bridge or router forwards; the verdict is always ACCEPT,
 * packets are never modified, and the queue fails open (the kernel lets
 * packets pass when spanwatchd cannot keep up or is not running, with
 * `--queue-bypass` in the iptables/nftables rule).
 */
#ifndef SW_CAPTURE_H
#define SW_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

enum capture_kind { CAP_FILE, CAP_LIVE, CAP_NFQ };

typedef void (*capture_cb)(void *arg, int linktype, const uint8_t *data,
		    uint32_t caplen, uint32_t wirelen, uint64_t ts_us);

struct capture_stats {
	uint64_t	 received;	/* packets handed to us */
	uint64_t	 kernel_drops;	/* pcap_stats ps_drop: buffer overflow */
	uint64_t	 if_drops;	/* pcap_stats ps_ifdrop */
	uint64_t	 nfq_verdict_errors;
};

struct capture;

struct capture	*capture_open_file(const char *path, char *err, size_t errsz);
struct capture	*capture_open_live(const char *iface, const char *bpf, int snaplen,
		    int buffer_mb, char *err, size_t errsz);
struct capture	*capture_open_nfq(unsigned queue, char *err, size_t errsz);
void		 capture_close(struct capture *c);
/*
 * The time of the first packet of a capture file (0 when it has none), to
 * read several files in time order; -1 with err if it cannot be read.
 */
int		 capture_first_time(const char *path, uint64_t *ts_us, char *err, size_t errsz);

enum capture_kind capture_kind(const struct capture *c);
int		 capture_fd(const struct capture *c);	/* live / NFQUEUE: poll this */
int		 capture_linktype(const struct capture *c);
/*
 * Read up to max packets and hand each to cb.  Returns how many; 0 at the
 * end of a file (or nothing ready live); -1 on error with a message naming
 * the file and byte offset in err.
 */
int		 capture_dispatch(struct capture *c, int max, capture_cb cb, void *arg,
		    char *err, size_t errsz);
/* File progress: bytes read so far and file size (0 if unknown). */
void		 capture_progress(const struct capture *c, uint64_t *offset, uint64_t *size);
void		 capture_get_stats(struct capture *c, struct capture_stats *st);

#endif
