/* xrt tests: the TCP state machine (RFC 9293, 6298, 5681, 7323) on the fake env: handshake, options, data, out of order, RTO, fast retransmit, close, TIME_WAIT, resets. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/tcp.h> /* TCP_* options, struct tcp_info */
#include "test_stack_fake.h"
#include "stack/neighbour.h"
#include "stack/secure_seq.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"
#include "test_tcp_seg.h"

#define PEER "2001:db8:1::2"
#define US "2001:db8:1::1"
#define US_PORT 80
#define PEER_PORT 40000
#define PEER_ISN 1000000u

static unsigned n_state, n_readable;
static struct sock *last_state_sk;

static void t_readable(struct sock *sk) { (void)sk; n_readable++; }
static void t_writable(struct sock *sk) { (void)sk; }
static void t_state(struct sock *sk) { n_state++; last_state_sk = sk; }
static int t_dgram(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	(void)sk, (void)f, (void)d, (void)l;
	return 0;
}
static const struct sock_owner_ops owner = {
	.dgram_rcv = t_dgram, .readable = t_readable, .writable = t_writable,
	.state_change = t_state,
};

static void setup(void)
{
	fake_setup();
	n_state = n_readable = 0;
	last_state_sk = NULL;
	struct in6_addr peer = A(PEER);
	/* The peer's MAC is known: segments leave at once, no NS first. */
	neigh_update_from_slla(FAKE_IF_A, &peer, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
	fake_ntx = 0;
}

TestSuite(sock_tcp, .init = setup, .fini = fake_teardown);

/* A segment from the peer; opts (len a multiple of 4) after the header. */
static void peer_seg(uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		     const void *opts, size_t optlen, const void *data, size_t len)
{
	seg_from(PEER, PEER_PORT, dport, seq, ack, flags, win, opts, optlen, data, len);
}

/* The TCP header of recorded frame i (checked: TCP, checksum verifies). */
static const uint8_t *tx_tcp(unsigned i)
{
	cr_assert_lt(i, fake_ntx, "frame %u was sent (only %u)", i, fake_ntx);
	const uint8_t *ip = tx_ip6(i);
	cr_assert_eq(ip[6], NEXTHDR_TCP);
	struct in6_addr s, d;
	memcpy(&s, ip + 8, 16);
	memcpy(&d, ip + 24, 16);
	cr_assert_eq(ip6_csum(&s, &d, NEXTHDR_TCP, ip + 40, tx_ip6_len(i) - 40), 0,
		     "TCP checksum of frame %u", i);
	return ip + 40;
}
static size_t tx_tcp_payload(unsigned i)
{
	const uint8_t *th = tx_tcp(i);
	return tx_ip6_len(i) - 40 - (size_t)(th[12] >> 4) * 4;
}
/* Recorded TCP frames from index from on (ND frames are not counted). */
static unsigned count_tcp(unsigned from)
{
	unsigned n = 0;
	for (unsigned i = from; i < fake_ntx; i++)
		n += tx_ip6(i)[6] == NEXTHDR_TCP;
	return n;
}
static uint16_t tx_win(unsigned i) { const uint8_t *t = tx_tcp(i); return (uint16_t)(t[14] << 8 | t[15]); }

static const uint8_t syn_opts[] = { TCPOPT_MSS, 4, 0x03, 0xe8 /* 1000 */, TCPOPT_NOP,
				    TCPOPT_WINDOW, 3, 7 };

static struct sock *listener(int backlog)
{
	int err = 0;
	struct sock *l = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_not_null(l, "socket: %d", err);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(US_PORT) };
	cr_assert_eq(l->ops->bind(l, &a), 0);
	cr_assert_eq(l->ops->listen(l, backlog), 0);
	return l;
}

/* Passive open up to ESTABLISHED; returns the accepted child. *our_isn out. */
static struct sock *accept_one(struct sock *l, uint32_t *our_isn)
{
	unsigned before = fake_ntx;
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_eq(fake_ntx, before + 1, "one SYN-ACK");
	const uint8_t *th = tx_tcp(before);
	*our_isn = seg_rd32(th + 4);
	peer_seg(US_PORT, PEER_ISN + 1, *our_isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c, "a child in the accept queue");
	c->owner_ctx = NULL;
	return c;
}

Test(sock_tcp, passive_open_negotiates_mss_and_window_scale)
{
	struct sock *l = listener(4);
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *th = tx_tcp(0);
	cr_assert_eq(th[13], TCP_SYN | TCP_ACK);
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 1, "SYN-ACK acknowledges the SYN");
	cr_assert_eq(th[12] >> 4, 7, "20 bytes of header + 8 of options");
	cr_assert_eq(th[20], TCPOPT_MSS);
	cr_assert_eq((th[22] << 8 | th[23]), 1500 - 40 - 20, "MSS from the egress MTU");
	cr_assert_eq(th[25], TCPOPT_WINDOW);
	cr_assert_eq(th[27], 3, "shift that covers the 256 KiB receive buffer");
	cr_assert_eq(tcp_accept(l), NULL, "not established yet");
	uint32_t isn = seg_rd32(th + 4);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(n_state, 1, "listener woken");
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c);
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED);
	cr_assert_eq(c->tp->mss, 1000, "send MSS: the peer's");
	cr_assert_eq(c->tp->snd_wscale, 7);
	cr_assert_eq(c->tp->snd_wnd, 512u << 7, "window scaled after the handshake");
	cr_assert_eq(ntohs(c->peer.sin6_port), PEER_PORT);
}

Test(sock_tcp, active_open_without_window_scale_in_syn_ack)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_STREAM, IPPROTO_TCP, &owner, NULL, &err);
	cr_assert_not_null(s);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(PEER_PORT),
				   .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->connect(s, &to), -EINPROGRESS);
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *th = tx_tcp(0);
	cr_assert_eq(th[13], TCP_SYN);
	cr_assert_eq(seg_opt(th, TCPOPT_WINDOW), tcp_choose_wscale(), "window scale offered on a SYN");
	cr_assert_neq(seg_opt(th, TCPOPT_SACK_PERM), -1, "SACK offered on a SYN (RFC 2018 2)");
	uint16_t sport = (uint16_t)(th[0] << 8 | th[1]);
	cr_assert_geq(sport, XRT_SOCK_EPHEMERAL_LO);
	cr_assert(tx_addr_is(0, false, US), "source picked from the route");
	uint32_t isn = seg_rd32(th + 4);
	/* SYN-ACK from the peer (port PEER_PORT -> sport) with MSS only. */
	uint8_t body[24] = { 0 };
	body[0] = PEER_PORT >> 8, body[1] = PEER_PORT & 0xff;
	body[2] = (uint8_t)(sport >> 8), body[3] = (uint8_t)sport;
	seg_wr32(body + 4, PEER_ISN);
	seg_wr32(body + 8, isn + 1);
	body[12] = 6 << 4;
	body[13] = TCP_SYN | TCP_ACK;
	body[14] = 0xff, body[15] = 0xff;
	body[20] = TCPOPT_MSS, body[21] = 4, body[22] = 0x05, body[23] = 0x00;
	struct in6_addr ps = A(PEER), pd = A(US);
	uint16_t c = ip6_csum(&ps, &pd, NEXTHDR_TCP, body, sizeof(body));
	body[16] = (uint8_t)(c >> 8), body[17] = (uint8_t)c;
	uint8_t frame[200];
	size_t fl = build_frame(frame, FAKE_IF_A, PEER, US, 64, NEXTHDR_TCP, body, sizeof(body));
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(tcp_state_of(s), TCP_ESTABLISHED);
	cr_assert_eq(n_state, 1, "owner told: connected");
	cr_assert_eq(s->tp->rcv_wscale, 0, "no scaling: the SYN-ACK had no option");
	cr_assert_eq(s->tp->snd_wscale, 0);
	cr_assert_eq(s->tp->mss, 1280, "the peer's MSS");
	cr_assert_eq(fake_ntx, 2);
	th = tx_tcp(1);
	cr_assert_eq(th[13], TCP_ACK, "handshake completed by an ACK");
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 1);
}

