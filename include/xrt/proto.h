/* xrt: protocol constants, each with the RFC section it comes from. */
#ifndef XRT_PROTO_H
#define XRT_PROTO_H

/* RFC 8200 section 3: the fixed header. */
#define IP6_HDR_LEN 40
#define IP6_VERSION 6
/* RFC 8200 section 5: every link carries at least 1280 octets. */
#define IP6_MIN_MTU 1280
/* RFC 2675 section 2: Jumbo Payload uses payload length 0 with hop-by-hop. */
#define IP6_MAX_PAYLOAD 65535

/* RFC 8200 section 4 / IANA: next header values. */
#define NEXTHDR_HOP 0
#define NEXTHDR_TCP 6
#define NEXTHDR_UDP 17
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_ESP 50
#define NEXTHDR_AUTH 51
#define NEXTHDR_ICMP 58
#define NEXTHDR_NONE 59
#define NEXTHDR_DEST 60

/* RFC 4443 section 2.1: ICMPv6 message types. */
#define ICMP6_DST_UNREACH 1
#define ICMP6_PKT_TOOBIG 2
#define ICMP6_TIME_EXCEED 3
#define ICMP6_PARAMPROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
/* RFC 4861 section 4: neighbour discovery message types. */
#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_REDIRECT 137
/* RFC 4861 section 6.1 / 7.1: ND messages arrive with hop limit 255. */
#define ND_HOP_LIMIT 255

/* RFC 4443 section 3.1: Destination Unreachable codes. */
#define ICMP6_DU_NOROUTE 0
#define ICMP6_DU_ADMIN 1
#define ICMP6_DU_BEYONDSCOPE 2
#define ICMP6_DU_ADDR 3
#define ICMP6_DU_PORT 4
#define ICMP6_DU_POLICY 5
#define ICMP6_DU_REJECT_ROUTE 6
/* RFC 4443 section 3.3: Time Exceeded codes. */
#define ICMP6_TE_HOPLIMIT 0
#define ICMP6_TE_REASSEMBLY 1
/* RFC 4443 section 3.4 and RFC 7112 section 5: Parameter Problem codes. */
#define ICMP6_PP_HEADER 0
#define ICMP6_PP_NEXTHDR 1
#define ICMP6_PP_OPTION 2
#define ICMP6_PP_INCOMPLETE_CHAIN 3
/* RFC 4443 section 2.4 (c): an error message fits in the minimum MTU. */
#define ICMP6_ERR_MAX_LEN IP6_MIN_MTU

/* RFC 4291 section 2.7: multicast scope values. */
#define IP6_MC_SCOPE_INTERFACE 0x1
#define IP6_MC_SCOPE_LINK 0x2
/* RFC 6724 section 3.1: unicast scopes on the same scale (link-local and
 * loopback are link scope, fec0::/10 site, everything else global). */
#define IP6_SCOPE_LINK 0x2
#define IP6_SCOPE_SITE 0x5
#define IP6_SCOPE_GLOBAL 0xe

/* RFC 8200 section 4.2: hop-by-hop / destination option types, and the
 * action the two high-order bits of an unknown type ask for. */
