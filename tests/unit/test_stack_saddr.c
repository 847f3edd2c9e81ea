/* xrt tests: source address selection (RFC 6724 section 5, RFC 4443 2.2, RFC 4861 7.2.2) on the bytes of the generated errors and solicitations. */
#include <criterion/criterion.h>
#include "stack/neighbour.h"
#include "test_stack_fake.h"

static uint8_t frame[2000];

TestSuite(saddr, .init = fake_setup, .fini = fake_teardown);

static const uint8_t mac_h[6] = { 2, 0, 0, 0, 0x55, 5 };

static void static_neigh(int ifindex, const char *addr)
{
	char err[256];
	struct in6_addr a = A(addr);
	cr_assert_eq(neigh_add_static(ifindex, &a, mac_h, err), 0, "%s", err);
}

/* The IPv6 source of recorded frame i, as bytes. */
static void assert_src(unsigned i, const char *want)
{
	struct in6_addr w = A(want);
	cr_assert_eq(memcmp(tx_ip6(i) + 8, &w, 16), 0, "frame %u: source is not %s", i, want);
}

/* Interface a lists its global before its link-local: the order must not
 * matter. */
static void global_first(void)
{
	struct xrt_netdev *a = &fake_devs[0];
	struct in6_addr ll = a->addr[0];
	a->addr[0] = a->addr[1];
	a->plen[0] = 64;
	a->addr[1] = ll;
	a->plen[1] = 64;
}

/* RFC 4443 3.1 code 2 to a link-local source: from the link-local of the
 * interface it came in by (RFC 6724 rule 2; the kernel's icmp6_send ->
 * ipv6_dev_get_saddr(in_netdev)). */
Test(saddr, beyond_scope_error_to_link_local_comes_from_link_local)
{
	global_first();
	static_neigh(FAKE_IF_A, "fe80::5");
	size_t len = build_echo_frame(frame, FAKE_IF_A, "fe80::5", "2001:db8:2::9", 64, 8);
	rx(FAKE_IF_A, frame, len);
	int i = find_icmp(ICMP6_DST_UNREACH, ICMP6_DU_BEYONDSCOPE);
	cr_assert_geq(i, 0);
	assert_src((unsigned)i, "fe80::a");
	cr_assert(tx_addr_is((unsigned)i, true, "fe80::5"));
	cr_assert_eq(fake_tx[i].ifindex, FAKE_IF_A);
	cr_assert(tx_csum_ok((unsigned)i));
}

/* Time Exceeded to a link-local source, and to a global one from the same
 * interface: link-local for the first, global for the second. */
Test(saddr, time_exceeded_source_follows_the_destination_scope)
{
	global_first();
	static_neigh(FAKE_IF_A, "fe80::5");
	static_neigh(FAKE_IF_A, "2001:db8:1::5");
	size_t len = build_echo_frame(frame, FAKE_IF_A, "fe80::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 2);
	cr_assert_eq(tx_icmp(0)[0], ICMP6_TIME_EXCEED);
	assert_src(0, "fe80::a");
	cr_assert_eq(tx_icmp(1)[0], ICMP6_TIME_EXCEED);
	assert_src(1, "2001:db8:1::1");
}

/* Rule 8: of two globals on the ingress, the one sharing the longest
 * prefix with the destination (the kernel's IPV6_SADDR_RULE_PREFIX), not
 * whichever was configured first. */
Test(saddr, longest_matching_prefix_among_globals)
{
	struct xrt_netdev *a = &fake_devs[0];
	a->addr[2] = A("2001:db8:77::1");
	a->plen[2] = 64;
	a->naddrs = 3;
	static_neigh(FAKE_IF_A, "fe80::77");
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:77::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ICMP6_TIME_EXCEED);
	assert_src(0, "2001:db8:77::1");
}

/* Rule 2 before rule 5: an ingress with only a link-local gives a global
 * destination a global of another interface (what a kernel router does),
 * never a link-local the next router would drop. A link-local destination
 * still gets the ingress link-local. */
Test(saddr, global_destination_never_gets_a_link_local_source)
{
	fake_devs[0].naddrs = 1; /* fe80::a only */
	static_neigh(FAKE_IF_A, "2001:db8:1::5");
	static_neigh(FAKE_IF_A, "fe80::5");
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	len = build_echo_frame(frame, FAKE_IF_A, "fe80::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 2);
	assert_src(0, "2001:db8:2::1");
	assert_src(1, "fe80::a");
}

/* RFC 4861 7.2.2: the NS that resolves a forwarded packet's next hop comes
 * from the link-local (the kernel's ndisc_solicit: the prompting packet's
 * source is not ours); one that resolves a packet of our own comes from
 * that packet's source. */
Test(saddr, neighbour_solicitation_source)
{
	static_neigh(FAKE_IF_B, "2001:db8:2::5");
	size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", "2001:db8:1::9", 64, 8);
	rx(FAKE_IF_B, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ND_NEIGHBOR_SOLICIT);
	assert_src(0, "fe80::a");
	cr_assert(tx_addr_is(0, true, "ff02::1:ff00:9"));

	/* An echo to our global from an unresolved on-link host: the reply
	 * waits for resolution, and the NS carries the reply's source. */
	fake_ntx = 0;
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::7", "2001:db8:1::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ND_NEIGHBOR_SOLICIT);
	assert_src(0, "2001:db8:1::1");

	/* Its retransmission a second later too. */
	fake_ntx = 0;
	fake_advance_ms(1000);
	cr_assert_geq(fake_ntx, 1);
	for (unsigned i = 0; i < fake_ntx; i++)
		if (tx_icmp(i)[0] == ND_NEIGHBOR_SOLICIT && tx_addr_is(i, true, "ff02::1:ff00:7"))
			assert_src(i, "2001:db8:1::1");
}
