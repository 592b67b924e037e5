/*
 * opcua.c - OPC UA binary (UA TCP, port 4840 and a heuristic on others).
 *
 * References: OPC 10000-6 (Mappings): 7.1 UA Connection Protocol message
 * header and Hello/Acknowledge, 6.7 secure conversation (OpenSecureChannel
 * asymmetric header, MSG symmetric header, sequence header), 5.2 binary
 * encoding of built-in types; OPC 10000-4 (Services): GetEndpoints and
 * CreateSession; OPC 10000-5 / the NodeSet for the binary encoding ids.
 * RFC 5280 for the certificate's subject.
 *
 * Evidence: the Hello's endpoint URL (what the client asked for), and from
 * unencrypted GetEndpoints / CreateSession responses the server's
 * application URI, product URI, application name and certificate subject;
 * CreateSession requests name the client application the same way.  The
 * server certificate of an OpenSecureChannel response (sent in clear in the
 * asymmetric security header) gives the subject even when the channel is
 * encrypted.  Messages of an encrypted channel are otherwise opaque.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

#define OPCUA_PORT	4840
#define UA_HDR_LEN	8

/* Binary encoding ids (namespace 0) */
#define ID_GET_ENDPOINTS_RESP	431
#define ID_CREATE_SESSION_REQ	461
#define ID_CREATE_SESSION_RESP	464


enum ua_counter {
	C_HELLO,
	C_ACK,
	C_OPEN,
	C_MSG,
	C_ENDPOINTS,		/* GetEndpoints responses parsed */
	C_SESSIONS,		/* CreateSession requests / responses parsed */
	C_OPAQUE,		/* MSG bodies that did not decode (encrypted, other) */
};

struct ua_app {
	struct cur	 uri, product, name;
};

/* --- built-in types (OPC 10000-6 5.2.2) --------------------------------- */

/* String / ByteString: Int32 length (-1: null) | bytes */
static bool
ua_bytes(struct cur *c, struct cur *out)
{
	uint32_t len;

	if (!cur_le32(c, &len))
		return false;
	if (len == 0xffffffff) {
		*out = cur_make(NULL, 0);
		return true;
	}
	return cur_take(c, len, out);
}

static bool
ua_skip_bytes(struct cur *c)
{
	struct cur s;

	return ua_bytes(c, &s);
}

/* Array of String: Int32 count (-1: null) | strings */
static bool
ua_skip_string_array(struct cur *c)
{
	uint32_t n;

	if (!cur_le32(c, &n))
		return false;
	if (n == 0xffffffff)
		return true;
	for (uint32_t i = 0; i < n; i++)
		if (i >= DISS_MAX_ITEMS || !ua_skip_bytes(c))
			return false;
	return true;
}

/*
 * NodeId: encoding 1 | two-byte: id 1 | four-byte: ns 1, id 2 | numeric:
 * ns 2, id 4 | string: ns 2, String | guid: ns 2, 16 | opaque: ns 2,
 * ByteString.  *id is the numeric id in namespace 0, else 0.
 */
static bool
ua_nodeid(struct cur *c, uint32_t *id)
{
	uint8_t enc, ns8, id8;
	uint16_t ns, id16;
	uint32_t id32;

	*id = 0;
	if (!cur_u8(c, &enc))
		return false;
	switch (enc & 0x3f) {
	case 0:
		if (!cur_u8(c, &id8))
			return false;
		*id = id8;
		return true;
	case 1:
		if (!cur_u8(c, &ns8) || !cur_le16(c, &id16))
			return false;
		*id = ns8 == 0 ? id16 : 0;
		return true;
	case 2:
		if (!cur_le16(c, &ns) || !cur_le32(c, &id32))
			return false;
		*id = ns == 0 ? id32 : 0;
		return true;
	case 3:
	case 5:
		return cur_le16(c, &ns) && ua_skip_bytes(c);
	case 4:
		return cur_le16(c, &ns) && cur_skip(c, 16);
	}
	return false;
}

/* LocalizedText: mask 1 (1 locale, 2 text) | [locale String] | [text String] */
static bool
ua_localized(struct cur *c, struct cur *text)
{
	uint8_t mask;
	struct cur locale;

	*text = cur_make(NULL, 0);
	if (!cur_u8(c, &mask))
		return false;
	if ((mask & 1) && !ua_bytes(c, &locale))
		return false;
	return !(mask & 2) || ua_bytes(c, text);
}

