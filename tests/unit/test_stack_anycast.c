/* xrt tests: the Subnet-Router anycast address (RFC 4291 2.6.1) in the stack: local delivery, reply sources, NA without Override. */
#include <criterion/criterion.h>
#include "stack/neighbour.h"
#include "test_stack_fake.h"

static uint8_t frame[2000];

TestSuite(anycast, .init = fake_setup, .fini = fake_teardown);

static const uint8_t host_mac[6] = { 2, 0, 0, 0, 0x55, 5 };

/* Make 2001:db8:1::5 REACHABLE on interface a: answers to it leave at once. */
static void host_reachable(void)
{
	uint8_t body[32] = { ND_NEIGHBOR_ADVERT, 0, 0, 0, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE };
	struct in6_addr t = A("2001:db8:1::5");
	memcpy(body + 8, &t, 16);
	body[24] = ND_OPT_TARGET_LL_ADDR;
	body[25] = 1;
	memcpy(body + 26, host_mac, 6);
	/* The NA only updates an existing (INCOMPLETE) entry: a ping creates one. */
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "fe80::a", 255, NEXTHDR_ICMP, body, 32);
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	fake_ntx = 0;
}

static size_t ns_frame(const char *src, const char *dst, const char *target)
{
	uint8_t body[32] = { ND_NEIGHBOR_SOLICIT };
	struct in6_addr t = A(target);
	memcpy(body + 8, &t, 16);
	size_t blen = 24;
	if (strcmp(src, "::")) {
		body[24] = ND_OPT_SOURCE_LL_ADDR;
		body[25] = 1;
		memcpy(body + 26, host_mac, 6);
		blen = 32;
	}
	size_t len = build_frame(frame, FAKE_IF_A, src, dst, 255, NEXTHDR_ICMP, body, blen);
	fix_icmp_csum(frame, len, 54);
	return len;
}

Test(anycast, echo_to_subnet_router_anycast_answered_from_unicast)
{
	host_reachable();
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::", 64, 24);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ICMP6_ECHO_REPLY);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"), "the reply's source is unicast");
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	cr_assert(tx_csum_ok(0));
	cr_assert_eq(memcmp(tx_icmp(0) + 4, frame + 54 + 4, 28), 0);
}

Test(anycast, anycast_of_another_interface_is_local_too)
{
	/* Like the kernel's anycast route in the local table: any ingress. */
	host_reachable();
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ICMP6_ECHO_REPLY);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"));
}

Test(anycast, errors_never_come_from_the_anycast_address)
{
	host_reachable();
	uint8_t udp[16] = { 0x80, 0x00, 0x82, 0x9b, 0, 16, 0, 0, 'h', 'e', 'l', 'l', 'o', '!', '!', '!' };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::", 64,
				 NEXTHDR_UDP, udp, sizeof(udp));
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)(frame + 14);
	uint16_t c = ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_UDP, frame + 54, 16);
	frame[54 + 6] = (uint8_t)(c >> 8);
	frame[54 + 7] = (uint8_t)c;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), 1);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"), "RFC 4443 2.2 (b): a unicast source");
}

Test(anycast, not_anycast_when_forwarding_is_off)
{
	/* A host (forwarding off) has no Subnet-Router anycast: the address
	 * is an on-link neighbour like any other, resolved with ND. */
	fake_devs[0].forwarding = false;
	size_t len = build_echo_frame(frame, FAKE_IF_B, "2001:db8:2::5", "2001:db8:1::", 64, 8);
	rx(FAKE_IF_B, frame, len);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 0);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	struct in6_addr t = A("2001:db8:1::");
	cr_assert_eq(memcmp(tx_icmp(0) + 8, &t, 16), 0);
}

Test(anycast, no_anycast_for_127_prefixes)
{
	/* RFC 6164: a /127 point-to-point link has no Subnet-Router anycast. */
	fake_devs[0].plen[1] = 127;
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:0", "2001:db8:1::");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_ADVERT, -1), 0);
}

