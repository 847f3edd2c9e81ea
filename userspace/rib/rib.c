/* xrt: the routing information base (routes, shared next hops, ECMP groups) and its programming. */
#include "rib/rib.h"
#include "xrt/inet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define PLEN_SLOTS 129 /* prefix lengths 0..128 */
/* XRT_MAX_ROUTES (1.5M) rounded up to a power of two. */
#define RIB_NODE_BUCKETS_MAX (1u << 21)

struct id_pool { /* free ids 1..max-1, popped lowest first */
	uint32_t *free;
	size_t n;
	const char *table, *objects; /* for "next-hop table is full (N next hops)" */
	uint32_t max;
};

/* One kind of shared, refcounted object the fast path holds by id: next
 * hops or groups. */
struct rib_objs {
	struct htable index;
	struct id_pool ids;
	int (*del)(void *ctx, uint32_t id, char *err); /* rib_ops' nh_del or grp_del */
};

struct rib {
	struct rib_ops ops;
	struct htable nodes; /* by (table, prefix, plen) */
	struct rib_objs nh;  /* by (dev, gateway, mtu, flags) */
	struct htable gws;   /* next hops with a gateway, by (dev, gateway) */
	struct rib_objs grp; /* by members and weights */
	size_t nroutes;
	size_t max_routes;
	uint64_t routes_refused; /* adds refused at max_routes */
	/* How many prefixes of each length each table holds, so a lookup
	 * probes only the lengths in use. */
	uint32_t plen_count[XRT_MAX_TABLES][PLEN_SLOTS];
	/* Table ids (32 bits, as the kernel's RTA_TABLE) -> the fast path's
	 * table slots (rib_table_slot): slot_refs counts the slot's prefixes
	 * and holders (interfaces, rules); a slot without any is free. */
	uint32_t slot_id[XRT_MAX_TABLES];
	uint32_t slot_refs[XRT_MAX_TABLES];
	uint64_t slots_full; /* ids refused because every slot was taken */
	/* Destinations with source-specific routes (the kernel's subtrees):
	 * their source nodes chained, bounded like the fast path's. */
	struct rib_sdst {
		uint32_t table;
		struct in6_addr prefix;
		unsigned plen;
		struct rib_node *nodes; /* NULL: the entry is free */
		unsigned n;		/* nodes chained */
	} sdst[XRT_FIB6_SUBTREES];
	uint64_t sdst_full; /* source routes refused: every entry in use */
	/* Destinations whose source routes did not all fit: handed to the
	 * kernel (ops.route_src_pass) while their refused routes wait in
	 * pend, retried when a source route goes. */
	struct rib_spass {
		bool used;
		bool lost; /* a refused route found pend full: kept until the
			    * destination has no source route left */
		uint32_t table, slot;
		struct in6_addr prefix;
		unsigned plen;
	} spass[XRT_FIB6_SRC_PASS];
	struct rib_route_spec *pend[XRT_FIB6_SRC_PENDING];
	unsigned npend;
	uint64_t spass_full, pend_full, spass_passes;
	bool retrying;
	/* Interfaces administratively down (rib_link_set_up): bounded by the
	 * number of attachable interfaces. */
	int down[XRT_MAX_IFACES];
	unsigned ndown;
};

const char *rib_ntop(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN])
{
	if (xrt_addr_is_v4(a))
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, INET6_ADDRSTRLEN);
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

unsigned rib_user_plen(const struct in6_addr *a, unsigned plen)
{
	return xrt_addr_is_v4(a) && plen >= XRT_V4_PLEN_OFFSET ? plen - XRT_V4_PLEN_OFFSET : plen;
}

static bool if_down(const struct rib *rib, int ifindex)
{
	for (unsigned i = 0; i < rib->ndown; i++)
		if (rib->down[i] == ifindex)
			return true;
	return false;
}

