/* xrt: the slow path's counters (IPv6 and ICMPv6 MIBs, drop reasons) for `xrt stats`. */
#ifndef XRT_STACK_STACK_STATS_H
#define XRT_STACK_STACK_STATS_H

#include <stdint.h>
#include "xrt/counters.h"

/* ICMPv6 MIB, names as in /proc/net/snmp6. */
#define STACK_ICMP6_LIST(X)                                          \
	X(IN_MSGS, "Icmp6InMsgs")                                        \
	X(IN_ERRORS, "Icmp6InErrors")                                    \
	X(OUT_MSGS, "Icmp6OutMsgs")                                      \
	X(OUT_ERRORS, "Icmp6OutErrors")                                  \
	X(IN_CSUM_ERRORS, "Icmp6InCsumErrors")                           \
	X(OUT_RATE_LIMIT_HOST, "Icmp6OutRateLimitHost")                  \
	X(IN_DEST_UNREACHS, "Icmp6InDestUnreachs")                       \
	X(IN_PKT_TOO_BIGS, "Icmp6InPktTooBigs")                          \
	X(IN_TIME_EXCDS, "Icmp6InTimeExcds")                             \
	X(IN_PARM_PROBLEMS, "Icmp6InParmProblems")                       \
	X(IN_ECHOS, "Icmp6InEchos")                                      \
	X(IN_ECHO_REPLIES, "Icmp6InEchoReplies")                         \
	X(IN_ROUTER_SOLICITS, "Icmp6InRouterSolicits")                   \
	X(IN_ROUTER_ADVERTISEMENTS, "Icmp6InRouterAdvertisements")       \
	X(IN_NEIGHBOR_SOLICITS, "Icmp6InNeighborSolicits")               \
	X(IN_NEIGHBOR_ADVERTISEMENTS, "Icmp6InNeighborAdvertisements")   \
	X(IN_REDIRECTS, "Icmp6InRedirects")                              \
	X(OUT_DEST_UNREACHS, "Icmp6OutDestUnreachs")                     \
	X(OUT_PKT_TOO_BIGS, "Icmp6OutPktTooBigs")                        \
	X(OUT_TIME_EXCDS, "Icmp6OutTimeExcds")                           \
	X(OUT_PARM_PROBLEMS, "Icmp6OutParmProblems")                     \
	X(OUT_ECHO_REPLIES, "Icmp6OutEchoReplies")                       \
	X(OUT_NEIGHBOR_SOLICITS, "Icmp6OutNeighborSolicits")             \
	X(OUT_NEIGHBOR_ADVERTISEMENTS, "Icmp6OutNeighborAdvertisements") \
	X(OUT_REDIRECTS, "Icmp6OutRedirects")                            \
	X(OUT_ROUTER_ADVERTISEMENTS, "Icmp6OutRouterAdvertisements")     \
	X(IN_MLD_QUERIES, "Icmp6InGroupMembQueries")                     \
	X(IN_MLD_V1_REPORTS, "Icmp6InGroupMembResponses")                \
	X(IN_MLD_V1_DONES, "Icmp6InGroupMembReductions")                 \
	X(IN_MLD_V2_REPORTS, "Icmp6InMLDv2Reports")                      \
	X(OUT_MLD_QUERIES, "Icmp6OutGroupMembQueries")                   \
	X(OUT_MLD_V1_REPORTS, "Icmp6OutGroupMembResponses")              \
	X(OUT_MLD_V1_DONES, "Icmp6OutGroupMembReductions")               \
	X(OUT_MLD_V2_REPORTS, "Icmp6OutMLDv2Reports")