Test(sock_tcp, out_of_order_data_is_held_and_acked)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	uint8_t d[300];
	for (int i = 0; i < 300; i++)
		d[i] = (uint8_t)i;
	fake_ntx = 0;
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, d, 100);
	cr_assert_eq(fake_ntx, 0, "one short in-order segment: the ACK is delayed");
	fake_advance_ms(TCP_DELACK_MIN_MS);
	cr_assert_eq(seg_rd32(tx_tcp(fake_ntx - 1) + 8), PEER_ISN + 101);
	peer_seg(US_PORT, PEER_ISN + 201, isn + 1, TCP_ACK, 512, NULL, 0, d + 200, 100);
	cr_assert_eq(seg_rd32(tx_tcp(fake_ntx - 1) + 8), PEER_ISN + 101, "duplicate ACK for the hole");
	cr_assert_eq(tcp_rcv_queued(c), 100);
	peer_seg(US_PORT, PEER_ISN + 101, isn + 1, TCP_ACK, 512, NULL, 0, d + 100, 100);
	cr_assert_eq(seg_rd32(tx_tcp(fake_ntx - 1) + 8), PEER_ISN + 301, "hole filled: all acked");
	uint8_t out[400];
	bool eof;
	cr_assert_eq(tcp_recvmsg(c, out, sizeof(out), &eof), 300);
	cr_assert_arr_eq(out, d, 300);
	cr_assert_not(eof);
	/* A retransmission of old data is acknowledged again, not queued. */
	unsigned before = fake_ntx;
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, d, 100);
	cr_assert_eq(fake_ntx, before + 1);
	cr_assert_eq(seg_rd32(tx_tcp(before) + 8), PEER_ISN + 301);
	cr_assert_eq(tcp_rcv_queued(c), 0);
}

/* RFC 6298: 1 s initial RTO, doubled on each expiry; the same segment. */
Test(sock_tcp, retransmission_timer_backs_off)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	fake_ntx = 0;
	cr_assert_eq(c->ops->sendmsg(c, "hello", 5, NULL), 5);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_tcp_payload(0), 5);
	fake_advance_ms(990);
	cr_assert_eq(fake_ntx, 1, "nothing before the RTO");
	fake_advance_ms(20);
	cr_assert_eq(fake_ntx, 2, "retransmitted at 1 s");
	cr_assert_eq(seg_rd32(tx_tcp(1) + 4), isn + 1, "same sequence number");
	cr_assert_eq(tx_tcp_payload(1), 5);
	fake_advance_ms(1980);
	cr_assert_eq(fake_ntx, 2, "backed off to 2 s");
	fake_advance_ms(30);
	cr_assert_eq(fake_ntx, 3);
	cr_assert_eq(c->tp->cwnd, c->tp->mss, "loss window after a timeout (RFC 5681 3.1)");
	peer_seg(US_PORT, PEER_ISN + 1, isn + 6, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(c->tp->snd_una, isn + 6);
	cr_assert_eq(c->tp->rtx_due, 0, "timer off once all is acknowledged");
}

Test(sock_tcp, rtt_sample_sets_rto)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	c->ops->sendmsg(c, "x", 1, NULL);
	fake_now += 100 * NSEC_PER_MSEC;
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(c->tp->srtt, 100 * NSEC_PER_MSEC, "SRTT = R");
	cr_assert_eq(c->tp->rttvar, 50 * NSEC_PER_MSEC, "RTTVAR = R/2");
	cr_assert_eq(c->tp->rto, 1000 * NSEC_PER_MSEC, "300 ms rounded up to the 1 s minimum");
	c->ops->sendmsg(c, "y", 1, NULL);
	fake_now += 3000 * NSEC_PER_MSEC;
	peer_seg(US_PORT, PEER_ISN + 1, isn + 3, TCP_ACK, 512, NULL, 0, NULL, 0);
	/* RTTVAR = 3/4 * 50 + 1/4 * |100 - 3000| = 762.5; SRTT = 462.5 */
	cr_assert_eq(c->tp->srtt, 462500 * 1000ull);
	cr_assert_eq(c->tp->rttvar, 762500 * 1000ull);
	cr_assert_eq(c->tp->rto, (462500 + 4 * 762500) * 1000ull);
}

Test(sock_tcp, three_duplicate_acks_fast_retransmit)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	static uint8_t buf[5000];
	fake_ntx = 0;
	cr_assert_eq(c->ops->sendmsg(c, buf, 5000, NULL), 5000);
	cr_assert_eq(fake_ntx, 5, "5000 bytes in MSS-1000 segments within the initial window");
	for (int i = 0; i < 2; i++)
		peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 5, "two duplicates: nothing yet");
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 6, "the third duplicate ACK retransmits");
	cr_assert_eq(seg_rd32(tx_tcp(5) + 4), isn + 1);
	cr_assert_eq(tx_tcp_payload(5), 1000);
	cr_assert(c->tp->in_recovery);
	cr_assert_eq(c->tp->ssthresh, 2500, "half the flight (RFC 5681 eq. 4)");
	/* Partial ACK (RFC 6582): the next hole goes at once. */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2001, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(seg_rd32(tx_tcp(fake_ntx - 1) + 4), isn + 2001);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 5001, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_not(c->tp->in_recovery, "full ACK ends recovery");
}

Test(sock_tcp, active_close_through_time_wait)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	fake_ntx = 0;
	cr_assert_eq(c->ops->shutdown(c, SHUT_WR), 0);
	cr_assert_eq(tcp_state_of(c), TCP_FIN_WAIT1);
	cr_assert_eq(tx_tcp(0)[13], TCP_FIN | TCP_ACK);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(tcp_state_of(c), TCP_FIN_WAIT2);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK | TCP_FIN, 512, NULL, 0, NULL, 0);
	cr_assert_eq(tcp_state_of(c), TCP_TIME_WAIT);
	cr_assert_eq(seg_rd32(tx_tcp(fake_ntx - 1) + 8), PEER_ISN + 2, "the FIN acknowledged");
	bool eof;
	uint8_t b[4];
	cr_assert_eq(tcp_recvmsg(c, b, 4, &eof), 0);
	cr_assert(eof);
	unsigned sent = fake_ntx;
	fake_advance_ms(2 * TCP_MSL_MS - 100);
	cr_assert_eq(tcp_state_of(c), TCP_TIME_WAIT, "2 MSL not over");
	cr_assert_eq(count_tcp(sent), 0, "TIME_WAIT sends nothing by itself");
	fake_advance_ms(200);
	cr_assert_eq(tcp_state_of(c), TCP_CLOSED, "TIME_WAIT ends after 2 MSL");
}

Test(sock_tcp, passive_close_last_ack)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK | TCP_FIN, 512, NULL, 0, "bye", 3);
	cr_assert_eq(tcp_state_of(c), TCP_CLOSE_WAIT);
	uint8_t b[8];
	bool eof;
	cr_assert_eq(tcp_recvmsg(c, b, 8, &eof), 3);
	cr_assert(eof, "end of stream after the data");
	fake_ntx = 0;
	c->ops->release(c); /* the application closes: orphan, FIN */
	cr_assert_eq(tx_tcp(0)[13], TCP_FIN | TCP_ACK);
	cr_assert_eq(seg_rd32(tx_tcp(0) + 8), PEER_ISN + 5);
	cr_assert_eq(c->tp->state, TCP_LAST_ACK);
	peer_seg(US_PORT, PEER_ISN + 5, isn + 2, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_not(c->in_use, "socket freed once its FIN is acknowledged");
}

Test(sock_tcp, abortive_close_sends_rst)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	tcp_set_linger0(c, true);
	fake_ntx = 0;
	c->ops->release(c);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_tcp(0)[13], TCP_RST | TCP_ACK);
	cr_assert_eq(seg_rd32(tx_tcp(0) + 4), isn + 1);
	cr_assert_not(c->in_use);
}

Test(sock_tcp, closed_port_answers_rst)
{
	peer_seg(81, PEER_ISN, 0, TCP_SYN, 65535, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *th = tx_tcp(0);
	cr_assert_eq(th[13], TCP_RST | TCP_ACK, "no ACK in: RST+ACK");
	cr_assert_eq(seg_rd32(th + 4), 0);
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 1, "ack = SEG.SEQ + SEG.LEN (SYN counts)");
	peer_seg(81, PEER_ISN, 777, TCP_ACK, 65535, NULL, 0, "data", 4);
	th = tx_tcp(1);
	cr_assert_eq(th[13], TCP_RST, "ACK in: RST with SEQ = SEG.ACK");
	cr_assert_eq(seg_rd32(th + 4), 777);
	peer_seg(81, PEER_ISN, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 2, "never a reset for a reset");
	cr_assert_eq(sstats.drop[STACK_DROP_TCP_NO_SOCK], 3);
}

