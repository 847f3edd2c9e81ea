/* xrt tests: TCP segments from any source to the fake stack, and readers for the segments it sends (shared by the test_sec_* suites). */
#ifndef XRT_TEST_TCP_SEG_H
#define XRT_TEST_TCP_SEG_H

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include "test_stack_fake.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"

#define SEG_US "2001:db8:1::1"

static inline uint32_t seg_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void seg_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}

/* A TCP header (checksum 0), opts and data at body; returns the header
 * length. */
static inline size_t seg_build(uint8_t *body, uint16_t sport, uint16_t dport, uint32_t seq,
			       uint32_t ack, uint8_t flags, uint16_t win, const void *opts,
			       size_t optlen, const void *data, size_t len)
{
	size_t hl = TCP_HDR_LEN + optlen;
	body[0] = (uint8_t)(sport >> 8), body[1] = (uint8_t)sport;
	body[2] = (uint8_t)(dport >> 8), body[3] = (uint8_t)dport;
	seg_wr32(body + 4, seq);
	seg_wr32(body + 8, ack);
	body[12] = (uint8_t)((hl / 4) << 4);
	body[13] = flags;
	body[14] = (uint8_t)(win >> 8), body[15] = (uint8_t)win;
	if (optlen)
		memcpy(body + TCP_HDR_LEN, opts, optlen);
	if (len)
		memcpy(body + hl, data, len);
	return hl;
}

/* A segment from src:sport to SEG_US:dport arriving on FAKE_IF_A; opts
 * (a multiple of 4 bytes) after the header, then data. */
static inline void seg_from(const char *src, uint16_t sport, uint16_t dport, uint32_t seq,
			    uint32_t ack, uint8_t flags, uint16_t win, const void *opts,
			    size_t optlen, const void *data, size_t len)
{
	uint8_t body[2048] = { 0 };
	size_t hl = seg_build(body, sport, dport, seq, ack, flags, win, opts, optlen, data, len);
	struct in6_addr s = A(src), d = A(SEG_US);
	uint16_t c = ip6_csum(&s, &d, NEXTHDR_TCP, body, hl + len);
	body[16] = (uint8_t)(c >> 8), body[17] = (uint8_t)c;
	uint8_t frame[2200];
	size_t fl = build_frame(frame, FAKE_IF_A, src, SEG_US, 64, NEXTHDR_TCP, body, hl + len);
	rx(FAKE_IF_A, frame, fl);
}

/* The same over IPv4 (RFC 791, checksum over the IPv4 pseudo-header, RFC
 * 9293 3.1): src and dst dotted quads, on FAKE_IF_A; csum_ok false sends
 * a wrong TCP checksum. */
static inline void seg4_from(const char *src, const char *dst, uint16_t sport, uint16_t dport,
			     uint32_t seq, uint32_t ack, uint8_t flags, const void *opts,
			     size_t optlen, const void *data, size_t len, bool csum_ok)
{
	uint8_t frame[2200] = { 0 };
	const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0x55, 5 };
	memcpy(frame, fake_devs[0].mac, 6);
	memcpy(frame + 6, peer_mac, 6);
	frame[12] = 0x08;
	struct iphdr_wire *iph = (struct iphdr_wire *)(frame + 14);
	uint8_t *body = frame + 14 + IP4_HDR_LEN;
	size_t hl = seg_build(body, sport, dport, seq, ack, flags, 0xffff, opts, optlen, data, len);
	iph->ver_ihl = 0x45;
	iph->tot_len = htons((uint16_t)(IP4_HDR_LEN + hl + len));
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	cr_assert_eq(inet_pton(AF_INET, src, &iph->saddr), 1);
	cr_assert_eq(inet_pton(AF_INET, dst, &iph->daddr), 1);
	ip_send_check(frame + 14);
	uint16_t c = ip4_pseudo_csum(iph->saddr, iph->daddr, IPPROTO_TCP, body, hl + len);
	if (!csum_ok)
		c ^= 0x5a5a;
	body[16] = (uint8_t)(c >> 8), body[17] = (uint8_t)c;
	rx(FAKE_IF_A, frame, 14 + IP4_HDR_LEN + hl + len);
}

