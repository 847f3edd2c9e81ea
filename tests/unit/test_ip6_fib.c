/* xrt: unit tests of the FIB trie (userspace/dataplane/ip6_fib.c) against a brute-force longest match, and of its source-specific routes against the kernel's fib6_node_lookup. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/ip6_fib.h"
#include "dataplane/fib_trie.h"
#include "xrt/fib6.h"

static struct fib6_mem M;
static struct fib6 *F;
static unsigned syncs;

static void fake_sync(void *ctx)
{
	(void)ctx;
	syncs++;
}

static void mem_init(uint32_t nslots, uint32_t nnodes, uint32_t nrecs)
{
	M = (struct fib6_mem){
		.tbl = calloc(XRT_FIB_TRIES, sizeof(struct xrt_fib6_tbl)),
		.dp = calloc((size_t)nslots << XRT_FIB6_DP_BITS, sizeof(uint32_t)),
		.node = calloc(nnodes, sizeof(struct xrt_fib6_node)),
		.rec = calloc(nrecs, sizeof(struct xrt_fib6_rec)),
		.nslots = nslots, .nnodes = nnodes, .nrecs = nrecs,
		.synchronize = fake_sync,
	};
	cr_assert(M.tbl && M.dp && M.node && M.rec);
	syncs = 0;
	F = fib6_new(&M);
	cr_assert(F);
}

static void setup(void)
{
	mem_init(4, 1 << 16, 1 << 17);
}

static void teardown(void)
{
	fib6_free(F);
	free(M.tbl);
	free(M.dp);
	free(M.node);
	free(M.rec);
}

TestSuite(ip6_fib, .init = setup, .fini = teardown);

/* ---- the reference: every prefix, searched linearly ---- */

#define REF_MAX 8192
static struct ref {
	uint32_t table;
	uint8_t addr[16];
	unsigned plen;
	uint32_t leaf;
} R[REF_MAX];
static unsigned nref;

static void mask(uint8_t a[16], unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		a[i] = bits >= 8 ? a[i] : a[i] & (uint8_t)(0xff00 >> bits);
	}
}

static bool ref_covers(const struct ref *r, uint32_t table, const uint8_t a[16])
{
	uint8_t m[16];

	memcpy(m, a, 16);
	mask(m, r->plen);
	return r->table == table && !memcmp(m, r->addr, 16);
}

static uint32_t ref_lookup(uint32_t table, const uint8_t a[16])
{
	int best = -1;

	for (unsigned i = 0; i < nref; i++)
		if (ref_covers(&R[i], table, a) && (best < 0 || R[i].plen > R[best].plen))
			best = (int)i;
	return best < 0 ? 0 : R[best].leaf;
}

static int ref_find(uint32_t table, const uint8_t a[16], unsigned plen)
{
	for (unsigned i = 0; i < nref; i++)
		if (R[i].table == table && R[i].plen == plen && !memcmp(R[i].addr, a, 16))
			return (int)i;
	return -1;
}

static void add(uint32_t table, const uint8_t a[16], unsigned plen, uint32_t leaf)
{
	char err[256] = "";
	uint8_t m[16];
	int i;

	memcpy(m, a, 16);
	mask(m, plen);
	cr_assert_eq(fib6_add(F, table, a, plen, leaf, err), 0, "add /%u: %s", plen, err);
	if ((i = ref_find(table, m, plen)) >= 0) {
		R[i].leaf = leaf;
		return;
	}
	cr_assert_lt(nref, REF_MAX);
	R[nref++] = (struct ref){ .table = table, .plen = plen, .leaf = leaf };
	memcpy(R[nref - 1].addr, m, 16);
}

static void del_ref(unsigned i)
{
	char err[256] = "";

	cr_assert_eq(fib6_del(F, R[i].table, R[i].addr, R[i].plen, err), 0, "del: %s", err);
	R[i] = R[--nref];
}

static void addr6(const char *s, uint8_t a[16])
{
	cr_assert_eq(inet_pton(AF_INET6, s, a), 1, "%s", s);
}

static uint32_t leaf(uint32_t nh)
{
	return xrt_fib6_leaf(XRT_RTN_UNICAST, nh);
}

static void add_s(const char *s, unsigned plen, uint32_t l)
{
	uint8_t a[16];

	addr6(s, a);
	add(254, a, plen, l);
}

static uint32_t look_s(const char *s)
{
	uint8_t a[16];

	addr6(s, a);
	return fib6_lookup(&M, 254, a);
}

