/* xrt: counter ids (IPv6 MIB, punt reasons, drop reasons) and their names. */
#ifndef XRT_COUNTERS_H
#define XRT_COUNTERS_H

/*
 * Each list is an X-macro: X(ENUM_SUFFIX, "name"). The MIB names are those of
 * /proc/net/snmp6 so that `xrt stats` and `cat /proc/net/snmp6` read alike;
 * the IPv4 ones (IP4_*, appended so the IPv6 ids keep their values) are
 * nstat's names for /proc/net/snmp and /proc/net/netstat.
 */
#define XRT_MIB_LIST(X)                          \
	X(IN_RECEIVES, "Ip6InReceives")              \
	X(IN_HDR_ERRORS, "Ip6InHdrErrors")           \
	X(IN_TOO_BIG_ERRORS, "Ip6InTooBigErrors")    \
	X(IN_NO_ROUTES, "Ip6InNoRoutes")             \
	X(IN_ADDR_ERRORS, "Ip6InAddrErrors")         \
	X(IN_UNKNOWN_PROTOS, "Ip6InUnknownProtos")   \
	X(IN_TRUNCATED_PKTS, "Ip6InTruncatedPkts")   \
	X(IN_DISCARDS, "Ip6InDiscards")              \
	X(IN_DELIVERS, "Ip6InDelivers")              \
	X(OUT_FORW_DATAGRAMS, "Ip6OutForwDatagrams") \
	X(OUT_REQUESTS, "Ip6OutRequests")            \
	X(OUT_DISCARDS, "Ip6OutDiscards")            \
	X(OUT_NO_ROUTES, "Ip6OutNoRoutes")           \
	X(REASM_TIMEOUT, "Ip6ReasmTimeout")          \
	X(REASM_REQDS, "Ip6ReasmReqds")              \
	X(REASM_OKS, "Ip6ReasmOKs")                  \
	X(REASM_FAILS, "Ip6ReasmFails")              \
	X(FRAG_OKS, "Ip6FragOKs")                    \
	X(FRAG_FAILS, "Ip6FragFails")                \
	X(FRAG_CREATES, "Ip6FragCreates")            \
	X(IN_MCAST_PKTS, "Ip6InMcastPkts")           \
	X(OUT_MCAST_PKTS, "Ip6OutMcastPkts")         \
	X(IN_OCTETS, "Ip6InOctets")                  \
	X(OUT_OCTETS, "Ip6OutOctets")                \
	X(IP4_IN_RECEIVES, "IpInReceives")           \
	X(IP4_IN_HDR_ERRORS, "IpInHdrErrors")        \
	X(IP4_IN_ADDR_ERRORS, "IpInAddrErrors")      \
	X(IP4_FORW_DATAGRAMS, "IpForwDatagrams")     \
	X(IP4_IN_DISCARDS, "IpInDiscards")           \
	X(IP4_OUT_DISCARDS, "IpOutDiscards")         \
	X(IP4_IN_TRUNCATED_PKTS, "IpExtInTruncatedPkts") \
	X(IP4_IN_CSUM_ERRORS, "IpExtInCsumErrors")   \
	X(IP4_IN_OCTETS, "IpExtInOctets")            \
	X(IP4_OUT_OCTETS, "IpExtOutOctets")          \
	X(IP4_IN_NO_ROUTES, "IpExtInNoRoutes")       \
	X(IP4_FRAG_FAILS, "IpFragFails")

/* Why the fast path handed a packet to the daemon (the XSK). */
#define XRT_PUNT_LIST(X)                                                    \
	X(LOCAL, "local")                 /* route type local: deliver here */  \
	X(HOPOPTS, "hopopts")             /* hop-by-hop header: parse TLVs */   \
	X(JUMBO, "jumbo")                 /* payload length 0 with hop-by-hop */\
	X(MCAST_LINK, "mcast_link")       /* link-scoped multicast (ND, MLD) */ \
	X(NO_ROUTE, "no_route")           /* Dest Unreachable code 0 */         \
	X(UNREACHABLE, "unreachable")     /* unreachable route: code 0 */       \
	X(PROHIBIT, "prohibit")           /* prohibit route: code 1 */          \
	X(HOP_LIMIT, "hop_limit")         /* Time Exceeded code 0 */            \
	X(BEYOND_SCOPE, "beyond_scope")   /* link-local source: code 2 */       \
	X(TOO_BIG, "too_big")             /* Packet Too Big */                  \
	X(NEIGH_MISS, "neigh_miss")       /* no resolved neighbour: resolve */  \
	X(REDIRECT, "redirect")           /* egress == ingress: send Redirect */\
	X(ARP, "arp")                     /* ARP (RFC 826) for xrt's IPv4 */

