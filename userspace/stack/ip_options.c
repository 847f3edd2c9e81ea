/* xrt: IPv4 options (RFC 791 3.1): ip_options_compile (validation), ip_rcv_options (no source routing), ip_forward_options (Record Route). */
#include "stack/stack_internal.h"

/* RFC 791 3.1 option types and IPOPT_MINOFF (a route option's pointer
 * starts at 4) come from <netinet/ip.h>. */
#define IPOPT_ADDR_LEN 4

/*
 * ip_options_compile for a received datagram: the options of p (between
 * the fixed header and p->thoff) must tile it; each but End and No
 * Operation has a length of at least 2 that fits; a route option has a
 * pointer of at least 4 and at most one source route. On error, *pp is the
 * offset (from the IPv4 header) Parameter Problem points at. *srr and
 * *rr get the offsets of a source route and a Record Route (0: none).
 */
static bool ip_options_compile(const uint8_t *nh, size_t ihl, size_t *pp, size_t *srr,
			       size_t *rr)
{
	*srr = *rr = 0;
	for (size_t off = IP4_HDR_LEN; off < ihl;) {
		uint8_t type = nh[off];
		if (type == IPOPT_END)
			return true;
		if (type == IPOPT_NOOP) {
			off++;
			continue;
		}
		if (off + 2 > ihl || nh[off + 1] < 2 || off + nh[off + 1] > ihl) {
			*pp = off; /* ip_options_compile points at the option itself */
			return false;
		}
		size_t olen = nh[off + 1];
		if (type == IPOPT_LSRR || type == IPOPT_SSRR || type == IPOPT_RR) {
			if (olen < 3) {
				*pp = off + 1;
				return false;
			}
			if (nh[off + 2] < IPOPT_MINOFF) {
				*pp = off + 2;
				return false;
			}
			if (type == IPOPT_RR) {
				if (nh[off + 2] <= olen && (size_t)nh[off + 2] + 3 > olen) {
					*pp = off + 2;
					return false;
				}
				*rr = off;
			} else {
				if (*srr) { /* two source routes */
					*pp = off;
					return false;
				}
				*srr = off;
			}
		}
		off += olen;
	}
	return true;
}

/* ip_rcv_options: malformed options get Parameter Problem (IpInHdrErrors);
 * a source-routed datagram is dropped, as with the kernel's default
 * accept_source_route 0 (RFC 1812 5.2.4.1 lets a router refuse it). True
 * when p goes on; p->ip_rr is then the Record Route option to fill, if any. */
bool ip_rcv_options(struct pkt *p)
{
	size_t ihl = p->thoff, pp = 0, srr, rr;
	if (ihl == IP4_HDR_LEN)
		return true;
	if (!ip_options_compile(p->nh, ihl, &pp, &srr, &rr)) {
		DROP_INC(IP4_HDR);
		MIB_INC(IP4_IN_HDR_ERRORS);
		icmp_send(p, ICMP_PARAMETERPROB, 0, (uint32_t)pp);
		return false;
	}
	if (srr) {
		DROP_INC(IP4_SRR);
		return false;
	}
	p->ip_rr = rr;
	return true;
}

/* ip_forward_options: Record Route gets the address of the interface the
 * datagram leaves by, while there is room (RFC 791 3.1); the caller
 * recomputes the header checksum. */
void ip_forward_options(struct pkt *p, int oif)
{
	size_t rr = p->ip_rr;
	if (!rr || rr >= p->thoff)
		return;
	uint8_t *o = p->nh + rr;
	uint32_t addr;
	if (o[2] + 3 > o[1] || !inet_select_addr(stack_dev(oif), 0, &addr))
		return;
	memcpy(o + o[2] - 1, &addr, IPOPT_ADDR_LEN);
	o[2] += IPOPT_ADDR_LEN;
}
