/* xrt: IPv4 output: ip_local_out (route, path MTU), ip_fragment / ip_do_fragment (RFC 791 3.2), ip_finish_output2. */
#include <errno.h>
#include "stack/stack_internal.h"

/* RFC 791 3.1: an option type's high bit says it is copied into every
 * fragment (IPOPT_COPIED); End of Option List and No Operation are one
 * byte (<netinet/ip.h>). */

/* ip_options_fragment: what the second and later fragments carry of the
 * options: the copied ones; the others become No Operation. */
static void ip_options_fragment(uint8_t *opt, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t type = opt[i];
		if (type == IPOPT_END)
			return;
		if (type == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return; /* malformed: ip_rcv's checks are the kernel's, not ours */
		size_t olen = opt[i + 1];
		if (!IPOPT_COPIED(type))
			memset(opt + i, IPOPT_NOOP, olen);
		i += olen;
	}
}

static uint8_t frag_buf[PKT_HEADROOM + IP4_MAX_LEN];

/*
 * ip_do_fragment: pieces of at most mtu bytes, each a multiple of 8
 * payload bytes but the last, each with the header (options as
 * ip_options_fragment leaves them after the first), its offset and MF (the
 * last keeps MF if the datagram was itself a non-last fragment), then out
 * through the neighbour layer.
 */
int ip_fragment(uint8_t *data, size_t len, size_t mtu, int oif, const struct in6_addr *nexthop,
		int iif)
{
	size_t hlen = ip4_hdr_len(data);
	struct iphdr_wire *iph = (struct iphdr_wire *)data;
	uint16_t frag = ntohs(iph->frag_off);
	if (mtu < hlen + IP4_FRAG_UNIT || hlen > len) {
		MIB_INC(IP4_FRAG_FAILS);
		DROP_INC(FRAG_NEEDED_LOCAL);
		return -1;
	}
	size_t per_frag = (mtu - hlen) & ~(size_t)(IP4_FRAG_UNIT - 1);
	size_t payload = len - hlen;
	uint16_t base = frag & IP4_FRAG_OFFSET_MASK;
	bool orig_more = frag & IP4_FLAG_MF;
	uint8_t *out = frag_buf + PKT_HEADROOM;
	memcpy(out, data, hlen);
	for (size_t done = 0; done < payload; done += per_frag) {
		size_t chunk = payload - done < per_frag ? payload - done : per_frag;
		bool more = done + chunk < payload || orig_more;
		struct iphdr_wire *oh = (struct iphdr_wire *)out;
		memcpy(out + hlen, data + hlen + done, chunk);
		oh->frag_off = htons((uint16_t)((frag & IP4_FLAG_DF) | (more ? IP4_FLAG_MF : 0) |
					       (base + done / IP4_FRAG_UNIT)));
		oh->tot_len = htons((uint16_t)(hlen + chunk));
		ip_send_check(out);
		IP4_INC(FRAG_CREATES);
		neigh_output(oif, nexthop, out, hlen + chunk, iif);
		if (done == 0)
			ip_options_fragment(out + IP4_HDR_LEN, hlen - IP4_HDR_LEN);
	}
	IP4_INC(FRAG_OKS);
	return 0;
}

/*
 * ip_local_out for datagrams the router originates (header filled but
 * the checksum): route (unless oif is given), path MTU, fragment if it
 * does not fit and DF is clear.
 */
int ip_local_out(uint8_t *data, size_t len, int oif, int iif)
{
	const struct iphdr_wire *iph = (const struct iphdr_wire *)data;
	struct in6_addr s6 = ip4_mapped(iph->saddr), d6 = ip4_mapped(iph->daddr), nexthop;
	uint32_t mtu;
	IP4_INC(OUT_REQUESTS);
	int rc = inet_route_output(&s6, &d6, iif, &oif, &nexthop, &mtu);
	if (rc == -ENETUNREACH) {
		IP4_INC(OUT_NO_ROUTES);
		DROP_INC(NO_ROUTE);
		return -1;
	}
	if (rc) {
		DROP_INC(NO_DEV);
		MIB_INC(IP4_OUT_DISCARDS);
		return -1;
	}
	if (len > mtu) {
		if (ntohs(iph->frag_off) & IP4_FLAG_DF) {
			MIB_INC(IP4_FRAG_FAILS);
			DROP_INC(FRAG_NEEDED_LOCAL);
			return -1;
		}
		return ip_fragment(data, len, mtu, oif, &nexthop, iif);
	}
	ip_send_check(data);
	return neigh_output(oif, &nexthop, data, len, iif);
}
