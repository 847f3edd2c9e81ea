/* xrt: the fast path's FIB trie: fib6_add / fib6_del keep a shadow radix tree and rebuild the trie where it changes. */
#include "dataplane/ip6_fib.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrt/fib6.h"


/*
 * Two structures:
 * - the shadow: per table, a path-compressed binary radix tree of the
 *   prefixes (the kernel's fib6_node tree), the truth every change starts
 *   from;
 * - the trie the fast path walks (include/xrt/maps.h): a 16-bit direct
 *   table, then 16-way nodes, with records standing in for the runs of
 *   nodes that would have a single way out. Leaves are pushed: every entry
 *   holds the answer for its whole span, so a walk never backtracks.
 *
 * The trie is always exactly build(shadow) (build() below, a pure function
 * of the shadow). A change to prefix P walks the trie along P from the top
 * to the smallest entry whose span holds P (or the first whose shape is no
 * longer what build() wants), and refreshes it: pushed leaves that changed
 * are rewritten in place, and a span whose shape changed is built afresh in
 * unused cells and published with one 32-bit store. Only P's span changes,
 * so nothing outside that entry needs touching, and every word a reader
 * can see is either the old answer or the new one.
 */

struct pfx {
	uint64_t hi, lo; /* host order, bits beyond len zero */
	unsigned len;
};

struct pnode {
	struct pfx p;
	struct pnode *child[2];
	uint32_t leaf;
	bool route;
};

struct cells { /* free list + bump allocator over one array */
	uint32_t *free, nfree;
	uint32_t next, max; /* next never-used index; max = array size */
	uint32_t *pending, npending;
	uint32_t used;
	bool exhausted; /* an alloc found none (fib6_resize grows this one) */
};

/* A source route of a subtree, or an entry of its flattened trie. */
struct fib6_srt {
	struct pfx src;
	uint32_t leaf;
};

/*
 * A destination with source-specific routes: the kernel's fib6_node whose
 * subtree is non-empty. While it exists the destination's trie entry is
 * XRT_FIB6_LEAF_SUBTREE and its own plain route is kept aside: the kernel
 * never answers it (fib6_node_lookup_1 backtracks when the subtree has no
 * match), except at ::/0 where fib6_node_lookup falls back to the root's.
 */
struct fib6_sub {
	bool used;
	uint32_t table;
	struct pfx dst;
	uint32_t plain;        /* dst's own route, 0 = none */
	struct fib6_srt *rt;   /* the source routes, nrt of them */
	struct fib6_srt *flat; /* what trie XRT_FIB6_SUB_TBL holds, nflat */
	uint32_t nrt, nflat;
};

/* A destination handed to the kernel (XRT_FIB6_LEAF_KERNEL in its trie
 * entry): some of its source routes could not be installed. */
struct fib6_pass {
	bool used;
	uint32_t table;
	struct pfx dst;
	uint32_t plain; /* dst's own route while it has no subtree, 0 = none */
};

struct fib6 {
	struct fib6_mem mem;
	struct fib6_sub sub[XRT_FIB6_SUBTREES];
	struct fib6_pass pass[XRT_FIB6_SRC_PASS];
	uint64_t sub_refused; /* source routes refused: every subtree in use */
	uint64_t pass_refused; /* destinations not handed over: pass[] full */
	/* By trie: IPv6 table t at t, IPv4 table t at XRT_FIB4_TBL(t). */
	struct pnode *root[XRT_FIB_TRIES];
	uint32_t routes[XRT_FIB_TRIES];
	uint32_t dflt[XRT_FIB_TRIES]; /* ::/0 (0.0.0.0/0), kept out of the trie */
	uint8_t slot_of[XRT_FIB_TRIES];
	uint32_t slot_table[XRT_FIB6_TABLE_SLOTS]; /* table + 1, 0 = free */
	struct cells nodes, recs;
	uint64_t nroutes;
	uint32_t syncs;
	/* The allocation layer: ceiling, sizes never shrunk below, resizes. */
	uint64_t max_routes;
	uint32_t floor_nodes, floor_recs;
	uint64_t room_retry; /* after a failed early grow: next try at nroutes */
	uint32_t grows, shrinks, resize_failures, ceiling_hits;
	char resize_error[XRT_ERR_LEN];
};

/* ---- prefixes ---- */

static unsigned pfx_bit(const struct pfx *p, unsigned i)
{
	return i < 64 ? (p->hi >> (63 - i)) & 1 : (p->lo >> (127 - i)) & 1;
}

static struct pfx pfx_trunc(struct pfx p, unsigned len)
{
	if (len < 64) {
		p.hi = len ? p.hi & ~((1ull << (64 - len)) - 1) : 0;
		p.lo = 0;
	} else if (len < 128) {
		p.lo = len > 64 ? p.lo & ~((1ull << (128 - len)) - 1) : 0;
	}
	p.len = len;
	return p;
}

static struct pfx pfx_make(const uint8_t addr[16], unsigned len)
{
	struct pfx p = { 0, 0, 128 };

	for (int i = 0; i < 8; i++) {
		p.hi = p.hi << 8 | addr[i];
		p.lo = p.lo << 8 | addr[8 + i];
	}
	return pfx_trunc(p, len);
}

/* Does a contain b (a is shorter or equal, and b starts with a)? */
static bool pfx_contains(const struct pfx *a, const struct pfx *b)
{
	if (a->len > b->len)
		return false;
	struct pfx t = pfx_trunc(*b, a->len);
	return t.hi == a->hi && t.lo == a->lo;
}

/* p followed by the STRIDE bits of v (p.len <= XRT_FIB6_NODE_MAXPOS). */
static struct pfx pfx_extend(struct pfx p, uint32_t v)
{
	unsigned __int128 x = (unsigned __int128)p.hi << 64 | p.lo;

	p.len += XRT_FIB6_STRIDE;
	x |= (unsigned __int128)v << (128 - p.len);
	p.hi = (uint64_t)(x >> 64);
	p.lo = (uint64_t)x;
	return p;
}

static unsigned pfx_common(const struct pfx *a, const struct pfx *b)
{
	unsigned max = a->len < b->len ? a->len : b->len, n;
	uint64_t x = a->hi ^ b->hi;

	if (x)
		n = (unsigned)__builtin_clzll(x);
	else if ((x = a->lo ^ b->lo))
		n = 64 + (unsigned)__builtin_clzll(x);
	else
		n = 128;
	return n < max ? n : max;
}

/* ---- the shadow (radix tree) ---- */

static struct pnode *pnode_new(const struct pfx *p)
{
	struct pnode *n = calloc(1, sizeof(*n));
	if (n)
		n->p = *p;
	return n;
}

/* The node holding exactly p, or where it would be linked. */
static struct pnode **shadow_find(struct pnode **link, const struct pfx *p)
{
	struct pnode *n;

	while ((n = *link) && n->p.len < p->len && pfx_contains(&n->p, p))
		link = &n->child[pfx_bit(p, n->p.len)];
	return link;
}

/* Insert p with leaf; *old = the leaf it replaces (0 if it is new). */
static int shadow_add(struct pnode **root, const struct pfx *p, uint32_t leaf, uint32_t *old)
{
	struct pnode **link = shadow_find(root, p), *n = *link, *m, *glue;

	*old = 0;
	if (n && n->p.len == p->len && pfx_contains(&n->p, p)) {
		*old = n->route ? n->leaf : 0;
		n->route = true;
		n->leaf = leaf;
		return 0;
	}
	if (!(m = pnode_new(p)))
		return -ENOMEM;
	m->route = true;
	m->leaf = leaf;
	if (!n) {
		*link = m;
		return 0;
	}
	unsigned c = pfx_common(&n->p, p);
	if (c == p->len) { /* p contains n */
		m->child[pfx_bit(&n->p, c)] = n;
		*link = m;
		return 0;
	}
	struct pfx g = pfx_trunc(*p, c);
	if (!(glue = pnode_new(&g))) {
		free(m);
		return -ENOMEM;
	}
	glue->child[pfx_bit(p, c)] = m;
	glue->child[pfx_bit(&n->p, c)] = n;
	*link = glue;
	return 0;
}