static void if_down_forget(struct rib *rib, int ifindex)
{
	for (unsigned i = 0; i < rib->ndown; i++)
		if (rib->down[i] == ifindex) {
			rib->down[i] = rib->down[--rib->ndown];
			return;
		}
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t hash_addr(uint64_t h, const struct in6_addr *a)
{
	uint64_t w[2];
	memcpy(w, a, sizeof(w));
	h = mix(h, w[0]);
	h = mix(h, w[1]);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

static uint64_t node_hash(uint32_t table, const struct in6_addr *p, unsigned plen,
			  const struct in6_addr *src, unsigned src_plen)
{
	uint64_t h = hash_addr(((uint64_t)table << 8) | plen, p);
	return src_plen ? hash_addr(h ^ src_plen, src) : h;
}

static uint64_t gw_hash(int ifindex, const struct in6_addr *gw)
{
	return hash_addr((uint64_t)(uint32_t)ifindex, gw);
}

static uint64_t nh_hash(int ifindex, const struct in6_addr *gw, uint32_t mtu,
			uint32_t flags)
{
	return hash_addr(((uint64_t)(uint32_t)ifindex << 32) ^ ((uint64_t)mtu << 4) ^ flags,
			 gw);
}

static uint64_t grp_hash(unsigned n, struct rib_nh *const *nh, const uint32_t *w)
{
	uint64_t h = n;
	for (unsigned i = 0; i < n; i++)
		h = mix(h, ((uint64_t)nh[i]->id << 32) | w[i]);
	h ^= h >> 31;
	return h;
}

static int pool_init(struct id_pool *p, uint32_t max, const char *table, const char *objects)
{
	p->free = malloc(sizeof(uint32_t) * max);
	if (!p->free)
		return -ENOMEM;
	p->n = 0;
	p->table = table;
	p->objects = objects;
	p->max = max;
	for (uint32_t id = max - 1; id >= 1; id--)
		p->free[p->n++] = id;
	return 0;
}

/* A zeroed object of size bytes that will take the pool's next id: the id
 * is only reserved (pool_commit) once the object is programmed. */
static void *pool_alloc(struct id_pool *p, size_t size, uint32_t *id, char *err, int *rc)
{
	void *o;

	if (p->n == 0) {
		*rc = xrt_fail(err, -ENOSPC, "%s table is full (%u %s)", p->table, p->max - 1,
			       p->objects);
		return NULL;
	}
	o = calloc(1, size);
	if (!o) {
		*rc = xrt_fail(err, -ENOMEM, "out of memory");
		return NULL;
	}
	*id = p->free[p->n - 1];
	return o;
}

static void pool_commit(struct id_pool *p)
{
	p->n--;
}

static void pool_put(struct id_pool *p, uint32_t id)
{
	p->free[p->n++] = id;
}

/* A new object from pool_alloc, programmed into the fast path with result
 * rc: on success it takes its id and its index entry; on failure it is
 * freed and its id stays free. */
static bool objs_add(struct rib_objs *o, void *obj, struct htable_node *node, uint64_t hash,
		     int rc)
{
	if (rc) {
		free(obj);
		return false;
	}
	pool_commit(&o->ids);
	htable_add(&o->index, node, hash);
	return true;
}

/* Nothing points at the object any more: its fast-path copy, index entry
 * and id go. A failed delete leaves a harmless unreferenced entry that the
 * next user of the id overwrites. */
static void objs_del(struct rib *rib, struct rib_objs *o, struct htable_node *node, uint32_t id)
{
	o->del(rib->ops.ctx, id, NULL);
	htable_del(&o->index, node);
	pool_put(&o->ids, id);
}

void rib_prefix_mask(struct in6_addr *a, unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		if (bits < 8)
			a->s6_addr[i] &= (uint8_t)(0xff00u >> bits);
	}
}

bool rib_prefix_host_bits(const struct in6_addr *a, unsigned plen)
{
	struct in6_addr m = *a;
	rib_prefix_mask(&m, plen);
	return memcmp(&m, a, sizeof(m)) != 0;
}

/* ---- table ids and the fast path's table slots ---- */

/* main and local keep slots of their own number: the fast path names them
 * (bpf/ip_route_input.h, tools/fpcost) without asking the RIB. */
static int slot_fixed(uint32_t id)
{
	return id == XRT_TABLE_MAIN || id == XRT_TABLE_LOCAL ? (int)id : -1;
}

static bool slot_reserved(unsigned slot)
{
	return slot == XRT_TABLE_MAIN || slot == XRT_TABLE_LOCAL;
}

int rib_table_slot(const struct rib *rib, uint32_t id)
{
	if (slot_fixed(id) >= 0)
		return slot_fixed(id);
	for (unsigned i = 0; i < XRT_MAX_TABLES; i++)
		if (!slot_reserved(i) && rib->slot_refs[i] && rib->slot_id[i] == id)
			return (int)i;
	return -ENOENT;
}

unsigned rib_table_slots_free(const struct rib *rib)
{
	unsigned n = 0;
	for (unsigned i = 0; i < XRT_MAX_TABLES; i++)
		n += !slot_reserved(i) && !rib->slot_refs[i];
	return n;
}

int rib_table_hold(struct rib *rib, uint32_t id, char *err)
{
	int slot = rib_table_slot(rib, id);
	if (slot < 0) {
		for (unsigned i = 0; i < XRT_MAX_TABLES && slot < 0; i++)
			if (!slot_reserved(i) && !rib->slot_refs[i])
				slot = (int)i;
		if (slot < 0) {
			rib->slots_full++;
			return xrt_fail(err, -ENOSPC,
					"table %u: every fast-path table slot is in use (%u tables)",
					id, XRT_MAX_TABLES);
		}
		rib->slot_id[slot] = id;
	}
	rib->slot_refs[slot]++;
	return slot;
}

void rib_table_put(struct rib *rib, uint32_t slot)
{
	if (slot < XRT_MAX_TABLES && rib->slot_refs[slot])
		rib->slot_refs[slot]--;
}

uint64_t rib_table_slots_refused(const struct rib *rib)
{
	return rib->slots_full;
}

struct rib *rib_new(const struct rib_ops *ops)
{
	struct rib *rib = calloc(1, sizeof(*rib));
	if (!rib)
		return NULL;
	rib->ops = *ops;
	rib->nh.del = ops->nh_del;
	rib->grp.del = ops->grp_del;
	rib->max_routes = XRT_MAX_ROUTES;
	/* Start small, grow up to one bucket per object the fast path holds. */
	if (htable_init(&rib->nodes, 1024, RIB_NODE_BUCKETS_MAX) ||
	    htable_init(&rib->nh.index, 256, XRT_MAX_NEXTHOPS) ||
	    htable_init(&rib->gws, 256, XRT_MAX_NEXTHOPS) ||
	    htable_init(&rib->grp.index, 64, XRT_MAX_NH_GROUPS) ||
	    pool_init(&rib->nh.ids, XRT_MAX_NEXTHOPS, "next-hop", "next hops") ||
	    pool_init(&rib->grp.ids, XRT_MAX_NH_GROUPS, "next-hop group", "groups")) {
		rib_free(rib);
		return NULL;
	}
	return rib;
}

void rib_set_max_routes(struct rib *rib, size_t max)
{
	rib->max_routes = max;
}

uint64_t rib_routes_refused(const struct rib *rib)
{
	return rib->routes_refused;
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	htable_for_each(&rib->nodes, pos) {
		struct rib_node *n = htable_entry(pos, struct rib_node, hnode);
		for (struct rib_route *r = n->routes, *rn; r; r = rn) {
			rn = r->next;
			free(r);
		}
		free(n);
	}
	htable_for_each(&rib->nh.index, pos)
		free(htable_entry(pos, struct rib_nh, hnode));
	htable_for_each(&rib->grp.index, pos)
		free(htable_entry(pos, struct rib_grp, hnode));
	for (unsigned i = 0; i < rib->npend; i++)
		free(rib->pend[i]);
	htable_fini(&rib->nodes);
	htable_fini(&rib->nh.index);
	htable_fini(&rib->gws);
	htable_fini(&rib->grp.index);
	free(rib->nh.ids.free);
	free(rib->grp.ids.free);
	free(rib);
}

/* ---- nodes ---- */

static const struct in6_addr any_src;

static struct rib_node *node_find_src(const struct rib *rib, uint32_t table,
				      const struct in6_addr *p, unsigned plen,
				      const struct in6_addr *src, unsigned src_plen)
{
	htable_for_each_possible(&rib->nodes, pos, node_hash(table, p, plen, src, src_plen)) {
		struct rib_node *n = htable_entry(pos, struct rib_node, hnode);
		if (n->table == table && n->plen == plen && n->src_plen == src_plen &&
		    !memcmp(&n->prefix, p, sizeof(*p)) && !memcmp(&n->src, src, sizeof(*src)))
			return n;
	}
	return NULL;
}

static struct rib_node *node_find(const struct rib *rib, uint32_t table,
				  const struct in6_addr *p, unsigned plen)
{
	return node_find_src(rib, table, p, plen, &any_src, 0);
}

const struct rib_node *rib_node_find(const struct rib *rib, uint32_t table,
				     const struct in6_addr *prefix, unsigned plen)
{
	if (plen > 128)
		return NULL;
	return node_find(rib, table, prefix, plen);
}

const struct rib_node *rib_node_find_src(const struct rib *rib, uint32_t table,
					 const struct in6_addr *prefix, unsigned plen,
					 const struct in6_addr *src, unsigned src_plen)
{
	if (plen > 128 || src_plen > 128)
		return NULL;
	return node_find_src(rib, table, prefix, plen, src, src_plen);
}

/* The subtree entry of (table, p/plen); with want, a free one if none. */
static struct rib_sdst *sdst_find(const struct rib *rib, uint32_t table,
				  const struct in6_addr *p, unsigned plen, bool want)
{
	struct rib_sdst *free_one = NULL;
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++) {
		struct rib_sdst *d = (struct rib_sdst *)&rib->sdst[i];
		if (!d->nodes) {
			free_one = free_one ? free_one : d;
			continue;
		}
		if (d->table == table && d->plen == plen && !memcmp(&d->prefix, p, sizeof(*p)))
			return d;
	}
	return want ? free_one : NULL;
}