/* Why the slow path dropped a packet (one counter each). */
#define STACK_DROP_LIST(X)                                                   \
	X(NOT_IP6, "sp_not_ip6")             /* not an IPv6 Ethernet frame */    \
	X(SHORT, "sp_short")                 /* shorter than an IPv6 header */   \
	X(VERSION, "sp_version")             /* version is not 6 */              \
	X(TRUNCATED, "sp_truncated")         /* payload length beyond frame */   \
	X(BAD_ADDR, "sp_bad_addr")           /* loopback/unspec dst, mcast src */\
	X(MCAST_NOT_OURS, "sp_mcast_not_ours") /* group we do not listen to */   \
	X(MLD_INVALID, "sp_mld_invalid")     /* RFC 3810 6.2: source/hops/RA */  \
	X(MLD_GROUPS_FULL, "sp_mld_groups_full") /* XRT_MLD_GROUPS_* reached */  \
	X(SOCK_MC_FULL, "sp_sock_mc_full")   /* XRT_SOCK_MC_* reached: ENOBUFS */ \
	X(TLV_MALFORMED, "sp_tlv_malformed") /* option runs past its header */   \
	X(TLV_UNKNOWN, "sp_tlv_unknown")     /* unknown option, action discard */\
	X(EXTHDR_TRUNC, "sp_exthdr_trunc")   /* extension header past the end */ \
	X(RTHDR, "sp_rthdr")                 /* routing header we cannot follow*/\
	X(NO_PROTO, "sp_no_proto")           /* no upper-layer handler */        \
	X(NONE_NEXTHDR, "sp_no_next_header") /* next header 59 */                \
	X(ICMP_SHORT, "sp_icmp_short")       /* shorter than the ICMP header */  \
	X(ICMP_CSUM, "sp_icmp_csum")         /* bad ICMPv6 checksum */           \
	X(UDP_CSUM, "sp_udp_csum")           /* bad UDP checksum / length */     \
	X(ND_INVALID, "sp_nd_invalid")       /* ND message failed validation */  \
	X(ND_IN_FRAGMENT, "sp_nd_in_fragment") /* RFC 6980 */                    \
	X(FRAG_INVALID, "sp_frag_invalid")   /* Parameter Problem sent */        \
	X(FRAG_OVERLAP, "sp_frag_overlap")   /* RFC 5722: datagram discarded */  \
	X(FRAG_MEM, "sp_frag_mem")           /* reassembly memory limit */       \
	X(FRAG_TIMEOUT, "sp_frag_timeout")   /* 60 s without completion */       \
	X(FWD_DISABLED, "sp_fwd_disabled")   /* forwarding off on ingress */     \
	X(FWD_BAD_SRC, "sp_fwd_bad_src")     /* ::, loopback, mcast source */    \
	X(FWD_HOP_LIMIT, "sp_fwd_hop_limit") /* Time Exceeded sent */            \
	X(FWD_BEYOND_SCOPE, "sp_fwd_beyond_scope") /* link-local leaving link */ \
	X(FWD_TOO_BIG, "sp_fwd_too_big")     /* Packet Too Big sent */           \
	X(NO_ROUTE, "sp_no_route")           /* DU code 0 sent */                \
	X(BLACKHOLE, "sp_blackhole")                                            \
	X(PROHIBIT, "sp_prohibit")           /* DU code 1 sent */                \
	X(NO_DEV, "sp_no_dev")               /* egress not attached */           \
	X(NEIGH_FAILED, "sp_neigh_failed")   /* resolution failed: DU code 3 */  \
	X(NEIGH_QUEUE_FULL, "sp_neigh_queue_full") /* hold queue overflow */     \
	X(NEIGH_TABLE_FULL, "sp_neigh_table_full") /* nothing evictable */      \
	X(NEIGH_EVICTED, "sp_neigh_evicted") /* STALE entry made room */         \
	X(NEIGH_UNRES_EVICTED, "sp_neigh_incomplete_evicted") /* RFC 6583 7.1 */ \
	X(NEIGH_EVICT_SKIPPED_USED, "sp_neigh_evict_skipped_used") /* STALE in use: DELAY */ \
	X(XMIT, "sp_xmit")                   /* the xsk TX refused the frame */  \
	X(ICMP_RATE, "sp_icmp_rate")         /* error not sent: rate limit */    \
	X(ICMP_SUPPRESSED, "sp_icmp_suppressed") /* RFC 4443 2.4 (e) rules */    \
	X(FRAG_NEEDED_LOCAL, "sp_frag_fail") /* could not fragment */       \
	X(SOCK_RCVQ_FULL, "sp_sock_rcvq_full") /* socket receive queue full */  \
	X(TCP_CSUM, "sp_tcp_csum")           /* bad TCP checksum / header */     \
	X(TCP_NO_SOCK, "sp_tcp_no_sock")     /* no socket: RST sent */           \
	X(TCP_BACKLOG, "sp_tcp_backlog")     /* listen backlog full */          \
	X(ND_ANYCAST_QUEUE_FULL, "sp_nd_anycast_queue_full") /* NA not delayed: dropped */ \
	X(IP4_HDR, "sp_ip4_hdr")             /* bad IPv4 version, IHL, length, checksum */ \
	X(IP4_MARTIAN, "sp_ip4_martian")     /* RFC 1812 5.3.7 source or destination */ \
	X(IP4_SRR, "sp_ip4_source_route")    /* source-routed: accept_source_route 0 */ \
	X(IP4_BCAST, "sp_ip4_bcast")         /* link broadcast not for us: not forwarded */ \
	X(ARP_INVALID, "sp_arp_invalid")     /* not Ethernet/IPv4, bad sender address */ \
	X(ARP_NOT_OURS, "sp_arp_not_ours")   /* request for an address not ours */ \
	X(ARP_ANNOUNCE_FULL, "sp_arp_announce_full") /* RFC 5227 repeat not queued */ \
	X(NF_DROP, "sp_nf_drop")             /* rpf or acl (nf_hook): dropped */ \
	X(SRC_ROUTE_UNSUPPORTED, "sp_src_route_unsupported") /* the kernel's to route */