static uint64_t rnd64(void)
{
	return (uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^ (uint64_t)random();
}

static void rnd_addr(uint8_t a[16])
{
	uint64_t w[2] = { rnd64(), rnd64() };
	memcpy(a, w, 16);
}

/* An address near the reference's prefixes (inside one, a few bits changed
 * after its end) or anywhere. */
static void probe_addr(uint8_t a[16])
{
	rnd_addr(a);
	if (nref && random() % 8) {
		const struct ref *r = &R[random() % nref];
		uint8_t tail[16];

		memcpy(tail, a, 16);
		memcpy(a, r->addr, 16);
		for (unsigned b = r->plen; b < 128; b++)
			if (tail[b / 8] & (0x80 >> (b % 8)))
				a[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		if (random() % 4 == 0) { /* flip one bit near the end */
			unsigned b = r->plen ? r->plen - 1 - (unsigned)(random() % 4 % r->plen) : 0;
			a[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		}
	}
}

static void check_all(unsigned probes, uint32_t table)
{
	uint8_t a[16];

	for (unsigned i = 0; i < probes; i++) {
		probe_addr(a);
		uint32_t want = ref_lookup(table, a), got = fib6_lookup(&M, table, a);
		if (want != got) {
			char s[64];
			inet_ntop(AF_INET6, a, s, sizeof(s));
			cr_assert_fail("lookup %s: trie %#x, longest match %#x", s, got, want);
		}
	}
	/* The exact routes, too. */
	for (unsigned i = 0; i < nref; i++)
		cr_assert_eq(fib6_get(F, R[i].table, R[i].addr, R[i].plen), R[i].leaf);
}

/* Random prefixes with the length mix that stresses the trie: every length
 * 0..128, with more of the DP boundary, the 64-bit word boundary and the
 * last nibble. */
static unsigned rnd_plen(void)
{
	static const unsigned hot[] = { 0, 8, 15, 16, 17, 19, 20, 21, 32, 47, 48, 60, 61,
					62, 63, 64, 65, 66, 123, 124, 125, 126, 127, 128 };
	return random() % 2 ? hot[random() % (sizeof(hot) / sizeof(hot[0]))] :
			      (unsigned)(random() % 129);
}

/* Clustered: many prefixes share their first bits, as real tables do. */
static void rnd_prefix(uint8_t a[16])
{
	rnd_addr(a);
	if (random() % 2) {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = (uint8_t)(0xb8 + random() % 2);
	}
}

Test(ip6_fib, empty_table_has_no_route)
{
	cr_assert_eq(look_s("2001:db8::1"), 0);
	cr_assert_eq(look_s("::"), 0);
	struct fib6_usage u;
	fib6_usage(F, &u);
	cr_assert_eq(u.routes, 0);
	cr_assert_eq(u.nodes + u.recs + u.tables, 0);
}

Test(ip6_fib, longest_match_wins_at_every_depth)
{
	add_s("::", 0, leaf(1));
	add_s("2001:db8::", 32, leaf(2));
	add_s("2001:db8:1::", 48, leaf(3));
	add_s("2001:db8:1:2::", 64, leaf(4));
	add_s("2001:db8:1:2::9", 128, leaf(5));
	add_s("2001:db8:1:2::8", 127, xrt_fib6_leaf(XRT_RTN_BLACKHOLE, 0));
	cr_assert_eq(look_s("3fff::1"), leaf(1));
	cr_assert_eq(look_s("2001:db8:ffff::1"), leaf(2));
	cr_assert_eq(look_s("2001:db8:1:ffff::1"), leaf(3));
	cr_assert_eq(look_s("2001:db8:1:2::1"), leaf(4));
	cr_assert_eq(look_s("2001:db8:1:2::9"), leaf(5));
	cr_assert_eq(look_s("2001:db8:1:2::8"), xrt_fib6_leaf(XRT_RTN_BLACKHOLE, 0));
	cr_assert_eq(look_s("2001:db8:1:2::a"), leaf(4));
	/* Group next hops survive the leaf encoding. */
	add_s("2001:db8:7::", 48, leaf(XRT_NH_GROUP | 4095));
	cr_assert_eq(xrt_fib6_leaf_nh(look_s("2001:db8:7::1")), XRT_NH_GROUP | 4095);
	cr_assert_eq(xrt_fib6_leaf_type(look_s("2001:db8:7::1")), XRT_RTN_UNICAST);
	cr_assert_eq(xrt_fib6_leaf_nh(look_s("2001:db8:1::1")), 3);
}

Test(ip6_fib, replace_and_delete_restore_the_covering_route)
{
	add_s("2001:db8::", 32, leaf(1));
	add_s("2001:db8:5::", 48, leaf(2));
	cr_assert_eq(look_s("2001:db8:5::1"), leaf(2));
	add_s("2001:db8:5::", 48, leaf(3));
	cr_assert_eq(look_s("2001:db8:5::1"), leaf(3));
	uint8_t a[16];
	char err[256];
	addr6("2001:db8:5::", a);
	cr_assert_eq(fib6_del(F, 254, a, 48, err), 0);
	cr_assert_eq(look_s("2001:db8:5::1"), leaf(1));
	cr_assert_eq(fib6_del(F, 254, a, 48, err), -ENOENT);
	cr_assert_str_eq(err, "route: no such route");
	/* Host bits are ignored: the same prefix. */
	addr6("2001:db8:ffff::1", a);
	cr_assert_eq(fib6_del(F, 254, a, 32, err), 0, "%s", err);
	cr_assert_eq(look_s("2001:db8:5::1"), 0);
}

Test(ip6_fib, random_tables_match_the_longest_match)
{
	uint8_t a[16];

	srandom(42);
	nref = 0;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1500; i++) {
			rnd_prefix(a);
			add(254, a, rnd_plen(), leaf(1 + (uint32_t)(random() % 60000)));
		}
		check_all(20000, 254);
		for (int i = 0; i < 700 && nref; i++)
			del_ref((unsigned)(random() % nref));
		check_all(20000, 254);
	}
}

/* The trie is a function of the route set: after any history of changes it
 * uses exactly the cells a fresh build of the same routes uses, so churn
 * leaves no garbage, and an emptied table uses none. */
Test(ip6_fib, churn_leaves_no_garbage)
{
	uint8_t a[16];
	struct fib6_usage u, fresh;

	srandom(7);
	nref = 0;
	for (int i = 0; i < 3000; i++) {
		if (nref && random() % 3 == 0) {
			del_ref((unsigned)(random() % nref));
			continue;
		}
		rnd_prefix(a);
		add(254, a, rnd_plen(), leaf(1 + (uint32_t)(random() % 100)));
	}
	check_all(5000, 254);
	fib6_usage(F, &u);

	struct ref saved[REF_MAX];
	unsigned n = nref;
	memcpy(saved, R, sizeof(R[0]) * n);
	teardown();
	setup();
	nref = 0;
	for (unsigned i = 0; i < n; i++)
		add(saved[i].table, saved[i].addr, saved[i].plen, saved[i].leaf);
	fib6_usage(F, &fresh);
	cr_assert_eq(u.nodes, fresh.nodes, "nodes after churn %u, fresh %u", u.nodes, fresh.nodes);
	cr_assert_eq(u.recs, fresh.recs, "records after churn %u, fresh %u", u.recs, fresh.recs);
	cr_assert_eq(u.routes, n);

	while (nref)
		del_ref(nref - 1);
	fib6_usage(F, &u);
	cr_assert_eq(u.nodes + u.recs, 0, "%u nodes, %u records left", u.nodes, u.recs);
	for (size_t i = 0; i < (size_t)M.nslots << XRT_FIB6_DP_BITS; i++)
		cr_assert_eq(M.dp[i], 0, "dp[%zu] = %#x with no routes", i, M.dp[i]);
	cr_assert_eq(M.tbl[254].routes, 0);
}

Test(ip6_fib, tables_are_separate_and_bounded)
{
	uint8_t a[16];
	char err[256];

	addr6("2001:db8::", a);
	add(254, a, 32, leaf(1));
	add(7, a, 32, leaf(2));
	add(8, a, 48, leaf(3));
	cr_assert_eq(fib6_lookup(&M, 254, a), leaf(1));
	cr_assert_eq(fib6_lookup(&M, 7, a), leaf(2));
	cr_assert_eq(fib6_lookup(&M, 8, a), leaf(3));
	cr_assert_eq(fib6_lookup(&M, 9, a), 0);
	cr_assert_eq(M.tbl[7].routes, 1);
	/* 4 DP regions = 3 tables at once. */
	cr_assert_eq(fib6_add(F, 9, a, 32, leaf(4), err), -ENOSPC);
	cr_assert_str_eq(err, "table 9: at most 3 routing tables (IPv6 and IPv4 counted "
				 "apart) can hold routes at once");
	cr_assert_eq(fib6_lookup(&M, 9, a), 0);
	/* An emptied table's region is reused, after a grace period. */
	cr_assert_eq(fib6_del(F, 7, a, 32, err), 0);
	unsigned s0 = syncs;
	cr_assert_eq(fib6_add(F, 9, a, 32, leaf(4), err), 0, "%s", err);
	cr_assert_gt(syncs, s0);
	cr_assert_eq(fib6_lookup(&M, 9, a), leaf(4));
	cr_assert_eq(fib6_lookup(&M, 7, a), 0);
	cr_assert_eq(fib6_lookup(&M, 254, a), leaf(1));
	cr_assert_eq(fib6_add(F, XRT_FIB_TRIES, a, 32, leaf(4), err), -EINVAL);
	cr_assert_eq(fib6_add(F, 254, a, 129, leaf(4), err), -EINVAL);
	cr_assert_eq(fib6_add(F, 254, a, 32, XRT_FIB6_E_NODE | 1, err), -EINVAL);
}

/* A full trie refuses the change and leaves every answer as it was; cells
 * replaced by changes are reused only after a grace period. */
Test(ip6_fib, full_trie_refuses_and_changes_nothing)
{
	uint8_t a[16], b[16];
	char err[256];
	int i, rc = 0;

	teardown();
	mem_init(2, 8, 8);
	nref = 0;
	/* A fixed seed: the prefixes, and so the route refused, are the same
	 * on every run. */
	const unsigned seed = 3;
	unsigned plen = 0;
	srandom(seed);
	for (i = 0; i < 200; i++) {
		rnd_prefix(a);
		plen = 40 + (unsigned)(random() % 80);
		uint8_t m[16];
		memcpy(m, a, 16);
		mask(m, plen);
		rc = fib6_add(F, 254, a, plen, leaf(9), err);
		if (rc)
			break;
		R[nref] = (struct ref){ .table = 254, .plen = plen, .leaf = leaf(9) };
		memcpy(R[nref++].addr, m, 16);
	}
	cr_assert_eq(rc, -ENOSPC, "seed %u: 200 deep routes fit in 8 nodes and 8 records?", seed);
	cr_assert_str_eq(err, "route: table full (no free trie cells)");
	cr_assert_eq(fib6_get(F, 254, a, plen), 0, "seed %u: the refused /%u was installed", seed, plen);
	cr_assert_eq(fib6_lookup(&M, 254, a), ref_lookup(254, a),
		     "seed %u: the refused /%u answers lookups", seed, plen);
	check_all(3000, 254);
	/* A short prefix covers whole DP entries (and pushes its leaf into the
	 * subtries below them): with this seed it still fits, and every answer
	 * is the longest match with it. */
	memset(b, 0, 16);
	b[0] = 0x20;
	cr_assert_eq(fib6_add(F, 254, b, 4, leaf(8), err), 0, "seed %u: 2000::/4 in a full trie: %s", seed,
		     err);
	R[nref] = (struct ref){ .table = 254, .plen = 4, .leaf = leaf(8) };
	memcpy(R[nref++].addr, b, 16);
	cr_assert_eq(fib6_lookup(&M, 254, b), leaf(8), "seed %u: 2000::/4 answers for 2000::", seed);
	check_all(3000, 254);
	/* Churn in a full trie: replaced cells come back after grace periods. */
	unsigned s0 = syncs;
	for (i = 0; i < 50 && nref; i++) {
		struct ref r = R[random() % nref];
		cr_assert_eq(fib6_del(F, 254, r.addr, r.plen, err), 0, "%s", err);
		cr_assert_eq(fib6_add(F, 254, r.addr, r.plen, leaf(10), err), 0, "%s", err);
		for (unsigned k = 0; k < nref; k++)
			if (R[k].plen == r.plen && !memcmp(R[k].addr, r.addr, 16))
				R[k].leaf = leaf(10);
	}
	cr_assert_gt(syncs, s0);
	check_all(3000, 254);
}

Test(ip6_fib, max_routes_counts_every_table)
{
	struct fib6_usage u;
	uint8_t a[16];

	add_s("2001:db8::", 32, leaf(1));
	add_s("2001:db8::", 32, leaf(2)); /* a replacement is not a new route */
	addr6("2001:db8::", a);
	add(3, a, 32, leaf(1));
	fib6_usage(F, &u);
	cr_assert_eq(u.routes, 2);
	cr_assert_eq(u.tables, 2);
	cr_assert_eq(u.bytes, (uint64_t)u.nodes * 64 + (uint64_t)u.recs * 32 + 2 * 65536 * 4);
}

/* The default route lives in xrt_fib6_tbl, not in the trie: changing it
 * touches no cell, and a table with only a default route needs no DP
 * region. */
Test(ip6_fib, default_route_is_one_word)
{
	struct fib6_usage u0, u1;
	uint8_t a[16];

	srandom(9);
	nref = 0;
	for (int i = 0; i < 2000; i++) {
		rnd_prefix(a);
		add(254, a, 17 + (unsigned)(random() % 112), leaf(1 + (uint32_t)(random() % 50)));
	}
	fib6_usage(F, &u0);
	memset(a, 0, sizeof(a));
	for (uint32_t nh = 100; nh < 103; nh++) {
		add(254, a, 0, leaf(nh));
		cr_assert_eq(M.tbl[254].dflt, leaf(nh));
		check_all(3000, 254);
	}
	fib6_usage(F, &u1);
	cr_assert_eq(u1.nodes, u0.nodes);
	cr_assert_eq(u1.recs, u0.recs);
	cr_assert_eq(u1.pending, u0.pending, "a default route change replaced cells");
	cr_assert_eq(u1.routes, u0.routes + 1);
	char err[256];
	cr_assert_eq(fib6_del(F, 254, a, 0, err), 0, "%s", err);
	for (unsigned i = 0; i < nref; i++)
		if (R[i].plen == 0)
			R[i] = R[--nref];
	check_all(3000, 254);
	/* A table with only a default route. */
	add(9, a, 0, leaf(7));
	cr_assert_eq(M.tbl[9].slot, 0);
	cr_assert_eq(fib6_lookup(&M, 9, (uint8_t[16]){ 0x20, 0x01 }), leaf(7));
	cr_assert_eq(fib6_get(F, 9, a, 0), leaf(7));
}

/* ---- IPv4 (fib_trie.c): a trie of its own per table ---- */

static uint32_t v4(const char *s)
{
	uint32_t a;

	cr_assert_eq(inet_pton(AF_INET, s, &a), 1, "%s", s);
	return a;
}

/* 2000 random IPv4 prefixes /0../32 against a linear longest match. */
Test(ip6_fib, ipv4_longest_match)
{
	static struct { uint32_t addr; unsigned plen; uint32_t leaf; } r4[2000];
	char err[256] = "";
	unsigned n = 0, i, j;

	srandom(44);
	for (i = 0; i < 2000; i++) {
		unsigned plen = (unsigned)(random() % 33);
		uint32_t host = (uint32_t)random(), mask = plen ? ~0u << (32 - plen) : 0;

		r4[n].addr = host & mask;
		r4[n].plen = plen;
		r4[n].leaf = leaf(1 + i);
		for (j = 0; j < n; j++)
			if (r4[j].addr == r4[n].addr && r4[j].plen == plen)
				break;
		cr_assert_eq(fib_table_insert(F, 254, htonl(r4[n].addr), plen, r4[n].leaf, err), 0,
			     "%s", err);
		if (j < n)
			r4[j].leaf = r4[n].leaf;
		else
			n++;
	}
	for (i = 0; i < 20000; i++) {
		uint32_t a = (uint32_t)random(), want = 0;
		int best = -1;

		if (i % 2) /* near a prefix */
			a = r4[random() % n].addr | ((uint32_t)random() & 0xff);
		for (j = 0; j < n; j++) {
			uint32_t mask = r4[j].plen ? ~0u << (32 - r4[j].plen) : 0;

			if ((a & mask) == r4[j].addr && (int)r4[j].plen > best) {
				best = (int)r4[j].plen;
				want = r4[j].leaf;
			}
		}
		cr_assert_eq(fib_table_lookup(&M, 254, htonl(a)), want, "lookup %#x", a);
	}
	for (j = 0; j < n; j++)
		cr_assert_eq(fib_table_get(F, 254, htonl(r4[j].addr), r4[j].plen), r4[j].leaf);
}

/* Neither family's routes answer for the other: an IPv6 ::/0 and ::/64
 * (which covers every mapped address) never match IPv4, an IPv4 default
 * never matches IPv6, and IPv4 tables are bounded like IPv6 ones. */
Test(ip6_fib, ipv4_and_ipv6_apart)
{
	uint8_t a[16];
	char err[256] = "";

	addr6("::", a);
	add(254, a, 0, leaf(1));
	add(254, a, 64, leaf(2));
	cr_assert_eq(fib_table_lookup(&M, 254, v4("10.1.2.3")), 0);
	cr_assert_eq(fib_table_insert(F, 254, v4("0.0.0.0"), 0, leaf(3), err), 0, "%s", err);
	cr_assert_eq(fib_table_insert(F, 254, v4("10.0.0.0"), 8, leaf(4), err), 0, "%s", err);
	cr_assert_eq(fib_table_lookup(&M, 254, v4("10.1.2.3")), leaf(4));
	cr_assert_eq(fib_table_lookup(&M, 254, v4("11.1.2.3")), leaf(3));
	cr_assert_eq(look_s("::ffff:10.1.2.3"), leaf(2));
	cr_assert_eq(look_s("2001:db8::1"), leaf(1));
	/* The IPv4 key 10/8 lies where 0a00::/8 would: no IPv6 route there. */
	cr_assert_eq(look_s("a00::1"), leaf(1));
	cr_assert_eq(fib_table_delete(F, 254, v4("10.0.0.0"), 8, err), 0, "%s", err);
	cr_assert_eq(fib_table_lookup(&M, 254, v4("10.1.2.3")), leaf(3));
	cr_assert_eq(fib_table_delete(F, 254, v4("10.0.0.0"), 8, err), -ENOENT);
	cr_assert_eq(fib_table_insert(F, 254, v4("10.0.0.0"), 33, leaf(4), err), -EINVAL);
	cr_assert_str_eq(err, "prefix length 33: must be 0..32");
	cr_assert_eq(fib_table_insert(F, XRT_MAX_TABLES, v4("10.0.0.0"), 8, leaf(4), err), -EINVAL);
	/* 4 DP regions: IPv6 254 and IPv4 254 hold two; a third table fits,
	 * a fourth does not. */
	cr_assert_eq(fib_table_insert(F, 254, v4("10.0.0.0"), 8, leaf(4), err), 0, "%s", err);
	cr_assert_eq(fib_table_insert(F, 7, v4("10.0.0.0"), 8, leaf(5), err), 0, "%s", err);
	cr_assert_eq(fib_table_insert(F, 8, v4("10.0.0.0"), 8, leaf(6), err), -ENOSPC);
	cr_assert_eq(fib_table_lookup(&M, 7, v4("10.0.0.1")), leaf(5));
	cr_assert_eq(fib_table_lookup(&M, 8, v4("10.0.0.1")), 0);
}

/* ---- source-specific routes (fib6_src_add) against the kernel's
 * fib6_node_lookup written out literally ---- */

/* Slots for main and the 8 subtrees' tries. */
static void setup_src(void)
{
	mem_init(16, 1 << 14, 1 << 15);
}

TestSuite(fib6_subtree, .init = setup_src, .fini = teardown);

/* ---- the reference: the kernel's lookup over a list of routes ---- */

#define SREF_MAX 256
static struct sref {
	uint8_t dst[16], src[16];
	unsigned dplen, splen;
	uint32_t leaf;
} SR[SREF_MAX];
static unsigned NSR;

static bool in_pfx(const uint8_t *a, const uint8_t *p, unsigned plen)
{
	for (unsigned i = 0; i < plen; i++) {
		unsigned bit = 0x80 >> (i & 7);
		if ((a[i / 8] & bit) != (p[i / 8] & bit))
			return false;
	}
	return true;
}

static bool same_pfx(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	return alen == blen && in_pfx(a, b, alen);
}

/*
 * fib6_node_lookup with CONFIG_IPV6_SUBTREES (net/ipv6/ip6_fib.c): the
 * destination nodes holding daddr, longest first; a node with a subtree
 * answers its longest source route holding saddr or is passed over (its
 * plain routes unused) unless it is the root, whose plain route is the
 * last answer; a node without one answers its plain route.
 */
static uint32_t sref_lookup(const uint8_t *d, const uint8_t *s)
{
	for (int len = 128; len >= 0; len--) {
		bool sub = false;
		uint32_t plain = 0, best = 0;
		int blen = -1;
		for (unsigned i = 0; i < NSR; i++) {
			if (SR[i].dplen != (unsigned)len || !in_pfx(d, SR[i].dst, SR[i].dplen))
				continue;
			if (!SR[i].splen) {
				plain = SR[i].leaf;
				continue;
			}
			sub = true;
			if (in_pfx(s, SR[i].src, SR[i].splen) && (int)SR[i].splen > blen) {
				blen = (int)SR[i].splen;
				best = SR[i].leaf;
			}
		}
		if (best)
			return best;
		if (sub && len)
			continue;
		if (plain)
			return plain;
	}
	return 0;
}

static void sref_set(const uint8_t *d, unsigned dl, const uint8_t *s, unsigned sl, uint32_t leaf)
{
	for (unsigned i = 0; i < NSR; i++)
		if (same_pfx(SR[i].dst, SR[i].dplen, d, dl) && same_pfx(SR[i].src, SR[i].splen, s, sl)) {
			SR[i].leaf = leaf;
			return;
		}
	cr_assert_lt(NSR, SREF_MAX);
	SR[NSR] = (struct sref){ .dplen = dl, .splen = sl, .leaf = leaf };
	memcpy(SR[NSR].dst, d, 16);
	memcpy(SR[NSR].src, s, 16);
	NSR++;
}

static void sref_del(const uint8_t *d, unsigned dl, const uint8_t *s, unsigned sl)
{
	for (unsigned i = 0; i < NSR; i++)
		if (same_pfx(SR[i].dst, SR[i].dplen, d, dl) && same_pfx(SR[i].src, SR[i].splen, s, sl)) {
			SR[i] = SR[--NSR];
			return;
		}
}

static void sa6(const char *s, uint8_t out[16])
{
	cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "%s", s);
}