/*
 * DiagnosticInfo: mask 1 | SymbolicId 4 (0x01) | NamespaceUri 4 (0x02) |
 * LocalizedText 4 (0x04) | Locale 4 (0x08) | AdditionalInfo String (0x10)
 * | InnerStatusCode 4 (0x20) | InnerDiagnosticInfo (0x40, recursive).
 */
static bool
ua_skip_diag(struct cur *c, int depth)
{
	uint8_t mask;

	if (depth > UA_MAX_DIAG_DEPTH || !cur_u8(c, &mask))
		return false;
	if ((mask & 0x01) && !cur_skip(c, 4))
		return false;
	if ((mask & 0x02) && !cur_skip(c, 4))
		return false;
	if ((mask & 0x04) && !cur_skip(c, 4))
		return false;
	if ((mask & 0x08) && !cur_skip(c, 4))
		return false;
	if ((mask & 0x10) && !ua_skip_bytes(c))
		return false;
	if ((mask & 0x20) && !cur_skip(c, 4))
		return false;
	return !(mask & 0x40) || ua_skip_diag(c, depth + 1);
}

/* ExtensionObject: NodeId | encoding 1 | [ByteString / XmlElement body if 1 or 2] */
static bool
ua_skip_extobj(struct cur *c)
{
	uint32_t id;
	uint8_t enc;

	if (!ua_nodeid(c, &id) || !cur_u8(c, &enc))
		return false;
	return enc == 0 || ((enc == 1 || enc == 2) && ua_skip_bytes(c));
}

/*
 * ResponseHeader: Timestamp 8 | RequestHandle 4 | ServiceResult 4 |
 * ServiceDiagnostics DiagnosticInfo | StringTable String[] | AdditionalHeader
 */
static bool
ua_response_header(struct cur *c, uint32_t *result)
{
	return cur_skip(c, 12) && cur_le32(c, result) && ua_skip_diag(c, 0) &&
	    ua_skip_string_array(c) && ua_skip_extobj(c);
}

/*
 * RequestHeader: AuthenticationToken NodeId | Timestamp 8 | RequestHandle 4
 * | ReturnDiagnostics 4 | AuditEntryId String | TimeoutHint 4 | AdditionalHeader
 */
static bool
ua_request_header(struct cur *c)
{
	uint32_t id;

	return ua_nodeid(c, &id) && cur_skip(c, 16) && ua_skip_bytes(c) &&
	    cur_skip(c, 4) && ua_skip_extobj(c);
}

/*
 * ApplicationDescription: ApplicationUri String | ProductUri String |
 * ApplicationName LocalizedText | ApplicationType 4 | GatewayServerUri
 * String | DiscoveryProfileUri String | DiscoveryUrls String[]
 */
static bool
ua_app_description(struct cur *c, struct ua_app *app)
{
	return ua_bytes(c, &app->uri) && ua_bytes(c, &app->product) &&
	    ua_localized(c, &app->name) && cur_skip(c, 4) && ua_skip_bytes(c) &&
	    ua_skip_bytes(c) && ua_skip_string_array(c);
}

/* --- certificate subject (RFC 5280 4.1.2.6) --------------------------- */