Test(anycast, ns_for_anycast_gets_na_without_override)
{
	/* The solicited-node group of 2001:db8:1:: is ff02::1:ff00:0: joined. */
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:0", "2001:db8:1::");
	rx(FAKE_IF_A, frame, len);
	/* RFC 4861 7.2.7: the answer waits at most MAX_ANYCAST_DELAY_TIME. */
	cr_assert_eq(fake_ntx, 0, "not at once");
	cr_assert_lt(stack_timers_next(), (uint64_t)ND_MAX_ANYCAST_DELAY_TIME_MS * 1000000 + 1);
	fake_advance_ms(ND_MAX_ANYCAST_DELAY_TIME_MS);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *na = tx_icmp(0);
	cr_assert_eq(na[0], ND_NEIGHBOR_ADVERT);
	/* RFC 4861 7.2.7: Override clear for an anycast target. */
	cr_assert_eq(na[4], ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
	struct in6_addr t = A("2001:db8:1::");
	cr_assert_eq(memcmp(na + 8, &t, 16), 0);
	cr_assert_eq(na[24], ND_OPT_TARGET_LL_ADDR);
	cr_assert_eq(memcmp(na + 26, fake_devs[0].mac, 6), 0);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"), "source: a unicast address");
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	cr_assert(tx_csum_ok(0));
	/* Our own address keeps Override. */
	fake_ntx = 0;
	len = ns_frame("2001:db8:1::5", "ff02::1:ff00:1", "2001:db8:1::1");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_icmp(0)[4] & ND_NA_FLAG_OVERRIDE);
}

Test(anycast, ns_for_anycast_of_another_link_is_not_answered)
{
	/* ND is per link: 2001:db8:2:: belongs to interface b. */
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:0", "2001:db8:2::");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_ADVERT, -1), 0);
}

Test(anycast, dad_ns_for_anycast_defended_without_override)
{
	size_t len = ns_frame("::", "ff02::1:ff00:0", "2001:db8:1::");
	rx(FAKE_IF_A, frame, len);
	fake_advance_ms(ND_MAX_ANYCAST_DELAY_TIME_MS);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, true, "ff02::1"));
	cr_assert(tx_addr_is(0, false, "fe80::a"), "link-scope destination: link-local source");
	cr_assert_eq(tx_icmp(0)[4], ND_NA_FLAG_ROUTER);
}

/* A TCP SYN (no options) from 2001:db8:1::5 port 40000 to dst port 9. */
static size_t syn_frame(const char *dst)
{
	uint8_t th[20] = { 0x9c, 0x40, 0, 9, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 5 << 4, 0x02, 0xff, 0xff };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", dst, 64, NEXTHDR_TCP, th, 20);
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)(frame + 14);
	uint16_t c = ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_TCP, frame + 54, 20);
	frame[54 + 16] = (uint8_t)(c >> 8);
	frame[54 + 17] = (uint8_t)c;
	return len;
}

Test(anycast, tcp_to_anycast_is_neither_accepted_nor_reset)
{
	/* The kernel: no connection to, no reset from, an anycast address. */
	host_reachable();
	size_t len = syn_frame("2001:db8:1::");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	/* The same SYN to the unicast address is reset. */
	len = syn_frame("2001:db8:1::1");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"));
	cr_assert_eq(tx_ip6(0)[6], NEXTHDR_TCP);
	cr_assert(tx_ip6(0)[40 + 13] & 0x04, "RST");
}

Test(anycast, unicast_ns_for_anycast_answered_at_once)
{
	/* Only a multicast NS waits: a unicast one named this node alone. */
	size_t len = ns_frame("2001:db8:1::5", "2001:db8:1::", "2001:db8:1::");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[4], ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
}

Test(anycast, delayed_na_queue_is_bounded_and_dropped_if_no_longer_anycast)
{
	for (unsigned i = 0; i < 40; i++) {
		size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:0", "2001:db8:1::");
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(fake_ntx, 0);
	cr_assert_gt(sstats.drop[STACK_DROP_ND_ANYCAST_QUEUE_FULL], 0);
	unsigned queued = 40 - (unsigned)sstats.drop[STACK_DROP_ND_ANYCAST_QUEUE_FULL];
	cr_assert_gt(queued, 0);
	fake_advance_ms(ND_MAX_ANYCAST_DELAY_TIME_MS);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_ADVERT, 0), queued, "every queued NS answered once");
	/* Queued, then forwarding goes off: the delayed answer is not sent. */
	fake_ntx = 0;
	size_t len = ns_frame("2001:db8:1::5", "ff02::1:ff00:0", "2001:db8:1::");
	rx(FAKE_IF_A, frame, len);
	fake_devs[0].forwarding = false;
	fake_advance_ms(ND_MAX_ANYCAST_DELAY_TIME_MS);
	cr_assert_eq(fake_ntx, 0);
}