static void sadd(const char *d, unsigned dl, const char *s, unsigned sl, uint32_t nh)
{
	uint8_t da[16], sa[16];
	char err[XRT_ERR_LEN] = "";
	sa6(d, da);
	sa6(s, sa);
	cr_assert_eq(fib6_src_add(F, 254, da, dl, sa, sl, leaf(nh), err), 0, "add %s/%u from %s/%u: %s",
		     d, dl, s, sl, err);
	sref_set(da, dl, sa, sl, leaf(nh));
}

static void sdel(const char *d, unsigned dl, const char *s, unsigned sl)
{
	uint8_t da[16], sa[16];
	char err[XRT_ERR_LEN] = "";
	sa6(d, da);
	sa6(s, sa);
	cr_assert_eq(fib6_src_del(F, 254, da, dl, sa, sl, err), 0, "del %s/%u from %s/%u: %s", d,
		     dl, s, sl, err);
	sref_del(da, dl, sa, sl);
}

static uint32_t sget(const char *d, const char *s)
{
	uint8_t da[16], sa[16];
	sa6(d, da);
	sa6(s, sa);
	uint32_t want = sref_lookup(da, sa), got = fib6_lookup_src(&M, 254, da, sa);
	cr_assert_eq(got, want, "%s from %s: trie %#x, kernel %#x", d, s, got, want);
	return got;
}

