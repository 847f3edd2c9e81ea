/* xrt tests: ICMPv6 errors reach the sockets they concern (icmpv6_notify -> udpv6_err, rawv6_err, tcp_v6_err, tcp_v6_mtu_reduced) on the fake env. */
#include <criterion/criterion.h>
#include <errno.h>
#include "test_stack_fake.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"
#include "test_tcp_seg.h"

#define PEER "2001:db8:1::2"
#define US "2001:db8:1::1"
#define ROUTER "2001:db8:1::fe"

static unsigned n_err, n_state;
static int last_err;
static void t_err(struct sock *sk) { n_err++; last_err = sk->err; }
static void t_state(struct sock *sk) { (void)sk; n_state++; }
static int t_dgram(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	(void)sk, (void)f, (void)d, (void)l;
	return 0;
}
static void t_nop(struct sock *sk) { (void)sk; }
static struct {
	unsigned n;
	struct sock_ee ee;
	char payload[64];
} q;
static void t_queue(struct sock *sk, const struct sock_ee *ee, const void *d, size_t l)
{
	(void)sk;
	q.n++;
	q.ee = *ee;
	memcpy(q.payload, d, l < 63 ? l : 63);
}
static const struct sock_owner_ops owner = {
	.dgram_rcv = t_dgram, .readable = t_nop, .writable = t_nop, .state_change = t_state,
	.error_report = t_err, .error_queue = t_queue,
};

static void setup(void)
{
	fake_setup();
	n_err = n_state = 0;
	last_err = 0;
	memset(&q, 0, sizeof(q));
	struct in6_addr peer = A(PEER);
	neigh_update_from_slla(FAKE_IF_A, &peer, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
	fake_ntx = 0;
}
TestSuite(sock_icmp_err, .init = setup, .fini = fake_teardown);

/* An ICMPv6 error from src quoting the packet we sent as frame i. */
static void icmp_err_about(unsigned i, const char *src, uint8_t type, uint8_t code, uint32_t info)
{
	static uint8_t body[ICMP6_ERR_MAX_LEN];
	size_t q = tx_ip6_len(i);
	if (q > sizeof(body) - 40 - ICMP6_HDR_LEN)
		q = sizeof(body) - 40 - ICMP6_HDR_LEN;
	memset(body, 0, ICMP6_HDR_LEN);
	body[0] = type;
	body[1] = code;
	seg_wr32(body + 4, info);
	memcpy(body + ICMP6_HDR_LEN, tx_ip6(i), q);
	static uint8_t frame[ICMP6_ERR_MAX_LEN + 14];
	size_t fl = build_frame(frame, FAKE_IF_A, src, US, 64, NEXTHDR_ICMP, body, ICMP6_HDR_LEN + q);
	fix_icmp_csum(frame, fl, 14 + 40);
	rx(FAKE_IF_A, frame, fl);
}

static struct sock *udp_sock(bool connect)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_not_null(s);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(7),
				   .sin6_addr = A(PEER) };
	if (connect) {
		cr_assert_eq(s->ops->connect(s, &to), 0);
		cr_assert_eq(s->ops->sendmsg(s, "x", 1, NULL), 1);
	} else {
		cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	}
	cr_assert_eq(fake_ntx, 1);
	return s;
}

Test(sock_icmp_err, connected_udp_gets_econnrefused)
{
	struct sock *s = udp_sock(true);
	icmp_err_about(0, PEER, ICMP6_DST_UNREACH, ICMP6_DU_PORT, 0);
	cr_assert_eq(n_err, 1, "owner told once");
	cr_assert_eq(last_err, ECONNREFUSED);
	cr_assert_eq(s->err, ECONNREFUSED, "SO_ERROR");
	cr_assert_eq(sockstats.icmp_err, 1);
}

Test(sock_icmp_err, soft_error_and_unconnected_socket_stay_silent)
{
	struct sock *s = udp_sock(true);
	/* RFC 4443 3.1 code 0 is soft (ENETUNREACH, not fatal). */
	icmp_err_about(0, ROUTER, ICMP6_DST_UNREACH, ICMP6_DU_NOROUTE, 0);
	cr_assert_eq(n_err, 0);
	cr_assert_eq(s->err, 0);
	fake_ntx = 0;
	struct sock *u = udp_sock(false);
	icmp_err_about(0, PEER, ICMP6_DST_UNREACH, ICMP6_DU_PORT, 0);
	cr_assert_eq(n_err, 0, "an unconnected socket never hears of it (no IPV6_RECVERR queue)");
	cr_assert_eq(u->err, 0);
}

Test(sock_icmp_err, recverr_queues_the_extended_error_even_unconnected)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_RECVERR, 1), 0);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(7),
				   .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->sendmsg(s, "quoted", 6, &to), 6);
	/* A soft error too: with IPV6_RECVERR every error is queued. */
	icmp_err_about(0, ROUTER, ICMP6_TIME_EXCEED, ICMP6_TE_HOPLIMIT, 0);
	cr_assert_eq(q.n, 1);
	cr_assert_eq(q.ee.err, EHOSTUNREACH);
	cr_assert_eq(q.ee.type, ICMP6_TIME_EXCEED);
	struct in6_addr router = A(ROUTER), peer = A(PEER);
	cr_assert_arr_eq(&q.ee.offender.sin6_addr, &router, 16, "SO_EE_OFFENDER");
	cr_assert_arr_eq(&q.ee.dst.sin6_addr, &peer, 16, "the datagram's destination");
	cr_assert_eq(ntohs(q.ee.dst.sin6_port), 7);
	cr_assert_str_eq(q.payload, "quoted", "the quoted payload");
	cr_assert_eq(n_err, 1, "and the pending error (sk_err)");
	cr_assert_eq(s->err, EHOSTUNREACH);
}

