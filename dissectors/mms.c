/*
 * mms.c - IEC 61850 / ISO 9506 MMS over ISO-on-TCP (TCP 102): roles and
 * the Identify service.
 *
 * References: RFC 1006 (TPKT), ISO 8073 (COTP), ISO 8327-1 (session
 * SPDUs), ISO 8823-1 (presentation, fully-encoded data), ISO 9506-2 (MMS
 * PDUs: confirmed-RequestPDU [0], confirmed-ResponsePDU [1]; Identify is
 * service [2], its response { vendorName [0], modelName [1], revision [2] }
 * VisibleStrings), IEC 61850-8-1 (MMS mapping).
 *
 * Port 102 is shared with S7comm: a COTP DT whose payload starts with an
 * S7 protocol id (0x32, 0x72) answers DISS_NOT_MINE on a fresh flow, and
 * CR/CC TPDUs are consumed without counting a PDU, so S7comm may bind.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "oppend.h"
#include "sw_limits.h"

#define MMS_PORT	102
#define TPKT_HDR	4
#define COTP_DT		0xf0
#define COTP_EOT	0x80

/* Session SPDU identifiers */
#define SPDU_GT_DT	0x01	/* give tokens / data transfer */
#define SPDU_CONNECT	0x0d
#define SPDU_ACCEPT	0x0e

/* BER tags */
#define PRES_FULLY_ENC	0x61	/* [APPLICATION 1] fully-encoded-data */
#define PDV_LIST	0x30
#define PDV_SINGLE	0xa0	/* single-ASN1-type [0] */
#define MMS_CONF_REQ	0xa0
#define MMS_CONF_RESP	0xa1
#define MMS_CONF_ERROR	0xa2	/* confirmed-ErrorPDU [2] */
#define MMS_REJECT	0xa4	/* rejectPDU [4] */
#define MMS_IDENTIFY_REQ 0x82	/* identify [2] NULL */
#define MMS_IDENTIFY_RESP 0xa2	/* identify [2] constructed */

enum mms_counter {
	C_REQUESTS,
	C_RESPONSES,
	C_IDENTIFY,
	C_SESSION_CONNECT,
	C_COTP_OTHER,
	C_UNPARSED,		/* DT payloads that did not lead to an MMS PDU */
	C_OPS,			/* operation requests reported */
	C_OPS_DROPPED,		/* operation requests dropped unanswered: OP_PEND_MAX full */
	C_OPS_UNMATCHED,	/* responses of operation services to no recorded request */
};

struct mms_state {
	bool		 seen;		/* an ISO session / MMS PDU was parsed */
	struct op_pend_table ops;	/* operation requests by invokeID */
};

/*
 * BER tag (single octet) and length; an indefinite length (0x80) takes the
 * rest of the enclosing element.
 */