/* Remove p's route; nodes left without a route and with fewer than two
 * children go too. */
static int shadow_del(struct pnode **root, const struct pfx *p)
{
	struct pnode **link = root, **plink = NULL, *n;

	while ((n = *link) && n->p.len < p->len && pfx_contains(&n->p, p)) {
		plink = link;
		link = &n->child[pfx_bit(p, n->p.len)];
	}
	if (!n || n->p.len != p->len || !pfx_contains(&n->p, p) || !n->route)
		return -ENOENT;
	n->route = false;
	if (n->child[0] && n->child[1])
		return 0;
	*link = n->child[0] ? n->child[0] : n->child[1];
	free(n);
	/* The parent may now be a route-less glue node with one child. */
	if (plink && (n = *plink) && !n->route && !(n->child[0] && n->child[1])) {
		*plink = n->child[0] ? n->child[0] : n->child[1];
		free(n);
	}
	return 0;
}

static void shadow_free(struct pnode *n)
{
	if (!n)
		return;
	shadow_free(n->child[0]);
	shadow_free(n->child[1]);
	free(n);
}

/*
 * The topmost shadow node inside span s, starting from n (which contains s
 * or is inside it), and in *d the longest route strictly containing s met
 * on the way.
 */
static struct pnode *shadow_descend(struct pnode *n, const struct pfx *s, uint32_t *d)
{
	while (n) {
		if (n->p.len >= s->len)
			return pfx_contains(s, &n->p) ? n : NULL;
		if (!pfx_contains(&n->p, s))
			return NULL;
		if (n->route)
			*d = n->leaf;
		n = n->child[pfx_bit(s, n->p.len)];
	}
	return NULL;
}

/* ---- cells ---- */

static int cells_init(struct cells *c, uint32_t max)
{
	memset(c, 0, sizeof(*c));
	c->next = 1; /* 0 is never a cell: an entry's index 0 means nothing */
	c->max = max;
	c->free = malloc(sizeof(uint32_t) * max);
	c->pending = malloc(sizeof(uint32_t) * max);
	return c->free && c->pending ? 0 : -ENOMEM;
}

static void cells_free(struct cells *c)
{
	free(c->free);
	free(c->pending);
	c->free = c->pending = NULL;
}

static void synchronize(struct fib6 *f)
{
	f->mem.synchronize(f->mem.ctx);
	f->syncs++;
}

/* Replaced cells become free once no reader can hold them any more. */
static void reclaim(struct fib6 *f)
{
	struct cells *all[] = { &f->nodes, &f->recs };

	synchronize(f);
	for (int i = 0; i < 2; i++) {
		struct cells *c = all[i];
		memcpy(c->free + c->nfree, c->pending, sizeof(uint32_t) * c->npending);
		c->nfree += c->npending;
		c->npending = 0;
	}
}

static uint32_t cell_alloc(struct fib6 *f, struct cells *c)
{
	if (!c->nfree && c->next >= c->max && c->npending)
		reclaim(f);
	if (c->nfree) {
		c->used++;
		return c->free[--c->nfree];
	}
	if (c->next < c->max) {
		c->used++;
		return c->next++;
	}
	c->exhausted = true;
	return 0;
}

/* A cell no reader has seen (a build that failed halfway). */
static void cell_unuse(struct cells *c, uint32_t i)
{
	c->free[c->nfree++] = i;
	c->used--;
}

/* A cell readers may still be walking. */
static void cell_retire(struct cells *c, uint32_t i)
{
	c->pending[c->npending++] = i;
	c->used--;
}

/* Give back the cells of the subtree under entry e. */
static void entry_release(struct fib6 *f, uint32_t e, bool published)
{
	uint32_t i = e & XRT_FIB6_E_IDX;

	if (e & XRT_FIB6_E_NODE) {
		for (int v = 0; v < 1 << XRT_FIB6_STRIDE; v++)
			entry_release(f, f->mem.node[i].e[v], published);
		published ? cell_retire(&f->nodes, i) : cell_unuse(&f->nodes, i);
	} else if (e & XRT_FIB6_E_REC) {
		entry_release(f, f->mem.rec[i].match, published);
		published ? cell_retire(&f->recs, i) : cell_unuse(&f->recs, i);
	}
}

/* ---- build: the trie entry for span s, a pure function of the shadow ---- */

enum shape { SHAPE_LEAF, SHAPE_REC, SHAPE_NODE };

/*
 * What build() makes for span s whose topmost shadow node is t: a leaf when
 * nothing lies strictly inside s; a record when everything inside shares a
 * prefix at least one stride longer than s (*r = that shadow node); a node
 * otherwise. *d becomes the answer for s's addresses outside everything.
 */
static enum shape shape_of(const struct pfx *s, struct pnode *t, uint32_t *d,
			   struct pnode **r)
{
	*r = NULL;
	if (!t)
		return SHAPE_LEAF;
	if (t->p.len == s->len) {
		if (t->route)
			*d = t->leaf;
		if (!t->child[0] && !t->child[1])
			return SHAPE_LEAF;
		if (t->child[0] && t->child[1])
			return SHAPE_NODE;
		t = t->child[0] ? t->child[0] : t->child[1];
	}
	if (t->p.len >= s->len + XRT_FIB6_STRIDE) {
		*r = t;
		return SHAPE_REC;
	}
	return SHAPE_NODE;
}

static int build(struct fib6 *f, const struct pfx *s, uint32_t d, struct pnode *t,
		 uint32_t *out)
{
	struct pnode *r;
	uint32_t i;
	int rc;

	switch (shape_of(s, t, &d, &r)) {
	case SHAPE_LEAF:
		*out = d;
		return 0;
	case SHAPE_REC: {
		struct xrt_fib6_rec *rec;
		uint32_t m;

		if (!(i = cell_alloc(f, &f->recs)))
			return -ENOSPC;
		if ((rc = build(f, &r->p, d, r, &m))) {
			cell_unuse(&f->recs, i);
			return rc;
		}
		rec = &f->mem.rec[i];
		rec->hi = r->p.hi;
		rec->lo = r->p.lo;
		rec->plen = r->p.len;
		rec->match = m;
		rec->miss = d;
		rec->pad = 0;
		*out = XRT_FIB6_E_REC | i;
		return 0;
	}
	case SHAPE_NODE:
		break;
	}
	if (!(i = cell_alloc(f, &f->nodes)))
		return -ENOSPC;
	unsigned q = xrt_fib6_node_pos(s->len);
	struct xrt_fib6_node *node = &f->mem.node[i];
	for (uint32_t v = 0; v < 1 << XRT_FIB6_STRIDE; v++) {
		struct pfx sub = pfx_extend(pfx_trunc(*s, q), v);
		uint32_t dd = d;
		struct pnode *tt = shadow_descend(t, &sub, &dd);

		if ((rc = build(f, &sub, dd, tt, &node->e[v]))) {
			while (v--)
				entry_release(f, node->e[v], false);
			cell_unuse(&f->nodes, i);
			return rc;
		}
	}
	*out = XRT_FIB6_E_NODE | i;
	return 0;
}

/* ---- tables ---- */

static uint32_t *dp_region(struct fib6 *f, uint32_t table)
{
	return f->mem.dp + ((size_t)f->slot_of[table] << XRT_FIB6_DP_BITS);
}

/* A DP region for table: its own, a free one, or one an emptied table
 * left (after a grace period, since readers may still use it). */