#define IP6_TLV_PAD1 0
#define IP6_TLV_PADN 1
#define IP6_TLV_ROUTER_ALERT 5  /* RFC 2711 */
#define IP6_TLV_JUMBO 0xc2      /* RFC 2675 */
#define IP6_TLV_ACTION(type) ((type) >> 6)
#define IP6_TLV_ACT_SKIP 0
#define IP6_TLV_ACT_DISCARD 1
#define IP6_TLV_ACT_DISCARD_ICMP 2
#define IP6_TLV_ACT_DISCARD_ICMP_UNLESS_MCAST 3
/* RFC 8200 section 4.5: the fragment header. */
#define IP6_FRAG_HDR_LEN 8
#define IP6_FRAG_OFFSET_MASK 0xfff8
#define IP6_FRAG_MORE 0x0001
/* RFC 8200 section 4.5: give up on a reassembly after 60 seconds. */
#define IP6_FRAG_TIMEOUT_SEC 60
/* RFC 4443 section 2.1: types below 128 are errors. */
#define ICMP6_INFOMSG_MASK 0x80
#define ICMP6_HDR_LEN 8
/* RFC 4861 section 4.6: option types. */
#define ND_OPT_SOURCE_LL_ADDR 1
#define ND_OPT_TARGET_LL_ADDR 2
#define ND_OPT_PREFIX_INFO 3
#define ND_OPT_REDIRECTED_HDR 4
#define ND_OPT_MTU 5
/* RFC 4861 section 4.4: Neighbor Advertisement flags (first byte). */
#define ND_NA_FLAG_ROUTER 0x80
#define ND_NA_FLAG_SOLICITED 0x40
#define ND_NA_FLAG_OVERRIDE 0x20
/* RFC 4861 section 10: protocol constants. */
#define ND_MAX_MULTICAST_SOLICIT 3
#define ND_MAX_UNICAST_SOLICIT 3
#define ND_RETRANS_TIMER_MS 1000
#define ND_REACHABLE_TIME_MS 30000
#define ND_DELAY_FIRST_PROBE_TIME_MS 5000
#define ND_MAX_ANYCAST_DELAY_TIME_MS 1000 /* 7.2.7: anycast NA delay bound */
/* RFC 8201 section 4: learned path MTUs age out (10 minutes, as Linux). */
#define PMTU_EXPIRES_SEC 600
/* RFC 4861 section 10: router constants for Router Advertisements. */
#define ND_MAX_INITIAL_RTR_ADVERT_INTERVAL_S 16
#define ND_MAX_INITIAL_RTR_ADVERTISEMENTS 3
#define ND_MIN_DELAY_BETWEEN_RAS_S 3
#define ND_MAX_RA_DELAY_TIME_MS 500
/* RFC 4861 section 6.2.1: defaults of the advertising interface. */
#define ND_MAX_RTR_ADV_INTERVAL_S 600
#define ND_ADV_DEFAULT_LIFETIME_S 1800
/* RFC 4861 6.2.1: allowed ranges: MaxRtrAdvInterval 4..1800 s,
 * MinRtrAdvInterval 3..0.75 * MaxRtrAdvInterval, AdvDefaultLifetime 0 or
 * MaxRtrAdvInterval..9000 s, AdvLinkMTU at least the IPv6 minimum. */
#define ND_MAX_RTR_ADV_INTERVAL_MIN_S 4
#define ND_MAX_RTR_ADV_INTERVAL_MAX_S 1800
#define ND_MIN_RTR_ADV_INTERVAL_MIN_S 3
#define ND_ADV_DEFAULT_LIFETIME_MAX_S 9000
/* RFC 4861 4.6.2: a lifetime of all ones means infinity. */
#define ND_LIFETIME_INFINITY 0xffffffffu
/* RFC 4862 section 5.5.3 / RFC 4861 6.2.1: prefix lifetimes (defaults). */
#define ND_ADV_VALID_LIFETIME_S 2592000
#define ND_ADV_PREFERRED_LIFETIME_S 604800
/* RFC 4861 section 4.6.2: prefix information flags. */
#define ND_OPT_PI_FLAG_ONLINK 0x80
#define ND_OPT_PI_FLAG_AUTO 0x40

/* RFC 791 section 3.1: the IPv4 header (IHL counts 32-bit words). */
#define IP4_VERSION 4
#define IP4_HDR_LEN 20
#define IP4_MIN_IHL 5
#define IP4_FLAG_DF 0x4000
#define IP4_FLAG_MF 0x2000
#define IP4_FRAG_OFFSET_MASK 0x1fff
/* RFC 792 / IANA: the protocol number of ICMP for IPv4. */
#define IP4_PROTO_ICMP 1
/* RFC 1812 section 5.3.7 / RFC 1122 3.2.1.3: addresses a router must not
 * accept as a source (martians), host byte order. */
#define IP4_NET_ZERO 0x00000000u      /* 0/8: "this" network */
#define IP4_NET_LOOPBACK 0x7f000000u  /* 127/8 */
#define IP4_NET_MCAST 0xe0000000u     /* 224/4: class D */
#define IP4_NET_CLASS_E 0xf0000000u   /* 240/4: class E, reserved */
#define IP4_LIMITED_BCAST 0xffffffffu /* 255.255.255.255 */
#define IP4_MASK_8 0xff000000u
#define IP4_MASK_4 0xf0000000u
/* RFC 5771 section 4: 224.0.0.0/24, the Local Network Control Block, is
 * link-local: never forwarded. */
#define IP4_NET_MCAST_LOCAL 0xe0000000u
#define IP4_MASK_24 0xffffff00u

#endif
