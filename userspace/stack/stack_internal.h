/* xrt: what the slow path's stages share: the packet buffer, the env, counters, helpers. */
#ifndef XRT_STACK_STACK_INTERNAL_H
#define XRT_STACK_STACK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include "stack/stack.h"
#include "stack/stack_stats.h"
#include "xrt/inet.h"
#include "xrt/ip4_proto.h"
#include "xrt/maps.h"
#include "xrt/proto.h"

#define ETH_HDR_LEN 14
#define ETH_P_IPV6_BE 0x86dd
#define ETH_P_IP_BE 0x0800
#define ETH_P_ARP_BE 0x0806
/* Room in front of the IPv6 header for the Ethernet header on output. */
#define PKT_HEADROOM 16
/* Largest IPv6 packet the stack handles (RFC 8200: 40 + 65535). */
#define PKT_MAX_LEN (IP6_HDR_LEN + IP6_MAX_PAYLOAD)

/*
 * One packet in flight through the stages, like the kernel's sk_buff:
 * nh is the IPv6 header, len counts bytes from it. Offsets are from nh.
 */
struct pkt {
	uint8_t *nh;
	size_t len;
	size_t cap;           /* bytes available from nh */
	int ifindex;          /* ingress; 0 for locally originated */
	const struct xrt_punt_meta *meta;
	uint8_t eth_src[6];
	bool eth_mcast;       /* link-layer destination was multicast */
	uint16_t ra_value;    /* hop-by-hop Router Alert value (RFC 2711 2.1; 0 = MLD) */
	size_t nhoff;         /* byte that named the header at thoff */
	size_t thoff;         /* header being processed */
	bool fragmented;      /* came in (or out of) a fragment: RFC 6980 */
	bool ra_option;       /* hop-by-hop Router Alert seen */
	bool eth_bcast;       /* link-layer destination was ff:ff:ff:ff:ff:ff */
	size_t ip_rr;         /* IPv4 Record Route option's offset, 0 if none */
};

/* The IPv6 header as bytes on the wire. */
struct ip6_hdr_wire {
	uint32_t vtc_flow;
	uint16_t payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	struct in6_addr saddr;
	struct in6_addr daddr;
};
_Static_assert(sizeof(struct ip6_hdr_wire) == IP6_HDR_LEN, "IPv6 header");

static inline struct ip6_hdr_wire *pkt_ip6(const struct pkt *p)
{
	return (struct ip6_hdr_wire *)p->nh;
}

extern struct stack_env senv;
extern struct stack_stats sstats;

#define MIB_INC(id) (sstats.mib[XRT_MIB_##id]++)
#define IP4_INC(id) (sstats.ip4[STACK_IP4_##id]++)
#define ICMP4_INC(id) (sstats.icmp[STACK_ICMP_##id]++)
#define MIB_ADD(id, n) (sstats.mib[XRT_MIB_##id] += (n))
#define ICMP6_INC(id) (sstats.icmp6[STACK_ICMP6_##id]++)
#define DROP_INC(id) (sstats.drop[STACK_DROP_##id]++)

static inline uint64_t stack_now(void)
{
	return senv.now_ns(senv.ctx);
}
#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull

/* Address classes (RFC 4291). */
static inline bool ip6_is_unspec(const struct in6_addr *a)
{
	static const struct in6_addr any;
	return memcmp(a, &any, 16) == 0;
}
static inline bool ip6_is_loopback(const struct in6_addr *a)
{
	static const struct in6_addr lo = { .s6_addr = { [15] = 1 } };
	return memcmp(a, &lo, 16) == 0;
}
static inline bool ip6_is_mcast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}
static inline unsigned ip6_mc_scope(const struct in6_addr *a)
{
	return a->s6_addr[1] & 0x0f;
}
static inline bool ip6_is_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}
static inline bool ip6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, 16) == 0;
}
/* RFC 4291 2.7.1: ff02::1:ffXX:XXXX for the low 24 bits of addr. */
static inline void ip6_solicited_node(const struct in6_addr *addr, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xff;
	out->s6_addr[1] = 0x02;
	out->s6_addr[11] = 0x01;
	out->s6_addr[12] = 0xff;
	memcpy(&out->s6_addr[13], &addr->s6_addr[13], 3);
}
/* RFC 2464 section 7: 33:33 + low 32 bits of the group. */
static inline void ip6_mc_mac(const struct in6_addr *g, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, &g->s6_addr[12], 4);
}