static bool
ber_len(struct cur *c, struct cur *val)
{
	uint8_t b, n;
	size_t len = 0;

	if (!cur_u8(c, &b))
		return false;
	if (b == 0x80)
		len = cur_left(c);
	else if (b < 0x80)
		len = b;
	else {
		n = b & 0x7f;
		if (n > 3)
			return false;
		while (n--) {
			if (!cur_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return cur_take(c, len, val);
}

static bool
ber_next(struct cur *c, uint8_t *tag, struct cur *val)
{
	if (!cur_u8(c, tag) || (*tag & 0x1f) == 0x1f)
		return false;
	return ber_len(c, val);
}

/*
 * A context-specific element with a tag number of any size (MMS services
 * above 30 use the long form: 0xbf 0x48 is [72]).  *num is the number.
 */
static bool
ber_next_num(struct cur *c, uint32_t *num, struct cur *val)
{
	uint8_t first, b;
	uint32_t n;

	if (!cur_u8(c, &first))
		return false;
	n = first & 0x1f;
	if (n == 0x1f) {
		n = 0;
		for (int i = 0;; i++) {
			if (i == 4 || !cur_u8(c, &b))
				return false;
			n = n << 7 | (b & 0x7f);
			if (!(b & 0x80))
				break;
		}
	}
	*num = n;
	return ber_len(c, val);
}

/* Find the element with this tag among the next siblings. */
static bool
ber_find(struct cur *c, uint8_t want, struct cur *val)
{
	uint8_t tag;

	for (int n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_next(c, &tag, val))
			return false;
		if (tag == want)
			return true;
	}
	return false;
}

/* Identify-Response: vendorName [0] | modelName [1] | revision [2] | ... */
static void
identify_response(struct diss_ctx *dc, struct cur *c)
{
	static const struct { uint8_t tag; struct fact_name attr, src; } map[] = {
		{ 0x80, FN(A_VENDOR), FN("mms/identify/vendor") },
		{ 0x81, FN(A_MODEL), FN("mms/identify/model") },
		{ 0x82, FN(A_FIRMWARE), FN("mms/identify/revision") },
	};
	uint8_t tag;
	struct cur v;

	diss_count(dc, C_IDENTIFY);
	for (int n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_next(c, &tag, &v))
			return;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (map[i].tag == tag && cur_left(&v) > 0)
				diss_fact_fn(dc, SIDE_SRC, map[i].attr, cur_ptr(&v), cur_left(&v),
				    map[i].src, CONF_STATED);
	}
}

/* --- operations ----------------------------------------------------------- */

/* Confirmed services that are operations (ISO 9506-2 ConfirmedServiceRequest). */
#define SVC_READ	4
#define SVC_WRITE	5

static const struct mms_op {
	uint8_t		 num;
	enum op_kind	 kind;
	struct fact_name src;
	const char	*name;
} mms_ops[] = {
	{ SVC_WRITE, OP_CONTROL_OPERATE, FN("mms/write"), "write" },
	{ 26, OP_PROGRAM_DOWNLOAD, FN("mms/initiate_download_sequence"), "initiateDownloadSequence" },
	{ 27, OP_PROGRAM_DOWNLOAD, FN("mms/download_segment"), "downloadSegment" },
	{ 28, OP_PROGRAM_DOWNLOAD, FN("mms/terminate_download_sequence"), "terminateDownloadSequence" },
	{ 29, OP_PROGRAM_UPLOAD, FN("mms/initiate_upload_sequence"), "initiateUploadSequence" },
	{ 30, OP_PROGRAM_UPLOAD, FN("mms/upload_segment"), "uploadSegment" },
	{ 31, OP_PROGRAM_UPLOAD, FN("mms/terminate_upload_sequence"), "terminateUploadSequence" },
	{ 32, OP_PROGRAM_DOWNLOAD, FN("mms/request_domain_download"), "requestDomainDownload" },
	{ 33, OP_PROGRAM_UPLOAD, FN("mms/request_domain_upload"), "requestDomainUpload" },
	{ 34, OP_PROGRAM_DOWNLOAD, FN("mms/load_domain_content"), "loadDomainContent" },
	{ 35, OP_PROGRAM_UPLOAD, FN("mms/store_domain_content"), "storeDomainContent" },
	{ 36, OP_FILE_DELETE, FN("mms/delete_domain"), "deleteDomain" },
	{ 40, OP_START, FN("mms/start"), "start" },
	{ 41, OP_STOP, FN("mms/stop"), "stop" },
	{ 42, OP_START, FN("mms/resume"), "resume" },
	{ 43, OP_RESTART_WARM, FN("mms/reset"), "reset" },
	{ 44, OP_STOP, FN("mms/kill"), "kill" },
	{ 46, OP_FILE_WRITE, FN("mms/obtain_file"), "obtainFile" },
	{ 72, OP_FILE_READ, FN("mms/file_open"), "fileOpen" },
	{ 73, OP_FILE_READ, FN("mms/file_read"), "fileRead" },
	{ 75, OP_FILE_WRITE, FN("mms/file_rename"), "fileRename" },
	{ 76, OP_FILE_DELETE, FN("mms/file_delete"), "fileDelete" },
};

/* IEC 61850 select-before-operate, normal security: a read of SBO. */
static const struct mms_op select_op = {
	SVC_READ, OP_CONTROL_OPERATE, FN("mms/read_sbo"), "select"
};

static const struct mms_op *
mms_op_of(uint32_t num)
{
	for (size_t i = 0; i < sizeof(mms_ops) / sizeof(mms_ops[0]); i++)
		if (mms_ops[i].num == num)
			return &mms_ops[i];
	return NULL;
}

static struct op_pend_table *
ops_of(struct diss_ctx *dc)
{
	struct mms_state *st = dc->state;

	return st ? &st->ops : NULL;
}

/* Append text, cut at the end of out. */
static void
append(char *out, size_t outsz, const char *sep, const uint8_t *p, size_t n)
{
	size_t used = strlen(out);

	snprintf(out + used, outsz - used, "%s%.*s", used ? sep : "", (int)n, (const char *)p);
}

/*
 * ObjectName: vmd-specific [0] Identifier | domain-specific [1] {
 * domainId, itemId } | aa-specific [2] Identifier; appended as
 * "domain/item".
 */
static void
object_name(struct cur *c, char *out, size_t outsz)
{
	uint8_t tag;
	struct cur v, dom, item;

	if (!ber_next(c, &tag, &v))
		return;
	if (tag == 0x80 || tag == 0x82) {
		append(out, outsz, ", ", cur_ptr(&v), cur_left(&v));
	} else if (tag == 0xa1 && ber_next(&v, &tag, &dom) && ber_next(&v, &tag, &item)) {
		append(out, outsz, ", ", cur_ptr(&dom), cur_left(&dom));
		append(out, outsz, "/", cur_ptr(&item), cur_left(&item));
	}
}

/*
 * VariableAccessSpecification: listOfVariable [0] { { variableSpecification
 * name [0] ObjectName, ... } ... } | variableListName [1] ObjectName.
 */
static void
variable_names(struct cur *c, char *out, size_t outsz)
{
	uint8_t tag;
	struct cur v, list, spec;

	if (!ber_next(c, &tag, &v))
		return;
	if (tag == 0xa1) {
		object_name(&v, out, outsz);
		return;
	}
	if (tag != 0xa0)
		return;
	for (int n = 0; cur_left(&v) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_next(&v, &tag, &list) || tag != 0x30)
			return;
		if (ber_next(&list, &tag, &spec) && tag == 0xa0)
			object_name(&spec, out, outsz);
	}
}

