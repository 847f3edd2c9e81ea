/* xrt tests: ND message validation (RFC 4861 6.1/7.1) and answers to NS (NA with R, S, O, TLLA). */
#include <criterion/criterion.h>
#include <stdio.h>
#include "stack/neighbour.h"
#include "test_stack_fake.h"

static uint8_t frame[2000];

TestSuite(ndisc, .init = fake_setup, .fini = fake_teardown);

static const uint8_t host_mac[6] = { 2, 0, 0, 0, 0x55, 5 };

/* NS from src for target, with an SLLA option unless slla is false. */
static size_t ns_frame(const char *src, const char *dst, const char *target, uint8_t hlim,
		       bool slla)
{
	uint8_t body[32] = { ND_NEIGHBOR_SOLICIT };
	struct in6_addr t = A(target);
	memcpy(body + 8, &t, 16);
	size_t blen = 24;
	if (slla) {
		body[24] = ND_OPT_SOURCE_LL_ADDR;
		body[25] = 1;
		memcpy(body + 26, host_mac, 6);
		blen = 32;
	}
	size_t len = build_frame(frame, FAKE_IF_A, src, dst, hlim, NEXTHDR_ICMP, body, blen);
	fix_icmp_csum(frame, len, 54);
	return len;
}

Test(ndisc, ns_for_our_address_gets_solicited_na)
{
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_A);
	cr_assert_eq(memcmp(fake_tx[0].data, host_mac, 6), 0);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"));
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	cr_assert_eq(tx_ip6(0)[7], 255);
	const uint8_t *na = tx_icmp(0);
	cr_assert_eq(na[0], ND_NEIGHBOR_ADVERT);
	cr_assert_eq(na[1], 0);
	cr_assert_eq(na[4], ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
	struct in6_addr t = A("2001:db8:1::1");
	cr_assert_eq(memcmp(na + 8, &t, 16), 0);
	cr_assert_eq(na[24], ND_OPT_TARGET_LL_ADDR);
	cr_assert_eq(na[25], 1);
	cr_assert_eq(memcmp(na + 26, fake_devs[0].mac, 6), 0);
	cr_assert(tx_csum_ok(0));
	cr_assert_eq(tx_ip6_len(0), 40 + 32);
	/* The SLLA created a STALE entry for the solicitor, sent to the fast path. */
	cr_assert_eq(fake_nneigh_calls, 1);
	cr_assert_eq(fake_neigh_calls[0].state, XRT_NUD_STALE);
	cr_assert_eq(memcmp(fake_neigh_calls[0].mac, host_mac, 6), 0);
}

Test(ndisc, link_local_target_and_unicast_ns_without_slla)
{
	size_t len = ns_frame("fe80::5", "fe80::a", "fe80::a", 255, false);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, "fe80::a"));
	cr_assert(tx_addr_is(0, true, "fe80::5"));
	/* Without SLLA the answer goes to the frame's source MAC. */
	cr_assert_eq(memcmp(fake_tx[0].data, frame + 6, 6), 0);
}

Test(ndisc, dad_ns_gets_na_to_all_nodes_without_s)
{
	size_t len = ns_frame("::", "ff02::1:ff00:1", "2001:db8:1::1", 255, false);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, true, "ff02::1"));
	cr_assert_eq(tx_icmp(0)[4] & ND_NA_FLAG_SOLICITED, 0);
	cr_assert_eq(memcmp(fake_tx[0].data, (uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, 6), 0);
}

Test(ndisc, not_our_address_no_answer)
{
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:2", "2001:db8:1::2", 255, true);
	rx(FAKE_IF_A, frame, len);
	/* Address of the other interface: not answered on this one. */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:2::1", 255, true);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
}

Test(ndisc, invalid_messages_are_dropped)
{
	/* Hop limit not 255: forwarded from off-link. */
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 254, true);
	rx(FAKE_IF_A, frame, len);
	/* Code not 0. */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
	frame[54 + 1] = 1;
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	/* Option with length 0. */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
	frame[54 + 25] = 0;
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	/* Option longer than the message. */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
	frame[54 + 25] = 2;
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	/* Too short for an NS (target cut). */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 255, false);
	frame[14 + 5] = 20;
	fix_icmp_csum(frame, 14 + 40 + 20, 54);
	rx(FAKE_IF_A, frame, 14 + 40 + 20);
	/* Multicast target. */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "ff02::1", 255, true);
	rx(FAKE_IF_A, frame, len);
	/* DAD (unspecified source) to a unicast destination, or with SLLA. */
	len = ns_frame("::", "2001:db8:1::1", "2001:db8:1::1", 255, false);
	rx(FAKE_IF_A, frame, len);
	len = ns_frame("::", "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_ND_INVALID], 8);
	/* Bad checksum: caught by icmpv6_rcv. */
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
	frame[54 + 2] ^= 0x55;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_ICMP_CSUM], 1);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(fake_nneigh_calls, 0);
}

Test(ndisc, solicited_na_to_multicast_is_invalid_and_unsolicited_na_ignored)
{
	uint8_t body[32] = { ND_NEIGHBOR_ADVERT, 0, 0, 0, ND_NA_FLAG_SOLICITED };
	struct in6_addr t = A("2001:db8:1::5");
	memcpy(body + 8, &t, 16);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "ff02::1", 255, NEXTHDR_ICMP, body, 24);
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_ND_INVALID], 1);
	/* Unsolicited NA about a stranger creates nothing (RFC 4861 7.2.5). */
	body[4] = ND_NA_FLAG_OVERRIDE;
	body[24] = ND_OPT_TARGET_LL_ADDR;
	body[25] = 1;
	memcpy(body + 26, host_mac, 6);
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "ff02::1", 255, NEXTHDR_ICMP, body, 32);
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nneigh_calls, 0);
}

Test(ndisc, router_ignores_redirects_and_checks_their_source)
{
	uint8_t body[40] = { ND_REDIRECT };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 255,
				 NEXTHDR_ICMP, body, 40);
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_ND_INVALID], 1);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_REDIRECTS], 1);
	cr_assert_eq(fake_ntx, 0);
}

Test(ndisc, ns_flood_cannot_lock_out_new_neighbours)
{
	/* Fill the table with STALE entries from NS with SLLA, then more. */
	char src[64];
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE + 10; i++) {
		if (i == NEIGH_TABLE_SIZE)
			fake_nneigh_calls = 0; /* record what the overflow does */
		snprintf(src, sizeof(src), "2001:db8:1::1:%x", i + 1);
		size_t len = ns_frame(src, "ff02::1:ff00:1", "2001:db8:1::1", 255, true);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_EVICTED], 10);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_TABLE_FULL], 0);
	/* A packet to a new neighbour still starts resolution. */
	fake_ntx = 0;
	size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", "2001:db8:1::77", 64, 8);
	rx(FAKE_IF_B, frame, len);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	/* And evicted entries were removed from the fast path too. */
	unsigned removed = 0;
	for (unsigned i = 0; i < fake_nneigh_calls; i++)
		removed += fake_neigh_calls[i].state == 0;
	cr_assert_geq(removed, 10);
}