Test(sock_tcp, reset_must_match_rcv_nxt)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	c->owner_ctx = (void *)1;
	fake_ntx = 0;
	peer_seg(US_PORT, PEER_ISN + 50, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED, "in window but not exact: stays");
	cr_assert_eq(fake_ntx, 1, "challenge ACK (RFC 5961 3.2)");
	cr_assert_eq(tx_tcp(0)[13], TCP_ACK);
	peer_seg(US_PORT, PEER_ISN + 1, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	cr_assert_eq(tcp_state_of(c), TCP_CLOSED);
	cr_assert_eq(c->err, ECONNRESET);
}

Test(sock_tcp, bad_checksum_is_dropped_and_counted)
{
	listener(4);
	uint8_t body[20] = { PEER_PORT >> 8, PEER_PORT & 0xff, 0, US_PORT, 0, 0, 0, 1, 0, 0, 0, 0,
			     5 << 4, TCP_SYN, 0xff, 0xff, 0xde, 0xad, 0, 0 };
	uint8_t frame[200];
	size_t fl = build_frame(frame, FAKE_IF_A, PEER, US, 64, NEXTHDR_TCP, body, sizeof(body));
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(fake_ntx, 0, "no SYN-ACK, no RST");
	cr_assert_eq(sstats.drop[STACK_DROP_TCP_CSUM], 1);
}

/* With SYN cookies off (net.ipv4.tcp_syncookies = 0) a full request queue
 * drops SYNs; test_sec_syncookies.c covers the default. */
Test(sock_tcp, backlog_bounds_half_open_connections)
{
	cr_assert_eq(stack_tcp_syncookies_set(0), 0);
	listener(1);
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 1);
	/* A second SYN from another port: over the backlog, dropped. */
	uint8_t body[20] = { 0x9c, 0x41, 0, US_PORT, 0, 0, 0, 9, 0, 0, 0, 0, 5 << 4, TCP_SYN,
			     0xff, 0xff, 0, 0, 0, 0 };
	struct in6_addr s = A(PEER), d = A(US);
	uint16_t c = ip6_csum(&s, &d, NEXTHDR_TCP, body, sizeof(body));
	body[16] = (uint8_t)(c >> 8), body[17] = (uint8_t)c;
	uint8_t frame[200];
	size_t fl = build_frame(frame, FAKE_IF_A, PEER, US, 64, NEXTHDR_TCP, body, sizeof(body));
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(fake_ntx, 1, "no SYN-ACK over the backlog");
	cr_assert_eq(sstats.drop[STACK_DROP_TCP_BACKLOG], 1);
	cr_assert_eq(sockstats.tcp_reqq_full_drop, 1);
	cr_assert_eq(sockstats.tcp_backlog_drops, 1, "TcpExtListenDrops");
}

Test(sock_tcp, zero_window_holds_data_and_probes)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 0, NULL, 0, NULL, 0);
	cr_assert_eq(c->tp->snd_wnd, 0);
	fake_ntx = 0;
	cr_assert_eq(c->ops->sendmsg(c, "abc", 3, NULL), 3);
	cr_assert_eq(fake_ntx, 0, "nothing fits a zero window");
	fake_advance_ms(1010);
	cr_assert_eq(fake_ntx, 1, "window probe after the RTO (RFC 9293 3.8.6.1)");
	cr_assert_eq(tx_tcp_payload(0), 1);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK, 100, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 2, "window open: the rest goes");
	cr_assert_eq(tx_tcp_payload(1), 2);
}

Test(sock_tcp, advertised_window_is_free_receive_space)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	static uint8_t d[1000];
	fake_ntx = 0;
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, d, 1000);
	fake_advance_ms(TCP_DELACK_MIN_MS);
	cr_assert_eq(tx_win(fake_ntx - 1), (TCP_RCVBUF - 1000) >> 3, "free space, scaled by 3");
	uint8_t out[1000];
	bool eof;
	cr_assert_eq(tcp_recvmsg(c, out, 1000, &eof), 1000);
	peer_seg(US_PORT, PEER_ISN + 1001, isn + 1, TCP_ACK, 512, NULL, 0, d, 8);
	fake_advance_ms(TCP_DELACK_MIN_MS);
	cr_assert_eq(tx_win(fake_ntx - 1), (TCP_RCVBUF - 8) >> 3, "reading gave the space back");
}

Test(sock_tcp, syn_retransmitted_then_connect_times_out)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_STREAM, 0, &owner, (void *)1, &err);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(PEER_PORT),
				   .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->connect(s, &to), -EINPROGRESS);
	cr_assert_eq(count_tcp(0), 1);
	/* 1 + 2 + 4 + 8 + 16 + 32 s of backoff, then one more RTO to give up. */
	fake_advance_ms(1010);
	cr_assert_eq(count_tcp(0), 2, "first SYN retransmission at 1 s");
	cr_assert_eq(tx_tcp(fake_ntx - 1)[13], TCP_SYN);
	fake_advance_ms(2000 + 4000 + 8000 + 16000 + 32000);
	/* Counted, not captured: with the peer silent, neighbour
	 * unreachability detection gives up on it and frames stop leaving. */
	cr_assert_eq(sockstats.tcp_retrans, TCP_SYN_RETRIES_MAX, "every retry made");
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT);
	fake_advance_ms(64010);
	cr_assert_eq(tcp_state_of(s), TCP_CLOSED);
	cr_assert_eq(s->err, ETIMEDOUT);
	cr_assert_eq(n_state, 1, "owner told once");
}

Test(sock_tcp, reuseaddr_rebinds_over_time_wait_only)
{
	uint32_t isn;
	struct sock *l = listener(4);
	struct sock *c = accept_one(l, &isn);
	l->ops->release(l);
	/* Active close of the accepted connection: it sits in TIME_WAIT on
	 * port 80 after the peer's FIN. */
	c->ops->shutdown(c, SHUT_WR);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK | TCP_FIN, 512, NULL, 0, NULL, 0);
	cr_assert_eq(tcp_state_of(c), TCP_TIME_WAIT);
	int err;
	struct sock *n = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(US_PORT) };
	cr_assert_eq(n->ops->bind(n, &a), -EADDRINUSE, "TIME_WAIT holds the port");
	n->reuseaddr = true;
	cr_assert_eq(n->ops->bind(n, &a), 0, "SO_REUSEADDR binds over TIME_WAIT");
}

Test(sock_tcp, reuseaddr_on_both_rebinds_over_a_connection_that_outlived_its_listener)
{
	uint32_t isn;
	struct sock *l = listener(4);
	l->reuseaddr = true;
	struct sock *c = accept_one(l, &isn);
	cr_assert(c->reuseaddr, "inherited from the listener");
	int err;
	struct sock *n = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	n->reuseaddr = true;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(US_PORT) };
	cr_assert_eq(n->ops->bind(n, &a), -EADDRINUSE, "the listener holds the port");
	l->ops->release(l);
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED);
	n->reuseaddr = false;
	cr_assert_eq(n->ops->bind(n, &a), -EADDRINUSE, "without SO_REUSEADDR the connection holds it");
	n->reuseaddr = true;
	cr_assert_eq(n->ops->bind(n, &a), 0, "SO_REUSEADDR on both: inet_bind_conflict lets it go");
}

/* ---- SACK, timestamps, delayed ACK, Nagle, keepalive, options ---- */

#define PEER_TSVAL 5000u
/* The peer's SYN with MSS 1000, SACK permitted + timestamp, window scale 7. */
static const uint8_t syn_opts_sack_ts[] = {
	TCPOPT_MSS, 4, 0x03, 0xe8, TCPOPT_SACK_PERM, 2, TCPOPT_TIMESTAMP, 10,
	0, 0, 0x13, 0x88 /* PEER_TSVAL */, 0, 0, 0, 0, TCPOPT_NOP, TCPOPT_WINDOW, 3, 7,
};
/* The same without timestamps (segments of a full 1000 bytes). */
static const uint8_t syn_opts_sack[] = { TCPOPT_MSS, 4, 0x03, 0xe8, TCPOPT_NOP, TCPOPT_NOP,
					 TCPOPT_SACK_PERM, 2, TCPOPT_NOP, TCPOPT_WINDOW, 3, 7 };