/*
 * IEC 61850-8-1 controls are writes (and, for select-before-operate with
 * normal security, a read) of the CO attributes Oper, SBOw, SBO, Cancel.
 */
static const char *
control_step(const char *names)
{
	if (strstr(names, "$Oper"))
		return "operate ";
	if (strstr(names, "$SBOw") || strstr(names, "$SBO"))
		return "select ";
	if (strstr(names, "$Cancel"))
		return "cancel ";
	return "";
}

/*
 * The name a service acts on: its first string (a domain or program
 * invocation Identifier, a FileName's first GraphicString), looked for
 * also one level into a constructed first element (fileOpen's fileName [0]).
 */
static void
first_name(struct cur svc, char *out, size_t outsz)
{
	uint8_t tag;
	struct cur v;

	for (int depth = 0; depth < 3; depth++) {
		if (!ber_next(&svc, &tag, &v))
			return;
		if (tag == 0x19 || tag == 0x1a || tag == 0x80 || tag == 0x81) {
			append(out, outsz, "", cur_ptr(&v), cur_left(&v));
			return;
		}
		if (!(tag & 0x20))
			return;
		svc = v;	/* constructed: look inside */
	}
}

/* A confirmed request: reported when its service is an operation. */
static void
op_request(struct diss_ctx *dc, uint32_t invoke, uint32_t num, struct cur svc)
{
	const struct mms_op *m = mms_op_of(num);
	char names[160] = "", detail[192];
	struct cur spec;

	if (num == SVC_READ) {
		/* Read-Request { specificationWithResult [0] opt, variableAccessSpecification [1] } */
		if (ber_find(&svc, 0xa1, &spec))
			variable_names(&spec, names, sizeof(names));
		if (strstr(names, "$SBO") == NULL)
			return;		/* reads are no operations; a select is */
		snprintf(detail, sizeof(detail), "select %s", names);
		m = &select_op;
	} else if (m == NULL) {
		return;
	} else if (num == SVC_WRITE) {
		variable_names(&svc, names, sizeof(names));
		snprintf(detail, sizeof(detail), "%swrite%s%s", control_step(names),
		    names[0] ? " " : "", names);
	} else {
		first_name(svc, names, sizeof(names));
		snprintf(detail, sizeof(detail), "%s%s%s", m->name, names[0] ? " " : "", names);
	}
	diss_count(dc, C_OPS);
	if (!op_pend_request(dc, ops_of(dc), invoke, SIDE_SRC, m->kind, m->src, detail,
	    strlen(detail)))
		diss_count(dc, C_OPS_DROPPED);
}

