/* xrt: cookie_v6_init_sequence, cookie_v6_check (net/ipv6/syncookies.c with the encoding of net/ipv4/syncookies.c; an IPv4-mapped peer gets IPv4's MSS table), keyed by SipHash-2-4. */
#include "stack/stack_internal.h"
#include "stack/secure_seq.h"
#include "stack/syncookies.h"

/* The cookie: hash0 + peer ISN + (count << 24) + ((hash1(count) + mssind)
 * mod 2^24). count (8 bits) dates it; the low 24 bits carry the MSS index
 * under a hash only we can compute, so a forged ACK passes with probability
 * about 4 / 2^24 per try. */
#define COOKIEBITS 24
#define COOKIEMASK (((uint32_t)1 << COOKIEBITS) - 1)

/* msstab (net/ipv6/syncookies.c): the MSS values a cookie can carry, the
 * common IPv6 paths (minimum MTU, tunnels, Ethernet, jumbo). */
static const uint16_t msstab[] = {
	1280 - 60, /* IPV6_MIN_MTU - 60 */
	1480 - 60,
	1500 - 60,
	9000 - 60,
};
#define MSSTAB_N (sizeof(msstab) / sizeof(msstab[0]))
/* msstab (net/ipv4/syncookies.c) for an IPv4(-mapped) peer: the IPv4
 * paths (RFC 9293 3.7.1's 536, tunnels, Ethernet with and without
 * options). The hash is the same, over the mapped 4-tuple. */
static const uint16_t msstab4[] = { 536, 1300, 1440, 1460 };
_Static_assert(sizeof(msstab4) / sizeof(msstab4[0]) == MSSTAB_N, "one index space");

static const uint16_t *cookie_msstab(const struct in6_addr *peer)
{
	return xrt_addr_is_v4(peer) ? msstab4 : msstab;
}

/* tcp_cookie_time: minutes on the stack's clock. */
static uint32_t tcp_cookie_time(void)
{
	return (uint32_t)(stack_now() / (TCP_SYNCOOKIE_PERIOD_SEC * NSEC_PER_SEC));
}

static uint32_t cookie_hash(const struct in6_addr *saddr, const struct in6_addr *daddr,
			    uint16_t sport, uint16_t dport, uint32_t count, int c)
{
	struct {
		struct in6_addr saddr, daddr;
		uint32_t count;
		uint16_t sport, dport;
	} combined = { *saddr, *daddr, count, sport, dport };
	return (uint32_t)siphash(&combined, sizeof(combined),
				 secure_key(c ? SECURE_KEY_COOKIE1 : SECURE_KEY_COOKIE0));
}

static uint32_t secure_tcp_syn_cookie(const struct in6_addr *saddr, const struct in6_addr *daddr,
				      uint16_t sport, uint16_t dport, uint32_t sseq,
				      uint32_t data)
{
	uint32_t count = tcp_cookie_time();
	return cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIEBITS) +
	       ((cookie_hash(saddr, daddr, sport, dport, count, 1) + data) & COOKIEMASK);
}

/* The data (MSS index) of a cookie, or (uint32_t)-1 if it is too old. */
static uint32_t check_tcp_syn_cookie(uint32_t cookie, const struct in6_addr *saddr,
				     const struct in6_addr *daddr, uint16_t sport,
				     uint16_t dport, uint32_t sseq)
{
	uint32_t count = tcp_cookie_time();
	cookie -= cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq;
	uint32_t diff = (count - (cookie >> COOKIEBITS)) & ((uint32_t)-1 >> COOKIEBITS);
	if (diff >= MAX_SYNCOOKIE_AGE)
		return (uint32_t)-1;
	return (cookie - cookie_hash(saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
}

uint32_t cookie_v6_init_sequence(const struct in6_addr *saddr, const struct in6_addr *daddr,
				 uint16_t sport, uint16_t dport, uint32_t seq, uint16_t *mssp)
{
	unsigned mssind;
	uint16_t mss = *mssp;
	const uint16_t *tab = cookie_msstab(saddr);
	for (mssind = MSSTAB_N - 1; mssind; mssind--)
		if (mss >= tab[mssind])
			break;
	*mssp = tab[mssind];
	return secure_tcp_syn_cookie(saddr, daddr, sport, dport, seq, mssind);
}

uint16_t cookie_v6_check(const struct in6_addr *saddr, const struct in6_addr *daddr,
			 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t cookie)
{
	uint32_t mssind = check_tcp_syn_cookie(cookie, saddr, daddr, sport, dport, seq);
	return mssind < MSSTAB_N ? cookie_msstab(saddr)[mssind] : 0;
}
