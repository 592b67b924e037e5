/*
 * pcapfile.h - the classic pcap file format read without libpcap.
 *
 * libpcap spent about 400 instructions a packet on a file (pcap_next_ex:
 * two freads per record through its own layers), as much as decoding and
 * the flow table together.  This reader fills a large buffer with pread(2)
 * and hands out each record in place, its 16-byte header read through the
 * cursor (core/cursor.h).  Microsecond and nanosecond files in either byte
 * order; anything else (another magic or version, a link type we do not
 * decode) is left to libpcap, and live capture is libpcap's.
 */
#ifndef SW_PCAPFILE_H
#define SW_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapfile;

/*
 * Open the pcap file on fd (the fd is not closed by pcapfile_close): the
 * reader, or NULL when the file is not one it reads (err then says why,
 * for the record; the caller gives the file to libpcap).
 */
struct pcapfile	*pcapfile_open(int fd, char *err, size_t errsz);
/*
 * The next packet: 1 (data valid until the next call), 0 at the end of
 * the file, -1 on a record cut short or lying about its length (err says
 * which, in libpcap's words).
 */
int		 pcapfile_next(struct pcapfile *r, const uint8_t **data, uint32_t *caplen,
		    uint32_t *len, uint64_t *ts_us, char *err, size_t errsz);
/*
 * Up to max packets, each to cb (arg, link type, data, captured length,
 * length on the wire, time in us), as pcapfile_next gives them, in one
 * loop here: a call less per packet.  Returns how many; *rc is the last
 * pcapfile_next result (1: max reached, 0: end of file, -1: err says why).
 */
typedef void	(*pcapfile_cb)(void *arg, int linktype, const uint8_t *data,
		    uint32_t caplen, uint32_t wirelen, uint64_t ts_us);
int		 pcapfile_dispatch(struct pcapfile *r, int max, pcapfile_cb cb, void *arg,
		    int *rc, char *err, size_t errsz);
int		 pcapfile_linktype(const struct pcapfile *r);
uint64_t	 pcapfile_offset(const struct pcapfile *r);	/* of the next record */
void		 pcapfile_close(struct pcapfile *r);

#endif
