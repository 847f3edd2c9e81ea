/* xrt: `stats [dev D]`: the fast path's MIB and punt/drop/pass counters (/proc/net/snmp6's layout), the slow path's, the RIB's. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stack/sock.h"
#include "stack/stack_stats.h"
#include "xrt/counters.h"
#include "xsk/xsk_stats.h"

#define NAME_MIB(id, name) name,
#define NAME_OTHER(id, name) name,
static const char *const MIB_NAMES[] = { XRT_MIB_LIST(NAME_MIB) };
static const char *const PUNT_NAMES[] = { XRT_PUNT_LIST(NAME_OTHER) };
static const char *const DROP_NAMES[] = { XRT_DROP_LIST(NAME_OTHER) };
static const char *const PASS_NAMES[] = { XRT_PASS_LIST(NAME_OTHER) };
#define XSK_NAME(f, name) name,
#define XSK_VAL(f, name) xsk_stats.f,
static const char *const XSK_NAMES[] = { XSK_STATS_LIST(XSK_NAME) };

static json_object *stats_json(const struct xrt_stats *s)
{
	json_object *o = json_object_new_object(), *p = json_object_new_object(),
		    *d = json_object_new_object(), *x = json_object_new_object();
	for (int i = 0; i < XRT_MIB_MAX; i++)
		JADD(o, MIB_NAMES[i], JINT(s->mib[i]));
	for (int i = 0; i < XRT_PUNT_MAX; i++)
		JADD(p, PUNT_NAMES[i], JINT(s->punt[i]));
	for (int i = 0; i < XRT_DROP_MAX; i++)
		JADD(d, DROP_NAMES[i], JINT(s->drop[i]));
	for (int i = 0; i < XRT_PASS_MAX; i++)
		JADD(x, PASS_NAMES[i], JINT(s->pass[i]));
	JADD(o, "punt", p);
	JADD(o, "drop", d);
	JADD(o, "pass", x);
	return o;
}

/* xrtd's stack speaks IPv6 only (IPv4 punts go to the kernel): its MIB
 * stops where the IPv4 counters begin. */
#define SLOW_MIB_MAX XRT_MIB_IP4_IN_RECEIVES

static void stats_text(const struct xrt_stats *s, struct xrt_buf *out)
{
	/* /proc/net/snmp6's layout: name padded to 32, a tab, the value. */
	for (int i = 0; i < XRT_MIB_MAX; i++)
		xrt_buf_printf(out, "%-32s\t%llu\n", MIB_NAMES[i], (unsigned long long)s->mib[i]);
	for (int i = 0; i < XRT_PUNT_MAX; i++)
		xrt_buf_printf(out, "punt.%-27s\t%llu\n", PUNT_NAMES[i],
			       (unsigned long long)s->punt[i]);
	for (int i = 0; i < XRT_DROP_MAX; i++)
		xrt_buf_printf(out, "drop.%-27s\t%llu\n", DROP_NAMES[i],
			       (unsigned long long)s->drop[i]);
	for (int i = 0; i < XRT_PASS_MAX; i++)
		xrt_buf_printf(out, "pass.%-27s\t%llu\n", PASS_NAMES[i],
			       (unsigned long long)s->pass[i]);
}
int stats_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	if (argc && matches(argv[0], "show", 1)) {
		argc--;
		argv++;
	}
	return parse_link(argc, argv, false, false, &req->link, err);
}

