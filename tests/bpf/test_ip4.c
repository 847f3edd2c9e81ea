/* xrt BPF tests: IPv4 on xrt's own FIB (bpf/ip_rcv.h, ip_route_input.h,
 * ip_forward.h, ip_finish_output2.h, arp_rcv.h): exact forwarded bytes,
 * every drop and punt outcome with its metadata and counters, the two
 * families' tries kept apart, ECMP, and random frames each counted once. */
#include <arpa/inet.h>
#include <errno.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "xrt/inet.h"
#include "xrt/multipath.h"
#include "xrt/proto.h"
#include "xrt/punt.h"

#define IP4_LEN 20
#define SRC4 "192.0.2.2"   /* a host behind xfa */
#define DST4 "203.0.113.9" /* via 198.51.100.2 on xfb */
#define V4(a) "::ffff:" a  /* the mapped form below the CLI (xrt/inet.h) */
#define P4(plen) (XRT_V4_PLEN_OFFSET + (plen))

static const uint8_t NMAC_GW[6] = { 0x02, 0, 0, 0, 0, 0x21 };   /* 198.51.100.2 */
static const uint8_t NMAC_CONN[6] = { 0x02, 0, 0, 0, 0, 0x27 }; /* 198.51.100.7 */
static const uint8_t NMAC_SAME[6] = { 0x02, 0, 0, 0, 0, 0x29 }; /* 192.0.2.9 */

/*
 * The IPv6 topology of harness.c (xfa slot 1, xfb slot 2, attached), plus
 * xrt's IPv4 routes in table main, as v4-ctl's RIB gives them (mapped
 * prefixes, plen + 96); the kernel has no IPv4 configuration at all:
 *   nh 10 via 198.51.100.2 dev xfb (REACHABLE ..:21)
 *   nh 11 198.51.100.0/24 connected on xfb, 198.51.100.7 STALE ..:27
 *   nh 12 via 192.0.2.9 dev xfa (egress == ingress, ..:29)
 *   nh 13 via 198.51.100.2 dev xfb mtu 1280
 *   nh 14 via 198.51.100.5 dev xfb (no neighbour)
 *   nh 15 via 198.51.100.6 dev xfb (..:26); group 2 = nh 10 + nh 15
 *   203.0.113.0/24 nh 10, 198.51.100.0/24 nh 11, 10.3/16 nh 12,
 *   10.4/16 nh 13, 10.5/16 nh 14, 10.6/16 group 2, 10.66/16 blackhole,
 *   10.77/16 unreachable, 10.88/16 prohibit, 198.51.100.1/32 local,
 *   192.0.2.255/32 broadcast. No default route.
 */
static void setup(void)
{
	uint32_t members[2] = { 10, 15 }, weights[2] = { 1, 1 };
	char err[XRT_ERR_LEN];

	xt_setup();
	xt_topology();
	xt_nh(10, if_b, V4("198.51.100.2"), 1500);
	xt_nh(11, if_b, NULL, 1500);
	xt_nh(12, if_a, V4("192.0.2.9"), 1500);
	xt_nh(13, if_b, V4("198.51.100.2"), 1280);
	xt_nh(14, if_b, V4("198.51.100.5"), 1500);
	xt_nh(15, if_b, V4("198.51.100.6"), 1500);
	cr_assert_eq(xrt_maps_grp_set(&M, 2, members, weights, 2, err), 0, "%s", err);
	xt_route(V4("203.0.113.0"), P4(24), XRT_RTN_UNICAST, 10);
	xt_route(V4("198.51.100.0"), P4(24), XRT_RTN_UNICAST, 11);
	xt_route(V4("10.3.0.0"), P4(16), XRT_RTN_UNICAST, 12);
	xt_route(V4("10.4.0.0"), P4(16), XRT_RTN_UNICAST, 13);
	xt_route(V4("10.5.0.0"), P4(16), XRT_RTN_UNICAST, 14);
	xt_route(V4("10.6.0.0"), P4(16), XRT_RTN_UNICAST, XRT_NH_GROUP | 2);
	xt_route(V4("10.66.0.0"), P4(16), XRT_RTN_BLACKHOLE, 0);
	xt_route(V4("10.77.0.0"), P4(16), XRT_RTN_UNREACHABLE, 0);
	xt_route(V4("10.88.0.0"), P4(16), XRT_RTN_PROHIBIT, 0);
	xt_route(V4("198.51.100.1"), P4(32), XRT_RTN_LOCAL, 0);
	xt_route(V4("192.0.2.255"), P4(32), XRT_RTN_BROADCAST, 0);
	xt_neigh(if_b, V4("198.51.100.2"), 0x21, XRT_NUD_REACHABLE);
	xt_neigh(if_b, V4("198.51.100.7"), 0x27, XRT_NUD_STALE);
	xt_neigh(if_a, V4("192.0.2.9"), 0x29, XRT_NUD_REACHABLE);
	xt_neigh(if_b, V4("198.51.100.6"), 0x26, XRT_NUD_PERMANENT);
}

TestSuite(ip4, .init = setup, .fini = xt_teardown);

