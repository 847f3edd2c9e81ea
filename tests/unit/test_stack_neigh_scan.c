/* xrt tests: neighbour cache exhaustion by an on-link scan (RFC 6583 7.1): bounded INCOMPLETE entries, their own eviction, traffic-carrying entries kept. */
#include <criterion/criterion.h>
#include <stdio.h>
#include "test_stack_fake.h"
#include "stack/neighbour.h"
#include "xrt/limits.h"

static uint8_t frame[2000];

TestSuite(neigh_scan, .init = fake_setup, .fini = fake_teardown);

static const uint8_t mac_new[6] = { 2, 0, 0, 0, 0xcc, 0x0c };

/* One packet from 2001:db8:2::5 (behind IF_B) to address i of the on-link
 * 2001:db8:1::/64 (IF_A): what a fast-path neigh_miss punt delivers. */
static void scan_one(unsigned i)
{
	char dst[64];
	snprintf(dst, sizeof(dst), "2001:db8:1::5ca:%x:%x", i >> 16, i & 0xffff);
	size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", dst, 64, 8);
	rx(FAKE_IF_B, frame, len);
	if (fake_ntx > FAKE_TX_MAX / 2)
		fake_ntx = 0;
}

static void send_na(int ifindex, const char *target, const uint8_t *mac)
{
	uint8_t body[32] = { ND_NEIGHBOR_ADVERT, 0, 0, 0,
			     ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE };
	struct in6_addr t = A(target);
	memcpy(body + 8, &t, 16);
	body[24] = ND_OPT_TARGET_LL_ADDR;
	body[25] = 1;
	memcpy(body + 26, mac, 6);
	size_t len = build_frame(frame, ifindex, target,
				 ifindex == FAKE_IF_A ? "fe80::a" : "fe80::b", 255,
				 NEXTHDR_ICMP, body, 32);
	fix_icmp_csum(frame, len, 54);
	rx(ifindex, frame, len);
}

/* An NS recorded for target (multicast resolution). */
static bool ns_sent_for(const char *target)
{
	struct in6_addr t = A(target);
	for (unsigned i = 0; i < fake_ntx; i++) {
		const uint8_t *icmp = tx_icmp(i);
		if (icmp[0] == ND_NEIGHBOR_SOLICIT && !memcmp(icmp + 8, &t, 16))
			return true;
	}
	return false;
}

struct census {
	int ifindex;
	unsigned incomplete, other;
	struct in6_addr probe;
	uint16_t probe_state;
};

static void count_entries(const struct neigh_info *n, void *arg)
{
	struct census *c = arg;
	if (ip6_eq(&n->addr, &c->probe))
		c->probe_state = n->state;
	if (c->ifindex && n->ifindex != c->ifindex)
		return;
	if (n->state == XRT_NUD_INCOMPLETE)
		c->incomplete++;
	else
		c->other++;
}

static struct census census(int ifindex, const char *probe)
{
	struct census c = { .ifindex = ifindex, .probe = A(probe ? probe : "::") };
	neigh_foreach(count_entries, &c);
	return c;
}

/*
 * The attack: more scanned addresses than the whole table holds, faster
 * than INCOMPLETE entries time out (the clock does not move). A neighbour
 * that appears during the scan is still solicited, resolves when it
 * answers, and gets the packet that waited for it.
 */
Test(neigh_scan, scan_cannot_lock_out_a_new_neighbour)
{
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE + 500; i++)
		scan_one(i);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_TABLE_FULL], 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_UNRES_EVICTED],
		     NEIGH_TABLE_SIZE + 500 - XRT_NEIGH_INCOMPLETE_MAX);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.gauge[STACK_GAUGE_NEIGH_INCOMPLETE], XRT_NEIGH_INCOMPLETE_MAX);

	fake_ntx = 0;
	size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", "2001:db8:1::c", 64, 8);
	rx(FAKE_IF_B, frame, len);
	cr_assert(ns_sent_for("2001:db8:1::c"), "the new neighbour is solicited");
	/* The scan goes on while the answer is on its way. */
	for (unsigned i = 0; i < XRT_NEIGH_INCOMPLETE_MAX / 2; i++)
		scan_one(100000 + i);
	fake_ntx = 0;
	send_na(FAKE_IF_A, "2001:db8:1::c", mac_new);
	cr_assert_eq(census(0, "2001:db8:1::c").probe_state, XRT_NUD_REACHABLE);
	/* The held echo request left towards the new neighbour's MAC. */
	bool delivered = false;
	for (unsigned i = 0; i < fake_ntx; i++)
		if (fake_tx[i].ifindex == FAKE_IF_A && !memcmp(fake_tx[i].data, mac_new, 6) &&
		    tx_addr_is(i, true, "2001:db8:1::c"))
			delivered = true;
	cr_assert(delivered, "the packet held for the new neighbour is forwarded");
}

/* The bound is per interface: a scan of IF_A's segment recycles only IF_A's
 * INCOMPLETE entries, oldest first; IF_B's resolution is untouched. */
Test(neigh_scan, incomplete_bound_is_per_interface_oldest_first)
{
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::77", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(census(FAKE_IF_B, NULL).incomplete, 1);

	for (unsigned i = 0; i < XRT_NEIGH_INCOMPLETE_MAX + 50; i++)
		scan_one(i);
	struct census a = census(FAKE_IF_A, "2001:db8:1::5ca:0:0");
	cr_assert_eq(a.incomplete, XRT_NEIGH_INCOMPLETE_MAX);
	cr_assert_eq(a.probe_state, 0, "the oldest scanned entry was recycled");
	cr_assert_eq(census(FAKE_IF_A, "2001:db8:1::5ca:0:32").probe_state, XRT_NUD_INCOMPLETE,
		     "the 51st is the oldest left");
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_UNRES_EVICTED], 50);
	struct census b = census(FAKE_IF_B, "2001:db8:2::77");
	cr_assert_eq(b.incomplete, 1);
	cr_assert_eq(b.probe_state, XRT_NUD_INCOMPLETE);

	/* A recycled entry's held packet is dropped without an error (an error
	 * per scanned address would only feed the scan), counted. */
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, -1), 0);
	cr_assert_geq(sstats.mib[XRT_MIB_OUT_DISCARDS], 50);

	/* Recycled entries were never programmed: the fast path saw nothing. */
	for (unsigned i = 0; i < fake_nneigh_calls; i++)
		cr_assert_neq(fake_neigh_calls[i].state, 0);
}

