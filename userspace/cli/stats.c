/* xrt: `stats [dev D]`: the fast path's MIB and punt/drop/pass counters (/proc/net/snmp6's layout), the slow path's, the RIB's, the local attack surface's. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/local_stats.h"
#include "stack/sock.h"
#include "stack/stack_stats.h"
#include "xrt/counters.h"
#include "xsk/xsk_stats.h"

#define NAME_MIB(id, name) name,
#define NAME_OTHER(id, name) name,
static const char *const MIB_NAMES[] = { XRT_MIB_LIST(NAME_MIB) };
static const char *const DROP_NAMES[] = { XRT_DROP_LIST(NAME_OTHER) };
static const char *const PASS_NAMES[] = { XRT_PASS_LIST(NAME_OTHER) };
#define XSK_NAME(f, name) name,
#define XSK_VAL(f, name) xsk_stats.f,
static const char *const XSK_NAMES[] = { XSK_STATS_LIST(XSK_NAME) };
#define XSK_N (sizeof(XSK_NAMES) / sizeof(XSK_NAMES[0]))

/* One group of 64-bit counters, by name: a column of /proc/net/snmp6's
 * layout (name padded to 32 with its prefix, a tab, the value), or members
 * of a JSON object. vals is read element by element (__u64 or uint64_t). */
static uint64_t counter_at(const void *vals, size_t i)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)vals + i * sizeof(v), sizeof(v));
	return v;
}

static void counters_text(struct xrt_buf *out, const char *prefix, const char *const *names,
			  const void *vals, size_t n)
{
	int width = 32 - (int)strlen(prefix);
	for (size_t i = 0; i < n; i++)
		xrt_buf_printf(out, "%s%-*s\t%llu\n", prefix, width, names[i],
			       (unsigned long long)counter_at(vals, i));
}

static json_object *counters_json(json_object *o, const char *const *names, const void *vals,
				  size_t n)
{
	for (size_t i = 0; i < n; i++)
		JADD(o, names[i], JINT(counter_at(vals, i)));
	return o;
}

static json_object *stats_json(const struct xrt_stats *s)
{
	json_object *o = counters_json(json_object_new_object(), MIB_NAMES, s->mib, XRT_MIB_MAX);
	JADD(o, "punt", counters_json(json_object_new_object(), xrt_punt_names, s->punt, XRT_PUNT_MAX));
	JADD(o, "drop", counters_json(json_object_new_object(), DROP_NAMES, s->drop, XRT_DROP_MAX));
	JADD(o, "pass", counters_json(json_object_new_object(), PASS_NAMES, s->pass, XRT_PASS_MAX));
	return o;
}

/* xrtd's stack speaks IPv6 only (IPv4 punts go to the kernel): its MIB
 * stops where the IPv4 counters begin. */
#define SLOW_MIB_MAX XRT_MIB_IP4_IN_RECEIVES

static void stats_text(const struct xrt_stats *s, struct xrt_buf *out)
{
	counters_text(out, "", MIB_NAMES, s->mib, XRT_MIB_MAX);
	counters_text(out, "punt.", xrt_punt_names, s->punt, XRT_PUNT_MAX);
	counters_text(out, "drop.", DROP_NAMES, s->drop, XRT_DROP_MAX);
	counters_text(out, "pass.", PASS_NAMES, s->pass, XRT_PASS_MAX);
}

static int stats_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	if (argc && matches(argv[0], "show", 1)) {
		argc--;
		argv++;
	}
	return parse_link(argc, argv, false, false, &req->link, err);
}

static int stats_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
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
		counters_text(out, "slow.", MIB_NAMES, ss.mib, SLOW_MIB_MAX);
		counters_text(out, "", stack_icmp6_names, ss.icmp6, STACK_ICMP6_MAX);
		counters_text(out, "", stack_drop_names, ss.drop, STACK_DROP_MAX);
		counters_text(out, "", stack_gauge_names, ss.gauge, STACK_GAUGE_MAX);
		/* The slow path's IPv4 share: IpInReceives..., then its own MIB. */
		counters_text(out, "slow.", MIB_NAMES + SLOW_MIB_MAX, ss.mib + SLOW_MIB_MAX,
			      XRT_MIB_MAX - SLOW_MIB_MAX);
		counters_text(out, "", stack_ip4_names, ss.ip4, STACK_IP4_MAX);
		counters_text(out, "", stack_icmp_names, ss.icmp, STACK_ICMP_MAX);
		counters_text(out, "", XSK_NAMES, xsk_vals, XSK_N);
		counters_text(out, "", sock_stats_names, &sockstats, SOCK_STATS_N);
		counters_text(out, "", xrt_local_stats_names, &xrt_local_stats, XRT_LOCAL_STATS_N);
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
	counters_json(slow, MIB_NAMES, ss.mib, SLOW_MIB_MAX);
	counters_json(slow, stack_gauge_names, ss.gauge, STACK_GAUGE_MAX);
	JADD(slow, "icmp6", counters_json(json_object_new_object(), stack_icmp6_names, ss.icmp6,
					  STACK_ICMP6_MAX));
	JADD(slow, "drop", counters_json(json_object_new_object(), stack_drop_names, ss.drop,
					 STACK_DROP_MAX));
	json_object *ip4 = counters_json(json_object_new_object(), MIB_NAMES + SLOW_MIB_MAX,
					 ss.mib + SLOW_MIB_MAX, XRT_MIB_MAX - SLOW_MIB_MAX);
	JADD(slow, "ip4", counters_json(ip4, stack_ip4_names, ss.ip4, STACK_IP4_MAX));
	JADD(slow, "icmp", counters_json(json_object_new_object(), stack_icmp_names, ss.icmp,
					 STACK_ICMP_MAX));
	JADD(slow, "xsk", counters_json(json_object_new_object(), XSK_NAMES, xsk_vals, XSK_N));
	JADD(slow, "sock", counters_json(json_object_new_object(), sock_stats_names, &sockstats,
					 SOCK_STATS_N));
	JADD(o, "slowpath", slow);
	JADD(o, "local", counters_json(json_object_new_object(), xrt_local_stats_names,
				       &xrt_local_stats, XRT_LOCAL_STATS_N));
	json_object *rib = json_object_new_object();
	JADD(rib, "routes", JINT(rs.routes));
	JADD(rib, "prefixes", JINT(rs.nodes));
	JADD(rib, "nexthops", JINT(rs.nexthops));
	JADD(rib, "groups", JINT(rs.groups));
	JADD(o, "rib", rib);
	json_print(out, o);
	return 0;
}

CMD_REGISTER(stats);
