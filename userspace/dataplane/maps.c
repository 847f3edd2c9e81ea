/* xrt: the fast path's map setters and readers: each validates its arguments before writing. */
#include "dataplane/maps.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xrt/proto.h"
#include "xrt/ip4_proto.h"
#include "xrt/fib6.h"
#include "xrt/inet.h"
#include "dataplane/fib_trie.h"
#include "dataplane/ip6_fib.h"

/* Weights per member, as iproute2's `nexthop ... weight N` accepts them. */
#define XRT_NH_WEIGHT_MAX 256
static int map_update(int fd, const void *key, const void *val, const char *what,
		      char *err)
{
	if (bpf_map_update_elem(fd, key, val, BPF_ANY))
		return xrt_fail(err, -errno, "%s: map update failed: %s", what,
			    strerror(errno));
	return 0;
}

static int map_delete(int fd, const void *key, const char *what, char *err)
{
	if (bpf_map_delete_elem(fd, key))
		return xrt_fail(err, -errno, "%s: %s", what,
			    errno == ENOENT ? "no such entry" : strerror(errno));
	return 0;
}
/* RFC 4861 7.3.3: STALE entries must see their traffic (used_ns), so only
 * the other usable states are cached. */
static int neigh_cacheable(uint16_t state)
{
	return (state & XRT_NUD_VALID) && !(state & XRT_NUD_STALE);
}

/* Recompute v's cached gateway MAC from xrt_neigh6. */
static void nh_fill_dmac(struct xrt_maps *m, struct xrt_nh *v)
{
	struct xrt_neigh6_key k = { .ifindex = v->ifindex };
	struct xrt_neigh6_val n;

	v->flags &= ~XRT_NH_F_DMAC;
	memset(v->dmac, 0, sizeof(v->dmac));
	v->pad3 = 0;
	if (v->flags & XRT_NH_F_CONNECTED)
		return;
	memcpy(k.addr, v->gw, sizeof(k.addr));
	if (bpf_map_lookup_elem(m->neigh6, &k, &n) == 0 && neigh_cacheable(n.state)) {
		v->flags |= XRT_NH_F_DMAC;
		memcpy(v->dmac, n.mac, sizeof(v->dmac));
	}
}

/* Call fn on every next hop in the array (batched reads). */
static int nh_walk(struct xrt_maps *m,
		   int (*fn)(struct xrt_maps *, uint32_t, struct xrt_nh *, const void *,
			     char *),
		   const void *arg, char *err)
{
	enum { CHUNK = 4096 };
	struct xrt_nh *vals = calloc(CHUNK, sizeof(*vals));
	uint32_t *keys = calloc(CHUNK, sizeof(*keys));
	uint32_t out_batch = 0, count, i;
	void *in_batch = NULL;
	int rc = 0, done = 0;

	if (!vals || !keys) {
		rc = xrt_fail(err, -ENOMEM, "nexthops: out of memory");
		goto out;
	}
	while (!done) {
		count = CHUNK;
		if (bpf_map_lookup_batch(m->nh, in_batch, &out_batch, keys, vals,
					 &count, NULL)) {
			if (errno != ENOENT) {
				rc = xrt_fail(err, -errno, "nexthops: batch read: %s",
					  strerror(errno));
				goto out;
			}
			done = 1;
		}
		in_batch = &out_batch;
		for (i = 0; i < count; i++) {
			rc = fn(m, keys[i], &vals[i], arg, err);
			if (rc)
				goto out;
		}
	}
out:
	free(vals);
	free(keys);
	return rc;
}
/* Array maps cannot delete: an entry is removed by zeroing it. */
static int array_clear(int fd, uint32_t id, size_t size, const char *what,
		       char *err)
{
	void *zero = calloc(1, size);
	int rc;

	if (!zero)
		return xrt_fail(err, -ENOMEM, "%s: out of memory", what);
	rc = map_update(fd, &id, zero, what, err);
	free(zero);
	return rc;
}

