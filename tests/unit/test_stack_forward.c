/* xrt tests: ip6_forward checks and errors, neighbour resolution (NS, hold queue, DU 3), NUD, Redirect. */
#include <criterion/criterion.h>
#include "stack/neighbour.h"
#include "test_stack_fake.h"

static uint8_t frame[4000];

TestSuite(forward, .init = fake_setup, .fini = fake_teardown);

static void send_na(int ifindex, const char *target, uint8_t flags, const uint8_t *mac)
{
	uint8_t body[32] = { ND_NEIGHBOR_ADVERT, 0, 0, 0, flags };
	struct in6_addr t = A(target);
	memcpy(body + 8, &t, 16);
	size_t blen = 24;
	if (mac) {
		body[24] = ND_OPT_TARGET_LL_ADDR;
		body[25] = 1;
		memcpy(body + 26, mac, 6);
		blen = 32;
	}
	size_t len = build_frame(frame, ifindex, target, ifindex == FAKE_IF_A ? "fe80::a" : "fe80::b",
				 255, NEXTHDR_ICMP, body, blen);
	fix_icmp_csum(frame, len, 54);
	rx(ifindex, frame, len);
}

static const uint8_t mac_h5[6] = { 2, 0, 0, 0, 0x55, 5 };
static const uint8_t mac_gw[6] = { 2, 0, 0, 0, 0x99, 0x99 };

/* Ping the router from addr (the reply starts resolution), then answer. */
static void resolve(const char *addr, const char *router, const uint8_t *mac)
{
	size_t len = build_echo_frame(frame, FAKE_IF_A, addr, router, 64, 8);
	rx(FAKE_IF_A, frame, len);
	send_na(FAKE_IF_A, addr, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE, mac);
	fake_ntx = 0;
	fake_nneigh_calls = 0;
}

static void resolve_h5(void)
{
	resolve("2001:db8:1::5", "2001:db8:1::1", mac_h5);
}

static unsigned queued_total;
static void sum_queued(const struct neigh_info *n, void *arg)
{
	(void)arg;
	queued_total += n->queued;
}

static uint16_t found_state;
static void get_state(const struct neigh_info *n, void *arg)
{
	if (ip6_eq(&n->addr, arg))
		found_state = n->state;
}

Test(forward, neighbour_miss_resolves_with_ns_then_forwards_queued)
{
	uint8_t pkts[3][200];
	size_t lens[3];
	for (int i = 0; i < 3; i++) {
		lens[i] = build_echo_frame(pkts[i], FAKE_IF_A, "2001:db8:1::5", "2001:db8:99::9", 64, 20 + i);
		rx(FAKE_IF_A, pkts[i], lens[i]);
	}
	/* One NS to the gateway's solicited-node group, with our MAC as SLLA. */
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_B);
	cr_assert_eq(tx_icmp(0)[0], ND_NEIGHBOR_SOLICIT);
	cr_assert(tx_addr_is(0, true, "ff02::1:ff00:99"));
	cr_assert(tx_addr_is(0, false, "fe80::b"));
	cr_assert_eq(tx_ip6(0)[7], 255);
	cr_assert(tx_csum_ok(0));
	struct in6_addr gw = A("fe80::99");
	cr_assert_eq(memcmp(tx_icmp(0) + 8, &gw, 16), 0);
	cr_assert_eq(tx_icmp(0)[24], ND_OPT_SOURCE_LL_ADDR);
	cr_assert_eq(memcmp(tx_icmp(0) + 26, fake_devs[1].mac, 6), 0);
	cr_assert_eq(memcmp(fake_tx[0].data, (uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 0x99 }, 6), 0);
	/* NA arrives: the three held packets leave in order, hop limit 63. */
	send_na(FAKE_IF_B, "fe80::99", ND_NA_FLAG_SOLICITED | ND_NA_FLAG_ROUTER, mac_gw);
	cr_assert_eq(fake_ntx, 4);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(fake_tx[1 + i].ifindex, FAKE_IF_B);
		cr_assert_eq(memcmp(fake_tx[1 + i].data, mac_gw, 6), 0);
		cr_assert_eq(memcmp(fake_tx[1 + i].data + 6, fake_devs[1].mac, 6), 0);
		cr_assert_eq(tx_ip6(1 + i)[7], 63);
		cr_assert_eq(tx_ip6_len(1 + i), lens[i] - 14);
		cr_assert_eq(memcmp(tx_ip6(1 + i) + 8, pkts[i] + 14 + 8, lens[i] - 14 - 8), 0);
	}
	/* The fast path learns the neighbour. */
	cr_assert_eq(fake_nneigh_calls, 1);
	cr_assert_eq(fake_neigh_calls[0].state, XRT_NUD_REACHABLE);
	cr_assert_eq(memcmp(fake_neigh_calls[0].mac, mac_gw, 6), 0);
	cr_assert_eq(sstats.mib[XRT_MIB_OUT_FORW_DATAGRAMS], 3);
}

