/* xrt: unit tests of the FIB's allocation layer (userspace/dataplane/ip6_fib.c, fib6_resize): growing, shrinking, refused memory, the ceiling. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/ip6_fib.h"
#include "rib/rib.h"
#include "xrt/fib6.h"

/* The memory: plain arrays, moved by fake_resize as xrtd's loader moves
 * the maps (new arrays, filled, then the old ones freed). */
static struct fib6_mem held;
static struct fib6 *F;
static int refuse; /* fake_resize answers -ENOMEM */
static unsigned moves;

static void fake_sync(void *ctx)
{
	(void)ctx;
}

static void mem_free(struct fib6_mem *m)
{
	free(m->tbl);
	free(m->dp);
	free(m->node);
	free(m->rec);
}

static int mem_alloc(struct fib6_mem *m)
{
	m->tbl = calloc(XRT_FIB_TRIES, sizeof(struct xrt_fib6_tbl));
	m->dp = calloc((size_t)m->nslots << XRT_FIB6_DP_BITS, sizeof(uint32_t));
	m->node = calloc(m->nnodes, sizeof(struct xrt_fib6_node));
	m->rec = calloc(m->nrecs, sizeof(struct xrt_fib6_rec));
	return m->tbl && m->dp && m->node && m->rec ? 0 : -ENOMEM;
}

static int fake_resize(void *ctx, struct fib6_mem *next,
		       int (*fill)(void *fctx, const struct fib6_mem *next), void *fctx, char *err)
{
	int rc;

	(void)ctx;
	if (refuse)
		return xrt_fail(err, -ENOMEM, "xrt_fib6_rec: map create: Cannot allocate memory");
	if ((rc = mem_alloc(next)) || (rc = fill(fctx, next))) {
		mem_free(next);
		return xrt_fail(err, rc, "fill: %s", strerror(-rc));
	}
	/* Every reader is on next from here. */
	mem_free(&held);
	held = *next;
	moves++;
	return 0;
}

static void setup(void)
{
	held = (struct fib6_mem){ .nslots = 4, .nnodes = 64, .nrecs = 64,
				  .synchronize = fake_sync, .resize = fake_resize };
	cr_assert_eq(mem_alloc(&held), 0);
	refuse = 0;
	moves = 0;
	F = fib6_new(&held);
	cr_assert(F);
}

static void teardown(void)
{
	fib6_free(F);
	mem_free(&held);
}

TestSuite(fib_resize, .init = setup, .fini = teardown);

/* ---- the reference: every prefix, searched linearly ---- */

#define REF_MAX 4096
/* A route as the RIB spells it (rib_prefix_mask clears its host bits). */
static struct ref {
	struct in6_addr pfx;
	unsigned plen;
	uint32_t table, leaf;
} R[REF_MAX];
static unsigned nref;

static uint32_t ref_lookup(uint32_t table, const uint8_t a[16])
{
	int best = -1;

	for (unsigned i = 0; i < nref; i++) {
		struct in6_addr m;
		memcpy(&m, a, 16);
		rib_prefix_mask(&m, R[i].plen);
		if (R[i].table == table && !memcmp(&m, &R[i].pfx, 16) &&
		    (best < 0 || R[i].plen > R[best].plen))
			best = (int)i;
	}
	return best < 0 ? 0 : R[best].leaf;
}

static uint32_t leaf(uint32_t nh)
{
	return xrt_fib6_leaf(XRT_RTN_UNICAST, nh);
}

