/* xrt: punt budgets (xrt_punt_cfg): the defaults xrtd programs at start, `xrt punt show|set`. */
#include "router/punt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "cli/cmd_parse.h"


#define PUNT_RATE_MAX 10000000u /* pps; far above what one AF_XDP socket takes */
#define PUNT_BURST_MAX 1000000u

/*
 * Default budget per reason (packets per second for the whole router, and
 * the bucket depth). The fast path refills each CPU at rate/ncpus, so the
 * sum is the rate (traffic that lands on one CPU gets rate/ncpus, with
 * that CPU's burst); a refused punt is dropped (drop punt_limit), except
 * REDIRECT, which is then forwarded with XDP_TX and no Redirect.
 *
 * - ICMPv6 errors (NO_ROUTE, UNREACHABLE, PROHIBIT, BEYOND_SCOPE, JUMBO):
 *   1000/s, burst 50, the kernel's global ICMP budget
 *   (net.ipv4.icmp_msgs_per_sec / icmp_msgs_burst, also used by ICMPv6).
 * - HOP_LIMIT: 2000/s, burst 200: traceroute sends up to 16 probes at once
 *   (-N 16); 200 lets a dozen concurrent traceroutes through untouched,
 *   while a hop-limit-1 flood is cut to 2000/s.
 * - TOO_BIG: 5000/s, burst 500: Packet Too Big is what PMTU discovery
 *   needs and the kernel does not rate-limit it by default (icmpv6 ratemask
 *   0-1,3-127 leaves type 2 out); its punts are full-size frames, hence a
 *   finite budget.
 * - REDIRECT: 20/s, burst 6: the kernel sends one Redirect per second per
 *   destination after a burst of 6 (inet_peer_xrlim_allow,
 *   XRLIM_BURST_FACTOR); one global bucket cannot be per destination, so
 *   it allows about twenty destinations' worth. Beyond it, same-interface
 *   traffic stays in the fast path (XDP_TX).
 * - NEIGH_MISS: 5000/s, burst 250: packets towards unresolved neighbours,
 *   each a new INCOMPLETE entry (and a multicast NS) when its address is
 *   new. The stack recycles the oldest INCOMPLETE entry of an interface
 *   beyond XRT_NEIGH_INCOMPLETE_MAX (1024, RFC 6583 7.1), so this rate is
 *   what bounds how fast a scan of an on-link /64 churns them: an entry
 *   lives at least 1024 / 5000 s = 205 ms, 105 ms just after every CPU
 *   spent its burst (2 x 250), enough for any neighbour that answers its
 *   NS within 100 ms; it also caps the NS a scan makes the router send at
 *   the same 5000/s. (10000/s with 4096 shared entries living 3 s let
 *   1400 scanned addresses/s lock the table.) A burst of new flows after a
 *   link comes up needs one punt per flow, which 250 per CPU covers.
 * - LOCAL: 50000/s, burst 5000: the router's own traffic (ping, SSH,
 *   BGP...), which the kernel never limits; xrtd answers ~130k echoes/s
 *   (t_slowpath_line's flood ping, 5000 back to back), so the budget only
 *   cuts a flood beyond a third of what the daemon can serve.
 * - MCAST_LINK: 10000/s, burst 1000: ND/MLD/RA, which the router cannot
 *   work without; generous so that only a flood is cut.
 * - HOPOPTS: 1000/s, burst 100: hop-by-hop options are rare and slow to
 *   process (RFC 9098 notes routers rate-limit them).
 */
static const struct xrt_punt_cfg PUNT_DEFAULTS[XRT_PUNT_MAX] = {
	[XRT_PUNT_LOCAL] = { 50000, 5000 },
	[XRT_PUNT_HOPOPTS] = { 1000, 100 },
	[XRT_PUNT_JUMBO] = { 1000, 50 },
	[XRT_PUNT_MCAST_LINK] = { 10000, 1000 },
	[XRT_PUNT_NO_ROUTE] = { 1000, 50 },
	[XRT_PUNT_UNREACHABLE] = { 1000, 50 },
	[XRT_PUNT_PROHIBIT] = { 1000, 50 },
	[XRT_PUNT_HOP_LIMIT] = { 2000, 200 },
	[XRT_PUNT_BEYOND_SCOPE] = { 1000, 50 },
	[XRT_PUNT_TOO_BIG] = { 5000, 500 },
	[XRT_PUNT_NEIGH_MISS] = { 5000, 250 },
	[XRT_PUNT_REDIRECT] = { 20, 6 },
};