/* Checksum over the pseudo-header (RFC 8200 8.1) and len bytes at data. */
uint16_t ip6_csum(const struct in6_addr *src, const struct in6_addr *dst,
		  uint8_t proto, const void *data, size_t len);

/* Interfaces and addresses (ip6_input.c). */
const struct xrt_netdev *stack_dev(int ifindex);
/* Is addr one of ours (any attached interface)? Returns its interface. */
const struct xrt_netdev *ipv6_chk_addr(const struct in6_addr *addr);
/* Is addr a Subnet-Router anycast address (RFC 4291 2.6.1) of dev, or of
 * any attached interface if dev is NULL? The kernel's ipv6_chk_acast_addr;
 * the rule is addrconf_join_anycast's (and router/addr.c's, which
 * installs their local routes): forwarding on, prefix shorter than /127,
 * host bits zero. Never one of our unicast addresses for source selection. */
bool ipv6_chk_acast_addr(const struct xrt_netdev *dev, const struct in6_addr *addr);
/* The Subnet-Router anycast address of dev's i-th address, if it has one. */
bool ipv6_dev_acast_addr(const struct xrt_netdev *dev, unsigned i, struct in6_addr *out);
/* Does ifindex listen to multicast group g (all-nodes, all-routers,
 * solicited-node of one of its addresses or anycast addresses)? */
bool ipv6_chk_mcast_addr(int ifindex, const struct in6_addr *g);
/* Source for a message sent out of (or about a packet that came in by) dev
 * to dst (addrconf.c): RFC 6724 section 5 over dev's addresses (and every
 * attached interface's unless dst is link-scoped or multicast), as the
 * kernel's ipv6_dev_get_saddr. False if there is no candidate. */
bool ipv6_dev_get_saddr(const struct xrt_netdev *dev, const struct in6_addr *dst,
			struct in6_addr *out);
/* RFC 6724 section 3.1: scope of a unicast or multicast address. */
unsigned ipv6_addr_scope(const struct in6_addr *a);
bool ipv6_dev_get_lladdr(const struct xrt_netdev *dev, struct in6_addr *out);

/* Input stages. */
void ipv6_rcv(struct pkt *p);
/* NF_HOOK(hook) on p's IP header (IPv6 or IPv4): true if rpf or the acl
 * dropped it (counted as NF_DROP). */
bool nf_hook_drop(struct pkt *p, unsigned hook, int ifindex);
void ip6_input_finish(struct pkt *p, uint8_t nexthdr);
/* ip6_parse_tlv over the options header at p->thoff: true = go on. */
bool ip6_parse_tlv(struct pkt *p, bool hop_by_hop);
bool ipv6_parse_hopopts(struct pkt *p);

/* Upper-layer table (protosw.c), like inet6_add_protocol. A handler returns
 * a next-header value >= 0 to continue the walk at p->thoff (after setting
 * p->nhoff and p->thoff), or -1 when it consumed or dropped the packet. */
typedef int (*inet6_handler)(struct pkt *p);
int inet6_add_protocol(uint8_t nexthdr, inet6_handler fn);
int inet6_del_protocol(uint8_t nexthdr);
inet6_handler inet6_protocol(uint8_t nexthdr);
/* raw6_local_deliver: a socket layer's raw sockets see each header of the
 * walk (p->thoff) before its handler; true when one took a copy, which also
 * spares an unknown next header its Parameter Problem (as in the kernel). */
typedef bool (*raw6_deliver_fn)(const struct pkt *p, uint8_t nexthdr);
void inet6_set_raw_deliver(raw6_deliver_fn fn);
bool raw6_local_deliver(const struct pkt *p, uint8_t nexthdr);

/* icmpv6_notify's view of an ICMPv6 error: the packet it quotes (ip6, len
 * bytes from its IPv6 header), the quoted upper-layer header at off (proto),
 * and the error. The kernel's err_handler(skb, opt, type, code, offset, info). */