static struct sock *accept_opts(struct sock *l, const uint8_t *opts, size_t optlen,
				uint32_t *our_isn)
{
	unsigned before = fake_ntx;
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, opts, optlen, NULL, 0);
	cr_assert_eq(fake_ntx, before + 1, "one SYN-ACK");
	*our_isn = seg_rd32(tx_tcp(before) + 4);
	peer_seg(US_PORT, PEER_ISN + 1, *our_isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c);
	return c;
}

/* NOP NOP TS(tsval, tsecr). */
static void ts_opt(uint8_t o[12], uint32_t tsval, uint32_t tsecr)
{
	o[0] = o[1] = TCPOPT_NOP;
	o[2] = TCPOPT_TIMESTAMP;
	o[3] = TCPOLEN_TIMESTAMP;
	seg_wr32(o + 4, tsval);
	seg_wr32(o + 8, tsecr);
}

/* The SACK blocks of header th into out; returns how many. */
static unsigned seg_sacks(const uint8_t *th, struct tcp_seq_range *out)
{
	const uint8_t *o = seg_opt_find(th, TCPOPT_SACK);
	unsigned n = o ? (o[1] - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK : 0;
	for (unsigned b = 0; b < n; b++)
		out[b] = (struct tcp_seq_range){ seg_rd32(o + 2 + 8 * b), seg_rd32(o + 6 + 8 * b) };
	return n;
}

/* The TSval / TSecr of th (false if no timestamp option). */
static bool seg_ts(const uint8_t *th, uint32_t *tsval, uint32_t *tsecr)
{
	const uint8_t *o = seg_opt_find(th, TCPOPT_TIMESTAMP);
	if (o) {
		*tsval = seg_rd32(o + 2);
		*tsecr = seg_rd32(o + 6);
	}
	return o != NULL;
}

Test(sock_tcp, sack_and_timestamps_negotiated_and_blocks_sent_most_recent_first)
{
	struct sock *l = listener(4);
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, syn_opts_sack_ts, sizeof(syn_opts_sack_ts),
		 NULL, 0);
	const uint8_t *th = tx_tcp(0);
	cr_assert_neq(seg_opt(th, TCPOPT_SACK_PERM), -1, "SYN-ACK answers SACK permitted");
	uint32_t tsval, tsecr;
	cr_assert(seg_ts(th, &tsval, &tsecr), "SYN-ACK carries a timestamp");
	cr_assert_eq(tsecr, PEER_TSVAL, "echoing the SYN's TSval (RFC 7323 3.2)");
	uint32_t isn = seg_rd32(th + 4);
	uint8_t ts[12];
	ts_opt(ts, PEER_TSVAL + 1, tsval);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, ts, sizeof(ts), NULL, 0);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c);
	cr_assert(c->tp->sack_ok && c->tp->tstamp_ok);
	static uint8_t d[600];
	fake_ntx = 0;
	/* 100 in order, then 200..300 and 400..500 with holes before them. */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 100);
	peer_seg(US_PORT, PEER_ISN + 201, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 100);
	th = seg_last_tcp(0);
	struct tcp_seq_range b[4];
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 101, "out of order: ACKed at once");
	cr_assert_eq(seg_sacks(th, b), 1);
	cr_assert_eq(b[0].start, PEER_ISN + 201);
	cr_assert_eq(b[0].end, PEER_ISN + 301);
	cr_assert(seg_ts(th, &tsval, &tsecr));
	cr_assert_eq(tsecr, PEER_TSVAL + 1, "TS.Recent echoed");
	peer_seg(US_PORT, PEER_ISN + 401, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 100);
	th = seg_last_tcp(0);
	cr_assert_eq(seg_sacks(th, b), 2);
	cr_assert_eq(b[0].start, PEER_ISN + 401, "the most recent block first (RFC 2018 4)");
	cr_assert_eq(b[1].start, PEER_ISN + 201);
	/* Fill the first hole: ACK up to 301, one block left. */
	peer_seg(US_PORT, PEER_ISN + 101, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 100);
	th = seg_last_tcp(0);
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 301);
	cr_assert_eq(seg_sacks(th, b), 1);
	cr_assert_eq(b[0].start, PEER_ISN + 401);
}

Test(sock_tcp, sack_blocks_honoured_only_the_holes_are_retransmitted)
{
	uint32_t isn;
	struct sock *c = accept_opts(listener(4), syn_opts_sack, sizeof(syn_opts_sack), &isn);
	cr_assert(c->tp->sack_ok);
	static uint8_t buf[5000];
	fake_ntx = 0;
	cr_assert_eq(c->ops->sendmsg(c, buf, 5000, NULL), 5000);
	cr_assert_eq(count_tcp(0), 5);
	/* Segments 1 (isn+1) and 3 (isn+2001) are lost; 2, 4, 5 arrive. */
	uint8_t o[4 + 2 * 8] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK, 2 + 16 };
	uint32_t blocks[][4] = { { 1001, 2001, 0, 0 }, { 3001, 4001, 1001, 2001 },
				 { 3001, 5001, 1001, 2001 } };
	for (int i = 0; i < 3; i++) {
		seg_wr32(o + 4, isn + blocks[i][0]);
		seg_wr32(o + 8, isn + blocks[i][1]);
		size_t ol = 12;
		if (blocks[i][2]) {
			seg_wr32(o + 12, isn + blocks[i][2]);
			seg_wr32(o + 16, isn + blocks[i][3]);
			ol = 20;
		}
		o[3] = (uint8_t)(ol - 2);
		peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, o, ol, NULL, 0);
	}
	cr_assert(c->tp->in_recovery, "three duplicate ACKs with SACK information");
	cr_assert_eq(count_tcp(5), 1);
	cr_assert_eq(seg_rd32(tx_tcp(5) + 4), isn + 1, "the first hole");
	/* One more duplicate: the next hole, not the SACKed segment 2. */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, o, 20, NULL, 0);
	cr_assert_eq(count_tcp(5), 2);
	cr_assert_eq(seg_rd32(tx_tcp(6) + 4), isn + 2001, "the second hole");
	cr_assert_eq(tx_tcp_payload(6), 1000);
	cr_assert_eq(sockstats.tcp_sack_retrans, 2);
	cr_assert_eq(sockstats.tcp_sack_recovery, 1);
	/* Nothing else to repair: further duplicates send no old data. */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, o, 20, NULL, 0);
	for (unsigned i = 7; i < fake_ntx; i++)
		cr_assert(seq_ge(seg_rd32(tx_tcp(i) + 4), isn + 5001) || tx_tcp_payload(i) == 0,
			  "no SACKed segment sent again");
	peer_seg(US_PORT, PEER_ISN + 1, isn + 5001, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_not(c->tp->in_recovery, "full ACK ends recovery");
	cr_assert_eq(c->tp->nsacked, 0, "the scoreboard empties with the cumulative ACK");
}

Test(sock_tcp, timeout_skips_sacked_ranges)
{
	uint32_t isn;
	struct sock *c = accept_opts(listener(4), syn_opts_sack, sizeof(syn_opts_sack), &isn);
	static uint8_t buf[3000];
	fake_ntx = 0;
	c->ops->sendmsg(c, buf, 3000, NULL);
	uint8_t o[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK, 10 };
	seg_wr32(o + 4, isn + 1001);
	seg_wr32(o + 8, isn + 2001);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, o, sizeof(o), NULL, 0);
	unsigned before = fake_ntx;
	fake_advance_ms(1001);
	cr_assert_eq(count_tcp(before), 1, "RTO: the head");
	cr_assert_eq(seg_rd32(tx_tcp(before) + 4), isn + 1);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1001, TCP_ACK, 512, o, sizeof(o), NULL, 0);
	cr_assert_eq(seg_rd32(seg_last_tcp(before + 1) + 4), isn + 2001,
		     "going back skips the SACKed 1001..2001");
}