static int table_slot(struct fib6 *f, uint32_t table, char *err)
{
	uint32_t s;

	if (f->slot_of[table])
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		for (s = 1; s < f->mem.nslots; s++)
			if (!f->slot_table[s])
				goto found;
		/* Regions of tables that no longer hold routes (all zero). */
		bool any = false;
		for (s = 1; s < f->mem.nslots; s++) {
			uint32_t t = f->slot_table[s] - 1;
			if (f->routes[t] == (f->dflt[t] != 0)) {
				__atomic_store_n(&f->mem.tbl[t].slot, 0, __ATOMIC_RELEASE);
				f->slot_of[t] = 0;
				f->slot_table[s] = 0;
				any = true;
			}
		}
		if (!any)
			break;
		synchronize(f);
	}
	if (err && table >= XRT_FIB6_SUB_TBL(0))
		xrt_err(err, "from: at most %u routing tables and source subtrees can hold "
			 "routes at once", f->mem.nslots - 1);
	else if (err)
		xrt_err(err, "table %u: at most %u routing tables (IPv6 and IPv4 counted "
			 "apart) can hold routes at once", table % XRT_MAX_TABLES,
			 f->mem.nslots - 1);
	return -ENOSPC;
found:
	f->slot_table[s] = table + 1;
	f->slot_of[table] = (uint8_t)s;
	__atomic_store_n(&f->mem.tbl[table].slot, s, __ATOMIC_RELEASE);
	return 0;
}

/* ---- changes ---- */

static void store(uint32_t *word, uint32_t v)
{
	if (*word != v)
		__atomic_store_n(word, v, __ATOMIC_RELEASE);
}

/*
 * Make the entry at *slot (span s; d the answer for s from routes strictly
 * containing it; t the topmost shadow node inside s) equal build(s) again.
 * Where its shape is still right, only the pushed leaves that changed are
 * rewritten, each with one store; where the shape changed, that span is
 * built afresh and published in one store. So changing a short prefix
 * (a default route over a full table) rewrites words in place instead of
 * rebuilding every cell under it.
 */
static int refresh(struct fib6 *f, uint32_t *slot, const struct pfx *s, uint32_t d,
		   struct pnode *t)
{
	uint32_t e = *slot, i = e & XRT_FIB6_E_IDX, d0 = d, ne;
	struct pnode *r;
	int rc;

	switch (shape_of(s, t, &d, &r)) {
	case SHAPE_LEAF:
		if (e & (XRT_FIB6_E_NODE | XRT_FIB6_E_REC))
			break;
		store(slot, d);
		return 0;
	case SHAPE_REC: {
		struct xrt_fib6_rec *rec = &f->mem.rec[i];

		if (!(e & XRT_FIB6_E_REC) || rec->plen != r->p.len || rec->hi != r->p.hi ||
		    rec->lo != r->p.lo)
			break;
		store(&rec->miss, d);
		return refresh(f, &rec->match, &r->p, d, r);
	}
	case SHAPE_NODE:
		if (!(e & XRT_FIB6_E_NODE))
			break;
		unsigned q = xrt_fib6_node_pos(s->len);
		for (uint32_t v = 0; v < 1 << XRT_FIB6_STRIDE; v++) {
			struct pfx sub = pfx_extend(pfx_trunc(*s, q), v);
			uint32_t dd = d;
			struct pnode *tt = shadow_descend(t, &sub, &dd);

			if ((rc = refresh(f, &f->mem.node[i].e[v], &sub, dd, tt)))
				return rc;
		}
		return 0;
	}
	if ((rc = build(f, s, d0, t, &ne)))
		return rc;
	__atomic_store_n(slot, ne, __ATOMIC_RELEASE);
	entry_release(f, e, true);
	return 0;
}

/* Refresh the entry at *slot for span s from the top of the shadow. */
static int refresh_span(struct fib6 *f, uint32_t table, uint32_t *slot, const struct pfx *s)
{
	uint32_t d = 0;
	struct pnode *t = shadow_descend(f->root[table], s, &d);

	return refresh(f, slot, s, d, t);
}

/* Bring the trie in line with the shadow after a change to p. A failure (no
 * free cells) can leave part of p's span refreshed: the caller undoes the
 * change in the shadow and calls this again. */
static int fib6_update(struct fib6 *f, uint32_t table, const struct pfx *p)
{
	uint32_t *dp = dp_region(f, table), *slot;
	struct pfx s;
	int rc;

	if (p->len < XRT_FIB6_DP_BITS) { /* p covers whole DP entries */
		uint32_t first = (uint32_t)(p->hi >> 48), n = 1u << (XRT_FIB6_DP_BITS - p->len);
		for (uint32_t v = first; v < first + n; v++) {
			s = (struct pfx){ (uint64_t)v << 48, 0, XRT_FIB6_DP_BITS };
			if ((rc = refresh_span(f, table, &dp[v], &s)))
				return rc;
		}
		return 0;
	}
	slot = &dp[p->hi >> 48];
	s = pfx_trunc(*p, XRT_FIB6_DP_BITS);
	for (;;) {
		uint32_t e = *slot, d = 0, i = e & XRT_FIB6_E_IDX;
		struct pnode *r, *t = shadow_descend(f->root[table], &s, &d);
		enum shape want = shape_of(&s, t, &d, &r);

		if (e & XRT_FIB6_E_NODE) {
			unsigned q = xrt_fib6_node_pos(s.len);
			if (want != SHAPE_NODE || p->len < q + XRT_FIB6_STRIDE)
				break;
			slot = &f->mem.node[i].e[xrt_fib6_nibble(p->hi, p->lo, q)];
			s = pfx_trunc(*p, q + XRT_FIB6_STRIDE);
		} else if (e & XRT_FIB6_E_REC) {
			struct xrt_fib6_rec *rec = &f->mem.rec[i];
			if (want != SHAPE_REC || r->p.len != rec->plen || r->p.hi != rec->hi ||
			    r->p.lo != rec->lo || rec->plen > p->len ||
			    !xrt_fib6_rec_match(rec, p->hi, p->lo))
				break;
			slot = &rec->match;
			s = pfx_trunc(*p, rec->plen);
		} else {
			break;
		}
	}
	return refresh_span(f, table, slot, &s);
}

static uint32_t trie_get(const struct fib6 *f, uint32_t table, const uint8_t addr[16],
			 unsigned plen);

static int check_args(uint32_t table, unsigned plen, char *err)
{
	if (table >= XRT_FIB_TRIES)
		return xrt_fail(err, -EINVAL, "table: out of range");
	if (plen > 128)
		return xrt_fail(err, -EINVAL, "prefix length: must be 0..128");
	return 0;
}

static int trie_add_once(struct fib6 *f, uint32_t table, const uint8_t addr[16],
			 unsigned plen, uint32_t leaf, char *err)
{
	struct pfx p = pfx_make(addr, plen);
	uint32_t old;
	int rc = check_args(table, plen, err);

	if (rc)
		return rc;
	if (!leaf || (leaf & (XRT_FIB6_E_NODE | XRT_FIB6_E_REC)))
		return xrt_fail(err, -EINVAL, "route: not a leaf");
	if (!trie_get(f, table, addr, plen) && f->nroutes >= f->max_routes) {
		f->ceiling_hits++;
		return xrt_fail(err, -ENOSPC, "route: table full (%llu routes, xrtd --max-routes)",
				(unsigned long long)f->max_routes);
	}
	if (plen == 0) {
		old = f->dflt[table];
		f->dflt[table] = leaf;
		__atomic_store_n(&f->mem.tbl[table].dflt, leaf, __ATOMIC_RELEASE);
		goto counted;
	}
	if ((rc = table_slot(f, table, err)))
		return rc;
	if ((rc = shadow_add(&f->root[table], &p, leaf, &old)))
		return xrt_fail(err, rc, "route: out of memory");
	if ((rc = fib6_update(f, table, &p))) {
		if (old)
			shadow_add(&f->root[table], &p, old, &old);
		else
			shadow_del(&f->root[table], &p);
		fib6_update(f, table, &p); /* cells it freed come back after a grace period */
		return xrt_fail(err, rc, "route: table full (no free trie cells)");
	}
counted:
	if (!old) {
		f->nroutes++;
		__atomic_store_n(&f->mem.tbl[table].routes, ++f->routes[table], __ATOMIC_RELAXED);
	}
	return 0;
}

