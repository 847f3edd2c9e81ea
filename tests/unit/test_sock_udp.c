/* xrt tests: the AF_INET6 registry (inet6_create by type and protocol), UDP (bind, send, receive, checksums, Port Unreachable) and raw ICMPv6 sockets on the fake env. */
#include <criterion/criterion.h>
#include <errno.h>
#include "test_stack_fake.h"
#include "stack/sock.h"

#define PEER "2001:db8:1::2"
#define US "2001:db8:1::1"

static struct {
	unsigned n;
	struct sock *sk; /* the socket the last datagram went to */
	struct sockaddr_in6 from;
	uint8_t data[2048];
	size_t len;
	struct sk_pktinfo info; /* what IPV6_RECVPKTINFO hands the owner */
} got;
static bool queue_full;

static int t_dgram(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	if (queue_full)
		return -1;
	got.n++;
	got.sk = sk;
	got.info = sk->rx_info;
	got.from = *f;
	got.len = l < sizeof(got.data) ? l : sizeof(got.data);
	memcpy(got.data, d, got.len);
	return 0;
}
static const struct sock_owner_ops owner = { .dgram_rcv = t_dgram };

static void setup(void)
{
	fake_setup();
	memset(&got, 0, sizeof(got));
	queue_full = false;
	struct in6_addr peer = A(PEER);
	neigh_update_from_slla(FAKE_IF_A, &peer, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
	fake_ntx = 0;
}
TestSuite(sock_udp, .init = setup, .fini = fake_teardown);

static struct sock *udp_bound(uint16_t port)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_not_null(s, "socket: %d", err);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	cr_assert_eq(s->ops->bind(s, &a), 0);
	return s;
}

/* A UDP datagram from the peer; csum 0xffff = compute it. */
static void peer_udp(uint16_t sport, uint16_t dport, const char *payload, uint16_t csum)
{
	uint8_t body[600];
	size_t n = strlen(payload), l = 8 + n;
	body[0] = (uint8_t)(sport >> 8), body[1] = (uint8_t)sport;
	body[2] = (uint8_t)(dport >> 8), body[3] = (uint8_t)dport;
	body[4] = (uint8_t)(l >> 8), body[5] = (uint8_t)l;
	body[6] = body[7] = 0;
	memcpy(body + 8, payload, n);
	if (csum == 0xffff) {
		struct in6_addr s = A(PEER), d = A(US);
		csum = ip6_csum(&s, &d, NEXTHDR_UDP, body, l);
	}
	body[6] = (uint8_t)(csum >> 8), body[7] = (uint8_t)csum;
	uint8_t frame[800];
	size_t fl = build_frame(frame, FAKE_IF_A, PEER, US, 64, NEXTHDR_UDP, body, l);
	rx(FAKE_IF_A, frame, fl);
}

Test(sock_udp, protosw_lookup_by_type_and_protocol)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_not_null(s);
	cr_assert_eq(s->protocol, IPPROTO_UDP, "protocol 0 picks the type's default");
	cr_assert_str_eq(s->prot->name, "UDPv6");
	s = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_str_eq(s->prot->name, "TCPv6");
	s = inet6_create(SOCK_RAW, IPPROTO_ICMPV6, &owner, NULL, &err);
	cr_assert_str_eq(s->prot->name, "RAWv6");
	cr_assert_eq(s->protocol, IPPROTO_ICMPV6, "raw: the wildcard entry takes any protocol");
	cr_assert_null(inet6_create(SOCK_DGRAM, IPPROTO_TCP, &owner, NULL, &err));
	cr_assert_eq(err, EPROTONOSUPPORT);
	cr_assert_null(inet6_create(SOCK_SEQPACKET, 0, &owner, NULL, &err));
	cr_assert_eq(err, ESOCKTNOSUPPORT);
	cr_assert_null(inet6_create(SOCK_RAW, 0, &owner, NULL, &err));
	cr_assert_eq(err, EPROTONOSUPPORT);
}

