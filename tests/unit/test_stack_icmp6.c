/* xrt tests: ICMPv6 echo, error generation rules (RFC 4443 2.4), sizes, sources, rate limit. */
#include <criterion/criterion.h>
#include "stack/neighbour.h"
#include "test_stack_fake.h"

static uint8_t frame[70000];

TestSuite(icmp6, .init = fake_setup, .fini = fake_teardown);

/* Resolve a neighbour by answering the NS the stack sends, so output
 * toward it does not queue. */
static void make_reachable(int ifindex, const char *addr, uint8_t last_mac)
{
	uint8_t body[32] = { ND_NEIGHBOR_ADVERT, 0, 0, 0, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE };
	struct in6_addr t = A(addr);
	memcpy(body + 8, &t, 16);
	body[24] = ND_OPT_TARGET_LL_ADDR;
	body[25] = 1;
	memcpy(body + 26, (uint8_t[]){ 2, 0, 0, 0, 0x55, last_mac }, 6);
	/* The NA only updates an existing (INCOMPLETE) entry: create one. */
	uint8_t ping[200];
	size_t len = build_echo_frame(ping, ifindex, addr, ifindex == FAKE_IF_A ? "2001:db8:1::1" : "2001:db8:2::1", 64, 8);
	rx(ifindex, ping, len);
	len = build_frame(frame, ifindex, addr, ifindex == FAKE_IF_A ? "fe80::a" : "fe80::b",
			  255, NEXTHDR_ICMP, body, 32);
	fix_icmp_csum(frame, len, 54);
	rx(ifindex, frame, len);
	fake_ntx = 0;
}

Test(icmp6, echo_reply_same_data_from_the_pinged_address)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::1", 64, 100);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, "2001:db8:2::1"));
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	cr_assert_eq(tx_icmp(0)[0], ICMP6_ECHO_REPLY);
	cr_assert(tx_csum_ok(0));
	/* Identifier, sequence and data identical. */
	cr_assert_eq(memcmp(tx_icmp(0) + 4, frame + 54 + 4, 104), 0);
	cr_assert_eq(tx_ip6_len(0), 40 + 108);
	cr_assert_eq(memcmp(fake_tx[0].data, (uint8_t[]){ 2, 0, 0, 0, 0x55, 5 }, 6), 0);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_ECHOS], 2);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_OUT_ECHO_REPLIES], 2);
}

Test(icmp6, bad_checksum_dropped_and_counted)
{
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 8);
	frame[len - 1] ^= 0xff;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_CSUM_ERRORS], 1);
	cr_assert_eq(sstats.drop[STACK_DROP_ICMP_CSUM], 1);
}

Test(icmp6, hop_limit_1_gives_time_exceeded_from_ingress_global)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 16);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ICMP6_TIME_EXCEED);
	cr_assert_eq(tx_icmp(0)[1], ICMP6_TE_HOPLIMIT);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"));
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	cr_assert(tx_csum_ok(0));
	/* The whole invoking packet is quoted, unchanged. */
	cr_assert_eq(tx_ip6_len(0), 48 + len - 14);
	cr_assert_eq(memcmp(tx_icmp(0) + 8, frame + 14, len - 14), 0);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_OUT_TIME_EXCDS], 1);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_HDR_ERRORS], 1);
}

Test(icmp6, error_is_at_most_1280_bytes)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 1400);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_ip6_len(0), 1280);
	cr_assert_eq(ntohs(((struct ip6_hdr_wire *)tx_ip6(0))->payload_len), 1240);
	cr_assert_eq(memcmp(tx_icmp(0) + 8, frame + 14, 1232), 0);
	cr_assert(tx_csum_ok(0));
}

Test(icmp6, never_an_error_about_an_error)
{
	/* A Destination Unreachable with hop limit 1 in transit. */
	uint8_t body[48] = { ICMP6_DST_UNREACH, 0 };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1,
				 NEXTHDR_ICMP, body, sizeof(body));
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_ICMP_SUPPRESSED], 1);
}

