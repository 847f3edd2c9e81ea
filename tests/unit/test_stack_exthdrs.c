/* xrt tests: hop-by-hop TLVs (ip6_parse_tlv), extension chain walk, routing header, unknown next header. */
#include <criterion/criterion.h>
#include "stack/neighbour.h"
#include "test_stack_fake.h"

static uint8_t frame[4000];
static uint8_t body[4000];

static void setup(void)
{
	fake_setup();
	/* Make 2001:db8:1::5 reachable so answers leave at once. */
	char err[256];
	struct in6_addr a = A("2001:db8:1::5");
	neigh_add_static(FAKE_IF_A, &a, (uint8_t[]){ 2, 0, 0, 0, 0x55, 5 }, err);
	fake_ntx = 0;
}

TestSuite(exthdrs, .init = setup, .fini = fake_teardown);

/* An options header (8 bytes: next, len 0, then 6 bytes of options)
 * followed by an echo request; returns the frame length. */
static size_t opts_then_echo(uint8_t first, const uint8_t opts[6], const char *dst)
{
	body[0] = NEXTHDR_ICMP;
	body[1] = 0;
	memcpy(body + 2, opts, 6);
	size_t elen = build_echo(body + 8, 7, 7, 8);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", dst, 64, first, body, 8 + elen);
	fix_icmp_csum(frame, len, 14 + 40 + 8);
	return len;
}

static uint32_t pointer_of(int i)
{
	return ntohl(*(uint32_t *)(tx_icmp(i) + 4));
}

Test(exthdrs, hop_by_hop_padn_and_router_alert_pass)
{
	const uint8_t opts[6] = { IP6_TLV_ROUTER_ALERT, 2, 0, 0, IP6_TLV_PADN, 0 };
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:1::1"));
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1);
}

Test(exthdrs, unknown_option_actions)
{
	/* 00: skip. */
	uint8_t opts[6] = { 0x1e, 4, 0, 0, 0, 0 };
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:1::1"));
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1);
	/* 01: discard silently. */
	fake_ntx = 0;
	opts[0] = 0x5e;
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:1::1"));
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_TLV_UNKNOWN], 1);
	/* 10: Parameter Problem code 2 pointing at the option type (40 + 2). */
	opts[0] = 0x9e;
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:1::1"));
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_OPTION), 1);
	cr_assert_eq(pointer_of(0), 42);
	/* 11 to a unicast destination: the same. */
	fake_ntx = 0;
	opts[0] = 0xde;
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:1::1"));
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_OPTION), 1);
	/* Second option position: pointer follows it. */
	fake_ntx = 0;
	uint8_t opts2[6] = { IP6_TLV_PAD1, IP6_TLV_PAD1, 0x9e, 2, 0, 0 };
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_DEST, opts2, "2001:db8:1::1"));
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_OPTION), 1);
	cr_assert_eq(pointer_of(0), 44);
}

Test(exthdrs, option_running_past_header_is_dropped)
{
	const uint8_t opts[6] = { 0x1e, 9, 0, 0, 0, 0 };
	rx(FAKE_IF_A, frame, opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:1::1"));
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_TLV_MALFORMED], 1);
	/* Too much padding in a row (RFC 8200 4.2 allows at most 7). */
	uint8_t pad[14] = { NEXTHDR_NONE, 1, IP6_TLV_PADN, 10 };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_DEST, pad, 16);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_TLV_MALFORMED], 2);
}

Test(exthdrs, forwarded_packet_with_hop_by_hop_keeps_it)
{
	char err[256];
	struct in6_addr b = A("2001:db8:2::9");
	neigh_add_static(FAKE_IF_B, &b, (uint8_t[]){ 2, 0, 0, 0, 0x66, 9 }, err);
	fake_ntx = 0;
	const uint8_t opts[6] = { IP6_TLV_PADN, 4, 0, 0, 0, 0 };
	size_t len = opts_then_echo(NEXTHDR_HOP, opts, "2001:db8:2::9");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_B);
	cr_assert_eq(tx_ip6(0)[6], NEXTHDR_HOP);
	cr_assert_eq(memcmp(tx_ip6(0) + 40, frame + 54, len - 54), 0);
}

Test(exthdrs, unknown_next_header_pointer_names_the_byte)
{
	uint8_t b[8] = { 0 };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 253, b, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_NEXTHDR), 1);
	cr_assert_eq(pointer_of(0), 6);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_UNKNOWN_PROTOS], 1);
	/* Behind a destination options header: pointer 40. */
	fake_ntx = 0;
	const uint8_t opts[6] = { IP6_TLV_PADN, 4, 0, 0, 0, 0 };
	len = opts_then_echo(NEXTHDR_DEST, opts, "2001:db8:1::1");
	frame[54] = 253;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_NEXTHDR), 1);
	cr_assert_eq(pointer_of(0), 40);
	/* Hop-by-hop anywhere but first: code 1 too. */
	fake_ntx = 0;
	len = opts_then_echo(NEXTHDR_DEST, opts, "2001:db8:1::1");
	frame[54] = NEXTHDR_HOP;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_NEXTHDR), 1);
}

