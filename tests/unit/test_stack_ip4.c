/* xrt tests: the IPv4 slow path through stack_rx: ARP bytes and NUD, ICMPv4 bytes for every error, forwarding, fragmentation, reassembly. */
#include <criterion/criterion.h>
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <net/if_arp.h>
#include <stdio.h>
#include "stack/neighbour.h"
#include "stack/reassembly.h"
#include "stack/sock.h"
#include "test_stack_fake.h"
#include "xrt/acl.h"

static uint8_t frame[70000];
static const uint8_t mac_h5[6] = { 2, 0, 0, 0, 0x55, 5 };
static const uint8_t mac_h7[6] = { 2, 0, 0, 0, 0x77, 7 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct in6_addr M(const char *v4)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "::ffff:%s", v4);
	return A(buf);
}

static uint32_t V4(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void add_addr(int dev, const char *v4, unsigned plen)
{
	struct xrt_netdev *d = &fake_devs[dev];
	d->addr[d->naddrs] = M(v4);
	d->plen[d->naddrs] = (uint8_t)(plen + XRT_V4_PLEN_OFFSET);
	d->naddrs++;
}

static void ip4_setup(void)
{
	fake_setup();
	add_addr(0, "10.1.0.1", 24);
	add_addr(1, "10.2.0.1", 24);
}

TestSuite(ip4, .init = ip4_setup, .fini = fake_teardown);

/* Ethernet + IPv4 + body, checksum filled. Returns the frame length. */
static size_t build4(uint8_t *f, int ifindex, const char *src, const char *dst, uint8_t ttl,
		     uint8_t proto, uint16_t frag_off, uint16_t id, const void *body, size_t blen)
{
	memcpy(f, fake_devs[ifindex - 1].mac, 6);
	memcpy(f + 6, ifindex == FAKE_IF_A ? mac_h5 : mac_h7, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	struct iphdr_wire *iph = (struct iphdr_wire *)(f + 14);
	memset(iph, 0, sizeof(*iph));
	iph->ver_ihl = 0x45;
	iph->tot_len = htons((uint16_t)(20 + blen));
	iph->id = htons(id);
	iph->frag_off = htons(frag_off);
	iph->ttl = ttl;
	iph->protocol = proto;
	iph->saddr = V4(src);
	iph->daddr = V4(dst);
	memcpy(f + 34, body, blen);
	ip_send_check(f + 14);
	return 34 + blen;
}

/* ICMP echo request body: header + data bytes i & 0xff. */
static size_t echo_body(uint8_t *b, size_t data_len)
{
	b[0] = ICMP_ECHO;
	b[1] = 0;
	b[2] = b[3] = 0;
	b[4] = 0x12;
	b[5] = 0x34;
	b[6] = 0;
	b[7] = 1;
	for (size_t i = 0; i < data_len; i++)
		b[8 + i] = (uint8_t)i;
	uint16_t c = ip_compute_csum(b, 8 + data_len);
	b[2] = (uint8_t)(c >> 8);
	b[3] = (uint8_t)c;
	return 8 + data_len;
}

static uint8_t body[70000];

static size_t udp_body(uint8_t *b, size_t data_len)
{
	memset(b, 0, 8 + data_len);
	b[0] = 0x30; /* port 12345 */
	b[1] = 0x39;
	b[2] = 0x82; /* port 33434 */
	b[3] = 0x9a;
	b[4] = (uint8_t)((8 + data_len) >> 8);
	b[5] = (uint8_t)(8 + data_len);
	return 8 + data_len; /* checksum 0: none (RFC 768) */
}

static void rx4(int ifindex, const char *src, const char *dst, uint8_t ttl, uint8_t proto,
		uint16_t frag_off, const void *b, size_t blen)
{
	size_t len = build4(frame, ifindex, src, dst, ttl, proto, frag_off, 0x4242, b, blen);
	rx(ifindex, frame, len);
}

static void hosts_resolved(void)
{
	struct in6_addr h5 = M("10.1.0.5"), h7 = M("10.2.0.7");
	cr_assert_eq(neigh_add_static(FAKE_IF_A, &h5, mac_h5, NULL), 0);
	cr_assert_eq(neigh_add_static(FAKE_IF_B, &h7, mac_h7, NULL), 0);
	fake_ntx = 0;
	fake_nneigh_calls = 0;
}

static bool tx_is_v4(unsigned i)
{
	return fake_tx[i].data[12] == 0x08 && fake_tx[i].data[13] == 0x00;
}
static const uint8_t *tx4(unsigned i)
{
	return fake_tx[i].data + 14;
}
static const uint8_t *tx_icmp4(unsigned i)
{
	return tx4(i) + 20;
}
static uint32_t tx_src(unsigned i)
{
	return ((const struct iphdr_wire *)tx4(i))->saddr;
}
static uint32_t tx_dst(unsigned i)
{
	return ((const struct iphdr_wire *)tx4(i))->daddr;
}
/* Checks every ICMPv4 frame sent: header checksum, ICMP checksum. */
static void assert_icmp4_ok(unsigned i)
{
	cr_assert(tx_is_v4(i));
	const struct iphdr_wire *iph = (const void *)tx4(i);
	cr_assert_eq(iph->protocol, IPPROTO_ICMP);
	cr_assert_eq(ip_compute_csum(tx4(i), 20), 0, "IPv4 header checksum");
	cr_assert_eq(ip_compute_csum(tx_icmp4(i), ntohs(iph->tot_len) - 20), 0, "ICMP checksum");
	cr_assert_eq(ntohs(iph->tot_len), fake_tx[i].len - 14);
}

static size_t arp_frame(uint8_t *f, int ifindex, uint16_t op, const uint8_t *dmac,
			const uint8_t sha[6], const char *sip, const uint8_t *tha, const char *tip)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	uint8_t *a = f + 14;
	a[0] = 0;
	a[1] = ARPHRD_ETHER;
	a[2] = 0x08;
	a[3] = 0x00;
	a[4] = 6;
	a[5] = 4;
	a[6] = 0;
	a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	uint32_t s = V4(sip), t = V4(tip);
	memcpy(a + 14, &s, 4);
	if (tha)
		memcpy(a + 18, tha, 6);
	else
		memset(a + 18, 0, 6);
	memcpy(a + 24, &t, 4);
	(void)ifindex;
	return 14 + 28;
}

/* An ARP frame sent: op, sender/target addresses, Ethernet destination. */
static void assert_arp(unsigned i, int ifindex, uint16_t op, const uint8_t *dmac,
		       const char *sip, const uint8_t *tha, const char *tip)
{
	const uint8_t *f = fake_tx[i].data;
	cr_assert_eq(fake_tx[i].ifindex, ifindex);
	cr_assert_eq(fake_tx[i].len, 42);
	cr_assert_eq(f[12], 0x08);
	cr_assert_eq(f[13], 0x06);
	cr_assert_arr_eq(f, dmac, 6);
	cr_assert_arr_eq(f + 6, fake_devs[ifindex - 1].mac, 6);
	static const uint8_t fixed[6] = { 0, 1, 8, 0, 6, 4 };
	cr_assert_arr_eq(f + 14, fixed, 6);
	cr_assert_eq(f[20], 0);
	cr_assert_eq(f[21], op);
	cr_assert_arr_eq(f + 22, fake_devs[ifindex - 1].mac, 6, "sha is ours");
	uint32_t s = V4(sip), t = V4(tip);
	cr_assert_arr_eq(f + 28, &s, 4);
	static const uint8_t zero[6];
	cr_assert_arr_eq(f + 32, tha ? tha : zero, 6);
	cr_assert_arr_eq(f + 38, &t, 4);
}

Test(ip4, arp_request_for_our_address_is_answered_and_teaches_the_sender)
{
	size_t len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "10.1.0.5", NULL,
			       "10.1.0.1");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	assert_arp(0, FAKE_IF_A, ARPOP_REPLY, mac_h5, "10.1.0.1", mac_h5, "10.1.0.5");
	cr_assert_eq(fake_nneigh_calls, 1);
	struct in6_addr h5 = M("10.1.0.5");
	cr_assert(ip6_eq(&fake_neigh_calls[0].addr, &h5), "mapped address programmed");
	cr_assert_eq(fake_neigh_calls[0].state, XRT_NUD_STALE);
	cr_assert_arr_eq(fake_neigh_calls[0].mac, mac_h5, 6);
}