/* ---- source routes beyond the bound: the destination to the kernel ---- */

static bool spass_same(const struct rib_spass *e, uint32_t table, const struct in6_addr *p,
		       unsigned plen)
{
	return e->used && e->table == table && e->plen == plen && !memcmp(&e->prefix, p, 16);
}

static struct rib_spass *spass_find(struct rib *rib, uint32_t table, const struct in6_addr *p,
				    unsigned plen)
{
	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS; i++)
		if (spass_same(&rib->spass[i], table, p, plen))
			return &rib->spass[i];
	return NULL;
}

/* A source route of s's destination was refused (either subtree bound):
 * the destination goes to the kernel, the route waits in pend. */
static void spass_refuse(struct rib *rib, const struct rib_route_spec *s)
{
	struct rib_spass *e = spass_find(rib, s->table, &s->prefix, s->plen);
	unsigned i;

	if (!e) {
		for (i = 0; i < XRT_FIB6_SRC_PASS && rib->spass[i].used; i++)
			;
		int slot = i < XRT_FIB6_SRC_PASS ? rib_table_hold(rib, s->table, NULL) : -ENOSPC;
		if (slot < 0) {
			rib->spass_full++;
			return;
		}
		if (!rib->ops.route_src_pass ||
		    rib->ops.route_src_pass(rib->ops.ctx, (uint32_t)slot, s->prefix.s6_addr,
					    s->plen, true, NULL)) {
			rib_table_put(rib, (uint32_t)slot);
			rib->spass_full++;
			return;
		}
		e = &rib->spass[i];
		*e = (struct rib_spass){ .used = true, .table = s->table, .slot = (uint32_t)slot,
					 .prefix = s->prefix, .plen = s->plen };
		rib->spass_passes++;
	}
	for (i = 0; i < rib->npend; i++) {
		const struct rib_route_spec *q = rib->pend[i];
		if (q->table == s->table && q->plen == s->plen && q->src_plen == s->src_plen &&
		    q->metric == s->metric && !memcmp(&q->prefix, &s->prefix, 16) &&
		    !memcmp(&q->src, &s->src, 16)) {
			*rib->pend[i] = *s;
			return;
		}
	}
	struct rib_route_spec *c = rib->npend < XRT_FIB6_SRC_PENDING ? malloc(sizeof(*c)) : NULL;
	if (!c) {
		rib->pend_full++;
		e->lost = true;
		return;
	}
	*c = *s;
	rib->pend[rib->npend++] = c;
}

/* Destinations none of whose refused routes still waits go back to the
 * fast path (a lost one when it has no source route left). */
static void spass_sweep(struct rib *rib)
{
	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS; i++) {
		struct rib_spass *e = &rib->spass[i];
		bool waiting = false;
		if (!e->used)
			continue;
		for (unsigned j = 0; j < rib->npend && !waiting; j++)
			waiting = spass_same(e, rib->pend[j]->table, &rib->pend[j]->prefix,
					     rib->pend[j]->plen);
		if (waiting ||
		    (e->lost && sdst_find(rib, e->table, &e->prefix, e->plen, false)))
			continue;
		if (rib->ops.route_src_pass(rib->ops.ctx, e->slot, e->prefix.s6_addr, e->plen,
					    false, NULL))
			continue; /* still the kernel's; tried again at the next change */
		rib_table_put(rib, e->slot);
		e->used = false;
	}
}

/* Room may have freed: every waiting route is added again (those still
 * refused wait again), then the sweep. */
static void spass_retry(struct rib *rib)
{
	struct rib_route_spec *v[XRT_FIB6_SRC_PENDING];
	unsigned n = rib->npend, i;

	if (rib->retrying || !n)
		return;
	/* No room anywhere (every subtree in use and full): nothing to try. */
	for (i = 0; i < XRT_FIB6_SUBTREES; i++)
		if (!rib->sdst[i].nodes || rib->sdst[i].n < XRT_FIB6_SUBTREE_ROUTES)
			break;
	if (i == XRT_FIB6_SUBTREES)
		return;
	uint64_t refused = rib->sdst_full; /* a retry refused again is no new refusal */
	rib->retrying = true;
	memcpy(v, rib->pend, sizeof(*v) * n);
	rib->npend = 0;
	for (i = 0; i < n; i++) {
		rib_route_add(rib, v[i], true, NULL);
		free(v[i]);
	}
	rib->retrying = false;
	rib->sdst_full = refused;
	spass_sweep(rib);
}

static bool spec_uses_dev(const struct rib_route_spec *s, int ifindex)
{
	for (unsigned i = 0; i < s->npaths; i++)
		if (s->path[i].ifindex == ifindex)
			return true;
	return false;
}

/* A waiting route matching m (rib_route_del, rib_flush) goes from pend;
 * returns how many went. */
static int spass_forget(struct rib *rib, uint32_t table, const struct in6_addr *prefix,
			unsigned plen, const struct rib_match *m)
{
	int gone = 0;

	for (unsigned i = rib->npend; i-- > 0;) {
		const struct rib_route_spec *q = rib->pend[i];
		if ((prefix && (q->table != table || q->plen != plen ||
				memcmp(&q->prefix, prefix, 16))) ||
		    (m && m->has_table && q->table != m->table) ||
		    (m && m->has_metric && q->metric != m->metric) ||
		    (m && m->has_origin && q->origin != m->origin) ||
		    (m && m->has_type && q->type != m->type) ||
		    (m && m->has_dev && !spec_uses_dev(q, m->ifindex)) ||
		    (m && m->family == AF_INET) ||
		    (m && m->has_src &&
		     (q->src_plen != m->src_plen || memcmp(&q->src, &m->src, 16))) ||
		    (prefix && (!m || !m->has_src)))
			continue;
		free(rib->pend[i]);
		rib->pend[i] = rib->pend[--rib->npend];
		gone++;
	}
	if (gone)
		spass_sweep(rib);
	return gone;
}

bool rib_src_passed_at(const struct rib *rib, uint32_t table, const struct in6_addr *daddr,
		       unsigned min_plen, struct in6_addr *pfx, unsigned *plen)
{
	const struct rib_spass *best = NULL;

	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS; i++) {
		const struct rib_spass *e = &rib->spass[i];
		struct in6_addr p = *daddr;
		if (!e->used || e->table != table || e->plen < min_plen ||
		    (best && e->plen <= best->plen))
			continue;
		rib_prefix_mask(&p, e->plen);
		if (!memcmp(&p, &e->prefix, 16))
			best = e;
	}
	if (best) {
		*pfx = best->prefix;
		*plen = best->plen;
	}
	return best != NULL;
}

void rib_src_forget(struct rib *rib, const struct rib_route_spec *s)
{
	const struct rib_match m = { .has_src = true, .src = s->src, .src_plen = s->src_plen,
				     .has_metric = true, .metric = s->metric };

	if (s->src_plen)
		spass_forget(rib, s->table, &s->prefix, s->plen, &m);
}