Test(exthdrs, routing_header_rules)
{
	/* Segments left 0: ignored, the echo is answered. */
	body[0] = NEXTHDR_ICMP;
	body[1] = 2;  /* 24 bytes: one address */
	body[2] = 0;  /* type 0 */
	body[3] = 0;  /* segments left */
	memset(body + 4, 0, 20);
	size_t elen = build_echo(body + 24, 1, 1, 8);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_ROUTING, body, 24 + elen);
	fix_icmp_csum(frame, len, 14 + 40 + 24);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1);
	/* Type 0 (RFC 5095) and an unknown type with segments left: code 0 at
	 * the routing type, offset 42. */
	static const uint8_t types[] = { 0, 4, 253 };
	for (unsigned t = 0; t < sizeof(types); t++) {
		uint8_t type = types[t];
		fake_ntx = 0;
		frame[54 + 2] = type;
		frame[54 + 3] = 1;
		rx(FAKE_IF_A, frame, len);
		cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_HEADER), 1, "type %u ntx %u", type, fake_ntx);
		cr_assert_eq(pointer_of(0), 42);
	}
}

Test(exthdrs, truncated_and_bad_headers)
{
	uint8_t b[8] = { 0 };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, NEXTHDR_ICMP, b, 8);
	/* Payload length beyond the frame. */
	frame[14 + 5] = 200;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_TRUNCATED_PKTS], 1);
	/* Version 4 in an IPv6 frame. */
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, NEXTHDR_ICMP, b, 8);
	frame[14] = 0x40;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_VERSION], 1);
	/* Multicast source, loopback destination. */
	len = build_frame(frame, FAKE_IF_A, "ff02::1", "2001:db8:1::1", 64, NEXTHDR_ICMP, b, 8);
	rx(FAKE_IF_A, frame, len);
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "::1", 64, NEXTHDR_ICMP, b, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.drop[STACK_DROP_BAD_ADDR], 2);
	/* Shorter than an IPv6 header. */
	rx(FAKE_IF_A, frame, 14 + 20);
	cr_assert_eq(sstats.drop[STACK_DROP_SHORT], 1);
	cr_assert_eq(fake_ntx, 0);
	/* Link padding after the payload is trimmed: the echo still works. */
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 8);
	memset(frame + len, 0xee, 10);
	rx(FAKE_IF_A, frame, len + 10);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1);
	cr_assert_eq(tx_ip6_len(0), len - 14);
}

/* RFC 2675: payload length 0 and a Jumbo Payload option. */
static size_t jumbo_frame(uint16_t payload_len, uint32_t jumbo_len)
{
	uint8_t b[16] = { NEXTHDR_NONE, 0, IP6_TLV_JUMBO, 4 };
	uint32_t jl = htonl(jumbo_len);
	memcpy(b + 4, &jl, 4);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_HOP, b, 8);
	frame[14 + 4] = (uint8_t)(payload_len >> 8);
	frame[14 + 5] = (uint8_t)payload_len;
	return len;
}

Test(exthdrs, jumbo_payload_option_checks)
{
	/* Jumbo length that fits 16 bits: code 0 at the option's length field. */
	rx(FAKE_IF_A, frame, jumbo_frame(0, 1000));
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_HEADER), 1);
	cr_assert_eq(pointer_of(0), 44);
	/* Non-zero payload length with a Jumbo option: code 0 at the option. */
	fake_ntx = 0;
	rx(FAKE_IF_A, frame, jumbo_frame(8, 70000));
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_HEADER), 1);
	cr_assert_eq(pointer_of(0), 42);
	/* A valid jumbogram longer than the frame: truncated, no answer. */
	fake_ntx = 0;
	rx(FAKE_IF_A, frame, jumbo_frame(0, 70000));
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_TRUNCATED_PKTS], 1);
	/* Payload length 0 with a hop-by-hop header but no Jumbo option. */
	uint8_t b[8] = { NEXTHDR_NONE, 0, IP6_TLV_PADN, 4 };
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_HOP, b, 8);
	frame[14 + 5] = 0;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_TRUNCATED_PKTS], 2);
	cr_assert_eq(fake_ntx, 0);
}

static unsigned raw_calls;
static uint8_t raw_last;
static bool raw_take_253(const struct pkt *p, uint8_t nexthdr)
{
	(void)p;
	raw_calls++;
	raw_last = nexthdr;
	return nexthdr == 253;
}

Test(exthdrs, raw_sockets_see_a_copy_first)
{
	inet6_set_raw_deliver(raw_take_253);
	/* An echo: raw sees ICMPv6, the handler still answers. */
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(raw_calls, 1);
	cr_assert_eq(raw_last, NEXTHDR_ICMP);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1);
	/* Next header 253 taken by a raw socket: delivered, no Parameter Problem. */
	fake_ntx = 0;
	uint8_t b[8] = { 0 };
	len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 253, b, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_UNKNOWN_PROTOS], 0);
	inet6_set_raw_deliver(NULL);
}