Test(ip4, arp_request_for_another_interfaces_address_or_a_stranger_is_not_answered)
{
	size_t len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "10.1.0.5", NULL,
			       "10.2.0.1");
	rx(FAKE_IF_A, frame, len);
	len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "10.1.0.5", NULL,
			"10.1.0.9");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(fake_nneigh_calls, 0, "arp_accept 0: no entry from a request not for us");
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.drop[STACK_DROP_ARP_NOT_OURS], 2);
}

Test(ip4, arp_malformed_and_martian_senders_are_dropped)
{
	size_t len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "10.1.0.5", NULL,
			       "10.1.0.1");
	frame[14 + 4] = 8; /* hln 8 */
	rx(FAKE_IF_A, frame, len);
	rx(FAKE_IF_A, frame, 30); /* short */
	len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, bcast, "10.1.0.5", NULL,
			"10.1.0.1");
	rx(FAKE_IF_A, frame, len); /* broadcast sender MAC */
	len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "224.0.0.5", NULL,
			"10.1.0.1");
	rx(FAKE_IF_A, frame, len);
	len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "10.2.0.1", NULL,
			"10.1.0.1");
	rx(FAKE_IF_A, frame, len); /* claims our own address */
	cr_assert_eq(fake_ntx, 0);
	cr_assert_eq(fake_nneigh_calls, 0);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.drop[STACK_DROP_ARP_INVALID], 5);
}

Test(ip4, arp_probe_from_zero_is_answered_without_learning)
{
	size_t len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_h5, "0.0.0.0", NULL,
			       "10.1.0.1");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	assert_arp(0, FAKE_IF_A, ARPOP_REPLY, mac_h5, "10.1.0.1", mac_h5, "0.0.0.0");
	cr_assert_eq(fake_nneigh_calls, 0);
}

/* A datagram from host 10.1.0.5 on A to 10.2.0.7 on B resolves 10.2.0.7
 * with a broadcast ARP request from B's address, is held, and leaves
 * (TTL - 1) when the reply comes; the entry then ages as ND does. */
Test(ip4, neighbour_miss_resolves_with_arp_then_forwards_held_and_runs_nud)
{
	size_t blen = udp_body(body, 100);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1);
	assert_arp(0, FAKE_IF_B, ARPOP_REQUEST, bcast, "10.2.0.1", NULL, "10.2.0.7");
	size_t len = arp_frame(frame, FAKE_IF_B, ARPOP_REPLY, fake_devs[1].mac, mac_h7,
			       "10.2.0.7", fake_devs[1].mac, "10.2.0.1");
	rx(FAKE_IF_B, frame, len);
	cr_assert_eq(fake_ntx, 2);
	cr_assert(tx_is_v4(1));
	cr_assert_eq(fake_tx[1].ifindex, FAKE_IF_B);
	cr_assert_arr_eq(fake_tx[1].data, mac_h7, 6);
	cr_assert_arr_eq(fake_tx[1].data + 6, fake_devs[1].mac, 6);
	const struct iphdr_wire *iph = (const void *)tx4(1);
	cr_assert_eq(iph->ttl, 63);
	cr_assert_eq(ip_compute_csum(tx4(1), 20), 0);
	cr_assert_eq(fake_tx[1].len, 14 + 20 + blen);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, XRT_NUD_REACHABLE);

	/* REACHABLE -> STALE after 30 s; a use -> DELAY; 5 s -> PROBE by
	 * unicast to the MAC it had (arp_solicit with the known address). */
	fake_advance_ms(31000);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, XRT_NUD_STALE);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, XRT_NUD_DELAY);
	unsigned before = fake_ntx;
	fake_advance_ms(5100);
	cr_assert_eq(fake_ntx, before + 1);
	assert_arp(before, FAKE_IF_B, ARPOP_REQUEST, mac_h7, "10.2.0.1", mac_h7, "10.2.0.7");
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, XRT_NUD_PROBE);
	/* Unanswered: 3 unicast probes, then the entry goes (and leaves the
	 * fast path). */
	fake_advance_ms(3500);
	cr_assert_eq(fake_ntx, before + 3);
	cr_assert_eq(fake_neigh_calls[fake_nneigh_calls - 1].state, 0);
}

Test(ip4, failed_resolution_three_broadcasts_then_host_unreachable_from_ingress_address)
{
	hosts_resolved();
	size_t blen = udp_body(body, 10);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.9", 64, IPPROTO_UDP, 0, body, blen);
	fake_advance_ms(3500);
	unsigned arps = 0;
	for (unsigned i = 0; i < fake_ntx; i++)
		if (!tx_is_v4(i)) {
			assert_arp(i, FAKE_IF_B, ARPOP_REQUEST, bcast, "10.2.0.1", NULL, "10.2.0.9");
			arps++;
		}
	cr_assert_eq(arps, 3);
	cr_assert_eq(fake_ntx, 4);
	assert_icmp4_ok(3);
	cr_assert_eq(tx_icmp4(3)[0], ICMP_DEST_UNREACH);
	cr_assert_eq(tx_icmp4(3)[1], ICMP_HOST_UNREACH);
	cr_assert_eq(tx_src(3), V4("10.1.0.1"));
	cr_assert_eq(tx_dst(3), V4("10.1.0.5"));
	cr_assert_eq(fake_tx[3].ifindex, FAKE_IF_A);
}

Test(ip4, address_announcement_is_two_gratuitous_requests_two_seconds_apart)
{
	struct in6_addr a = M("10.1.0.1");
	stack_arp_announce(FAKE_IF_A, &a);
	cr_assert_eq(fake_ntx, 1);
	assert_arp(0, FAKE_IF_A, ARPOP_REQUEST, bcast, "10.1.0.1", NULL, "10.1.0.1");
	fake_advance_ms(1900);
	cr_assert_eq(fake_ntx, 1);
	fake_advance_ms(200);
	cr_assert_eq(fake_ntx, 2);
	assert_arp(1, FAKE_IF_A, ARPOP_REQUEST, bcast, "10.1.0.1", NULL, "10.1.0.1");
	fake_advance_ms(10000);
	cr_assert_eq(fake_ntx, 2);
}

