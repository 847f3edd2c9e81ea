/* xrt: IPv6 output: ip6_local_out (route, path MTU), ip6_fragment (RFC 8200 4.5), ip6_output_finish. */
#include <errno.h>
#include <stdlib.h>
#include "stack/stack_internal.h"
#include "stack/secure_seq.h"

int ip6_output_finish(int oif, const struct in6_addr *nexthop, uint8_t *data,
		      size_t len, int iif)
{
	const struct ip6_hdr_wire *ip6 = (const struct ip6_hdr_wire *)data;
	if (ip6_is_mcast(&ip6->daddr)) {
		uint8_t mac[6];
		ip6_mc_mac(&ip6->daddr, mac);
		return dev_xmit_ip6(oif, mac, data, len);
	}
	return neigh_output(oif, nexthop, data, len, iif);
}

/*
 * Fragment Identification, RFC 7739 5.3 (per-destination counters, the
 * kernel's ipv6_select_ident over ip_idents_reserve): a keyed hash of the
 * addresses picks one of XRT_IP6_IDENTS counters, each started at a random
 * value. A destination sees its own IDs advance, which keeps them from
 * repeating within a reassembly timeout (RFC 8200 4.5), and learns nothing
 * about the IDs, or the number of packets, sent to other destinations (no
 * global counter, RFC 7739 section 3).
 */
static uint32_t ip_idents[XRT_IP6_IDENTS];
static uint32_t ip_tstamps[XRT_IP6_IDENTS]; /* ms of a bucket's last use */

void ip6_output_init(void)
{
	for (unsigned i = 0; i < XRT_IP6_IDENTS; i++) {
		ip_idents[i] = get_random_u32();
		ip_tstamps[i] = 0;
	}
}

/* ip_idents_reserve: an idle bucket also moves by a random amount up to the
 * time it sat unused, so a destination sharing it with others cannot count
 * their packets from the gaps in its own IDs. */
static uint32_t ip_idents_reserve(uint64_t hash)
{
	uint32_t bucket = (uint32_t)(hash % XRT_IP6_IDENTS);
	uint32_t now = (uint32_t)(stack_now() / NSEC_PER_MSEC);
	uint32_t delta = 0;
	if (ip_tstamps[bucket] != now) {
		delta = get_random_u32_below(now - ip_tstamps[bucket]);
		ip_tstamps[bucket] = now;
	}
	ip_idents[bucket] += 1 + delta;
	return ip_idents[bucket] - 1;
}

uint32_t ipv6_select_ident(const struct in6_addr *daddr, const struct in6_addr *saddr)
{
	return ip_idents_reserve(secure_ipv6_id(daddr, saddr));
}

/* ip6_find_1stfragopt: the unfragmentable part is the IPv6 header plus
 * hop-by-hop, routing, and destination options that precede a routing
 * header (RFC 8200 4.5). Returns its length and the offset of the
 * next-header byte that will name the fragment header. */
static bool ip6_find_1stfragopt(const uint8_t *data, size_t len, size_t *unfrag,
				size_t *nhoff)
{
	size_t off = IP6_HDR_LEN, nh_at = 6;
	uint8_t next = data[6];
	for (unsigned guard = 0; guard < 16; guard++) {
		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING && next != NEXTHDR_DEST)
			break;
		if (off + 2 > len)
			return false;
		size_t hl = ((size_t)data[off + 1] + 1) * 8;
		if (next == NEXTHDR_DEST) {
			/* Destination options stay unfragmentable only before
			 * a routing header. */
			if (off + hl + 2 > len || data[off] != NEXTHDR_ROUTING)
				break;
		}
		nh_at = off;
		next = data[off];
		off += hl;
	}
	if (off > len)
		return false;
	*unfrag = off;
	*nhoff = nh_at;
	return true;
}

static uint8_t frag_buf[PKT_HEADROOM + PKT_MAX_LEN];

int ip6_fragment(uint8_t *data, size_t len, size_t mtu, int oif,
		 const struct in6_addr *nexthop, int iif)
{
	size_t unfrag, nhoff;
	if (!ip6_find_1stfragopt(data, len, &unfrag, &nhoff) ||
	    mtu < unfrag + IP6_FRAG_HDR_LEN + 8) {
		MIB_INC(FRAG_FAILS);
		DROP_INC(FRAG_NEEDED_LOCAL);
		return -1;
	}
	size_t per_frag = (mtu - unfrag - IP6_FRAG_HDR_LEN) & ~(size_t)7;
	uint8_t orig_next = data[nhoff];
	const struct ip6_hdr_wire *ip6 = (const struct ip6_hdr_wire *)data;
	uint32_t id = htonl(ipv6_select_ident(&ip6->daddr, &ip6->saddr));
	size_t payload = len - unfrag;
	uint8_t *out = frag_buf + PKT_HEADROOM;
	for (size_t done = 0; done < payload; done += per_frag) {
		size_t chunk = payload - done < per_frag ? payload - done : per_frag;
		bool more = done + chunk < payload;
		memcpy(out, data, unfrag);
		out[nhoff] = NEXTHDR_FRAGMENT;
		uint8_t *fh = out + unfrag;
		fh[0] = orig_next;
		fh[1] = 0;
		uint16_t off_flags = (uint16_t)done | (more ? IP6_FRAG_MORE : 0);
		fh[2] = (uint8_t)(off_flags >> 8);
		fh[3] = (uint8_t)off_flags;
		memcpy(fh + 4, &id, 4);
		memcpy(fh + IP6_FRAG_HDR_LEN, data + unfrag + done, chunk);
		size_t flen = unfrag + IP6_FRAG_HDR_LEN + chunk;
		((struct ip6_hdr_wire *)out)->payload_len = htons((uint16_t)(flen - IP6_HDR_LEN));
		MIB_INC(FRAG_CREATES);
		ip6_output_finish(oif, nexthop, out, flen, iif);
	}
	MIB_INC(FRAG_OKS);
	return 0;
}

/*
 * ip6_local_out for packets the router originates: route them (unless the
 * caller names the interface, as for link-scope destinations), apply the
 * path MTU, fragment if needed.
 */
int ip6_local_out(uint8_t *data, size_t len, int oif, int iif)
{
	const struct ip6_hdr_wire *ip6 = (const struct ip6_hdr_wire *)data;
	struct in6_addr nexthop;
	uint32_t mtu;
	MIB_INC(OUT_REQUESTS);
	int rc = inet_route_output(&ip6->saddr, &ip6->daddr, iif, &oif, &nexthop, &mtu);
	if (rc == -ENETUNREACH) {
		MIB_INC(OUT_NO_ROUTES);
		DROP_INC(NO_ROUTE);
		return -1;
	}
	if (rc) {
		DROP_INC(NO_DEV);
		MIB_INC(OUT_DISCARDS);
		return -1;
	}
	if (mtu < IP6_MIN_MTU)
		mtu = IP6_MIN_MTU;
	if (len > mtu)
		return ip6_fragment(data, len, mtu, oif, &nexthop, iif);
	return ip6_output_finish(oif, &nexthop, data, len, iif);
}
