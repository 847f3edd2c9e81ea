/* xrt: UDP over IPv4 to the router (__udp4_lib_rcv): length and checksum checks, Port Unreachable where no socket listens. */
#include "stack/stack_internal.h"

#define UDP_HDR_LEN 8

/*
 * No AF_INET socket exists yet, so every datagram to us finds a closed
 * port: RFC 1122 3.2.2.1 / 4.1.3.1 Port Unreachable, unless it was sent to
 * a broadcast or multicast address (icmp_send refuses those). A bad
 * length or checksum is dropped first (RFC 768, a zero checksum means
 * none was sent).
 */
void udp_v4_rcv(struct pkt *p)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	const uint8_t *uh = p->nh + p->thoff;
	size_t avail = p->len - p->thoff;
	if (avail < UDP_HDR_LEN) {
		DROP_INC(UDP_CSUM);
		return;
	}
	size_t ulen = (size_t)(uh[4] << 8 | uh[5]);
	if (ulen < UDP_HDR_LEN || ulen > avail) {
		DROP_INC(UDP_CSUM);
		return;
	}
	if ((uh[6] || uh[7]) && ip4_pseudo_csum(iph->saddr, iph->daddr, IPPROTO_UDP, uh, ulen)) {
		DROP_INC(UDP_CSUM);
		return;
	}
	icmp_send(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
}