Test(ip4, gratuitous_arp_updates_a_known_entry_only)
{
	hosts_resolved();
	static const uint8_t mac_new[6] = { 2, 0, 0, 0, 0x55, 0x66 };
	size_t len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_new, "10.1.0.5", NULL,
			       "10.1.0.5");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nneigh_calls, 0, "PERMANENT entry never changed by ARP");
	len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_new, "10.1.0.6", NULL,
			"10.1.0.6");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nneigh_calls, 0, "no entry made for a stranger's announcement");
	cr_assert_eq(fake_ntx, 0);
}

Test(ip4, echo_reply_bytes)
{
	hosts_resolved();
	size_t blen = echo_body(body, 56);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.1", 64, IPPROTO_ICMP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1);
	assert_icmp4_ok(0);
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_A);
	cr_assert_arr_eq(fake_tx[0].data, mac_h5, 6);
	cr_assert_eq(tx_src(0), V4("10.2.0.1"), "from the address pinged");
	cr_assert_eq(tx_dst(0), V4("10.1.0.5"));
	cr_assert_eq(((const struct iphdr_wire *)tx4(0))->ttl, 64);
	const uint8_t *r = tx_icmp4(0);
	cr_assert_eq(r[0], ICMP_ECHOREPLY);
	cr_assert_arr_eq(r + 4, body + 4, blen - 4, "same id, sequence and data");
	cr_assert_eq(fake_tx[0].len, 14 + 20 + blen);
}

Test(ip4, echo_to_a_broadcast_is_ignored)
{
	hosts_resolved();
	size_t blen = echo_body(body, 8);
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.255", 64, IPPROTO_ICMP, 0, body, blen);
	rx4(FAKE_IF_A, "10.1.0.5", "255.255.255.255", 64, IPPROTO_ICMP, 0, body, blen);
	cr_assert_eq(fake_ntx, 0);
}

/* The error's header and quote: from the ingress interface's primary
 * address, to the source, TOS precedence 6, the original datagram quoted. */
static void assert_error(unsigned i, uint8_t type, uint8_t code, const char *src,
			 const uint8_t *orig, size_t orig_len)
{
	assert_icmp4_ok(i);
	cr_assert_eq(tx_icmp4(i)[0], type);
	cr_assert_eq(tx_icmp4(i)[1], code);
	cr_assert_eq(tx_src(i), V4(src));
	cr_assert_eq(tx_dst(i), V4("10.1.0.5"));
	cr_assert_eq(((const struct iphdr_wire *)tx4(i))->tos, 0xc0);
	size_t q = orig_len < 548 ? orig_len : 548;
	cr_assert_eq(fake_tx[i].len, 14 + 20 + 8 + q);
	cr_assert_arr_eq(tx_icmp4(i) + 8, orig, q);
}

Test(ip4, ttl_expired_is_time_exceeded_from_the_ingress_address)
{
	hosts_resolved();
	size_t blen = udp_body(body, 32);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 1, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1);
	assert_error(0, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, "10.1.0.1", frame + 14, 20 + blen);
}

Test(ip4, route_errors_are_net_host_and_admin_unreachable_blackhole_is_silent)
{
	hosts_resolved();
	size_t blen = udp_body(body, 8);
	rx4(FAKE_IF_A, "10.1.0.5", "192.0.2.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1);
	assert_error(0, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, "10.1.0.1", frame + 14, 20 + blen);
	rx4(FAKE_IF_A, "10.1.0.5", "10.250.0.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 2);
	assert_error(1, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, "10.1.0.1", frame + 14, 20 + blen);
	rx4(FAKE_IF_A, "10.1.0.5", "10.251.0.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 3);
	assert_error(2, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, "10.1.0.1", frame + 14, 20 + blen);
	rx4(FAKE_IF_A, "10.1.0.5", "10.252.0.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 3);
}

Test(ip4, udp_to_the_router_is_port_unreachable_from_the_address_used)
{
	hosts_resolved();
	size_t blen = udp_body(body, 20);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1);
	assert_error(0, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, "10.2.0.1", frame + 14, 20 + blen);
	/* Bad checksum: dropped, no answer. */
	body[6] = 0x12;
	body[7] = 0x34;
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1);
}

Test(ip4, unknown_protocol_to_the_router_is_protocol_unreachable)
{
	hosts_resolved();
	memset(body, 0, 16);
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, 253, 0, body, 16);
	cr_assert_eq(fake_ntx, 1);
	assert_error(0, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, "10.1.0.1", frame + 14, 36);
}

Test(ip4, df_too_big_is_fragmentation_needed_with_the_next_hop_mtu)
{
	hosts_resolved();
	size_t blen = udp_body(body, 1400 - 28);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, IP4_FLAG_DF, body, blen);
	cr_assert_eq(fake_ntx, 1);
	assert_error(0, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, "10.1.0.1", frame + 14, 20 + blen);
	cr_assert_eq(tx_icmp4(0)[4], 0);
	cr_assert_eq(tx_icmp4(0)[5], 0);
	cr_assert_eq(tx_icmp4(0)[6] << 8 | tx_icmp4(0)[7], 1280, "RFC 1191 next-hop MTU");
}

Test(ip4, too_big_without_df_is_fragmented_to_the_next_hop_mtu)
{
	hosts_resolved();
	size_t blen = udp_body(body, 3000);
	for (size_t i = 8; i < blen; i++)
		body[i] = (uint8_t)(i * 7);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 3);
	static uint8_t re[4000];
	size_t total = 0;
	for (unsigned i = 0; i < 3; i++) {
		const struct iphdr_wire *iph = (const void *)tx4(i);
		cr_assert_eq(fake_tx[i].ifindex, FAKE_IF_B);
		cr_assert_arr_eq(fake_tx[i].data, mac_h7, 6);
		cr_assert_leq(fake_tx[i].len - 14, 1280);
		cr_assert_eq(ip_compute_csum(tx4(i), 20), 0);
		cr_assert_eq(iph->ttl, 63);
		cr_assert_eq(ntohs(iph->id), 0x4242, "fragments keep the datagram's id");
		uint16_t fo = ntohs(iph->frag_off);
		size_t off = (size_t)(fo & IP4_FRAG_OFFSET_MASK) * 8, dl = ntohs(iph->tot_len) - 20;
		cr_assert_eq(!!(fo & IP4_FLAG_MF), i < 2);
		if (i < 2)
			cr_assert_eq(dl % 8, 0);
		cr_assert_eq(off, total);
		memcpy(re + off, tx4(i) + 20, dl);
		total += dl;
	}
	cr_assert_eq(total, blen);
	cr_assert_arr_eq(re, body, blen, "the pieces are the datagram");
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.ip4[STACK_IP4_FRAG_OKS], 1);
	cr_assert_eq(st.ip4[STACK_IP4_FRAG_CREATES], 3);
	cr_assert_eq(st.mib[XRT_MIB_IP4_FORW_DATAGRAMS], 1);
}