/* Slot already used by another interface? (the map holds at most 64). */
static int iface_slot_taken(struct xrt_maps *m, int ifindex, uint16_t slot)
{
	uint32_t key, next;
	struct xrt_iface v;
	void *prev = NULL;

	while (bpf_map_get_next_key(m->ifaces, prev, &next) == 0) {
		key = next;
		prev = &key;
		if ((int)key == ifindex)
			continue;
		if (bpf_map_lookup_elem(m->ifaces, &key, &v) == 0 && v.slot == slot)
			return (int)key;
	}
	return 0;
}

/*
 * Keep the egress MAC cached in every next hop leaving by ifindex in step
 * with xrt_ifaces (iface = NULL: the interface is gone, drop the cache so the
 * fast path finds no entry and drops).
 */
static int smac_refresh_one(struct xrt_maps *m, uint32_t id, struct xrt_nh *v,
			    const void *arg, char *err)
{
	const struct { int ifindex; const struct xrt_iface *iface; } *a = arg;

	if (v->ifindex != (uint32_t)a->ifindex || !(v->flags & XRT_NH_F_VALID))
		return 0;
	if (a->iface) {
		if ((v->flags & XRT_NH_F_SMAC) &&
		    !memcmp(v->smac, a->iface->mac, sizeof(v->smac)))
			return 0;
		v->flags |= XRT_NH_F_SMAC;
		memcpy(v->smac, a->iface->mac, sizeof(v->smac));
	} else {
		if (!(v->flags & XRT_NH_F_SMAC))
			return 0;
		v->flags &= ~XRT_NH_F_SMAC;
		memset(v->smac, 0, sizeof(v->smac));
	}
	return map_update(m->nh, &id, v, XRT_MAP_NH, err);
}

static int nh_refresh_smac(struct xrt_maps *m, int ifindex,
			   const struct xrt_iface *iface, char *err)
{
	struct { int ifindex; const struct xrt_iface *iface; } arg = { ifindex, iface };

	return nh_walk(m, smac_refresh_one, &arg, err);
}

int xrt_maps_iface_set(struct xrt_maps *m, int ifindex,
		       const struct xrt_iface *v, char *err)
{
	char name[IF_NAMESIZE];
	uint32_t key = (uint32_t)ifindex;
	struct bpf_devmap_val port = { .ifindex = (uint32_t)ifindex };
	int other, rc;

	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	if (!v)
		return xrt_fail(err, -EINVAL, "iface: no value");
	if (v->slot < 1 || v->slot >= XRT_MAX_IFACES)
		return xrt_fail(err, -EINVAL, "slot %u: must be 1..%u", v->slot,
			    XRT_MAX_IFACES - 1);
	if (v->mtu < IP6_MIN_MTU || v->mtu > IP6_MAX_PAYLOAD)
		return xrt_fail(err, -EINVAL, "mtu %u: must be %u..%u", v->mtu,
			    IP6_MIN_MTU, IP6_MAX_PAYLOAD);
	if (v->table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", v->table,
			    XRT_MAX_TABLES);
	if (v->flags & ~(XRT_IF_F_FORWARDING | XRT_IF_F_KERNEL_LOCAL | XRT_IF_F_RPF))
		return xrt_fail(err, -EINVAL, "flags 0x%x: unknown bits", v->flags);
	if ((v->flags & XRT_IF_F_RPF) == XRT_IF_F_RPF)
		return xrt_fail(err, -EINVAL, "flags 0x%x: rpf both strict and loose", v->flags);
	if (v->xsk_base > XRT_MAX_XSKS - XRT_MAX_QUEUES)
		return xrt_fail(err, -EINVAL, "xsk_base %u: must be at most %u",
			    v->xsk_base, XRT_MAX_XSKS - XRT_MAX_QUEUES);
	other = iface_slot_taken(m, ifindex, v->slot);
	if (other)
		return xrt_fail(err, -EEXIST, "slot %u: already used by ifindex %d",
			    v->slot, other);

	if (!if_indextoname((unsigned)ifindex, name))
		return xrt_fail(err, -ENODEV, "ifindex %d: no such interface", ifindex);
	/* The port first: once the interface is in xrt_ifaces, next hops
	 * leaving by it may be used. */
	rc = map_update(m->tx_ports, &key, &port, XRT_MAP_TX_PORTS, err);
	if (rc)
		return rc;
	rc = map_update(m->ifaces, &key, v, XRT_MAP_IFACES, err);
	if (!rc && key < XRT_IFINDEX_DIRECT)
		rc = map_update(m->ifaces_dir, &key, v, XRT_MAP_IFACES_DIR, err);
	if (rc)
		return rc;
	return nh_refresh_smac(m, ifindex, v, err);
}