/* DER tag (one octet) and definite length. */
static bool
der_next(struct cur *c, uint8_t *tag, struct cur *val)
{
	uint8_t b, n;
	size_t len = 0;

	if (!cur_u8(c, tag) || !cur_u8(c, &b))
		return false;
	if (b < 0x80)
		len = b;
	else {
		n = b & 0x7f;
		if (n == 0 || n > 3)
			return false;
		while (n--) {
			if (!cur_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return cur_take(c, len, val);
}

/* Append "KEY=value" for attribute types CN, C, L, ST, O, OU (id-at 2.5.4.x). */
static void
rdn_append(struct cur *atv, char *out, size_t *at)
{
	static const struct { uint8_t id; const char *key; } keys[] = {
		{ 3, "CN" }, { 6, "C" }, { 7, "L" }, { 8, "ST" }, { 10, "O" }, { 11, "OU" },
	};
	static const uint8_t id_at[] = { 0x55, 0x04 };
	uint8_t tag, last;
	struct cur oid, val;
	const char *key = NULL;
	int k;
	size_t n;

	if (!der_next(atv, &tag, &oid) || tag != 0x06 || cur_left(&oid) != 3 ||
	    !cur_starts_with(&oid, id_at, 2) || !cur_skip(&oid, 2) || !cur_u8(&oid, &last))
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].id == last)
			key = keys[i].key;
	if (key == NULL || !der_next(atv, &tag, &val))
		return;
	k = snprintf(out + *at, UA_SUBJECT_MAX - *at, "%s%s=", *at ? ", " : "", key);
	if (k <= 0 || (size_t)k >= UA_SUBJECT_MAX - *at)
		return;
	*at += (size_t)k;
	n = cur_left(&val);
	if (n > UA_SUBJECT_MAX - 1 - *at)
		n = UA_SUBJECT_MAX - 1 - *at;
	if (cur_copy(&val, out + *at, n))
		*at += n;
}

/*
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature AlgorithmIdentifier, issuer Name,
 * validity, subject Name, ... }, ... }; Name ::= SEQUENCE OF SET OF
 * SEQUENCE { type OID, value }.
 */
static size_t
cert_subject(struct cur cert, char out[UA_SUBJECT_MAX])
{
	uint8_t tag;
	struct cur outer, tbs, el, rdn, atv;
	size_t at = 0;
	int skip = 4;		/* serial, signature, issuer, validity */

	if (!der_next(&cert, &tag, &outer) || tag != 0x30 ||
	    !der_next(&outer, &tag, &tbs) || tag != 0x30)
		return 0;
	if (cur_peek_u8(&tbs, 0, &tag) && tag == 0xa0 && !der_next(&tbs, &tag, &el))
		return 0;
	while (skip-- > 0)
		if (!der_next(&tbs, &tag, &el))
			return 0;
	if (!der_next(&tbs, &tag, &el) || tag != 0x30)
		return 0;
	for (int n = 0; cur_left(&el) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!der_next(&el, &tag, &rdn) || tag != 0x31)
			break;
		for (int m = 0; cur_left(&rdn) > 0 && m < DISS_MAX_ITEMS; m++) {
			if (!der_next(&rdn, &tag, &atv) || tag != 0x30)
				break;
			rdn_append(&atv, out, &at);
		}
	}
	out[at] = '\0';
	return at;
}

/* --- facts ----------------------------------------------------------------- */

static void
fact_cur(struct diss_ctx *dc, enum side s, struct fact_name attr, const struct cur *v,
    struct fact_name src, uint8_t conf)
{
	if (cur_left(v) > 0)
		diss_fact_fn(dc, s, attr, cur_ptr(v), cur_left(v), src, conf);
}

static void
emit_app(struct diss_ctx *dc, enum side s, const struct ua_app *app)
{
	fact_cur(dc, s, FN(A_URL), &app->uri, FN("opcua/application_uri"), CONF_STATED);
	fact_cur(dc, s, FN(A_URL), &app->product, FN("opcua/product_uri"), CONF_STATED);
	fact_cur(dc, s, FN(A_SOFTWARE), &app->name, FN("opcua/application_name"), CONF_STATED);
}

static void
emit_cert(struct diss_ctx *dc, enum side s, const struct cur *cert, struct fact_name src)
{
	char subject[UA_SUBJECT_MAX];
	size_t n;

	if (cur_left(cert) == 0)
		return;
	if ((n = cert_subject(*cert, subject)) > 0)
		diss_fact_fn(dc, s, FN(A_CERT_SUBJECT), subject, n, src, CONF_STATED);
}

/* --- services ------------------------------------------------------------ */

/*
 * EndpointDescription: EndpointUrl String | Server ApplicationDescription |
 * ServerCertificate ByteString | SecurityMode 4 | SecurityPolicyUri String
 * | UserIdentityTokens UserTokenPolicy[] | TransportProfileUri String |
 * SecurityLevel 1.   UserTokenPolicy: PolicyId String | TokenType 4 |
 * IssuedTokenType String | IssuerEndpointUrl String | SecurityPolicyUri String.
 */