Test(ip4, redirect_when_the_next_hop_is_on_the_ingress_link_then_forwarded_and_limited)
{
	hosts_resolved();
	struct in6_addr gw = M("10.1.0.77");
	static const uint8_t mac_gw[6] = { 2, 0, 0, 0, 0x77, 0x77 };
	cr_assert_eq(neigh_add_static(FAKE_IF_A, &gw, mac_gw, NULL), 0);
	fake_ntx = 0;
	size_t blen = udp_body(body, 8);
	rx4(FAKE_IF_A, "10.1.0.5", "10.77.0.9", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 2);
	unsigned r = tx_icmp4(0)[0] == ICMP_REDIRECT ? 0 : 1;
	assert_icmp4_ok(r);
	cr_assert_eq(tx_icmp4(r)[0], ICMP_REDIRECT);
	cr_assert_eq(tx_icmp4(r)[1], ICMP_REDIR_HOST);
	uint32_t g;
	memcpy(&g, tx_icmp4(r) + 4, 4);
	cr_assert_eq(g, V4("10.1.0.77"), "gateway address");
	cr_assert_eq(tx_src(r), V4("10.1.0.1"));
	cr_assert_eq(tx_dst(r), V4("10.1.0.5"));
	unsigned f = 1 - r;
	cr_assert_arr_eq(fake_tx[f].data, mac_gw, 6, "and forwarded to the gateway");
	cr_assert_eq(((const struct iphdr_wire *)tx4(f))->ttl, 63);
	/* ip_rt_send_redirect: the next one waits 20 ms << 1. */
	rx4(FAKE_IF_A, "10.1.0.5", "10.77.0.9", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 3);
	fake_now += 50 * NSEC_PER_MSEC;
	rx4(FAKE_IF_A, "10.1.0.5", "10.77.0.9", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 5);
}

Test(ip4, never_an_error_about_an_error_a_broadcast_or_a_later_fragment)
{
	hosts_resolved();
	/* An ICMP error with TTL 1 passing through. */
	uint8_t err[36] = { ICMP_DEST_UNREACH, 3 };
	uint16_t c = ip_compute_csum(err, sizeof(err));
	err[2] = (uint8_t)(c >> 8);
	err[3] = (uint8_t)c;
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 1, IPPROTO_ICMP, 0, err, sizeof(err));
	/* A non-first fragment with TTL 1. */
	size_t blen = udp_body(body, 16);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 1, IPPROTO_UDP, 100, body, blen);
	/* UDP to a directed broadcast. */
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.255", 64, IPPROTO_UDP, 0, body, blen);
	/* A link-layer broadcast of a unicast datagram (not PACKET_HOST). */
	size_t len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.2.0.7", 1, IPPROTO_UDP, 0, 1, body,
			    blen);
	memset(frame, 0xff, 6);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_geq(st.drop[STACK_DROP_ICMP_SUPPRESSED], 3);
}

Test(ip4, errors_are_rate_limited_per_destination_with_the_ipv6_buckets)
{
	hosts_resolved();
	size_t blen = udp_body(body, 8);
	for (int i = 0; i < 80; i++)
		rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 1, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, STACK_ICMP_PER_DST_BURST);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.icmp[STACK_ICMP_OUT_RATE_LIMIT_HOST], 80 - STACK_ICMP_PER_DST_BURST);
	/* Fragmentation Needed only counts against the global bucket. */
	blen = udp_body(body, 1400);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, IP4_FLAG_DF, body, blen);
	cr_assert_eq(fake_ntx, STACK_ICMP_PER_DST_BURST + 1);
}

Test(ip4, bad_headers_are_dropped_and_counted)
{
	hosts_resolved();
	size_t blen = echo_body(body, 8);
	size_t len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, 1, body,
			    blen);
	frame[14 + 10] ^= 1; /* header checksum */
	rx(FAKE_IF_A, frame, len);
	len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, 1, body, blen);
	frame[14] = 0x44; /* IHL 4 */
	rx(FAKE_IF_A, frame, len);
	len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, 1, body, blen);
	rx(FAKE_IF_A, frame, len - 4); /* total length past the frame */
	len = build4(frame, FAKE_IF_A, "127.0.0.1", "10.1.0.1", 64, IPPROTO_ICMP, 0, 1, body, blen);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.mib[XRT_MIB_IP4_IN_CSUM_ERRORS], 1);
	cr_assert_eq(st.mib[XRT_MIB_IP4_IN_HDR_ERRORS], 2);
	cr_assert_eq(st.mib[XRT_MIB_IP4_IN_TRUNCATED_PKTS], 1);
	cr_assert_eq(st.mib[XRT_MIB_IP4_IN_ADDR_ERRORS], 1);
}

/* Fragments of one echo request of data_len bytes, sent piece by piece
 * in the given order (offsets in bytes of the ICMP message). */
static void rx_frag(size_t msg_off, size_t msg_len, bool more, const uint8_t *msg)
{
	uint16_t fo = (uint16_t)(msg_off / 8) | (more ? IP4_FLAG_MF : 0);
	size_t len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, fo, 0x777,
			    msg + msg_off, msg_len);
	rx(FAKE_IF_A, frame, len);
}

Test(ip4, fragmented_4000_byte_ping_is_reassembled_and_answered_in_fragments)
{
	hosts_resolved();
	static uint8_t msg[4008];
	size_t mlen = echo_body(msg, 4000);
	/* Out of order: last, first, middle. */
	rx_frag(2960, mlen - 2960, false, msg);
	rx_frag(0, 1480, true, msg);
	cr_assert_eq(fake_ntx, 0);
	rx_frag(1480, 1480, true, msg);
	cr_assert_eq(fake_ntx, 3, "the 4028-byte reply leaves in 3 fragments (mtu 1500)");
	static uint8_t re[4100];
	size_t total = 0;
	for (unsigned i = 0; i < 3; i++) {
		const struct iphdr_wire *iph = (const void *)tx4(i);
		cr_assert_eq(ip_compute_csum(tx4(i), 20), 0);
		cr_assert_leq(fake_tx[i].len - 14, 1500);
		size_t off = (size_t)(ntohs(iph->frag_off) & IP4_FRAG_OFFSET_MASK) * 8;
		size_t dl = ntohs(iph->tot_len) - 20;
		memcpy(re + off, tx4(i) + 20, dl);
		total += dl;
	}
	cr_assert_eq(total, mlen);
	cr_assert_eq(re[0], ICMP_ECHOREPLY);
	cr_assert_eq(ip_compute_csum(re, mlen), 0);
	cr_assert_arr_eq(re + 4, msg + 4, mlen - 4);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.ip4[STACK_IP4_REASM_OKS], 1);
	cr_assert_eq(st.ip4[STACK_IP4_REASM_REQDS], 3);
	cr_assert_eq(reassembly_queues(), 0);
	cr_assert_eq(reassembly_mem(), 0);
}

Test(ip4, overlapping_fragments_drop_the_datagram)
{
	hosts_resolved();
	static uint8_t msg[4008];
	size_t mlen = echo_body(msg, 4000);
	rx_frag(0, 1480, true, msg);
	rx_frag(1472, 1488, true, msg); /* overlaps the first by 8 */
	rx_frag(2960, mlen - 2960, false, msg);
	rx_frag(1480, 1480, true, msg);
	cr_assert_eq(fake_ntx, 0);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.ip4[STACK_IP4_REASM_OVERLAPS], 1);
	cr_assert_geq(st.ip4[STACK_IP4_REASM_FAILS], 1);
	cr_assert_eq(st.ip4[STACK_IP4_REASM_OKS], 0);
}