int xrt_maps_iface_del(struct xrt_maps *m, int ifindex, char *err)
{
	uint32_t key = (uint32_t)ifindex;
	int rc;

	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	rc = map_delete(m->ifaces, &key, "iface", err);
	if (rc)
		return rc;
	if (key < XRT_IFINDEX_DIRECT) {
		const struct xrt_iface none = { 0 };
		rc = map_update(m->ifaces_dir, &key, &none, XRT_MAP_IFACES_DIR, err);
		if (rc)
			return rc;
	}
	/* The kernel drops the port itself when the device goes away. */
	if (bpf_map_delete_elem(m->tx_ports, &key) && errno != ENOENT)
		return xrt_fail(err, -errno, "%s: %s", XRT_MAP_TX_PORTS, strerror(errno));
	return nh_refresh_smac(m, ifindex, NULL, err);
}

static int route_check(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, char *err)
{
	if (!addr)
		return xrt_fail(err, -EINVAL, "route: no prefix");
	if (plen > 128)
		return xrt_fail(err, -EINVAL, "prefix length %u: must be 0..128", plen);
	if (table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", table,
			    XRT_MAX_TABLES);
	if (!m->fib)
		return xrt_fail(err, -EPERM, "route: only the process that loaded the "
			    "object changes routes");
	return 0;
}

/* An IPv4 route (include/xrt/inet.h): a prefix inside ::ffff:0:0/96. It goes
 * to the table's IPv4 trie, never the IPv6 one, and a shorter prefix that
 * covers ::ffff:0:0/96 (::/0) is IPv6 only. */
static bool route_is_v4(const uint8_t addr[16], unsigned plen)
{
	return plen >= XRT_V4_PLEN_OFFSET && xrt_addr_is_v4((const struct in6_addr *)addr);
}

static int nh_ref_check(uint32_t nh, char *err)
{
	if (nh & XRT_NH_GROUP) {
		uint32_t gid = nh & ~XRT_NH_GROUP;

		if (gid == 0 || gid >= XRT_MAX_NH_GROUPS)
			return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u",
				    gid, XRT_MAX_NH_GROUPS - 1);
	} else if (nh == 0 || nh >= XRT_MAX_NEXTHOPS) {
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", nh,
			    XRT_MAX_NEXTHOPS - 1);
	}
	return 0;
}

int xrt_maps_route_src_set(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
			   unsigned plen, const uint8_t src[16], unsigned splen,
			   const struct xrt_fib6_val *v, char *err)
{
	int rc = route_check(m, table, addr, plen, err);

	if (rc)
		return rc;
	if (!v)
		return xrt_fail(err, -EINVAL, "route: no value");
	switch (v->type) {
	case XRT_RTN_UNICAST:
		rc = nh_ref_check(v->nh, err);
		if (rc)
			return rc;
		break;
	case XRT_RTN_LOCAL:
	case XRT_RTN_BROADCAST:
	case XRT_RTN_BLACKHOLE:
	case XRT_RTN_UNREACHABLE:
	case XRT_RTN_PROHIBIT:
		if (v->nh)
			return xrt_fail(err, -EINVAL,
				    "nexthop %u: only unicast routes have one", v->nh);
		break;
	default:
		return xrt_fail(err, -EINVAL, "route type %u: unknown", v->type);
	}
	/* Host bits are the RIB's to refuse; the trie ignores them. */
	if (route_is_v4(addr, plen))
		return fib_table_insert(m->fib, table, xrt_addr_v4((const struct in6_addr *)addr),
					plen - XRT_V4_PLEN_OFFSET,
					xrt_fib6_leaf(v->type, v->nh), err);
	if (v->type == XRT_RTN_BROADCAST)
		return xrt_fail(err, -EINVAL, "route type broadcast: IPv4 only");
	return fib6_src_add(m->fib, table, addr, plen, src, splen,
			    xrt_fib6_leaf(v->type, v->nh), err);
}

