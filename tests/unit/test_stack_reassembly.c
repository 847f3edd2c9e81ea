/* xrt tests: reassembly (order, overlap, holes, timeout, limits, RFC 7112, atomic) and fragmentation of replies. */
#include <criterion/criterion.h>
#include "stack/neighbour.h"
#include "stack/reassembly.h"
#include "test_stack_fake.h"

static uint8_t frame[9000];
static uint8_t whole[70000]; /* the unfragmented echo request (IPv6 packet) */
static size_t whole_len;

static void setup(void)
{
	fake_setup();
	char err[256];
	struct in6_addr a = A("2001:db8:1::5");
	neigh_add_static(FAKE_IF_A, &a, (uint8_t[]){ 2, 0, 0, 0, 0x55, 5 }, err);
	fake_ntx = 0;
	static uint8_t tmp[70000];
	size_t len = build_echo_frame(tmp, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 3000);
	whole_len = len - 14;
	memcpy(whole, tmp + 14, whole_len);
}

TestSuite(reasm, .init = setup, .fini = fake_teardown);

/* Fragment [off, off+len) of the echo's payload (after the IPv6 header). */
static size_t frag_frame(uint32_t id, size_t off, size_t len, bool more)
{
	uint8_t body[9000];
	body[0] = NEXTHDR_ICMP;
	body[1] = 0;
	uint16_t of = (uint16_t)(off | (more ? 1 : 0));
	body[2] = (uint8_t)(of >> 8);
	body[3] = (uint8_t)of;
	uint32_t idn = htonl(id);
	memcpy(body + 4, &idn, 4);
	memcpy(body + 8, whole + 40 + off, len);
	return build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
			   NEXTHDR_FRAGMENT, body, 8 + len);
}

static void send_frag(uint32_t id, size_t off, size_t len, bool more)
{
	rx(FAKE_IF_A, frame, frag_frame(id, off, len, more));
}

/* The echo reply comes back fragmented (3048 bytes > MTU 1500): put it
 * together and compare with what was sent. */
static void assert_reply_matches(void)
{
	uint8_t reply[4000];
	size_t total = 0;
	unsigned nfrag = 0;
	for (unsigned i = 0; i < fake_ntx; i++) {
		const uint8_t *ip6 = tx_ip6(i);
		if (ip6[6] != NEXTHDR_FRAGMENT)
			continue;
		cr_assert_leq(tx_ip6_len(i), 1500);
		size_t off = (size_t)(ip6[42] << 8 | ip6[43]) & 0xfff8;
		size_t len = tx_ip6_len(i) - 48;
		memcpy(reply + off, ip6 + 48, len);
		if (!(ip6[43] & 1))
			total = off + len;
		nfrag++;
	}
	cr_assert_eq(nfrag, 3);
	cr_assert_eq(total, whole_len - 40);
	cr_assert_eq(reply[0], ICMP6_ECHO_REPLY);
	cr_assert_eq(memcmp(reply + 4, whole + 44, total - 4), 0);
	cr_assert_eq(sstats.mib[XRT_MIB_FRAG_CREATES], 3);
}

Test(reasm, in_order)
{
	send_frag(1, 0, 1232, true);
	send_frag(1, 1232, 1232, true);
	send_frag(1, 2464, whole_len - 40 - 2464, false);
	assert_reply_matches();
	cr_assert_eq(sstats.mib[XRT_MIB_REASM_OKS], 1);
	cr_assert_eq(reassembly_queues(), 0);
	cr_assert_eq(reassembly_mem(), 0);
}

Test(reasm, reversed)
{
	send_frag(2, 2464, whole_len - 40 - 2464, false);
	send_frag(2, 1232, 1232, true);
	send_frag(2, 0, 1232, true);
	assert_reply_matches();
}

Test(reasm, overlap_discards_the_datagram)
{
	send_frag(3, 0, 1232, true);
	send_frag(3, 1224, 1240, true); /* overlaps the first by 8 bytes */
	send_frag(3, 2464, whole_len - 40 - 2464, false);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_FRAG_OVERLAP], 1);
	/* The late pieces opened a new datagram that never completes. */
	fake_advance_ms(IP6_FRAG_TIMEOUT_SEC * 1000 + 100);
	cr_assert_eq(fake_ntx, 0); /* no first fragment: no Time Exceeded */
	cr_assert_eq(reassembly_queues(), 0);
}

Test(reasm, exact_duplicate_is_harmless)
{
	send_frag(4, 0, 1232, true);
	send_frag(4, 0, 1232, true);
	send_frag(4, 1232, 1232, true);
	send_frag(4, 2464, whole_len - 40 - 2464, false);
	assert_reply_matches();
}