Test(ip4, unaligned_middle_fragment_is_dropped)
{
	hosts_resolved();
	static uint8_t msg[4008];
	echo_body(msg, 4000);
	rx_frag(0, 1481, true, msg);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.drop[STACK_DROP_FRAG_INVALID], 1);
	cr_assert_eq(reassembly_queues(), 0);
}

Test(ip4, incomplete_datagram_times_out_with_time_exceeded_code_1)
{
	hosts_resolved();
	static uint8_t msg[4008];
	echo_body(msg, 4000);
	rx_frag(0, 1480, true, msg);
	fake_advance_ms(29000);
	cr_assert_eq(fake_ntx, 0);
	fake_advance_ms(1100);
	cr_assert_eq(fake_ntx, 1);
	assert_icmp4_ok(0);
	cr_assert_eq(tx_icmp4(0)[0], ICMP_TIME_EXCEEDED);
	cr_assert_eq(tx_icmp4(0)[1], ICMP_EXC_FRAGTIME);
	cr_assert_eq(tx_src(0), V4("10.1.0.1"));
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.ip4[STACK_IP4_REASM_TIMEOUT], 1);
	cr_assert_eq(reassembly_mem(), 0);
}

Test(ip4, ipv6_never_reaches_ipv4_mapped_destinations)
{
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "::ffff:10.1.0.1", 64, 8);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 0);
}

/* SECURITY N4: ARP requests from 6000 spoofed senders on one link: the
 * table stays at its bound, old STALE entries make room (counted), and an
 * entry in use (REACHABLE) is never evicted. */
Test(ip4, arp_sender_flood_is_bounded_and_spares_entries_in_use)
{
	hosts_resolved();
	static const uint8_t mac_x[6] = { 2, 0, 0, 0, 0x66, 6 };
	for (unsigned i = 0; i < 6000; i++) {
		char sip[32];
		snprintf(sip, sizeof(sip), "10.1.%u.%u", 100 + i / 250, 1 + i % 250);
		size_t len = arp_frame(frame, FAKE_IF_A, ARPOP_REQUEST, bcast, mac_x, sip, NULL,
				       "10.1.0.1");
		rx(FAKE_IF_A, frame, len);
	}
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_leq(st.gauge[STACK_GAUGE_NEIGH_ENTRIES], NEIGH_TABLE_SIZE);
	cr_assert_geq(st.drop[STACK_DROP_NEIGH_EVICTED], 6000 + 2 - NEIGH_TABLE_SIZE);
	uint8_t mac[6];
	struct in6_addr h5 = M("10.1.0.5");
	cr_assert(neigh_lookup_mac(FAKE_IF_A, &h5, mac), "the static entry survived");
	cr_assert_arr_eq(mac, mac_h5, 6);
}

/* SECURITY N5: first fragments of 300 datagrams that never complete: at
 * most REASM_MAX_QUEUES held, the oldest given up (counted), memory
 * bounded; IPv4 and IPv6 share the bound. */
Test(ip4, fragment_flood_is_bounded_by_the_shared_reassembly_limits)
{
	hosts_resolved();
	static uint8_t msg[1500];
	echo_body(msg, 1400);
	for (unsigned i = 0; i < 300; i++) {
		size_t len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP,
				    IP4_FLAG_MF, (uint16_t)i, msg, 1400);
		rx(FAKE_IF_A, frame, len);
	}
	cr_assert_eq(reassembly_queues(), REASM_MAX_QUEUES);
	cr_assert_leq(reassembly_mem(), REASM_MEM_MAX);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.drop[STACK_DROP_FRAG_MEM], 300 - REASM_MAX_QUEUES);
	cr_assert_eq(st.ip4[STACK_IP4_REASM_FAILS], 300 - REASM_MAX_QUEUES);
	cr_assert_eq(fake_ntx, 0);
}

Test(ip4, tcp_syn_to_the_router_is_reset)
{
	hosts_resolved();
	uint8_t th[20] = { 0x9c, 0x40, 0, 22, 0x11, 0x22, 0x33, 0x44 };
	th[12] = 5 << 4;
	th[13] = 0x02; /* SYN */
	th[14] = 0xff;
	uint32_t s = V4("10.1.0.5"), d = V4("10.1.0.1");
	uint16_t c = ip4_pseudo_csum(s, d, IPPROTO_TCP, th, sizeof(th));
	th[16] = (uint8_t)(c >> 8);
	th[17] = (uint8_t)c;
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_TCP, IP4_FLAG_DF, th, sizeof(th));
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_is_v4(0));
	const struct iphdr_wire *iph = (const void *)tx4(0);
	cr_assert_eq(iph->protocol, IPPROTO_TCP);
	cr_assert_eq(tx_src(0), d);
	cr_assert_eq(tx_dst(0), s);
	cr_assert_eq(ip_compute_csum(tx4(0), 20), 0);
	const uint8_t *r = tx4(0) + 20;
	cr_assert_eq(ip4_pseudo_csum(d, s, IPPROTO_TCP, r, 20), 0, "TCP checksum");
	cr_assert_eq(r[0] << 8 | r[1], 22);
	cr_assert_eq(r[2] << 8 | r[3], 0x9c40);
	cr_assert_eq(r[13], 0x14, "RST|ACK");
	uint32_t ack = (uint32_t)r[8] << 24 | (uint32_t)r[9] << 16 | (uint32_t)r[10] << 8 | r[11];
	cr_assert_eq(ack, 0x11223345u, "acknowledges the SYN");
	/* A reset is never answered. */
	th[13] = 0x04;
	th[16] = th[17] = 0;
	c = ip4_pseudo_csum(s, d, IPPROTO_TCP, th, sizeof(th));
	th[16] = (uint8_t)(c >> 8);
	th[17] = (uint8_t)c;
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_TCP, IP4_FLAG_DF, th, sizeof(th));
	cr_assert_eq(fake_ntx, 1);
}

/* Bad input never crashes: mutated IPv4 and ARP frames (fragments,
 * options, every protocol) through stack_rx; whatever leaves is a valid
 * IPv4 datagram within the egress MTU, or a 42-byte ARP frame; nothing is
 * left in reassembly once the timeout has passed. */
static uint32_t rng = 4242;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