struct icmp6_err {
	const uint8_t *ip6;
	size_t len;
	size_t off;
	uint8_t proto;
	uint8_t type, code;
	uint32_t info;
	int ifindex;
	struct in6_addr from; /* the ICMPv6 error's source (SO_EE_OFFENDER) */
};
typedef void (*inet6_err_handler)(const struct icmp6_err *e);
int inet6_add_err_handler(uint8_t nexthdr, inet6_err_handler fn); /* NULL removes */
inet6_err_handler inet6_err_protocol(uint8_t nexthdr);
/* raw6_icmp_error: raw sockets of the quoted protocol see the error too. */
typedef void (*raw6_err_fn)(const struct icmp6_err *e);
void inet6_set_raw_err(raw6_err_fn fn);
void raw6_icmp_error(const struct icmp6_err *e);
/* icmpv6_err_convert (RFC 4443 3): the errno of an ICMPv6 error; true when
 * it is hard (fatal for a connection attempt, RFC 1122 4.2.3.9). */
bool icmpv6_err_convert(uint8_t type, uint8_t code, int *err);

int ipv6_destopt_rcv(struct pkt *p);
int ipv6_rthdr_rcv(struct pkt *p);
int ipv6_frag_rcv(struct pkt *p);
int icmpv6_rcv(struct pkt *p);
void reassembly_timers_run(uint64_t now);
uint64_t reassembly_timers_next(void);
void reassembly_init(void);
void reassembly_fini(void);

/* Forwarding. */
void ip6_forward(struct pkt *p, const struct fib6_result *res);
void ndisc_send_redirect(struct pkt *p, const struct fib6_result *res);

/* ICMPv6. */
void icmp6_send(struct pkt *p, uint8_t type, uint8_t code, uint32_t info);
void icmp6_init(void);
int icmp6_xmit(uint8_t *data, const struct in6_addr *src, const struct in6_addr *dst,
	       uint8_t hop_limit, size_t icmp_len, int oif, int iif);
/* Step over the Hop-by-Hop, Routing, Destination Options or AH header of
 * type *next at *off: *next becomes its Next Header, *off the header after
 * it; false when its length bytes are past len. */
bool ipv6_exthdr_step(const uint8_t *nh, size_t len, uint8_t *next, size_t *off);
/* Walk the extension chain from the IPv6 header: upper-layer protocol and
 * its offset, or false when the chain leaves the packet. */
bool ipv6_skip_exthdr(const uint8_t *nh, size_t len, uint8_t *proto, size_t *off,
		      bool *nonfirst_frag);

/* Output. Both take an IPv6 packet at data with PKT_HEADROOM bytes free in
 * front of it. ip6_output_finish sends it to nexthop on oif through the
 * neighbour layer (or to a multicast MAC); ip6_local_out routes a locally
 * built packet (oif 0) or sends it on oif, fragmenting when needed. */
int ip6_output_finish(int oif, const struct in6_addr *nexthop, uint8_t *data,
		      size_t len, int iif);
int ip6_local_out(uint8_t *data, size_t len, int oif, int iif);
int ip6_fragment(uint8_t *data, size_t len, size_t mtu, int oif,
		 const struct in6_addr *nexthop, int iif);
/* RFC 7739 5.3 Fragment Identification for (daddr, saddr). */
uint32_t ipv6_select_ident(const struct in6_addr *daddr, const struct in6_addr *saddr);
void ip6_output_init(void);

/* Route cache: path MTU learned from Packet Too Big (route.c). */
void rt6_pmtu_update(const struct in6_addr *dst, uint32_t mtu);
uint32_t rt6_pmtu_get(const struct in6_addr *dst); /* 0 = none */
void rt6_pmtu_flush(void);
/* Route, egress and MTU for a datagram the router originates, either
 * family (route.c); 0, -ENETUNREACH or -ENODEV. */
int inet_route_output(const struct in6_addr *saddr, const struct in6_addr *daddr, int iif,
		      int *oif, struct in6_addr *nexthop, uint32_t *mtu);

/* Neighbour discovery (ndisc.c), neighbour layer (neighbour.c). */
void ndisc_rcv(struct pkt *p, size_t icmp_off, size_t icmp_len);
/* NS for target: to its solicited-node group, or (unicast_mac set) a
 * unicast NUD probe to that MAC. prompt_src: the source of the packet
 * waiting for the answer, if any (it becomes the NS's source when it is an
 * address of the interface, RFC 4861 7.2.2). */
void ndisc_send_ns(int ifindex, const struct in6_addr *target, const uint8_t *unicast_mac,
		   const struct in6_addr *prompt_src);
