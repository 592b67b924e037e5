/*
 * ops_support.c - see ops_support.h.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "ops_support.h"

static bool
is_party(const char *want, const char *ip, const char *mac)
{
	return want == NULL || strcmp(want, ip) == 0 || strcmp(want, mac) == 0;
}

static void
note_detail(struct op_sum *s, const char *d)
{
	size_t used = strlen(s->details);

	if (d[0] == '\0' || strstr(s->details, d) != NULL)
		return;
	snprintf(s->details + used, sizeof(s->details) - used, "%s%s", used ? "; " : "", d);
}

void
op_sum(const struct collected *c, const char *proto, enum op_kind k,
    const char *client, const char *server, struct op_sum *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < c->n; i++) {
		const struct cobs *o = &c->v[i];

		if (o->kind != OBS_OP || strcmp(o->proto, proto) != 0)
			continue;
		if (k != OP_NONE && o->op != k)
			continue;
		if (!is_party(client, o->ip, o->mac) || !is_party(server, o->peer_ip, o->peer_mac))
			continue;
		/* the pipeline sums operations between flushes: op_n of each phase */
		switch (o->op_phase) {
		case OP_REQUEST:
			if (s->requests == 0 || o->ts_us < s->first_us)
				s->first_us = o->ts_us;
			s->requests += o->op_n;
			note_detail(s, o->val);
			break;
		case OP_REPLY_OK:
			s->ok += o->op_n;
			break;
		default:
			s->failed += o->op_n;
			break;
		}
	}
}

unsigned
op_count(const struct collected *c, const char *proto, uint8_t phase)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_OP && strcmp(c->v[i].proto, proto) == 0 &&
		    c->v[i].op_phase == phase)
			n += c->v[i].op_n;
	return n;
}

/* The entry's client or server: its IP, or its MAC when it has none (layer 2). */
static const char *
party(json_t *e, const char *role)
{
	char key[32];
	const char *v;

	snprintf(key, sizeof(key), "%s_ip", role);
	if ((v = json_string_value(json_object_get(e, key))) != NULL)
		return v;
	snprintf(key, sizeof(key), "%s_mac", role);
	return json_string_value(json_object_get(e, key));
}

static void
sum_entry(const struct collected *c, const char *proto, const char *op,
    const char *client, const char *server, struct op_sum *s)
{
	struct op_sum a, b;

	if (strcmp(op, "lock_unlock") != 0) {
		enum op_kind k = op_kind_from_name(op);

		ck_assert_msg(k != OP_NONE, "facts name an unknown kind %s", op);
		op_sum(c, proto, k, client, server, s);
		return;
	}
	/* the captures cannot tell lock from unlock: either counts */
	op_sum(c, proto, OP_LOCK, client, server, &a);
	op_sum(c, proto, OP_UNLOCK, client, server, &b);
	*s = a;
	s->requests += b.requests;
	s->ok += b.ok;
	s->failed += b.failed;
	if (b.requests && (a.requests == 0 || b.first_us < a.first_us))
		s->first_us = b.first_us;
}

unsigned
assert_ops_match_facts(const struct collected *c, const char *rel,
    const char *fact_proto, const char *proto)
{
	json_t *exp = load_expected(rel), *ops, *e;
	unsigned checked = 0;
	size_t i;

	ops = json_object_get(json_object_get(exp, "facts"), "operations");
	ck_assert_msg(json_array_size(ops) > 0, "%s: no facts.operations", rel);
	json_array_foreach(ops, i, e) {
		const char *op = json_string_value(json_object_get(e, "op"));
		const char *cl = party(e, "client"), *sv = party(e, "server");
		json_t *ok = json_object_get(e, "ok");
		double first = json_number_value(json_object_get(e, "first_ts"));
		unsigned count = (unsigned)json_integer_value(json_object_get(e, "count"));
		unsigned answered = (unsigned)json_integer_value(json_object_get(e, "responses"));
		struct op_sum s;

		if (strcmp(json_string_value(json_object_get(e, "proto")), fact_proto) != 0)
			continue;
		sum_entry(c, proto, op, cl, sv, &s);
		ck_assert_msg(s.requests == count, "%s: %s %s -> %s: %u requests, facts %u",
		    rel, op, cl, sv, s.requests, count);
		ck_assert_msg(llabs((long long)s.first_us - llround(first * 1e6)) <= 1,
		    "%s: %s first at %llu us, facts %.6f", rel, op,
		    (unsigned long long)s.first_us, first);
		ck_assert_msg(s.ok + s.failed == answered, "%s: %s: %u replies matched, facts %u",
		    rel, op, s.ok + s.failed, answered);
		if (json_is_true(ok))
			ck_assert_msg(s.failed == 0 && s.ok > 0, "%s: %s: %u failed, facts ok", rel, op,
			    s.failed);
		else if (json_is_false(ok))
			ck_assert_msg(s.failed > 0, "%s: %s: none failed, facts failed", rel, op);
		checked++;
	}
	json_decref(exp);
	ck_assert_msg(checked > 0, "%s: no %s operation in the facts", rel, fact_proto);
	return checked;
}

static void
send(struct harness *t, int dir, void (*build)(struct bytebuf *, unsigned), unsigned i)
{
	struct bytebuf b = { .n = 0 };

	build(&b, i);
	ck_assert_int_eq(harness_parse(t, dir, b.b, b.n, NULL), DISS_OK);
}

void
assert_op_flood_bounded(struct harness *t, const struct op_flood *f)
{
	const unsigned n = 1000;
	struct op_sum sum;

	for (unsigned i = 0; i < n; i++)
		send(t, DIR_C2S, f->request, i);
	ck_assert_uint_eq(harness_counter(t, "ops"), n);
	ck_assert_uint_eq(harness_counter(t, "ops_dropped"), n - f->kept);
	send(t, DIR_S2C, f->reply, n - 1);	/* the newest is still waiting */
	send(t, DIR_S2C, f->reply, 0);		/* the first was dropped long ago */
	op_sum(&t->col, f->proto, OP_NONE, f->client, f->server, &sum);
	ck_assert_uint_eq(sum.requests, n);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_uint_eq(sum.failed, 0);
	ck_assert_uint_eq(harness_counter(t, "ops_unmatched"), 1);
}