static int trie_del_once(struct fib6 *f, uint32_t table, const uint8_t addr[16],
			 unsigned plen, char *err)
{
	struct pfx p = pfx_make(addr, plen);
	uint32_t leaf, old;
	int rc = check_args(table, plen, err);

	if (rc)
		return rc;
	if (!(leaf = trie_get(f, table, addr, plen)))
		return xrt_fail(err, -ENOENT, "route: no such route");
	if (plen == 0) {
		f->dflt[table] = 0;
		__atomic_store_n(&f->mem.tbl[table].dflt, 0, __ATOMIC_RELEASE);
		goto counted;
	}
	shadow_del(&f->root[table], &p);
	if ((rc = fib6_update(f, table, &p))) {
		/* Removing can need cells too (a record replacing a node). */
		shadow_add(&f->root[table], &p, leaf, &old);
		fib6_update(f, table, &p);
		return xrt_fail(err, rc, "route: table full (no free trie cells)");
	}
counted:
	f->nroutes--;
	__atomic_store_n(&f->mem.tbl[table].routes, --f->routes[table], __ATOMIC_RELAXED);
	return 0;
}

static uint32_t trie_get(const struct fib6 *f, uint32_t table, const uint8_t addr[16],
			 unsigned plen)
{
	if (table >= XRT_FIB_TRIES || plen > 128)
		return 0;
	if (plen == 0)
		return f->dflt[table];
	struct pfx p = pfx_make(addr, plen);
	struct pnode *root = f->root[table];
	struct pnode *n = *shadow_find(&root, &p);

	return n && n->p.len == p.len && pfx_contains(&n->p, &p) && n->route ? n->leaf : 0;
}

static uint32_t trie_walk(const struct fib6_mem *m, uint32_t table, struct pfx a)
{
	uint32_t slot, e, pos = XRT_FIB6_DP_BITS;

	if (table >= XRT_FIB_TRIES || (slot = m->tbl[table].slot) >= m->nslots)
		return 0;
	e = m->dp[(size_t)slot << XRT_FIB6_DP_BITS | a.hi >> 48];
	for (int step = 0; step < XRT_FIB6_MAX_STEPS; step++) {
		uint32_t i = e & XRT_FIB6_E_IDX;

		if (e & XRT_FIB6_E_NODE) {
			uint32_t q = xrt_fib6_node_pos(pos);
			if (i >= m->nnodes)
				return 0;
			e = m->node[i].e[xrt_fib6_nibble(a.hi, a.lo, q)];
			pos = q + XRT_FIB6_STRIDE;
		} else if (e & XRT_FIB6_E_REC) {
			if (i >= m->nrecs)
				return 0;
			if (!xrt_fib6_rec_match(&m->rec[i], a.hi, a.lo))
				return m->rec[i].miss ?: m->tbl[table].dflt;
			e = m->rec[i].match;
			pos = m->rec[i].plen;
		} else {
			return e ?: m->tbl[table].dflt;
		}
	}
	return 0;
}

/* ---- resize: the trie moves to maps of other sizes ---- */

/*
 * Grow before fewer than 1/8 of a kind of cell is left, to twice what is in
 * use; shrink when less than 1/8 is in use, again to twice (at least) what
 * is. After either, between 1/4 and 1/2 of the cells are in use, so adds and
 * removals at a boundary never move the trie back and forth.
 */
#define FIB6_ROOM_SHIFT 3
/* DP regions (256 KB each): 2 spare after a grow; a shrink once more than
 * 4 are unused. */
#define FIB6_SLOTS_SPARE 2
#define FIB6_SLOTS_SLACK 4
/* Cells per random prefix, with some margin (1M /32../64: 350k nodes, 1M
 * records), in tenths. */
#define FIB6_RESERVE_NODES_TENTHS 4
#define FIB6_RESERVE_RECS_TENTHS 11

/* Cells readers can reach: the ones awaiting a grace period are free by
 * the next alloc that needs them (reclaim), and a rebuild drops them. */
static uint32_t cells_live(const struct cells *c)
{
	return c->used;
}

/* Room for need cells: floor doubled until it holds twice need. */
static uint32_t cells_size(uint64_t need, uint32_t floor)
{
	uint64_t n = floor ? floor : 1;

	while (n < 2 * need && n <= XRT_FIB6_E_IDX / 2)
		n *= 2;
	return (uint32_t)n;
}

static uint32_t tables_routed(const struct fib6 *f)
{
	uint32_t n = 0;

	for (uint32_t t = 0; t < XRT_FIB_TRIES; t++)
		n += f->root[t] != NULL;
	return n;
}

struct rebuild {
	struct fib6 *f, *g; /* g: f's state over the new memory */
};

/* Build the whole trie from the shadow in next, which no reader sees yet:
 * fresh cells, one DP region per table with routes in the trie. */
static int fib6_fill(void *ctx, const struct fib6_mem *next)
{
	struct rebuild *rb = ctx;
	struct fib6 *f = rb->f, *g = rb->g;
	uint32_t s = 1;
	int rc;

	*g = *f; /* the shadow is shared: only the trie is built anew */
	g->mem = *next;
	memset(g->slot_of, 0, sizeof(g->slot_of));
	memset(g->slot_table, 0, sizeof(g->slot_table));
	memset(&g->nodes, 0, sizeof(g->nodes));
	memset(&g->recs, 0, sizeof(g->recs));
	if (cells_init(&g->nodes, next->nnodes) || cells_init(&g->recs, next->nrecs)) {
		rc = -ENOMEM;
		goto fail;
	}
	memset(next->tbl, 0, sizeof(*next->tbl) * XRT_FIB_TRIES);
	memset(next->dp, 0, sizeof(uint32_t) * ((size_t)next->nslots << XRT_FIB6_DP_BITS));
	for (uint32_t t = 0; t < XRT_FIB_TRIES; t++) {
		next->tbl[t].routes = f->routes[t];
		next->tbl[t].dflt = f->dflt[t];
		if (!f->root[t])
			continue;
		if (s >= next->nslots || s >= XRT_FIB6_TABLE_SLOTS) {
			rc = -ENOSPC;
			goto fail;
		}
		g->slot_of[t] = (uint8_t)s;
		g->slot_table[s] = t + 1;
		next->tbl[t].slot = s++;
		uint32_t *dp = dp_region(g, t);
		for (uint32_t v = 0; v < 1u << XRT_FIB6_DP_BITS; v++) {
			struct pfx sp = { (uint64_t)v << 48, 0, XRT_FIB6_DP_BITS };
			uint32_t d = 0;
			struct pnode *top = shadow_descend(g->root[t], &sp, &d);

			if ((rc = build(g, &sp, d, top, &dp[v])))
				goto fail;
		}
	}
	return 0;
fail:
	cells_free(&g->nodes);
	cells_free(&g->recs);
	return rc;
}

/* Move the trie to memory of these sizes (mem.resize); on failure nothing
 * changed, and the failure is counted with its reason. */