int xrt_maps_route_set(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, const struct xrt_fib6_val *v, char *err)
{
	static const uint8_t any[16];

	return xrt_maps_route_src_set(m, table, addr, plen, any, 0, v, err);
}

int xrt_maps_route_src_pass(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
			    unsigned plen, bool on, char *err)
{
	int rc = route_check(m, table, addr, plen, err);

	if (rc)
		return rc;
	if (route_is_v4(addr, plen))
		return xrt_fail(err, -EINVAL, "from: source-specific routes are IPv6's");
	return fib6_src_pass(m->fib, table, addr, plen, on, err);
}

int xrt_maps_route_src_del(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
			   unsigned plen, const uint8_t src[16], unsigned splen, char *err)
{
	int rc = route_check(m, table, addr, plen, err);

	if (rc)
		return rc;
	if (route_is_v4(addr, plen))
		return fib_table_delete(m->fib, table, xrt_addr_v4((const struct in6_addr *)addr),
					plen - XRT_V4_PLEN_OFFSET, err);
	return fib6_src_del(m->fib, table, addr, plen, src, splen, err);
}

int xrt_maps_route_del(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, char *err)
{
	static const uint8_t any[16];

	return xrt_maps_route_src_del(m, table, addr, plen, any, 0, err);
}

int xrt_maps_route_count(struct xrt_maps *m, uint32_t table, uint32_t *count, char *err)
{
	struct xrt_fib6_tbl t6, t4;
	uint32_t key4 = XRT_FIB4_TBL(table);

	if (table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", table,
			    XRT_MAX_TABLES);
	/* Both families: the IPv6 trie and the IPv4 one. */
	if (bpf_map_lookup_elem(m->fib6_tbl, &table, &t6) ||
	    bpf_map_lookup_elem(m->fib6_tbl, &key4, &t4))
		return xrt_fail(err, -errno, "%s: %s", XRT_MAP_FIB6_TBL, strerror(errno));
	*count = t6.routes + t4.routes;
	return 0;
}

int xrt_maps_fib_usage(struct xrt_maps *m, struct fib6_usage *u, char *err)
{
	if (!m->fib)
		return xrt_fail(err, -EPERM, "fib: only the loading process knows its size");
	fib6_usage(m->fib, u);
	return 0;
}

int xrt_maps_nh_set(struct xrt_maps *m, uint32_t id, const struct xrt_nh *v,
		    char *err)
{
	static const uint8_t any[16];
	struct xrt_iface iface;
	struct xrt_nh nv;

	if (id == 0 || id >= XRT_MAX_NEXTHOPS)
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", id,
			    XRT_MAX_NEXTHOPS - 1);
	if (!v)
		return xrt_fail(err, -EINVAL, "nexthop %u: no value", id);
	if (v->ifindex == 0 || v->ifindex > INT32_MAX)
		return xrt_fail(err, -EINVAL, "nexthop %u: ifindex %u invalid", id,
			    v->ifindex);
	/* A next hop serves one family, which it does not record: the lower
	 * bound is IPv4's (RFC 791); the command layer holds IPv6 routes to
	 * RFC 8200's 1280. */
	if (v->mtu < IP4_MIN_MTU || v->mtu > IP6_MAX_PAYLOAD)
		return xrt_fail(err, -EINVAL, "nexthop %u: mtu %u: must be %u..%u", id,
			    v->mtu, IP4_MIN_MTU, IP6_MAX_PAYLOAD);
	/* The cache flags are accepted (a value read back) but recomputed. */
	if (v->flags & ~(XRT_NH_F_VALID | XRT_NH_F_CONNECTED | XRT_NH_F_SMAC |
			 XRT_NH_F_DMAC))
		return xrt_fail(err, -EINVAL, "nexthop %u: flags 0x%x: unknown bits",
			    id, v->flags);
	if (!(v->flags & XRT_NH_F_CONNECTED) &&
	    (!memcmp(v->gw, any, sizeof(any)) || v->gw[0] == 0xff))
		return xrt_fail(err, -EINVAL,
			    "nexthop %u: gateway must be a unicast address", id);
	nv = *v;
	nv.flags &= ~XRT_NH_F_SMAC;
	memset(nv.smac, 0, sizeof(nv.smac));
	nv.pad = 0;
	nv.pad2 = 0;
	if (bpf_map_lookup_elem(m->ifaces, &nv.ifindex, &iface) == 0) {
		nv.flags |= XRT_NH_F_SMAC;
		memcpy(nv.smac, iface.mac, sizeof(nv.smac));
	}
	nh_fill_dmac(m, &nv);
	return map_update(m->nh, &id, &nv, XRT_MAP_NH, err);
}