/* RFC 8678's multihoming case, the plain more-specific route, and the
 * backtracking past a destination whose only route is a source route. */
Test(fib6_subtree, multihoming_and_backtracking)
{
	sadd("::", 0, "2001:db8:1::", 48, 1);
	sadd("::", 0, "2001:db8:2::", 48, 2);
	sadd("::", 0, "::", 0, 3);
	sadd("2001:db8:300::", 48, "::", 0, 4);
	sadd("2001:db8:100::", 48, "2001:db8:2::", 48, 5);
	sadd("2001:db8:100::", 48, "::", 0, 6); /* hidden by the subtree */
	cr_assert_eq(sget("2001:db8:200::1", "2001:db8:1::2"), leaf(1));
	cr_assert_eq(sget("2001:db8:200::1", "2001:db8:2::2"), leaf(2));
	cr_assert_eq(sget("2001:db8:200::1", "2001:db8:3::2"), leaf(3));
	cr_assert_eq(sget("2001:db8:300::1", "2001:db8:2::2"), leaf(4));
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:2::2"), leaf(5));
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1::2"), leaf(1)); /* backtrack to ::/0 from S1 */
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:3::2"), leaf(3)); /* past the hidden plain route */
	cr_assert_eq(sget("2001:db8:100::1", "::"), leaf(3));
	/* Deleting the only source route restores the plain one. */
	sdel("2001:db8:100::", 48, "2001:db8:2::", 48);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:3::2"), leaf(6));
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:2::2"), leaf(6));
	/* And removing the root's source routes leaves the plain default. */
	sdel("::", 0, "2001:db8:1::", 48);
	sdel("::", 0, "2001:db8:2::", 48);
	cr_assert_eq(sget("2001:db8:200::1", "2001:db8:1::2"), leaf(3));
	struct fib6_usage u;
	fib6_usage(F, &u);
	cr_assert_eq(u.subtrees, 0);
}