/* The IPv4 header of frame i, NULL unless it is IPv4 carrying TCP whose
 * header and TCP checksums verify. */
static inline const struct iphdr_wire *seg4_tx(unsigned i)
{
	cr_assert_lt(i, fake_ntx);
	const uint8_t *f = fake_tx[i].data;
	if (f[12] != 0x08 || f[13] != 0x00)
		return NULL;
	const struct iphdr_wire *iph = (const void *)(f + 14);
	if (iph->protocol != IPPROTO_TCP)
		return NULL;
	cr_assert_eq(ip_compute_csum(iph, IP4_HDR_LEN), 0, "IPv4 header checksum of frame %u", i);
	size_t tl = ntohs(iph->tot_len) - IP4_HDR_LEN;
	const uint8_t *th = (const uint8_t *)iph + IP4_HDR_LEN;
	cr_assert_eq(ip4_pseudo_csum(iph->saddr, iph->daddr, IPPROTO_TCP, th, tl), 0,
		     "TCP checksum over the IPv4 pseudo-header, frame %u", i);
	return iph;
}

/* The TCP header of the last TCP frame sent, NULL if none since from. */
static inline const uint8_t *seg_last_tcp(unsigned from)
{
	for (unsigned i = fake_ntx; i-- > from;) {
		const uint8_t *ip = tx_ip6(i);
		if (ip[6] == NEXTHDR_TCP)
			return ip + 40;
	}
	return NULL;
}

/* TCP option kind in header th (its kind byte), NULL if absent. */
static inline const uint8_t *seg_opt_find(const uint8_t *th, uint8_t kind)
{
	size_t hl = (size_t)(th[12] >> 4) * 4;
	for (size_t i = TCP_HDR_LEN; i < hl;) {
		if (th[i] == TCPOPT_EOL)
			break;
		if (th[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (th[i] == kind)
			return th + i;
		i += th[i + 1] ? th[i + 1] : 1;
	}
	return NULL;
}

/* The value of TCP option kind in header th, -1 if absent (MSS: 16 bits,
 * window scale: 8 bits, SACK permitted: its length). */
static inline int seg_opt(const uint8_t *th, uint8_t kind)
{
	const uint8_t *o = seg_opt_find(th, kind);
	if (!o)
		return -1;
	return kind == TCPOPT_MSS ? (o[2] << 8 | o[3]) : o[kind == TCPOPT_SACK_PERM ? 1 : 2];
}

static int seg_t_dgram(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	(void)sk, (void)f, (void)d, (void)l;
	return 0;
}
static void seg_t_nop(struct sock *sk) { (void)sk; }
static const struct sock_owner_ops seg_owner = {
	.dgram_rcv = seg_t_dgram, .readable = seg_t_nop, .writable = seg_t_nop,
	.state_change = seg_t_nop,
};

static inline struct sock *seg_listener(uint16_t port, int backlog)
{
	int err = 0;
	struct sock *l = inet6_create(SOCK_STREAM, 0, &seg_owner, NULL, &err);
	cr_assert_not_null(l, "socket: %d", err);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	cr_assert_eq(l->ops->bind(l, &a), 0);
	cr_assert_eq(l->ops->listen(l, backlog), 0);
	return l;
}

/* Sockets in the table (listeners, children, anything). */
static inline unsigned seg_sockets_in_use(void)
{
	unsigned n = 0;
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk))
		n++;
	return n;
}

static inline uint64_t seg_gauge(enum stack_gauge g)
{
	struct stack_stats st;
	stack_stats_get(&st);
	return st.gauge[g];
}

#endif