Test(reasm, hole_times_out_with_time_exceeded_code_1)
{
	send_frag(5, 0, 1232, true);
	send_frag(5, 2464, whole_len - 40 - 2464, false);
	fake_advance_ms(IP6_FRAG_TIMEOUT_SEC * 1000 - 100);
	cr_assert_eq(fake_ntx, 0);
	fake_advance_ms(200);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_icmp(0)[0], ICMP6_TIME_EXCEED);
	cr_assert_eq(tx_icmp(0)[1], ICMP6_TE_REASSEMBLY);
	/* It quotes the first fragment. */
	frag_frame(5, 0, 1232, true);
	cr_assert_eq(memcmp(tx_icmp(0) + 8, frame + 14, 1232), 0);
	cr_assert_eq(sstats.mib[XRT_MIB_REASM_TIMEOUT], 1);
	cr_assert_eq(reassembly_mem(), 0);
}

Test(reasm, no_time_exceeded_without_first_fragment)
{
	send_frag(6, 1232, 1232, true);
	fake_advance_ms(IP6_FRAG_TIMEOUT_SEC * 1000 + 100);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.mib[XRT_MIB_REASM_TIMEOUT], 1);
}

Test(reasm, length_not_multiple_of_8_and_too_long)
{
	send_frag(7, 0, 1230, true);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_HEADER), 1);
	cr_assert_eq(ntohl(*(uint32_t *)(tx_icmp(0) + 4)), 4);
	fake_ntx = 0;
	/* offset 65528 + 16 bytes > 65535 */
	size_t len = frag_frame(8, 0, 16, false);
	frame[54 + 2] = 0xff;
	frame[54 + 3] = 0xf8;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_HEADER), 1);
	cr_assert_eq(ntohl(*(uint32_t *)(tx_icmp(0) + 4)), 42);
}

Test(reasm, first_fragment_without_upper_header_gets_code_3)
{
	/* Destination options header in the first fragment, ICMP header in
	 * the next: the chain is incomplete (RFC 7112). */
	uint8_t body[64] = { NEXTHDR_DEST, 0, 0, 1, 0, 0, 0, 9 };
	body[8] = NEXTHDR_ICMP;
	body[9] = 0;
	body[10] = IP6_TLV_PADN;
	body[11] = 4;
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_FRAGMENT, body, 16);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_INCOMPLETE_CHAIN), 1);
	cr_assert_eq(ntohl(*(uint32_t *)(tx_icmp(0) + 4)), 0);
}

Test(reasm, atomic_fragment_processed_alone)
{
	/* A pending datagram with the same id must not interfere. */
	send_frag(9, 1232, 1232, true);
	uint8_t body[64] = { NEXTHDR_ICMP, 0, 0, 0, 0, 0, 0, 9 };
	size_t elen = build_echo(body + 8, 1, 1, 8);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_FRAGMENT, body, 8 + elen);
	fix_icmp_csum(frame, len, 54 + 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1);
	cr_assert_eq(reassembly_queues(), 1);
}

Test(reasm, nd_in_a_fragment_is_ignored)
{
	/* RFC 6980: an NS for our address inside an atomic fragment. */
	uint8_t body[64] = { NEXTHDR_ICMP, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t *ns = body + 8;
	ns[0] = ND_NEIGHBOR_SOLICIT;
	struct in6_addr t = A("2001:db8:1::1");
	memcpy(ns + 8, &t, 16);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 255,
				 NEXTHDR_FRAGMENT, body, 8 + 24);
	fix_icmp_csum(frame, len, 54 + 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_ND_IN_FRAGMENT], 1);
}

Test(reasm, memory_and_queue_count_are_bounded)
{
	/* Far more incomplete datagrams than fit: each holds ~1.2 kB. */
	for (uint32_t id = 100; id < 100 + 5000; id++)
		send_frag(id, 1232, 1232, true);
	cr_assert_leq(reassembly_mem(), REASM_MEM_MAX);
	cr_assert_leq(reassembly_queues(), REASM_MAX_QUEUES);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.gauge[STACK_GAUGE_REASM_BYTES], reassembly_mem());
	cr_assert_eq(st.gauge[STACK_GAUGE_REASM_QUEUES], REASM_MAX_QUEUES);
	cr_assert_gt(st.gauge[STACK_GAUGE_REASM_BYTES], 0);
	cr_assert_eq(st.gauge[STACK_GAUGE_NEIGH_ENTRIES], 1); /* the static one */
	cr_assert_gt(sstats.drop[STACK_DROP_FRAG_MEM], 0);
	/* A fresh datagram still gets through. */
	fake_ntx = 0;
	send_frag(1, 0, 1232, true);
	send_frag(1, 1232, 1232, true);
	send_frag(1, 2464, whole_len - 40 - 2464, false);
	assert_reply_matches();
}

Test(reasm, replies_fit_the_tx_frame_on_jumbo_links)
{
	/* A 9000-byte link, but the transmit path carries 4096-byte frames:
	 * a 6048-byte echo reply leaves in two fragments that fit. */
	fake_devs[0].mtu = 9000;
	senv.tx_max_frame = 4096;
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 6000);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 2);
	for (unsigned i = 0; i < fake_ntx; i++) {
		cr_assert_leq(fake_tx[i].len, 4096);
		cr_assert_eq(tx_ip6(i)[6], NEXTHDR_FRAGMENT);
	}
	cr_assert_eq(sstats.mib[XRT_MIB_FRAG_CREATES], 2);
}
