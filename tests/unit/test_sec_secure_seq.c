/* xrt tests: unpredictable numbers on the wire: ISNs (RFC 6528), ephemeral ports (RFC 6056 alg. 4), fragment IDs (RFC 7739 5.3), read from what the stack sends. */
#include <errno.h>
#include "test_tcp_seg.h"
#include "stack/secure_seq.h"

#define PORT 80
#define PEER "2001:db8:1::2"
#define PISN 1000u

static const siphash_key_t k1 = { { 0x0123456789abcdefull, 0xfedcba9876543210ull } };
static const siphash_key_t k2 = { { 0x0123456789abcdefull, 0xfedcba9876543211ull } };

static void setup(void)
{
	fake_setup();
	struct in6_addr peer = A(PEER);
	neigh_update_from_slla(FAKE_IF_A, &peer, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
	fake_ntx = 0;
}
TestSuite(sec_secure_seq, .init = setup, .fini = fake_teardown);

/* A new stack (stack_init with fresh keys), the master key if given. */
static void restart(const siphash_key_t *key)
{
	fake_teardown();
	setup();
	if (key)
		secure_seq_set_master_key(key);
}

/* The ISN of the SYN-ACK for a SYN from PEER:sport. */
static uint32_t synack_isn(uint16_t sport)
{
	unsigned before = fake_ntx;
	seg_from(PEER, sport, PORT, PISN, 0, TCP_SYN, 65535, NULL, 0, NULL, 0);
	const uint8_t *th = seg_last_tcp(before);
	cr_assert_not_null(th, "SYN-ACK");
	cr_assert_eq(th[13], TCP_SYN | TCP_ACK);
	return seg_rd32(th + 4);
}

Test(sec_secure_seq, isn_is_keyed)
{
	secure_seq_set_master_key(&k1);
	seg_listener(PORT, 8);
	uint32_t a = synack_isn(40000);
	restart(&k2);
	seg_listener(PORT, 8);
	uint32_t b = synack_isn(40000);
	restart(&k1);
	seg_listener(PORT, 8);
	uint32_t c = synack_isn(40000);
	cr_assert_neq(a, b, "another key, another ISN for the same 4-tuple and time");
	cr_assert_eq(a, c, "same key, tuple and clock: the same ISN (F is a function)");
}

Test(sec_secure_seq, isn_keys_are_fresh_per_stack)
{
	seg_listener(PORT, 8);
	uint32_t a = synack_isn(40000);
	restart(NULL);
	seg_listener(PORT, 8);
	uint32_t b = synack_isn(40000);
	cr_assert_neq(a, b, "every stack_init draws new keys");
}

/* RFC 6528 3: M advances the ISN of a 4-tuple with the clock (64 ns ticks),
 * so a new incarnation starts beyond the old one's sequence space. */
Test(sec_secure_seq, isn_advances_with_the_clock)
{
	secure_seq_set_master_key(&k1);
	seg_listener(PORT, 8);
	uint32_t a = synack_isn(40000);
	seg_from(PEER, 40000, PORT, PISN + 1, 0, TCP_RST, 0, NULL, 0, NULL, 0); /* request gone */
	fake_now += NSEC_PER_SEC;
	uint32_t b = synack_isn(40000);
	cr_assert_eq(b - a, (uint32_t)(NSEC_PER_SEC >> 6), "one second later: 15625000 ticks on");
}

Test(sec_secure_seq, isn_of_neighbouring_tuples_unrelated)
{
	seg_listener(PORT, 64);
	uint32_t prev = synack_isn(40000);
	unsigned close = 0;
	for (uint16_t p = 40001; p < 40033; p++) {
		uint32_t isn = synack_isn(p);
		uint32_t d = isn - prev;
		if (d < 1u << 20 || d > 0u - (1u << 20))
			close++; /* within 2^20 of the previous one */
		prev = isn;
	}
	cr_assert_leq(close, 1, "%u of 32 ISNs follow the previous port's closely", close);
}

/* Connect a TCP socket to peer:dport; its local port. */
static uint16_t connect_port(const char *peer, uint16_t dport)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_STREAM, IPPROTO_TCP, &seg_owner, NULL, &err);
	cr_assert_not_null(s, "socket: %d", err);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(dport),
				   .sin6_addr = A(peer) };
	cr_assert_eq(s->ops->connect(s, &to), -EINPROGRESS);
	struct sockaddr_in6 me;
	cr_assert_eq(sock_getname(s, &me, false), 0);
	uint16_t p = ntohs(me.sin6_port);
	cr_assert(p >= XRT_SOCK_EPHEMERAL_LO && p <= XRT_SOCK_EPHEMERAL_HI);
	return p;
}

static uint32_t port_dist(uint16_t from, uint16_t to)
{
	uint32_t range = XRT_SOCK_EPHEMERAL_HI - XRT_SOCK_EPHEMERAL_LO + 1;
	return ((uint32_t)to + range - from) % range;
}