int xrt_maps_nh_del(struct xrt_maps *m, uint32_t id, char *err)
{
	if (id == 0 || id >= XRT_MAX_NEXTHOPS)
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", id,
			    XRT_MAX_NEXTHOPS - 1);
	return array_clear(m->nh, id, sizeof(struct xrt_nh), XRT_MAP_NH, err);
}

int xrt_maps_grp_set(struct xrt_maps *m, uint32_t id, const uint32_t *nh_ids,
		     const uint32_t *weights, unsigned n, char *err)
{
	struct xrt_nh_grp *g;
	uint64_t total = 0, given = 0;
	unsigned i, j, share[XRT_ECMP_BUCKETS], nb;
	int rc;

	if (id == 0 || id >= XRT_MAX_NH_GROUPS)
		return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u", id,
			    XRT_MAX_NH_GROUPS - 1);
	if (n == 0 || n > XRT_ECMP_BUCKETS || !nh_ids || !weights)
		return xrt_fail(err, -EINVAL, "nexthop group %u: %u members: must be 1..%u",
			    id, n, XRT_ECMP_BUCKETS);
	for (i = 0; i < n; i++) {
		if (nh_ids[i] == 0 || nh_ids[i] >= XRT_MAX_NEXTHOPS)
			return xrt_fail(err, -EINVAL,
				    "nexthop group %u: member nexthop %u: must be 1..%u",
				    id, nh_ids[i], XRT_MAX_NEXTHOPS - 1);
		if (weights[i] == 0 || weights[i] > XRT_NH_WEIGHT_MAX)
			return xrt_fail(err, -EINVAL,
				    "nexthop group %u: weight %u: must be 1..%u", id,
				    weights[i], XRT_NH_WEIGHT_MAX);
		total += weights[i];
	}
	/* Exact replication when the weights fit in the buckets; otherwise
	 * each member gets its share of all buckets, at least one, and the
	 * rounding remainder goes to the first members. */
	if (total <= XRT_ECMP_BUCKETS) {
		nb = (unsigned)total;
		for (i = 0; i < n; i++)
			share[i] = weights[i];
	} else {
		nb = XRT_ECMP_BUCKETS;
		for (i = 0; i < n; i++) {
			share[i] = (unsigned)(weights[i] * XRT_ECMP_BUCKETS / total);
			if (share[i] == 0)
				share[i] = 1;
			given += share[i];
		}
		/* n <= 256 members with >= 1 each: trim the largest or pad. */
		while (given > nb) {
			unsigned big = 0;

			for (i = 1; i < n; i++)
				if (share[i] > share[big])
					big = i;
			share[big]--;
			given--;
		}
		for (i = 0; given < nb; i = (i + 1) % n, given++)
			share[i]++;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return xrt_fail(err, -ENOMEM, "nexthop group %u: out of memory", id);
	g->nbuckets = nb;
	for (i = 0, j = 0; i < n; i++) {
		unsigned k;

		for (k = 0; k < share[i] && j < nb; k++)
			g->bucket[j++] = nh_ids[i];
	}
	rc = map_update(m->nh_grp, &id, g, XRT_MAP_NH_GRP, err);
	free(g);
	return rc;
}

int xrt_maps_grp_del(struct xrt_maps *m, uint32_t id, char *err)
{
	if (id == 0 || id >= XRT_MAX_NH_GROUPS)
		return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u", id,
			    XRT_MAX_NH_GROUPS - 1);
	return array_clear(m->nh_grp, id, sizeof(struct xrt_nh_grp),
			   XRT_MAP_NH_GRP, err);
}

