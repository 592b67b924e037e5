/*
 * ops.c - the names of the operation kinds (ops.h).
 */
#include <stddef.h>
#include <string.h>

#include "ops.h"

static const char *const op_names[OP_KIND_COUNT] = {
	[OP_NONE] = NULL,
	[OP_RESTART_COLD] = "restart_cold",
	[OP_RESTART_WARM] = "restart_warm",
	[OP_STOP] = "stop",
	[OP_START] = "start",
	[OP_PROGRAM_DOWNLOAD] = "program_download",
	[OP_PROGRAM_UPLOAD] = "program_upload",
	[OP_FIRMWARE_UPDATE] = "firmware_update",
	[OP_TIME_SET] = "time_set",
	[OP_CONTROL_OPERATE] = "control_operate",
	[OP_FILE_WRITE] = "file_write",
	[OP_FILE_READ] = "file_read",
	[OP_FILE_DELETE] = "file_delete",
	[OP_CONFIG_CHANGE] = "config_change",
	[OP_MODE_CHANGE] = "mode_change",
	[OP_LOCK] = "lock",
	[OP_UNLOCK] = "unlock",
	[OP_DIAGNOSTICS_READ] = "diagnostics_read",
};

const char *
op_kind_name(enum op_kind k)
{
	if ((unsigned)k >= OP_KIND_COUNT)
		return NULL;
	return op_names[k];
}

enum op_kind
op_kind_from_name(const char *name)
{
	unsigned k;

	if (name == NULL)
		return OP_NONE;
	for (k = 1; k < OP_KIND_COUNT; k++)
		if (strcmp(op_names[k], name) == 0)
			return (enum op_kind)k;
	return OP_NONE;
}