/* Build the ICMPv6 checksum and send straight to a MAC on ifindex. */
int icmp6_xmit_direct(uint8_t *data, const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t hop_limit, size_t icmp_len, int ifindex, const uint8_t mac[6]);
bool icmp6_ratelimit_allow(const struct in6_addr *dst, uint8_t type);
void ndisc_ra_init(void);
void ndisc_ra_timers_run(uint64_t now);
uint64_t ndisc_ra_timers_next(void);
void neigh_init(void);
void neigh_fini(void);
int neigh_output(int ifindex, const struct in6_addr *nexthop, uint8_t *data,
		 size_t len, int iif);
/* An ND message told us nexthop's MAC (NA, or SLLA in NS/RS/Redirect). */
void neigh_update_from_na(int ifindex, const struct in6_addr *addr,
			  const uint8_t *mac, bool solicited, bool override,
			  bool is_router);
void neigh_update_from_slla(int ifindex, const struct in6_addr *addr,
			    const uint8_t mac[6]);
/* MAC of a resolved neighbour (for Redirect's target link-layer option). */
bool neigh_lookup_mac(int ifindex, const struct in6_addr *addr, uint8_t mac[6]);
void neigh_timers_run(uint64_t now);
void neigh_gauges(uint64_t *entries, uint64_t *incomplete, uint64_t *hold_bytes);
uint64_t neigh_timers_next(void);

/* Frame out: Ethernet header in front of data (PKT_HEADROOM), then xmit. */
int dev_xmit_ip6(int ifindex, const uint8_t dst_mac[6], uint8_t *data, size_t len);

/*
 * IPv4 (ip_input.c, ip_forward.c, ip_output.c, ip_fragment.c, icmp.c,
 * arp.c). A struct pkt carries an IPv4 packet the same way: nh is the IPv4
 * header, thoff the end of its options. Addresses leave the header as
 * IPv4-mapped IPv6 addresses (xrt/inet.h), the one type the env, the
 * neighbour table and the interface address lists know.
 */
struct iphdr_wire {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
};
_Static_assert(sizeof(struct iphdr_wire) == IP4_HDR_LEN, "IPv4 header");

static inline struct iphdr_wire *pkt_ip4(const struct pkt *p)
{
	return (struct iphdr_wire *)p->nh;
}
static inline bool pkt_is_v4(const uint8_t *nh)
{
	return (nh[0] >> 4) == IP4_VERSION;
}
static inline size_t ip4_hdr_len(const uint8_t *nh)
{
	return (size_t)(nh[0] & 0x0f) * 4;
}
/* ipv4_is_multicast / ipv4_is_lbcast / ipv4_is_zeronet / ipv4_is_loopback
 * (RFC 1122 3.2.1.3, RFC 1112 4), on network-order addresses. */
static inline bool ipv4_is_multicast(uint32_t a)
{
	return (ntohl(a) & IP4_MASK_4) == IP4_NET_MCAST;
}
static inline bool ipv4_is_lbcast(uint32_t a)
{
	return ntohl(a) == IP4_LIMITED_BCAST;
}
static inline bool ipv4_is_zeronet(uint32_t a)
{
	return (ntohl(a) & IP4_MASK_8) == IP4_NET_ZERO;
}
static inline bool ipv4_is_loopback(uint32_t a)
{
	return (ntohl(a) & IP4_MASK_8) == IP4_NET_LOOPBACK;
}
static inline struct in6_addr ip4_mapped(uint32_t v4_be)
{
	struct in6_addr a;
	xrt_addr_from_v4(&a, v4_be);
	return a;
}

/* RFC 1071 Internet checksum of len bytes (0 when a header verifies). */
uint16_t ip_compute_csum(const void *data, size_t len);
/* Checksum over the IPv4 pseudo-header (RFC 768, RFC 9293 3.1) and data. */
uint16_t ip4_pseudo_csum(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *data,
			 size_t len);
/* Fill in the header checksum of the IPv4 header at nh (ip_send_check). */
void ip_send_check(uint8_t *nh);

/* Is v4 (network order) a broadcast of one of dev's subnets (directed
 * broadcast), the limited broadcast or multicast (RFC 1122 3.3.6)? */