int xrt_maps_grp_get(struct xrt_maps *m, uint32_t id, struct xrt_nh_grp *g, char *err)
{
	if (id == 0 || id >= XRT_MAX_NH_GROUPS)
		return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u", id,
				XRT_MAX_NH_GROUPS - 1);
	if (bpf_map_lookup_elem(m->nh_grp, &id, g))
		return xrt_fail(err, -errno, "nexthop group %u: %s", id, strerror(errno));
	if (g->nbuckets == 0 || g->nbuckets > XRT_ECMP_BUCKETS)
		return xrt_fail(err, -ENOENT, "nexthop group %u: no buckets", id);
	return 0;
}

static int neigh_key(struct xrt_neigh6_key *k, int ifindex,
		     const uint8_t addr[16], char *err)
{
	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "neighbour: ifindex %d invalid", ifindex);
	if (!addr)
		return xrt_fail(err, -EINVAL, "neighbour: no address");
	memset(k, 0, sizeof(*k));
	k->ifindex = (uint32_t)ifindex;
	memcpy(k->addr, addr, sizeof(k->addr));
	return 0;
}

int xrt_maps_neigh_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       const uint8_t mac[6], uint16_t state, char *err)
{
	struct xrt_neigh6_key k;
	struct xrt_neigh6_val v;
	int rc = neigh_key(&k, ifindex, addr, err);

	if (rc)
		return rc;
	if (addr[0] == 0xff)
		return xrt_fail(err, -EINVAL, "neighbour: multicast address");
	if (state == 0 || (state & ~0xffu) || (state & (state - 1)))
		return xrt_fail(err, -EINVAL, "neighbour: state 0x%x: must be one NUD_* bit",
			    state);
	if (!mac)
		return xrt_fail(err, -EINVAL, "neighbour: no lladdr");
	memset(&v, 0, sizeof(v));
	memcpy(v.mac, mac, sizeof(v.mac));
	v.state = state;
	if (bpf_map_update_elem(m->neigh6, &k, &v, BPF_ANY))
		return xrt_fail(err, -errno, "neighbour: %s",
			    errno == E2BIG ? "table full" : strerror(errno));
	return 0;
}

int xrt_maps_neigh_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       char *err)
{
	struct xrt_neigh6_key k;
	int rc = neigh_key(&k, ifindex, addr, err);

	if (rc)
		return rc;
	return map_delete(m->neigh6, &k, "neighbour", err);
}

int xrt_maps_neigh_get(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       struct xrt_neigh6_val *v, char *err)
{
	struct xrt_neigh6_key k;
	int rc = neigh_key(&k, ifindex, addr, err);

	if (rc)
		return rc;
	if (bpf_map_lookup_elem(m->neigh6, &k, v))
		return xrt_fail(err, -errno, "neighbour: %s",
				errno == ENOENT ? "no such entry" : strerror(errno));
	return 0;
}

int xrt_maps_nh_refresh_dmac(struct xrt_maps *m, uint32_t id, char *err)
{
	struct xrt_nh v, old;

	if (id == 0 || id >= XRT_MAX_NEXTHOPS)
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", id,
				XRT_MAX_NEXTHOPS - 1);
	if (bpf_map_lookup_elem(m->nh, &id, &v))
		return xrt_fail(err, -errno, "nexthop %u: %s", id, strerror(errno));
	/* A cleared slot has no gateway to follow. */
	if (!(v.flags & XRT_NH_F_VALID))
		return 0;
	old = v;
	nh_fill_dmac(m, &v);
	if (!memcmp(&old, &v, sizeof(v)))
		return 0;
	return map_update(m->nh, &id, &v, XRT_MAP_NH, err);
}

/* A hash map's keys, at most max (deleting while walking restarts the walk,
 * so flushes collect first). Returns how many, or -errno. */
static int keys_collect(int fd, size_t key_size, void *keys, size_t max, const char *what,
			char *err)
{
	uint8_t *out = keys, *cur = malloc(key_size);
	void *prev = NULL;
	size_t n = 0;

	if (!cur)
		return xrt_fail(err, -ENOMEM, "%s: out of memory", what);
	while (n < max && bpf_map_get_next_key(fd, prev, out + n * key_size) == 0) {
		memcpy(cur, out + n * key_size, key_size);
		prev = cur;
		n++;
	}
	free(cur);
	return (int)n;
}