Test(ip4, mutated_ipv4_and_arp_frames)
{
	static const char *dsts[] = { "10.1.0.1", "10.2.0.7", "10.2.0.1",   "10.99.0.1",
				      "10.1.0.255", "224.0.0.1", "10.250.0.1", "10.77.0.5" };
	static const uint8_t protos[] = { IPPROTO_ICMP, IPPROTO_UDP, IPPROTO_TCP, 253 };
	hosts_resolved();
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;
		if (next_rand() % 5 == 0) {
			len = arp_frame(frame, FAKE_IF_A, 1 + next_rand() % 3, bcast, mac_h5,
					"10.1.0.5", NULL, dsts[next_rand() % 8]);
		} else {
			size_t blen = next_rand() % 3000;
			for (size_t i = 0; i < blen; i++)
				body[i] = (uint8_t)next_rand();
			uint16_t fo = next_rand() % 3 ? 0 : (uint16_t)(next_rand() & 0x3fff);
			len = build4(frame, FAKE_IF_A, "10.1.0.5", dsts[next_rand() % 8],
				     (uint8_t)(next_rand() % 4), protos[next_rand() % 4], fo,
				     (uint16_t)(next_rand() % 8), body, blen);
		}
		int flips = (int)(next_rand() % 4);
		for (int f = 0; f < flips; f++)
			frame[14 + next_rand() % (len - 14)] = (uint8_t)next_rand();
		if (next_rand() % 3 == 0)
			len = 14 + next_rand() % (len - 13);
		rx(next_rand() % 2 ? FAKE_IF_A : FAKE_IF_B, frame, len);
		for (unsigned i = 0; i < fake_ntx; i++) {
			const struct xrt_netdev *dev = &fake_devs[fake_tx[i].ifindex - 1];
			if (!tx_is_v4(i)) {
				cr_assert_eq(fake_tx[i].len, 42);
				continue;
			}
			const struct iphdr_wire *iph = (const void *)tx4(i);
			cr_assert_leq(fake_tx[i].len - 14, dev->mtu);
			cr_assert_eq(ntohs(iph->tot_len), fake_tx[i].len - 14);
			cr_assert_eq(ip_compute_csum(tx4(i), ip4_hdr_len(tx4(i))), 0);
			bool ours = tx_src(i) == V4("10.1.0.1") || tx_src(i) == V4("10.2.0.1");
			if (ours && iph->protocol == IPPROTO_ICMP && !(ntohs(iph->frag_off) & 0x3fff))
				cr_assert_eq(ip_compute_csum(tx4(i) + 20, fake_tx[i].len - 34), 0);
		}
		fake_ntx = 0;
		if (iter % 1000 == 0)
			fake_advance_ms(1000);
	}
	fake_advance_ms(31000);
	cr_assert_eq(reassembly_mem(), 0);
	cr_assert_eq(reassembly_queues(), 0);
}

/* RFC 791 3.1 options: malformed ones get Parameter Problem at the bad
 * byte, a source route is dropped (accept_source_route 0), Record Route
 * gets the egress address. */
static void rx4_opts(const char *dst, uint8_t ttl, const uint8_t *opt, size_t olen)
{
	size_t blen = udp_body(body, 8);
	size_t len = build4(frame, FAKE_IF_A, "10.1.0.5", dst, ttl, IPPROTO_UDP, 0, 7, body, blen);
	memmove(frame + 34 + olen, frame + 34, blen);
	memcpy(frame + 34, opt, olen);
	frame[14] = (uint8_t)(0x40 | (20 + olen) / 4);
	struct iphdr_wire *iph = (struct iphdr_wire *)(frame + 14);
	iph->tot_len = htons((uint16_t)(20 + olen + blen));
	ip_send_check(frame + 14);
	rx(FAKE_IF_A, frame, len + olen);
}

Test(ip4, options_malformed_source_routed_and_record_route)
{
	hosts_resolved();
	static const uint8_t bad_len[4] = { 7, 9, 4, 0 }; /* RR longer than the options */
	rx4_opts("10.2.0.7", 64, bad_len, 4);
	cr_assert_eq(fake_ntx, 1);
	assert_icmp4_ok(0);
	cr_assert_eq(tx_icmp4(0)[0], ICMP_PARAMETERPROB);
	cr_assert_eq(tx_icmp4(0)[4], 20, "pointer at the option (ip_options_compile)");
	static const uint8_t lsrr[8] = { 131, 7, 4, 10, 2, 0, 7, 1 };
	rx4_opts("10.2.0.7", 64, lsrr, 8);
	cr_assert_eq(fake_ntx, 1, "source-routed: dropped");
	static const uint8_t rr[12] = { 1, 7, 11, 4 }; /* NOP, RR with room for 2 */
	rx4_opts("10.2.0.7", 64, rr, 12);
	cr_assert_eq(fake_ntx, 2);
	const uint8_t *out = tx4(1);
	cr_assert_eq(ip_compute_csum(out, 32), 0);
	cr_assert_eq(out[20 + 3], 8, "pointer advanced");
	uint32_t a;
	memcpy(&a, out + 20 + 4, 4);
	cr_assert_eq(a, V4("10.2.0.1"), "the egress interface's address recorded");
}

/* Dual-stack UDP: an AF_INET6 socket bound to :: gets IPv4 datagrams with
 * an IPv4-mapped source, and its send to a mapped peer leaves as IPv4 from
 * the egress interface's address, checksum right. */
static struct {
	unsigned n;
	struct sockaddr_in6 from;
	uint8_t data[64];
	size_t len;
} got4;
static int t_dgram4(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	(void)sk;
	got4.n++;
	got4.from = *f;
	got4.len = l < sizeof(got4.data) ? l : sizeof(got4.data);
	memcpy(got4.data, d, got4.len);
	return 0;
}
static const struct sock_owner_ops owner4 = { .dgram_rcv = t_dgram4 };

Test(ip4, udp_socket_receives_and_sends_ipv4_as_mapped)
{
	hosts_resolved();
	memset(&got4, 0, sizeof(got4));
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner4, NULL, &err);
	cr_assert_not_null(s);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(33434) };
	cr_assert_eq(s->ops->bind(s, &a), 0);
	size_t blen = udp_body(body, 5);
	memcpy(body + 8, "hello", 5);
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.1", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 0, "no Port Unreachable: a socket took it");
	cr_assert_eq(got4.n, 1);
	struct in6_addr h5 = M("10.1.0.5");
	cr_assert(ip6_eq(&got4.from.sin6_addr, &h5), "source as ::ffff:10.1.0.5");
	cr_assert_eq(ntohs(got4.from.sin6_port), 12345);
	cr_assert_arr_eq(got4.data, "hello", 5);

	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_addr = h5 };
	cr_assert_eq(s->ops->sendmsg(s, "pong", 4, &to), 4);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_is_v4(0));
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_A);
	const struct iphdr_wire *iph = (const void *)tx4(0);
	cr_assert_eq(iph->protocol, IPPROTO_UDP);
	cr_assert_eq(tx_src(0), V4("10.1.0.1"), "the egress interface's address");
	cr_assert_eq(ip_compute_csum(tx4(0), 20), 0);
	cr_assert_eq(ip4_pseudo_csum(tx_src(0), tx_dst(0), IPPROTO_UDP, tx4(0) + 20, 12), 0);
	cr_assert_arr_eq(tx4(0) + 28, "pong", 4);
}

/* arp_solicit with arp_announce 0: the sender address is the source of
 * the datagram waiting for the answer when it is ours (here the echo
 * reply from 10.2.0.1 leaving by A), as the kernel does. */
Test(ip4, arp_request_for_a_reply_uses_the_replys_source)
{
	size_t blen = echo_body(body, 8);
	size_t len = build4(frame, FAKE_IF_A, "10.1.0.9", "10.2.0.1", 64, IPPROTO_ICMP, 0, 1, body,
			    blen);
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 1);
	assert_arp(0, FAKE_IF_A, ARPOP_REQUEST, bcast, "10.2.0.1", NULL, "10.1.0.9");
	len = arp_frame(frame, FAKE_IF_A, ARPOP_REPLY, fake_devs[0].mac, mac_h5, "10.1.0.9",
			fake_devs[0].mac, "10.2.0.1");
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_ntx, 2);
	assert_icmp4_ok(1);
	cr_assert_eq(tx_icmp4(1)[0], ICMP_ECHOREPLY);
	cr_assert_arr_eq(fake_tx[1].data, mac_h5, 6);
}