size_t rib_src_passed(const struct rib *rib, struct rib_src_pass *out, size_t max)
{
	size_t k = 0;

	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS && k < max; i++) {
		const struct rib_spass *e = &rib->spass[i];
		if (!e->used)
			continue;
		out[k] = (struct rib_src_pass){ .table = e->table, .prefix = e->prefix,
						.plen = e->plen, .lost = e->lost };
		for (unsigned j = 0; j < rib->npend; j++)
			out[k].waiting += spass_same(e, rib->pend[j]->table, &rib->pend[j]->prefix,
						     rib->pend[j]->plen);
		k++;
	}
	return k;
}

void rib_src_pass_stats(const struct rib *rib, struct rib_src_pass_stats *st)
{
	*st = (struct rib_src_pass_stats){ .refused = rib->sdst_full,
					   .passes = rib->spass_passes,
					   .pass_full = rib->spass_full,
					   .pend_full = rib->pend_full,
					   .waiting = rib->npend };
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++)
		st->subtrees += rib->sdst[i].nodes != NULL;
	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS; i++)
		st->passed += rib->spass[i].used;
}

static struct rib_node *node_get(struct rib *rib, const struct rib_route_spec *s)
{
	struct rib_node *n = node_find_src(rib, s->table, &s->prefix, s->plen, &s->src,
					   s->src_plen);
	struct rib_sdst *d = NULL;
	if (n)
		return n;
	if (s->src_plen && !(d = sdst_find(rib, s->table, &s->prefix, s->plen, true)))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	int slot = rib_table_hold(rib, s->table, NULL);
	if (slot < 0) {
		free(n);
		return NULL;
	}
	n->table = s->table;
	n->slot = (uint32_t)slot;
	n->prefix = s->prefix;
	n->plen = s->plen;
	n->src = s->src;
	n->src_plen = s->src_plen;
	if (d) {
		if (!d->nodes) {
			d->table = s->table;
			d->prefix = s->prefix;
			d->plen = s->plen;
		}
		n->src_next = d->nodes;
		d->nodes = n;
		d->n++;
	}
	htable_add(&rib->nodes, &n->hnode,
		   node_hash(s->table, &s->prefix, s->plen, &s->src, s->src_plen));
	rib->plen_count[slot][s->plen]++;
	return n;
}

static void node_put(struct rib *rib, struct rib_node *n)
{
	if (n->routes)
		return;
	if (n->src_plen) {
		struct rib_sdst *d = sdst_find(rib, n->table, &n->prefix, n->plen, false);
		struct rib_node **pp = &d->nodes;
		while (*pp != n)
			pp = &(*pp)->src_next;
		*pp = n->src_next;
		d->n--;
	}
	htable_del(&rib->nodes, &n->hnode);
	rib->plen_count[n->slot][n->plen]--;
	rib_table_put(rib, n->slot);
	free(n);
}

/* ---- next hops ---- */

static int nh_program(struct rib *rib, struct rib_nh *h, char *err)
{
	struct xrt_nh v = {
		.ifindex = (uint32_t)h->ifindex, .mtu = h->mtu, .flags = h->flags,
	};
	memcpy(v.gw, &h->gw, 16);
	return rib->ops.nh_set(rib->ops.ctx, h->id, &v, err);
}

static struct rib_nh *nh_get(struct rib *rib, const struct rib_path *p,
			     uint32_t mtu_cfg, char *err, int *rc)
{
	uint32_t flags = XRT_NH_F_VALID | (p->has_gw ? 0 : XRT_NH_F_CONNECTED);
	struct in6_addr gw = p->has_gw ? p->gw : in6addr_any;
	uint64_t hash = nh_hash(p->ifindex, &gw, mtu_cfg, flags);
	htable_for_each_possible(&rib->nh.index, pos, hash) {
		struct rib_nh *h = htable_entry(pos, struct rib_nh, hnode);
		if (h->ifindex == p->ifindex && h->mtu_cfg == mtu_cfg &&
		    h->flags == flags && !memcmp(&h->gw, &gw, sizeof(gw))) {
			h->refcnt++;
			return h;
		}
	}
	uint32_t id;
	struct rib_nh *h = pool_alloc(&rib->nh.ids, sizeof(*h), &id, err, rc);
	if (!h)
		return NULL;
	h->id = id;
	h->ifindex = p->ifindex;
	h->gw = gw;
	h->mtu_cfg = mtu_cfg;
	h->flags = flags;
	h->mtu = mtu_cfg ? mtu_cfg : rib->ops.link_mtu(rib->ops.ctx, p->ifindex);
	h->dead = if_down(rib, p->ifindex);
	*rc = nh_program(rib, h, err);
	if (!objs_add(&rib->nh, h, &h->hnode, hash, *rc))
		return NULL;
	h->refcnt = 1;
	if (p->has_gw)
		htable_add(&rib->gws, &h->gwnode, gw_hash(h->ifindex, &h->gw));
	return h;
}

static void nh_put(struct rib *rib, struct rib_nh *h)
{
	if (!h || --h->refcnt)
		return;
	objs_del(rib, &rib->nh, &h->hnode, h->id);
	if (!(h->flags & XRT_NH_F_CONNECTED))
		htable_del(&rib->gws, &h->gwnode);
	free(h);
}

/* ---- groups ---- */

/* Write the group with its live members only (the kernel's rebalance of a
 * multipath route around dead next hops). With none alive no programmed
 * route points at it, so it keeps every member. */
static int grp_program(struct rib *rib, const struct rib_grp *g, char *err)
{
	uint32_t ids[RIB_MAX_PATHS], w[RIB_MAX_PATHS];
	unsigned k = 0;
	for (unsigned i = 0; i < g->n; i++)
		if (!g->nh[i]->dead) {
			ids[k] = g->nh[i]->id;
			w[k++] = g->weight[i];
		}
	if (k == 0)
		for (unsigned i = 0; i < g->n; i++) {
			ids[k] = g->nh[i]->id;
			w[k++] = g->weight[i];
		}
	return rib->ops.grp_set(rib->ops.ctx, g->id, ids, w, k, err);
}

/* Takes ownership of the n next-hop references in nh[]. */
static struct rib_grp *grp_get(struct rib *rib, unsigned n, struct rib_nh **nh,
			       uint32_t *w, char *err, int *rc)
{
	/* Canonical member order so the same set shares one group. */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && nh[j - 1]->id > nh[j]->id; j--) {
			struct rib_nh *t = nh[j];
			nh[j] = nh[j - 1];
			nh[j - 1] = t;
			uint32_t tw = w[j];
			w[j] = w[j - 1];
			w[j - 1] = tw;
		}
	uint64_t hash = grp_hash(n, nh, w);
	htable_for_each_possible(&rib->grp.index, pos, hash) {
		struct rib_grp *g = htable_entry(pos, struct rib_grp, hnode);
		if (g->n == n && !memcmp(g->nh, nh, n * sizeof(*nh)) &&
		    !memcmp(g->weight, w, n * sizeof(*w))) {
			g->refcnt++;
			for (unsigned i = 0; i < n; i++)
				nh_put(rib, nh[i]); /* the group already holds them */
			return g;
		}
	}
	uint32_t id;
	struct rib_grp *g = pool_alloc(&rib->grp.ids, sizeof(*g), &id, err, rc);
	if (!g)
		goto fail;
	g->id = id;
	g->n = n;
	memcpy(g->nh, nh, n * sizeof(*nh));
	memcpy(g->weight, w, n * sizeof(*w));
	*rc = grp_program(rib, g, err);
	if (!objs_add(&rib->grp, g, &g->hnode, hash, *rc))
		goto fail;
	g->refcnt = 1;
	return g;