Test(forward, unreachable_neighbour_three_ns_one_second_apart_then_du3)
{
	resolve_h5();
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::77", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	fake_advance_ms(990);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	fake_advance_ms(20);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 2);
	fake_advance_ms(1000);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 3);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, -1), 0);
	fake_advance_ms(1000);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 3);
	int du = find_icmp(ICMP6_DST_UNREACH, ICMP6_DU_ADDR);
	cr_assert_geq(du, 0);
	cr_assert(tx_addr_is(du, true, "2001:db8:1::5"));
	cr_assert(tx_addr_is(du, false, "2001:db8:1::1"));
	/* It quotes the packet as it was held (hop limit already 63). */
	cr_assert_eq(memcmp(tx_icmp(du) + 8 + 8, frame + 14 + 8, len - 14 - 8), 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_FAILED], 1);
}

Test(forward, hold_queue_is_bounded)
{
	for (int i = 0; i < NEIGH_HOLD_PKTS + 5; i++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::77", 64, 8);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(sstats.drop[STACK_DROP_NEIGH_QUEUE_FULL], 5);
	queued_total = 0;
	neigh_foreach(sum_queued, NULL);
	cr_assert_eq(queued_total, NEIGH_HOLD_PKTS);
}

Test(forward, too_big_no_route_prohibit_beyond_scope)
{
	resolve_h5();
	/* 1400 bytes toward interface b (MTU 1280): PTB with 1280. */
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 64, 1352);
	rx(FAKE_IF_A, frame, len);
	int i = find_icmp(ICMP6_PKT_TOOBIG, 0);
	cr_assert_geq(i, 0);
	cr_assert_eq(ntohl(*(uint32_t *)(tx_icmp(i) + 4)), 1280);
	/* The device's MTU failed in ip6_forward: quoted before the decrement. */
	cr_assert_eq(tx_icmp(i)[8 + 7], 64);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_TOO_BIG_ERRORS], 1);
	cr_assert_eq(sstats.mib[XRT_MIB_FRAG_FAILS], 1);
	fake_ntx = 0;
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:4444::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_NOROUTE), 1);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:dead::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_NOROUTE), 2);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:bad::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_ADMIN), 1);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:b1a::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 3);
	cr_assert_eq(sstats.drop[STACK_DROP_BLACKHOLE], 1);
	/* Handed to the kernel: neither forwarded nor answered, counted. */
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:5c::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 3);
	cr_assert_eq(sstats.drop[STACK_DROP_SRC_ROUTE_UNSUPPORTED], 1);
	/* Link-local source leaving its link: code 2, sent from our link-local. */
	resolve("fe80::5", "fe80::a", mac_h5);
	len = build_echo_frame(frame, FAKE_IF_A, "fe80::5", "2001:db8:2::9", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_BEYONDSCOPE), 1);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_NO_ROUTES], 3);
}

/* A route MTU below the device's: the kernel meets it in ip6_fragment, after
 * ip6_forward decremented the hop limit, and quotes the decremented packet. */
Test(forward, too_big_route_mtu_quotes_decremented_hop_limit)
{
	resolve_h5();
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:88::1", 64, 1402);
	rx(FAKE_IF_A, frame, len);
	int i = find_icmp(ICMP6_PKT_TOOBIG, 0);
	cr_assert_geq(i, 0);
	cr_assert_eq(ntohl(*(uint32_t *)(tx_icmp(i) + 4)), 1400);
	cr_assert_eq(tx_icmp(i)[8 + 7], 63);
	/* The rest of the quote is the packet as received. */
	cr_assert_eq(memcmp(tx_icmp(i) + 8 + 8, frame + 14 + 8, 32), 0);
	cr_assert_eq(sstats.mib[XRT_MIB_FRAG_FAILS], 1);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_TOO_BIG_ERRORS], 0);
	cr_assert_eq(sstats.mib[XRT_MIB_OUT_FORW_DATAGRAMS], 1);
	/* 1400 bytes fit the route: forwarded with hop limit 63. */
	fake_ntx = 0;
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:88::1", 64, 1352);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(count_icmp(ICMP6_PKT_TOOBIG, 0), 0);
}