static bool
endpoint_description(struct diss_ctx *dc, struct cur *c)
{
	struct cur url, cert;
	struct ua_app app;
	uint32_t n;

	if (!ua_bytes(c, &url) || !ua_app_description(c, &app) || !ua_bytes(c, &cert) ||
	    !cur_skip(c, 4) || !ua_skip_bytes(c) || !cur_le32(c, &n))
		return false;
	emit_app(dc, SIDE_SRC, &app);
	emit_cert(dc, SIDE_SRC, &cert, FN("opcua/server_certificate"));
	if (n != 0xffffffff)
		for (uint32_t i = 0; i < n; i++)
			if (i >= DISS_MAX_ITEMS || !ua_skip_bytes(c) || !cur_skip(c, 4) ||
			    !ua_skip_bytes(c) || !ua_skip_bytes(c) || !ua_skip_bytes(c))
				return false;
	return ua_skip_bytes(c) && cur_skip(c, 1);
}

/* GetEndpointsResponse: ResponseHeader | Endpoints EndpointDescription[] */
static void
get_endpoints_response(struct diss_ctx *dc, struct cur *c)
{
	uint32_t result, n;

	if (!ua_response_header(c, &result) || result != 0 || !cur_le32(c, &n))
		return;
	diss_count(dc, C_ENDPOINTS);
	if (n == 0xffffffff)
		return;
	for (uint32_t i = 0; i < n && i < UA_MAX_ENDPOINTS; i++)
		if (!endpoint_description(dc, c))
			return;
}

/*
 * CreateSessionResponse: ResponseHeader | SessionId NodeId |
 * AuthenticationToken NodeId | RevisedSessionTimeout 8 | ServerNonce
 * ByteString | ServerCertificate ByteString | ServerEndpoints
 * EndpointDescription[] | ...
 */
static void
create_session_response(struct diss_ctx *dc, struct cur *c)
{
	uint32_t result, id, n;
	struct cur cert;

	if (!ua_response_header(c, &result) || result != 0 || !ua_nodeid(c, &id) ||
	    !ua_nodeid(c, &id) || !cur_skip(c, 8) || !ua_skip_bytes(c) ||
	    !ua_bytes(c, &cert))
		return;
	diss_count(dc, C_SESSIONS);
	emit_cert(dc, SIDE_SRC, &cert, FN("opcua/server_certificate"));
	if (!cur_le32(c, &n) || n == 0xffffffff)
		return;
	for (uint32_t i = 0; i < n && i < UA_MAX_ENDPOINTS; i++)
		if (!endpoint_description(dc, c))
			return;
}

/*
 * CreateSessionRequest: RequestHeader | ClientDescription
 * ApplicationDescription | ServerUri String | EndpointUrl String | ...
 */
static void
create_session_request(struct diss_ctx *dc, struct cur *c)
{
	struct ua_app app;
	struct cur server_uri, url;

	if (!ua_request_header(c) || !ua_app_description(c, &app))
		return;
	diss_count(dc, C_SESSIONS);
	emit_app(dc, SIDE_SRC, &app);
	if (ua_bytes(c, &server_uri) && ua_bytes(c, &url))
		fact_cur(dc, SIDE_DST, FN(A_URL), &url, FN("opcua/endpoint_url"), CONF_BANNER);
}

/* Service body: TypeId NodeId (the binary encoding id) | message */
static void
service(struct diss_ctx *dc, struct cur *c)
{
	uint32_t id;

	if (!ua_nodeid(c, &id)) {
		diss_count(dc, C_OPAQUE);
		return;
	}
	switch (id) {
	case ID_GET_ENDPOINTS_RESP:
		get_endpoints_response(dc, c);
		break;
	case ID_CREATE_SESSION_RESP:
		create_session_response(dc, c);
		break;
	case ID_CREATE_SESSION_REQ:
		create_session_request(dc, c);
		break;
	}
}

/* --- messages ---------------------------------------------------------- */

/*
 * Hello: ProtocolVersion 4 | ReceiveBufferSize 4 | SendBufferSize 4 |
 * MaxMessageSize 4 | MaxChunkCount 4 | EndpointUrl String
 */
static void
hello(struct diss_ctx *dc, struct cur *c)
{
	struct cur url;

	diss_count(dc, C_HELLO);
	diss_fact_str(dc, SIDE_SRC, A_ROLE, R_OPCUA_CLIENT, "opcua/hello", CONF_INFERRED);
	diss_fact_str(dc, SIDE_DST, A_ROLE, R_OPCUA_SERVER, "opcua/hello", CONF_INFERRED);
	if (cur_skip(c, 20) && ua_bytes(c, &url))
		fact_cur(dc, SIDE_DST, FN(A_URL), &url, FN("opcua/endpoint_url"), CONF_BANNER);
}

