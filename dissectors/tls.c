/*
 * tls.c - TLS handshake (RFC 5246, RFC 8446): ClientHello SNI, JA3 and JA4
 * client fingerprints, ServerHello version and cipher, and for TLS 1.2 and
 * earlier the subject and issuer of the server's first certificate.
 *
 * Record (5 + n):  type(1) version(2) length(2) fragment(n <= 2^14 + 2048)
 * Handshake (4 + n, may span records):  msg_type(1) length(3) body(n)
 * ClientHello:  version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2>
 *               compression<1..2^8-1> extensions<0..2^16-1>  [type(2) len(2) data]
 * ServerHello:  version(2) random(32) session_id<0..32> cipher(2) compression(1) extensions
 * Certificate:  certificate_list<3 bytes> [cert_len(3) DER] (TLS <= 1.2, in clear)
 *
 * Handshake bytes of one direction are gathered in a buffer that grows as
 * needed up to TLS_HS_MAX and is freed once the direction has told us what
 * it can (ClientHello seen; ServerHello and Certificate, or encryption begun).
 *
 * JA3 (salesforce/ja3 README): "Version,Ciphers,Extensions,Groups,PointFormats"
 * in decimal, '-'-joined, GREASE (RFC 8701) values left out; the fingerprint is
 * its MD5.  JA4 (FoxIO JA4 technical details): "t" + version + "d"/"i" + 2-digit
 * cipher and extension counts + ALPN first/last char, "_", the first 12 hex of
 * SHA-256 over the sorted cipher list, "_", the same over the sorted extensions
 * (without SNI and ALPN) "_" signature algorithms in order.  MD5 and SHA-256
 * come from libcrypto (OpenSSL), which the daemon already links for
 * libevent_openssl: no second hash implementation to maintain.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dissector.h"
#include "sbuf.h"
#include "sw_limits.h"

enum tls_counter { TLS_CLIENT_HELLO, TLS_SERVER_HELLO, TLS_CERTS, TLS_BAD_HS, TLS_FP_TOO_LONG };

#define REC_HANDSHAKE	22
#define REC_CCS		20
#define REC_ALERT	21
#define REC_APPDATA	23
#define REC_MAX		(16384 + 2048)

#define HS_CLIENT_HELLO	1
#define HS_SERVER_HELLO	2
#define HS_CERTIFICATE	11
#define HS_SERVER_DONE	14

#define EXT_SNI		0
#define EXT_GROUPS	10
#define EXT_POINTS	11
#define EXT_SIGALGS	13
#define EXT_ALPN	16
#define EXT_VERSIONS	43


struct tls_dir {
	uint8_t		*buf;	/* handshake bytes not yet parsed */
	uint32_t	 len, cap;
	bool		 done;
	bool		 hello;	/* ServerHello seen */
};

struct tls_state {
	struct tls_dir	 d[2];
};

static bool
is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static bool
tls_probe(const struct cur *c, int dir)
{
	uint8_t t = 0, maj = 0, min = 0, hs = 0;

	(void)dir;
	return cur_peek_u8(c, 0, &t) && t == REC_HANDSHAKE && cur_peek_u8(c, 1, &maj) &&
	    maj == 3 && cur_peek_u8(c, 2, &min) && min <= 4 &&
	    (!cur_peek_u8(c, 5, &hs) || hs == HS_CLIENT_HELLO || hs == HS_SERVER_HELLO);
}

/* --- fingerprints ------------------------------------------------------ */

struct hello {
	uint16_t	 version;
	uint16_t	 ciphers[FP_MAX_VALUES], exts[FP_MAX_VALUES];
	uint16_t	 groups[FP_MAX_VALUES], sigalgs[FP_MAX_VALUES];
	uint8_t		 points[FP_MAX_VALUES];
	size_t		 nciphers, nexts, ngroups, nsigalgs, npoints;
	uint16_t	 best_version;	/* highest of supported_versions */
	bool		 sni;
	char		 alpn[3];	/* first and last char of the first ALPN value */
};

