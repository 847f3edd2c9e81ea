/* xrt: MLDv2 (RFC 3810) and MLDv1 (RFC 2710) constants, each with its RFC section. */
#ifndef XRT_MLD_H
#define XRT_MLD_H

/* RFC 3810 5 / RFC 2710 3: ICMPv6 message types. */
#define ICMP6_MLD_QUERY 130
#define ICMP6_MLD_V1_REPORT 131
#define ICMP6_MLD_V1_DONE 132
#define ICMP6_MLD_V2_REPORT 143
/* RFC 3810 5.2.12: Multicast Address Record types. */
#define MLD2_MODE_IS_INCLUDE 1
#define MLD2_MODE_IS_EXCLUDE 2
#define MLD2_CHANGE_TO_INCLUDE 3
#define MLD2_CHANGE_TO_EXCLUDE 4
/* RFC 3810 5.2: report header (type, code, checksum, reserved, count),
 * and one record without sources (type, aux len, source count, address). */
#define MLD2_REPORT_HDR_LEN 8
#define MLD2_RECORD_LEN 20
/* RFC 2710 3 / RFC 3810 5.1: a query is 24 bytes in MLDv1, at least 28 in
 * MLDv2; RFC 3810 8.1: any other length is ignored. */
#define MLD_V1_LEN 24
#define MLD_V2_QUERY_MIN_LEN 28
/* RFC 3810 5.1.3: Maximum Response Code at or above 32768 is a floating
 * point value: (mant | 0x1000) << (exp + 3) milliseconds. */
#define MLD_MRC_FLOAT 0x8000
#define MLD_MRC_MANT(c) ((c) & 0x0fff)
#define MLD_MRC_EXP(c) (((c) >> 12) & 0x7)
/* RFC 3810 5.1.8 / 5.1.9: QRV (3 bits) and QQIC below 128 are plain values. */
#define MLD_QRV_MASK 0x07
/* RFC 2711 2.1: Router Alert value 0 = the datagram carries MLD. */
#define IP6_RA_VALUE_MLD 0
/* RFC 3810 5 / RFC 2710 3: MLD messages travel with hop limit 1. */
#define MLD_HOP_LIMIT 1

/* RFC 3810 9: timers and default values. */
#define MLD_ROBUSTNESS 2                 /* 9.1 Robustness Variable */
#define MLD_QUERY_INTERVAL_MS 125000     /* 9.2 Query Interval */
#define MLD_QUERY_RESPONSE_INTERVAL_MS 10000 /* 9.3 */
/* 9.5 Other Querier Present Timeout: RV * QI + QRI / 2. */
#define MLD_OTHER_QUERIER_PRESENT_MS \
	(MLD_ROBUSTNESS * MLD_QUERY_INTERVAL_MS + MLD_QUERY_RESPONSE_INTERVAL_MS / 2)
#define MLD_STARTUP_QUERY_INTERVAL_MS (MLD_QUERY_INTERVAL_MS / 4) /* 9.6 */
#define MLD_STARTUP_QUERY_COUNT MLD_ROBUSTNESS                    /* 9.7 */
#define MLD_UNSOLICITED_REPORT_INTERVAL_MS 1000                   /* 9.11 */
/* 9.12 Older Version Querier Present Timeout: RV * QI + QRI. */
#define MLD_OLDER_VERSION_QUERIER_PRESENT_MS \
	(MLD_ROBUSTNESS * MLD_QUERY_INTERVAL_MS + MLD_QUERY_RESPONSE_INTERVAL_MS)
/* RFC 3810 5.1.9: QQIC of the queries we send = the Query Interval in s. */
#define MLD_QQIC (MLD_QUERY_INTERVAL_MS / 1000)

/* Bounds (each hit is counted: sp_mld_groups_full, sp_sock_mc_full). */
#define XRT_MLD_GROUPS_PER_DEV 64 /* groups an interface listens to */
#define XRT_MLD_GROUPS_MAX 1024   /* in all */
#define XRT_SOCK_MC_MAX 20        /* memberships per socket (like igmp_max_memberships) */
#define XRT_SOCK_MC_TOTAL 1024    /* socket memberships in all */

#endif
