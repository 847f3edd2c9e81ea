/* xrt: unit tests of source-specific routes in the FIB trie (dataplane/ip6_fib.c fib6_src_add) against the kernel's fib6_node_lookup written out literally. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/ip6_fib.h"
#include "xrt/fib6.h"

static struct fib6_mem M;
static struct fib6 *F;

static void fake_sync(void *ctx)
{
	(void)ctx;
}

static void setup(void)
{
	uint32_t nslots = 16, nnodes = 1 << 14, nrecs = 1 << 15;
	M = (struct fib6_mem){
		.tbl = calloc(XRT_FIB_TRIES, sizeof(struct xrt_fib6_tbl)),
		.dp = calloc((size_t)nslots << XRT_FIB6_DP_BITS, sizeof(uint32_t)),
		.node = calloc(nnodes, sizeof(struct xrt_fib6_node)),
		.rec = calloc(nrecs, sizeof(struct xrt_fib6_rec)),
		.nslots = nslots, .nnodes = nnodes, .nrecs = nrecs,
		.synchronize = fake_sync,
	};
	cr_assert(M.tbl && M.dp && M.node && M.rec);
	F = fib6_new(&M);
	cr_assert(F);
}

static void teardown(void)
{
	fib6_free(F);
	free(M.tbl);
	free(M.dp);
	free(M.node);
	free(M.rec);
}

TestSuite(fib6_subtree, .init = setup, .fini = teardown);

/* ---- the reference: the kernel's lookup over a list of routes ---- */