Test(sock_udp, bind_rules)
{
	udp_bound(5000);
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(5000) };
	cr_assert_eq(s->ops->bind(s, &a), -EADDRINUSE);
	a.sin6_addr = A("2001:db8:99::1");
	cr_assert_eq(s->ops->bind(s, &a), -EADDRNOTAVAIL, "not one of our addresses");
	a.sin6_addr = A(US);
	a.sin6_port = 0;
	cr_assert_eq(s->ops->bind(s, &a), 0);
	uint16_t p = ntohs(s->local.sin6_port);
	cr_assert(p >= XRT_SOCK_EPHEMERAL_LO && p <= XRT_SOCK_EPHEMERAL_HI, "ephemeral %u", p);
	cr_assert_eq(s->ops->bind(s, &a), -EINVAL, "already bound");
}

/* udp_lib_lport_inuse: SO_REUSEADDR on both shares a port (iperf3's UDP
 * server binds a second socket next to the connected one); different
 * bound devices never conflict (one RIPng socket per interface). */
Test(sock_udp, reuseaddr_and_bound_devices_share_a_port)
{
	int err = 0;
	struct sock *a = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	struct sock *b = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	struct sock *c = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	struct sockaddr_in6 p = { .sin6_family = AF_INET6, .sin6_port = htons(5100) };
	a->reuseaddr = true;
	cr_assert_eq(a->ops->bind(a, &p), 0);
	cr_assert_eq(b->ops->bind(b, &p), -EADDRINUSE, "SO_REUSEADDR on one side only");
	b->reuseaddr = true;
	cr_assert_eq(b->ops->bind(b, &p), 0, "SO_REUSEADDR on both");
	p.sin6_port = htons(521);
	a = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_eq(sock_bindtoindex(a, FAKE_IF_A), 0);
	cr_assert_eq(sock_bindtoindex(c, FAKE_IF_B), 0);
	cr_assert_eq(a->ops->bind(a, &p), 0);
	cr_assert_eq(c->ops->bind(c, &p), 0, "another device");
	struct sock *d = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_eq(d->ops->bind(d, &p), -EADDRINUSE, "unbound overlaps both");
	int tcp_err = 0;
	struct sock *t = inet6_create(SOCK_STREAM, 0, &owner, NULL, &tcp_err);
	t->reuseaddr = true;
	struct sock *t2 = inet6_create(SOCK_STREAM, 0, &owner, NULL, &tcp_err);
	t2->reuseaddr = true;
	p.sin6_port = htons(5101);
	cr_assert_eq(t->ops->bind(t, &p), 0);
	/* inet_bind_conflict: TCP shares a port under SO_REUSEADDR only while
	 * neither socket listens. */
	cr_assert_eq(t->ops->listen(t, 4), 0);
	cr_assert_eq(t2->ops->bind(t2, &p), -EADDRINUSE,
		     "TCP: SO_REUSEADDR does not share a listener's port");
}

/* RFC 3542 6.1: IPV6_RECVPKTINFO hands the destination and interface to
 * the owner; IPV6_PKTINFO on a send picks the source and interface. */
Test(sock_udp, pktinfo_both_ways)
{
	struct sock *s = udp_bound(5000);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_RECVPKTINFO, 1), 0);
	peer_udp(40000, 5000, "hello", 0xffff);
	cr_assert_eq(got.n, 1);
	struct in6_addr us = A(US);
	cr_assert_arr_eq(&got.info.addr, &us, 16);
	cr_assert_eq(got.info.ifindex, FAKE_IF_A);
	cr_assert_eq(s->rx_info.ifindex, 0, "for that datagram only");
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(521),
				   .sin6_addr = A("ff02::9") };
	s->tx_info = (struct sk_pktinfo){ .addr = A("fe80::a"), .ifindex = FAKE_IF_A };
	cr_assert_eq(ipv6_setsockopt(s, IPV6_TCLASS, 0xc0), 0, "UDP applies a traffic class");
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, "fe80::a"), "IPV6_PKTINFO's source");
	cr_assert_eq((tx_ip6(0)[0] & 0xf) << 4 | tx_ip6(0)[1] >> 4, 0xc0,
		     "IPV6_TCLASS on the wire");
	s->tx_info = (struct sk_pktinfo){ .addr = A("2001:db8:99::1") };
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), -EADDRNOTAVAIL, "not one of our addresses");
	s->tx_info = (struct sk_pktinfo){ .ifindex = 99 };
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), -ENODEV, "no such interface");
	s->tx_info = (struct sk_pktinfo){ 0 };
	/* IPV6_HOPLIMIT on one sendmsg (RFC 3542 6.3) wins over the socket's. */
	s->tx_hl_set = true;
	s->tx_hl = 3;
	to.sin6_scope_id = FAKE_IF_A;
	fake_ntx = 0;
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	cr_assert_eq(tx_ip6(0)[7], 3, "the datagram's hop limit on the wire");
	s->tx_hl_set = false;
}