Test(sock_icmp_err, error_about_another_port_or_a_foreign_source_is_ignored)
{
	struct sock *s = udp_sock(true);
	/* Quote rewritten: the source port is not the socket's. */
	uint8_t *ip = (uint8_t *)tx_ip6(0);
	ip[40] ^= 0xff;
	icmp_err_about(0, PEER, ICMP6_DST_UNREACH, ICMP6_DU_PORT, 0);
	ip[40] ^= 0xff;
	cr_assert_eq(n_err, 0);
	/* Quote whose source is not ours: not about our packet. */
	ip[8 + 15] ^= 0x55;
	icmp_err_about(0, PEER, ICMP6_DST_UNREACH, ICMP6_DU_PORT, 0);
	cr_assert_eq(n_err, 0);
	cr_assert_eq(s->err, 0);
}

Test(sock_icmp_err, connected_raw_socket_gets_hard_error)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_RAW, 253, &owner, NULL, &err);
	cr_assert_not_null(s);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->connect(s, &to), 0);
	cr_assert_eq(s->ops->sendmsg(s, "abcd", 4, NULL), 4);
	icmp_err_about(0, PEER, ICMP6_PARAMPROB, ICMP6_PP_NEXTHDR, 6);
	cr_assert_eq(n_err, 1);
	cr_assert_eq(s->err, EPROTO);
}

static struct sock *tcp_connecting(void)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(80),
				   .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->connect(s, &to), -EINPROGRESS);
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT);
	return s;
}

Test(sock_icmp_err, hard_error_aborts_syn_sent)
{
	struct sock *s = tcp_connecting();
	icmp_err_about(0, PEER, ICMP6_DST_UNREACH, ICMP6_DU_ADMIN, 0);
	cr_assert_eq(tcp_state_of(s), TCP_CLOSED);
	cr_assert_eq(s->err, EACCES);
	cr_assert_eq(n_state, 1, "connect answered");
}

Test(sock_icmp_err, soft_error_is_recorded_and_names_the_timeout)
{
	struct sock *s = tcp_connecting();
	icmp_err_about(0, ROUTER, ICMP6_DST_UNREACH, ICMP6_DU_ADDR, 0);
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT, "RFC 1122 4.2.3.9: soft errors do not abort");
	cr_assert_eq(s->err_soft, EHOSTUNREACH);
	for (int i = 0; i < 200 && tcp_state_of(s) != TCP_CLOSED; i++)
		fake_advance_ms(1000);
	cr_assert_eq(tcp_state_of(s), TCP_CLOSED);
	cr_assert_eq(s->err, EHOSTUNREACH, "the timeout reports the soft error");
}

Test(sock_icmp_err, out_of_window_error_is_ignored)
{
	struct sock *s = tcp_connecting();
	uint8_t *ip = (uint8_t *)tx_ip6(0);
	ip[40 + 4] ^= 0x80; /* a sequence number we never sent */
	icmp_err_about(0, PEER, ICMP6_DST_UNREACH, ICMP6_DU_ADMIN, 0);
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT);
	cr_assert_eq(sockstats.tcp_icmp_out_of_window, 1);
}

static const uint8_t syn_opts[] = { TCPOPT_MSS, 4, 0x05, 0xa0 /* 1440 */, TCPOPT_NOP,
				    TCPOPT_WINDOW, 3, 7 };

Test(sock_icmp_err, packet_too_big_shrinks_mss_and_resends_smaller)
{
	struct sock *l = seg_listener(80, 4);
	l->owner = &owner;
	seg_from(PEER, 40000, 80, 1000, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	uint32_t isn = seg_rd32(seg_last_tcp(0) + 4);
	seg_from(PEER, 40000, 80, 1001, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c);
	cr_assert_eq(c->tp->mss, 1440);
	static uint8_t data[4000];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	unsigned before = fake_ntx;
	cr_assert_eq(c->ops->sendmsg(c, data, sizeof(data), NULL), (long)sizeof(data));
	cr_assert_gt(fake_ntx, before);
	cr_assert_eq(tx_ip6_len(before), 40 + 20 + 1440, "first segment full sized");
	unsigned mark = fake_ntx;
	icmp_err_about(before, ROUTER, ICMP6_PKT_TOOBIG, 0, 1280);
	cr_assert_eq(c->tp->mss, 1280 - 60, "RFC 8201 4: MSS follows the path MTU");
	cr_assert_eq(sockstats.tcp_mtu_reduced, 1);
	cr_assert_gt(fake_ntx, mark, "resent at once");
	uint32_t expect = isn + 1;
	for (unsigned i = mark; i < fake_ntx; i++) {
		const uint8_t *ip = tx_ip6(i);
		cr_assert_eq(ip[6], NEXTHDR_TCP, "no IPv6 fragments");
		cr_assert_leq(tx_ip6_len(i), 1280, "segment %u fits the path", i);
		cr_assert_eq(seg_rd32(ip + 44), expect, "go back to snd_una, in order");
		size_t pl = tx_ip6_len(i) - 40 - (size_t)(ip[52] >> 4) * 4;
		cr_assert_arr_eq(ip + 40 + (ip[52] >> 4) * 4, data + (expect - isn - 1), pl);
		expect += (uint32_t)pl;
	}
	cr_assert_eq(expect, isn + 1 + sizeof(data), "everything resent");
}