static int fib6_resize(struct fib6 *f, uint32_t nslots, uint32_t nnodes, uint32_t nrecs,
		       char *err)
{
	struct fib6_mem next = f->mem;
	struct rebuild rb = { f, calloc(1, sizeof(struct fib6)) };
	bool grow = nslots > f->mem.nslots || nnodes > f->mem.nnodes || nrecs > f->mem.nrecs;
	char why[XRT_ERR_LEN] = "";
	int rc;

	if (!rb.g)
		return xrt_fail(err, -ENOMEM, "fib: out of memory");
	next.tbl = NULL;
	next.dp = NULL;
	next.node = NULL;
	next.rec = NULL;
	next.nslots = nslots;
	next.nnodes = nnodes;
	next.nrecs = nrecs;
	rc = f->mem.resize(f->mem.ctx, &next, fib6_fill, &rb, why);
	if (rc) {
		cells_free(&rb.g->nodes);
		cells_free(&rb.g->recs);
		free(rb.g);
		f->resize_failures++;
		snprintf(f->resize_error, sizeof(f->resize_error), "%s",
			 why[0] ? why : strerror(-rc));
		return xrt_fail(err, rc, "fib: moving the trie to %u nodes, %u records, %u "
				"tables failed: %s", nnodes, nrecs, nslots - 1, f->resize_error);
	}
	/* Readers walk next now; the old memory is gone. */
	cells_free(&f->nodes);
	cells_free(&f->recs);
	f->mem = rb.g->mem;
	f->nodes = rb.g->nodes;
	f->recs = rb.g->recs;
	memcpy(f->slot_of, rb.g->slot_of, sizeof(f->slot_of));
	memcpy(f->slot_table, rb.g->slot_table, sizeof(f->slot_table));
	free(rb.g);
	grow ? f->grows++ : f->shrinks++;
	f->room_retry = 0;
	return 0;
}

/* Sizes for what is in use now plus extra cells, never below the floor
 * nor below the current size when grow_only. */
static uint32_t size_for(uint32_t live, uint64_t extra, uint32_t floor, uint32_t cur,
			 bool grow_only)
{
	uint32_t n = cells_size(live + extra, floor);

	return grow_only && n < cur ? cur : n;
}

/* Before an add: room for it (a DP region for a new table, 1/8 of the
 * cells free). A failure here is counted and the add goes on in the room
 * that is left; the next try waits for 1/16 more routes. */
static void fib6_make_room(struct fib6 *f, uint32_t table, unsigned plen)
{
	uint32_t n = cells_live(&f->nodes), r = cells_live(&f->recs);
	uint32_t ns = f->mem.nslots, nn = f->mem.nnodes, nr = f->mem.nrecs;

	if (!f->mem.resize || f->nroutes < f->room_retry)
		return;
	if (plen && !f->slot_of[table] && ns < XRT_FIB6_TABLE_SLOTS) {
		uint32_t used = 0;
		for (uint32_t s = 1; s < ns; s++)
			used += f->slot_table[s] != 0;
		if (used + 1 >= ns) {
			ns = tables_routed(f) + 2 + FIB6_SLOTS_SPARE; /* slot 0, the new table */
			if (ns > XRT_FIB6_TABLE_SLOTS)
				ns = XRT_FIB6_TABLE_SLOTS;
		}
	}
	bool grow_n = n + (nn >> FIB6_ROOM_SHIFT) >= nn, grow_r = r + (nr >> FIB6_ROOM_SHIFT) >= nr;
	/* A move rebuilds everything: the other kind, if over half full,
	 * grows with it rather than on its own soon after. */
	if (grow_n || grow_r || ns != f->mem.nslots) {
		grow_n |= 2 * n >= nn;
		grow_r |= 2 * r >= nr;
	}
	if (grow_n)
		nn = size_for(n, 0, f->floor_nodes, nn, true);
	if (grow_r)
		nr = size_for(r, 0, f->floor_recs, nr, true);
	if ((ns != f->mem.nslots || nn != f->mem.nnodes || nr != f->mem.nrecs) &&
	    fib6_resize(f, ns, nn, nr, NULL))
		f->room_retry = f->nroutes + (f->nroutes >> 4) + 1;
}

/* After a change failed for want of cells: grow the kind that ran out to
 * at least twice its size. 0: grown, 1: nothing to grow (the change's
 * error stands), or the resize's -errno with err set. */
static int fib6_grow_exhausted(struct fib6 *f, char *err)
{
	uint32_t nn = f->mem.nnodes, nr = f->mem.nrecs;

	if (!f->mem.resize || !(f->nodes.exhausted || f->recs.exhausted))
		return 1;
	if (f->nodes.exhausted)
		nn = size_for(cells_live(&f->nodes), nn, f->floor_nodes, nn, true);
	if (f->recs.exhausted)
		nr = size_for(cells_live(&f->recs), nr, f->floor_recs, nr, true);
	f->nodes.exhausted = f->recs.exhausted = false;
	if (nn == f->mem.nnodes && nr == f->mem.nrecs)
		return 1;
	return fib6_resize(f, f->mem.nslots, nn, nr, err);
}

/* After a removal: give memory back once less than 1/8 of a kind of cell
 * is in use, or more than FIB6_SLOTS_SLACK DP regions are unused. */
static void fib6_shrink(struct fib6 *f)
{
	uint32_t n = cells_live(&f->nodes), r = cells_live(&f->recs);
	uint32_t ns = f->mem.nslots, nn = f->mem.nnodes, nr = f->mem.nrecs;
	uint32_t want = tables_routed(f) + 1 + FIB6_SLOTS_SPARE;

	if (!f->mem.resize)
		return;
	if (ns > want + FIB6_SLOTS_SLACK)
		ns = want < XRT_FIB6_SLOTS_MIN ? XRT_FIB6_SLOTS_MIN : want;
	if (n < nn >> FIB6_ROOM_SHIFT)
		nn = size_for(n, 0, f->floor_nodes, nn, false);
	if (r < nr >> FIB6_ROOM_SHIFT)
		nr = size_for(r, 0, f->floor_recs, nr, false);
	if (ns < f->mem.nslots || nn < f->mem.nnodes || nr < f->mem.nrecs)
		fib6_resize(f, ns < f->mem.nslots ? ns : f->mem.nslots,
			    nn < f->mem.nnodes ? nn : f->mem.nnodes,
			    nr < f->mem.nrecs ? nr : f->mem.nrecs, NULL);
}

/* trie_add_once with room made first and the maps grown when its cells
 * ran out (fib6_resize). */
static int trie_add(struct fib6 *f, uint32_t table, const uint8_t addr[16], unsigned plen,
		    uint32_t leaf, char *err)
{
	int rc;

	if (table < XRT_FIB_TRIES && plen <= 128)
		fib6_make_room(f, table, plen);
	f->nodes.exhausted = f->recs.exhausted = false;
	while ((rc = trie_add_once(f, table, addr, plen, leaf, err)) == -ENOSPC) {
		int grown = fib6_grow_exhausted(f, err);
		if (grown)
			return grown < 0 ? grown : rc;
	}
	return rc;
}

/* trie_del_once, then the maps shrunk once little of them is in use. */
static int trie_del(struct fib6 *f, uint32_t table, const uint8_t addr[16], unsigned plen,
		    char *err)
{
	int rc;

	f->nodes.exhausted = f->recs.exhausted = false;
	while ((rc = trie_del_once(f, table, addr, plen, err)) == -ENOSPC) {
		int grown = fib6_grow_exhausted(f, err);
		if (grown)
			return grown < 0 ? grown : rc;
	}
	if (!rc)
		fib6_shrink(f);
	return rc;
}

/* ---- source-specific routes (fib6_add with CONFIG_IPV6_SUBTREES) ---- */

static bool pfx_equal(const struct pfx *a, const struct pfx *b)
{
	return a->len == b->len && a->hi == b->hi && a->lo == b->lo;
}

static void pfx_bytes(const struct pfx *p, uint8_t out[16])
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(p->hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(p->lo >> (56 - 8 * i));
	}
}