/* A source route of a shorter destination changes the backtracking of a
 * longer one's subtree: the flattened subtree follows. */
Test(fib6_subtree, shorter_destination_changes_flatten_again)
{
	sadd("2001:db8:100::", 48, "2001:db8:1::", 64, 1);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1::9"), leaf(1));
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1:1::9"), 0);
	sadd("2001:db8::", 32, "2001:db8:1::", 48, 2);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1:1::9"), leaf(2));
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1::9"), leaf(1)); /* the longer dst first */
	sadd("2001:db8::", 32, "2001:db8:1::", 56, 3); /* longer source, shorter dst */
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1::9"), leaf(1));
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1:1::9"), leaf(3));
	sadd("2001:db8::", 24, "::", 0, 4);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:5::1"), leaf(4));
	sdel("2001:db8::", 32, "2001:db8:1::", 56);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1:1::9"), leaf(2));
	sdel("2001:db8::", 24, "::", 0);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:5::1"), 0);
}

/* Random routes, destinations and sources around a few prefixes: the trie
 * agrees with the kernel's lookup after every change. */
Test(fib6_subtree, random_changes_match_the_kernel)
{
	static const char *D[] = { "::", "2001:db8::", "2001:db8:100::", "2001:db8:100:1::",
				   "2001:db8:200::" };
	static const unsigned DL[] = { 0, 32, 48, 64, 48 };
	static const char *S[] = { "::", "2001:db8:1::", "2001:db8:1:1::", "2001:db8:2::",
				   "2001:db8::" };
	static const unsigned SL[] = { 0, 48, 64, 48, 32 };
	static const char *PD[] = { "2001:db8:100:1::5", "2001:db8:100:2::5", "2001:db8:200::5",
				    "2001:db8:300::5", "2001:db9::5" };
	static const char *PS[] = { "2001:db8:1:1::7", "2001:db8:1:2::7", "2001:db8:2::7",
				    "2001:db8:3::7", "::", "2001:dead::1" };
	srand(42);
	for (int step = 0; step < 400; step++) {
		unsigned d = (unsigned)rand() % 5, s = (unsigned)rand() % 5;
		if (rand() % 3)
			sadd(D[d], DL[d], S[s], SL[s], 1 + (uint32_t)(rand() % 50));
		else {
			uint8_t da[16], sa[16];
			sa6(D[d], da);
			sa6(S[s], sa);
			if (fib6_src_get(F, 254, da, DL[d], sa, SL[s]))
				sdel(D[d], DL[d], S[s], SL[s]);
		}
		for (unsigned i = 0; i < 5; i++)
			for (unsigned j = 0; j < 6; j++)
				sget(PD[i], PS[j]);
	}
}

