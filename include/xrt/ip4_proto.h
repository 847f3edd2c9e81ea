/* xrt: IPv4 slow-path protocol constants (ICMPv4, ARP, fragmentation), each with its RFC section. */
#ifndef XRT_IP4_PROTO_H
#define XRT_IP4_PROTO_H

/* ICMP types and codes (RFC 792, RFC 1191, RFC 1812 5.2.7.1) come from
 * <netinet/ip_icmp.h>, ARP's (RFC 826) from <net/if_arp.h>. */
#define ICMP_HDR_LEN 8
/* RFC 792 / RFC 1812 4.3.2.3: the original header plus 64 bits of data at
 * least; RFC 1812 says as much as fits in 576 bytes (the kernel quotes up
 * to 576 - IP - ICMP, icmp_send). */
#define ICMP_ERR_MAX_LEN 576
#define ICMP_QUOTE_L4_MIN 8 /* the "64 bits of Data Datagram" */
/* RFC 1122 3.2.1.7: TTL of the datagrams we originate (the kernel's
 * net.ipv4.ip_default_ttl). */
#define IP4_DEFAULT_TTL 64
/* RFC 3168 5: the two low bits of the TOS byte are the ECN field, which
 * TCP owns (the kernel's INET_ECN_MASK, kept out of IP_TOS on streams). */
#define IP4_ECN_MASK 0x03
/* RFC 791 3.1: the largest IPv4 datagram; the smallest MTU every host
 * must take in one piece (68) and reassemble (576). */
#define IP4_MAX_LEN 65535
#define IP4_MIN_MTU 68
#define IP4_MAX_HDR_LEN 60
#define IP4_TOS_OFF 1
/* RFC 791 3.2: fragment offsets count 8-octet units. */
#define IP4_FRAG_UNIT 8
/* RFC 1122 3.3.2 leaves the reassembly timeout to the host (60 to 120 s
 * recommended); Linux's net.ipv4.ipfrag_time is 30 s and is the reference. */
#define IP4_FRAG_TIMEOUT_SEC 30
/* The kernel's net.ipv4.icmp_ratemask default: Destination Unreachable,
 * Source Quench, Time Exceeded, Parameter Problem are rate limited per
 * destination (icmpv4_mask_allow). */
#define ICMP_RATEMASK_DEFAULT 0x1818u

/* RFC 1191 section 3 lets a host ignore path MTUs below 576 (68 being the
 * floor); the kernel's net.ipv4.route.min_pmtu is 552, and so is ours. */
#define IP4_MIN_PMTU 552

/* RFC 826: an Ethernet/IPv4 ARP packet is 28 bytes. */
#define ARP_HDR_LEN 28
#define IP4_ALEN 4

#endif
