/* xrt fpcost: load and program the full xrt pipeline through dataplane/ (loader, map setters). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "dataplane/maps.h"
#include "dataplane/loader.h"
#include "dataplane/ip6_fib.h"
#include "dataplane/acl.h"
#include "dataplane/fib_rules.h"
#include "fpcost.h"
#include "xrt/inet.h"


struct fp_xrt {
	struct xrt_maps maps;
	char bpffs[256];
	int acl_ipv4; /* fp_xrt_acl_set writes IPv4 rules */
};

static int fp_xrt_iface(struct fp_xrt *x, int ifindex, const uint8_t mac[6], uint16_t slot)
{
	char err[XRT_ERR_LEN] = "";
	struct xrt_iface v = {.slot = slot, .mtu = 1500, .table = XRT_TABLE_MAIN,
			      .flags = XRT_IF_F_FORWARDING};
	memcpy(v.mac, mac, 6);
	if (xrt_maps_iface_set(&x->maps, ifindex, &v, err) < 0) {
		fprintf(stderr, "fpcost: xrt iface %d: %s\n", ifindex, err);
		return -1;
	}
	return 0;
}

unsigned fp_xrt_reserve;

struct fp_xrt *fp_xrt_open(const char *obj, const char *bpffs, const struct fp_topo *t)
{
	char err[XRT_ERR_LEN] = "";
	struct fp_xrt *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	snprintf(x->bpffs, sizeof(x->bpffs), "%s", bpffs);
	mkdir(bpffs, 0700);
	if (xrt_maps_load(&x->maps, obj, bpffs, err) < 0) {
		fprintf(stderr, "fpcost: xrt load %s: %s\n", obj, err);
		rmdir(bpffs);
		free(x);
		return NULL;
	}
	/* The FIB's maps grow with the table by loading a new program on new
	 * maps (dataplane/loader.c, fib_resize): the programs and maps fpcost
	 * took at the start must stay the ones in use for the whole run. */
	if (fp_xrt_reserve && fib6_reserve(x->maps.fib, fp_xrt_reserve, err)) {
		fprintf(stderr, "fpcost: xrt FIB for %u routes: %s\n", fp_xrt_reserve, err);
		fp_xrt_close(x);
		return NULL;
	}
	struct xrt_nh nh = {.ifindex = (__u32)t->out_ifindex, .mtu = 1500, .flags = XRT_NH_F_VALID};
	memcpy(nh.gw, &t->gw, 16);
	struct xrt_fib6_val blackhole = {.type = XRT_RTN_BLACKHOLE};
	struct xrt_fib6_val local = {.type = XRT_RTN_LOCAL};
	/* BPF_PROG_TEST_RUN repeats on the rewritten frame (the data is not
	 * restored between repetitions), and ipv6_rcv drops a frame whose
	 * destination MAC is not the ingress's (PACKET_OTHERHOST): the next
	 * hop's MAC is the ingress's own, so every repetition arrives as a
	 * frame for the router again, as a fresh one would. */
	if (fp_xrt_iface(x, t->in_ifindex, t->in_mac, FP_XRT_IN_SLOT) ||
	    fp_xrt_iface(x, t->out_ifindex, t->out_mac, 2) ||
	    xrt_maps_nh_set(&x->maps, FP_XRT_NH_ID, &nh, err) < 0 ||
	    xrt_maps_neigh_set(&x->maps, t->out_ifindex, nh.gw, t->in_mac, XRT_NUD_PERMANENT,
			       err) < 0 ||
	    /* The neighbour came after the next hop: cache its MAC (xrtd's
	     * router does the same for the next hops the RIB names). */
	    xrt_maps_nh_refresh_dmac(&x->maps, FP_XRT_NH_ID, err) < 0 ||
	    xrt_maps_route_set(&x->maps, XRT_TABLE_MAIN, t->blackhole.s6_addr, t->blackhole_plen,
			       &blackhole, err) < 0 ||
	    xrt_maps_route_set(&x->maps, XRT_TABLE_MAIN, t->blackhole4.s6_addr,
			       t->blackhole4_plen, &blackhole, err) < 0 ||
	    /* The egress address's local route in table local, where
	     * fib_add_ifaddr puts it: IPv4 looks there first, as a router
	     * with addresses does. */
	    xrt_maps_route_set(&x->maps, XRT_TABLE_LOCAL, t->local4.s6_addr, 128, &local,
			       err) < 0) {
		fprintf(stderr, "fpcost: xrt setup: %s\n", err);
		fp_xrt_close(x);
		return NULL;
	}
	return x;
}