Test(sock_tcp, paws_rejects_an_old_timestamp)
{
	uint32_t isn;
	struct sock *c = accept_opts(listener(4), syn_opts_sack_ts, sizeof(syn_opts_sack_ts), &isn);
	uint8_t ts[12];
	static uint8_t d[100];
	ts_opt(ts, PEER_TSVAL + 100, 0);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 50);
	cr_assert_eq(tcp_rcv_queued(c), 50);
	cr_assert_eq(c->tp->ts_recent, PEER_TSVAL + 100);
	fake_ntx = 0;
	ts_opt(ts, PEER_TSVAL + 10, 0); /* older than TS.Recent: an old duplicate */
	peer_seg(US_PORT, PEER_ISN + 51, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 50);
	cr_assert_eq(tcp_rcv_queued(c), 50, "PAWS discards it (RFC 7323 5.3)");
	cr_assert_eq(sockstats.tcp_paws_estab, 1);
	cr_assert_eq(count_tcp(0), 1, "answered with an ACK");
	cr_assert_eq(seg_rd32(tx_tcp(0) + 8), PEER_ISN + 51);
	ts_opt(ts, PEER_TSVAL + 101, 0);
	peer_seg(US_PORT, PEER_ISN + 51, isn + 1, TCP_ACK, 512, ts, sizeof(ts), d, 50);
	cr_assert_eq(tcp_rcv_queued(c), 100, "a current timestamp passes");
}

Test(sock_tcp, timestamps_time_the_round_trip)
{
	uint32_t isn;
	struct sock *c = accept_opts(listener(4), syn_opts_sack_ts, sizeof(syn_opts_sack_ts), &isn);
	fake_ntx = 0;
	c->ops->sendmsg(c, "x", 1, NULL);
	uint32_t tsval, tsecr;
	cr_assert(seg_ts(tx_tcp(0), &tsval, &tsecr));
	fake_now += 250 * NSEC_PER_MSEC;
	uint8_t ts[12];
	ts_opt(ts, PEER_TSVAL + 1, tsval);
	c->tp->rtt_timing = false; /* only the echoed TSval can time it */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK, 512, ts, sizeof(ts), NULL, 0);
	cr_assert_eq(c->tp->srtt, 250 * NSEC_PER_MSEC, "RTTM (RFC 7323 4.1)");
}

Test(sock_tcp, delayed_ack_every_second_segment_or_40ms)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	(void)c;
	static uint8_t d[1000];
	fake_ntx = 0;
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, d, 1000);
	cr_assert_eq(count_tcp(0), 0, "one segment: the ACK waits");
	fake_advance_ms(TCP_DELACK_MIN_MS - 10); /* the fake clock steps 10 ms */
	cr_assert_eq(count_tcp(0), 0);
	fake_advance_ms(10);
	cr_assert_eq(count_tcp(0), 1, "the delayed ACK at 40 ms");
	cr_assert_eq(seg_rd32(tx_tcp(0) + 8), PEER_ISN + 1001);
	cr_assert_eq(sockstats.tcp_delayed_acks, 1);
	peer_seg(US_PORT, PEER_ISN + 1001, isn + 1, TCP_ACK, 512, NULL, 0, d, 1000);
	cr_assert_eq(count_tcp(0), 1);
	peer_seg(US_PORT, PEER_ISN + 2001, isn + 1, TCP_ACK, 512, NULL, 0, d, 1000);
	cr_assert_eq(count_tcp(0), 2, "the second full segment is ACKed at once");
	cr_assert_eq(seg_rd32(tx_tcp(1) + 8), PEER_ISN + 3001);
	fake_advance_ms(TCP_DELACK_MAX_MS);
	cr_assert_eq(count_tcp(0), 2, "nothing owed: no timer ACK");
}

Test(sock_tcp, nagle_coalesces_small_writes_unless_nodelay)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	fake_ntx = 0;
	c->ops->sendmsg(c, "a", 1, NULL);
	cr_assert_eq(count_tcp(0), 1, "nothing in flight: the small segment goes");
	c->ops->sendmsg(c, "b", 1, NULL);
	c->ops->sendmsg(c, "c", 1, NULL);
	cr_assert_eq(count_tcp(0), 1, "Nagle: held while a small segment is unacknowledged");
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(count_tcp(0), 2);
	cr_assert_eq(tx_tcp_payload(1), 2, "b and c in one segment");
	cr_assert_eq(tcp_setsockopt(c, TCP_NODELAY, 1), 0);
	c->ops->sendmsg(c, "d", 1, NULL);
	c->ops->sendmsg(c, "e", 1, NULL);
	cr_assert_eq(count_tcp(0), 4, "TCP_NODELAY: each write goes at once");
}

/* Time passes with the peer's link-layer address kept fresh (the
 * neighbour entry would otherwise age into a probe of its own). */
static void idle_ms(uint64_t ms)
{
	struct in6_addr peer = A(PEER);
	for (uint64_t t = 0; t < ms; t += 10) {
		neigh_update_from_slla(FAKE_IF_A, &peer, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
		fake_advance_ms(10);
	}
}

Test(sock_tcp, keepalive_probes_then_reset_after_keepcnt)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	cr_assert_eq(tcp_setsockopt(c, TCP_KEEPIDLE, 10), 0);
	cr_assert_eq(tcp_setsockopt(c, TCP_KEEPINTVL, 2), 0);
	cr_assert_eq(tcp_setsockopt(c, TCP_KEEPCNT, 3), 0);
	tcp_set_keepalive(c, true);
	fake_ntx = 0;
	idle_ms(9980);
	cr_assert_eq(count_tcp(0), 0, "idle less than TCP_KEEPIDLE");
	idle_ms(20);
	cr_assert_eq(count_tcp(0), 1, "first probe");
	const uint8_t *probe = seg_last_tcp(0);
	cr_assert_eq(seg_rd32(probe + 4), isn, "SEG.SEQ = SND.UNA - 1");
	cr_assert_eq(probe[13], TCP_ACK, "no data, no flags but ACK");
	/* The peer answers: the count starts again from the idle time. */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	idle_ms(2000);
	cr_assert_eq(count_tcp(0), 1, "an answered probe: idle again");
	idle_ms(8000);
	cr_assert_eq(count_tcp(0), 2);
	idle_ms(2000);
	idle_ms(2000);
	cr_assert_eq(count_tcp(0), 4, "probes every TCP_KEEPINTVL");
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED);
	idle_ms(2000);
	cr_assert_eq(tcp_state_of(c), TCP_CLOSED, "TCP_KEEPCNT probes unanswered");
	cr_assert_eq(seg_last_tcp(0)[13] & TCP_RST, TCP_RST, "reset sent");
	cr_assert_eq(c->err, ETIMEDOUT);
	cr_assert_eq(sockstats.tcp_keepalive, 4);
	cr_assert_eq(sockstats.tcp_abort_on_timeout, 1);
}