/* SO_DONTROUTE: a global destination only on a connected prefix. */
Test(sock_udp, dontroute_sends_on_link_only)
{
	struct sock *s = udp_bound(5000);
	s->dontroute = true;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(7), .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1, "2001:db8:1::/64 is connected");
	to.sin6_addr = A("2001:db8:99::1");
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), -ENETUNREACH, "off-link");
	to.sin6_addr = A("ff02::9");
	to.sin6_scope_id = FAKE_IF_A;
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1, "a link-scope group");
}

Test(sock_udp, delivers_to_the_bound_socket_with_the_source)
{
	udp_bound(5000);
	peer_udp(40000, 5000, "hello", 0xffff);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.len, 5);
	cr_assert_arr_eq(got.data, "hello", 5);
	cr_assert_eq(ntohs(got.from.sin6_port), 40000);
	struct in6_addr peer = A(PEER);
	cr_assert_arr_eq(&got.from.sin6_addr, &peer, 16);
	cr_assert_eq(fake_ntx, 0, "no error sent");
}

/* A socket bound (SO_REUSEADDR) to port and, if peer_port, connected to
 * the peer at that port. */
static struct sock *udp_shared(uint16_t port, uint16_t peer_port)
{
	int err;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_not_null(s, "socket: %d", err);
	s->reuseaddr = true;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	cr_assert_eq(s->ops->bind(s, &a), 0);
	if (peer_port) {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(peer_port),
					   .sin6_addr = A(PEER) };
		cr_assert_eq(s->ops->connect(s, &to), 0);
	}
	return s;
}

Test(sock_udp, connected_socket_wins_and_filters)
{
	struct sock *c = udp_shared(5001, 40000);
	struct in6_addr us = A(US);
	cr_assert_arr_eq(&c->local.sin6_addr, &us, 16, "connect picked the source");
	/* Alone on its port, a connected socket filters: another peer's
	 * datagram finds no socket. */
	peer_udp(40001, 5001, "other", 0xffff);
	cr_assert_eq(got.n, 0, "a connected socket only takes its peer");
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), 1);
	peer_udp(40000, 5001, "mine", 0xffff);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.sk, c);
}

Test(sock_udp, connected_socket_wins_over_a_wildcard_either_order)
{
	/* The port is shared (SO_REUSEADDR on both, udp_lib_lport_inuse);
	 * the connected socket wins its peer's datagrams (compute_score: a
	 * matching peer scores higher), the wildcard gets the others,
	 * whichever socket came first (an order-based lookup fails one). */
	for (int wild_first = 0; wild_first < 2; wild_first++) {
		uint16_t port = (uint16_t)(5001 + wild_first);
		struct sock *wild = NULL, *c;
		if (wild_first)
			wild = udp_shared(port, 0);
		c = udp_shared(port, 40000);
		if (!wild_first)
			wild = udp_shared(port, 0);
		got.n = 0;
		peer_udp(40000, port, "mine", 0xffff);
		cr_assert_eq(got.n, 1);
		cr_assert_eq(got.sk, c, "wildcard %s: the connected socket wins its peer's datagram",
			     wild_first ? "first" : "second");
		cr_assert_eq(memcmp(got.data, "mine", 4), 0);
		peer_udp(40001, port, "other", 0xffff);
		cr_assert_eq(got.n, 2);
		cr_assert_eq(got.sk, wild, "wildcard %s: another peer's datagram goes to it",
			     wild_first ? "first" : "second");
		cr_assert_eq(memcmp(got.data, "other", 5), 0);
	}
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), 0, "no Port Unreachable");
}

Test(sock_udp, bad_checksum_dropped_before_port_lookup)
{
	udp_bound(5000);
	peer_udp(40000, 5000, "hello", 0x1234);
	peer_udp(40000, 5000, "hello", 0);
	peer_udp(40000, 5999, "hello", 0x1234);
	cr_assert_eq(got.n, 0);
	cr_assert_eq(sstats.drop[STACK_DROP_UDP_CSUM], 3);
	cr_assert_eq(sockstats.udp_csum, 3);
	cr_assert_eq(fake_ntx, 0, "no Port Unreachable for a corrupt datagram");
}

