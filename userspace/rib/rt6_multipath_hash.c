/* xrt: the fast path's ECMP flow hash, recomputed in userspace for `route get`. */
#include "rib/rt6_multipath_hash.h"

#include <arpa/inet.h>
#include <string.h>

#include "xrt/proto.h"

/* Same steps and constants as bpf/fib.h (murmur3 finaliser, golden-ratio
 * mix); words are read from packet memory exactly as the BPF code does. */
static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static uint32_t mix(uint32_t h, uint32_t w)
{
	h ^= w;
	h *= 0x9e3779b1;
	return (h << 13) | (h >> 19);
}

uint32_t rt6_multipath_hash(const struct rt6_flow *f)
{
	uint8_t first[4] = { 0x60, (uint8_t)((f->flowlabel >> 16) & 0x0f),
			     (uint8_t)(f->flowlabel >> 8), (uint8_t)f->flowlabel };
	uint32_t w;
	memcpy(&w, first, 4);
	uint32_t h = w & htonl(0x000fffff);
	for (int i = 0; i < 4; i++) {
		memcpy(&w, f->saddr.s6_addr + 4 * i, 4);
		h = mix(h, w);
	}
	for (int i = 0; i < 4; i++) {
		memcpy(&w, f->daddr.s6_addr + 4 * i, 4);
		h = mix(h, w);
	}
	h = mix(h, f->nexthdr);
	if ((f->nexthdr == NEXTHDR_TCP || f->nexthdr == NEXTHDR_UDP) && f->has_ports) {
		uint16_t ports[2] = { htons(f->sport), htons(f->dport) };
		memcpy(&w, ports, 4);
		h = mix(h, w);
	}
	return fmix32(h);
}