static int punt_write(struct xrt_router *r, unsigned reason, const struct xrt_punt_cfg *v,
		      char *err)
{
	int rc = xrt_maps_punt_cfg_set(&r->maps, reason, v, err);
	if (!rc)
		r->punt_cfg[reason] = *v;
	return rc;
}

int punt_defaults_program(struct xrt_router *r, char *err)
{
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++) {
		int rc = punt_write(r, i, &PUNT_DEFAULTS[i], err);
		if (rc)
			return rc;
		r->punt_from_config[i] = false;
	}
	return 0;
}

void punt_config_mark(struct xrt_router *r)
{
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++)
		r->punt_stale[i] = r->punt_from_config[i];
}

int punt_config_sweep(struct xrt_router *r, char *err)
{
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++) {
		if (!r->punt_stale[i])
			continue;
		int rc = punt_write(r, i, &PUNT_DEFAULTS[i], err);
		if (rc)
			return rc;
		r->punt_stale[i] = false;
		r->punt_from_config[i] = false;
	}
	return 0;
}

void punt_config_unmark(struct xrt_router *r)
{
	memset(r->punt_stale, 0, sizeof(r->punt_stale));
}

static int reason_parse(const char *w, char *err)
{
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++)
		if (!strcasecmp(w, xrt_punt_names[i]))
			return (int)i;
	char list[256] = "";
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 xrt_punt_names[i]);
	ERR("unknown punt reason \"%s\" (%s)", w, list);
	return -EINVAL;
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
			json_object_object_add(o, "reason", json_object_new_string(xrt_punt_names[i]));
			json_object_object_add(o, "rate", json_object_new_int64(c->rate_pps));
			json_object_object_add(o, "burst", json_object_new_int64(c->burst));
			json_object_object_add(o, "punted", json_object_new_int64((int64_t)st.punt[i]));
			json_object_object_add(o, "limited", json_object_new_int64((int64_t)limited[i]));
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
	if (json) {
		xrt_buf_printf(out, "%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
		json_object_put(a);
	}
	return 0;
}

int cmd_punt(struct xrt_router *r, int argc, char **argv, bool json, struct xrt_buf *out,
	     char *err)
{
	const char *verb = argc ? argv[0] : "show";
	argc = argc ? argc - 1 : 0;
	argv++;
	size_t vlen = strlen(verb);
	if (vlen && !strncmp(verb, "show", vlen)) {
		if (argc > 1) {
			ERR("unknown word \"%s\"", argv[1]);
			return -EINVAL;
		}
		int only = argc ? reason_parse(argv[0], err) : -1;
		if (argc && only < 0)
			return only;
		if (r->check_only)
			return 0;
		return punt_show(r, only, json, out, err);
	}
	if (vlen && !strncmp(verb, "set", vlen)) {
		if (argc < 1) {
			ERR("usage: punt set REASON [rate PPS] [burst N] (rate 0 = unlimited)");
			return -EINVAL;
		}
		int reason = reason_parse(argv[0], err);
		if (reason < 0)
			return reason;
		bool has_rate = false, has_burst = false;
		uint32_t rate = 0, burst = 0;
		int rc;
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "rate") && i + 1 < argc) {
				if ((rc = parse_u32(argv[++i], 0, PUNT_RATE_MAX, &rate, "rate", err)))
					return rc;
				has_rate = true;
			} else if (!strcmp(argv[i], "burst") && i + 1 < argc) {
				if ((rc = parse_u32(argv[++i], 1, PUNT_BURST_MAX, &burst, "burst",
						    err)))
					return rc;
				has_burst = true;
			} else if (!strcmp(argv[i], "rate") || !strcmp(argv[i], "burst")) {
				ERR("missing value after \"%s\"", argv[i]);
				return -EINVAL;
			} else {
				ERR("unknown word \"%s\"", argv[i]);
				return -EINVAL;
			}
		}
		if (!has_rate && !has_burst) {
			ERR("punt set %s: say rate PPS and/or burst N", xrt_punt_names[reason]);
			return -EINVAL;
		}
		if (r->check_only)
			return 0;
		struct xrt_punt_cfg v = r->punt_cfg[reason];
		if (has_rate)
			v.rate_pps = rate;
		if (has_burst)
			v.burst = burst;
		if (v.burst == 0)
			v.burst = 1;
		if ((rc = punt_write(r, (unsigned)reason, &v, err)))
			return rc;
		r->punt_from_config[reason] = r->in_config;
		r->punt_stale[reason] = false;
		return 0;
	}
	ERR("unknown punt command \"%s\" (show, set)", verb);
	return -EINVAL;
}