static uint32_t sub_id(const struct fib6 *f, const struct fib6_sub *s)
{
	return (uint32_t)(s - f->sub);
}

static struct fib6_sub *sub_find(struct fib6 *f, uint32_t table, const struct pfx *dst)
{
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++)
		if (f->sub[i].used && f->sub[i].table == table && pfx_equal(&f->sub[i].dst, dst))
			return &f->sub[i];
	return NULL;
}

static struct fib6_pass *pass_find(struct fib6 *f, uint32_t table, const struct pfx *dst)
{
	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS; i++)
		if (f->pass[i].used && f->pass[i].table == table &&
		    pfx_equal(&f->pass[i].dst, dst))
			return &f->pass[i];
	return NULL;
}

/* fib6_node_lookup_1 in a subtree: the longest source route containing x. */
static const struct fib6_srt *sub_match(const struct fib6_sub *s, const struct pfx *x)
{
	const struct fib6_srt *best = NULL;

	for (uint32_t i = 0; i < s->nrt; i++)
		if (pfx_contains(&s->rt[i].src, x) && (!best || s->rt[i].src.len > best->src.len))
			best = &s->rt[i];
	return best;
}

/*
 * The kernel's answer for the destinations of s and the sources in x:
 * s's subtree, then each shorter destination fib6_node_lookup_1 backtracks
 * to, a subtree searched the same way or a plain route that answers; at
 * ::/0 the root's own route (fib6_node_lookup). The sources of x share one
 * answer when x is no shorter than every source prefix that overlaps it.
 */
static uint32_t sub_answer(struct fib6 *f, const struct fib6_sub *s, const struct pfx *x)
{
	for (int len = (int)s->dst.len; len >= 0; len--) {
		struct pfx a = pfx_trunc(s->dst, (unsigned)len);
		const struct fib6_sub *as = sub_find(f, s->table, &a);
		uint8_t b[16];
		uint32_t leaf;

		if (as && pass_find(f, s->table, &a))
			return xrt_fib6_leaf(XRT_FIB6_LEAF_KERNEL, 0);
		if (as) {
			const struct fib6_srt *m = sub_match(as, x);
			if (m)
				return m->leaf;
			if (len == 0)
				return as->plain;
			continue;
		}
		pfx_bytes(&a, b);
		if ((leaf = trie_get(f, s->table, b, (unsigned)len)))
			return leaf;
	}
	return 0;
}

static void shadow_collect(const struct pnode *n, struct fib6_srt *out, uint32_t *k)
{
	if (!n)
		return;
	if (n->route)
		out[(*k)++] = (struct fib6_srt){ n->p, n->leaf };
	shadow_collect(n->child[0], out, k);
	shadow_collect(n->child[1], out, k);
}

/* Is p among v[0..n)? */
static bool srt_has(const struct fib6_srt *v, uint32_t n, const struct pfx *p)
{
	for (uint32_t i = 0; i < n; i++)
		if (pfx_equal(&v[i].src, p))
			return true;
	return false;
}

/*
 * Make trie XRT_FIB6_SUB_TBL(s) the flattened subtree of s: for every
 * source prefix of s and of the subtrees it backtracks through (and ::/0),
 * the kernel's answer for the sources the prefix holds and no longer one
 * does. The walk's longest match then gives the kernel's answer for every
 * source. Entries are written before stale ones go.
 */
static int sub_build(struct fib6 *f, struct fib6_sub *s, char *err)
{
	uint32_t trie = XRT_FIB6_SUB_TBL(sub_id(f, s)), n = 1, k = 0, j = 0, nold = 0;
	struct fib6_srt *flat, *old;
	uint8_t b[16];
	int rc = 0;

	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++)
		if (f->sub[i].used && f->sub[i].table == s->table &&
		    pfx_contains(&f->sub[i].dst, &s->dst))
			n += f->sub[i].nrt;
	if (!(flat = calloc(n, sizeof(*flat))))
		return xrt_fail(err, -ENOMEM, "from: out of memory");
	if (s->used) /* a subtree being taken out keeps no entry */
		flat[k++].src = (struct pfx){ 0, 0, 0 };
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES && s->used; i++) {
		const struct fib6_sub *a = &f->sub[i];
		if (!a->used || a->table != s->table || !pfx_contains(&a->dst, &s->dst))
			continue;
		for (uint32_t r = 0; r < a->nrt; r++)
			if (!srt_has(flat, k, &a->rt[r].src))
				flat[k++].src = a->rt[r].src;
	}
	for (uint32_t i = 0; i < k; i++)
		if ((flat[i].leaf = sub_answer(f, s, &flat[i].src)))
			flat[j++] = flat[i];
	for (uint32_t i = 0; i < j && !rc; i++) {
		pfx_bytes(&flat[i].src, b);
		if (trie_get(f, trie, b, flat[i].src.len) != flat[i].leaf)
			rc = trie_add(f, trie, b, flat[i].src.len, flat[i].leaf, err);
	}
	if (!(old = calloc(f->routes[trie] + 1, sizeof(*old)))) {
		free(flat);
		return xrt_fail(err, -ENOMEM, "from: out of memory");
	}
	shadow_collect(f->root[trie], old, &nold);
	if (f->dflt[trie])
		old[nold++] = (struct fib6_srt){ { 0, 0, 0 }, f->dflt[trie] };
	for (uint32_t i = 0; i < nold && !rc; i++)
		if (!srt_has(flat, j, &old[i].src)) {
			pfx_bytes(&old[i].src, b);
			rc = trie_del(f, trie, b, old[i].src.len, err);
		}
	free(flat);
	free(old);
	return rc;
}

/* Every subtree of table whose destination lies in p (their backtracking
 * passes p), but skip, is rebuilt. */
static int sub_rebuild_under(struct fib6 *f, uint32_t table, const struct pfx *p,
			     const struct fib6_sub *skip, char *err)
{
	int rc;

	if (table >= XRT_MAX_TABLES)
		return 0;
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++) {
		struct fib6_sub *a = &f->sub[i];
		if (a->used && a != skip && a->table == table && pfx_contains(p, &a->dst) &&
		    (rc = sub_build(f, a, err)))
			return rc;
	}
	return 0;
}

static int check_leaf(uint32_t leaf, char *err)
{
	if (!leaf || (leaf & (XRT_FIB6_E_NODE | XRT_FIB6_E_REC)) ||
	    xrt_fib6_leaf_type(leaf) == XRT_FIB6_LEAF_SUBTREE ||
	    xrt_fib6_leaf_type(leaf) == XRT_FIB6_LEAF_KERNEL)
		return xrt_fail(err, -EINVAL, "route: not a leaf");
	return 0;
}

int fib6_add(struct fib6 *f, uint32_t table, const uint8_t addr[16], unsigned plen,
	     uint32_t leaf, char *err)
{
	struct pfx p = pfx_make(addr, plen);
	struct fib6_pass *pp;
	struct fib6_sub *s;
	int rc;

	if (table >= XRT_FIB6_SUB_TBL(0))
		return xrt_fail(err, -EINVAL, "table: out of range");
	if ((rc = check_args(table, plen, err)) || (rc = check_leaf(leaf, err)))
		return rc;
	if ((s = sub_find(f, table, &p)))
		s->plain = leaf; /* hidden behind the subtree, the root's fallback */
	else if ((pp = pass_find(f, table, &p)))
		pp->plain = leaf; /* hidden while the kernel answers */
	else if ((rc = trie_add(f, table, addr, plen, leaf, err)))
		return rc;
	return sub_rebuild_under(f, table, &p, NULL, err);
}

