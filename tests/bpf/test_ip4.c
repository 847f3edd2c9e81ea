/* xrt BPF tests: IPv4 on the kernel's FIB (bpf/ip_rcv.h, bpf/ip_forward.h):
 * exact forwarded bytes, every drop and pass outcome with its counters, and
 * random frames each counted once. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "xrt/proto.h"

#define IP4_LEN 20
#define SRC4 "192.0.2.2"   /* a host behind xfa */
#define DST4 "203.0.113.9" /* via 198.51.100.2 on xfb */

static const uint8_t NMAC_GW[6] = { 0x02, 0, 0, 0, 0, 0x21 };   /* 198.51.100.2 */
static const uint8_t NMAC_RULE[6] = { 0x02, 0, 0, 0, 0, 0x23 }; /* 198.51.100.3 */
static const uint8_t NMAC_CONN[6] = { 0x02, 0, 0, 0, 0, 0x27 }; /* 198.51.100.7 */

static void sh(const char *cmd)
{
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

/*
 * The IPv6 topology of harness.c (xfa slot 1, xfb slot 2, attached), plus
 * the kernel's IPv4 configuration in the test's netns, which bpf_fib_lookup
 * reads (xrt has no IPv4 tables of its own):
 *   xfa 192.0.2.1/24, xfb 198.51.100.1/24, forwarding on, MACs = MAC_A/B
 *   203.0.113.0/24   via 198.51.100.2 dev xfb   (neigh ..:21)
 *   198.51.100.7     connected on xfb           (neigh ..:27)
 *   10.3.0.0/16      via 192.0.2.9 dev xfa      (egress == ingress)
 *   10.4.0.0/16      via 198.51.100.2 mtu lock 1280 (a forwarding route
 *                    MTU counts only when locked, as in ip_forward)
 *   10.5.0.0/16      via 198.51.100.5           (no neighbour)
 *   10.9.9.0/24      via 10.9.0.2 dev xfd       (a veth, not attached)
 *   10.66/16 blackhole, 10.77/16 unreachable, 10.88/16 prohibit
 *   rule: from 192.0.2.77 lookup 100: 203.0.113.0/24 via 198.51.100.3
 *   no default route.
 */
static void setup(void)
{
	xt_setup();
	xt_topology();
	sh("ip link set xfa address 02:00:00:00:00:0a && "
	   "ip link set xfb address 02:00:00:00:00:0b && "
	   "sysctl -qw net.ipv4.conf.all.forwarding=1 && "
	   "ip addr add 192.0.2.1/24 dev xfa && "
	   "ip addr add 198.51.100.1/24 dev xfb && "
	   "ip link add xfd type veth peer name xfe && "
	   "ip link set xfd up && ip link set xfe up && "
	   "ip addr add 10.9.0.1/24 dev xfd && "
	   "ip neigh replace 10.9.0.2 lladdr 02:00:00:00:00:92 dev xfd nud permanent && "
	   "ip neigh replace 198.51.100.2 lladdr 02:00:00:00:00:21 dev xfb nud permanent && "
	   "ip neigh replace 198.51.100.3 lladdr 02:00:00:00:00:23 dev xfb nud permanent && "
	   "ip neigh replace 198.51.100.7 lladdr 02:00:00:00:00:27 dev xfb nud permanent && "
	   "ip neigh replace 192.0.2.9 lladdr 02:00:00:00:00:29 dev xfa nud permanent && "
	   "ip route add 203.0.113.0/24 via 198.51.100.2 dev xfb && "
	   "ip route add 10.3.0.0/16 via 192.0.2.9 dev xfa && "
	   "ip route add 10.4.0.0/16 via 198.51.100.2 dev xfb mtu lock 1280 && "
	   "ip route add 10.5.0.0/16 via 198.51.100.5 dev xfb && "
	   "ip route add 10.9.9.0/24 via 10.9.0.2 dev xfd && "
	   "ip route add blackhole 10.66.0.0/16 && "
	   "ip route add unreachable 10.77.0.0/16 && "
	   "ip route add prohibit 10.88.0.0/16 && "
	   "ip rule add from 192.0.2.77 lookup 100 && "
	   "ip route add 203.0.113.0/24 via 198.51.100.3 dev xfb table 100");
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

/* fib_rules_lookup: the rule's table wins for its source. */
Test(ip4, policy_rule_selects_table)
{
	struct xt_pkt p;
	struct xt_result r;

	ip4(&p, "192.0.2.77", DST4, 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, NMAC_RULE, MAC_B);
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

/* Run p from xfa: XDP_PASS with the frame unchanged, counted under `reason`
 * (and, if `rcvd`, IpInReceives and octets: it passed ip_rcv). */
static void expect_pass(const struct xt_pkt *p, unsigned reason, int rcvd)
{
	struct xt_result r;
	struct xrt_stats st = { 0 };

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "verdict %d", r.ret);
	cr_assert_eq(r.frame_len, p->len);
	cr_assert_arr_eq(r.frame, p->b, p->len, "the kernel gets the frame unchanged");
	if (rcvd)
		received(&st, p);
	st.pass[reason] = 1;
	expect_counters(&st);
}

Test(ip4, pass_not_for_us)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	p.b[5] = 0x77; /* another host's MAC */
	expect_pass(&p, XRT_PASS_IP4_NOT_HOST, 0);
}

/* ip_forward never forwards a link-layer broadcast. */
Test(ip4, pass_ethernet_broadcast)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 64, 17, 8);
	memset(p.b, 0xff, 6);
	expect_pass(&p, XRT_PASS_IP4_NOT_HOST, 0);
}