Test(forward, forwarding_disabled_drops)
{
	fake_devs[0].forwarding = false;
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_FWD_DISABLED], 1);
	cr_assert_eq(sstats.mib[XRT_MIB_IN_ADDR_ERRORS], 1);
}

/* Forwarded frame i is pkt (len bytes as received) leaving ifindex to
 * dmac from that interface's MAC, hop limit decremented once
 * (ip6_forward), every other byte of the IPv6 packet unchanged. */
static void assert_forwarded(unsigned i, int ifindex, const uint8_t *dmac, const uint8_t *pkt, size_t len)
{
	cr_assert_eq(fake_tx[i].ifindex, ifindex, "frame %u leaves by %d, not %d", i, fake_tx[i].ifindex,
		     ifindex);
	cr_assert_eq(memcmp(fake_tx[i].data, dmac, 6), 0, "frame %u: destination MAC of the next hop", i);
	cr_assert_eq(memcmp(fake_tx[i].data + 6, fake_devs[ifindex - 1].mac, 6), 0,
		     "frame %u: source MAC", i);
	cr_assert_eq(tx_ip6_len(i), len - 14, "frame %u: IPv6 length", i);
	cr_assert_eq(memcmp(tx_ip6(i), pkt + 14, 7), 0,
		     "frame %u: version, class, label, length, next header", i);
	cr_assert_eq(tx_ip6(i)[7], pkt[14 + 7] - 1, "frame %u: hop limit decremented once", i);
	cr_assert_eq(memcmp(tx_ip6(i) + 8, pkt + 14 + 8, len - 14 - 8), 0,
		     "frame %u: addresses and payload", i);
}

/* Index of the first recorded frame that is not an ICMPv6 Redirect, or -1. */
static int find_not_redirect(void)
{
	for (unsigned i = 0; i < fake_ntx; i++)
		if (tx_ip6(i)[6] != NEXTHDR_ICMP || tx_icmp(i)[0] != ND_REDIRECT)
			return (int)i;
	return -1;
}

static const uint8_t mac_77[6] = { 2, 0, 0, 0, 0x77, 0x77 };