Test(icmp6, never_to_unspecified_or_about_multicast_destination)
{
	size_t len = build_echo_frame(frame, FAKE_IF_A, "::", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	/* Unknown next header to all-nodes: no Parameter Problem code 1. */
	uint8_t body[8] = { 0 };
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "ff02::1", 64, 253, body, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_ICMP_SUPPRESSED], 2);
	cr_assert_eq(sstats.drop[STACK_DROP_NO_PROTO], 1);
}

Test(icmp6, parameter_problem_code_2_goes_to_multicast_sender)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	/* Destination options with unknown option type 0x80 (action 10). */
	uint8_t body[16] = { NEXTHDR_NONE, 0, 0x80, 4, 0, 0, 0, 0 };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "ff02::1", 64, NEXTHDR_DEST,
				 body, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_OPTION), 1);
	cr_assert_eq(ntohl(*(uint32_t *)(tx_icmp(0) + 4)), 42);
	/* Action 11 and a multicast destination: silently discarded. */
	fake_ntx = 0;
	body[2] = 0xc0;
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "ff02::1", 64, NEXTHDR_DEST, body, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
}

Test(icmp6, rate_limit_per_destination_leaves_other_hosts_alone)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	make_reachable(FAKE_IF_A, "2001:db8:1::6", 6);
	for (int i = 0; i < 200; i++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(count_icmp(ICMP6_TIME_EXCEED, 0), STACK_ICMP_PER_DST_BURST);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_OUT_RATE_LIMIT_HOST], 200 - STACK_ICMP_PER_DST_BURST);
	/* A traceroute from another host still gets its answers. */
	fake_ntx = 0;
	for (int i = 0; i < 3; i++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::6", "2001:db8:2::9", 1, 8);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(count_icmp(ICMP6_TIME_EXCEED, 0), 3);
	/* The flooded host's bucket refills with time: 100/s. */
	fake_ntx = 0;
	fake_now += 100 * NSEC_PER_MSEC;
	for (int i = 0; i < 50; i++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(count_icmp(ICMP6_TIME_EXCEED, 0), 10);
}

Test(icmp6, rate_limit_configurable_and_can_be_off)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	struct stack_icmp_ratelimit rl = { 0, 0, 0, 0 };
	stack_icmp_ratelimit_set(&rl);
	for (int i = 0; i < 300; i++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(count_icmp(ICMP6_TIME_EXCEED, 0), 300);
	rl = (struct stack_icmp_ratelimit){ 1, 2, 0, 0 };
	stack_icmp_ratelimit_set(&rl);
	fake_ntx = 0;
	for (int i = 0; i < 10; i++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(count_icmp(ICMP6_TIME_EXCEED, 0), 2);
	struct stack_icmp_ratelimit def = { STACK_ICMP_PER_DST_RATE, STACK_ICMP_PER_DST_BURST,
					    STACK_ICMP_GLOBAL_RATE, STACK_ICMP_GLOBAL_BURST };
	stack_icmp_ratelimit_set(&def);
}

Test(icmp6, packet_too_big_teaches_path_mtu_never_below_1280_never_raised)
{
	/* A PTB about a packet we sent to 2001:db8:2::9. */
	uint8_t body[8 + 48] = { ICMP6_PKT_TOOBIG, 0, 0, 0, 0, 0, 0x03, 0xe8 }; /* 1000 */
	struct ip6_hdr_wire *inner = (struct ip6_hdr_wire *)(body + 8);
	inner->vtc_flow = htonl(0x60000000u);
	inner->saddr = A("2001:db8:1::1");
	inner->daddr = A("2001:db8:2::9");
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::77", "2001:db8:1::1", 64,
				 NEXTHDR_ICMP, body, sizeof(body));
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	struct in6_addr d = A("2001:db8:2::9");
	cr_assert_eq(rt6_pmtu_get(&d), 1280);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_PKT_TOO_BIGS], 1);
	/* A PTB announcing more does not raise it. */
	body[6] = 0x05;
	body[7] = 0xdc; /* 1500 */
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::77", "2001:db8:1::1", 64, NEXTHDR_ICMP,
			  body, sizeof(body));
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(rt6_pmtu_get(&d), 1280);
}

