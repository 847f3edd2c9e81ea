/* xrt: `icmp ratelimit|show`: the slow path's ICMPv6 error rate limit (the kernel's icmpv6_xrlim_allow and icmp_global_allow). */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum icmp_verb { ICMP_RATELIMIT, ICMP_SHOW };

#define ICMP_RATE_MAX 10000000u

int parse_icmp(int argc, char **argv, struct cmd_icmp *c, char *err)
{
	int rc;
	memset(c, 0, sizeof(*c));
	if (argc == 1 && !strcmp(argv[0], "default")) {
		c->defaults = true;
		return 0;
	}
	/* Words before "global" describe the per-destination bucket. */
	uint32_t *rate = &c->rl.per_dst_rate, *burst = &c->rl.per_dst_burst;
	bool *has = &c->has_per_dst, has_burst = false;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "global")) {
			if (c->has_global)
				return xrt_fail(err, -EINVAL, "\"global\" is given twice");
			if (*has && !has_burst)
				*burst = *rate ? *rate : 0;
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], 0, ICMP_RATE_MAX, &c->rl.global_rate,
					    "global rate", err)))
				return rc;
			rate = &c->rl.global_rate;
			burst = &c->rl.global_burst;
			has = &c->has_global;
			*has = true;
			has_burst = false;
		} else if (!strcmp(w, "burst")) {
			if (!*has)
				return xrt_fail(err, -EINVAL, "\"burst\" needs a rate before it");
			if (has_burst)
				return xrt_fail(err, -EINVAL, "\"burst\" is given twice");
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], 1, ICMP_RATE_MAX, burst, "burst", err)))
				return rc;
			has_burst = true;
		} else if (!c->has_per_dst && !c->has_global && i == 0) {
			if ((rc = parse_u32(w, 0, ICMP_RATE_MAX, &c->rl.per_dst_rate,
					    "rate (messages/s, 0 = off)", err)))
				return rc;
			c->has_per_dst = true;
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		}
	}
	/* One second's worth of messages when no burst is given. */
	if (*has && !has_burst)
		*burst = *rate;
	if (!c->has_per_dst && !c->has_global)
		return xrt_fail(err, -EINVAL,
				"a rate is needed: ratelimit RATE [burst N] [global RATE [burst N]]");
	return 0;
}

static bool icmp_from_config, icmp_stale;

static const struct stack_icmp_ratelimit ICMP_DEFAULTS = {
	.per_dst_rate = STACK_ICMP_PER_DST_RATE, .per_dst_burst = STACK_ICMP_PER_DST_BURST,
	.global_rate = STACK_ICMP_GLOBAL_RATE, .global_burst = STACK_ICMP_GLOBAL_BURST,
};

static int icmp_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	const char *verb = argc ? argv[0] : "show";
	if (matches(verb, "ratelimit", 4) || matches(verb, "set", 3)) {
		/* "icmp set ratelimit ..." reads like "link set". */
		if (matches(verb, "set", 3) && argc > 1 && matches(argv[1], "ratelimit", 4)) {
			argc--;
			argv++;
		} else if (matches(verb, "set", 3)) {
			return xrt_fail(err, -EINVAL,
					"usage: icmp ratelimit RATE [burst N] [global RATE [burst N]]");
		}
		req->verb = ICMP_RATELIMIT;
		return parse_icmp(argc - 1, argv + 1, &req->icmp, err);
	}
	if (matches(verb, "show", 1) || matches(verb, "list", 1)) {
		if (argc > 1)
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", argv[1]);
		req->verb = ICMP_SHOW;
		return 0;
	}
	return xrt_fail(err, -EINVAL, "unknown icmp command \"%s\" (ratelimit, show)", verb);
}

/* Undo of a reload's `icmp ratelimit`: the limits before it, and whether
 * the file owned them. */
struct icmp_saved {
	struct stack_icmp_ratelimit rl;
	bool from_config;
};

static void icmp_restore(struct xrt_router *r, const void *saved)
{
	const struct icmp_saved *s = saved;
	(void)r;
	stack_icmp_ratelimit_set(&s->rl);
	icmp_from_config = s->from_config;
}

static void icmp_show(bool json, struct xrt_buf *out)
{
	struct stack_icmp_ratelimit rl;
	stack_icmp_ratelimit_get(&rl);
	if (json)
		xrt_buf_printf(out,
			       "{\"ratelimit\":{\"rate\":%u,\"burst\":%u},"
			       "\"global\":{\"rate\":%u,\"burst\":%u}}\n",
			       rl.per_dst_rate, rl.per_dst_burst, rl.global_rate,
			       rl.global_burst);
	else
		/* Reads back as the command that sets it. */
		xrt_buf_printf(out, "ratelimit %u burst %u global %u burst %u\n",
			       rl.per_dst_rate, rl.per_dst_burst, rl.global_rate,
			       rl.global_burst);
}

static int icmp_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	const struct cmd_icmp *c = &req->icmp;
	int rc;
	if (req->verb == ICMP_SHOW) {
		icmp_show(ctx->json, ctx->out);
		return 0;
	}
	struct stack_icmp_ratelimit rl;
	stack_icmp_ratelimit_get(&rl);
	if (ctx->undo) {
		struct icmp_saved s = { .rl = rl, .from_config = icmp_from_config };
		if ((rc = cmd_undo_push(ctx->undo, icmp_restore, &s, sizeof(s), err)))
			return rc;
	}
	if (c->defaults) {
		rl = ICMP_DEFAULTS;
	} else {
		if (c->has_per_dst) {
			rl.per_dst_rate = c->rl.per_dst_rate;
			rl.per_dst_burst = c->rl.per_dst_burst;
		}
		if (c->has_global) {
			rl.global_rate = c->rl.global_rate;
			rl.global_burst = c->rl.global_burst;
		}
	}
	stack_icmp_ratelimit_set(&rl);
	icmp_from_config = ctx->r->in_config && !c->defaults;
	icmp_stale = false;
	return 0;
}

void icmp_config_mark(bool stale)
{
	icmp_stale = stale && icmp_from_config;
}

void icmp_config_sweep(void)
{
	if (icmp_stale) {
		stack_icmp_ratelimit_set(&ICMP_DEFAULTS);
		icmp_from_config = icmp_stale = false;
	}
}

CMD_REGISTER(icmp);
