/*
 * cli_filter.c - the filters of list, risk, services and conversations
 * (and of any command that lists rows): --vendor, --proto, --role,
 * --risk, --subnet, --ip, --port, --since, --asset.
 *
 * Every filter takes several values, repeated (--role plc --role rtu) or
 * comma-separated (--risk high,elevated): a row matches when it matches
 * one of the values of each filter given.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "category.h"
#include "cli.h"
#include "risk.h"

static bool
set_add(struct cli *cli, const char *cmd, const char *opt, struct strset *set, const char *arg)
{
	const char *s = arg, *end;

	for (; *s; s = *end ? end + 1 : end) {
		end = s + strcspn(s, ",");
		if (end == s)
			continue;
		if (set->n == FILTER_VALUES) {
			cli_usage_error(cli, cmd, "%s: more than %d values", opt, FILTER_VALUES);
			return false;
		}
		if ((set->v[set->n++] = strndup(s, (size_t)(end - s))) == NULL)
			abort();
	}
	return true;
}

/* "10.0.0.0/8", "2001:db8::/32", or one address ("10.0.0.5": /32). */
static bool
cidr_parse(const char *s, struct cidr *c, bool prefix_ok)
{
	char buf[IP_STRLEN + 4], *slash, *end;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!ip_parse(buf, &c->net))
		return false;
	max = c->net.fam == IPFAM_V4 ? 32 : 128;
	c->plen = max;
	if (slash) {
		long p = strtol(slash + 1, &end, 10);

		if (!prefix_ok || slash[1] == '\0' || *end != '\0' || p < 0 || p > (long)max)
			return false;
		c->plen = (unsigned)p;
	}
	return true;
}

static bool
net_add(struct cli *cli, const char *cmd, const char *opt, struct asset_filter *f,
    const char *arg, bool prefix_ok)
{
	const char *s = arg, *end;

	for (; *s; s = *end ? end + 1 : end) {
		char one[IP_STRLEN + 8];

		end = s + strcspn(s, ",");
		if (end == s)
			continue;
		if ((size_t)(end - s) >= sizeof(one) || f->nets.n == FILTER_VALUES ||
		    (memcpy(one, s, (size_t)(end - s)), one[end - s] = '\0',
		    !cidr_parse(one, &f->nets.v[f->nets.n], prefix_ok))) {
			cli_usage_error(cli, cmd, "%s: '%.*s' is not %s", opt, (int)(end - s), s,
			    prefix_ok ? "a network (10.0.0.0/8) or an address" : "an IP address");
			return false;
		}
		f->nets.n++;
	}
	return true;
}

static bool
ports_add(struct cli *cli, const char *cmd, struct asset_filter *f, const char *arg)
{
	struct strset tmp = { 0 };
	bool ok = set_add(cli, cmd, "--port", &tmp, arg);

	for (size_t i = 0; ok && i < tmp.n; i++) {
		char *end;
		long p = strtol(tmp.v[i], &end, 10);

		if (*end != '\0' || f->nports == FILTER_VALUES) {
			cli_usage_error(cli, cmd, "--port: '%s' is not a port number", tmp.v[i]);
			ok = false;
		} else if (p < 0 || p > 65535) {
			cli_usage_error(cli, cmd, "--port: %s is out of range (0-65535)", tmp.v[i]);
			ok = false;
		} else
			f->ports[f->nports++] = (int)p;
	}
	for (size_t i = 0; i < tmp.n; i++)
		free(tmp.v[i]);
	return ok;
}

static bool
risk_add(struct cli *cli, const char *cmd, struct asset_filter *f, const char *arg)
{
	size_t from = f->risk.n;
	enum risk_level lvl;

	if (!set_add(cli, cmd, "--risk", &f->risk, arg))
		return false;
	for (size_t i = from; i < f->risk.n; i++)
		if (!risk_level_parse(f->risk.v[i], &lvl)) {
			cli_usage_error(cli, cmd, "--%s: '%s' is not unknown, none, elevated or high",
			    strcmp(cmd, "risk") == 0 ? "level" : "risk", f->risk.v[i]);
			return false;
		}
	return true;
}

/*
 * Protocols in the vocabulary of docs/PROTOCOLS.md, any case; "profinet"
 * also finds PROFINET DCP (pn_dcp), the part of PROFINET spanwatch reads.
 */
static bool
proto_add(struct cli *cli, const char *cmd, struct asset_filter *f, const char *arg)
{
	size_t from = f->proto.n, to;

	if (!set_add(cli, cmd, "--proto", &f->proto, arg))
		return false;
	to = f->proto.n;
	for (size_t i = from; i < to; i++)
		if (strcasecmp(f->proto.v[i], "profinet") == 0 && !set_add(cli, cmd, "--proto",
		    &f->proto, "pn_dcp"))
			return false;
	return true;
}