/*
 * Append v in decimal, or as four lowercase hex digits (JA4).  By hand:
 * snprintf per list item was most of a ClientHello's cost.
 */
static void
put_num(struct sbuf *b, unsigned v, bool hex4)
{
	static const char hexd[] = "0123456789abcdef";
	char t[12];
	size_t k = sizeof(t);

	if (hex4) {
		for (int i = 0; i < 4; i++, v >>= 4)
			t[--k] = hexd[v & 0xf];
	} else {
		do {
			t[--k] = (char)('0' + v % 10);
			v /= 10;
		} while (v > 0 && k > 0);
	}
	sb_putn(b, t + k, sizeof(t) - k);
}

static void
put_list16(struct sbuf *b, const uint16_t *v, size_t n, bool hex4, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, sep);
		put_num(b, v[i], hex4);
	}
}

static void
hex_digest(const EVP_MD *md, const char *s, size_t n, char *out, size_t hexlen)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	out[0] = '\0';
	if (!EVP_Digest(s, n, d, &dl, md, NULL))
		return;
	for (unsigned i = 0; i < dl && 2 * i + 1 < hexlen; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 0xf];
		out[2 * i + 2] = '\0';
	}
	out[hexlen] = '\0';
}

static void
emit_ja3(struct diss_ctx *dc, const struct hello *h)
{
	char text[FP_TEXT_MAX], hex[33];
	struct sbuf b = SB_FIXED(text);

	put_num(&b, h->version, false);
	sb_puts(&b, ",");
	put_list16(&b, h->ciphers, h->nciphers, false, "-");
	sb_puts(&b, ",");
	put_list16(&b, h->exts, h->nexts, false, "-");
	sb_puts(&b, ",");
	put_list16(&b, h->groups, h->ngroups, false, "-");
	sb_puts(&b, ",");
	for (size_t i = 0; i < h->npoints; i++) {
		if (i)
			sb_puts(&b, "-");
		put_num(&b, h->points[i], false);
	}
	if (sb_failed(&b)) {
		diss_count(dc, TLS_FP_TOO_LONG);
		return;
	}
	hex_digest(EVP_md5(), b.p, b.len, hex, 32);
	if (hex[0])
		diss_factf(dc, SIDE_SRC, A_FINGERPRINT, "tls/ja3", CONF_INFERRED, "ja3:%s", hex);
}

static int
cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static const char *
ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	}
	return "00";
}

static void
emit_ja4(struct diss_ctx *dc, const struct hello *h)
{
	uint16_t sorted[FP_MAX_VALUES];
	char text[FP_TEXT_MAX], ch[13], eh[13], out[OBS_VAL_MAX_FMT];
	struct sbuf b = SB_FIXED(text);
	size_t n = 0;

	memcpy(sorted, h->ciphers, h->nciphers * sizeof(sorted[0]));
	qsort(sorted, h->nciphers, sizeof(sorted[0]), cmp16);
	put_list16(&b, sorted, h->nciphers, true, ",");
	if (h->nciphers)
		hex_digest(EVP_sha256(), b.p, b.len, ch, 12);
	else
		strcpy(ch, "000000000000");
	for (size_t i = 0; i < h->nexts; i++)
		if (h->exts[i] != EXT_SNI && h->exts[i] != EXT_ALPN)
			sorted[n++] = h->exts[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp16);
	sb_reset(&b);
	put_list16(&b, sorted, n, true, ",");
	if (h->nsigalgs) {
		sb_puts(&b, "_");
		put_list16(&b, h->sigalgs, h->nsigalgs, true, ",");
	}
	if (sb_failed(&b)) {
		diss_count(dc, TLS_FP_TOO_LONG);
		return;
	}
	if (n || h->nsigalgs)
		hex_digest(EVP_sha256(), b.p, b.len, eh, 12);
	else
		strcpy(eh, "000000000000");
	snprintf(out, sizeof(out), "ja4:t%s%c%02zu%02zu%s_%s_%s",
	    ja4_version(h->best_version ? h->best_version : h->version), h->sni ? 'd' : 'i',
	    h->nciphers > 99 ? 99 : h->nciphers, h->nexts > 99 ? 99 : h->nexts,
	    h->alpn[0] ? h->alpn : "00", ch, eh);
	diss_fact_str(dc, SIDE_SRC, A_FINGERPRINT, out, "tls/ja4", CONF_INFERRED);
}