#define REF_MAX 256
static struct ref {
	uint8_t dst[16], src[16];
	unsigned dplen, splen;
	uint32_t leaf;
} R[REF_MAX];
static unsigned NR;

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
static uint32_t ref_lookup(const uint8_t *d, const uint8_t *s)
{
	for (int len = 128; len >= 0; len--) {
		bool sub = false;
		uint32_t plain = 0, best = 0;
		int blen = -1;
		for (unsigned i = 0; i < NR; i++) {
			if (R[i].dplen != (unsigned)len || !in_pfx(d, R[i].dst, R[i].dplen))
				continue;
			if (!R[i].splen) {
				plain = R[i].leaf;
				continue;
			}
			sub = true;
			if (in_pfx(s, R[i].src, R[i].splen) && (int)R[i].splen > blen) {
				blen = (int)R[i].splen;
				best = R[i].leaf;
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

static void ref_set(const uint8_t *d, unsigned dl, const uint8_t *s, unsigned sl, uint32_t leaf)
{
	for (unsigned i = 0; i < NR; i++)
		if (same_pfx(R[i].dst, R[i].dplen, d, dl) && same_pfx(R[i].src, R[i].splen, s, sl)) {
			R[i].leaf = leaf;
			return;
		}
	cr_assert_lt(NR, REF_MAX);
	R[NR] = (struct ref){ .dplen = dl, .splen = sl, .leaf = leaf };
	memcpy(R[NR].dst, d, 16);
	memcpy(R[NR].src, s, 16);
	NR++;
}

static void ref_del(const uint8_t *d, unsigned dl, const uint8_t *s, unsigned sl)
{
	for (unsigned i = 0; i < NR; i++)
		if (same_pfx(R[i].dst, R[i].dplen, d, dl) && same_pfx(R[i].src, R[i].splen, s, sl)) {
			R[i] = R[--NR];
			return;
		}
}

static uint32_t leaf(uint32_t nh)
{
	return xrt_fib6_leaf(XRT_RTN_UNICAST, nh);
}

static void a6(const char *s, uint8_t out[16])
{
	cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "%s", s);
}

static void add(const char *d, unsigned dl, const char *s, unsigned sl, uint32_t nh)
{
	uint8_t da[16], sa[16];
	char err[XRT_ERR_LEN] = "";
	a6(d, da);
	a6(s, sa);
	cr_assert_eq(fib6_src_add(F, 254, da, dl, sa, sl, leaf(nh), err), 0, "add %s/%u from %s/%u: %s",
		     d, dl, s, sl, err);
	ref_set(da, dl, sa, sl, leaf(nh));
}

static void del(const char *d, unsigned dl, const char *s, unsigned sl)
{
	uint8_t da[16], sa[16];
	char err[XRT_ERR_LEN] = "";
	a6(d, da);
	a6(s, sa);
	cr_assert_eq(fib6_src_del(F, 254, da, dl, sa, sl, err), 0, "del %s/%u from %s/%u: %s", d,
		     dl, s, sl, err);
	ref_del(da, dl, sa, sl);
}

static uint32_t get(const char *d, const char *s)
{
	uint8_t da[16], sa[16];
	a6(d, da);
	a6(s, sa);
	uint32_t want = ref_lookup(da, sa), got = fib6_lookup_src(&M, 254, da, sa);
	cr_assert_eq(got, want, "%s from %s: trie %#x, kernel %#x", d, s, got, want);
	return got;
}

/* RFC 8678's multihoming case, the plain more-specific route, and the
 * backtracking past a destination whose only route is a source route. */
Test(fib6_subtree, multihoming_and_backtracking)
{
	add("::", 0, "2001:db8:1::", 48, 1);
	add("::", 0, "2001:db8:2::", 48, 2);
	add("::", 0, "::", 0, 3);
	add("2001:db8:300::", 48, "::", 0, 4);
	add("2001:db8:100::", 48, "2001:db8:2::", 48, 5);
	add("2001:db8:100::", 48, "::", 0, 6); /* hidden by the subtree */
	cr_assert_eq(get("2001:db8:200::1", "2001:db8:1::2"), leaf(1));
	cr_assert_eq(get("2001:db8:200::1", "2001:db8:2::2"), leaf(2));
	cr_assert_eq(get("2001:db8:200::1", "2001:db8:3::2"), leaf(3));
	cr_assert_eq(get("2001:db8:300::1", "2001:db8:2::2"), leaf(4));
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:2::2"), leaf(5));
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1::2"), leaf(1)); /* backtrack to ::/0 from S1 */
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:3::2"), leaf(3)); /* past the hidden plain route */
	cr_assert_eq(get("2001:db8:100::1", "::"), leaf(3));
	/* Deleting the only source route restores the plain one. */
	del("2001:db8:100::", 48, "2001:db8:2::", 48);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:3::2"), leaf(6));
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:2::2"), leaf(6));
	/* And removing the root's source routes leaves the plain default. */
	del("::", 0, "2001:db8:1::", 48);
	del("::", 0, "2001:db8:2::", 48);
	cr_assert_eq(get("2001:db8:200::1", "2001:db8:1::2"), leaf(3));
	struct fib6_usage u;
	fib6_usage(F, &u);
	cr_assert_eq(u.subtrees, 0);
}

/* A source route of a shorter destination changes the backtracking of a
 * longer one's subtree: the flattened subtree follows. */
Test(fib6_subtree, shorter_destination_changes_flatten_again)
{
	add("2001:db8:100::", 48, "2001:db8:1::", 64, 1);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1::9"), leaf(1));
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1:1::9"), 0);
	add("2001:db8::", 32, "2001:db8:1::", 48, 2);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1:1::9"), leaf(2));
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1::9"), leaf(1)); /* the longer dst first */
	add("2001:db8::", 32, "2001:db8:1::", 56, 3); /* longer source, shorter dst */
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1::9"), leaf(1));
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1:1::9"), leaf(3));
	add("2001:db8::", 24, "::", 0, 4);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:5::1"), leaf(4));
	del("2001:db8::", 32, "2001:db8:1::", 56);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1:1::9"), leaf(2));
	del("2001:db8::", 24, "::", 0);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:5::1"), 0);
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
			add(D[d], DL[d], S[s], SL[s], 1 + (uint32_t)(rand() % 50));
		else {
			uint8_t da[16], sa[16];
			a6(D[d], da);
			a6(S[s], sa);
			if (fib6_src_get(F, 254, da, DL[d], sa, SL[s]))
				del(D[d], DL[d], S[s], SL[s]);
		}
		for (unsigned i = 0; i < 5; i++)
			for (unsigned j = 0; j < 6; j++)
				get(PD[i], PS[j]);
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
		add(d, 48, "2001:db8:1::", 48, 1 + i);
	}
	a6("2001:db8:999::", da);
	a6("2001:db8:1::", sa);
	cr_assert_eq(fib6_src_add(F, 254, da, 48, sa, 48, leaf(99), err), -ENOSPC);
	cr_assert(strstr(err, "from:"), "%s", err);
	struct fib6_usage u;
	fib6_usage(F, &u);
	cr_assert_eq(u.subtrees, XRT_FIB6_SUBTREES);
	cr_assert_eq(u.subtrees_refused, 1);
	cr_assert_eq(get("2001:db8:999::1", "2001:db8:1::1"), 0);
	cr_assert_eq(get("2001:db8:100::1", "2001:db8:1::1"), leaf(1));
	/* IPv4 tables have no subtrees. */
	cr_assert_eq(fib6_src_add(F, XRT_FIB4_TBL(254), da, 48, sa, 48, leaf(1), err), -EINVAL);
}