/* A new random prefix (17..128 bits, half of them inside 2001:db8::/32). */
static void rnd_route(uint32_t table, struct ref *r)
{
	for (;;) {
		for (int i = 0; i < 16; i++)
			r->pfx.s6_addr[i] = (uint8_t)random();
		if (random() % 2)
			memcpy(r->pfx.s6_addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
		r->plen = 17 + (unsigned)(random() % 112);
		rib_prefix_mask(&r->pfx, r->plen);
		r->table = table;
		r->leaf = leaf(1 + (uint32_t)(random() % 100));
		if (!fib6_get(F, table, r->pfx.s6_addr, r->plen))
			return;
	}
}

static void add_rnd(uint32_t table)
{
	char err[XRT_ERR_LEN] = "";

	cr_assert_lt(nref, REF_MAX);
	rnd_route(table, &R[nref]);
	cr_assert_eq(fib6_add(F, table, R[nref].pfx.s6_addr, R[nref].plen, R[nref].leaf, err), 0,
		     "add: %s", err);
	nref++;
}

static void del_last(void)
{
	char err[XRT_ERR_LEN] = "";
	struct ref *r = &R[--nref];

	cr_assert_eq(fib6_del(F, r->table, r->pfx.s6_addr, r->plen, err), 0, "del: %s", err);
}

/* Every route's answer and random addresses near them, through the
 * memory readers walk now. */
static void check_all(uint32_t table)
{
	const struct fib6_mem *m = fib6_mem_of(F);
	uint8_t a[16];

	for (unsigned i = 0; i < nref; i++) {
		if (R[i].table != table)
			continue;
		memcpy(a, R[i].pfx.s6_addr, 16);
		for (unsigned b = R[i].plen; b < 128; b++)
			if (random() % 2)
				a[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		cr_assert_eq(fib6_lookup(m, table, a), ref_lookup(table, a), "route %u of %u", i,
			     nref);
		cr_assert_eq(fib6_get(F, table, R[i].pfx.s6_addr, R[i].plen), R[i].leaf);
	}
}

static struct fib6_usage usage(void)
{
	struct fib6_usage u;
	fib6_usage(F, &u);
	return u;
}

Test(fib_resize, grows_and_shrinks_keeping_every_answer)
{
	uint8_t any[16] = { 0 };
	char err[XRT_ERR_LEN] = "";

	srandom(11);
	nref = 0;
	/* A default route lives beside the trie: it must survive the moves. */
	cr_assert_eq(fib6_add(F, 254, any, 0, leaf(200), err), 0, "%s", err);
	R[nref++] = (struct ref){ .table = 254, .plen = 0, .leaf = leaf(200) };
	for (int i = 0; i < 3000; i++) {
		add_rnd(254);
		if (i % 500 == 499)
			check_all(254);
	}
	struct fib6_usage u = usage();
	cr_assert_geq(u.grows, 2, "grows: %u", u.grows);
	cr_assert_gt(u.nrecs, 64);
	cr_assert_gt(u.nnodes, 64);
	cr_assert_eq(u.shrinks, 0);
	cr_assert_eq(u.routes, 3001);
	/* At most 1/8 free after a grow is never reached: at most 7/8 used. */
	cr_assert_leq((uint64_t)u.recs * 8, (uint64_t)u.nrecs * 7);
	check_all(254);
	while (nref > 11) {
		del_last();
		if (nref % 500 == 0)
			check_all(254);
	}
	struct fib6_usage v = usage();
	cr_assert_geq(v.shrinks, 2, "shrinks: %u", v.shrinks);
	cr_assert_eq(v.grows, u.grows, "a removal grew the maps");
	cr_assert_eq(v.nnodes, 64, "nodes back to the start: %u", v.nnodes);
	cr_assert_eq(v.nrecs, 64, "records back to the start: %u", v.nrecs);
	cr_assert_eq(v.resize_failures, 0);
	check_all(254);
	cr_assert_eq(fib6_mem_of(F)->tbl[254].dflt, leaf(200));
}

/* Tables beyond the DP regions at hand move the trie to more of them. */
Test(fib_resize, more_tables_more_regions)
{
	srandom(12);
	nref = 0;
	for (uint32_t t = 1; t <= 8; t++)
		for (int i = 0; i < 20; i++)
			add_rnd(t);
	struct fib6_usage u = usage();
	cr_assert_eq(u.tables, 8);
	cr_assert_geq(u.nslots, 9);
	for (uint32_t t = 1; t <= 8; t++)
		check_all(t);
	while (nref > 20)
		del_last();
	u = usage();
	cr_assert_geq(u.shrinks, 1);
	cr_assert_leq(u.nslots, 8, "regions given back: %u", u.nslots);
	check_all(1);
}

/* Memory refused: the add fails with the reason, nothing changed, the
 * failure is counted; once memory is there again, the add goes through. */
Test(fib_resize, refused_memory_changes_nothing)
{
	char err[XRT_ERR_LEN] = "";
	struct ref r;
	int rc = 0;

	srandom(13);
	nref = 0;
	refuse = 1;
	while (nref < 1000) {
		rnd_route(254, &r);
		rc = fib6_add(F, 254, r.pfx.s6_addr, r.plen, r.leaf, err);
		if (rc)
			break;
		R[nref++] = r;
	}
	cr_assert_eq(rc, -ENOMEM, "rc %d after %u routes: %s", rc, nref, err);
	cr_assert(strstr(err, "Cannot allocate memory"), "%s", err);
	cr_assert_eq(fib6_get(F, 254, r.pfx.s6_addr, r.plen), 0, "the refused route is there");
	struct fib6_usage u = usage();
	cr_assert_eq(u.routes, nref);
	cr_assert_geq(u.resize_failures, 1);
	cr_assert(strstr(u.resize_error, "Cannot allocate memory"), "%s", u.resize_error);
	cr_assert_eq(u.nrecs, 64);
	check_all(254);
	refuse = 0;
	cr_assert_eq(fib6_add(F, 254, r.pfx.s6_addr, r.plen, r.leaf, err), 0, "%s", err);
	R[nref++] = r;
	check_all(254);
	cr_assert_gt(usage().nrecs, 64);
}

Test(fib_resize, ceiling_is_a_setting)
{
	char err[XRT_ERR_LEN] = "";
	struct ref r;

	srandom(14);
	nref = 0;
	fib6_set_max_routes(F, 5);
	for (int i = 0; i < 5; i++)
		add_rnd(254);
	rnd_route(254, &r);
	cr_assert_eq(fib6_add(F, 254, r.pfx.s6_addr, r.plen, r.leaf, err), -ENOSPC);
	cr_assert(strstr(err, "--max-routes"), "%s", err);
	cr_assert_eq(usage().ceiling_hits, 1);
	/* Replacing a route is not a new one. */
	cr_assert_eq(fib6_add(F, 254, R[0].pfx.s6_addr, R[0].plen, leaf(7), err), 0, "%s", err);
	R[0].leaf = leaf(7);
	check_all(254);
	cr_assert_eq(usage().max_routes, 5);
}

/* Adding and removing one route at a size boundary does not move the
 * trie back and forth. */
Test(fib_resize, no_thrash_at_a_boundary)
{
	srandom(15);
	nref = 0;
	unsigned before;
	do {
		before = moves;
		add_rnd(254);
	} while (moves == before);
	for (int i = 0; i < 200; i++) {
		del_last();
		add_rnd(254);
	}
	cr_assert_eq(moves, before + 1, "moves: %u", moves - before);
	check_all(254);
}

/* fib6_reserve grows at once and keeps the size while routes come and go. */
Test(fib_resize, reserve_holds_the_size)
{
	char err[XRT_ERR_LEN] = "";

	srandom(16);
	nref = 0;
	cr_assert_eq(fib6_reserve(F, 2000, err), 0, "%s", err);
	unsigned m0 = moves;
	struct fib6_usage u = usage();
	cr_assert_geq(u.nrecs, 2000);
	for (int i = 0; i < 1000; i++)
		add_rnd(254);
	while (nref)
		del_last();
	cr_assert_eq(moves, m0, "moved within the reserve");
	cr_assert_eq(usage().nrecs, u.nrecs);
}