/* The bound: the next destination with a source route is refused, counted,
 * and nothing changes. */
Test(fib6_subtree, subtree_bound_refuses_and_counts)
{
	char d[64], err[XRT_ERR_LEN] = "";
	uint8_t da[16], sa[16];
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++) {
		snprintf(d, sizeof(d), "2001:db8:%x::", 0x100 + i);
		sadd(d, 48, "2001:db8:1::", 48, 1 + i);
	}
	sa6("2001:db8:999::", da);
	sa6("2001:db8:1::", sa);
	cr_assert_eq(fib6_src_add(F, 254, da, 48, sa, 48, leaf(99), err), -ENOSPC);
	cr_assert(strstr(err, "from:"), "%s", err);
	struct fib6_usage u;
	fib6_usage(F, &u);
	cr_assert_eq(u.subtrees, XRT_FIB6_SUBTREES);
	cr_assert_eq(u.subtrees_refused, 1);
	cr_assert_eq(sget("2001:db8:999::1", "2001:db8:1::1"), 0);
	cr_assert_eq(sget("2001:db8:100::1", "2001:db8:1::1"), leaf(1));
	/* IPv4 tables have no subtrees. */
	cr_assert_eq(fib6_src_add(F, XRT_FIB4_TBL(254), da, 48, sa, 48, leaf(1), err), -EINVAL);
}