int stats_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_link *c = &req->link;
	bool json = ctx->json;
	struct xrt_buf *out = ctx->out;
	int rc;
	struct xrt_stats s;
	if (c->dev[0]) {
		struct xrt_link *l = router_link_need(r, c->dev, err);
		if (!l)
			return -ENODEV;
		if ((rc = xrt_maps_stats_read(&r->maps, l->slot, &s, err)))
			return rc;
		if (json)
			json_print(out, stats_json(&s));
		else
			stats_text(&s, out);
		return 0;
	}
	if ((rc = xrt_maps_stats_read(&r->maps, -1, &s, err)))
		return rc;
	const uint64_t xsk_vals[] = { XSK_STATS_LIST(XSK_VAL) };
	static struct stack_stats ss;
	stack_stats_get(&ss);
	struct rib_stats rs;
	rib_get_stats(r->rib, &rs);
	if (!json) {
		stats_text(&s, out);
		xrt_buf_printf(out, "%-32s\t%zu\n%-32s\t%zu\n%-32s\t%zu\n%-32s\t%zu\n",
			       "RibRoutes", rs.routes, "RibPrefixes", rs.nodes, "RibNexthops",
			       rs.nexthops, "RibNexthopGroups", rs.groups);
		for (int i = 0; i < SLOW_MIB_MAX; i++)
			xrt_buf_printf(out, "slow.%-27s\t%llu\n", MIB_NAMES[i],
				       (unsigned long long)ss.mib[i]);
		for (int i = 0; i < STACK_ICMP6_MAX; i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", stack_icmp6_names[i],
				       (unsigned long long)ss.icmp6[i]);
		for (int i = 0; i < STACK_DROP_MAX; i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", stack_drop_names[i],
				       (unsigned long long)ss.drop[i]);
		for (int i = 0; i < STACK_GAUGE_MAX; i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", stack_gauge_names[i],
				       (unsigned long long)ss.gauge[i]);
		for (size_t i = 0; i < sizeof(xsk_vals) / sizeof(xsk_vals[0]); i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", XSK_NAMES[i],
				       (unsigned long long)xsk_vals[i]);
		for (size_t i = 0; i < SOCK_STATS_N; i++) /* socket layer (sock's edit) */
			xrt_buf_printf(out, "%-32s\t%llu\n", sock_stats_names[i],
				       (unsigned long long)((const uint64_t *)&sockstats)[i]);
		return 0;
	}
	json_object *o = json_object_new_object(), *ifs = json_object_new_object(),
		    *slow = json_object_new_object();
	JADD(o, "total", stats_json(&s));
	for (unsigned sl = 1; sl < XRT_MAX_IFACES; sl++) {
		if (!r->links[sl])
			continue;
		if ((rc = xrt_maps_stats_read(&r->maps, (int)sl, &s, err))) {
			json_object_put(o);
			json_object_put(ifs);
			json_object_put(slow);
			return rc;
		}
		JADD(ifs, r->links[sl]->dev.name, stats_json(&s));
	}
	JADD(o, "interfaces", ifs);
	for (int i = 0; i < SLOW_MIB_MAX; i++)
		JADD(slow, MIB_NAMES[i], JINT(ss.mib[i]));
	json_object *icmp = json_object_new_object(), *sdrop = json_object_new_object(),
		    *xsk = json_object_new_object();
	for (int i = 0; i < STACK_ICMP6_MAX; i++)
		JADD(icmp, stack_icmp6_names[i], JINT(ss.icmp6[i]));
	for (int i = 0; i < STACK_DROP_MAX; i++)
		JADD(sdrop, stack_drop_names[i], JINT(ss.drop[i]));
	for (int i = 0; i < STACK_GAUGE_MAX; i++)
		JADD(slow, stack_gauge_names[i], JINT(ss.gauge[i]));
	for (size_t i = 0; i < sizeof(xsk_vals) / sizeof(xsk_vals[0]); i++)
		JADD(xsk, XSK_NAMES[i], JINT(xsk_vals[i]));
	JADD(slow, "icmp6", icmp);
	JADD(slow, "drop", sdrop);
	JADD(slow, "xsk", xsk);
	json_object *sockj = json_object_new_object(); /* socket layer (sock's edit) */
	for (size_t i = 0; i < SOCK_STATS_N; i++)
		JADD(sockj, sock_stats_names[i], JINT(((const uint64_t *)&sockstats)[i]));
	JADD(slow, "sock", sockj);
	JADD(o, "slowpath", slow);
	json_object *rib = json_object_new_object();
	JADD(rib, "routes", JINT(rs.routes));
	JADD(rib, "prefixes", JINT(rs.nodes));
	JADD(rib, "nexthops", JINT(rs.nexthops));
	JADD(rib, "groups", JINT(rs.groups));
	JADD(o, "rib", rib);
	json_print(out, o);
	return 0;
}
