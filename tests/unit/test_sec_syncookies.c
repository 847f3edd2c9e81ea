/* xrt tests: the SYN flood defences (RFC 4987 3.6, the kernel's tcp_conn_request): bounded request socks, SYN cookies when the queue is full, their checks, SYN-ACK backoff and expiry, the counters. */
#include <errno.h>
#include "test_tcp_seg.h"
#include "stack/request_sock.h"
#include "stack/syncookies.h"

#define PORT 80
#define LEGIT "2001:db8:1::2"
#define PISN 5000000u

static const uint8_t syn_opts[] = { TCPOPT_MSS, 4, 0x05, 0xb4 /* 1460 */, TCPOPT_NOP,
				    TCPOPT_WINDOW, 3, 7 };

static void setup(void)
{
	fake_setup();
	/* Neighbours known: segments leave at once. fe80::77 is the gateway
	 * of 2001:db8:77::/48, where the spoofed sources live. */
	struct in6_addr legit = A(LEGIT), gw = A("fe80::77");
	neigh_update_from_slla(FAKE_IF_A, &legit, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
	neigh_update_from_slla(FAKE_IF_A, &gw, (uint8_t[]){ 2, 0, 0, 0, 0, 0x77 });
	fake_ntx = 0;
}
TestSuite(sec_syncookies, .init = setup, .fini = fake_teardown);

static void spoofed_syn(unsigned n, uint16_t dport)
{
	char src[64];
	snprintf(src, sizeof(src), "2001:db8:77::%x:%x", (n >> 16) & 0xffff, n & 0xffff);
	seg_from(src, (uint16_t)(1024 + n % 60000), dport, n * 7919u, 0, TCP_SYN, 65535, syn_opts,
		 sizeof(syn_opts), NULL, 0);
}

/* SYN from LEGIT:sport, the SYN-ACK's ISN (asserted sent). */
static uint32_t legit_syn(uint16_t sport, const uint8_t **th_out)
{
	unsigned before = fake_ntx;
	seg_from(LEGIT, sport, PORT, PISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	const uint8_t *th = seg_last_tcp(before);
	cr_assert_not_null(th, "a SYN-ACK");
	cr_assert_eq(th[13], TCP_SYN | TCP_ACK);
	cr_assert_eq(seg_rd32(th + 8), PISN + 1);
	if (th_out)
		*th_out = th;
	return seg_rd32(th + 4);
}

Test(sec_syncookies, full_queue_answers_with_a_cookie_that_completes)
{
	struct sock *l = seg_listener(PORT, 1);
	uint32_t isn1 = legit_syn(1000, NULL);
	(void)isn1;
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 1, "one request sock, no socket");
	cr_assert_eq(seg_sockets_in_use(), 1, "only the listener: no socket per SYN");
	const uint8_t *th;
	uint32_t cookie = legit_syn(1001, &th);
	cr_assert_eq(sockstats.tcp_syncookies_sent, 1);
	cr_assert_eq(sockstats.tcp_reqq_full_do_cookies, 1);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 1, "the cookie keeps nothing");
	cr_assert_eq(seg_opt(th, TCPOPT_MSS), 1440, "our MSS");
	cr_assert_eq(seg_opt(th, TCPOPT_WINDOW), -1, "no window scale: a cookie cannot carry it");
	cr_assert_eq((th[14] << 8 | th[15]), 65535);
	/* The third segment of the handshake carries data. */
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK | TCP_PSH, 512, NULL, 0, "hello", 5);
	cr_assert_eq(sockstats.tcp_syncookies_recv, 1);
	cr_assert_eq(sockstats.tcp_syncookies_failed, 0);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c, "the cookie's connection is in the accept queue");
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED);
	cr_assert_eq(ntohs(c->peer.sin6_port), 1001);
	cr_assert_eq(c->tp->mss, 1440, "1460 rounded down to the cookie table (msstab)");
	cr_assert_eq(c->tp->rcv_wscale, 0);
	cr_assert_eq(c->tp->snd_wnd, 512, "unscaled");
	cr_assert_eq(tcp_rcv_queued(c), 5, "the data of the third segment kept");
	fake_advance_ms(TCP_DELACK_MIN_MS); /* one short segment: a delayed ACK */
	const uint8_t *ack = seg_last_tcp(0);
	cr_assert_eq(seg_rd32(ack + 8), PISN + 6, "data acknowledged");
	cr_assert_eq(seg_rd32(ack + 4), cookie + 1);
}