/*
 * Write-Response: SEQUENCE OF { failure [0] DataAccessError | success [1] };
 * Read-Response: { variableAccessSpecification [0] opt, listOfAccessResult
 * [1] { failure [0] | data } }.  Any failure fails the operation.
 */
static bool
results_ok(uint32_t num, struct cur svc)
{
	uint8_t tag;
	struct cur v;

	if (num != SVC_READ && num != SVC_WRITE)
		return true;		/* a confirmed response is success */
	if (num == SVC_READ && !ber_find(&svc, 0xa1, &svc))
		return false;
	for (int n = 0; cur_left(&svc) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_next(&svc, &tag, &v))
			return false;
		if (tag == 0x80)
			return false;
	}
	return true;
}

/* An invokeID: INTEGER, or [0] IMPLICIT in error and reject PDUs. */
static bool
invoke_id(struct cur *pdu, uint8_t want, uint32_t *id)
{
	uint8_t tag, b;
	struct cur v;

	if (!ber_next(pdu, &tag, &v) || tag != want || cur_left(&v) == 0 || cur_left(&v) > 4)
		return false;
	*id = 0;
	while (cur_u8(&v, &b))
		*id = *id << 8 | b;
	return true;
}

/*
 * Operations of one MMS PDU: confirmed requests, and the outcome of their
 * responses (confirmed-ErrorPDU and reject are failures).
 */
static void
mms_ops_of_pdu(struct diss_ctx *dc, uint8_t tag, struct cur pdu)
{
	uint32_t invoke, num;
	struct cur svc;

	switch (tag) {
	case MMS_CONF_REQ:
		if (invoke_id(&pdu, 0x02, &invoke) && ber_next_num(&pdu, &num, &svc))
			op_request(dc, invoke, num, svc);
		return;
	case MMS_CONF_RESP:
		if (!invoke_id(&pdu, 0x02, &invoke) || !ber_next_num(&pdu, &num, &svc))
			return;
		if (op_pend_waiting(ops_of(dc), invoke, dc->dir))
			op_pend_reply(dc, ops_of(dc), invoke, results_ok(num, svc));
		else if (mms_op_of(num) != NULL)
			diss_count(dc, C_OPS_UNMATCHED);
		return;
	case MMS_CONF_ERROR:
	case MMS_REJECT:
		if (invoke_id(&pdu, 0x80, &invoke) && op_pend_waiting(ops_of(dc), invoke, dc->dir))
			op_pend_reply(dc, ops_of(dc), invoke, false);
		return;
	}
}

/*
 * Confirmed-RequestPDU [0] { invokeID INTEGER, service } and
 * Confirmed-ResponsePDU [1] { invokeID INTEGER, service }.
 */
static void
mms_pdu(struct diss_ctx *dc, struct cur *c)
{
	uint8_t tag, stag;
	struct cur pdu, id, svc;

	if (!ber_next(c, &tag, &pdu))
		return;
	mms_ops_of_pdu(dc, tag, pdu);
	if (tag != MMS_CONF_REQ && tag != MMS_CONF_RESP)
		return;
	if (!ber_next(&pdu, &stag, &id) || stag != 0x02 || !ber_next(&pdu, &stag, &svc))
		return;
	if (tag == MMS_CONF_REQ) {
		diss_count(dc, C_REQUESTS);
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_MMS_CLIENT, "mms/request", CONF_INFERRED);
		diss_fact_str(dc, SIDE_DST, A_ROLE, R_IED, "mms/request", CONF_INFERRED);
		return;
	}
	diss_count(dc, C_RESPONSES);
	diss_fact_str(dc, SIDE_SRC, A_ROLE, R_IED, "mms/response", CONF_INFERRED);
	if (stag == MMS_IDENTIFY_RESP)
		identify_response(dc, &svc);
}

/*
 * Presentation fully-encoded data: [APPLICATION 1] { PDV-list SEQUENCE {
 * presentation-context-identifier INTEGER, [transfer-syntax-name OID],
 * single-ASN1-type [0] { MMS PDU } } }
 */