/* Why the fast path dropped a packet. */
#define XRT_DROP_LIST(X)                                                    \
	X(SHORT, "short")                 /* frame shorter than an IPv6 header */\
	X(VERSION, "version")             /* version field is not 6 */          \
	X(TRUNCATED, "truncated")         /* 40 + payload length > frame */     \
	X(DST_LOOPBACK, "dst_loopback")   /* ::1 on the wire (RFC 4291 2.5.3) */\
	X(DST_UNSPEC, "dst_unspec")       /* unused: :: is routed; ids stay */  \
	X(SRC_MCAST, "src_mcast")         /* multicast source (RFC 4291 2.7) */ \
	X(MCAST, "mcast")                 /* multicast beyond link scope */     \
	X(BLACKHOLE, "blackhole")         /* blackhole route */                 \
	X(FWD_DISABLED, "fwd_disabled")   /* forwarding off on ingress */       \
	X(BAD_SRC, "bad_src")             /* ::, loopback source when forwarding*/\
	X(NH_INVALID, "nh_invalid")       /* route points at a missing next hop*/\
	X(PUNT_LIMIT, "punt_limit")       /* punt token bucket empty */         \
	X(TRIM, "trim")                   /* could not trim trailing padding */\
	X(NO_TX_PORT, "no_tx_port")       /* egress not in ifaces / tx_ports */ \
	X(IP4_SHORT, "ip4_short")         /* frame shorter than 20 bytes */     \
	X(IP4_VERSION, "ip4_version")     /* version field is not 4 */          \
	X(IP4_IHL, "ip4_ihl")             /* IHL < 5 */                         \
	X(IP4_CSUM, "ip4_csum")           /* header checksum wrong */           \
	X(IP4_TOT_LEN, "ip4_tot_len")     /* total length < IHL * 4 */          \
	X(IP4_TRUNCATED, "ip4_truncated") /* total length > frame */            \
	X(IP4_MARTIAN_SRC, "ip4_martian_src") /* RFC 1812 5.3.7 source */ \
	X(OTHERHOST, "otherhost")         /* to another host's MAC */ \
	X(FWD_NOT_HOST, "fwd_not_host")   /* to be forwarded, group MAC */  \
	X(IP4_MARTIAN_DST, "ip4_martian_dst") /* 0/8, 127/8 (RFC 1812 5.3.7) */ \
	X(RPF_STRICT, "rpf_strict")       /* RFC 3704 2.2: not via ingress */ \
	X(RPF_LOOSE, "rpf_loose")         /* RFC 3704 2.4: no route to src */ \
	X(ACL_IN, "acl_in")               /* acl dir in: action drop */ \
	X(ACL_OUT, "acl_out")             /* acl dir out: action drop */

/* Why the fast path left a packet to the kernel (XDP_PASS). */
#define XRT_PASS_LIST(X)                                                    \
	X(NOT_IP, "not_ip")               /* not IPv4, IPv6, ARP (LLDP...) */   \
	X(UNKNOWN_IF, "unknown_if")       /* ingress not configured in ifaces */\
	X(NO_DAEMON, "no_daemon")         /* punt with no XSK bound: fallback */\
	X(KERNEL_LOCAL, "kernel_local")   /* for the kernel's own addresses */ \
	X(RULE_UNSUPPORTED, "rule_unsupported") /* a rule xrt cannot evaluate */ \
	X(RULE_LIMIT, "rule_limit")       /* XRT_FR_EVAL_MAX rules tried */ \
	X(SRC_ROUTE_UNSUPPORTED, "src_route_unsupported") /* source routes beyond bound */

#define XRT_ENUM_MIB(id, name) XRT_MIB_##id,
#define XRT_ENUM_PUNT(id, name) XRT_PUNT_##id,
#define XRT_ENUM_DROP(id, name) XRT_DROP_##id,
#define XRT_ENUM_PASS(id, name) XRT_PASS_##id,
enum xrt_mib { XRT_MIB_LIST(XRT_ENUM_MIB) XRT_MIB_MAX };
enum xrt_punt_reason { XRT_PUNT_LIST(XRT_ENUM_PUNT) XRT_PUNT_MAX };
enum xrt_drop_reason { XRT_DROP_LIST(XRT_ENUM_DROP) XRT_DROP_MAX };
enum xrt_pass_reason { XRT_PASS_LIST(XRT_ENUM_PASS) XRT_PASS_MAX };

#ifndef __bpf__
/* The punt reasons' names by id: the one table that `xrt stats` prints and
 * the punt budgets (`punt set NAME`, `xrt punt show`) print and parse. */
#define XRT_NAME_OF(id, name) name,
static const char *const xrt_punt_names[XRT_PUNT_MAX] = { XRT_PUNT_LIST(XRT_NAME_OF) };
#undef XRT_NAME_OF
#endif

/*
 * Value of the xrt_stats PERCPU_ARRAY, indexed by interface slot (slot 0:
 * packets from interfaces without an ifaces entry). Totals are the sum over
 * slots and CPUs. One lookup per packet fetches the whole block.
 */
struct xrt_stats {
	__u64 mib[XRT_MIB_MAX];
	__u64 punt[XRT_PUNT_MAX];
	__u64 drop[XRT_DROP_MAX];
	__u64 pass[XRT_PASS_MAX];
#ifdef XRT_STATS_SPARE
	/* Counters a newer object appends and this daemon does not name
	 * (tests/netns/xrt_fwd_upgrade.bpf.c): xrt_stats' value grows. */
	__u64 spare[XRT_STATS_SPARE];
#endif
};

#endif