Test(sock_tcp, tcp_options_round_trip_and_unknown_ones_are_refused)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_STREAM, IPPROTO_TCP, &owner, NULL, &err);
	int v = -1;
	cr_assert_eq(tcp_getsockopt(s, TCP_NODELAY, &v), 0);
	cr_assert_eq(v, 0, "Nagle on by default");
	cr_assert_eq(tcp_setsockopt(s, TCP_NODELAY, 1), 0);
	cr_assert_eq(tcp_getsockopt(s, TCP_NODELAY, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(tcp_getsockopt(s, TCP_MAXSEG, &v), 0);
	cr_assert_eq(v, TCP_MSS_DEFAULT);
	cr_assert_eq(tcp_setsockopt(s, TCP_MAXSEG, 1000), 0);
	cr_assert_eq(tcp_getsockopt(s, TCP_MAXSEG, &v), 0);
	cr_assert_eq(v, 1000);
	cr_assert_eq(tcp_setsockopt(s, TCP_MAXSEG, 10), -EINVAL);
	int names[] = { TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT };
	int defaults[] = { TCP_KEEPALIVE_TIME_S, TCP_KEEPALIVE_INTVL_S, TCP_KEEPALIVE_PROBES };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(tcp_getsockopt(s, names[i], &v), 0);
		cr_assert_eq(v, defaults[i]);
		cr_assert_eq(tcp_setsockopt(s, names[i], 5), 0);
		cr_assert_eq(tcp_getsockopt(s, names[i], &v), 0);
		cr_assert_eq(v, 5);
		cr_assert_eq(tcp_setsockopt(s, names[i], 0), -EINVAL);
	}
	cr_assert_eq(tcp_setsockopt(s, TCP_CORK, 1), 0);
	cr_assert_eq(tcp_getsockopt(s, TCP_CORK, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(tcp_setsockopt(s, TCP_CORK, 0), 0);
	int unknown[] = { TCP_INFO, TCP_CONGESTION, TCP_DEFER_ACCEPT, TCP_QUICKACK,
			  TCP_USER_TIMEOUT, TCP_FASTOPEN, TCP_NOTSENT_LOWAT };
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		cr_assert_eq(tcp_setsockopt(s, unknown[i], 1), -ENOPROTOOPT, "option %d", unknown[i]);
		cr_assert_eq(tcp_getsockopt(s, unknown[i], &v), -ENOPROTOOPT, "option %d", unknown[i]);
	}
	cr_assert_eq(ipv6_setsockopt(s, IPV6_TCLASS, 0x28), 0);
	cr_assert_eq(ipv6_getsockopt(s, IPV6_TCLASS, &v), 0);
	cr_assert_eq(v, 0x28);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_TCLASS, 256), -EINVAL);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_UNICAST_HOPS, 7), 0);
	cr_assert_eq(sock_bindtoindex(s, 9999), -ENODEV);
	cr_assert_eq(sock_bindtoindex(s, FAKE_IF_A), 0);
	cr_assert_eq(s->bound_dev_if, FAKE_IF_A);
	/* Traffic class and hop limit are on the wire. */
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(PEER_PORT),
				   .sin6_addr = A(PEER) };
	fake_ntx = 0;
	cr_assert_eq(s->ops->connect(s, &to), -EINPROGRESS);
	const uint8_t *ip = tx_ip6(0);
	cr_assert_eq((ip[0] & 0xf) << 4 | ip[1] >> 4, 0x28, "IPV6_TCLASS applied");
	cr_assert_eq(ip[7], 7, "IPV6_UNICAST_HOPS applied");
	cr_assert_eq(seg_opt(ip + 40, TCPOPT_MSS), 1000, "TCP_MAXSEG caps the MSS offered");
}

Test(sock_tcp, bound_device_only_takes_its_interface)
{
	uint32_t isn;
	struct sock *l = listener(4);
	cr_assert_eq(sock_bindtoindex(l, FAKE_IF_B), 0);
	fake_ntx = 0;
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_eq(tx_tcp(0)[13] & TCP_RST, TCP_RST, "a SYN from another interface: reset");
	cr_assert_eq(sock_bindtoindex(l, FAKE_IF_A), 0);
	struct sock *c = accept_one(l, &isn);
	cr_assert_eq(c->bound_dev_if, FAKE_IF_A);
}

Test(sock_tcp, tcp_info_reports_what_is_kept)
{
	uint32_t isn;
	struct sock *c = accept_opts(listener(4), syn_opts_sack_ts, sizeof(syn_opts_sack_ts), &isn);
	struct tcp_info ti;
	memset(&ti, 0xff, sizeof(ti));
	tcp_get_info(c, &ti);
	cr_assert_eq(ti.tcpi_state, 1, "TCP_ESTABLISHED as the kernel numbers it");
	cr_assert_eq(ti.tcpi_options, TCPI_OPT_SACK | TCPI_OPT_TIMESTAMPS | TCPI_OPT_WSCALE);
	cr_assert_eq(ti.tcpi_snd_wscale, 7);
	cr_assert_eq(ti.tcpi_snd_mss, 1000 - TCPOLEN_TSTAMP_ALIGNED);
	cr_assert_eq(ti.tcpi_rto, 1000000, "1 s in us");
	cr_assert_eq(ti.tcpi_total_retrans, 0);
	cr_assert_eq(ti.tcpi_lost, 0, "fields not kept are zero");
}

static int n_estab_add, n_estab_del;
static uint16_t estab_lport;
static int estab_rc;
static int t_estab_changed(void *ctx, const struct in6_addr *remote, uint16_t rport,
			   const struct in6_addr *local, uint16_t lport, bool add)
{
	(void)ctx;
	struct in6_addr peer = A(PEER), us = A(US);
	cr_assert(ip6_eq(remote, &peer) && ip6_eq(local, &us));
	cr_assert_eq(rport, htons(PEER_PORT));
	estab_lport = lport;
	*(add ? &n_estab_add : &n_estab_del) += 1;
	return add ? estab_rc : 0;
}

/* The fast path hears of a connection when it is established and again
 * when it is gone; a full table is counted and never retried. */
Test(sock_tcp, established_connections_reach_the_fast_path_table)
{
	uint32_t isn;
	n_estab_add = n_estab_del = estab_rc = 0;
	senv.tcp_estab_changed = t_estab_changed;
	struct sock *l = listener(4);
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_eq(n_estab_add, 0, "a SYN creates no entry");
	isn = seg_rd32(tx_tcp(0) + 4);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(n_estab_add, 1, "the completed handshake adds the 4-tuple");
	cr_assert_eq(estab_lport, htons(US_PORT));
	struct sock *c = tcp_accept(l);
	c->ops->release(c); /* orderly close: FIN_WAIT1, still synchronized */
	cr_assert_eq(n_estab_del, 0);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 2, TCP_ACK | TCP_FIN, 512, NULL, 0, NULL, 0);
	cr_assert_eq(n_estab_del, 1, "TIME_WAIT: the entry goes");
	/* A full table: counted, the connection is policed as before. */
	estab_rc = -E2BIG;
	idle_ms(2 * TCP_MSL_MS + 10); /* the 4-tuple out of TIME_WAIT */
	c = accept_opts(l, syn_opts, sizeof(syn_opts), &isn);
	cr_assert_eq(sockstats.tcp_estab_map_full, 1);
	cr_assert_not(c->tp->estab_exempt);
	c->ops->release(c);
	cr_assert_eq(n_estab_del, 1, "nothing to remove for a connection never added");
	senv.tcp_estab_changed = NULL;
}

/* A hostile peer: out-of-order ranges beyond TCP_OOO_MAX are dropped and
 * counted (TcpExtTCPOFODrop), SACK blocks for data never sent are
 * discarded (TcpExtTCPSACKDiscard) and change nothing. */
Test(sock_tcp, out_of_order_ranges_and_bogus_sack_blocks_are_bounded)
{
	uint32_t isn;
	struct sock *c = accept_opts(listener(4), syn_opts_sack, sizeof(syn_opts_sack), &isn);
	static uint8_t d[10];
	for (unsigned i = 0; i <= TCP_OOO_MAX; i++) /* every other 10 bytes: a hole each */
		peer_seg(US_PORT, PEER_ISN + 1 + 20 * (i + 1), isn + 1, TCP_ACK, 512, NULL, 0, d, 10);
	cr_assert_eq(c->tp->nooo, TCP_OOO_MAX);
	cr_assert_eq(sockstats.tcp_ofo_drop, 1, "the range past the bound is dropped, counted");
	const uint8_t *th = seg_last_tcp(0);
	struct tcp_seq_range b[4];
	cr_assert_eq(seg_sacks(th, b), 4, "at most 4 blocks in an ACK (RFC 2018 3)");
	c->ops->sendmsg(c, d, 10, NULL);
	uint8_t o[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK, 10 };
	seg_wr32(o + 4, isn + 100);
	seg_wr32(o + 8, isn + 200); /* never sent */
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, 512, o, sizeof(o), NULL, 0);
	cr_assert_eq(sockstats.tcp_sack_discard, 1);
	cr_assert_eq(c->tp->nsacked, 0);
}

/* TCP_CORK (tcp(7)): only full segments while corked, a short one after
 * at most 200 ms, everything at once on uncorking. */