int xrt_maps_iface_flush(struct xrt_maps *m, char *err)
{
	uint32_t keys[XRT_MAX_IFACES];
	int n = keys_collect(m->ifaces, sizeof(keys[0]), keys, XRT_MAX_IFACES, XRT_MAP_IFACES,
			     err);
	int done = 0;

	for (int i = 0; i < n; i++)
		if (xrt_maps_iface_del(m, (int)keys[i], err) == 0)
			done++;
	return n < 0 ? n : done;
}

int xrt_maps_neigh_flush(struct xrt_maps *m, int ifindex, char *err)
{
	static struct xrt_neigh6_key keys[XRT_MAX_NEIGH];
	int n = keys_collect(m->neigh6, sizeof(keys[0]), keys, XRT_MAX_NEIGH, XRT_MAP_NEIGH6,
			     err);
	int done = 0;

	for (int i = 0; i < n; i++)
		if ((!ifindex || (int)keys[i].ifindex == ifindex) &&
		    xrt_maps_neigh_del(m, (int)keys[i].ifindex, keys[i].addr, err) == 0)
			done++;
	return n < 0 ? n : done;
}

int xrt_maps_xsk_flush(struct xrt_maps *m, char *err)
{
	/* An XSKMAP is an array: clear every slot (xsk_map_delete_elem
	 * succeeds on an empty one too). */
	for (uint32_t k = 0; k < XRT_MAX_XSKS; k++) {
		int rc = xrt_maps_xsk_del(m, k, err);
		if (rc && rc != -ENOENT)
			return rc;
	}
	return 0;
}

int xrt_maps_local6_flush(struct xrt_maps *m, char *err)
{
	static struct xrt_local6_key keys[XRT_MAX_LOCAL6];
	int n = keys_collect(m->local6, sizeof(keys[0]), keys, XRT_MAX_LOCAL6, XRT_MAP_LOCAL6,
			     err);
	int done = 0;

	for (int i = 0; i < n; i++)
		if (xrt_maps_local6_del(m, (int)keys[i].ifindex, keys[i].addr, err) == 0)
			done++;
	return n < 0 ? n : done;
}


int xrt_maps_xsk_set(struct xrt_maps *m, uint32_t key, int xsk_fd, char *err)
{
	if (key >= XRT_MAX_XSKS)
		return xrt_fail(err, -EINVAL, "xsk key %u: must be below %u", key,
			    XRT_MAX_XSKS);
	if (xsk_fd < 0)
		return xrt_fail(err, -EBADF, "xsk key %u: socket fd %d invalid", key,
			    xsk_fd);
	return map_update(m->xsks, &key, &xsk_fd, XRT_MAP_XSKS, err);
}

int xrt_maps_xsk_del(struct xrt_maps *m, uint32_t key, char *err)
{
	if (key >= XRT_MAX_XSKS)
		return xrt_fail(err, -EINVAL, "xsk key %u: must be below %u", key,
			    XRT_MAX_XSKS);
	return map_delete(m->xsks, &key, XRT_MAP_XSKS, err);
}

int xrt_maps_punt_cfg_set(struct xrt_maps *m, unsigned reason,
			  const struct xrt_punt_cfg *v, char *err)
{
	uint32_t key = reason;

	if (reason >= XRT_PUNT_MAX)
		return xrt_fail(err, -EINVAL, "punt reason %u: must be below %u", reason,
			    XRT_PUNT_MAX);
	if (!v)
		return xrt_fail(err, -EINVAL, "punt reason %u: no value", reason);
	if (v->rate_pps && v->burst == 0)
		return xrt_fail(err, -EINVAL,
			    "punt reason %u: burst must be at least 1 with a rate",
			    reason);
	return map_update(m->punt_cfg, &key, v, XRT_MAP_PUNT_CFG, err);
}

int xrt_maps_local6_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			uint32_t flags, char *err)
{
	struct xrt_local6_key key = { .ifindex = (__u32)ifindex };

	if (ifindex < 0 || !addr)
		return xrt_fail(err, -EINVAL, "local6: bad key");
	memcpy(key.addr, addr, sizeof(key.addr));
	return map_update(m->local6, &key, &flags, XRT_MAP_LOCAL6, err);
}