Test(sec_syncookies, forged_and_stale_cookies_are_reset)
{
	seg_listener(PORT, 1);
	legit_syn(1000, NULL);
	uint32_t cookie = legit_syn(1001, NULL);
	unsigned before = fake_ntx;
	/* (cookie + 2 would pass with another MSS index: the low bits are hash
	 * + index, and only who saw the SYN-ACK knows the cookie anyway.) */
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 0x10000 + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	const uint8_t *th = seg_last_tcp(before);
	cr_assert_not_null(th);
	cr_assert_eq(th[13], TCP_RST, "a forged cookie: reset");
	cr_assert_eq(sockstats.tcp_syncookies_failed, 1);
	cr_assert_eq(seg_sockets_in_use(), 1);
	/* The same peer ISN with another port: the cookie is per 4-tuple. */
	seg_from(LEGIT, 1002, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(sockstats.tcp_syncookies_failed, 2);
	/* 3 minutes later (the queue overflowing again meanwhile, so cookies
	 * are still checked) the good cookie has aged out (MAX_SYNCOOKIE_AGE). */
	fake_advance_ms(3 * 60 * 1000);
	spoofed_syn(1, PORT);
	spoofed_syn(2, PORT);
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(sockstats.tcp_syncookies_failed, 3, "a cookie older than 2 periods");
	cr_assert_eq(sockstats.tcp_syncookies_recv, 0);
	cr_assert_eq(seg_sockets_in_use(), 1);
}

Test(sec_syncookies, fresh_cookie_good_in_the_next_period)
{
	struct sock *l = seg_listener(PORT, 1);
	legit_syn(1000, NULL);
	uint32_t cookie = legit_syn(1001, NULL);
	fake_advance_ms(70 * 1000); /* the minute counter moved once */
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(sockstats.tcp_syncookies_recv, 1);
	cr_assert_not_null(tcp_accept(l));
}

/* tcp_synq_no_recent_overflow: a listener that never overflowed checks no
 * cookie, so blind ACK guessing has nothing to hit. */
Test(sec_syncookies, no_cookie_accepted_without_recent_overflow)
{
	struct sock *l = seg_listener(PORT, 4);
	struct in6_addr peer = A(LEGIT), us = A(SEG_US);
	uint16_t mss = 1460;
	uint32_t cookie = cookie_v6_init_sequence(&peer, &us, htons(1001), htons(PORT), PISN, &mss);
	unsigned before = fake_ntx;
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	const uint8_t *th = seg_last_tcp(before);
	cr_assert_not_null(th);
	cr_assert_eq(th[13], TCP_RST);
	cr_assert_eq(sockstats.tcp_syncookies_recv, 0);
	cr_assert_null(tcp_accept(l));
}

/* The flood: 10000 SYNs from 10000 spoofed sources. Memory stays at the
 * backlog's request socks, the socket table is untouched, and a
 * legitimate client still connects. */
Test(sec_syncookies, spoofed_flood_bounded_and_legit_client_connects)
{
	struct sock *l = seg_listener(PORT, 5);
	for (unsigned n = 0; n < 10000; n++) {
		spoofed_syn(n, PORT);
		if (fake_ntx > FAKE_TX_MAX - 8)
			fake_ntx = 0;
	}
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 5, "requests bounded by the backlog");
	cr_assert_eq(seg_sockets_in_use(), 1, "no socket (and no buffer) per SYN");
	cr_assert_eq(sockstats.tcp_syncookies_sent, 9995);
	cr_assert_eq(sockstats.tcp_backlog_drops, 0, "no SYN dropped");
	fake_ntx = 0;
	uint32_t cookie = legit_syn(1001, NULL);
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	struct sock *c = tcp_accept(l);
	cr_assert_not_null(c, "the legitimate client got through the flood");
	cr_assert_eq(tcp_state_of(c), TCP_ESTABLISHED);
}