/* RFC 1071: the checksum of an IPv4 header computed from scratch. */
static uint16_t csum(const uint8_t *h, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void set_csum(uint8_t *ip)
{
	int hlen = (ip[0] & 0x0f) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = csum(ip, hlen);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* Ethernet to MAC_A + IPv4 (DF, id 0x1234, TOS 0x28) + `payload` bytes;
 * UDP ports 40000 -> 53 when proto is UDP. */
static void ip4(struct xt_pkt *p, const char *src, const char *dst, uint8_t ttl,
		uint8_t proto, uint16_t payload)
{
	uint8_t *ip = xt_l3(p);
	const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0xee };
	uint16_t tot = (uint16_t)(IP4_LEN + payload);
	int i;

	cr_assert(ETH_LEN + IP4_LEN + payload <= PKT_MAX);
	memset(p, 0, sizeof(*p));
	memcpy(p->b, MAC_A, 6);
	memcpy(p->b + 6, peer, 6);
	p->b[12] = 0x08;
	p->b[13] = 0x00;
	ip[0] = 0x45;
	ip[1] = 0x28;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[4] = 0x12;
	ip[5] = 0x34;
	ip[6] = 0x40; /* DF */
	ip[8] = ttl;
	ip[9] = proto;
	cr_assert_eq(inet_pton(AF_INET, src, ip + 12), 1);
	cr_assert_eq(inet_pton(AF_INET, dst, ip + 16), 1);
	for (i = 0; i < payload; i++)
		ip[IP4_LEN + i] = (uint8_t)(i * 7 + 1);
	if (proto == 17 && payload >= 8) {
		ip[20] = 40000 >> 8;
		ip[21] = 40000 & 0xff;
		ip[22] = 0;
		ip[23] = 53;
	}
	set_csum(ip);
	p->len = ETH_LEN + tot;
}

/* The forwarded frame is the input with the lookup's MACs, TTL - 1 and a
 * checksum that a from-scratch computation agrees with. */
static void expect_forwarded(const struct xt_pkt *in, const struct xt_result *r,
			     const uint8_t dmac[6], const uint8_t smac[6])
{
	struct xt_pkt want = *in;
	uint8_t *ip = xt_l3(&want);

	memcpy(want.b, dmac, 6);
	memcpy(want.b + 6, smac, 6);
	ip[8]--;
	set_csum(ip);
	cr_assert_eq(r->meta_len, 0);
	cr_assert_eq(r->frame_len, want.len);
	cr_assert_arr_eq(r->frame, want.b, want.len);
	cr_assert_eq(csum(r->frame + ETH_LEN, IP4_LEN), 0, "output checksum valid");
}

/* The counters of a packet that got past ip_rcv: IpInReceives, octets. */
static void received(struct xrt_stats *st, const struct xt_pkt *p)
{
	st->mib[XRT_MIB_IP4_IN_RECEIVES] = 1;
	st->mib[XRT_MIB_IP4_IN_OCTETS] = p->len - ETH_LEN;
}

static void expect_counters(const struct xrt_stats *want)
{
	struct xrt_stats zero = { 0 };

	cr_assert(xt_stats_equal(1, want));
	cr_assert(xt_stats_equal(2, &zero), "egress slot untouched");
	cr_assert(xt_stats_equal(0, &zero), "slot 0 untouched");
}

Test(ip4, via_gateway_exact_bytes)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };

	ip4(&p, SRC4, DST4, 64, 17, 100);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, NMAC_GW, MAC_B);
	received(&st, &p);
	st.mib[XRT_MIB_IP4_FORW_DATAGRAMS] = 1;
	st.mib[XRT_MIB_IP4_OUT_OCTETS] = 120;
	expect_counters(&st);
}

/* RFC 1624: the incremental update agrees with a from-scratch checksum for
 * every checksum value the header can have; walking the identification
 * field over all 65536 values reaches 0xfeff, the one value whose update
 * needs the end-around carry. */
Test(ip4, incremental_checksum_every_value, .timeout = 60)
{
	struct xt_pkt p;
	struct xt_result r;
	uint8_t *ip;
	int id, carry_seen = 0;

	for (id = 0; id < 65536; id++) {
		ip4(&p, SRC4, DST4, 2, 6, 20);
		ip = xt_l3(&p);
		ip[4] = (uint8_t)(id >> 8);
		ip[5] = (uint8_t)id;
		set_csum(ip);
		carry_seen |= ip[10] == 0xfe && ip[11] == 0xff;
		xt_run(&p, if_a, &r);
		cr_assert_eq(r.ret, XDP_REDIRECT);
		expect_forwarded(&p, &r, NMAC_GW, MAC_B);
	}
	cr_assert(carry_seen, "checksum 0xfeff was exercised");
}

Test(ip4, connected_neighbour)
{
	struct xt_pkt p;
	struct xt_result r;

	ip4(&p, SRC4, "198.51.100.7", 64, 1, 56);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, NMAC_CONN, MAC_B);
}

Test(ip4, padding_trimmed)
{
	struct xt_pkt p, want;
	struct xt_result r;
	struct xrt_stats st = { 0 };

	ip4(&p, SRC4, DST4, 64, 17, 10);
	want = p;
	memset(p.b + p.len, 0xab, 30);
	p.len += 30;
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&want, &r, NMAC_GW, MAC_B);
	received(&st, &p); /* octets as received, padding included */
	st.mib[XRT_MIB_IP4_FORW_DATAGRAMS] = 1;
	st.mib[XRT_MIB_IP4_OUT_OCTETS] = 30;
	expect_counters(&st);
}

/* Run p from xfa: XDP_DROP, counters IpInReceives, octets, the drop reason
 * and the given MIB counters (XRT_MIB_MAX for none). */
static void expect_drop(const struct xt_pkt *p, unsigned reason, int mib1, int mib2)
{
	struct xt_result r;
	struct xrt_stats st = { 0 };

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "verdict %d", r.ret);
	received(&st, p);
	st.drop[reason] = 1;
	if (mib1 < XRT_MIB_MAX)
		st.mib[mib1]++;
	if (mib2 < XRT_MIB_MAX)
		st.mib[mib2]++;
	expect_counters(&st);
}