Test(sock_tcp, cork_holds_short_segments_up_to_200ms)
{
	uint32_t isn;
	struct sock *c = accept_one(listener(4), &isn);
	static uint8_t d[1500];
	cr_assert_eq(tcp_setsockopt(c, TCP_CORK, 1), 0);
	fake_ntx = 0;
	c->ops->sendmsg(c, d, 100, NULL);
	cr_assert_eq(count_tcp(0), 0, "corked: 100 bytes wait even with nothing in flight");
	c->ops->sendmsg(c, d, 1000, NULL);
	cr_assert_eq(count_tcp(0), 1, "a full segment leaves");
	cr_assert_eq(tx_tcp_payload(0), 1000);
	fake_advance_ms(TCP_CORK_MAX_MS - 10);
	cr_assert_eq(count_tcp(0), 1, "the 100 left wait");
	fake_advance_ms(10);
	cr_assert_eq(count_tcp(0), 2, "the 200 ms ceiling");
	cr_assert_eq(tx_tcp_payload(1), 100);
	peer_seg(US_PORT, PEER_ISN + 1, isn + 1101, TCP_ACK, 512, NULL, 0, NULL, 0);
	c->ops->sendmsg(c, d, 10, NULL);
	cr_assert_eq(count_tcp(0), 2);
	cr_assert_eq(tcp_setsockopt(c, TCP_CORK, 0), 0);
	cr_assert_eq(count_tcp(0), 3, "uncorking pushes");
	cr_assert_eq(tx_tcp_payload(2), 10);
}

/* TCP over IPv4 (tcp_ipv4.c) on the same state machine: FAKE_IF_A has
 * 10.1.0.1/24 (mtu 1500), the peer 10.1.0.5 is resolved. */
#define US4 "10.1.0.1"
#define PEER4 "10.1.0.5"

static void setup4(void)
{
	setup();
	struct xrt_netdev *d = &fake_devs[0];
	d->addr[d->naddrs] = A("::ffff:" US4);
	d->plen[d->naddrs] = (uint8_t)(24 + XRT_V4_PLEN_OFFSET);
	d->naddrs++;
	struct in6_addr peer = A("::ffff:" PEER4);
	const uint8_t mac[6] = { 2, 0, 0, 0, 0x55, 5 };
	cr_assert_eq(neigh_add_static(FAKE_IF_A, &peer, mac, NULL), 0);
	fake_ntx = 0;
}

TestSuite(sock_tcp4, .init = setup4, .fini = fake_teardown);

static const uint8_t *tcp4_of(const struct iphdr_wire *iph)
{
	return (const uint8_t *)iph + IP4_HDR_LEN;
}

Test(sock_tcp4, dual_stack_listener_handshake_data_and_names)
{
	struct sock *l = listener(4);
	peer_seg(US_PORT, 1, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_eq(fake_ntx, 1, "the IPv6 SYN-ACK");
	cr_assert_eq(tcp_accept(l), NULL);
	fake_ntx = 0;
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN, 0, TCP_SYN, syn_opts, sizeof(syn_opts),
		  NULL, 0, true);
	cr_assert_eq(fake_ntx, 1, "one SYN-ACK");
	const struct iphdr_wire *iph = seg4_tx(0);
	cr_assert_not_null(iph, "the SYN-ACK is IPv4 (the SYN's family)");
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &iph->saddr, s, sizeof(s));
	inet_ntop(AF_INET, &iph->daddr, d, sizeof(d));
	cr_assert_str_eq(s, US4);
	cr_assert_str_eq(d, PEER4);
	cr_assert(ntohs(iph->frag_off) & IP4_FLAG_DF, "DF: TCP does PMTU discovery (RFC 1191)");
	cr_assert_eq(iph->ttl, IP4_DEFAULT_TTL);
	const uint8_t *th = tcp4_of(iph);
	cr_assert_eq(th[13], TCP_SYN | TCP_ACK);
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 1);
	cr_assert_eq(seg_opt(th, TCPOPT_MSS), 1500 - 20 - 20, "MSS = MTU - 40 over IPv4");
	uint32_t isn = seg_rd32(th + 4);
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, NULL, 0, NULL, 0,
		  true);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c, "the IPv4 connection accepted by the dual-stack listener");
	c->owner_ctx = NULL;
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED);
	struct in6_addr mapped = A("::ffff:" PEER4);
	cr_assert(ip6_eq(&c->peer.sin6_addr, &mapped), "the peer as ::ffff:10.1.0.5");
	cr_assert(xrt_addr_is_v4(&c->local.sin6_addr), "the local address IPv4-mapped too");
	cr_assert_eq(c->tp->mss, 1000, "the peer's MSS");
	fake_ntx = 0;
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK | TCP_PSH, NULL, 0,
		  "hello", 5, true);
	char buf[16];
	bool eof = false;
	cr_assert_eq(tcp_recvmsg(c, buf, sizeof(buf), &eof), 5);
	cr_assert_arr_eq(buf, "hello", 5);
	cr_assert_eq(c->ops->sendmsg(c, "world", 5, NULL), 5);
	unsigned i = fake_ntx - 1;
	iph = seg4_tx(i);
	cr_assert_not_null(iph, "data leaves over IPv4");
	th = tcp4_of(iph);
	cr_assert_eq(seg_rd32(th + 4), isn + 1);
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 6, "the data acknowledged");
	cr_assert_arr_eq(th + (th[12] >> 4) * 4, "world", 5);
}

Test(sock_tcp4, no_mss_option_means_536)
{
	struct sock *l = listener(4);
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN, 0, TCP_SYN, NULL, 0, NULL, 0, true);
	uint32_t isn = seg_rd32(tcp4_of(seg4_tx(0)) + 4);
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN + 1, isn + 1, TCP_ACK, NULL, 0, NULL, 0,
		  true);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c);
	c->owner_ctx = NULL;
	cr_assert_eq(c->tp->mss, TCP_MSS_DEFAULT, "RFC 9293 3.7.1: 536 for IPv4 (1220 is IPv6's)");
}

Test(sock_tcp4, bad_checksum_dropped_closed_port_and_v6only_reset)
{
	seg4_from(PEER4, US4, PEER_PORT, 81, PEER_ISN, 0, TCP_SYN, NULL, 0, NULL, 0, false);
	cr_assert_eq(fake_ntx, 0, "a bad checksum: no answer");
	cr_assert_eq(sstats.drop[STACK_DROP_TCP_CSUM], 1);
	seg4_from(PEER4, US4, PEER_PORT, 81, PEER_ISN, 0, TCP_SYN, NULL, 0, "abc", 3, true);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *th = tcp4_of(seg4_tx(0));
	cr_assert_eq(th[13], TCP_RST | TCP_ACK, "closed port: RST+ACK (RFC 9293 3.10.7.1)");
	cr_assert_eq(seg_rd32(th + 8), PEER_ISN + 1 + 3, "SEG.SEQ + SEG.LEN, the SYN counted");
	int err = 0;
	struct sock *v6 = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_eq(ipv6_setsockopt(v6, IPV6_V6ONLY, 1), 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(US_PORT) };
	cr_assert_eq(v6->ops->bind(v6, &a), 0);
	cr_assert_eq(v6->ops->listen(v6, 4), 0);
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN, 0, TCP_SYN, NULL, 0, NULL, 0, true);
	cr_assert_eq(fake_ntx, 2);
	cr_assert_eq(tcp4_of(seg4_tx(1))[13], TCP_RST | TCP_ACK, "a v6only listener takes no IPv4");
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(80),
				   .sin6_addr = A("::ffff:" PEER4) };
	struct sock *c = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_eq(ipv6_setsockopt(c, IPV6_V6ONLY, 1), 0);
	cr_assert_eq(c->ops->connect(c, &to), -ENETUNREACH, "nor connects to an IPv4 peer");
	cr_assert_eq(v6->ops->bind(c, &(struct sockaddr_in6){ .sin6_family = AF_INET6,
							     .sin6_addr = A("::ffff:" US4) }),
		     -EINVAL, "nor binds an IPv4 address");
}

/* An ICMPv4 Destination Unreachable from 10.1.0.254 quoting frame i
 * (its IPv4 header and first 8 bytes of TCP, RFC 792). */