/* IPv4 MIB of the slow path, nstat's names for /proc/net/snmp (the ones
 * the fast path shares, IpInReceives, IpExtInNoRoutes, IpFragFails..., are
 * in XRT_MIB_LIST), and ARP. */
#define STACK_IP4_LIST(X)                            \
	X(IN_DELIVERS, "IpInDelivers")                   \
	X(IN_UNKNOWN_PROTOS, "IpInUnknownProtos")        \
	X(OUT_REQUESTS, "IpOutRequests")                 \
	X(OUT_NO_ROUTES, "IpOutNoRoutes")                \
	X(REASM_TIMEOUT, "IpReasmTimeout")               \
	X(REASM_REQDS, "IpReasmReqds")                   \
	X(REASM_OKS, "IpReasmOKs")                       \
	X(REASM_FAILS, "IpReasmFails")                   \
	X(REASM_OVERLAPS, "IpExtReasmOverlaps")          \
	X(FRAG_OKS, "IpFragOKs")                         \
	X(FRAG_CREATES, "IpFragCreates")                 \
	X(ARP_IN_REQUESTS, "sp_arp_in_requests")         \
	X(ARP_IN_REPLIES, "sp_arp_in_replies")           \
	X(ARP_OUT_REQUESTS, "sp_arp_out_requests")       \
	X(ARP_OUT_REPLIES, "sp_arp_out_replies")         \
	X(ARP_OUT_ANNOUNCES, "sp_arp_out_announces")

/* ICMPv4 MIB, names as nstat prints /proc/net/snmp. */
#define STACK_ICMP_LIST(X)                           \
	X(IN_MSGS, "IcmpInMsgs")                         \
	X(IN_ERRORS, "IcmpInErrors")                     \
	X(IN_CSUM_ERRORS, "IcmpInCsumErrors")            \
	X(IN_DEST_UNREACHS, "IcmpInDestUnreachs")        \
	X(IN_TIME_EXCDS, "IcmpInTimeExcds")              \
	X(IN_REDIRECTS, "IcmpInRedirects")               \
	X(IN_ECHOS, "IcmpInEchos")                       \
	X(IN_ECHO_REPS, "IcmpInEchoReps")                \
	X(OUT_MSGS, "IcmpOutMsgs")                       \
	X(OUT_ERRORS, "IcmpOutErrors")                   \
	X(OUT_RATE_LIMIT_HOST, "IcmpOutRateLimitHost")   \
	X(OUT_DEST_UNREACHS, "IcmpOutDestUnreachs")      \
	X(OUT_TIME_EXCDS, "IcmpOutTimeExcds")            \
	X(OUT_PARM_PROBS, "IcmpOutParmProbs")            \
	X(OUT_REDIRECTS, "IcmpOutRedirects")             \
	X(OUT_ECHO_REPS, "IcmpOutEchoReps")