Test(ip4, drop_short)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 0);
	p.len = ETH_LEN + 19;
	expect_drop(&p, XRT_DROP_IP4_SHORT, XRT_MIB_IP4_IN_HDR_ERRORS, XRT_MIB_MAX);
}

Test(ip4, drop_options_beyond_frame)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 0);
	xt_l3(&p)[0] = 0x46; /* 24-byte header in a 20-byte frame */
	set_csum(xt_l3(&p));
	p.len = ETH_LEN + 20;
	expect_drop(&p, XRT_DROP_IP4_SHORT, XRT_MIB_IP4_IN_HDR_ERRORS, XRT_MIB_MAX);
}

Test(ip4, drop_version)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	xt_l3(&p)[0] = 0x55;
	set_csum(xt_l3(&p));
	expect_drop(&p, XRT_DROP_IP4_VERSION, XRT_MIB_IP4_IN_HDR_ERRORS, XRT_MIB_MAX);
}

Test(ip4, drop_ihl_below_5)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	xt_l3(&p)[0] = 0x44;
	expect_drop(&p, XRT_DROP_IP4_IHL, XRT_MIB_IP4_IN_HDR_ERRORS, XRT_MIB_MAX);
}

Test(ip4, drop_bad_checksum)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	xt_l3(&p)[11] ^= 0x01;
	expect_drop(&p, XRT_DROP_IP4_CSUM, XRT_MIB_IP4_IN_HDR_ERRORS,
		    XRT_MIB_IP4_IN_CSUM_ERRORS);
}

/* The checksum covers the options too. */
Test(ip4, drop_bad_checksum_in_options)
{
	struct xt_pkt p;
	uint8_t *ip;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	ip = xt_l3(&p);
	ip[0] = 0x46;
	ip[3] = 28;
	ip[20] = 1; /* NOP options, then the checksum, then one byte changed */
	ip[21] = 1;
	ip[22] = 1;
	ip[23] = 0;
	set_csum(ip);
	ip[22] = 0;
	expect_drop(&p, XRT_DROP_IP4_CSUM, XRT_MIB_IP4_IN_HDR_ERRORS,
		    XRT_MIB_IP4_IN_CSUM_ERRORS);
}

Test(ip4, drop_truncated)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 100);
	p.len -= 1;
	expect_drop(&p, XRT_DROP_IP4_TRUNCATED, XRT_MIB_IP4_IN_TRUNCATED_PKTS, XRT_MIB_MAX);
}

Test(ip4, drop_total_length_below_header)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	xt_l3(&p)[2] = 0;
	xt_l3(&p)[3] = 19;
	set_csum(xt_l3(&p));
	expect_drop(&p, XRT_DROP_IP4_TOT_LEN, XRT_MIB_IP4_IN_HDR_ERRORS, XRT_MIB_MAX);
}

Test(ip4, drop_martian_sources)
{
	static const char *martians[] = { "0.0.0.0", "0.1.2.3", "127.0.0.1",
					  "224.0.0.5", "239.1.1.1", "240.0.0.1",
					  "255.255.255.255" };
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	unsigned i, n = sizeof(martians) / sizeof(martians[0]);

	for (i = 0; i < n; i++) {
		ip4(&p, martians[i], DST4, 64, 17, 8);
		xt_run(&p, if_a, &r);
		cr_assert_eq(r.ret, XDP_DROP, "source %s: verdict %d", martians[i], r.ret);
	}
	st.mib[XRT_MIB_IP4_IN_RECEIVES] = n;
	st.mib[XRT_MIB_IP4_IN_OCTETS] = n * (p.len - ETH_LEN);
	st.mib[XRT_MIB_IP4_IN_ADDR_ERRORS] = n;
	st.drop[XRT_DROP_IP4_MARTIAN_SRC] = n;
	expect_counters(&st);
}

/*
 * Run p from xfa: XDP_PASS (no XSK is bound: the kernel fallback), the frame
 * unchanged behind the punt metadata, and the ingress counters: IpInReceives
 * and octets (if rcvd), the punt, NO_DAEMON and the MIB counter mib
 * (XRT_MIB_MAX for none).
 */
static void expect_punt(const struct xt_pkt *p, unsigned reason, uint32_t nh, uint32_t oif,
			uint32_t mtu, int mib, int rcvd)
{
	struct xt_result r;
	struct xrt_punt_meta meta;
	struct xrt_stats st = { 0 };

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "verdict %d", r.ret);
	cr_assert_eq(r.meta_len, sizeof(meta), "metadata length %u", r.meta_len);
	memcpy(&meta, r.out, sizeof(meta));
	cr_assert_eq(meta.magic, XRT_PUNT_MAGIC);
	cr_assert_eq(meta.reason, reason, "reason %u, want %u", meta.reason, reason);
	cr_assert_eq(meta.ifindex, (uint32_t)if_a);
	cr_assert_eq(meta.nh, nh, "nh %u", meta.nh);
	cr_assert_eq(meta.oif, oif, "oif %u", meta.oif);
	cr_assert_eq(meta.mtu, mtu, "mtu %u", meta.mtu);
	cr_assert_eq(r.frame_len, p->len);
	cr_assert_arr_eq(r.frame, p->b, p->len, "punted frame must be untouched");
	if (rcvd)
		received(&st, p);
	if (mib < XRT_MIB_MAX)
		st.mib[mib]++;
	st.punt[reason] = 1;
	st.pass[XRT_PASS_NO_DAEMON] = 1;
	expect_counters(&st);
}