/* --- ClientHello ---------------------------------------------------------- */

static void
ext_sni(struct diss_ctx *dc, struct cur *v, struct hello *h)
{
	struct cur list, name;
	uint16_t len = 0, nlen = 0;
	uint8_t type = 0;

	if (!cur_be16(v, &len) || !cur_take(v, len, &list))
		return;
	for (int i = 0; i < DISS_MAX_ITEMS && cur_left(&list) >= 3; i++) {
		cur_u8(&list, &type);
		cur_be16(&list, &nlen);
		if (!cur_take(&list, nlen, &name))
			return;
		if (type == 0 && nlen > 0) {
			diss_fact(dc, SIDE_SRC, A_TLS_SNI, cur_ptr(&name), nlen, "tls/sni",
			    CONF_STATED);
			diss_fact(dc, SIDE_DST, A_TLS_SNI, cur_ptr(&name), nlen,
			    "tls/server_name", CONF_INFERRED);
			h->sni = true;
			return;
		}
	}
}

static void
list16(struct cur *v, size_t lenbytes, uint16_t *out, size_t *n, bool grease_too)
{
	struct cur l;
	uint16_t len = 0, x;
	uint8_t len8 = 0;

	if (lenbytes == 2 ? !cur_be16(v, &len) : !cur_u8(v, &len8))
		return;
	if (lenbytes == 1)
		len = len8;
	if (!cur_take(v, len, &l))
		return;
	while (*n < FP_MAX_VALUES && cur_be16(&l, &x))
		if (grease_too || !is_grease(x))
			out[(*n)++] = x;
}

static void
ext_alpn(struct cur *v, struct hello *h)
{
	struct cur l, p;
	uint16_t len = 0;
	uint8_t plen = 0, first = 0, last = 0;

	if (!cur_be16(v, &len) || !cur_take(v, len, &l) || !cur_u8(&l, &plen) ||
	    plen == 0 || !cur_take(&l, plen, &p))
		return;
	cur_peek_u8(&p, 0, &first);
	cur_peek_u8(&p, plen - 1u, &last);
	if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) {
		h->alpn[0] = (char)first;
		h->alpn[1] = (char)last;
	} else
		snprintf(h->alpn, sizeof(h->alpn), "%x%x", first >> 4, last & 0xf);
}

static void
ext_versions(struct cur *v, struct hello *h)
{
	uint16_t vs[FP_MAX_VALUES];
	size_t n = 0;

	list16(v, 1, vs, &n, false);
	for (size_t i = 0; i < n; i++)
		if (vs[i] > h->best_version && vs[i] <= 0x0304)
			h->best_version = vs[i];
}

static enum diss_rc
client_hello(struct diss_ctx *dc, struct cur *m)
{
	struct hello h;
	struct cur suites, exts, v;
	uint16_t slen = 0, elen = 0, type = 0, len = 0, x;
	uint8_t sid = 0, comp = 0;

	memset(&h, 0, sizeof(h));
	cur_be16(m, &h.version);
	cur_skip(m, 32);
	cur_u8(m, &sid);
	cur_skip(m, sid);
	cur_be16(m, &slen);
	if (!cur_ok(m) || sid > 32 || !cur_take(m, slen, &suites))
		return DISS_MALFORMED;
	while (cur_be16(&suites, &x))
		if (!is_grease(x) && h.nciphers < FP_MAX_VALUES)
			h.ciphers[h.nciphers++] = x;
	if (!cur_u8(m, &comp) || !cur_skip(m, comp))
		return DISS_MALFORMED;
	if (cur_be16(m, &elen) && cur_take(m, elen, &exts)) {
		for (int i = 0; i < DISS_MAX_ITEMS && cur_left(&exts) >= 4; i++) {
			cur_be16(&exts, &type);
			cur_be16(&exts, &len);
			if (!cur_take(&exts, len, &v))
				return DISS_MALFORMED;
			if (!is_grease(type) && h.nexts < FP_MAX_VALUES)
				h.exts[h.nexts++] = type;
			switch (type) {
			case EXT_SNI: ext_sni(dc, &v, &h); break;
			case EXT_GROUPS: list16(&v, 2, h.groups, &h.ngroups, false); break;
			case EXT_SIGALGS: list16(&v, 2, h.sigalgs, &h.nsigalgs, true); break;
			case EXT_ALPN: ext_alpn(&v, &h); break;
			case EXT_VERSIONS: ext_versions(&v, &h); break;
			case EXT_POINTS: {
				struct cur l;
				uint8_t pl = 0;

				if (cur_u8(&v, &pl) && cur_take(&v, pl, &l))
					while (h.npoints < FP_MAX_VALUES &&
					    cur_u8(&l, &h.points[h.npoints]))
						h.npoints++;
				break;
			}
			}
		}
	}
	emit_ja3(dc, &h);
	emit_ja4(dc, &h);
	diss_count(dc, TLS_CLIENT_HELLO);
	return DISS_OK;
}