/* Gauges: what the bounded tables hold right now (not counters). */
#define STACK_GAUGE_LIST(X)                                               \
	X(REASM_BYTES, "sp_reasm_bytes")        /* <= REASM_MEM_MAX */        \
	X(REASM_QUEUES, "sp_reasm_queues")      /* <= REASM_MAX_QUEUES */     \
	X(NEIGH_ENTRIES, "sp_neigh_entries")    /* <= NEIGH_TABLE_SIZE */     \
	X(NEIGH_INCOMPLETE, "sp_neigh_incomplete") /* <= XRT_NEIGH_INCOMPLETE_MAX per interface */ \
	X(NEIGH_HOLD_BYTES, "sp_neigh_hold_bytes") /* <= NEIGH_HOLD_BYTES_MAX */ \
	X(TCP_REQSK, "sp_tcp_reqsk")            /* <= XRT_TCP_REQSK_MAX */ \
	X(MLD_GROUPS, "sp_mld_groups")          /* <= XRT_MLD_GROUPS_MAX */

#define STACK_ENUM_ICMP6(id, name) STACK_ICMP6_##id,
#define STACK_ENUM_DROP(id, name) STACK_DROP_##id,
enum stack_icmp6_mib { STACK_ICMP6_LIST(STACK_ENUM_ICMP6) STACK_ICMP6_MAX };
enum stack_drop_reason { STACK_DROP_LIST(STACK_ENUM_DROP) STACK_DROP_MAX };
#define STACK_ENUM_IP4(id, name) STACK_IP4_##id,
#define STACK_ENUM_ICMP(id, name) STACK_ICMP_##id,
enum stack_ip4_mib { STACK_IP4_LIST(STACK_ENUM_IP4) STACK_IP4_MAX };
enum stack_icmp_mib { STACK_ICMP_LIST(STACK_ENUM_ICMP) STACK_ICMP_MAX };
#define STACK_ENUM_GAUGE(id, name) STACK_GAUGE_##id,
enum stack_gauge { STACK_GAUGE_LIST(STACK_ENUM_GAUGE) STACK_GAUGE_MAX };

struct stack_stats {
	uint64_t mib[XRT_MIB_MAX];          /* enum xrt_mib, slow path share */
	uint64_t icmp6[STACK_ICMP6_MAX];    /* enum stack_icmp6_mib */
	uint64_t drop[STACK_DROP_MAX];      /* enum stack_drop_reason */
	/* ICMPv6 out/in per type (like Icmp6OutType133 in /proc/net/snmp6). */
	uint64_t icmp6_out_type[256];
	uint64_t icmp6_in_type[256];
	uint64_t gauge[STACK_GAUGE_MAX];    /* enum stack_gauge, filled on read */
	uint64_t ip4[STACK_IP4_MAX];        /* enum stack_ip4_mib */
	uint64_t icmp[STACK_ICMP_MAX];      /* enum stack_icmp_mib (ICMPv4) */
	uint64_t icmp_out_type[256];        /* ICMPv4 out per type (IcmpMsgOutType) */
};

/* Names, indexable by the enums above. */
extern const char *const stack_icmp6_names[STACK_ICMP6_MAX];
extern const char *const stack_drop_names[STACK_DROP_MAX];
extern const char *const stack_gauge_names[STACK_GAUGE_MAX];
extern const char *const stack_ip4_names[STACK_IP4_MAX];
extern const char *const stack_icmp_names[STACK_ICMP_MAX];

/* Copy of the counters since stack_init, with the gauges as they are now. */
void stack_stats_get(struct stack_stats *out);

#endif