int fib6_del(struct fib6 *f, uint32_t table, const uint8_t addr[16], unsigned plen,
	     char *err)
{
	struct pfx p = pfx_make(addr, plen);
	struct fib6_pass *pp;
	struct fib6_sub *s;
	int rc;

	if (table >= XRT_FIB6_SUB_TBL(0))
		return xrt_fail(err, -EINVAL, "table: out of range");
	if ((rc = check_args(table, plen, err)))
		return rc;
	if ((s = sub_find(f, table, &p))) {
		if (!s->plain)
			return xrt_fail(err, -ENOENT, "route: no such route");
		s->plain = 0;
	} else if ((pp = pass_find(f, table, &p))) {
		if (!pp->plain)
			return xrt_fail(err, -ENOENT, "route: no such route");
		pp->plain = 0;
	} else if ((rc = trie_del(f, table, addr, plen, err))) {
		return rc;
	}
	return sub_rebuild_under(f, table, &p, NULL, err);
}

uint32_t fib6_get(const struct fib6 *f, uint32_t table, const uint8_t addr[16],
		  unsigned plen)
{
	struct pfx p = pfx_make(addr, plen > 128 ? 128 : plen);
	const struct fib6_pass *pp;
	const struct fib6_sub *s;

	if (table >= XRT_FIB6_SUB_TBL(0))
		return 0;
	if ((s = sub_find((struct fib6 *)f, table, &p)))
		return s->plain;
	if ((pp = pass_find((struct fib6 *)f, table, &p)))
		return pp->plain;
	return trie_get(f, table, addr, plen);
}

static int src_check(uint32_t table, unsigned dplen, unsigned splen, char *err)
{
	if (table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "from: source-specific routes are IPv6's");
	if (dplen > 128 || splen > 128)
		return xrt_fail(err, -EINVAL, "prefix length: must be 0..128");
	return 0;
}

/* Take s out: its destination gets its plain route back, readers leave its
 * trie (a grace period), then the trie is emptied for the next user. */
static int sub_remove(struct fib6 *f, struct fib6_sub *s, char *err)
{
	uint8_t b[16];
	int rc;

	struct fib6_pass *pp = pass_find(f, s->table, &s->dst);

	pfx_bytes(&s->dst, b);
	if (pp)
		pp->plain = s->plain;
	/* A subtree whose first route failed never reached its destination. */
	if (trie_get(f, s->table, b, s->dst.len) ==
	    xrt_fib6_leaf(XRT_FIB6_LEAF_SUBTREE, sub_id(f, s))) {
		rc = s->plain ? trie_add(f, s->table, b, s->dst.len, s->plain, err)
			      : trie_del(f, s->table, b, s->dst.len, err);
		if (rc)
			return rc;
	}
	s->used = false;
	synchronize(f);
	s->nrt = 0;
	sub_build(f, s, NULL); /* not used: every entry goes */
	free(s->rt);
	s->rt = NULL;
	return 0;
}

int fib6_src_add(struct fib6 *f, uint32_t table, const uint8_t dst[16], unsigned dplen,
		 const uint8_t src[16], unsigned splen, uint32_t leaf, char *err)
{
	struct pfx d = pfx_make(dst, dplen > 128 ? 128 : dplen), sp;
	struct fib6_sub *s;
	uint32_t i, old = 0;
	bool fresh = false;
	int rc;

	if (!splen)
		return fib6_add(f, table, dst, dplen, leaf, err);
	if ((rc = src_check(table, dplen, splen, err)) || (rc = check_leaf(leaf, err)))
		return rc;
	sp = pfx_make(src, splen);
	if (!(s = sub_find(f, table, &d))) {
		for (i = 0; i < XRT_FIB6_SUBTREES && f->sub[i].used; i++)
			;
		if (i == XRT_FIB6_SUBTREES) {
			f->sub_refused++;
			return xrt_fail(err, -ENOSPC,
					"from: at most %u destinations can have source-specific "
					"routes", XRT_FIB6_SUBTREES);
		}
		s = &f->sub[i];
		*s = (struct fib6_sub){ .used = true, .table = table, .dst = d,
					.plain = fib6_get(f, table, dst, dplen) };
		fresh = true;
	}
	for (i = 0; i < s->nrt && !pfx_equal(&s->rt[i].src, &sp); i++)
		;
	if (i < s->nrt) {
		old = s->rt[i].leaf;
	} else if (s->nrt >= XRT_FIB6_SUBTREE_ROUTES) {
		f->sub_refused++;
		rc = xrt_fail(err, -ENOSPC, "from: at most %u source prefixes per destination",
			      XRT_FIB6_SUBTREE_ROUTES);
		goto undo;
	} else {
		struct fib6_srt *v = realloc(s->rt, sizeof(*v) * (s->nrt + 1));
		if (!v) {
			rc = xrt_fail(err, -ENOMEM, "from: out of memory");
			goto undo;
		}
		s->rt = v;
		s->nrt++;
	}
	s->rt[i] = (struct fib6_srt){ sp, leaf };
	if ((rc = sub_build(f, s, err)))
		goto undo;
	if (fresh && !pass_find(f, table, &d) &&
	    (rc = trie_add(f, table, dst, dplen,
				     xrt_fib6_leaf(XRT_FIB6_LEAF_SUBTREE, sub_id(f, s)), err)))
		goto undo;
	if ((rc = sub_rebuild_under(f, table, &d, s, err)))
		goto undo;
	return 0;
undo:
	if (old)
		s->rt[i].leaf = old;
	else if (i < s->nrt)
		s->rt[i] = s->rt[--s->nrt];
	if (s->nrt)
		sub_build(f, s, NULL);
	else
		sub_remove(f, s, NULL);
	sub_rebuild_under(f, table, &d, s, NULL);
	return rc;
}

int fib6_src_del(struct fib6 *f, uint32_t table, const uint8_t dst[16], unsigned dplen,
		 const uint8_t src[16], unsigned splen, char *err)
{
	struct pfx d = pfx_make(dst, dplen > 128 ? 128 : dplen), sp;
	struct fib6_sub *s;
	struct fib6_srt gone;
	uint32_t i;
	int rc;

	if (!splen)
		return fib6_del(f, table, dst, dplen, err);
	if ((rc = src_check(table, dplen, splen, err)))
		return rc;
	sp = pfx_make(src, splen);
	s = sub_find(f, table, &d);
	for (i = 0; s && i < s->nrt && !pfx_equal(&s->rt[i].src, &sp); i++)
		;
	if (!s || i == s->nrt)
		return xrt_fail(err, -ENOENT, "route: no such route");
	gone = s->rt[i];
	s->rt[i] = s->rt[--s->nrt];
	rc = s->nrt ? sub_build(f, s, err) : sub_remove(f, s, err);
	if (!rc)
		rc = sub_rebuild_under(f, table, &d, NULL, err);
	if (rc && s->used) { /* put it back as it was */
		s->rt[s->nrt++] = gone;
		sub_build(f, s, NULL);
	}
	return rc;
}

/*
 * Hand dst/dplen to the kernel (on) or take it back. While handed over the
 * destination's trie entry is XRT_FIB6_LEAF_KERNEL, its subtree (if any)
 * and plain route kept aside; subtrees that backtrack through it answer
 * the kernel's too (sub_answer).
 */