bool ipv4_is_bcast_mcast(const struct xrt_netdev *dev, uint32_t v4);
/* inet_select_addr: dev's primary IPv4 address (the first, or the first on
 * dst's subnet when dst is given); any interface's if dev has none. */
bool inet_select_addr(const struct xrt_netdev *dev, uint32_t dst, uint32_t *out);
/* inet_confirm_addr: is v4 an address of dev? */
bool inet_dev_has_addr(const struct xrt_netdev *dev, uint32_t v4);

void ip_rcv(struct pkt *p);
/* ip_options.c: validate the options of a received datagram (false:
 * dropped or answered); fill Record Route on forwarding. */
bool ip_rcv_options(struct pkt *p);
void ip_forward_options(struct pkt *p, int oif);
void arp_rcv(struct pkt *p);
void arp_init(void);
void arp_timers_run(uint64_t now);
uint64_t arp_timers_next(void);
/* arp_solicit: a request for target (broadcast, or unicast to
 * unicast_mac when probing a known entry). prompt_src: source of the
 * packet waiting for the answer (used as the sender when it is ours). */
void arp_solicit(int ifindex, const struct in6_addr *target, const uint8_t *unicast_mac,
		 const struct in6_addr *prompt_src);
void ip_forward(struct pkt *p, const struct fib6_result *res);
int icmp_rcv(struct pkt *p);
void udp_v4_rcv(struct pkt *p);
void tcp_v4_rcv(struct pkt *p);
/* An ICMPv4 error quoting one of our datagrams, as icmp_socket_deliver
 * hands it to the protocol: the quote holds the IPv4 header and at least
 * the 8 bytes after it (RFC 792), whose ports are read here. */
struct icmp_err4 {
	uint8_t type, code;
	const uint8_t *icmp;  /* the ICMP header; len bytes from it */
	size_t len;
	const uint8_t *l4;    /* the quoted transport header */
	size_t l4_len;        /* bytes of the quote from l4 */
	struct in6_addr saddr, daddr; /* the quoted datagram's (mapped): ours, the peer */
	uint16_t sport, dport;        /* its ports, network order */
	uint32_t from;        /* the error's source (network order) */
	int ifindex;
};
/* tcp_v4_err: an ICMPv4 error quoting a TCP segment of ours. */
void tcp_v4_err(const struct icmp_err4 *e);
/* __udp4_lib_err: an ICMPv4 error quoting a UDP datagram of ours. */
void udp_v4_err(const struct icmp_err4 *e);
/* icmp_err_convert (net/ipv4/icmp.c): the errno of an ICMPv4 error; true
 * when it is hard (fatal to a connection attempt, RFC 1122 4.2.3.9). */
bool icmp_err_convert(uint8_t type, uint8_t code, int *err);
/* icmp_send / __icmp_send: an ICMPv4 error about p; info is the
 * gateway (Redirect, network order), the MTU (Fragmentation Needed) or the
 * pointer (Parameter Problem). */
void icmp_send(struct pkt *p, uint8_t type, uint8_t code, uint32_t info);
void ip_rt_send_redirect(struct pkt *p, const struct fib6_result *res);
void icmp_init(void);
int ip_local_out(uint8_t *data, size_t len, int oif, int iif);
int ip_fragment(uint8_t *data, size_t len, size_t mtu, int oif, const struct in6_addr *nexthop,
		int iif);
/* ip_defrag: true when p now holds the whole datagram. */
bool ip_defrag(struct pkt *p);
/* The ICMP limiter both families share (icmp6.c): per-destination bucket
 * (when per_host) then the global one: icmp_global_allow + inet_peer_xrlim_allow. */
bool icmp_xrlim_allow(const struct in6_addr *dst, bool per_host);
/* Solicit a neighbour of either family (neighbour.c picks ARP or ND). */
void neigh_solicit(int ifindex, const struct in6_addr *target, const uint8_t *unicast_mac,
		   const struct in6_addr *prompt_src);
/* Frame out for an IPv4 or IPv6 packet at data (version nibble decides). */
int dev_xmit_ip(int ifindex, const uint8_t dst_mac[6], uint8_t *data, size_t len);
/* Frame out with an explicit Ethernet type (ARP). */
int dev_xmit_eth(int ifindex, const uint8_t dst_mac[6], uint16_t ethertype, uint8_t *data,
		 size_t len);

#endif