fail:
	for (unsigned i = 0; i < n; i++)
		nh_put(rib, nh[i]);
	return NULL;
}

static void grp_put(struct rib *rib, struct rib_grp *g)
{
	if (!g || --g->refcnt)
		return;
	objs_del(rib, &rib->grp, &g->hnode, g->id);
	for (unsigned i = 0; i < g->n; i++)
		nh_put(rib, g->nh[i]);
	free(g);
}

/* ---- routes ---- */

static struct xrt_fib6_val route_val(const struct rib_route *r)
{
	struct xrt_fib6_val v = { .type = r->type };
	if (r->nh)
		v.nh = r->nh->id;
	else if (r->grp)
		v.nh = XRT_NH_GROUP | r->grp->id;
	return v;
}

int rib_nh_foreach_gw(const struct rib *rib, int ifindex, const struct in6_addr *gw,
		      int (*fn)(const struct rib_nh *h, void *arg), void *arg)
{
	htable_for_each_possible(&rib->gws, pos, gw_hash(ifindex, gw)) {
		const struct rib_nh *h = htable_entry(pos, struct rib_nh, gwnode);
		if (h->ifindex != ifindex || memcmp(&h->gw, gw, sizeof(*gw)))
			continue;
		int rc = fn(h, arg);
		if (rc)
			return rc;
	}
	return 0;
}

bool rib_route_alive(const struct rib_route *r)
{
	if (r->nh)
		return !r->nh->dead;
	if (r->grp)
		for (unsigned i = 0; i < r->grp->n; i++)
			if (!r->grp->nh[i]->dead)
				return true;
	return !r->grp;
}

/* The route the fast path should hold: the lowest metric live one, not
 * counting skip (a route about to go). */
static const struct rib_route *node_best(const struct rib_node *n, const struct rib_route *skip)
{
	for (const struct rib_route *r = n->routes; r; r = r->next)
		if (r != skip && rib_route_alive(r))
			return r;
	return NULL;
}

static int node_program(struct rib *rib, struct rib_node *n, const struct rib_route *best,
			char *err)
{
	int rc = 0;
	if (n->src_plen) {
		struct xrt_fib6_val v = best ? route_val(best) : (struct xrt_fib6_val){ 0 };
		if (!best && n->programmed)
			rc = rib->ops.route_src_del(rib->ops.ctx, n->slot, n->prefix.s6_addr,
						    n->plen, n->src.s6_addr, n->src_plen, err);
		if (best)
			rc = rib->ops.route_src_set(rib->ops.ctx, n->slot, n->prefix.s6_addr,
						    n->plen, n->src.s6_addr, n->src_plen, &v, err);
		if (!rc)
			n->programmed = best;
		return rc;
	}
	if (!best && n->programmed)
		rc = rib->ops.route_del(rib->ops.ctx, n->slot, n->prefix.s6_addr, n->plen,
					err);
	if (best) {
		struct xrt_fib6_val v = route_val(best);
		rc = rib->ops.route_set(rib->ops.ctx, n->slot, n->prefix.s6_addr, n->plen,
					&v, err);
	}
	if (!rc)
		n->programmed = best;
	return rc;
}

/* Does a lie in p/plen? */
static bool prefix_has(const struct in6_addr *p, unsigned plen, const struct in6_addr *a)
{
	struct in6_addr m = *a;
	rib_prefix_mask(&m, plen);
	return !memcmp(&m, p, sizeof(m));
}

/* fib6_node_lookup_1 in d's subtree: the longest programmed source route
 * holding saddr; *any: whether the subtree holds a programmed route at all
 * (the fast path keeps a subtree only while it does). */
static const struct rib_route *sdst_match(const struct rib_sdst *d,
					  const struct in6_addr *saddr, bool *any)
{
	const struct rib_node *best = NULL;
	*any = false;
	for (const struct rib_node *n = d->nodes; n; n = n->src_next) {
		if (!n->programmed)
			continue;
		*any = true;
		if (prefix_has(&n->src, n->src_plen, saddr) &&
		    (!best || n->src_plen > best->src_plen))
			best = n;
	}
	return best ? best->programmed : NULL;
}

const struct rib_route *rib_lookup_src(const struct rib *rib, uint32_t table,
				       const struct in6_addr *daddr,
				       const struct in6_addr *saddr)
{
	int slot = rib_table_slot(rib, table);
	if (slot < 0)
		return NULL;
	int shortest = xrt_addr_is_v4(daddr) ? XRT_V4_PLEN_OFFSET : 0;
	for (int plen = 128; plen >= shortest; plen--) {
		if (!rib->plen_count[slot][plen])
			continue;
		struct in6_addr p = *daddr;
		rib_prefix_mask(&p, (unsigned)plen);
		const struct rib_sdst *d = sdst_find(rib, table, &p, (unsigned)plen, false);
		bool any = false;
		const struct rib_route *rt = d ? sdst_match(d, saddr, &any) : NULL;
		if (rt)
			return rt;
		if (any && plen) /* backtrack: the plain route is not looked at */
			continue;
		const struct rib_node *n = node_find(rib, table, &p, (unsigned)plen);
		if (n && n->programmed)
			return n->programmed;
	}
	return NULL;
}

const struct rib_route *rib_lookup(const struct rib *rib, uint32_t table,
				   const struct in6_addr *daddr)
{
	return rib_lookup_src(rib, table, daddr, &any_src);
}

uint64_t rib_subtrees_refused(const struct rib *rib)
{
	return rib->sdst_full;
}

const struct rib_route *rib_fib_lookup(const struct rib *rib, uint32_t table,
				       const struct in6_addr *daddr)
{
	const struct rib_route *rt = NULL;
	if (xrt_addr_is_v4(daddr))
		rt = rib_lookup(rib, RIB_TABLE_LOCAL, daddr);
	return rt ? rt : rib_lookup(rib, table, daddr);
}

static bool route_uses_dev(const struct rib_route *r, int ifindex)
{
	if (r->nh)
		return r->nh->ifindex == ifindex;
	if (r->grp)
		for (unsigned i = 0; i < r->grp->n; i++)
			if (r->grp->nh[i]->ifindex == ifindex)
				return true;
	return false;
}

