/* xrt: extension headers: ip6_parse_tlv, hop-by-hop, destination options, routing header. */
#include "stack/stack_internal.h"

/* RFC 8200 4.2: more than 7 bytes of padding in a row is not padding. */
#define IP6_TLV_MAX_PAD 7

static bool exthdr_bounds(struct pkt *p, size_t *hdrlen)
{
	if (p->thoff + 2 > p->len)
		return false;
	*hdrlen = ((size_t)p->nh[p->thoff + 1] + 1) * 8;
	return p->thoff + *hdrlen <= p->len;
}

/* RFC 2675 section 3: the Jumbo Payload option, hop-by-hop only. */
static bool ipv6_hop_jumbo(struct pkt *p, size_t off, bool *jumbo_seen)
{
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	if (p->nh[off + 1] != 4 || (off & 3) != 2) {
		DROP_INC(TLV_MALFORMED);
		MIB_INC(IN_HDR_ERRORS);
		return false;
	}
	uint32_t jumbo_len;
	memcpy(&jumbo_len, p->nh + off + 2, 4);
	jumbo_len = ntohl(jumbo_len);
	if (jumbo_len <= IP6_MAX_PAYLOAD) {
		DROP_INC(TLV_MALFORMED);
		MIB_INC(IN_HDR_ERRORS);
		icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_HEADER, (uint32_t)off + 2);
		return false;
	}
	if (ip6->payload_len != 0) {
		DROP_INC(TLV_MALFORMED);
		MIB_INC(IN_HDR_ERRORS);
		icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_HEADER, (uint32_t)off);
		return false;
	}
	if ((size_t)jumbo_len > p->len - IP6_HDR_LEN) {
		DROP_INC(TRUNCATED);
		MIB_INC(IN_TRUNCATED_PKTS);
		return false;
	}
	p->len = IP6_HDR_LEN + jumbo_len;
	*jumbo_seen = true;
	return true;
}

/*
 * ip6_parse_tlv: walk the options of the header at p->thoff. Known options
 * are checked; unknown ones obey the two high bits of their type (RFC 8200
 * 4.2). Returns false when the packet was dropped (and maybe answered).
 */
bool ip6_parse_tlv(struct pkt *p, bool hop_by_hop)
{
	size_t hdrlen;
	if (!exthdr_bounds(p, &hdrlen)) {
		DROP_INC(EXTHDR_TRUNC);
		MIB_INC(IN_HDR_ERRORS);
		return false;
	}
	size_t off = p->thoff + 2, end = p->thoff + hdrlen;
	unsigned padlen = 0;
	bool jumbo_seen = false;
	while (off < end) {
		uint8_t type = p->nh[off];
		if (type == IP6_TLV_PAD1) {
			if (++padlen > IP6_TLV_MAX_PAD)
				goto malformed;
			off++;
			continue;
		}
		if (off + 2 > end || off + 2 + p->nh[off + 1] > end)
			goto malformed;
		size_t optlen = 2 + (size_t)p->nh[off + 1];
		if (type == IP6_TLV_PADN) {
			padlen += (unsigned)optlen;
			if (padlen > IP6_TLV_MAX_PAD)
				goto malformed;
			for (size_t i = 2; i < optlen; i++)
				if (p->nh[off + i] != 0)
					goto malformed; /* covert channel, RFC 8200 4.2 */
			off += optlen;
			continue;
		}
		padlen = 0;
		if (hop_by_hop && type == IP6_TLV_ROUTER_ALERT) {
			if (optlen != 4)
				goto malformed;
			p->ra_option = true;
			p->ra_value = (uint16_t)(p->nh[off + 2] << 8 | p->nh[off + 3]);
		} else if (hop_by_hop && type == IP6_TLV_JUMBO) {
			if (!ipv6_hop_jumbo(p, off, &jumbo_seen))
				return false;
		} else {
			switch (IP6_TLV_ACTION(type)) {
			case IP6_TLV_ACT_SKIP:
				break;
			case IP6_TLV_ACT_DISCARD_ICMP_UNLESS_MCAST:
				if (ip6_is_mcast(&pkt_ip6(p)->daddr)) {
					DROP_INC(TLV_UNKNOWN);
					MIB_INC(IN_HDR_ERRORS);
					return false;
				}
				/* fall through */
			case IP6_TLV_ACT_DISCARD_ICMP:
				DROP_INC(TLV_UNKNOWN);
				MIB_INC(IN_HDR_ERRORS);
				icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_OPTION, (uint32_t)off);
				return false;
			default: /* IP6_TLV_ACT_DISCARD */
				DROP_INC(TLV_UNKNOWN);
				MIB_INC(IN_HDR_ERRORS);
				return false;
			}
		}
		off += optlen;
	}
	if (hop_by_hop && pkt_ip6(p)->payload_len == 0 && !jumbo_seen) {
		/* Payload length 0 but no Jumbo Payload option to explain it. */
		DROP_INC(TRUNCATED);
		MIB_INC(IN_TRUNCATED_PKTS);
		return false;
	}
	return true;