Test(ip4, pass_options)
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
	expect_pass(&p, XRT_PASS_IP4_OPTIONS, 1);
}

Test(ip4, pass_special_destinations)
{
	static const char *dsts[] = { "224.0.0.5", "239.1.2.3", "255.255.255.255",
				      "0.0.0.0", "0.1.2.3", "127.0.0.1" };
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	unsigned i, n = sizeof(dsts) / sizeof(dsts[0]);

	for (i = 0; i < n; i++) {
		ip4(&p, SRC4, dsts[i], 64, 17, 8);
		xt_run(&p, if_a, &r);
		cr_assert_eq(r.ret, XDP_PASS, "destination %s: verdict %d", dsts[i], r.ret);
	}
	/* DHCP: from 0.0.0.0 to the limited broadcast is for the kernel. */
	ip4(&p, "0.0.0.0", "255.255.255.255", 64, 17, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	n++;
	st.mib[XRT_MIB_IP4_IN_RECEIVES] = n;
	st.mib[XRT_MIB_IP4_IN_OCTETS] = n * (p.len - ETH_LEN);
	st.pass[XRT_PASS_IP4_DST_SPECIAL] = n;
	expect_counters(&st);
}

Test(ip4, pass_ttl_one)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 1, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_TTL, 1);
}

Test(ip4, pass_ttl_zero)
{
	struct xt_pkt p;

	ip4(&p, SRC4, DST4, 0, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_TTL, 1);
}

Test(ip4, pass_blackhole)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.66.0.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_BLACKHOLE, 1);
}

Test(ip4, pass_unreachable)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.77.0.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_UNREACHABLE, 1);
}

Test(ip4, pass_prohibit)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.88.0.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_PROHIBIT, 1);
}

Test(ip4, pass_no_route)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "100.64.0.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_NOT_FWDED, 1);
}

Test(ip4, pass_local_address)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "198.51.100.1", 64, 1, 8);
	expect_pass(&p, XRT_PASS_IP4_NOT_FWDED, 1);
}

/* The kernel's per-interface forwarding sysctl is honoured. */
Test(ip4, pass_forwarding_disabled)
{
	struct xt_pkt p;

	sh("sysctl -qw net.ipv4.conf.xfa.forwarding=0");
	ip4(&p, SRC4, DST4, 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_FWD_DISABLED, 1);
}

Test(ip4, pass_no_neighbour)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.5.0.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_NO_NEIGH, 1);
}

Test(ip4, pass_incomplete_neighbour)
{
	struct xt_pkt p;

	sh("ip neigh replace 198.51.100.2 dev xfb nud incomplete");
	ip4(&p, SRC4, DST4, 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_NO_NEIGH, 1);
}

/* Larger than the route's MTU: the kernel fragments it or, with DF, sends
 * Fragmentation Needed. One byte less is forwarded. */
Test(ip4, pass_frag_needed)
{
	struct xt_pkt p;
	struct xt_result r;

	ip4(&p, SRC4, "10.4.0.1", 64, 17, 1280 - IP4_LEN + 1);
	expect_pass(&p, XRT_PASS_IP4_FRAG_NEEDED, 1);
	ip4(&p, SRC4, "10.4.0.1", 64, 17, 1280 - IP4_LEN);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, NMAC_GW, MAC_B);
}

Test(ip4, pass_same_interface)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.3.0.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_SAME_IF, 1);
}

Test(ip4, pass_egress_not_attached)
{
	struct xt_pkt p;

	ip4(&p, SRC4, "10.9.9.1", 64, 17, 8);
	expect_pass(&p, XRT_PASS_IP4_OIF_FOREIGN, 1);
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

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Every frame ends in exactly one outcome counter; IPv4 counters only. */
Test(ip4, random_frames_each_counted_once, .timeout = 120)
{
	static const char *dsts[] = { DST4, "198.51.100.7", "10.3.0.1", "10.4.0.1",
				      "10.5.0.1", "10.9.9.1", "10.66.0.1",
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
	cr_assert_eq(st.mib[XRT_MIB_IP4_IN_RECEIVES] + st.pass[XRT_PASS_IP4_NOT_HOST],
		     (uint64_t)n);
	cr_assert_eq((uint64_t)verdicts[XDP_DROP], drops);
	cr_assert_eq((uint64_t)verdicts[XDP_PASS], passes);
	cr_assert_eq((uint64_t)verdicts[XDP_REDIRECT], forwarded);
	cr_assert_eq(verdicts[XDP_TX], 0, "same interface goes to the kernel");
	/* The IPv6 side saw nothing. */
	cr_assert_eq(st.mib[XRT_MIB_IN_RECEIVES], 0);
	cr_assert(verdicts[XDP_DROP] > 100 && verdicts[XDP_PASS] > 100 &&
			  verdicts[XDP_REDIRECT] > 50,
		  "drop %d pass %d redirect %d", verdicts[XDP_DROP],
		  verdicts[XDP_PASS], verdicts[XDP_REDIRECT]);
}