static bool route_uses_gw(const struct rib_route *r, const struct in6_addr *gw)
{
	if (r->nh)
		return !(r->nh->flags & XRT_NH_F_CONNECTED) &&
		       !memcmp(&r->nh->gw, gw, sizeof(*gw));
	if (r->grp)
		for (unsigned i = 0; i < r->grp->n; i++)
			if (!(r->grp->nh[i]->flags & XRT_NH_F_CONNECTED) &&
			    !memcmp(&r->grp->nh[i]->gw, gw, sizeof(*gw)))
				return true;
	return false;
}

static bool route_matches(const struct rib_route *r, const struct rib_match *m)
{
	if (!m)
		return true;
	if (m->has_table && r->node->table != m->table)
		return false;
	if (m->family && (m->family == AF_INET) != xrt_addr_is_v4(&r->node->prefix))
		return false;
	if (m->has_metric && r->metric != m->metric)
		return false;
	if (m->has_type && r->type != m->type)
		return false;
	if (m->has_origin && r->origin != m->origin)
		return false;
	if (m->has_dev && !route_uses_dev(r, m->ifindex))
		return false;
	if (m->has_gw && !route_uses_gw(r, &m->gw))
		return false;
	if (m->has_src && (r->node->src_plen != m->src_plen ||
			   memcmp(&r->node->src, &m->src, sizeof(m->src))))
		return false;
	return true;
}

static bool route_same(const struct rib_route *a, const struct rib_route *b)
{
	return a->type == b->type && a->metric == b->metric && a->mtu == b->mtu &&
	       a->nh == b->nh && a->grp == b->grp;
}

static int check_spec(const struct rib *rib, const struct rib_route_spec *s,
		      struct rib_path *paths, char *err)
{
	char buf[INET6_ADDRSTRLEN];
	if (rib_table_slot(rib, s->table) < 0 && rib_table_slots_free(rib) == 0) {
		ERR("table %u: every fast-path table slot is in use (%u tables)", s->table,
		    XRT_MAX_TABLES);
		return -ENOSPC;
	}
	if (s->plen > 128) {
		ERR("prefix length %u is out of range (0..128)", s->plen);
		return -EINVAL;
	}
	if (rib_prefix_host_bits(&s->prefix, s->plen)) {
		ERR("%s/%u has host bits set", rib_ntop(&s->prefix, buf),
		    rib_user_plen(&s->prefix, s->plen));
		return -EINVAL;
	}
	bool v4 = xrt_addr_is_v4(&s->prefix) && s->plen >= XRT_V4_PLEN_OFFSET;
	if (s->src_plen) {
		if (s->src_plen > 128) {
			ERR("from: prefix length %u is out of range (0..128)", s->src_plen);
			return -EINVAL;
		}
		if (v4 || xrt_addr_is_v4(&s->src)) {
			ERR("from: source-specific routes are IPv6's (\"from %s\")",
			    rib_ntop(&s->src, buf));
			return -EINVAL;
		}
		if (rib_prefix_host_bits(&s->src, s->src_plen)) {
			ERR("from: %s/%u has host bits set", rib_ntop(&s->src, buf), s->src_plen);
			return -EINVAL;
		}
		if (!rib->ops.route_src_set) {
			ERR("from: source-specific routes are not supported here");
			return -EOPNOTSUPP;
		}
		const struct rib_sdst *d = sdst_find(rib, s->table, &s->prefix, s->plen, true);
		bool fresh = !node_find_src(rib, s->table, &s->prefix, s->plen, &s->src,
					    s->src_plen);
		if (fresh && (!d || d->n >= XRT_FIB6_SUBTREE_ROUTES)) {
			((struct rib *)rib)->sdst_full++;
			spass_refuse((struct rib *)rib, s);
			if (d)
				ERR("from: at most %u source prefixes per destination",
				    XRT_FIB6_SUBTREE_ROUTES);
			else
				ERR("from: at most %u destinations can have source-specific routes",
				    XRT_FIB6_SUBTREES);
			return -ENOSPC;
		}
	}
	if (s->type == XRT_RTN_BROADCAST && !v4) {
		ERR("broadcast routes are IPv4's");
		return -EINVAL;
	}
	switch (s->type) {
	case XRT_RTN_UNICAST:
		if (s->npaths == 0 || s->npaths > RIB_MAX_PATHS) {
			ERR(s->npaths ? "too many next hops (at most %d)"
				      : "a unicast route needs \"via\" or \"dev\"",
			    RIB_MAX_PATHS);
			return -EINVAL;
		}
		break;
	case XRT_RTN_LOCAL:
	case XRT_RTN_BLACKHOLE:
	case XRT_RTN_UNREACHABLE:
	case XRT_RTN_PROHIBIT:
	case XRT_RTN_BROADCAST:
		if (s->npaths) {
			ERR("a route of this type takes no next hop");
			return -EINVAL;
		}
		return 0;
	default:
		ERR("route type %u is not supported", s->type);
		return -EINVAL;
	}
	for (unsigned i = 0; i < s->npaths; i++) {
		paths[i] = s->path[i];
		struct rib_path *p = &paths[i];
		if (p->weight == 0)
			p->weight = 1;
		if (p->weight > RIB_WEIGHT_MAX) {
			ERR("weight %u is out of range (1..%d)", p->weight, RIB_WEIGHT_MAX);
			return -EINVAL;
		}
		if (!p->has_gw && !p->ifindex) {
			ERR("a next hop needs \"via\" or \"dev\"");
			return -EINVAL;
		}
		/* RFC 5549 (IPv4 over an IPv6 next hop) is not built: a
		 * gateway is of its route's family. */
		if (p->has_gw && xrt_addr_is_v4(&p->gw) != v4) {
			ERR("gateway %s is not of the route's family (%s)",
			    rib_ntop(&p->gw, buf), v4 ? "IPv4" : "IPv6");
			return -EINVAL;
		}
		if (!p->ifindex) {
			/* Like the kernel: a gateway without dev must be on a
			 * connected prefix, whose interface it takes. */
			const struct rib_route *c = rib_lookup(rib, s->table, &p->gw);
			if (!c || !c->nh || !(c->nh->flags & XRT_NH_F_CONNECTED)) {
				ERR("gateway %s is not on a connected prefix; say \"dev\"",
				    rib_ntop(&p->gw, buf));
				return -ENETUNREACH;
			}
			p->ifindex = c->nh->ifindex;
		} else if (!rib->ops.link_mtu(rib->ops.ctx, p->ifindex)) {
			ERR("interface %d is not attached", p->ifindex);
			return -ENODEV;
		}
	}
	return 0;
}

static void route_release(struct rib *rib, struct rib_route *r)
{
	nh_put(rib, r->nh);
	grp_put(rib, r->grp);
	r->nh = NULL;
	r->grp = NULL;
}

