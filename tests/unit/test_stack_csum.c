/* xrt: unit tests of the Internet checksum with the IPv6 pseudo-header (stack/af_inet6.c ip6_csum) against RFC 1071's word-by-word definition. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "stack/stack_internal.h"

/* RFC 8200 8.1 pseudo-header + RFC 1071 sum, one big-endian 16-bit word at a
 * time, as written in the RFCs. */
static uint16_t ref_csum(const struct in6_addr *s, const struct in6_addr *d, uint8_t proto,
			 const uint8_t *b, size_t len)
{
	uint64_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)(s->s6_addr[i] << 8 | s->s6_addr[i + 1]) +
		       (uint32_t)(d->s6_addr[i] << 8 | d->s6_addr[i + 1]);
	sum += (uint32_t)len >> 16;
	sum += (uint32_t)len & 0xffff;
	sum += proto;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (i < len)
		sum += (uint32_t)b[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

Test(csum, matches_rfc1071_for_every_length_and_alignment)
{
	static uint8_t buf[70000 + 8];
	struct in6_addr s, d;

	srandom(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)random();
	for (int round = 0; round < 3000; round++) {
		size_t len = round < 2000 ? (size_t)round : (size_t)(random() % 70000);
		size_t off = (size_t)(random() % 8); /* any alignment */
		for (int k = 0; k < 16; k++) {
			s.s6_addr[k] = (uint8_t)random();
			d.s6_addr[k] = (uint8_t)random();
		}
		uint8_t proto = (uint8_t)random();
		cr_assert_eq(ip6_csum(&s, &d, proto, buf + off, len),
			     ref_csum(&s, &d, proto, buf + off, len), "len %zu offset %zu", len, off);
	}
	/* All ones: the sum folds many times. */
	memset(buf, 0xff, sizeof(buf));
	memset(&s, 0xff, sizeof(s));
	memset(&d, 0xff, sizeof(d));
	cr_assert_eq(ip6_csum(&s, &d, 0xff, buf, 65535), ref_csum(&s, &d, 0xff, buf, 65535));
}