Test(sec_secure_seq, consecutive_connections_not_consecutive_ports)
{
	uint16_t prev = connect_port(PEER, 1000);
	unsigned seq = 0;
	for (uint16_t d = 1001; d < 1040; d++) {
		uint16_t p = connect_port(PEER, d);
		seq += port_dist(prev, p) <= 8;
		prev = p;
	}
	cr_assert_leq(seq, 1, "%u of 39 connections took a port just after the previous one", seq);
}

/* RFC 6056 3.3.4: the port toward one destination does not move with the
 * connections made to others (no global counter to observe). */
Test(sec_secure_seq, ports_per_destination_independent_of_other_traffic)
{
	secure_seq_set_master_key(&k1);
	uint16_t p1 = connect_port(PEER, 443);
	for (uint16_t d = 2000; d < 2030; d++)
		connect_port(PEER, d);
	uint16_t p2 = connect_port(PEER, 443);
	uint32_t dist = port_dist(p1, p2);
	cr_assert(dist >= 1 && dist <= 8, "30 connections elsewhere moved it by %u", dist);
}

Test(sec_secure_seq, same_destination_steps_vary)
{
	uint16_t prev = connect_port(PEER, 443);
	unsigned ones = 0;
	for (unsigned i = 0; i < 20; i++) {
		uint16_t p = connect_port(PEER, 443);
		uint32_t dist = port_dist(prev, p);
		cr_assert(dist >= 1 && dist <= 8, "step %u", dist);
		ones += dist == 1;
		prev = p;
	}
	cr_assert_lt(ones, 20, "random steps (the kernel's max(i, random(8)))");
}

Test(sec_secure_seq, bind_port_zero_is_random)
{
	uint16_t prev = 0;
	unsigned seq = 0;
	for (unsigned i = 0; i < 20; i++) {
		int err = 0;
		struct sock *s = inet6_create(SOCK_DGRAM, 0, &seg_owner, NULL, &err);
		struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
		cr_assert_eq(s->ops->bind(s, &a), 0);
		uint16_t p = ntohs(s->local.sin6_port);
		if (i)
			seq += port_dist(prev, p) <= 8;
		prev = p;
	}
	cr_assert_leq(seq, 1, "%u of 19 binds took a port just after the previous one", seq);
}

/* Send a 3000-byte UDP datagram to dst (MTU 1500: fragmented); the
 * Identification of its fragments, or 0 if none was captured. */
static uint32_t frag_id_to(struct sock *s, const char *dst)
{
	static uint8_t payload[3000];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(9),
				   .sin6_addr = A(dst) };
	unsigned before = fake_ntx;
	cr_assert_geq(s->ops->sendmsg(s, payload, sizeof(payload), &to), 0);
	for (unsigned i = before; i < fake_ntx; i++) {
		const uint8_t *ip = tx_ip6(i);
		if (ip[6] == NEXTHDR_FRAGMENT)
			return seg_rd32(ip + 40 + 4);
	}
	return 0;
}

static struct sock *udp_sock(void)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &seg_owner, NULL, &err);
	cr_assert_not_null(s);
	return s;
}

/* RFC 7739 5.3: one destination's IDs advance by one per datagram (no
 * repeats within the reassembly timeout), whatever else is sent: 50
 * datagrams to other destinations in between do not show. */
Test(sec_secure_seq, frag_ids_per_destination_hide_other_traffic)
{
	secure_seq_set_master_key(&k1);
	ip6_output_init();
	struct sock *s = udp_sock();
	uint32_t a = frag_id_to(s, PEER);
	cr_assert_neq(a, 0, "fragments captured");
	char dst[64];
	for (unsigned i = 0; i < 50; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:66::%x", i + 1);
		frag_id_to(s, dst);
		fake_ntx = 0;
	}
	uint32_t b = frag_id_to(s, PEER);
	cr_assert_eq(b, a + 1, "the next ID of this destination, not of a global counter");
}

Test(sec_secure_seq, frag_ids_across_destinations_unrelated)
{
	struct sock *s = udp_sock();
	struct in6_addr gw = A("2001:db8:1::66");
	neigh_update_from_slla(FAKE_IF_A, &gw, (uint8_t[]){ 2, 0, 0, 0, 0, 0x66 });
	char dst[64];
	uint32_t prev = frag_id_to(s, PEER);
	unsigned close = 0;
	for (unsigned i = 0; i < 32; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:66::%x", i + 1);
		fake_ntx = 0;
		uint32_t id = frag_id_to(s, dst);
		cr_assert_neq(id, 0, "fragments to %s captured", dst);
		uint32_t d = id - prev;
		close += d < 1u << 20 || d > 0u - (1u << 20);
		prev = id;
	}
	cr_assert_leq(close, 1, "%u of 32 destinations got an ID close to the previous one", close);
}

Test(sec_secure_seq, frag_ids_keyed)
{
	secure_seq_set_master_key(&k1);
	ip6_output_init();
	uint32_t a = frag_id_to(udp_sock(), PEER);
	restart(&k2);
	ip6_output_init();
	uint32_t b = frag_id_to(udp_sock(), PEER);
	restart(&k1);
	ip6_output_init();
	uint32_t c = frag_id_to(udp_sock(), PEER);
	cr_assert_neq(a, b);
	cr_assert_eq(a, c, "same key, same clock: same first ID");
}
