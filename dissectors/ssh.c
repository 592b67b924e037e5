/*
 * ssh.c - SSH identification strings (RFC 4253 section 4.2).
 *
 * Each side opens with one line before the binary protocol:
 *   "SSH-" protoversion "-" softwareversion [SP comments] CR LF
 * at most 255 bytes including CR LF.  A server may send other lines
 * before it (RFC 4253: "lines not starting with SSH-"); we skip a few.
 * After the identification the direction is binary: we stop looking.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

#define SSH_LINE_MAX	255	/* RFC 4253 4.2, including CR LF */

enum ssh_counter { SSH_BANNERS };

struct ssh_state {
	bool	 done[2];	/* identification seen (or given up) per direction */
	uint8_t	 lines[2];
};

static bool
ssh_probe(const struct cur *c, int dir)
{
	(void)dir;
	return cur_starts_with(c, "SSH-", 4);
}

static enum diss_rc
ssh_parse(struct diss_ctx *dc, struct cur *c)
{
	struct ssh_state *st = dc->state;
	int dir = dc->dir & 1;

	while (st == NULL || !st->done[dir]) {
		size_t eol = cur_find(c, '\n');
		struct cur line = cur_make(NULL, 0);
		uint8_t cr = 0;
		size_t n;

		if (eol == (size_t)-1) {
			if (c->left > SSH_LINE_MAX)
				goto bad;
			return DISS_OK;		/* wait for the line end */
		}
		if (eol + 1 > SSH_LINE_MAX)
			goto bad;
		cur_take(c, eol + 1, &line);
		n = eol;
		if (n && cur_peek_u8(&line, n - 1, &cr) && cr == '\r')
			n--;
		if (cur_starts_with(&line, "SSH-", 4)) {
			diss_fact(dc, SIDE_SRC, A_SOFTWARE, cur_ptr(&line), n,
			    "ssh/banner", CONF_STATED);
			diss_count(dc, SSH_BANNERS);
			diss_pdu(dc);
			if (st)
				st->done[dir] = true;
			break;
		}
		if (dir == DIR_C2S || st == NULL || ++st->lines[dir] > SSH_PRE_LINES)
			goto bad;
	}
	/* binary packets follow: consume them unseen */
	cur_skip(c, c->left);
	return DISS_OK;
bad:
	if (st)
		st->done[dir] = true;
	return DISS_MALFORMED;
}

const struct dissector dis_ssh = {
	.name = "ssh",
	.transport = L4_TCP,
	.ports = { 22 },
	.state_size = sizeof(struct ssh_state),
	.probe = ssh_probe,
	.parse = ssh_parse,
	.counter_names = { "banners", NULL },
};