/* --- ServerHello ----------------------------------------------------------- */

static const char *
version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	}
	return "unknown";
}

static enum diss_rc
server_hello(struct diss_ctx *dc, struct cur *m, bool *tls13)
{
	struct cur exts, v;
	uint16_t version = 0, cipher = 0, elen = 0, type = 0, len = 0, sel;
	uint8_t sid = 0, comp = 0;

	cur_be16(m, &version);
	cur_skip(m, 32);
	cur_u8(m, &sid);
	cur_skip(m, sid);
	cur_be16(m, &cipher);
	cur_u8(m, &comp);
	if (!cur_ok(m) || sid > 32)
		return DISS_MALFORMED;
	if (cur_be16(m, &elen) && cur_take(m, elen, &exts)) {
		for (int i = 0; i < DISS_MAX_ITEMS && cur_left(&exts) >= 4; i++) {
			cur_be16(&exts, &type);
			cur_be16(&exts, &len);
			if (!cur_take(&exts, len, &v))
				return DISS_MALFORMED;
			if (type == EXT_VERSIONS && cur_be16(&v, &sel))
				version = sel;
		}
	}
	*tls13 = version == 0x0304;
	diss_factf(dc, SIDE_SRC, A_NOTE, "tls/server_hello", CONF_STATED,
	    "%s cipher 0x%04x", version_name(version), cipher);
	diss_count(dc, TLS_SERVER_HELLO);
	return DISS_OK;
}

/* --- X.509 (RFC 5280) through a bounded DER walker ------------------------- */