Test(ip4, timestamp_request_is_answered)
{
	hosts_resolved();
	uint8_t ts[20] = { ICMP_TIMESTAMP, 0, 0, 0, 0xab, 0xcd, 0, 7, 1, 2, 3, 4 };
	uint16_t c = ip_compute_csum(ts, sizeof(ts));
	ts[2] = (uint8_t)(c >> 8);
	ts[3] = (uint8_t)c;
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, ts, sizeof(ts));
	cr_assert_eq(fake_ntx, 1);
	assert_icmp4_ok(0);
	const uint8_t *r = tx_icmp4(0);
	cr_assert_eq(r[0], ICMP_TIMESTAMPREPLY);
	cr_assert_eq(fake_tx[0].len, 14 + 20 + 20);
	cr_assert_arr_eq(r + 4, ts + 4, 8, "id, sequence and originate timestamp back");
	cr_assert_arr_eq(r + 12, r + 16, 4, "receive = transmit");
	uint32_t ms;
	memcpy(&ms, r + 12, 4);
	cr_assert_lt(ntohl(ms), 86400000u, "milliseconds since midnight UT");
}

/* ---- netfilter hooks for IPv4 (stack_env.nf_hook): local input after
 * ip_defrag, forward at the egress, prerouting for packets with options. */

Test(ip4, nf_local_input_drop_is_counted_and_silent)
{
	hosts_resolved();
	size_t blen = echo_body(body, 8);
	fake_nf_drop[XRT_ACL_LOCAL] = true;
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, body, blen);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 1);
	cr_assert_eq(fake_nf_call[0].len, 20 + blen, "the IPv4 packet, not the frame");
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_IN), 0, "the fast path ran prerouting");
	cr_assert_eq(fake_ntx, 0, "no echo reply");
	cr_assert_eq(sstats.drop[STACK_DROP_NF_DROP], 1);
	fake_nf_drop[XRT_ACL_LOCAL] = false;
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, body, blen);
	cr_assert_eq(fake_ntx, 1, "accepted: answered");
}

Test(ip4, nf_local_input_sees_the_reassembled_datagram)
{
	hosts_resolved();
	static uint8_t msg[4008];
	size_t mlen = echo_body(msg, 2000);
	rx_frag(0, 1480, true, msg);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 0, "not before ip_defrag");
	rx_frag(1480, mlen - 1480, false, msg);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 1);
	cr_assert_eq(fake_nf_call[0].len, 20 + mlen);
}

Test(ip4, nf_forward_hook_sees_the_egress)
{
	hosts_resolved();
	size_t blen = udp_body(body, 16);
	fake_nf_drop[XRT_ACL_OUT] = true;
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_OUT), 1);
	cr_assert_eq(fake_nf_call[0].ifindex, FAKE_IF_B);
	cr_assert_eq(fake_ntx, 0, "not forwarded");
	cr_assert_eq(sstats.drop[STACK_DROP_NF_DROP], 1);
	/* TTL 1: Time Exceeded comes first, as NF_INET_FORWARD runs after
	 * ip_forward's TTL check. */
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 1, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_OUT), 1);
	cr_assert_eq(fake_ntx, 1, "Time Exceeded");
	fake_nf_drop[XRT_ACL_OUT] = false;
	rx4(FAKE_IF_A, "10.1.0.5", "10.2.0.7", 64, IPPROTO_UDP, 0, body, blen);
	cr_assert_eq(fake_ntx, 2, "accepted: forwarded");
}

Test(ip4, nf_options_run_prerouting)
{
	hosts_resolved();
	/* Router Alert (RFC 2113) makes IHL 6: the fast path punted it before
	 * its rpf and prerouting ACL, so xrtd runs them. */
	size_t blen = echo_body(body, 8);
	size_t len = build4(frame, FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, 1, body,
			    blen);
	memmove(frame + 38, frame + 34, blen);
	frame[34] = 0x94, frame[35] = 4, frame[36] = 0, frame[37] = 0;
	frame[14] = 0x46;
	frame[16] = 0, frame[17] = (uint8_t)(24 + blen);
	ip_send_check(frame + 14);
	fake_nf_drop[XRT_ACL_IN] = true;
	rx(FAKE_IF_A, frame, len + 4);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_IN), 1);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 0, "dropped at prerouting");
	cr_assert_eq(sstats.drop[STACK_DROP_NF_DROP], 1);
	fake_nf_drop[XRT_ACL_IN] = false;
	rx(FAKE_IF_A, frame, len + 4);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 1);
	/* Without options prerouting is the fast path's: not asked. */
	rx4(FAKE_IF_A, "10.1.0.5", "10.1.0.1", 64, IPPROTO_ICMP, 0, body, blen);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_IN), 2);
}

/* ---- __udp4_lib_err: ICMPv4 errors about our UDP datagrams reach their
 * socket (dual-stack and AF_INET alike); IP_TTL and IP_TOS on output. */

static struct {
	unsigned n_err, n_queued;
	int last_err;
	struct sock_ee ee;
	uint8_t payload[64];
	size_t plen;
} ue;
static void t_err4(struct sock *sk)
{
	ue.n_err++;
	ue.last_err = sk->err;
}
static void t_queue4(struct sock *sk, const struct sock_ee *ee, const void *d, size_t l)
{
	(void)sk;
	ue.n_queued++;
	ue.ee = *ee;
	ue.plen = l < sizeof(ue.payload) ? l : sizeof(ue.payload);
	memcpy(ue.payload, d, ue.plen);
}
static const struct sock_owner_ops owner_err4 = { .dgram_rcv = t_dgram4, .error_report = t_err4,
						  .error_queue = t_queue4 };

/* A UDP socket that sent "probe" to 10.1.0.5 port 9 (frame 0). */
static struct sock *udp4_sent(bool connect, bool recverr)
{
	hosts_resolved();
	memset(&ue, 0, sizeof(ue));
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner_err4, NULL, &err);
	cr_assert_not_null(s);
	if (recverr)
		cr_assert_eq(ip_setsockopt(s, IP_RECVERR, 1), 0);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(9),
				   .sin6_addr = M("10.1.0.5") };
	if (connect) {
		cr_assert_eq(s->ops->connect(s, &to), 0);
		cr_assert_eq(s->ops->sendmsg(s, "probe", 5, NULL), 5);
	} else {
		cr_assert_eq(s->ops->sendmsg(s, "probe", 5, &to), 5);
	}
	cr_assert_eq(fake_ntx, 1);
	return s;
}