/* ip_rcv_core: a frame for another host's MAC is dropped before any MIB. */
Test(ip4, drop_other_host)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };

	ip4(&p, SRC4, DST4, 64, 17, 8);
	p.b[5] = 0x77;
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP);
	st.drop[XRT_DROP_OTHERHOST] = 1;
	expect_counters(&st);
}

/* ip_forward never forwards a link-layer broadcast. */
Test(ip4, drop_ethernet_broadcast_to_forward)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	memset(p.b, 0xff, 6);
	expect_drop(&p, XRT_DROP_FWD_NOT_HOST, XRT_MIB_MAX, XRT_MIB_MAX);
}

/* Options go to xrtd (as IPv6 hop-by-hop), never to the kernel. */
Test(ip4, punt_options)
{
	struct xt_pkt p;
	uint8_t *ip;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	ip = xt_l3(&p);
	ip[0] = 0x46;
	ip[3] = 28;
	ip[20] = 0x94; /* router alert (RFC 2113) */
	ip[21] = 4;
	ip[22] = ip[23] = 0;
	set_csum(ip);
	expect_punt(&p, XRT_PUNT_HOPOPTS, 0, 0, 0, XRT_MIB_MAX, 1);
}

Test(ip4, punt_link_local_multicast)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "224.0.0.5", 1, 89, 8); /* OSPF */
	memcpy(p.b, (uint8_t[6]){ 0x01, 0x00, 0x5e, 0, 0, 5 }, 6);
	expect_punt(&p, XRT_PUNT_MCAST_LINK, 0, 0, 0, XRT_MIB_MAX, 1);
}

/* Destination and route outcomes, each from a fresh fixture: the verdict,
 * the reason, the punt metadata (the route's next hop is known when TTL runs
 * out) and the MIB counter, as bpf/README.md's IPv4 table lists them. */
static const struct outcome {
	const char *dst;
	uint8_t ttl;
	int punt; /* 1: punt `reason`, 0: drop `reason` */
	unsigned reason;
	uint32_t nh; /* metadata: next hop; oif is xfb when nh != 0 */
	int mib;
} OUTCOMES[] = {
	{ "239.1.2.3", 64, 0, XRT_DROP_MCAST, 0, XRT_MIB_MAX },
	/* brd_input: the limited broadcast. */
	{ "255.255.255.255", 64, 1, XRT_PUNT_LOCAL, 0, XRT_MIB_MAX },
	{ "0.0.0.0", 64, 0, XRT_DROP_IP4_MARTIAN_DST, 0, XRT_MIB_MAX },
	{ "0.1.2.3", 64, 0, XRT_DROP_IP4_MARTIAN_DST, 0, XRT_MIB_MAX },
	{ "127.0.0.1", 64, 0, XRT_DROP_IP4_MARTIAN_DST, 0, XRT_MIB_MAX },
	{ DST4, 1, 1, XRT_PUNT_HOP_LIMIT, 10, XRT_MIB_IP4_IN_HDR_ERRORS },
	{ DST4, 0, 1, XRT_PUNT_HOP_LIMIT, 10, XRT_MIB_IP4_IN_HDR_ERRORS },
	{ "10.66.0.1", 64, 0, XRT_DROP_BLACKHOLE, 0, XRT_MIB_MAX },
	{ "10.77.0.1", 64, 1, XRT_PUNT_UNREACHABLE, 0, XRT_MIB_MAX },
	{ "10.88.0.1", 64, 1, XRT_PUNT_PROHIBIT, 0, XRT_MIB_MAX },
	{ "100.64.0.1", 64, 1, XRT_PUNT_NO_ROUTE, 0, XRT_MIB_IP4_IN_NO_ROUTES },
	{ "198.51.100.1", 64, 1, XRT_PUNT_LOCAL, 0, XRT_MIB_MAX },
	/* A subnet-directed broadcast leaf (RTN_BROADCAST): delivered like local. */
	{ "192.0.2.255", 64, 1, XRT_PUNT_LOCAL, 0, XRT_MIB_MAX },
};

Test(ip4, destination_and_route_outcomes)
{
	struct xt_pkt p;
	unsigned i;

	for (i = 0; i < sizeof(OUTCOMES) / sizeof(OUTCOMES[0]); i++) {
		const struct outcome *o = &OUTCOMES[i];

		xt_teardown();
		setup();
		ip4(&p, SRC4, o->dst, o->ttl, 17, 8);
		if (o->punt)
			expect_punt(&p, o->reason, o->nh, o->nh ? (uint32_t)if_b : 0, 0, o->mib, 1);
		else
			expect_drop(&p, o->reason, o->mib, XRT_MIB_MAX);
	}
}

Test(ip4, punt_dhcp_discover)
{
	struct xt_pkt p;

	ip4(&p, "0.0.0.0", "255.255.255.255", 64, 17, 8);
	memset(p.b, 0xff, 6);
	expect_punt(&p, XRT_PUNT_LOCAL, 0, 0, 0, XRT_MIB_MAX, 1);
}

/* ip_route_input_slow: forwarding off on the ingress drops without ICMP
 * (ip_error), InNoRoutes without a route, InAddrErrors with one; local
 * delivery still works. */