/* XRT_TCP_REQSK_MAX bounds the requests of all listeners together. */
Test(sec_syncookies, request_table_bounded_across_listeners)
{
	for (uint16_t p = 0; p < 10; p++)
		seg_listener((uint16_t)(PORT + p), TCP_BACKLOG_MAX);
	for (unsigned n = 0; n < 10 * 150; n++) {
		spoofed_syn(n, (uint16_t)(PORT + n % 10));
		if (fake_ntx > FAKE_TX_MAX - 8)
			fake_ntx = 0;
	}
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), XRT_TCP_REQSK_MAX);
	cr_assert_eq(sockstats.tcp_syncookies_sent, 10 * 150 - XRT_TCP_REQSK_MAX);
	cr_assert_eq(seg_sockets_in_use(), 10);
}

Test(sec_syncookies, cookies_off_full_queue_drops)
{
	cr_assert_eq(stack_tcp_syncookies_set(0), 0);
	seg_listener(PORT, 5);
	for (unsigned n = 0; n < 100; n++)
		spoofed_syn(n, PORT);
	cr_assert_eq(sockstats.tcp_syncookies_sent, 0);
	cr_assert_eq(sockstats.tcp_reqq_full_drop, 95);
	cr_assert_eq(sockstats.tcp_backlog_drops, 95, "TcpExtListenDrops");
	unsigned before = fake_ntx;
	seg_from(LEGIT, 1001, PORT, PISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_null(seg_last_tcp(before), "without cookies the flood denies the service");
	cr_assert_eq(stack_tcp_syncookies_set(3), -EINVAL);
}

Test(sec_syncookies, always_mode_keeps_no_request)
{
	cr_assert_eq(stack_tcp_syncookies_set(2), 0);
	struct sock *l = seg_listener(PORT, 5);
	uint32_t cookie = legit_syn(1001, NULL);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 0);
	cr_assert_eq(sockstats.tcp_syncookies_sent, 1);
	cr_assert_eq(sockstats.tcp_reqq_full_do_cookies, 0, "not for a full queue");
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_not_null(tcp_accept(l));
}

/* A full accept queue (the application does not accept) drops new SYNs
 * even with cookies: TcpExtListenOverflows. */
Test(sec_syncookies, accept_queue_full_counts_overflows)
{
	seg_listener(PORT, 1);
	uint32_t isn = legit_syn(1000, NULL);
	seg_from(LEGIT, 1000, PORT, PISN + 1, isn + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(seg_sockets_in_use(), 2, "listener and its unaccepted child");
	unsigned before = fake_ntx;
	seg_from(LEGIT, 1001, PORT, PISN, 0, TCP_SYN, 65535, syn_opts, sizeof(syn_opts), NULL, 0);
	cr_assert_null(seg_last_tcp(before));
	cr_assert_eq(sockstats.tcp_listen_overflows, 1);
	cr_assert_eq(sockstats.tcp_backlog_drops, 1);
}

Test(sec_syncookies, request_retransmits_synack_then_expires)
{
	seg_listener(PORT, TCP_BACKLOG_MAX);
	uint32_t isn = legit_syn(1000, NULL);
	unsigned syn_acks = 1;
	/* Counted, and captured while the silent peer's neighbour entry lasts
	 * (NUD gives up on it after a few seconds). */
	/* RFC 6298 backoff from 1 s: 1, 3, 7, 15, 31 s, then gone at 63 s. */
	static const unsigned at_ms[] = { 1000, 3000, 7000, 15000, 31000 };
	uint64_t t0 = fake_now;
	for (unsigned i = 0; i < 5; i++) {
		fake_advance_ms(at_ms[i] - (fake_now - t0) / NSEC_PER_MSEC - 10);
		cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 1);
		unsigned before = fake_ntx;
		uint64_t rtx = sockstats.tcp_retrans;
		fake_advance_ms(20);
		cr_assert_eq(sockstats.tcp_retrans, rtx + 1, "SYN-ACK retransmission %u at %u ms",
			     i + 1, at_ms[i]);
		const uint8_t *th = seg_last_tcp(before);
		if (th)
			cr_assert_eq(seg_rd32(th + 4), isn, "the same ISN");
		cr_assert(i > 0 || th, "the first retransmission on the wire");
		syn_acks++;
	}
	fake_advance_ms(63000 - (fake_now - t0) / NSEC_PER_MSEC + 10);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 0, "the request gave up");
	cr_assert_eq(sockstats.tcp_reqsk_timeouts, 1, "sp_tcp_reqsk_expired");
	cr_assert_eq(sockstats.tcp_synack_retrans, 5, "TcpExtTCPSynRetrans");
	cr_assert_eq(syn_acks, 6);
}