/* Categories by name or label ("PLC", "engineering workstation"), kept as names. */
static bool
category_add(struct cli *cli, const char *cmd, struct asset_filter *f, const char *arg)
{
	size_t from = f->category.n;
	enum dev_category c;

	if (!set_add(cli, cmd, "--category", &f->category, arg))
		return false;
	for (size_t i = from; i < f->category.n; i++) {
		if (!category_parse(f->category.v[i], &c)) {
			cli_usage_error(cli, cmd, "--category: '%s' is not a category (plc, rtu, ied, "
			    "hmi, engineering_workstation, scada_server, historian, network_device, "
			    "firewall_router, camera, inverter_energy, it_host, unknown)", f->category.v[i]);
			return false;
		}
		free(f->category.v[i]);
		if ((f->category.v[i] = strdup(category_name(c))) == NULL)
			abort();
	}
	return true;
}

int
filter_opt(struct cli *cli, const char *cmd, int ch, const char *arg, struct asset_filter *f)
{
	char *end;
	bool ok;

	switch (ch) {
	case F_VENDOR: ok = set_add(cli, cmd, "--vendor", &f->vendor, arg); break;
	case F_PROTO: ok = proto_add(cli, cmd, f, arg); break;
	case F_ROLE: ok = set_add(cli, cmd, "--role", &f->role, arg); break;
	case F_CATEGORY: ok = category_add(cli, cmd, f, arg); break;
	case F_RISK: ok = risk_add(cli, cmd, f, arg); break;
	case F_SUBNET: ok = net_add(cli, cmd, "--subnet", f, arg, true); break;
	case F_IP: ok = net_add(cli, cmd, "--ip", f, arg, false); break;
	case F_PORT: ok = ports_add(cli, cmd, f, arg); break;
	case F_SINCE:
		if ((ok = parse_since(arg, time(NULL), &f->since)))
			f->has_since = true;
		else
			cli_usage_error(cli, cmd, "--since: cannot read '%s' as ISO 8601 or 24h/7d", arg);
		break;
	case F_ASSET:
		f->asset = strtoll(arg, &end, 10);
		if (!(ok = *arg != '\0' && *end == '\0' && f->asset > 0))
			cli_usage_error(cli, cmd, "--asset: '%s' is not an asset id", arg);
		break;
	default:
		return 0;
	}
	return ok ? 1 : -1;
}

void
filter_free(struct asset_filter *f)
{
	struct strset *sets[] = { &f->vendor, &f->proto, &f->role, &f->risk, &f->category };

	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
		for (size_t i = 0; i < sets[k]->n; i++)
			free(sets[k]->v[i]);
	memset(f, 0, sizeof(*f));
}

/* --- matching ------------------------------------------------------------ */

bool
set_has(const struct strset *set, const char *s)
{
	if (set->n == 0)
		return true;
	for (size_t i = 0; s && i < set->n; i++)
		if (strcasecmp(set->v[i], s) == 0)
			return true;
	return false;
}

bool
set_has_any(const struct strset *set, json_t *arr)
{
	size_t i;
	json_t *v;

	if (set->n == 0)
		return true;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && set_has(set, json_string_value(v)))
			return true;
	return false;
}

/* Substring, any case: --vendor siemens finds "Siemens AG". */
bool
set_contains(const struct strset *set, const char *s)
{
	if (set->n == 0)
		return true;
	for (size_t i = 0; s && i < set->n; i++)
		if (strcasestr(s, set->v[i]) != NULL)
			return true;
	return false;
}

static bool
cidr_has(const struct cidr *c, const struct ipaddr *ip)
{
	unsigned full = c->plen / 8, rest = c->plen % 8;

	if (ip->fam != c->net.fam || memcmp(ip->a, c->net.a, full) != 0)
		return false;
	return rest == 0 || ((ip->a[full] ^ c->net.a[full]) & (0xff00 >> rest)) == 0;
}

bool
nets_match(const struct netset *n, const char *ip)
{
	struct ipaddr a;

	if (n->n == 0)
		return true;
	if (ip == NULL || !ip_parse(ip, &a))
		return false;
	for (size_t i = 0; i < n->n; i++)
		if (cidr_has(&n->v[i], &a))
			return true;
	return false;
}

bool
nets_match_any(const struct netset *n, json_t *ips)
{
	size_t i;
	json_t *v;

	if (n->n == 0)
		return true;
	json_array_foreach(ips, i, v)
		if (nets_match(n, json_string_value(v)))
			return true;
	return false;
}

bool
ports_match(const struct asset_filter *f, long port)
{
	if (f->nports == 0)
		return true;
	for (size_t i = 0; i < f->nports; i++)
		if (f->ports[i] == port)
			return true;
	return false;
}