/* A destination handed to the kernel answers XRT_FIB6_LEAF_KERNEL for every
 * source, hides its plain route and subtree, turns the answer of subtrees
 * that backtrack through it into the kernel's; taken back, all returns. */
Test(fib6_subtree, pass_to_kernel_and_back)
{
	const uint32_t kernel = xrt_fib6_leaf(XRT_FIB6_LEAF_KERNEL, 0);
	char err[XRT_ERR_LEN] = "";
	uint8_t d[16], dl[16], s1[16], s2[16], x[16];
	struct fib6_usage u;

	sa6("2001:db8:100::", d);
	sa6("2001:db8:100:1::", dl);
	sa6("2001:db8:1::9", s1);
	sa6("2001:db8:2::9", s2);
	sa6("2001:db8:100::1", x);
	add_s("::", 0, leaf(3));
	add_s("2001:db8:100::", 48, leaf(6));
	sadd("2001:db8:100:1::", 64, "2001:db8:1::", 48, 7); /* backtracks through /48 */
	cr_assert_eq(fib6_src_pass(F, 254, d, 48, true, err), 0, "%s", err);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s1), kernel);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), kernel);
	cr_assert_eq(fib6_get(F, 254, d, 48), leaf(6), "the plain route is kept aside");
	sa6("2001:db8:100:1::1", x);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s1), leaf(7));
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), kernel, "backtracking meets the kernel's");
	/* A source route of the handed-over destination stays hidden, from
	 * it and from the subtree backtracking through it (xrt does not
	 * hold all of the destination's source routes). */
	cr_assert_eq(fib6_src_add(F, 254, d, 48, s2, 48, leaf(8), err), 0, "%s", err);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), kernel, "backtracking to a passed subtree");
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s1), leaf(7));
	sa6("2001:db8:100::1", x);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), kernel);
	fib6_usage(F, &u);
	cr_assert_eq(u.src_passed, 1);
	cr_assert_eq(fib6_src_pass(F, 254, d, 48, false, err), 0, "%s", err);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), leaf(8), "the subtree answers again");
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s1), leaf(3));
	sa6("2001:db8:100:1::1", x);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), leaf(8), "and the longer one's backtracking");
	sa6("2001:db8:100::1", x);
	cr_assert_eq(fib6_src_del(F, 254, d, 48, s2, 48, err), 0, "%s", err);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), leaf(6), "the plain route again");
	sa6("2001:db8:100:1::1", x);
	cr_assert_eq(fib6_lookup_src(&M, 254, x, s2), leaf(6));
	fib6_usage(F, &u);
	cr_assert_eq(u.src_passed, 0);
}