int rib_route_add(struct rib *rib, const struct rib_route_spec *s, bool replace,
		  char *err)
{
	struct rib_path paths[RIB_MAX_PATHS];
	int rc = check_spec(rib, s, paths, err);
	if (rc)
		return rc;

	struct rib_node *n = node_find_src(rib, s->table, &s->prefix, s->plen, &s->src,
					   s->src_plen);
	struct rib_route *old = NULL;
	for (struct rib_route *r = n ? n->routes : NULL; r; r = r->next)
		if (r->metric == s->metric) {
			old = r;
			break;
		}
	if (old && !replace) {
		char buf[INET6_ADDRSTRLEN];
		char sbuf[INET6_ADDRSTRLEN], from[INET6_ADDRSTRLEN + 16] = "";
		if (s->src_plen)
			snprintf(from, sizeof(from), " from %s/%u", rib_ntop(&s->src, sbuf),
				 s->src_plen);
		ERR("route %s/%u%s metric %u already exists", rib_ntop(&s->prefix, buf),
		    rib_user_plen(&s->prefix, s->plen), from, s->metric);
		return -EEXIST;
	}
	if (!old && rib->nroutes >= rib->max_routes) {
		rib->routes_refused++;
		ERR("routing table is full (%zu routes, xrtd --max-routes)", rib->max_routes);
		return -ENOSPC;
	}

	struct rib_route *nr = calloc(1, sizeof(*nr));
	if (!nr) {
		ERR("out of memory");
		return -ENOMEM;
	}
	nr->type = s->type;
	nr->metric = s->metric;
	nr->mtu = s->mtu;
	nr->origin = (uint8_t)s->origin;
	if (s->npaths == 1) {
		nr->nh = nh_get(rib, &paths[0], s->mtu, err, &rc);
		if (!nr->nh)
			goto fail_free;
	} else if (s->npaths > 1) {
		struct rib_nh *nh[RIB_MAX_PATHS];
		uint32_t w[RIB_MAX_PATHS];
		for (unsigned i = 0; i < s->npaths; i++) {
			w[i] = paths[i].weight;
			nh[i] = nh_get(rib, &paths[i], s->mtu, err, &rc);
			if (!nh[i]) {
				while (i--)
					nh_put(rib, nh[i]);
				goto fail_free;
			}
		}
		nr->grp = grp_get(rib, s->npaths, nh, w, err, &rc);
		if (!nr->grp)
			goto fail_free;
	}

	if (old && route_same(old, nr)) {
		/* Identical: keep the old one, clear its stale mark, write nothing. */
		old->stale = false;
		old->origin = nr->origin;
		route_release(rib, nr);
		free(nr);
		return 0;
	}

	if (!n) {
		n = node_get(rib, s);
		if (!n) {
			ERR("out of memory");
			rc = -ENOMEM;
			goto fail_release;
		}
	}
	nr->node = n;
	/* Insert in metric order, in place of old if replacing. */
	struct rib_route **pp = &n->routes;
	while (*pp && (*pp)->metric < nr->metric)
		pp = &(*pp)->next;
	if (old) {
		nr->next = old->next;
		*pp = nr;
	} else {
		nr->next = *pp;
		*pp = nr;
	}
	const struct rib_route *best = node_best(n, NULL);
	if (best != n->programmed) {
		rc = node_program(rib, n, best, err);
		if (rc) {
			/* Restore the list exactly as it was. */
			*pp = old ? old : nr->next;
			node_put(rib, n);
			goto fail_release;
		}
	}
	rib->nroutes++;
	if (old) {
		rib->nroutes--;
		if (rib->ops.route_event)
			rib->ops.route_event(rib->ops.ctx, old, true);
		route_release(rib, old);
		free(old);
	}
	if (rib->ops.route_event)
		rib->ops.route_event(rib->ops.ctx, nr, false);
	return 0;

fail_release:
	route_release(rib, nr);
fail_free:
	free(nr);
	return rc;
}

/* Unlink r from its node, reprogramming the node first if r was its best. */
static int route_remove(struct rib *rib, struct rib_route *r, char *err)
{
	struct rib_node *n = r->node;
	if (n->programmed == r) {
		int rc = node_program(rib, n, node_best(n, r), err);
		if (rc)
			return rc;
	}
	struct rib_route **pp = &n->routes;
	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
	rib->nroutes--;
	if (rib->ops.route_event)
		rib->ops.route_event(rib->ops.ctx, r, true);
	route_release(rib, r);
	free(r);
	node_put(rib, n);
	return 0;
}

int rib_route_del(struct rib *rib, uint32_t table, const struct in6_addr *prefix,
		  unsigned plen, const struct rib_match *m, char *err)
{
	char buf[INET6_ADDRSTRLEN];
	if (plen > 128) {
		ERR("no such route");
		return -ESRCH;
	}
	struct rib_node *n = m && m->has_src
				     ? node_find_src(rib, table, prefix, plen, &m->src, m->src_plen)
				     : node_find(rib, table, prefix, plen);
	for (struct rib_route *r = n ? n->routes : NULL; r; r = r->next)
		if (route_matches(r, m)) {
			bool src = n->src_plen != 0;
			int rc = route_remove(rib, r, err);
			if (!rc && src)
				spass_retry(rib);
			return rc;
		}
	if (spass_forget(rib, table, prefix, plen, m))
		return 0;
	ERR("no such route %s/%u", rib_ntop(prefix, buf), rib_user_plen(prefix, plen));
	return -ESRCH;
}

static int collect(const struct rib *rib, const struct rib_match *m,
		   struct rib_route ***out, size_t *count)
{
	struct rib_route **v = malloc(sizeof(*v) * (rib->nroutes + 1));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	htable_for_each(&rib->nodes, pos) {
		struct rib_node *n = htable_entry(pos, struct rib_node, hnode);
		for (struct rib_route *r = n->routes; r; r = r->next)
			if (route_matches(r, m))
				v[k++] = r;
	}
	*out = v;
	*count = k;
	return 0;
}

int rib_flush(struct rib *rib, const struct rib_match *m, char *err)
{
	struct rib_route **v;
	size_t k;
	if (collect(rib, m, &v, &k)) {
		ERR("out of memory");
		return -ENOMEM;
	}
	/* Delete worse routes of a prefix before its best one so the best is
	 * not reprogrammed to a route that is about to go too. */
	int done = 0, rc = 0;
	for (size_t i = k; i-- > 0;) {
		rc = route_remove(rib, v[i], err);
		if (rc)
			break;
		done++;
	}
	free(v);
	done += spass_forget(rib, 0, NULL, 0, m);
	spass_retry(rib);
	return rc ? rc : done;
}

static int route_cmp(const void *a, const void *b)
{
	const struct rib_route *x = *(const struct rib_route *const *)a;
	const struct rib_route *y = *(const struct rib_route *const *)b;
	if (x->node->table != y->node->table)
		return x->node->table < y->node->table ? -1 : 1;
	int c = memcmp(&x->node->prefix, &y->node->prefix, 16);
	if (c)
		return c;
	if (x->node->plen != y->node->plen)
		return x->node->plen < y->node->plen ? -1 : 1;
	if (x->node->src_plen != y->node->src_plen) /* iproute2: source routes first */
		return x->node->src_plen > y->node->src_plen ? -1 : 1;
	if ((c = memcmp(&x->node->src, &y->node->src, 16)))
		return c;
	return x->metric < y->metric ? -1 : x->metric > y->metric;
}