Test(forward, redirect_when_leaving_by_ingress_then_forward)
{
	uint8_t pkt[200];
	resolve_h5();
	/* 2001:db8:77::/48 is via fe80::77 on interface a, where it came in. */
	size_t len = build_echo_frame(pkt, FAKE_IF_A, "2001:db8:1::5", "2001:db8:77::1", 64, 8);
	rx(FAKE_IF_A, pkt, len);
	int r = find_icmp(ND_REDIRECT, 0);
	cr_assert_geq(r, 0);
	cr_assert(tx_addr_is(r, false, "fe80::a"));
	cr_assert(tx_addr_is(r, true, "2001:db8:1::5"));
	cr_assert_eq(tx_ip6(r)[7], 255);
	cr_assert(tx_csum_ok(r));
	struct in6_addr t = A("fe80::77"), d = A("2001:db8:77::1");
	cr_assert_eq(memcmp(tx_icmp(r) + 8, &t, 16), 0);
	cr_assert_eq(memcmp(tx_icmp(r) + 24, &d, 16), 0);
	/* Redirected Header option quotes the packet. */
	cr_assert_eq(tx_icmp(r)[40], ND_OPT_REDIRECTED_HDR);
	cr_assert_eq(memcmp(tx_icmp(r) + 48, pkt + 14, 40), 0);
	/* And the packet is still forwarded: held behind resolution of its
	 * next hop, which leaves with it once the NA arrives. */
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	queued_total = 0;
	neigh_foreach(sum_queued, NULL);
	cr_assert_eq(queued_total, 1, "the redirected packet is held for fe80::77");
	/* Counted when forwarded, before the neighbour output holds it
	 * (ip6_forward_finish). */
	cr_assert_eq(sstats.mib[XRT_MIB_OUT_FORW_DATAGRAMS], 1);
	fake_ntx = 0;
	send_na(FAKE_IF_A, "fe80::77", ND_NA_FLAG_SOLICITED | ND_NA_FLAG_ROUTER, mac_77);
	cr_assert_eq(fake_ntx, 1, "the held packet leaves on the NA");
	assert_forwarded(0, FAKE_IF_A, mac_77, pkt, len);
	cr_assert_eq(sstats.mib[XRT_MIB_OUT_FORW_DATAGRAMS], 1, "counted once, not again on release");
	/* Punted by the fast path for the Redirect: the fast path did not
	 * forward it (XDP cannot clone), so the daemon sends the Redirect and
	 * forwards the packet too: two frames, the Redirect and the packet. */
	fake_ntx = 0;
	struct xrt_punt_meta meta = { .magic = XRT_PUNT_MAGIC, .reason = XRT_PUNT_REDIRECT,
				      .ifindex = FAKE_IF_A };
	stack_rx(&meta, FAKE_IF_A, pkt, len);
	cr_assert_eq(fake_ntx, 2, "the Redirect and the forwarded packet");
	cr_assert_eq(count_icmp(ND_REDIRECT, 0), 1);
	int f = find_not_redirect();
	cr_assert_geq(f, 0, "the punted packet was not forwarded");
	assert_forwarded((unsigned)f, FAKE_IF_A, mac_77, pkt, len);
	cr_assert_eq(sstats.mib[XRT_MIB_OUT_FORW_DATAGRAMS], 2);
	/* A gateway named by a global address cannot be a Redirect target:
	 * no Redirect, and no packet lost either (held behind resolution of
	 * 2001:db8:1::66, then forwarded to it). */
	fake_ntx = 0;
	len = build_echo_frame(pkt, FAKE_IF_A, "2001:db8:1::5", "2001:db8:66::1", 64, 8);
	stack_rx(&meta, FAKE_IF_A, pkt, len);
	cr_assert_eq(count_icmp(ND_REDIRECT, 0), 0);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1, "resolving 2001:db8:1::66");
	queued_total = 0;
	neigh_foreach(sum_queued, NULL);
	cr_assert_eq(queued_total, 1, "the packet is held for 2001:db8:1::66");
	fake_ntx = 0;
	send_na(FAKE_IF_A, "2001:db8:1::66", ND_NA_FLAG_SOLICITED | ND_NA_FLAG_ROUTER, mac_gw);
	cr_assert_eq(fake_ntx, 1, "the held packet leaves on the NA");
	assert_forwarded(0, FAKE_IF_A, mac_gw, pkt, len);
	cr_assert_eq(sstats.mib[XRT_MIB_OUT_FORW_DATAGRAMS], 3);
}

Test(forward, nud_reachable_stale_delay_probe_gone)
{
	resolve_h5();
	struct in6_addr h5 = A("2001:db8:1::5");
	uint16_t state = 0;
	found_state = 0; neigh_foreach(get_state, &h5); state = found_state;
	cr_assert_eq(state, XRT_NUD_REACHABLE);
	fake_advance_ms(ND_REACHABLE_TIME_MS + 10);
	found_state = 0; neigh_foreach(get_state, &h5); state = found_state;
	cr_assert_eq(state, XRT_NUD_STALE);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, XRT_NUD_STALE);
	/* Use from the slow path: DELAY, then PROBE with unicast NS. */
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	found_state = 0; neigh_foreach(get_state, &h5); state = found_state;
	cr_assert_eq(state, XRT_NUD_DELAY);
	fake_ntx = 0;
	fake_advance_ms(ND_DELAY_FIRST_PROBE_TIME_MS + 10);
	found_state = 0; neigh_foreach(get_state, &h5); state = found_state;
	cr_assert_eq(state, XRT_NUD_PROBE);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	cr_assert_eq(memcmp(fake_tx[0].data, mac_h5, 6), 0);
	/* No answer to 3 probes: entry removed, fast path told (state 0). */
	fake_advance_ms(3 * ND_RETRANS_TIMER_MS + 10);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 3);
	state = 0;
	found_state = 0; neigh_foreach(get_state, &h5); state = found_state;
	cr_assert_eq(state, 0);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, 0);
}