int fp_xrt_prog_fd(struct fp_xrt *x)
{
	return x->maps.prog_fd;
}

int fp_xrt_map_fd(struct fp_xrt *x, const char *which)
{
	if (!strcmp(which, "ifaces"))
		return x->maps.ifaces;
	if (!strcmp(which, "neigh6"))
		return x->maps.neigh6;
	if (!strcmp(which, "nh"))
		return x->maps.nh;
	if (!strcmp(which, "stats"))
		return x->maps.stats;
	if (!strcmp(which, XRT_MAP_FIB6_TBL))
		return x->maps.fib6_tbl;
	if (!strcmp(which, XRT_MAP_FIB6_DP))
		return x->maps.fib6;
	if (!strcmp(which, XRT_MAP_FIB6_NODE))
		return x->maps.fib6_node;
	if (!strcmp(which, XRT_MAP_FIB6_REC))
		return x->maps.fib6_rec;
	return -1;
}

int fp_xrt_add_routes(struct fp_xrt *x, const struct fp_route *r, unsigned from, unsigned to)
{
	char err[XRT_ERR_LEN] = "";
	struct xrt_fib6_val v = {.type = XRT_RTN_UNICAST, .nh = FP_XRT_NH_ID};
	int prog_fd = x->maps.prog_fd;
	for (unsigned i = from; i < to; i++) {
		int rc = xrt_maps_route_set(&x->maps, XRT_TABLE_MAIN, r[i].addr.s6_addr, r[i].plen,
					    &v, err);
		if (rc < 0) {
			fprintf(stderr, "fpcost: xrt route %u: %s\n", i, err);
			return rc;
		}
	}
	if (x->maps.prog_fd != prog_fd) {
		fprintf(stderr, "fpcost: xrt's FIB moved to larger maps during the run "
			"(fp_xrt_reserve too small): its figures would be the old maps'\n");
		return -1;
	}
	return 0;
}

int fp_xrt_src_routes(struct fp_xrt *x, const struct fp_route *r, int add)
{
	static const char *const src[] = { "2001:db8:fffe::", "2001:db8:1::" };
	struct xrt_fib6_val v = {.type = XRT_RTN_UNICAST, .nh = FP_XRT_NH_ID};
	char err[XRT_ERR_LEN] = "";

	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		struct in6_addr s;
		inet_pton(AF_INET6, src[i], &s);
		int rc = add ? xrt_maps_route_src_set(&x->maps, XRT_TABLE_MAIN, r->addr.s6_addr,
						      r->plen, s.s6_addr, 48, &v, err)
			     : xrt_maps_route_src_del(&x->maps, XRT_TABLE_MAIN, r->addr.s6_addr,
						      r->plen, s.s6_addr, 48, err);
		if (rc < 0) {
			fprintf(stderr, "fpcost: xrt source route: %s\n", err);
			return rc;
		}
	}
	return 0;
}

/* The trie's cells in use (nodes, records, DP regions), as ip6_fib.c counts
 * them: the arrays themselves are preallocated at their full size. */
long fp_xrt_fib_mem_bytes(struct fp_xrt *x)
{
	struct fib6_usage u;
	return xrt_maps_fib_usage(&x->maps, &u, NULL) ? -1 : (long)u.bytes;
}