Test(ip4, drop_forwarding_disabled)
{
	struct xrt_iface a = { .slot = 1, .mtu = 1500, .table = XRT_TABLE_MAIN };
	char err[XRT_ERR_LEN];
	struct xt_pkt p;

	memcpy(a.mac, MAC_A, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	ip4(&p, SRC4, DST4, 64, 17, 8);
	expect_drop(&p, XRT_DROP_FWD_DISABLED, XRT_MIB_IP4_IN_ADDR_ERRORS, XRT_MIB_MAX);
	xt_teardown();
	setup();
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	ip4(&p, SRC4, "100.64.0.1", 64, 17, 8);
	expect_drop(&p, XRT_DROP_FWD_DISABLED, XRT_MIB_IP4_IN_NO_ROUTES, XRT_MIB_MAX);
	xt_teardown();
	setup();
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	ip4(&p, SRC4, "198.51.100.1", 64, 1, 8);
	expect_punt(&p, XRT_PUNT_LOCAL, 0, 0, 0, XRT_MIB_MAX, 1);
}

Test(ip4, punt_no_neighbour)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.5.0.1", 64, 17, 8);
	expect_punt(&p, XRT_PUNT_NEIGH_MISS, 14, (uint32_t)if_b, 0, XRT_MIB_MAX, 1);
}

/* Connected: the key is the destination's mapped address. */
Test(ip4, punt_connected_no_neighbour)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "198.51.100.8", 64, 17, 8);
	expect_punt(&p, XRT_PUNT_NEIGH_MISS, 11, (uint32_t)if_b, 0, XRT_MIB_MAX, 1);
}

Test(ip4, punt_incomplete_neighbour)
{
	struct xt_pkt p;

	xt_neigh(if_b, V4("198.51.100.2"), 0x21, XRT_NUD_INCOMPLETE);
	ip4(&p, SRC4, DST4, 64, 17, 8);
	expect_punt(&p, XRT_PUNT_NEIGH_MISS, 10, (uint32_t)if_b, 0, XRT_MIB_MAX, 1);
}

/* Larger than the next hop's MTU: punted with the MTU, DF or not (xrtd
 * sends Fragmentation Needed or fragments); FragFails only with DF. One
 * byte less is forwarded. */
Test(ip4, punt_too_big)
{
	struct xt_pkt p;
	struct xt_result r;

	ip4(&p, SRC4, "10.4.0.1", 64, 17, 1280 - IP4_LEN + 1);
	expect_punt(&p, XRT_PUNT_TOO_BIG, 13, (uint32_t)if_b, 1280, XRT_MIB_IP4_FRAG_FAILS, 1);
	xt_teardown();
	setup();
	ip4(&p, SRC4, "10.4.0.1", 64, 17, 1280 - IP4_LEN + 1);
	xt_l3(&p)[6] = 0; /* DF clear */
	set_csum(xt_l3(&p));
	expect_punt(&p, XRT_PUNT_TOO_BIG, 13, (uint32_t)if_b, 1280, XRT_MIB_MAX, 1);
	ip4(&p, SRC4, "10.4.0.1", 64, 17, 1280 - IP4_LEN);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, NMAC_GW, MAC_B);
}

/* Egress == ingress: punted for the Redirect while the bucket has a
 * token, then forwarded back out with XDP_TX. */
Test(ip4, redirect_then_xdp_tx)
{
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 1 };
	char err[XRT_ERR_LEN];
	struct xt_result r;
	struct xt_pkt p;

	ip4(&p, SRC4, "10.3.0.1", 64, 17, 8);
	expect_punt(&p, XRT_PUNT_REDIRECT, 12, (uint32_t)if_a, 0, XRT_MIB_MAX, 1);
	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_REDIRECT, &cfg, err), 0, "%s", err);
	xt_run(&p, if_a, &r); /* the one token */
	cr_assert_eq(r.ret, XDP_PASS);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_TX, "bucket empty: forwarded without a Redirect");
	expect_forwarded(&p, &r, NMAC_SAME, MAC_A);
}

/* Egress attached in xrt_ifaces but missing from the devmap: dropped and
 * counted, never sent blind. */
Test(ip4, drop_egress_not_in_devmap)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	uint32_t key = (uint32_t)if_b;

	cr_assert_eq(bpf_map_delete_elem(M.tx_ports, &key), 0);
	ip4(&p, SRC4, DST4, 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP);
	received(&st, &p);
	st.mib[XRT_MIB_IP4_OUT_DISCARDS] = 1;
	st.drop[XRT_DROP_NO_TX_PORT] = 1;
	expect_counters(&st);
}

/* An ARP frame (RFC 826): Ethernet type 0x0806, a request for 192.0.2.1. */
static void arp(struct xt_pkt *p)
{
	static const uint8_t req[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0xee,
					 192, 0, 2, 2, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1 };

	memset(p, 0, sizeof(*p));
	memset(p->b, 0xff, 6);
	memcpy(p->b + 6, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0xee }, 6);
	p->b[12] = 0x08;
	p->b[13] = 0x06;
	memcpy(p->b + ETH_LEN, req, sizeof(req));
	p->len = ETH_LEN + sizeof(req);
}

Test(ip4, punt_arp)
{
	struct xt_pkt p;

	arp(&p);
	expect_punt(&p, XRT_PUNT_ARP, 0, 0, 0, XRT_MIB_MAX, 0);
}

/* An ARP flood is bounded by its punt budget: past the burst every frame
 * is dropped and counted (punt_limit), no IPv4 or IPv6 MIB moves. */
Test(ip4, arp_flood_budgeted)
{
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 3 };
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];
	struct xt_result r;
	struct xt_pkt p;
	int i, punted = 0;

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_ARP, &cfg, err), 0, "%s", err);
	arp(&p);
	for (i = 0; i < 50; i++) {
		xt_run(&p, if_a, &r);
		cr_assert(r.ret == XDP_PASS || r.ret == XDP_DROP, "verdict %d", r.ret);
		punted += r.ret == XDP_PASS;
	}
	cr_assert(punted >= 3 && punted <= 4, "punted %d", punted); /* + 1 if a second passed */
	st.punt[XRT_PUNT_ARP] = (unsigned)punted;
	st.pass[XRT_PASS_NO_DAEMON] = (unsigned)punted;
	st.drop[XRT_DROP_PUNT_LIMIT] = 50u - (unsigned)punted;
	expect_counters(&st);
}

