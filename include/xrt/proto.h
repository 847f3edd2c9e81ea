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

#endif
