/*
 * ev_class.c - how an event is classed for a SIEM: its ECS event.kind,
 * event.category and event.type (ECS 8.11's allowed values), and its
 * event.action, which is also its CEF signature (docs/EXPORT.md, "Events").
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "export_int.h"

/* Categories and types by event kind; operations by their operation kind. */
static const struct ev_class {
	const char	*kind;
	const char	*cat[2];
	const char	*type[2];
} classes[] = {
	{ "asset_new", { "host" }, { "creation" } },
	{ "address_changed", { "host", "network" }, { "change" } },
	{ "identity_changed", { "host" }, { "change" } },
	{ "new_client", { "network" }, { "connection", "start" } },
	{ "new_service", { "network" }, { "protocol", "start" } },
	{ "gateway", { "network" }, { "info" } },
	{ "risk_changed", { "host" }, { "change" } },
	{ "asset_silent", { "host" }, { "end" } },
}, op_classes[] = {
	{ "restart_cold", { "network", "host" }, { "start" } },
	{ "restart_warm", { "network", "host" }, { "start" } },
	{ "stop", { "network", "host" }, { "end" } },
	{ "start", { "network", "host" }, { "start" } },
	{ "program_download", { "network", "configuration" }, { "change" } },
	{ "program_upload", { "network", "configuration" }, { "access" } },
	{ "firmware_update", { "network", "configuration" }, { "change", "installation" } },
	{ "time_set", { "network", "configuration" }, { "change" } },
	{ "control_operate", { "network", "host" }, { "change" } },
	{ "file_write", { "network", "file" }, { "change" } },
	{ "file_read", { "network", "file" }, { "access" } },
	{ "file_delete", { "network", "file" }, { "deletion" } },
	{ "config_change", { "network", "configuration" }, { "change" } },
	{ "mode_change", { "network", "configuration" }, { "change" } },
	{ "lock", { "network", "configuration" }, { "change" } },
	{ "unlock", { "network", "configuration" }, { "change" } },
	{ "diagnostics_read", { "network", "host" }, { "access" } },
};

static const struct ev_class fallback = { "", { "host" }, { "change" } };

static bool
is_operation(const struct export_rec *r)
{
	return r->operation != NULL && strcmp(r->kind, "operation") == 0;
}

static const struct ev_class *
find_class(const struct export_rec *r)
{
	const struct ev_class *t = is_operation(r) ? op_classes : classes;
	size_t n = is_operation(r) ? sizeof(op_classes) / sizeof(op_classes[0]) :
	    sizeof(classes) / sizeof(classes[0]);
	const char *k = is_operation(r) ? r->operation : r->kind;

	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].kind, k) == 0)
			return &t[i];
	return &fallback;
}

const char *
export_event_kind(const struct export_rec *r)
{
	return is_operation(r) || !r->baseline ? "alert" : "event";
}

json_t *
export_event_categories(const struct export_rec *r, bool types)
{
	const struct ev_class *c = find_class(r);
	const char *const *v = types ? c->type : c->cat;
	json_t *arr = json_array();

	for (int i = 0; i < 2 && v[i]; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

const char *
export_event_action(const struct export_rec *r, char *buf, size_t bufsz)
{
	if (r->type == EXPORT_R_ASSET)
		return "asset-inventory";
	if (r->type == EXPORT_R_SERVICE)
		return "service-inventory";
	if (r->type == EXPORT_R_CONV)
		return "conversation";
	if (is_operation(r))
		return r->operation;
	if (strcmp(r->kind, "risk") == 0) {	/* a schema-1 row: the level is the detail's first word */
		size_t n = strcspn(r->detail ? r->detail : "", ":");

		snprintf(buf, bufsz, "risk-%.*s", (int)(n < 16 ? n : 16), r->detail ? r->detail : "");
		return buf;
	}
	snprintf(buf, bufsz, "%s", r->kind);
	return buf;
}