/* Mirror mode: ARP and the kernel's own IPv4 addresses are the kernel's,
 * unless xrtd claims the address (xrt_local6, mapped key). */
Test(ip4, kernel_local_mirror_mode)
{
	struct xrt_iface a = { .slot = 1, .mtu = 1500, .table = XRT_TABLE_MAIN,
			       .flags = XRT_IF_F_FORWARDING | XRT_IF_F_KERNEL_LOCAL };
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];
	struct xt_result r;
	struct xt_pkt p;
	uint8_t addr[16];

	memcpy(a.mac, MAC_A, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	arp(&p);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(r.meta_len, 0, "to the kernel, no punt metadata");
	ip4(&p, SRC4, "198.51.100.1", 64, 6, 20);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(r.meta_len, 0);
	received(&st, &p);
	st.pass[XRT_PASS_KERNEL_LOCAL] = 2;
	expect_counters(&st);
	/* Forwarding is still the fast path's. */
	ip4(&p, SRC4, DST4, 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);

	xt_addr(V4("198.51.100.1"), addr);
	cr_assert_eq(xrt_maps_local6_set(&M, 0, addr, XRT_LOCAL_F_XRTD, err), 0, "%s", err);
	xt_teardown();
	setup();
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_local6_set(&M, 0, addr, XRT_LOCAL_F_XRTD, err), 0, "%s", err);
	ip4(&p, SRC4, "198.51.100.1", 64, 6, 20);
	expect_punt(&p, XRT_PUNT_LOCAL, 0, 0, 0, XRT_MIB_MAX, 1);
}

/* ---- the two families' tries never answer for each other ---- */

static void run_ip6(const char *dst, int want_ret, unsigned want_punt)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_punt_meta meta;

	xt_ip6(&p, "2001:db8:100::1", dst, 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, want_ret, "%s: verdict %d", dst, r.ret);
	if (want_ret == XDP_PASS) {
		cr_assert_eq(r.meta_len, sizeof(meta));
		memcpy(&meta, r.out, sizeof(meta));
		cr_assert_eq(meta.reason, want_punt, "%s: reason %u", dst, meta.reason);
	}
}

/* An IPv6 ::/0 (and ::/64, which covers ::ffff:0:0/96) never routes IPv4. */
Test(ip4, ipv6_routes_never_match_ipv4)
{
	struct xt_pkt p;

	xt_route("::", 0, XRT_RTN_UNICAST, 1);
	xt_route("::", 64, XRT_RTN_UNICAST, 1);
	ip4(&p, SRC4, "100.64.0.1", 64, 17, 8);
	expect_punt(&p, XRT_PUNT_NO_ROUTE, 0, 0, 0, XRT_MIB_IP4_IN_NO_ROUTES, 1);
	run_ip6("2001:db8:99::1", XDP_REDIRECT, 0);
	run_ip6("::ffff:100.64.0.1", XDP_REDIRECT, 0); /* IPv6 owns its ::/64 */
}

/* An IPv4 default (::ffff:0:0/96) and /8 never route IPv6, not even an
 * IPv6 packet to a mapped address. */
Test(ip4, ipv4_routes_never_match_ipv6)
{
	struct xt_pkt p;
	struct xt_result r;
	uint32_t n;
	char err[XRT_ERR_LEN];

	xt_route(V4("0.0.0.0"), P4(0), XRT_RTN_UNICAST, 10);
	xt_route(V4("100.0.0.0"), P4(8), XRT_RTN_UNICAST, 10);
	run_ip6("::ffff:100.64.0.1", XDP_PASS, XRT_PUNT_NO_ROUTE);
	run_ip6("2001:db8:99::1", XDP_PASS, XRT_PUNT_NO_ROUTE);
	run_ip6("::1:2", XDP_PASS, XRT_PUNT_NO_ROUTE);
	ip4(&p, SRC4, "100.64.0.1", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, NMAC_GW, MAC_B);
	ip4(&p, SRC4, "172.16.0.1", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT, "the IPv4 default route");
	/* 12 IPv6 routes of harness.c, 11 IPv4 ones of setup(), 2 here. */
	cr_assert_eq(xrt_maps_route_count(&M, XRT_TABLE_MAIN, &n, err), 0, "%s", err);
	cr_assert_eq(n, 12 + 11 + 2, "routes %u", n);
	/* Deleting the IPv4 default leaves the rest. */
	uint8_t a[16];
	xt_addr(V4("0.0.0.0"), a);
	cr_assert_eq(xrt_maps_route_del(&M, XRT_TABLE_MAIN, a, P4(0), err), 0, "%s", err);
	ip4(&p, SRC4, "172.16.0.1", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(((const struct xrt_punt_meta *)r.out)->reason, XRT_PUNT_NO_ROUTE);
	ip4(&p, SRC4, "100.64.0.1", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT, "100/8 stays");
}

/* fib4_rules_init: table local first, then the ingress table. An address's
 * local route there wins over any route of table main, a default included;
 * everything else still follows table main. */
Test(ip4, table_local_first)
{
	struct xrt_fib6_val local = { .type = XRT_RTN_LOCAL };
	char err[XRT_ERR_LEN] = "";
	struct xt_result r;
	struct xt_pkt p;
	uint8_t a[16];

	xt_route(V4("0.0.0.0"), P4(0), XRT_RTN_UNICAST, 10);
	xt_addr(V4("198.51.100.77"), a);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_LOCAL, a, P4(32), &local, err), 0, "%s", err);
	ip4(&p, SRC4, "198.51.100.77", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(((const struct xrt_punt_meta *)r.out)->reason, XRT_PUNT_LOCAL);
	ip4(&p, SRC4, "198.51.100.7", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT, "the neighbour's address is forwarded");
	ip4(&p, SRC4, "172.16.0.1", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT, "table main's default route");
	expect_forwarded(&p, &r, NMAC_GW, MAC_B);
}

