/* xrt: IPv4 reassembly (ip_defrag, RFC 791 3.2 / RFC 815) on the fragment queues IPv6 uses: one memory bound, overlaps discard the datagram. */
#include "stack/stack_internal.h"
#include "stack/reassembly.h"

/*
 * ip_defrag: a datagram is keyed by source, destination, protocol and
 * identification (RFC 791 3.2). Every non-last fragment carries a multiple
 * of 8 bytes; nothing may end past 65535; an overlap drops the whole
 * datagram (ip_frag_queue since Linux 4.19). True when p now holds the
 * whole datagram (header from the first fragment, MF and offset cleared).
 */
bool ip_defrag(struct pkt *p)
{
	struct iphdr_wire *iph = pkt_ip4(p);
	IP4_INC(REASM_REQDS);
	uint16_t frag = ntohs(iph->frag_off);
	uint32_t offset = (uint32_t)(frag & IP4_FRAG_OFFSET_MASK) * IP4_FRAG_UNIT;
	bool more = frag & IP4_FLAG_MF;
	size_t ihl = p->thoff, dlen = p->len - ihl;
	if ((more && (dlen == 0 || dlen % IP4_FRAG_UNIT)) || offset + dlen + ihl > IP4_MAX_LEN) {
		DROP_INC(FRAG_INVALID);
		IP4_INC(REASM_FAILS);
		return false;
	}
	struct in6_addr s6 = ip4_mapped(iph->saddr), d6 = ip4_mapped(iph->daddr);
	struct frag_queue *q = inet_frag_find(&s6, &d6, ntohs(iph->id), FRAG_KEY_V4 | iph->protocol,
					      p->ifindex,
					      (uint64_t)IP4_FRAG_TIMEOUT_SEC * NSEC_PER_SEC);
	if (inet_frag_queue_insert(q, p, offset, ihl, more, iph->protocol) <= 0)
		return false;
	if (!inet_frag_reasm_finish(q, p, IP4_MAX_LEN))
		return false;
	iph = pkt_ip4(p);
	iph->frag_off = htons(ntohs(iph->frag_off) & IP4_FLAG_DF);
	iph->tot_len = htons((uint16_t)p->len);
	ip_send_check(p->nh);
	IP4_INC(REASM_OKS);
	return true;
}