/* NS with SLLA from a spoofed source is as cheap as a scan: it makes STALE
 * entries. They fill the table, the fast path forwards through them (they
 * carry traffic), and a scan follows: none of them is evicted to make room
 * for an INCOMPLETE entry; they go to DELAY (RFC 4861 7.3.3) instead, and
 * the scan recycles its own entries. */
Test(neigh_scan, entries_carrying_traffic_are_never_evicted_for_a_scan)
{
	static const uint8_t mac_h[6] = { 2, 0, 0, 0, 0x55, 5 };
	const unsigned kept = NEIGH_TABLE_SIZE - 100;
	char src[64];
	for (unsigned i = 0; i < kept; i++) {
		uint8_t body[32] = { ND_NEIGHBOR_SOLICIT };
		struct in6_addr t = A("2001:db8:1::1");
		memcpy(body + 8, &t, 16);
		body[24] = ND_OPT_SOURCE_LL_ADDR;
		body[25] = 1;
		memcpy(body + 26, mac_h, 6);
		snprintf(src, sizeof(src), "2001:db8:1::1:%x", i + 1);
		size_t len = build_frame(frame, FAKE_IF_A, src, "ff02::1:ff00:1", 255,
					 NEXTHDR_ICMP, body, 32);
		fix_icmp_csum(frame, len, 54);
		rx(FAKE_IF_A, frame, len);
		if (fake_ntx > FAKE_TX_MAX / 2)
			fake_ntx = 0;
	}
	cr_assert_eq(census(FAKE_IF_A, NULL).other, kept);
	fake_now += NSEC_PER_MSEC;
	fake_used_ns = fake_now; /* the fast path forwards through all of them */

	for (unsigned i = 0; i < 2000; i++)
		scan_one(i);
	cr_assert_eq(census(FAKE_IF_A, NULL).other, kept, "no used entry evicted");
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_EVICTED], 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_TABLE_FULL], 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_EVICT_SKIPPED_USED], kept);
	cr_assert_eq(census(FAKE_IF_A, NULL).incomplete, 100);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_UNRES_EVICTED], 1900);

	/* A new neighbour still starts resolution. */
	fake_ntx = 0;
	size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", "2001:db8:1::c", 64, 8);
	rx(FAKE_IF_B, frame, len);
	cr_assert(ns_sent_for("2001:db8:1::c"));
}

/* Unused STALE entries still make room, as before (anyone can create them
 * with an SLLA); unsolicited news never displaces an entry being resolved. */
Test(neigh_scan, unsolicited_slla_never_displaces_incomplete)
{
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++) {
		/* 4 interfaces' worth of INCOMPLETE entries cannot exist with
		 * two, so fill the rest with static entries. */
		if (i < XRT_NEIGH_INCOMPLETE_MAX) {
			scan_one(i);
			continue;
		}
		char a[64], err[256];
		snprintf(a, sizeof(a), "2001:db8:2::f:%x", i);
		struct in6_addr addr = A(a);
		cr_assert_eq(neigh_add_static(FAKE_IF_B, &addr, mac_new, err), 0, "%s", err);
	}
	uint8_t body[32] = { ND_NEIGHBOR_SOLICIT };
	struct in6_addr t = A("2001:db8:1::1");
	memcpy(body + 8, &t, 16);
	body[24] = ND_OPT_SOURCE_LL_ADDR;
	body[25] = 1;
	memcpy(body + 26, mac_new, 6);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::abcd", "ff02::1:ff00:1", 255,
				 NEXTHDR_ICMP, body, 32);
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(census(FAKE_IF_A, NULL).incomplete, XRT_NEIGH_INCOMPLETE_MAX);
	cr_assert_eq(census(0, "2001:db8:1::abcd").probe_state, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_TABLE_FULL], 1);
}

/* A table mostly full of REACHABLE entries (they carry traffic): a scan
 * takes the free slots, then recycles its own INCOMPLETE entries; no
 * REACHABLE entry is touched and no packet meets a full table. */
Test(neigh_scan, reachable_entries_survive_a_scan_of_a_full_table)
{
	const unsigned reachable = NEIGH_TABLE_SIZE - 596;
	char dst[64];
	for (unsigned i = 0; i < reachable; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:1::ee:%x", i + 1);
		size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", dst, 64, 8);
		rx(FAKE_IF_B, frame, len);
		send_na(FAKE_IF_A, dst, mac_new);
		if (fake_ntx > FAKE_TX_MAX / 2)
			fake_ntx = 0;
	}
	struct census c = census(FAKE_IF_A, NULL);
	cr_assert_eq(c.other, reachable);
	cr_assert_eq(c.incomplete, 0);

	for (unsigned i = 0; i < 3000; i++)
		scan_one(i);
	c = census(FAKE_IF_A, NULL);
	cr_assert_eq(c.other, reachable, "every REACHABLE entry is still there");
	cr_assert_eq(c.incomplete, 596, "the scan has the free slots, no more");
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_TABLE_FULL], 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_EVICTED], 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_UNRES_EVICTED], 3000 - 596);
}