/* Broadcast routes are IPv4's (RTN_BROADCAST): refused for IPv6. */
Test(ip4, broadcast_route_ipv4_only)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_BROADCAST };
	char err[XRT_ERR_LEN] = "";
	uint8_t a[16];

	xt_addr("2001:db8:aa::", a);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, a, 64, &v, err), -EINVAL);
	cr_assert(strstr(err, "broadcast"), "%s", err);
}

/* ---- ECMP ---- */

/* Which group member did the frame go to (last byte of its dst MAC)? */
static int ecmp_member(const struct xt_pkt *p)
{
	struct xt_result r;

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	return r.frame[5];
}

static void udp_ports(struct xt_pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *l4 = xt_l3(p) + IP4_LEN;

	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
}

/* fib_multipath_hash: one flow stays on one member; 2000 flows spread over
 * both about evenly (weights 1:1); and `xrt route get`'s hash of the mapped
 * flow (rt6_multipath_hash_flow, flowlabel 0) predicts each member. */
Test(ip4, ecmp_spreads_and_matches_userspace, .timeout = 120)
{
	struct xrt_nh_grp *g = calloc(1, sizeof(*g));
	uint32_t gid = 2, v4;
	struct rt6_flow f;
	struct xt_pkt p;
	int i, first, n21 = 0, n26 = 0, want;

	cr_assert_eq(bpf_map_lookup_elem(M.nh_grp, &gid, g), 0);
	ip4(&p, SRC4, "10.6.0.1", 64, 17, 8);
	first = ecmp_member(&p);
	for (i = 0; i < 20; i++)
		cr_assert_eq(ecmp_member(&p), first, "flow moved at packet %d", i);
	for (i = 0; i < 2000; i++) {
		ip4(&p, SRC4, "10.6.0.1", 64, 17, 8);
		udp_ports(&p, (uint16_t)(1024 + i), 53);
		set_csum(xt_l3(&p));
		int m = ecmp_member(&p);

		n21 += m == 0x21;
		n26 += m == 0x26;
		memset(&f, 0, sizeof(f));
		memcpy(&v4, xt_l3(&p) + 12, 4);
		xrt_addr_from_v4(&f.saddr, v4);
		memcpy(&v4, xt_l3(&p) + 16, 4);
		xrt_addr_from_v4(&f.daddr, v4);
		f.nexthdr = 17;
		f.has_ports = true;
		f.sport = (uint16_t)(1024 + i);
		f.dport = 53;
		want = g->bucket[rt6_multipath_hash_flow(&f) % g->nbuckets] == 10 ? 0x21 : 0x26;
		cr_assert_eq(m, want, "flow %d: member ..:%02x, predicted ..:%02x", i, m, want);
	}
	cr_assert_eq(n21 + n26, 2000);
	cr_assert(n21 > 800 && n26 > 800, "spread %d / %d", n21, n26);
	free(g);
}

/* A non-first fragment carries no ports: hashed on L3 only, so every
 * fragment of a datagram takes the same member as its first. */