/* An ICMPv4 error from src to us quoting frame i (RFC 792 layout). */
static void icmp4_err_about(unsigned i, const char *src, uint8_t type, uint8_t code,
			    uint32_t info)
{
	size_t q = ntohs(((const struct iphdr_wire *)tx4(i))->tot_len);
	memset(body, 0, 8);
	body[0] = type;
	body[1] = code;
	uint32_t be = htonl(info);
	memcpy(body + 4, &be, 4);
	memcpy(body + 8, tx4(i), q);
	uint16_t c = ip_compute_csum(body, 8 + q);
	body[2] = (uint8_t)(c >> 8);
	body[3] = (uint8_t)c;
	rx4(FAKE_IF_A, src, "10.1.0.1", 64, IPPROTO_ICMP, 0, body, 8 + q);
}

Test(ip4, udp_err_port_unreachable_is_econnrefused_on_a_connected_socket)
{
	struct sock *s = udp4_sent(true, false);
	icmp4_err_about(0, "10.1.0.5", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	cr_assert_eq(ue.n_err, 1, "the owner told once");
	cr_assert_eq(ue.last_err, ECONNREFUSED);
	cr_assert_eq(s->err, ECONNREFUSED, "SO_ERROR");
	cr_assert_eq(ue.n_queued, 0, "no IP_RECVERR: nothing queued");
}

Test(ip4, udp_err_soft_or_unconnected_stays_silent_without_recverr)
{
	struct sock *s = udp4_sent(true, false);
	/* RFC 1122 4.2.3.9: Time Exceeded and Host Unreachable are soft. */
	icmp4_err_about(0, "10.1.0.77", ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	icmp4_err_about(0, "10.1.0.77", ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	cr_assert_eq(ue.n_err, 0);
	cr_assert_eq(s->err, 0);
	s->ops->release(s);
	fake_ntx = 0;
	s = udp4_sent(false, false);
	icmp4_err_about(0, "10.1.0.5", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	cr_assert_eq(ue.n_err, 0, "unconnected: the kernel tells nobody");
	/* Source Quench and Redirect never reach a socket (RFC 6633 5). */
	s->ops->release(s);
	fake_ntx = 0;
	s = udp4_sent(true, true);
	icmp4_err_about(0, "10.1.0.5", ICMP_SOURCE_QUENCH, 0, 0);
	cr_assert_eq(ue.n_err + ue.n_queued, 0);
}

Test(ip4, udp_err_recverr_queues_the_extended_error_unconnected)
{
	struct sock *s = udp4_sent(false, true);
	icmp4_err_about(0, "10.1.0.77", ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	cr_assert_eq(ue.n_queued, 1);
	cr_assert_eq(ue.ee.origin, SO_EE_ORIGIN_ICMP);
	cr_assert_eq(ue.ee.type, ICMP_TIME_EXCEEDED);
	cr_assert_eq(ue.ee.code, ICMP_EXC_TTL);
	cr_assert_eq(ue.ee.err, EHOSTUNREACH);
	struct in6_addr off = M("10.1.0.77"), dst = M("10.1.0.5");
	cr_assert(ip6_eq(&ue.ee.offender.sin6_addr, &off), "offender: the error's source");
	cr_assert(ip6_eq(&ue.ee.dst.sin6_addr, &dst));
	cr_assert_eq(ntohs(ue.ee.dst.sin6_port), 9);
	cr_assert_eq(ue.plen, 5);
	cr_assert_arr_eq(ue.payload, "probe", 5, "the quoted payload");
	cr_assert_eq(s->err, EHOSTUNREACH, "the pending error, even soft");
	cr_assert_eq(ue.n_err, 1);
	/* IPV6_RECVERR alone does not queue ICMPv4 (inet->recverr). */
	cr_assert_eq(ip_setsockopt(s, IP_RECVERR, 0), 0);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_RECVERR, 1), 0);
	icmp4_err_about(0, "10.1.0.77", ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	cr_assert_eq(ue.n_queued, 1);
}

Test(ip4, udp_err_fragmentation_needed_is_emsgsize_with_the_mtu)
{
	struct sock *s = udp4_sent(true, true);
	icmp4_err_about(0, "10.1.0.77", ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400);
	cr_assert_eq(s->err, EMSGSIZE);
	cr_assert_eq(ue.ee.info, 1400, "ee_info: the next-hop MTU (RFC 1191 4)");
	/* A quote shorter than the header + 8 bytes, or of another port: ignored. */
	memset(&ue, 0, sizeof(ue));
	s->err = 0;
	((struct iphdr_wire *)(fake_tx[0].data + 14))->tot_len = htons(20 + 4);
	icmp4_err_about(0, "10.1.0.5", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	cr_assert_eq(ue.n_err + ue.n_queued, 0);
	((struct iphdr_wire *)(fake_tx[0].data + 14))->tot_len = htons(20 + 13);
	fake_tx[0].data[14 + 20] ^= 1; /* our source port */
	icmp4_err_about(0, "10.1.0.5", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	cr_assert_eq(ue.n_err + ue.n_queued, 0);
}

Test(ip4, ip_ttl_and_ip_tos_set_the_bytes_sent)
{
	hosts_resolved();
	int err = 0, v = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner4, NULL, &err);
	cr_assert_eq(ip_getsockopt(s, IP_TTL, &v), 0);
	cr_assert_eq(v, IP4_DEFAULT_TTL, "unset: the default");
	cr_assert_eq(ip_setsockopt(s, IP_TTL, 0), -EINVAL);
	cr_assert_eq(ip_setsockopt(s, IP_TTL, 256), -EINVAL);
	cr_assert_eq(ip_setsockopt(s, IP_TTL, 7), 0);
	cr_assert_eq(ip_setsockopt(s, IP_TOS, 0xb9), 0);
	cr_assert_eq(ip_getsockopt(s, IP_TOS, &v), 0);
	cr_assert_eq(v, 0xb9, "a datagram socket keeps the ECN bits");
	cr_assert_eq(s->priority, 4, "rt_tos2priority: LOWDELAY + THROUGHPUT is interactive bulk");
	cr_assert_eq(ip_setsockopt(s, IP_MTU, 1), -ENOPROTOOPT);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(9),
				   .sin6_addr = M("10.1.0.5") };
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	const struct iphdr_wire *iph = (const void *)tx4(0);
	cr_assert_eq(iph->ttl, 7);
	cr_assert_eq(iph->tos, 0xb9);
	cr_assert_eq(ip_compute_csum(tx4(0), 20), 0);
	cr_assert_eq(ip_setsockopt(s, IP_TTL, -1), 0);
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	cr_assert_eq(((const struct iphdr_wire *)tx4(1))->ttl, IP4_DEFAULT_TTL,
		     "-1: the default again");
	/* IPV6_UNICAST_HOPS is not IP_TTL (np->hop_limit vs inet->uc_ttl). */
	cr_assert_eq(ipv6_setsockopt(s, IPV6_UNICAST_HOPS, 9), 0);
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	cr_assert_eq(((const struct iphdr_wire *)tx4(2))->ttl, IP4_DEFAULT_TTL);
	/* A stream: IP_TOS never sets the ECN bits (TCP owns them). */
	struct sock *t = inet6_create(SOCK_STREAM, 0, &owner4, NULL, &err);
	cr_assert_not_null(t);
	cr_assert_eq(ip_setsockopt(t, IP_TOS, 0xbb), 0);
	cr_assert_eq(ip_getsockopt(t, IP_TOS, &v), 0);
	cr_assert_eq(v, 0xb8);
}