/*
 * OpenSecureChannel: SecureChannelId 4 | SecurityPolicyUri String |
 * SenderCertificate ByteString | ReceiverCertificateThumbprint ByteString |
 * SequenceNumber 4 | RequestId 4 | body (clear only with policy None)
 */
static void
open_channel(struct diss_ctx *dc, struct cur *c)
{
	struct cur policy, cert;

	diss_count(dc, C_OPEN);
	if (!cur_skip(c, 4) || !ua_bytes(c, &policy) || !ua_bytes(c, &cert))
		return;
	if (dc->dir == DIR_S2C)
		emit_cert(dc, SIDE_SRC, &cert, FN("opcua/open_secure_channel"));
}

/* MSG: SecureChannelId 4 | TokenId 4 | SequenceNumber 4 | RequestId 4 | body */
static void
message(struct diss_ctx *dc, struct cur *c)
{
	diss_count(dc, C_MSG);
	if (cur_skip(c, 16))
		service(dc, c);
}

static bool
msg_type(const struct cur *c, char type[4])
{
	uint8_t b;

	for (size_t i = 0; i < 4; i++) {
		if (!cur_peek_u8(c, i, &b))
			return false;
		type[i] = (char)b;
	}
	return true;
}

static bool
known_type(const char t[4])
{
	static const char *const types[] = { "HEL", "ACK", "ERR", "RHE", "OPN", "CLO", "MSG" };

	if (t[3] != 'F' && t[3] != 'C' && t[3] != 'A')
		return false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (memcmp(t, types[i], 3) == 0)
			return true;
	return false;
}

/*
 * Message header: MessageType 3 | ChunkType 1 ('F' final, 'C' more, 'A'
 * abort) | MessageSize 4 (little endian, the whole chunk).  Only final
 * chunks are decoded; intermediate chunks of a long message are skipped.
 */
static enum diss_rc
ua_parse(struct diss_ctx *dc, struct cur *c)
{
	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		char t[4];
		uint32_t size;
		struct cur hdr = *c, body;

		if (cur_left(c) < UA_HDR_LEN || !msg_type(c, t))
			break;
		if (!known_type(t))
			return dc->pdus == 0 ? DISS_NOT_MINE : DISS_MALFORMED;
		cur_skip(&hdr, 4);
		cur_le32(&hdr, &size);
		if (size < UA_HDR_LEN || size > DISS_MAX_FRAGMENT)
			return DISS_MALFORMED;
		if (cur_left(c) < size)
			break;		/* wait for the whole chunk */
		cur_skip(c, UA_HDR_LEN);
		if (!cur_take(c, size - UA_HDR_LEN, &body))
			break;
		diss_pdu(dc);
		if (t[3] != 'F')
			continue;
		if (memcmp(t, "HEL", 3) == 0)
			hello(dc, &body);
		else if (memcmp(t, "ACK", 3) == 0) {
			diss_count(dc, C_ACK);
			diss_fact_str(dc, SIDE_SRC, A_ROLE, R_OPCUA_SERVER, "opcua/ack", CONF_INFERRED);
		} else if (memcmp(t, "OPN", 3) == 0)
			open_channel(dc, &body);
		else if (memcmp(t, "MSG", 3) == 0)
			message(dc, &body);
	}
	return DISS_OK;
}

/* A final Hello chunk whose size is exactly the payload. */
static bool
ua_probe(const struct cur *c, int dir)
{
	struct cur t = *c;
	uint32_t size;

	(void)dir;
	return cur_starts_with(c, "HELF", 4) && cur_skip(&t, 4) && cur_le32(&t, &size) &&
	    size == cur_left(c) && size >= 32;
}

const struct dissector dis_opcua = {
	.name = "opcua",
	.transport = L4_TCP,
	.ports = { OPCUA_PORT },
	.probe = ua_probe,
	.parse = ua_parse,
	.counter_names = { "hello", "ack", "open_secure_channel", "msg", "get_endpoints",
	    "create_session", "opaque", NULL },
};