/* With the queue more than half full, requests go after two
 * retransmissions (reqsk_timer_handler's pruning): a flood's requests
 * leave after 7 s, not 63, until the queue is back to half full. */
Test(sec_syncookies, requests_under_pressure_expire_sooner)
{
	seg_listener(PORT, 8);
	for (unsigned n = 0; n < 8; n++)
		spoofed_syn(n, PORT);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 8);
	fake_advance_ms(6990);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 8);
	fake_advance_ms(20);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 4, "pruned to half the backlog");
	cr_assert_eq(sockstats.tcp_reqsk_timeouts, 4);
	fake_advance_ms(60000);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 0, "the rest after 63 s");
}

Test(sec_syncookies, retransmitted_syn_and_reset_on_request)
{
	seg_listener(PORT, 4);
	uint32_t isn = legit_syn(1000, NULL);
	uint32_t again = legit_syn(1000, NULL);
	cr_assert_eq(again, isn, "a retransmitted SYN gets the same SYN-ACK");
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 1);
	seg_from(LEGIT, 1000, PORT, PISN + 1, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 0, "a reset in window removes it");
	cr_assert_eq(sockstats.tcp_embryonic_rsts, 1);
}

Test(sec_syncookies, listener_close_frees_its_requests)
{
	struct sock *l = seg_listener(PORT, 8);
	for (unsigned n = 0; n < 8; n++)
		spoofed_syn(n, PORT);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 8);
	l->ops->release(l);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 0);
	fake_advance_ms(70000); /* no timer touches a freed listener */
	cr_assert_eq(seg_sockets_in_use(), 0);
}

/* A burst of clients: a cookie's ACK that finds the accept queue full is
 * kept as a request (xrt's deviation from the kernel, which drops it and
 * later resets the client's data), so the client's next segments complete
 * the connection once the application accepts. */
Test(sec_syncookies, cookie_ack_with_full_accept_queue_waits_as_request)
{
	struct sock *l = seg_listener(PORT, 1);
	uint32_t isn1 = legit_syn(1000, NULL);
	uint32_t cookie = legit_syn(1001, NULL);
	seg_from(LEGIT, 1000, PORT, PISN + 1, isn1 + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	/* Accept queue now full (backlog 1): the cookie's ACK waits. */
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, NULL, 0);
	cr_assert_eq(sockstats.tcp_syncookies_recv, 1);
	cr_assert_eq(sockstats.tcp_listen_overflows, 1);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 1, "kept as a request");
	unsigned before = fake_ntx;
	seg_from(LEGIT, 1001, PORT, PISN + 6, cookie + 1, TCP_ACK, 512, NULL, 0, "world", 5);
	const uint8_t *th = seg_last_tcp(before);
	cr_assert(!th || !(th[13] & TCP_RST), "never a reset for the waiting client");
	struct sock *c1 = tcp_accept(l);
	cr_assert_not_null(c1);
	cr_assert_eq(ntohs(c1->peer.sin6_port), 1000);
	seg_from(LEGIT, 1001, PORT, PISN + 6, cookie + 1, TCP_ACK, 512, NULL, 0, "world", 5);
	seg_from(LEGIT, 1001, PORT, PISN + 1, cookie + 1, TCP_ACK, 512, NULL, 0, "hello", 5);
	struct sock *c2 = tcp_accept(l);
	cr_assert_not_null(c2, "established once the queue had room");
	cr_assert_eq(ntohs(c2->peer.sin6_port), 1001);
	cr_assert_eq(tcp_rcv_queued(c2), 10, "both segments, in order");
	char buf[16];
	bool eof;
	cr_assert_eq(tcp_recvmsg(c2, buf, sizeof(buf), &eof), 10);
	cr_assert_arr_eq(buf, "helloworld", 10);
	cr_assert_eq(seg_gauge(STACK_GAUGE_TCP_REQSK), 0);
}