/* One DER TLV: tag(1), length (short form or 0x81-0x83 long form), value. */
static bool
der_tlv(struct cur *c, uint8_t *tag, struct cur *val)
{
	uint8_t l0 = 0, b = 0;
	size_t len = 0;

	if (!cur_u8(c, tag) || (*tag & 0x1f) == 0x1f || !cur_u8(c, &l0))
		return false;
	if (l0 < 0x80)
		len = l0;
	else {
		unsigned nb = l0 & 0x7f;

		if (nb == 0 || nb > 3)
			return false;
		for (unsigned i = 0; i < nb; i++) {
			if (!cur_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return cur_take(c, len, val);
}

static const uint8_t OID_CN[] = { 0x55, 0x04, 0x03 };
static const uint8_t OID_O[] = { 0x55, 0x04, 0x0a };

/* Name ::= SEQUENCE OF SET OF AttributeTypeAndValue {OID, string} -> "CN=.., O=.." */
static void
der_name(struct cur *name, char *out, size_t outsz)
{
	char cn[128] = "", o[128] = "";
	uint8_t tag;

	for (int i = 0; i < DISS_MAX_ITEMS && cur_left(name); i++) {
		struct cur set, atv, oid, val;

		if (!der_tlv(name, &tag, &set) || tag != 0x31)
			break;
		if (!der_tlv(&set, &tag, &atv) || tag != 0x30 ||
		    !der_tlv(&atv, &tag, &oid) || tag != 0x06 || !der_tlv(&atv, &tag, &val))
			continue;
		char *dst = NULL;

		if (cur_left(&oid) == 3 && cur_starts_with(&oid, OID_CN, 3) && !cn[0])
			dst = cn;
		else if (cur_left(&oid) == 3 && cur_starts_with(&oid, OID_O, 3) && !o[0])
			dst = o;
		if (dst) {
			size_t n = cur_left(&val) < 127 ? cur_left(&val) : 127;

			cur_copy(&val, dst, n);
			dst[n] = '\0';
		}
	}
	if (cn[0] && o[0])
		snprintf(out, outsz, "CN=%s, O=%s", cn, o);
	else if (cn[0] || o[0])
		snprintf(out, outsz, "%s=%s", cn[0] ? "CN" : "O", cn[0] ? cn : o);
	else
		out[0] = '\0';
}

/*
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
 *   serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name,
 *   validity SEQUENCE, subject Name, ... }, ... }
 */
static enum diss_rc
parse_cert(struct diss_ctx *dc, struct cur *der)
{
	struct cur cert, tbs, f, issuer, subject;
	uint8_t tag = 0;
	char s[260];

	if (!der_tlv(der, &tag, &cert) || tag != 0x30 || !der_tlv(&cert, &tag, &tbs) ||
	    tag != 0x30 || !der_tlv(&tbs, &tag, &f))
		return DISS_MALFORMED;
	if (tag == 0xa0 && !der_tlv(&tbs, &tag, &f))	/* version, then serial */
		return DISS_MALFORMED;
	if (tag != 0x02 || !der_tlv(&tbs, &tag, &f) || tag != 0x30 ||
	    !der_tlv(&tbs, &tag, &issuer) || tag != 0x30 ||
	    !der_tlv(&tbs, &tag, &f) || tag != 0x30 ||
	    !der_tlv(&tbs, &tag, &subject) || tag != 0x30)
		return DISS_MALFORMED;
	der_name(&subject, s, sizeof(s));
	if (s[0])
		diss_fact_str(dc, SIDE_SRC, A_CERT_SUBJECT, s, "tls/certificate", CONF_STATED);
	der_name(&issuer, s, sizeof(s));
	if (s[0])
		diss_fact_str(dc, SIDE_SRC, A_CERT_ISSUER, s, "tls/certificate", CONF_STATED);
	diss_count(dc, TLS_CERTS);
	return DISS_OK;
}

static enum diss_rc
certificate(struct diss_ctx *dc, struct cur *m)
{
	struct cur list, der;
	uint32_t llen = 0, clen = 0;

	if (!cur_be24(m, &llen) || !cur_take(m, llen, &list) || !cur_be24(&list, &clen) ||
	    !cur_take(&list, clen, &der))
		return DISS_MALFORMED;
	return parse_cert(dc, &der);
}

/* --- records and handshake messages ---------------------------------------- */

static void
dir_finish(struct tls_dir *td)
{
	free(td->buf);
	td->buf = NULL;
	td->len = td->cap = 0;
	td->done = true;
}

static bool
buf_append(struct tls_dir *td, struct cur *frag)
{
	size_t n = cur_left(frag);

	if (n == 0)
		return true;	/* an empty record: nothing to add (and no buffer yet, maybe) */
	if (td->len + n > TLS_HS_MAX)
		return false;
	if (td->len + n > td->cap) {
		uint32_t nc = td->cap ? td->cap : 4096;
		uint8_t *nb;

		while (nc < td->len + n)
			nc *= 2;
		if (nc > TLS_HS_MAX)
			nc = TLS_HS_MAX;
		if ((nb = realloc(td->buf, nc)) == NULL)
			return false;
		td->buf = nb;
		td->cap = nc;
	}
	cur_copy(frag, td->buf + td->len, n);
	td->len += (uint32_t)n;
	return true;
}

/* Parse the complete handshake messages in the buffer; keep a partial one. */
static enum diss_rc
handshake_msgs(struct diss_ctx *dc, struct tls_dir *td)
{
	struct cur c = cur_make(td->buf, td->len);
	enum diss_rc rc = DISS_OK;

	for (int i = 0; i < DISS_MAX_ITEMS && !td->done; i++) {
		struct cur msg;
		uint8_t type = 0;
		uint32_t len = 0;
		bool tls13 = false;
		size_t start = cur_left(&c);

		if (!cur_peek_u8(&c, 0, &type) || cur_left(&c) < 4)
			break;
		cur_skip(&c, 1);
		cur_be24(&c, &len);
		if (len > TLS_HS_MAX)
			return DISS_MALFORMED;
		if (!cur_take(&c, len, &msg)) {
			c = cur_make(td->buf + (td->len - start), start);
			break;
		}
		switch (type) {
		case HS_CLIENT_HELLO:
			rc = client_hello(dc, &msg);
			td->done = true;
			break;
		case HS_SERVER_HELLO:
			rc = server_hello(dc, &msg, &tls13);
			td->hello = true;
			td->done = tls13;	/* the rest is encrypted */
			break;
		case HS_CERTIFICATE:
			rc = certificate(dc, &msg);
			td->done = true;
			break;
		case HS_SERVER_DONE:
			td->done = true;
			break;
		}
		if (rc != DISS_OK)
			return rc;
		diss_pdu(dc);
	}
	if (!td->done && td->buf) {
		memmove(td->buf, td->buf + (td->len - cur_left(&c)), cur_left(&c));
		td->len = (uint32_t)cur_left(&c);
	}
	return DISS_OK;
}

static enum diss_rc
tls_parse(struct diss_ctx *dc, struct cur *c)
{
	struct tls_state *st = dc->state;
	struct tls_dir tmp = { 0 }, *td = st ? &st->d[dc->dir & 1] : &tmp;
	enum diss_rc rc = DISS_OK;

	for (int i = 0; i < DISS_MAX_ITEMS && !td->done; i++) {
		struct cur frag = cur_make(NULL, 0);
		uint8_t type = 0, maj = 0;
		uint16_t len = 0;

		if (cur_left(c) < 5)
			break;
		cur_peek_u8(c, 0, &type);
		cur_peek_u8(c, 1, &maj);
		cur_peek_be16(c, 3, &len);
		if (maj != 3 || type < REC_CCS || type > REC_APPDATA || len > REC_MAX) {
			rc = DISS_NOT_MINE;	/* the pipeline counts it malformed once bound */
			break;
		}
		if (cur_left(c) < 5u + len)
			break;			/* wait for the whole record */
		cur_skip(c, 5);
		cur_take(c, len, &frag);
		if (type == REC_CCS || type == REC_APPDATA) {
			td->done = true;	/* encrypted from here on */
			break;
		}
		if (type != REC_HANDSHAKE)
			continue;
		if (!buf_append(td, &frag)) {
			rc = DISS_MALFORMED;
			break;
		}
		rc = handshake_msgs(dc, td);
		if (rc != DISS_OK) {
			diss_count(dc, TLS_BAD_HS);
			break;
		}
	}
	if (rc != DISS_OK || td->done) {
		dir_finish(td);
		cur_skip(c, cur_left(c));
	}
	if (td == &tmp)
		free(tmp.buf);
	return rc;
}

static void
tls_gap(struct diss_ctx *dc)
{
	struct tls_state *st = dc->state;

	if (st)
		dir_finish(&st->d[dc->dir & 1]);
}

static void
tls_close(void *state)
{
	struct tls_state *st = state;

	free(st->d[0].buf);
	free(st->d[1].buf);
	st->d[0].buf = st->d[1].buf = NULL;
}

const struct dissector dis_tls = {
	.name = "tls",
	.transport = L4_TCP,
	.ports = { 443, 8443, 4443 },
	.state_size = sizeof(struct tls_state),
	.probe = tls_probe,
	.parse = tls_parse,
	.on_gap = tls_gap,
	.on_close = tls_close,
	.counter_names = { "client_hellos", "server_hellos", "certificates", "bad_handshakes",
	    "fingerprints_too_long", NULL },
};