/* The pass list is bounded: full, the next destination is refused, counted. */
Test(fib6_subtree, pass_bound_refuses_and_counts)
{
	char err[XRT_ERR_LEN] = "";
	uint8_t d[16];
	struct fib6_usage u;

	sa6("2001:db8::", d);
	for (unsigned i = 0; i < XRT_FIB6_SRC_PASS; i++) {
		d[4] = (uint8_t)i;
		cr_assert_eq(fib6_src_pass(F, 254, d, 48, true, err), 0, "%s", err);
	}
	d[4] = 0xff;
	cr_assert_eq(fib6_src_pass(F, 254, d, 48, true, err), -ENOSPC);
	cr_assert(strstr(err, "handed to the kernel"), "%s", err);
	fib6_usage(F, &u);
	cr_assert_eq(u.src_passed, XRT_FIB6_SRC_PASS);
	cr_assert_eq(u.src_pass_refused, 1);
	cr_assert_eq(fib6_lookup(&M, 254, d), 0);
}

/* Each subtree takes a trie region: with 3 regions, main and two subtrees
 * fill them; the third subtree is refused, named, and changes nothing. */
Test(ip6_fib, source_subtrees_share_the_trie_regions)
{
	char err[XRT_ERR_LEN] = "";
	uint8_t d[16], s1[16], s2[16];
	struct fib6_usage u;

	sa6("2001:db8:1::", s1);
	sa6("2001:db8:2::9", s2);
	sa6("2001:db8::", d);
	cr_assert_eq(fib6_add(F, 254, d, 32, leaf(1), err), 0, "%s", err);
	for (unsigned i = 0; i < 2; i++) {
		d[5] = (uint8_t)(0x10 + i);
		cr_assert_eq(fib6_src_add(F, 254, d, 48, s1, 48, leaf(2 + i), err), 0, "%s", err);
	}
	d[5] = 0x12;
	cr_assert_eq(fib6_src_add(F, 254, d, 48, s1, 48, leaf(9), err), -ENOSPC);
	cr_assert(strstr(err, "from: at most 3 routing tables and source subtrees"), "%s", err);
	cr_assert_eq(fib6_src_get(F, 254, d, 48, s1, 48), 0);
	d[15] = 1;
	cr_assert_eq(fib6_lookup_src(&M, 254, d, s2), leaf(1));
	d[5] = 0x11;
	cr_assert_eq(fib6_lookup_src(&M, 254, d, s2), leaf(1)); /* backtracks to the /32 */
	sa6("2001:db8:1::7", s2);
	cr_assert_eq(fib6_lookup_src(&M, 254, d, s2), leaf(3));
	fib6_usage(F, &u);
	cr_assert_eq(u.subtrees, 2);
}