/* The path MTU cache is bounded (1024 entries, 4 per hash set): many
 * destinations never grow it, a recent entry is always found, an old one
 * makes room, and expiry (RFC 8201 4) forgets an estimate. */
Test(icmp6, path_mtu_cache_is_bounded_and_keeps_recent_entries)
{
	struct in6_addr d = A("2001:db8:2::");
	unsigned found = 0;

	rt6_pmtu_flush();
	for (unsigned i = 0; i < 5000; i++) {
		d.s6_addr[14] = (uint8_t)(i >> 8);
		d.s6_addr[15] = (uint8_t)i;
		rt6_pmtu_update(&d, 1280 + i % 200);
		cr_assert_eq(rt6_pmtu_get(&d), 1280 + i % 200, "entry %u just learned", i);
		fake_advance_ms(1);
	}
	for (unsigned i = 0; i < 5000; i++) {
		d.s6_addr[14] = (uint8_t)(i >> 8);
		d.s6_addr[15] = (uint8_t)i;
		uint32_t mtu = rt6_pmtu_get(&d);
		cr_assert(mtu == 0 || mtu == 1280 + i % 200, "entry %u: %u", i, mtu);
		found += mtu != 0;
	}
	cr_assert_leq(found, 1024, "%u entries kept: the cache is bounded", found);
	cr_assert_geq(found, 700, "only %u of the last 1024 destinations kept", found);
	/* RFC 8201 4: an estimate expires. */
	fake_advance_ms((uint64_t)PMTU_EXPIRES_SEC * 1000 + 1);
	cr_assert_eq(rt6_pmtu_get(&d), 0);
}

Test(icmp6, udp_to_router_gets_port_unreachable)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	uint8_t udp[16] = { 0x80, 0x00, 0x82, 0x9b, 0, 16, 0, 0, 'h', 'e', 'l', 'l', 'o', '!', '!', '!' };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_UDP, udp, sizeof(udp));
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)(frame + 14);
	uint16_t c = ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_UDP, frame + 54, 16);
	frame[54 + 6] = (uint8_t)(c >> 8);
	frame[54 + 7] = (uint8_t)c;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), 1);
	cr_assert(tx_addr_is(0, false, "2001:db8:1::1"));
	/* A bad checksum gets nothing. */
	fake_ntx = 0;
	frame[len - 1] ^= 1;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_UDP_CSUM], 1);
}

/* RFC 6724 rule 2 before rule 5: an error to a global destination comes
 * from a global address even when the ingress has only its link-local (a
 * link-local source would be dropped by the next router), as the kernel's
 * ipv6_dev_get_saddr picks one of another interface. */
Test(icmp6, source_is_global_of_another_link_when_ingress_has_no_global)
{
	make_reachable(FAKE_IF_A, "2001:db8:1::5", 5);
	fake_devs[0].naddrs = 1; /* only fe80::a left on interface a */
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, "2001:db8:2::1"));
	/* Errors to a link-local source always come from a link-local. */
	fake_devs[0].naddrs = 2;
	fake_ntx = 0;
	char err[256];
	struct in6_addr ll = A("fe80::5");
	neigh_add_static(FAKE_IF_A, &ll, (uint8_t[]){ 2, 0, 0, 0, 0x55, 5 }, err);
	len = build_echo_frame(frame, FAKE_IF_A, "fe80::5", "2001:db8:2::9", 1, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, "fe80::a"));
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_A);
}