Test(sock_udp, closed_port_answers_port_unreachable)
{
	peer_udp(40000, 5999, "anyone", 0xffff);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), 1);
	int i = find_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT);
	cr_assert(tx_addr_is((unsigned)i, true, PEER));
	cr_assert(tx_csum_ok((unsigned)i));
	cr_assert_eq(sockstats.udp_no_port, 1);
}

Test(sock_udp, full_receive_queue_is_a_counted_drop)
{
	struct sock *s = udp_bound(5000);
	queue_full = true;
	peer_udp(40000, 5000, "x", 0xffff);
	cr_assert_eq(s->rcvq_drops, 1);
	cr_assert_eq(sstats.drop[STACK_DROP_SOCK_RCVQ_FULL], 1);
}

Test(sock_udp, sendmsg_builds_a_checksummed_datagram)
{
	int err;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(7), .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->sendmsg(s, "ping", 4, NULL), -EDESTADDRREQ);
	cr_assert_eq(s->ops->sendmsg(s, "ping", 4, &to), 4);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *ip = tx_ip6(0);
	cr_assert_eq(ip[6], NEXTHDR_UDP);
	cr_assert(tx_addr_is(0, false, US));
	cr_assert(tx_addr_is(0, true, PEER));
	const uint8_t *uh = ip + 40;
	cr_assert_eq(uh[2] << 8 | uh[3], 7);
	cr_assert_eq(uh[4] << 8 | uh[5], 12);
	cr_assert_arr_eq(uh + 8, "ping", 4);
	struct in6_addr sa = A(US), da = A(PEER);
	cr_assert_eq(ip6_csum(&sa, &da, NEXTHDR_UDP, uh, 12), 0, "checksum verifies");
	cr_assert_eq(s->local.sin6_port, (uint16_t)(uh[0] | uh[1] << 8), "autobound port");
	to.sin6_addr = A("2001:db8:dead::1");
	cr_assert_lt(s->ops->sendmsg(s, "x", 1, &to), 0, "unreachable route: an error");
}

Test(sock_udp, raw_icmpv6_gets_a_copy_and_the_stack_still_answers)
{
	int err;
	struct sock *r = inet6_create(SOCK_RAW, IPPROTO_ICMPV6, &owner, NULL, &err);
	cr_assert_not_null(r);
	uint8_t frame[400];
	size_t fl = build_echo_frame(frame, FAKE_IF_A, PEER, US, 64, 16);
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(got.n, 1, "the raw socket saw the echo request");
	cr_assert_eq(got.data[0], ICMP6_ECHO_REQUEST);
	cr_assert_eq(got.len, 8 + 16);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 1, "and the stack replied");
	/* Sending: the stack fills the ICMPv6 checksum. */
	uint8_t req[8] = { ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = A(PEER) };
	fake_ntx = 0;
	cr_assert_eq(r->ops->sendmsg(r, req, sizeof(req), &to), 8);
	cr_assert_eq(count_icmp(ICMP6_ECHO_REQUEST, 0), 1);
	cr_assert(tx_csum_ok(0));
}

Test(sock_udp, raw_socket_for_an_unknown_protocol_spares_parameter_problem)
{
	int err;
	struct sock *r = inet6_create(SOCK_RAW, 253, &owner, NULL, &err);
	cr_assert_not_null(r);
	uint8_t body[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t frame[200];
	size_t fl = build_frame(frame, FAKE_IF_A, PEER, US, 64, 253, body, sizeof(body));
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, -1), 0, "a raw taker: no Parameter Problem");
	r->ops->release(r);
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(count_icmp(ICMP6_PARAMPROB, ICMP6_PP_NEXTHDR), 1, "without it: code 1");
}

Test(sock_udp, socket_table_is_bounded)
{
	int err = 0;
	unsigned n = 0;
	while (inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err))
		n++;
	cr_assert_eq(n, XRT_SOCK_MAX, "exactly the table's size");
	cr_assert_eq(err, ENFILE);
	/* A datagram still finds its way (a full table costs no lookups of
	 * free slots) and freeing one makes room. */
	peer_udp(40000, 5999, "x", 0xffff);
	cr_assert_eq(count_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), 1);
	struct sock *s = sk_first();
	s->ops->release(s);
	cr_assert_not_null(inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err));
}