const char *fp_xrt_pin_dir(struct fp_xrt *x)
{
	return x->maps.pin_dir;
}

void fp_xrt_acl_ipv4(struct fp_xrt *x, int on)
{
	x->acl_ipv4 = on;
}

int fp_xrt_acl_set(struct fp_xrt *x, unsigned n)
{
	char err[XRT_ERR_LEN] = "";
	/* Prerouting drop rules that match the test packet (UDP from
	 * 2001:db8:fffe::2 to port 9) in every field but the last, the
	 * destination port: every packet compares all fields of all n rules
	 * and passes, the worst case of a list of n. */
	struct xrt_acl_rule r = {.dir = XRT_ACL_IN, .action = XRT_ACL_DROP,
				 .flags = XRT_ACL_F_PROTO | XRT_ACL_F_DPORT, .proto = 17};
	memset(r.smask, 0xff, 6);
	r.src[0] = 0x20, r.src[1] = 0x01, r.src[2] = 0x0d, r.src[3] = 0xb8;
	r.src[4] = 0xff, r.src[5] = 0xfe;
	if (x->acl_ipv4) { /* FP_ACL_SRC4's /24, mapped (include/xrt/inet.h) */
		struct in6_addr a;
		xrt_addr_from_v4(&a, inet_addr(FP_ACL_SRC4));
		memcpy(r.src, &a, sizeof(r.src));
		memset(r.smask, 0xff, 15);
		r.v4 = 1;
	}
	struct xrt_acl_entry *v = calloc(n ? n : 1, sizeof(*v));
	int rc;

	if (!v)
		return -1;
	/* One publish of the whole list (xrt_acl_add would publish n). */
	for (unsigned i = 0; i < n; i++) {
		v[i].r = r;
		v[i].r.dport_lo = v[i].r.dport_hi = (uint16_t)(10 + i);
		v[i].r.cnt = i;
		v[i].prio = i;
		v[i].seq = i;
	}
	rc = xrt_acl_replace(&x->maps, v, n, err);
	free(v);
	if (rc < 0)
		fprintf(stderr, "fpcost: acl: %s\n", err);
	return rc < 0 ? -1 : 0;
}

void fp_xrt_close(struct fp_xrt *x)
{
	xrt_maps_close(&x->maps);
	umount2(x->bpffs, MNT_DETACH);
	rmdir(x->bpffs);
	free(x);
}

int fp_xrt_rules_set(struct fp_xrt *x, unsigned n)
{
	char err[XRT_ERR_LEN] = "";
	static struct xrt_fib_rule v[XRT_FIB_RULES_MAX];
	memset(v, 0, sizeof(v));
	if (n > XRT_FIB_RULES_MAX) {
		fprintf(stderr, "fpcost: rules: at most %u\n", XRT_FIB_RULES_MAX);
		return -1;
	}
	/* As the ACL's rows: from the test packet's source, UDP, a table
	 * lookup, and a destination port that misses. The last rule looks
	 * up main, where the routes are. */
	for (unsigned i = 0; i < n; i++) {
		struct xrt_fib_rule *r = &v[i];
		r->family = XRT_AF_INET6;
		r->action = XRT_FR_ACT_TO_TBL;
		r->table = XRT_TABLE_MAIN;
		if (i + 1 == n)
			break;
		memset(r->smask, 0xff, 6);
		r->src[0] = 0x20, r->src[1] = 0x01, r->src[2] = 0x0d, r->src[3] = 0xb8;
		r->src[4] = 0xff, r->src[5] = 0xfe;
		r->flags = XRT_FR_F_PROTO | XRT_FR_F_DPORT;
		r->proto = 17;
		r->dport_lo = r->dport_hi = (uint16_t)(10 + i);
	}
	if (xrt_maps_fib_rules_set(&x->maps, v, n, err) < 0) {
		fprintf(stderr, "fpcost: rules: %s\n", err);
		return -1;
	}
	return 0;
}
