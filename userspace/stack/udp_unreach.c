/* xrt: UDP input while no socket layer owns UDP: Port Unreachable for every port (RFC 4443 3.1 code 4). */
#include "stack/stack_internal.h"

#define UDP_HDR_LEN 8

int udpv6_unreach_rcv(struct pkt *p)
{
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	if (p->thoff + UDP_HDR_LEN > p->len) {
		DROP_INC(UDP_CSUM);
		MIB_INC(IN_HDR_ERRORS);
		return -1;
	}
	size_t udp_len = p->len - p->thoff;
	uint16_t len_field = (uint16_t)(p->nh[p->thoff + 4] << 8 | p->nh[p->thoff + 5]);
	/* RFC 8200 8.1: the checksum is mandatory; a bad one is dropped before
	 * any port lookup, as the kernel's __udp6_lib_rcv does. */
	if (len_field != udp_len || len_field < UDP_HDR_LEN ||
	    ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_UDP, p->nh + p->thoff, udp_len) != 0 ||
	    (p->nh[p->thoff + 6] == 0 && p->nh[p->thoff + 7] == 0)) {
		DROP_INC(UDP_CSUM);
		MIB_INC(IN_DISCARDS);
		return -1;
	}
	MIB_INC(IN_DELIVERS);
	icmp6_send(p, ICMP6_DST_UNREACH, ICMP6_DU_PORT, 0);
	return -1;
}
