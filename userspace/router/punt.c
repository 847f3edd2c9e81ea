/* xrt: punt budgets (xrt_punt_cfg): the defaults xrtd programs at start, what reload puts back; `xrt punt` is cli/punt.c. */
#include "router/punt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	[XRT_PUNT_ARP] = { 10000, 1000 }, /* as mcast_link: resolution and probes */
};

int punt_budget_set(struct xrt_router *r, unsigned reason, const struct xrt_punt_cfg *v,
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
		int rc = punt_budget_set(r, i, &PUNT_DEFAULTS[i], err);
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
		int rc = punt_budget_set(r, i, &PUNT_DEFAULTS[i], err);
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