Test(ip4, ecmp_fragments_hash_without_ports)
{
	struct xt_pkt p;
	int i, first = -1;

	for (i = 0; i < 50; i++) {
		ip4(&p, SRC4, "10.6.0.1", 64, 17, 16);
		udp_ports(&p, (uint16_t)(3000 + i * 17), 53); /* payload bytes */
		xt_l3(&p)[6] = 0x00;
		xt_l3(&p)[7] = 0x10; /* offset 128 bytes */
		set_csum(xt_l3(&p));
		int m = ecmp_member(&p);

		if (first < 0)
			first = m;
		cr_assert_eq(m, first, "fragment %d changed member", i);
	}
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Every frame ends in exactly one outcome counter; IPv4 counters only. */
Test(ip4, random_frames_each_counted_once, .timeout = 120)
{
	static const char *dsts[] = { DST4, "198.51.100.7", "10.3.0.1", "10.4.0.1",
				      "10.5.0.1", "10.6.0.1", "10.66.0.1",
				      "10.77.0.1", "10.88.0.1", "100.64.0.1",
				      "198.51.100.1", "224.0.0.1", "255.255.255.255",
				      "127.0.0.1", "0.0.0.0" };
	static const char *srcs[] = { SRC4, "192.0.2.77", "0.0.0.0", "127.0.0.1",
				      "224.0.0.1", "250.0.0.1" };
	static const uint8_t protos[] = { 17, 6, 1, 47, 132 };
	struct xrt_stats st;
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN];
	uint64_t seed = 4242, drops = 0, passes = 0, forwarded;
	int i, k, n = 3000, verdicts[5] = { 0 };

	for (i = 0; i < n; i++) {
		uint16_t payload = (uint16_t)(rnd(&seed) % 1500);
		uint8_t *ip;

		ip4(&p, srcs[rnd(&seed) % 6], dsts[rnd(&seed) % 15],
		    (uint8_t)(rnd(&seed) % 4 ? 64 : rnd(&seed) % 3),
		    protos[rnd(&seed) % 5], payload);
		ip = xt_l3(&p);
		switch (rnd(&seed) % 10) {
		case 0: /* truncated or short */
			p.len = ETH_LEN + rnd(&seed) % (p.len - ETH_LEN + 1);
			break;
		case 1: /* padded */
			p.len += rnd(&seed) % 64;
			break;
		case 2: /* garbage header bytes, checksum fixed half the time */
			for (k = 0; k < 4; k++)
				ip[rnd(&seed) % IP4_LEN] = (uint8_t)rnd(&seed);
			if (rnd(&seed) % 2 && (ip[0] & 0x0f) >= 5 &&
			    (ip[0] & 0x0f) * 4 <= (int)(p.len - ETH_LEN))
				set_csum(ip);
			break;
		case 3: /* random total length, valid checksum */
			ip[2] = (uint8_t)rnd(&seed);
			ip[3] = (uint8_t)rnd(&seed);
			set_csum(ip);
			break;
		case 4: /* fragment */
			ip[6] = (uint8_t)(0x20 | (rnd(&seed) % 2));
			ip[7] = (uint8_t)rnd(&seed);
			set_csum(ip);
			break;
		case 5: /* another host's MAC */
			p.b[5] ^= 0x40;
			break;
		}
		xt_run(&p, if_a, &r);
		cr_assert(r.ret >= XDP_ABORTED && r.ret <= XDP_REDIRECT);
		cr_assert_neq(r.ret, XDP_ABORTED, "frame %d aborted", i);
		verdicts[r.ret]++;
	}
	cr_assert_eq(xrt_maps_stats_read(&M, -1, &st, err), 0, "%s", err);
	for (k = 0; k < XRT_DROP_MAX; k++)
		drops += st.drop[k];
	for (k = 0; k < XRT_PASS_MAX; k++)
		passes += st.pass[k];
	forwarded = st.mib[XRT_MIB_IP4_FORW_DATAGRAMS];
	cr_assert_eq(drops + passes + forwarded, (uint64_t)n,
		     "drops %llu + passes %llu + forwarded %llu != %d",
		     (unsigned long long)drops, (unsigned long long)passes,
		     (unsigned long long)forwarded, n);
	/* Every frame for our MAC was received by ip_rcv, no other one. */
	cr_assert_eq(st.mib[XRT_MIB_IP4_IN_RECEIVES] + st.drop[XRT_DROP_OTHERHOST],
		     (uint64_t)n);
	/* No XSK is bound: every punt fell back to the kernel, and nothing
	 * else went to the kernel. */
	uint64_t punts = 0;
	for (k = 0; k < XRT_PUNT_MAX; k++)
		punts += st.punt[k];
	cr_assert_eq(st.pass[XRT_PASS_NO_DAEMON], punts);
	cr_assert_eq(passes, punts);
	cr_assert_eq((uint64_t)verdicts[XDP_DROP], drops);
	cr_assert_eq((uint64_t)verdicts[XDP_PASS], passes);
	cr_assert_eq((uint64_t)verdicts[XDP_REDIRECT], forwarded);
	cr_assert_eq(verdicts[XDP_TX], 0, "same interface is punted (unlimited budget)");
	/* The IPv6 side saw nothing. */
	cr_assert_eq(st.mib[XRT_MIB_IN_RECEIVES], 0);
	cr_assert(verdicts[XDP_DROP] > 100 && verdicts[XDP_PASS] > 100 &&
			  verdicts[XDP_REDIRECT] > 50,
		  "drop %d pass %d redirect %d", verdicts[XDP_DROP],
		  verdicts[XDP_PASS], verdicts[XDP_REDIRECT]);
}

/* xrt_tcp_estab (bpf/punt.h) for IPv4: the connection's 4-tuple keyed by
 * IPv4-mapped addresses skips an empty LOCAL bucket; another client port,
 * a segment with IP options or a fragment is still policed. */
Test(ip4, established_tcp_skips_the_local_budget)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 1 };
	struct xrt_tcp_estab_key key = { .sport = htons(40000), .dport = htons(53) };
	char err[XRT_ERR_LEN];
	int i, punted = 0;

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_LOCAL, &cfg, err), 0, "%s", err);
	xt_addr(V4(SRC4), key.saddr);
	xt_addr(V4("198.51.100.1"), key.daddr);
	cr_assert_eq(xrt_maps_tcp_estab_set(&M, &key, err), 0, "%s", err);
	/* ip4() writes ports 40000 -> 53 for UDP only; TCP's sit first too. */
	ip4(&p, SRC4, "198.51.100.1", 64, 17, 20);
	xt_l3(&p)[9] = 6;
	set_csum(xt_l3(&p));
	for (i = 0; i < 10; i++) {
		xt_run(&p, if_a, &r);
		punted += r.ret == XDP_PASS;
	}
	cr_assert_eq(punted, 10, "every segment of the connection punted (%d)", punted);
	xt_l3(&p)[IP4_LEN + 1] = 0x41; /* client port 40001: policed */
	punted = 0;
	for (i = 0; i < 10; i++) {
		xt_run(&p, if_a, &r);
		punted += r.ret == XDP_PASS;
	}
	cr_assert_leq(punted, 1, "the LOCAL budget still holds for others (%d)", punted);
	xt_l3(&p)[IP4_LEN + 1] = 0x40;
	xt_l3(&p)[6] = 0x20; /* a first fragment (MF): no exemption */
	set_csum(xt_l3(&p));
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "a fragment is policed");
	xt_l3(&p)[6] = 0x40;
	set_csum(xt_l3(&p));
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "the whole segment again");
	cr_assert_eq(xrt_maps_tcp_estab_del(&M, &key, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "closed: policed again");
}