int fib6_src_pass(struct fib6 *f, uint32_t table, const uint8_t dst[16], unsigned dplen,
		  bool on, char *err)
{
	struct pfx d = pfx_make(dst, dplen > 128 ? 128 : dplen);
	struct fib6_pass *pp;
	struct fib6_sub *s;
	uint32_t leaf;
	unsigned i;
	int rc;

	if ((rc = src_check(table, dplen, 1, err)))
		return rc;
	pp = pass_find(f, table, &d);
	s = sub_find(f, table, &d);
	if (on) {
		if (pp)
			return 0;
		for (i = 0; i < XRT_FIB6_SRC_PASS && f->pass[i].used; i++)
			;
		if (i == XRT_FIB6_SRC_PASS) {
			f->pass_refused++;
			return xrt_fail(err, -ENOSPC,
					"from: at most %u destinations can be handed to the kernel",
					XRT_FIB6_SRC_PASS);
		}
		/* dst's own route, read before the kernel's leaf hides it */
		leaf = s ? 0 : fib6_get(f, table, dst, dplen);
		if ((rc = trie_add(f, table, dst, dplen, xrt_fib6_leaf(XRT_FIB6_LEAF_KERNEL, 0),
				   err)))
			return rc;
		f->pass[i] = (struct fib6_pass){ .used = true, .table = table, .dst = d,
						 .plain = leaf };
	} else {
		if (!pp)
			return 0;
		leaf = s ? xrt_fib6_leaf(XRT_FIB6_LEAF_SUBTREE, sub_id(f, s)) : pp->plain;
		if ((rc = leaf ? trie_add(f, table, dst, dplen, leaf, err)
			       : trie_del(f, table, dst, dplen, err)))
			return rc;
		pp->used = false;
	}
	return sub_rebuild_under(f, table, &d, NULL, err);
}

uint32_t fib6_src_get(const struct fib6 *f, uint32_t table, const uint8_t dst[16],
		      unsigned dplen, const uint8_t src[16], unsigned splen)
{
	struct pfx d = pfx_make(dst, dplen > 128 ? 128 : dplen),
		   sp = pfx_make(src, splen > 128 ? 128 : splen);
	const struct fib6_sub *s;

	if (!splen)
		return fib6_get(f, table, dst, dplen);
	if (table >= XRT_MAX_TABLES || !(s = sub_find((struct fib6 *)f, table, &d)))
		return 0;
	for (uint32_t i = 0; i < s->nrt; i++)
		if (pfx_equal(&s->rt[i].src, &sp))
			return s->rt[i].leaf;
	return 0;
}

uint32_t fib6_lookup_src(const struct fib6_mem *m, uint32_t table, const uint8_t daddr[16],
			 const uint8_t saddr[16])
{
	uint32_t leaf = trie_walk(m, table, pfx_make(daddr, 128));

	if (xrt_fib6_leaf_type(leaf) != XRT_FIB6_LEAF_SUBTREE)
		return leaf;
	if ((leaf & XRT_FIB6_LEAF_NH) >= XRT_FIB6_SUBTREES)
		return 0;
	return trie_walk(m, XRT_FIB6_SUB_TBL(leaf & XRT_FIB6_LEAF_NH), pfx_make(saddr, 128));
}

uint32_t fib6_lookup(const struct fib6_mem *m, uint32_t table, const uint8_t addr[16])
{
	static const uint8_t any[16];

	return fib6_lookup_src(m, table, addr, any);
}

void fib6_set_max_routes(struct fib6 *f, uint64_t max)
{
	f->max_routes = max;
}

/* The floor doubled until need cells leave the 1/8 fib6_make_room keeps. */
static uint32_t reserve_size(uint64_t need, uint32_t floor)
{
	uint64_t n = floor ? floor : 1;

	while (n - (n >> FIB6_ROOM_SHIFT) <= need && n <= XRT_FIB6_E_IDX / 2)
		n *= 2;
	return (uint32_t)n;
}

int fib6_reserve(struct fib6 *f, uint64_t routes, char *err)
{
	uint64_t nodes = routes * FIB6_RESERVE_NODES_TENTHS / 10,
		 recs = routes * FIB6_RESERVE_RECS_TENTHS / 10;

	f->floor_nodes = reserve_size(cells_live(&f->nodes) + nodes, f->floor_nodes);
	f->floor_recs = reserve_size(cells_live(&f->recs) + recs, f->floor_recs);
	if (f->floor_nodes <= f->mem.nnodes && f->floor_recs <= f->mem.nrecs)
		return 0;
	if (!f->mem.resize)
		return xrt_fail(err, -ENOSPC, "fib: fixed size, cannot reserve %llu routes",
				(unsigned long long)routes);
	return fib6_resize(f, f->mem.nslots,
			   f->floor_nodes > f->mem.nnodes ? f->floor_nodes : f->mem.nnodes,
			   f->floor_recs > f->mem.nrecs ? f->floor_recs : f->mem.nrecs, err);
}

const struct fib6_mem *fib6_mem_of(const struct fib6 *f)
{
	return &f->mem;
}

/* ---- lifetime ---- */

struct fib6 *fib6_new(const struct fib6_mem *mem)
{
	struct fib6 *f = calloc(1, sizeof(*f));

	if (!f || mem->nslots > XRT_FIB6_TABLE_SLOTS || mem->nslots < 2 ||
	    cells_init(&f->nodes, mem->nnodes) || cells_init(&f->recs, mem->nrecs)) {
		fib6_free(f);
		return NULL;
	}
	f->mem = *mem;
	f->max_routes = XRT_MAX_ROUTES;
	f->floor_nodes = mem->nnodes;
	f->floor_recs = mem->nrecs;
	/* Readers first: no table leads anywhere, then nothing is in use. */
	for (uint32_t t = 0; t < XRT_FIB_TRIES; t++)
		__atomic_store_n(&mem->tbl[t].slot, 0, __ATOMIC_RELEASE);
	synchronize(f);
	memset(mem->tbl, 0, sizeof(*mem->tbl) * XRT_FIB_TRIES);
	memset(mem->dp, 0, sizeof(uint32_t) * ((size_t)mem->nslots << XRT_FIB6_DP_BITS));
	return f;
}

void fib6_free(struct fib6 *f)
{
	if (!f)
		return;
	for (int t = 0; t < XRT_FIB_TRIES; t++)
		shadow_free(f->root[t]);
	for (int i = 0; i < XRT_FIB6_SUBTREES; i++)
		free(f->sub[i].rt);
	cells_free(&f->nodes);
	cells_free(&f->recs);
	free(f);
}

void fib6_usage(const struct fib6 *f, struct fib6_usage *u)
{
	memset(u, 0, sizeof(*u));
	u->routes = f->nroutes;
	for (uint32_t s = 1; s < f->mem.nslots; s++)
		u->tables += f->slot_table[s] != 0;
	u->nodes = f->nodes.used;
	u->recs = f->recs.used;
	u->pending = f->nodes.npending + f->recs.npending;
	u->bytes = (uint64_t)u->nodes * sizeof(struct xrt_fib6_node) +
		   (uint64_t)u->recs * sizeof(struct xrt_fib6_rec) +
		   ((uint64_t)u->tables << XRT_FIB6_DP_BITS) * sizeof(uint32_t);
	u->syncs = f->syncs;
	for (int i = 0; i < XRT_FIB6_SUBTREES; i++)
		u->subtrees += f->sub[i].used;
	u->subtrees_refused = f->sub_refused;
	for (int i = 0; i < XRT_FIB6_SRC_PASS; i++)
		u->src_passed += f->pass[i].used;
	u->src_pass_refused = f->pass_refused;
	u->nslots = f->mem.nslots;
	u->nnodes = f->mem.nnodes;
	u->nrecs = f->mem.nrecs;
	u->capacity_bytes = (uint64_t)f->mem.nnodes * sizeof(struct xrt_fib6_node) +
			    (uint64_t)f->mem.nrecs * sizeof(struct xrt_fib6_rec) +
			    ((uint64_t)f->mem.nslots << XRT_FIB6_DP_BITS) * sizeof(uint32_t) +
			    (uint64_t)XRT_FIB_TRIES * sizeof(struct xrt_fib6_tbl);
	u->max_routes = f->max_routes;
	u->grows = f->grows;
	u->shrinks = f->shrinks;
	u->resize_failures = f->resize_failures;
	u->ceiling_hits = f->ceiling_hits;
	snprintf(u->resize_error, sizeof(u->resize_error), "%s", f->resize_error);
}