malformed:
	DROP_INC(TLV_MALFORMED);
	MIB_INC(IN_HDR_ERRORS);
	return false;
}

bool ipv6_parse_hopopts(struct pkt *p)
{
	p->thoff = IP6_HDR_LEN;
	p->nhoff = 6;
	return ip6_parse_tlv(p, true);
}

int ipv6_destopt_rcv(struct pkt *p)
{
	if (!ip6_parse_tlv(p, false))
		return -1;
	uint8_t next = p->nh[p->thoff];
	size_t hdrlen = ((size_t)p->nh[p->thoff + 1] + 1) * 8;
	p->nhoff = p->thoff;
	p->thoff += hdrlen;
	return next;
}

/*
 * RFC 8200 4.4: segments left 0 means the header is ignored; otherwise no
 * routing type is supported here (type 0 is deprecated by RFC 5095), so the
 * answer is Parameter Problem code 0 pointing at the routing type.
 */
int ipv6_rthdr_rcv(struct pkt *p)
{
	size_t hdrlen;
	if (!exthdr_bounds(p, &hdrlen) || hdrlen < 8) {
		DROP_INC(EXTHDR_TRUNC);
		MIB_INC(IN_HDR_ERRORS);
		return -1;
	}
	uint8_t segments_left = p->nh[p->thoff + 3];
	if (segments_left == 0) {
		uint8_t next = p->nh[p->thoff];
		p->nhoff = p->thoff;
		p->thoff += hdrlen;
		return next;
	}
	DROP_INC(RTHDR);
	MIB_INC(IN_HDR_ERRORS);
	icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_HEADER, (uint32_t)p->thoff + 2);
	return -1;
}

bool ipv6_exthdr_step(const uint8_t *nh, size_t len, uint8_t *next, size_t *off)
{
	if (*off + 2 > len)
		return false;
	const uint8_t *h = nh + *off;
	/* The kernel's ipv6_authlen (RFC 4302 2.2: 4-octet units, minus 2)
	 * and ipv6_optlen (RFC 8200 4.3: 8-octet units, not counting the first). */
	size_t hdrlen = *next == NEXTHDR_AUTH ? ((size_t)h[1] + 2) * 4 : ((size_t)h[1] + 1) * 8;
	*next = h[0];
	*off += hdrlen;
	return true;
}

bool ipv6_skip_exthdr(const uint8_t *nh, size_t len, uint8_t *proto, size_t *off,
		      bool *nonfirst_frag)
{
	uint8_t next = nh[6];
	size_t o = IP6_HDR_LEN;
	*nonfirst_frag = false;
	for (unsigned guard = 0; guard < 64; guard++) {
		switch (next) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
			if (!ipv6_exthdr_step(nh, len, &next, &o))
				return false;
			break;
		case NEXTHDR_FRAGMENT: {
			if (o + IP6_FRAG_HDR_LEN > len)
				return false;
			uint16_t frag_off = (uint16_t)(nh[o + 2] << 8 | nh[o + 3]);
			next = nh[o];
			o += IP6_FRAG_HDR_LEN;
			if (frag_off & IP6_FRAG_OFFSET_MASK) {
				*nonfirst_frag = true;
				*proto = next;
				*off = o;
				return true;
			}
			break;
		}
		default:
			*proto = next;
			*off = o;
			return o <= len;
		}
	}
	return false;
}