Test(forward, static_neighbour_add_del_flush)
{
	char err[256];
	struct in6_addr a = A("2001:db8:2::50");
	uint8_t mac[6] = { 2, 1, 2, 3, 4, 5 };
	cr_assert_eq(neigh_add_static(FAKE_IF_B, &a, mac, err), 0);
	cr_assert_eq(fake_neigh_calls[0].state, XRT_NUD_PERMANENT);
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::50", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(memcmp(fake_tx[0].data, mac, 6), 0);
	cr_assert_lt(neigh_add_static(9, &a, mac, err), 0);
	cr_assert(strstr(err, "not attached"));
	uint8_t mcast_mac[6] = { 1, 0, 0, 0, 0, 1 };
	cr_assert_lt(neigh_add_static(FAKE_IF_B, &a, mcast_mac, err), 0);
	cr_assert_eq(neigh_table_flush(0, false), 0);
	cr_assert_eq(neigh_del(FAKE_IF_B, &a, err), 0);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, 0);
	cr_assert_lt(neigh_del(FAKE_IF_B, &a, err), 0);
}

Test(forward, stale_entry_used_by_fast_path_is_probed)
{
	resolve_h5();
	struct in6_addr h5 = A("2001:db8:1::5");
	fake_advance_ms(ND_REACHABLE_TIME_MS + 10);
	found_state = 0;
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_STALE);
	/* Not used by the fast path: stays STALE, no probes. */
	fake_ntx = 0;
	fake_advance_ms(3000);
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_STALE);
	cr_assert_eq(fake_ntx, 0);
	/* The fast path forwards through it: DELAY, then a unicast probe. */
	fake_used_ns = fake_now;
	fake_advance_ms(1100);
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_DELAY);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, XRT_NUD_DELAY);
	fake_advance_ms(ND_DELAY_FIRST_PROBE_TIME_MS);
	cr_assert_eq(count_icmp(ND_NEIGHBOR_SOLICIT, 0), 1);
	cr_assert(tx_addr_is(0, true, "2001:db8:1::5"));
	/* The neighbour answers: REACHABLE again. */
	send_na(FAKE_IF_A, "2001:db8:1::5", ND_NA_FLAG_SOLICITED, NULL);
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_REACHABLE);
}

Test(forward, na_override_rules)
{
	resolve_h5();
	struct in6_addr h5 = A("2001:db8:1::5");
	const uint8_t other[6] = { 2, 0, 0, 0, 0x77, 7 };
	/* O clear, different MAC: REACHABLE drops to STALE, MAC kept. */
	send_na(FAKE_IF_A, "2001:db8:1::5", 0, other);
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_STALE);
	uint8_t mac[6];
	cr_assert(neigh_lookup_mac(FAKE_IF_A, &h5, mac));
	cr_assert_eq(memcmp(mac, mac_h5, 6), 0);
	/* O set, unsolicited: MAC replaced, STALE, fast path told. */
	fake_nneigh_calls = 0;
	send_na(FAKE_IF_A, "2001:db8:1::5", ND_NA_FLAG_OVERRIDE, other);
	cr_assert(neigh_lookup_mac(FAKE_IF_A, &h5, mac));
	cr_assert_eq(memcmp(mac, other, 6), 0);
	cr_assert_eq(fake_nneigh_calls, 1);
	cr_assert_eq(fake_neigh_calls[0].state, XRT_NUD_STALE);
	cr_assert_eq(memcmp(fake_neigh_calls[0].mac, other, 6), 0);
	/* Solicited with the same MAC: REACHABLE. */
	send_na(FAKE_IF_A, "2001:db8:1::5", ND_NA_FLAG_SOLICITED, other);
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_REACHABLE);
	/* A static entry never changes through ND. */
	char err[256];
	cr_assert_eq(neigh_add_static(FAKE_IF_A, &h5, mac_h5, err), 0);
	send_na(FAKE_IF_A, "2001:db8:1::5", ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_SOLICITED, other);
	cr_assert(neigh_lookup_mac(FAKE_IF_A, &h5, mac));
	cr_assert_eq(memcmp(mac, mac_h5, 6), 0);
	neigh_foreach(get_state, &h5);
	cr_assert_eq(found_state, XRT_NUD_PERMANENT);
}
