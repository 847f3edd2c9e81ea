/* xrt: `punt show [REASON]`, `punt set REASON [rate PPS] [burst N]`: the fast path's punt budgets (router/punt.c holds them). */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "router/punt.h"

enum punt_verb { PUNT_SHOW, PUNT_SET };

static int reason_parse(const char *w, char *err)
{
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++)
		if (!strcasecmp(w, xrt_punt_names[i]))
			return (int)i;
	char list[256] = "";
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 xrt_punt_names[i]);
	return xrt_fail(err, -EINVAL, "unknown punt reason \"%s\" (%s)", w, list);
}

static int punt_show(struct xrt_router *r, int only, bool json, struct xrt_buf *out,
		     char *err)
{
	struct xrt_stats st;
	uint64_t limited[XRT_PUNT_MAX];
	int rc = xrt_maps_stats_read(&r->maps, -1, &st, err);
	if (rc || (rc = xrt_maps_punt_limited(&r->maps, limited, err)))
		return rc;
	json_object *a = json ? json_object_new_array() : NULL;
	if (!json)
		xrt_buf_printf(out, "%-14s %10s %8s %12s %12s\n", "reason", "rate/s", "burst",
			       "punted", "limited");
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++) {
		if (only >= 0 && (unsigned)only != i)
			continue;
		const struct xrt_punt_cfg *c = &r->punt_cfg[i];
		if (json) {
			json_object *o = json_object_new_object();
			JADD(o, "reason", JSTR(xrt_punt_names[i]));
			JADD(o, "rate", JINT(c->rate_pps));
			JADD(o, "burst", JINT(c->burst));
			JADD(o, "punted", JINT(st.punt[i]));
			JADD(o, "limited", JINT(limited[i]));
			json_object_array_add(a, o);
			continue;
		}
		char rate[16];
		if (c->rate_pps)
			snprintf(rate, sizeof(rate), "%u", c->rate_pps);
		else
			snprintf(rate, sizeof(rate), "unlimited");
		xrt_buf_printf(out, "%-14s %10s %8u %12llu %12llu\n", xrt_punt_names[i], rate,
			       c->burst, (unsigned long long)st.punt[i],
			       (unsigned long long)limited[i]);
	}
	if (json)
		json_print(out, a);
	return 0;
}

static const struct cmd_verb PUNT_VERBS[] = {
	{ "show", 1, PUNT_SHOW },
	{ "set", 1, PUNT_SET },
};

static int punt_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	struct cmd_punt *p = &req->punt;
	if (req->verb == PUNT_SHOW) {
		if (argc > 1)
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", argv[1]);
		p->reason = argc ? reason_parse(argv[0], err) : -1;
		return argc && p->reason < 0 ? p->reason : 0;
	}
	if (argc < 1)
		return xrt_fail(err, -EINVAL,
				"usage: punt set REASON [rate PPS] [burst N] (rate 0 = unlimited)");
	if ((p->reason = reason_parse(argv[0], err)) < 0)
		return p->reason;
	int rc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "rate") && i + 1 < argc) {
			if ((rc = parse_u32(argv[++i], 0, PUNT_RATE_MAX, &p->rate, "rate", err)))
				return rc;
			p->has_rate = true;
		} else if (!strcmp(argv[i], "burst") && i + 1 < argc) {
			if ((rc = parse_u32(argv[++i], 1, PUNT_BURST_MAX, &p->burst, "burst", err)))
				return rc;
			p->has_burst = true;
		} else if (!strcmp(argv[i], "rate") || !strcmp(argv[i], "burst")) {
			return xrt_fail(err, -EINVAL, "missing value after \"%s\"", argv[i]);
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", argv[i]);
		}
	}
	if (!p->has_rate && !p->has_burst)
		return xrt_fail(err, -EINVAL, "punt set %s: say rate PPS and/or burst N",
				xrt_punt_names[p->reason]);
	return 0;
}

/* Undo of a reload's `punt set`: the budget before it, and whether the
 * file owned it. */
struct punt_saved {
	unsigned reason;
	struct xrt_punt_cfg cfg;
	bool from_config;
};

static void punt_restore(struct xrt_router *r, const void *saved)
{
	const struct punt_saved *s = saved;
	if (!punt_budget_set(r, s->reason, &s->cfg, NULL))
		r->punt_from_config[s->reason] = s->from_config;
}

static int punt_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_punt *p = &req->punt;
	int rc;
	if (req->verb == PUNT_SHOW)
		return punt_show(r, p->reason, ctx->json, ctx->out, err);
	unsigned reason = (unsigned)p->reason;
	struct xrt_punt_cfg v = r->punt_cfg[reason];
	if (ctx->undo) {
		struct punt_saved s = { .reason = reason, .cfg = v,
					.from_config = r->punt_from_config[reason] };
		if ((rc = cmd_undo_push(ctx->undo, punt_restore, &s, sizeof(s), err)))
			return rc;
	}
	if (p->has_rate)
		v.rate_pps = p->rate;
	if (p->has_burst)
		v.burst = p->burst;
	if (v.burst == 0)
		v.burst = 1;
	if ((rc = punt_budget_set(r, reason, &v, err)))
		return rc;
	r->punt_from_config[reason] = r->in_config;
	r->punt_stale[reason] = false;
	return 0;
}

CMD_REGISTER_VERBS(punt, PUNT_VERBS, "punt", "show, set");
