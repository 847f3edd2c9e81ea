/* xrt: secure_tcpv6_seq, secure_ipv6_port_ephemeral, secure_ipv6_id (net/core/secure_seq.c): SipHash-2-4 under keys from getrandom(2). */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/secure_seq.h"

static siphash_key_t keys[SECURE_KEY_MAX];
static uint64_t random_ctr;

int secure_seq_init(void)
{
	for (unsigned i = 0; i < SECURE_KEY_MAX; i++) {
		int rc = siphash_key_random(&keys[i]);
		if (rc < 0)
			return rc;
	}
	random_ctr = 0;
	return 0;
}

void secure_seq_set_master_key(const siphash_key_t *master)
{
	for (uint64_t i = 0; i < SECURE_KEY_MAX; i++) {
		uint64_t lo = 2 * i, hi = 2 * i + 1;
		keys[i].key[0] = siphash(&lo, sizeof(lo), master);
		keys[i].key[1] = siphash(&hi, sizeof(hi), master);
	}
	random_ctr = 0;
}

const siphash_key_t *secure_key(enum secure_key_id id)
{
	return &keys[id];
}

/* The kernel's seq_scale: M, a timer that moves faster than any connection
 * can use sequence space (RFC 6528 section 3, RFC 9293 3.4.1), so that a
 * new incarnation of a 4-tuple starts beyond the old one's numbers. */
static uint32_t seq_scale(uint32_t seq)
{
	return seq + (uint32_t)(stack_now() >> 6);
}

uint32_t secure_tcpv6_seq(const struct in6_addr *saddr, const struct in6_addr *daddr,
			  uint16_t sport, uint16_t dport)
{
	struct {
		struct in6_addr saddr, daddr;
		uint16_t sport, dport;
	} combined = { *saddr, *daddr, sport, dport };
	return seq_scale((uint32_t)siphash(&combined, sizeof(combined), &keys[SECURE_KEY_NET]));
}

uint32_t secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
	struct {
		uint32_t saddr, daddr;
		uint16_t sport, dport;
	} combined = { saddr, daddr, sport, dport };
	return seq_scale((uint32_t)siphash(&combined, sizeof(combined), &keys[SECURE_KEY_NET]));
}

uint64_t secure_ipv6_port_ephemeral(const struct in6_addr *saddr, const struct in6_addr *daddr,
				    uint16_t dport)
{
	struct {
		struct in6_addr saddr, daddr;
		uint16_t dport;
	} combined = { *saddr, *daddr, dport };
	/* Only the three fields: sizeof would hash the tail padding too. */
	return siphash(&combined, 2 * sizeof(struct in6_addr) + sizeof(uint16_t),
		       &keys[SECURE_KEY_NET]);
}

uint64_t secure_ipv6_id(const struct in6_addr *daddr, const struct in6_addr *saddr)
{
	const struct in6_addr combined[2] = { *daddr, *saddr };
	return siphash(combined, sizeof(combined), &keys[SECURE_KEY_IDENT]);
}

uint32_t get_random_u32(void)
{
	uint64_t ctr = random_ctr++;
	return (uint32_t)siphash(&ctr, sizeof(ctr), &keys[SECURE_KEY_RANDOM]);
}

uint32_t get_random_u32_below(uint32_t ceil)
{
	/* Lemire's multiply-shift with rejection: unbiased, one draw usually. */
	uint64_t m = (uint64_t)get_random_u32() * ceil;
	uint32_t low = (uint32_t)m;
	if (low < ceil) {
		uint32_t threshold = -ceil % ceil;
		while (low < threshold) {
			m = (uint64_t)get_random_u32() * ceil;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}