int rib_list(const struct rib *rib, const struct rib_route ***out, size_t *n)
{
	struct rib_route **v;
	if (collect(rib, NULL, &v, n))
		return -ENOMEM;
	qsort(v, *n, sizeof(*v), route_cmp);
	*out = (const struct rib_route **)v;
	return 0;
}

size_t rib_table_counts(const struct rib *rib, struct rib_table_count *out, size_t max)
{
	size_t n = 0;
	htable_for_each(&rib->nodes, pos) {
		const struct rib_node *node = htable_entry(pos, struct rib_node, hnode);
		size_t routes = 0, i;
		for (const struct rib_route *r = node->routes; r; r = r->next)
			routes++;
		for (i = 0; i < n && out[i].table != node->table; i++)
			;
		if (i == n) {
			if (n == max)
				continue; /* more tables than asked for: left out */
			out[n++] = (struct rib_table_count){ .table = node->table };
		}
		out[i].routes += routes;
	}
	return n;
}

size_t rib_count(const struct rib *rib)
{
	return rib->nroutes;
}

int rib_link_mtu_changed(struct rib *rib, int ifindex, char *err)
{
	uint32_t mtu = rib->ops.link_mtu(rib->ops.ctx, ifindex);
	htable_for_each(&rib->nh.index, pos) {
		struct rib_nh *h = htable_entry(pos, struct rib_nh, hnode);
		if (h->ifindex != ifindex || h->mtu_cfg || h->mtu == mtu)
			continue;
		uint32_t was = h->mtu;
		h->mtu = mtu;
		int rc = nh_program(rib, h, err);
		if (rc) {
			h->mtu = was;
			return rc;
		}
	}
	return 0;
}

/* The same route without the group members on ifindex (replace in place:
 * the fast path switches from the old group to the smaller one at once). */
static int route_shrink(struct rib *rib, struct rib_route *r, int ifindex, char *err)
{
	struct rib_route_spec s = {
		.table = r->node->table, .prefix = r->node->prefix, .plen = r->node->plen,
		.type = r->type, .metric = r->metric, .mtu = r->mtu,
		.origin = (enum rib_origin)r->origin,
	};
	for (unsigned i = 0; i < r->grp->n; i++) {
		const struct rib_nh *h = r->grp->nh[i];
		if (h->ifindex == ifindex)
			continue;
		struct rib_path *p = &s.path[s.npaths++];
		p->ifindex = h->ifindex;
		p->has_gw = !(h->flags & XRT_NH_F_CONNECTED);
		p->gw = h->gw;
		p->weight = r->grp->weight[i];
	}
	return rib_route_add(rib, &s, true, err);
}

int rib_link_down(struct rib *rib, int ifindex, char *err)
{
	/* Like the kernel when a device goes: a multipath route loses only
	 * the next hops through it; a route left without any goes away. */
	struct rib_route **v;
	size_t k;
	if (collect(rib, &(struct rib_match){ .has_dev = true, .ifindex = ifindex }, &v, &k)) {
		ERR("out of memory");
		return -ENOMEM;
	}
	int rc = 0;
	for (size_t i = k; i-- > 0 && !rc;) {
		struct rib_route *r = v[i];
		bool others = false;
		for (unsigned j = 0; r->grp && j < r->grp->n; j++)
			others |= r->grp->nh[j]->ifindex != ifindex;
		rc = others ? route_shrink(rib, r, ifindex, err) : route_remove(rib, r, err);
	}
	free(v);
	if (!rc)
		if_down_forget(rib, ifindex);
	return rc;
}

int rib_link_set_up(struct rib *rib, int ifindex, bool up, char *err)
{
	if (up == !if_down(rib, ifindex))
		return 0;
	if (up) {
		if_down_forget(rib, ifindex);
	} else {
		if (rib->ndown == XRT_MAX_IFACES) {
			ERR("too many interfaces down (at most %d)", XRT_MAX_IFACES);
			return -ENOSPC;
		}
		rib->down[rib->ndown++] = ifindex;
	}
	htable_for_each(&rib->nh.index, pos) {
		struct rib_nh *h = htable_entry(pos, struct rib_nh, hnode);
		if (h->ifindex == ifindex)
			h->dead = !up;
	}
	/* Groups first: a route that stays on its group switches members in
	 * place; then every prefix whose best live route changed. */
	int rc = 0;
	htable_for_each(&rib->grp.index, pos) {
		struct rib_grp *g = htable_entry(pos, struct rib_grp, hnode);
		bool touched = false;
		for (unsigned j = 0; j < g->n; j++)
			touched |= g->nh[j]->ifindex == ifindex;
		int r1 = touched ? grp_program(rib, g, err) : 0;
		rc = rc ? rc : r1;
	}
	htable_for_each(&rib->nodes, pos) {
		struct rib_node *n = htable_entry(pos, struct rib_node, hnode);
		const struct rib_route *best = node_best(n, NULL);
		int r1 = best != n->programmed ? node_program(rib, n, best, err) : 0;
		rc = rc ? rc : r1;
	}
	return rc;
}

void rib_mark(struct rib *rib, enum rib_origin origin)
{
	htable_for_each(&rib->nodes, pos) {
		struct rib_node *n = htable_entry(pos, struct rib_node, hnode);
		for (struct rib_route *r = n->routes; r; r = r->next)
			if (r->origin == origin)
				r->stale = true;
	}
}

int rib_sweep(struct rib *rib, enum rib_origin origin, char *err)
{
	struct rib_route **v;
	size_t k;
	if (collect(rib, &(struct rib_match){ .has_origin = true, .origin = origin }, &v, &k)) {
		ERR("out of memory");
		return -ENOMEM;
	}
	int rc = 0, done = 0;
	for (size_t i = k; i-- > 0;) {
		if (!v[i]->stale)
			continue;
		rc = route_remove(rib, v[i], err);
		if (rc)
			break;
		done++;
	}
	free(v);
	spass_retry(rib);
	return rc ? rc : done;
}

const struct rib_nh *rib_route_pick(const struct rib_route *r,
				    const struct in6_addr *saddr,
				    const struct in6_addr *daddr)
{
	if (!r)
		return NULL;
	if (r->nh || !r->grp)
		return r->nh;
	/* Live members only, as grp_program writes them. */
	bool any = rib_route_alive(r);
	uint32_t total = 0;
	for (unsigned i = 0; i < r->grp->n; i++)
		total += any && r->grp->nh[i]->dead ? 0 : r->grp->weight[i];
	uint64_t h = hash_addr(hash_addr(0, saddr), daddr);
	uint32_t pick = (uint32_t)(h % total);
	for (unsigned i = 0; i < r->grp->n; i++) {
		if (any && r->grp->nh[i]->dead)
			continue;
		if (pick < r->grp->weight[i])
			return r->grp->nh[i];
		pick -= r->grp->weight[i];
	}
	return r->grp->nh[0];
}

void rib_get_stats(const struct rib *rib, struct rib_stats *st)
{
	st->routes = rib->nroutes;
	st->nodes = rib->nodes.count;
	st->nexthops = rib->nh.index.count;
	st->groups = rib->grp.index.count;
}
