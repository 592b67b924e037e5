/*
 * ops.h - operations: what a client does to a controller (docs/JSON.md,
 * "operation" events).  The kinds are stable names a SOC writes rules
 * against; never rename one, only append.
 */
#ifndef SW_OPS_H
#define SW_OPS_H

enum op_kind {
	OP_NONE,
	OP_RESTART_COLD,
	OP_RESTART_WARM,
	OP_STOP,
	OP_START,
	OP_PROGRAM_DOWNLOAD,
	OP_PROGRAM_UPLOAD,
	OP_FIRMWARE_UPDATE,
	OP_TIME_SET,
	OP_CONTROL_OPERATE,
	OP_FILE_WRITE,
	OP_FILE_READ,
	OP_FILE_DELETE,
	OP_CONFIG_CHANGE,
	OP_MODE_CHANGE,
	OP_LOCK,
	OP_UNLOCK,
	OP_DIAGNOSTICS_READ,
	OP_KIND_COUNT
};

/*
 * Which half of an operation an observation reports.  A dissector reports
 * the request when it sees it and, when it can match the response to that
 * request, the response with its outcome; the store counts both, so a
 * request never answered stays "unknown".
 */
enum op_phase {
	OP_REQUEST,		/* client -> server: the sender of these bytes is the client */
	OP_REPLY_OK,		/* server -> client: accepted / done */
	OP_REPLY_FAILED,	/* server -> client: refused, exception, error class */
};

/* "restart_cold", ...; NULL for OP_NONE or out of range. */
const char	*op_kind_name(enum op_kind k);
/* The kind of a name, OP_NONE if unknown. */
enum op_kind	 op_kind_from_name(const char *name);

#endif