int xrt_maps_local6_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			char *err)
{
	struct xrt_local6_key key = { .ifindex = (__u32)ifindex };

	if (ifindex < 0 || !addr)
		return xrt_fail(err, -EINVAL, "local6: bad key");
	memcpy(key.addr, addr, sizeof(key.addr));
	return map_delete(m->local6, &key, XRT_MAP_LOCAL6, err);
}

int xrt_maps_punt_limited(struct xrt_maps *m, uint64_t limited[XRT_PUNT_MAX], char *err)
{
	int ncpus = libbpf_num_possible_cpus(), rc = 0;
	struct xrt_punt_tb *tb;

	if (ncpus <= 0)
		return xrt_fail(err, ncpus ? ncpus : -EINVAL, "punt: cannot count CPUs");
	/* One bucket per possible CPU (a per-CPU array). */
	tb = calloc((size_t)ncpus, sizeof(*tb));
	if (!tb)
		return xrt_fail(err, -ENOMEM, "punt buckets: out of memory");
	for (uint32_t i = 0; i < XRT_PUNT_MAX; i++) {
		limited[i] = 0;
		if (bpf_map_lookup_elem(m->punt_tb, &i, tb)) {
			rc = xrt_fail(err, -errno, "punt buckets: %s", strerror(errno));
			break;
		}
		for (int c = 0; c < ncpus; c++)
			limited[i] += tb[c].limited;
	}
	free(tb);
	return rc;
}

int xrt_maps_stats_read(struct xrt_maps *m, int slot, struct xrt_stats *out,
			char *err)
{
	int ncpus = libbpf_num_possible_cpus();
	int first = slot < 0 ? 0 : slot, last = slot < 0 ? XRT_MAX_IFACES - 1 : slot;
	size_t words = sizeof(struct xrt_stats) / sizeof(__u64), w;
	__u64 *vals, *sum = (__u64 *)out;
	int s, c;
	/* A newer object may append counters (dataplane/migrate.c checks
	 * that it only appends): each CPU's block is then longer. */
	struct bpf_map_info info = { 0 };
	uint32_t ilen = sizeof(info);
	size_t stride = words;
	if (!bpf_obj_get_info_by_fd(m->stats, &info, &ilen) &&
	    info.value_size > sizeof(struct xrt_stats))
		stride = (info.value_size + sizeof(__u64) - 1) / sizeof(__u64);

	if (!out)
		return xrt_fail(err, -EINVAL, "stats: no output");
	if (slot >= XRT_MAX_IFACES)
		return xrt_fail(err, -EINVAL, "stats slot %d: must be below %d", slot,
			    XRT_MAX_IFACES);
	if (ncpus <= 0)
		return xrt_fail(err, ncpus ? ncpus : -EINVAL, "stats: cannot count CPUs");
	/* Per-CPU values come as one 8-byte-aligned block per possible CPU. */
	vals = calloc((size_t)ncpus * stride, sizeof(__u64));
	if (!vals)
		return xrt_fail(err, -ENOMEM, "stats: out of memory");
	memset(out, 0, sizeof(*out));
	for (s = first; s <= last; s++) {
		uint32_t key = (uint32_t)s;

		if (bpf_map_lookup_elem(m->stats, &key, vals)) {
			int rc = -errno;

			free(vals);
			return xrt_fail(err, rc, "stats slot %d: %s", s, strerror(-rc));
		}
		for (c = 0; c < ncpus; c++)
			for (w = 0; w < words; w++)
				sum[w] += vals[(size_t)c * stride + w];
	}
	free(vals);
	return 0;
}

int xrt_maps_tcp_estab_set(struct xrt_maps *m, const struct xrt_tcp_estab_key *key, char *err)
{
	__u32 one = 1;

	return map_update(m->tcp_estab, key, &one, XRT_MAP_TCP_ESTAB, err);
}

int xrt_maps_tcp_estab_del(struct xrt_maps *m, const struct xrt_tcp_estab_key *key, char *err)
{
	return map_delete(m->tcp_estab, key, XRT_MAP_TCP_ESTAB, err);
}