static bool
presentation(struct diss_ctx *dc, struct cur *c)
{
	uint8_t tag;
	struct cur fe, pdv, single;

	if (!ber_next(c, &tag, &fe) || tag != PRES_FULLY_ENC)
		return false;
	if (!ber_next(&fe, &tag, &pdv) || tag != PDV_LIST)
		return false;
	if (!ber_find(&pdv, PDV_SINGLE, &single))
		return false;
	mms_pdu(dc, &single);
	return true;
}

/*
 * Session: SPDUs of SI 1 | LI 1 (0xff: LI 2 follows) | parameters; a Give
 * Tokens SPDU then a Data Transfer SPDU, both with LI 0, precede the user
 * data.  CONNECT / ACCEPT start the association (their user data holds the
 * ACSE and MMS initiate, not decoded here).
 */
static void
session(struct diss_ctx *dc, struct cur *c)
{
	for (int n = 0; n < 2; n++) {
		uint8_t si, li8;
		uint16_t li;

		if (!cur_u8(c, &si) || !cur_u8(c, &li8))
			return;
		li = li8;
		if (li8 == 0xff && !cur_be16(c, &li))
			return;
		if (si == SPDU_CONNECT || si == SPDU_ACCEPT) {
			diss_count(dc, C_SESSION_CONNECT);
			return;
		}
		if (si != SPDU_GT_DT || !cur_skip(c, li))
			return;
	}
	if (!presentation(dc, c))
		diss_count(dc, C_UNPARSED);
}

static bool
is_session_start(uint8_t b)
{
	return b == SPDU_GT_DT || b == SPDU_CONNECT || b == SPDU_ACCEPT;
}

/* One TPKT: COTP length indicator 1 | type 1 | for DT: number + EOT 1 | SPDUs. */
static enum diss_rc
tpkt_pdu(struct diss_ctx *dc, struct cur *c)
{
	struct mms_state *st = dc->state;
	uint8_t li, type, nr, first;
	struct cur cotp;

	if (!cur_u8(c, &li) || !cur_take(c, li, &cotp) || !cur_u8(&cotp, &type))
		return DISS_MALFORMED;
	if ((type & 0xf0) != COTP_DT) {
		diss_count(dc, C_COTP_OTHER);
		return DISS_OK;
	}
	if (!cur_u8(&cotp, &nr))
		return DISS_MALFORMED;
	if (!cur_peek_u8(c, 0, &first))
		return DISS_OK;
	if (!is_session_start(first))
		return st && st->seen ? DISS_MALFORMED : DISS_NOT_MINE;
	if (st)
		st->seen = true;
	diss_pdu(dc);
	if (nr & COTP_EOT)
		session(dc, c);
	return DISS_OK;
}

static enum diss_rc
mms_parse(struct diss_ctx *dc, struct cur *c)
{
	struct mms_state *st = dc->state;

	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		uint8_t ver;
		uint16_t len;
		struct cur pdu;
		enum diss_rc rc;

		if (!cur_peek_u8(c, 0, &ver) || !cur_peek_be16(c, 2, &len))
			break;		/* wait for the rest of the header */
		if (ver != 3 || len < TPKT_HDR + 2)
			return st && st->seen ? DISS_MALFORMED : DISS_NOT_MINE;
		if (cur_left(c) < len)
			break;
		if (!cur_skip(c, TPKT_HDR) || !cur_take(c, len - TPKT_HDR, &pdu))
			break;
		if ((rc = tpkt_pdu(dc, &pdu)) != DISS_OK)
			return rc;
	}
	return DISS_OK;
}

/* TPKT 3, COTP DT, and a session SPDU that MMS uses. */
static bool
mms_probe(const struct cur *c, int dir)
{
	uint8_t ver, li, type, si;

	(void)dir;
	return cur_peek_u8(c, 0, &ver) && ver == 3 && cur_peek_u8(c, 4, &li) && li == 2 &&
	    cur_peek_u8(c, 5, &type) && (type & 0xf0) == COTP_DT &&
	    cur_peek_u8(c, 7, &si) && is_session_start(si);
}

const struct dissector dis_mms = {
	.name = "mms",
	.transport = L4_TCP,
	.ports = { MMS_PORT },
	.state_size = sizeof(struct mms_state),
	.probe = mms_probe,
	.parse = mms_parse,
	.counter_names = { "requests", "responses", "identify", "session_connect",
	    "cotp_other", "unparsed", "ops", "ops_dropped", "ops_unmatched", NULL },
};