static void icmp4_about(unsigned i, uint8_t code, uint16_t mtu)
{
	const uint8_t *quoted = fake_tx[i].data + 14;
	uint8_t icmp[8 + 28] = { ICMP_DEST_UNREACH, code };
	icmp[6] = (uint8_t)(mtu >> 8), icmp[7] = (uint8_t)mtu;
	memcpy(icmp + 8, quoted, 28);
	uint16_t c = ip_compute_csum(icmp, sizeof(icmp));
	icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
	uint8_t frame[200] = { 0 };
	memcpy(frame, fake_devs[0].mac, 6);
	frame[6] = 2, frame[11] = 0x54;
	frame[12] = 0x08;
	struct iphdr_wire *iph = (struct iphdr_wire *)(frame + 14);
	iph->ver_ihl = 0x45;
	iph->tot_len = htons(IP4_HDR_LEN + sizeof(icmp));
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	inet_pton(AF_INET, "10.1.0.254", &iph->saddr);
	inet_pton(AF_INET, US4, &iph->daddr);
	ip_send_check(frame + 14);
	memcpy(frame + 34, icmp, sizeof(icmp));
	rx(FAKE_IF_A, frame, 34 + sizeof(icmp));
}

static struct sock *connect4(void)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_STREAM, IPPROTO_TCP, &owner, NULL, &err);
	cr_assert_not_null(s);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(PEER_PORT),
				   .sin6_addr = A("::ffff:" PEER4) };
	cr_assert_eq(s->ops->connect(s, &to), -EINPROGRESS);
	cr_assert_eq(fake_ntx, 1);
	const struct iphdr_wire *iph = seg4_tx(0);
	cr_assert_not_null(iph, "tcp_v4_connect: the SYN is IPv4");
	struct in6_addr us = A("::ffff:" US4);
	cr_assert(ip6_eq(&s->local.sin6_addr, &us), "source picked from the IPv4 route");
	cr_assert_eq(seg_opt(tcp4_of(iph), TCPOPT_MSS), 1460);
	return s;
}

Test(sock_tcp4, port_unreachable_aborts_the_connection_attempt)
{
	struct sock *s = connect4();
	((uint8_t *)fake_tx[0].data)[14 + 20 + 4] ^= 0x80; /* a sequence we never sent */
	icmp4_about(0, ICMP_PORT_UNREACH, 0);
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT, "out of window: ignored (RFC 5927 4.1)");
	cr_assert_eq(sockstats.tcp_icmp_out_of_window, 1);
	((uint8_t *)fake_tx[0].data)[14 + 20 + 4] ^= 0x80;
	icmp4_about(0, ICMP_HOST_UNREACH, 0);
	cr_assert_eq(tcp_state_of(s), TCP_SYN_SENT, "a soft error (RFC 1122 4.2.3.9)");
	cr_assert_eq(s->err_soft, EHOSTUNREACH);
	icmp4_about(0, ICMP_PORT_UNREACH, 0);
	cr_assert_eq(tcp_state_of(s), TCP_CLOSED, "a hard error ends SYN_SENT");
	cr_assert_eq(s->err, ECONNREFUSED);
}

Test(sock_tcp4, fragmentation_needed_shrinks_the_mss_and_resends)
{
	struct sock *s = connect4();
	uint16_t sport;
	memcpy(&sport, tcp4_of(seg4_tx(0)), 2);
	uint32_t isn = seg_rd32(tcp4_of(seg4_tx(0)) + 4);
	static const uint8_t mss1460[] = { TCPOPT_MSS, 4, 0x05, 0xb4 };
	seg4_from(PEER4, US4, PEER_PORT, ntohs(sport), PEER_ISN, isn + 1, TCP_SYN | TCP_ACK,
		  mss1460, sizeof(mss1460), NULL, 0, true);
	cr_assert_eq(tcp_state_of(s), TCP_ESTABLISHED);
	cr_assert_eq(s->tp->mss, 1460);
	static uint8_t data[4000];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 3);
	unsigned before = fake_ntx;
	cr_assert_eq(s->ops->sendmsg(s, data, sizeof(data), NULL), (long)sizeof(data));
	cr_assert_eq(ntohs(seg4_tx(before)->tot_len), 1500, "full-sized first segment");
	unsigned mark = fake_ntx;
	icmp4_about(before, ICMP_FRAG_NEEDED, 1200);
	cr_assert_eq(s->tp->mss, 1200 - 40, "RFC 1191 6.1: the MSS follows the path MTU");
	cr_assert_eq(sockstats.tcp_mtu_reduced, 1);
	cr_assert_gt(fake_ntx, mark, "resent at once");
	uint32_t expect = isn + 1;
	for (unsigned i = mark; i < fake_ntx; i++) {
		const struct iphdr_wire *iph = seg4_tx(i);
		cr_assert_not_null(iph);
		cr_assert_leq(ntohs(iph->tot_len), 1200, "segment %u fits the path", i);
		const uint8_t *th = tcp4_of(iph);
		cr_assert_eq(seg_rd32(th + 4), expect, "back to snd_una, in order");
		size_t pl = ntohs(iph->tot_len) - IP4_HDR_LEN - (size_t)(th[12] >> 4) * 4;
		cr_assert_arr_eq(th + (th[12] >> 4) * 4, data + (expect - isn - 1), pl);
		expect += (uint32_t)pl;
	}
	cr_assert_eq(expect, isn + 1 + sizeof(data), "everything resent");
}

Test(sock_tcp4, isn_is_secure_tcp_seq_of_the_ipv4_tuple)
{
	uint32_t a = secure_tcp_seq(1, 2, 3, 4), b = secure_tcp_seq(1, 2, 3, 5);
	struct in6_addr l = A("::ffff:" US4), r = A("::ffff:" PEER4);
	cr_assert_neq(a, b, "the ports are hashed");
	uint32_t v4 = tcp_init_seq(&l, &r, 3, 4);
	uint32_t want = secure_tcp_seq(xrt_addr_v4(&l), xrt_addr_v4(&r), 3, 4);
	cr_assert_leq(want - v4 + 1000000u, 2000000u, "the IPv4 function (clock part aside)");
}

Test(sock_tcp4, an_af_inet_socket_takes_no_ipv6)
{
	struct sock *l = listener(4);
	l->v4only = true; /* what sock/server.c sets for the shim's AF_INET */
	peer_seg(US_PORT, PEER_ISN, 0, TCP_SYN, 65535, NULL, 0, NULL, 0);
	cr_assert_eq(fake_ntx, 1);
	cr_assert_eq(tx_tcp(0)[13], TCP_RST | TCP_ACK, "the IPv6 SYN finds no socket");
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN, 0, TCP_SYN, NULL, 0, NULL, 0, true);
	cr_assert_eq(fake_ntx, 2);
	cr_assert_eq(tcp4_of(seg4_tx(1))[13], TCP_SYN | TCP_ACK, "the IPv4 one is taken");
}

Test(sock_tcp4, syn_cookie_handshake_over_ipv4)
{
	sysctl_tcp_syncookies = 2; /* always cookies: no request sock kept */
	struct sock *l = listener(4);
	static const uint8_t mss1460[] = { TCPOPT_MSS, 4, 0x05, 0xb4 };
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, PEER_ISN, 0, TCP_SYN, mss1460, sizeof(mss1460),
		  NULL, 0, true);
	cr_assert_eq(fake_ntx, 1);
	const uint8_t *th = tcp4_of(seg4_tx(0));
	cr_assert_eq(th[13], TCP_SYN | TCP_ACK);
	cr_assert_eq(l->tp->synq_len, 0, "nothing kept for the SYN");
	uint32_t cookie = seg_rd32(th + 4);
	uint32_t next = PEER_ISN + 1;
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, next, cookie + 2, TCP_ACK, NULL, 0, NULL, 0, true);
	cr_assert_null(tcp_accept(l), "a wrong cookie makes no connection");
	cr_assert_eq(tcp4_of(seg4_tx(1))[13], TCP_RST, "and is reset");
	seg4_from(PEER4, US4, PEER_PORT + 1, US_PORT, next, cookie + 1, TCP_ACK, NULL, 0, NULL, 0,
		  true);
	cr_assert_null(tcp_accept(l), "the cookie is bound to the 4-tuple");
	seg4_from(PEER4, US4, PEER_PORT, US_PORT, next, cookie + 1, TCP_ACK, NULL, 0, NULL, 0, true);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c, "the cookie's ACK completes the handshake");
	c->owner_ctx = NULL;
	cr_assert(xrt_addr_is_v4(&c->peer.sin6_addr));
	cr_assert_eq(c->tp->mss, 1460, "the MSS the cookie carried (IPv4's table has 1460)");
}
