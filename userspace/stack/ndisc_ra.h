/* xrt: Router Advertisements the daemon sends on an interface (RFC 4861 6.2), configured by the control plane. */
#ifndef XRT_STACK_NDISC_RA_H
#define XRT_STACK_NDISC_RA_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/*
 * Off by default. When on, the interface advertises itself as a default
 * router with its MTU and, for SLAAC (RFC 4862), every global /64 among
 * its addresses as an on-link, autonomous prefix. Unsolicited RAs go out
 * at random intervals in [min, max] (the first three at most 16 s apart);
 * Router Solicitations are answered within 0.5 s, never more often than
 * once per 3 s. Turning it off sends one RA with router lifetime 0.
 */
#define STACK_RA_MAX_PREFIXES 8
/* MTU option value that leaves the option out (RFC 4861 6.2.1 AdvLinkMTU 0). */
#define STACK_RA_MTU_OFF UINT32_MAX
/* Router lifetime 0 on the wire: prefixes only, not a default router
 * (RFC 4861 4.2); 0 in the struct means the default (1800). */
#define STACK_RA_LIFETIME_ZERO UINT16_MAX

/* One Prefix Information option (RFC 4861 4.6.2), sent as given. */
struct stack_ra_prefix {
	struct in6_addr prefix; /* host bits zero */
	uint8_t plen;           /* 1..128 */
	bool onlink, autonomous;
	uint32_t valid_s, preferred_s; /* preferred <= valid; UINT32_MAX = infinity */
};

struct stack_ra_config {
	bool enabled;
	uint32_t max_interval_s; /* 4..1800; 0 = 600 */
	uint32_t min_interval_s; /* 3..0.75 * max; 0 = max / 3 */
	uint16_t router_lifetime_s; /* 0 = 1800; at most 9000, or
				     * STACK_RA_LIFETIME_ZERO */
	/* MTU option: 0 = the interface's MTU, STACK_RA_MTU_OFF = none,
	 * else 1280..65535. */
	uint32_t mtu;
	/* 0 = every global /64 of the interface, on-link and autonomous,
	 * with the RFC 4861 6.2.1 default lifetimes. */
	unsigned nprefixes;
	struct stack_ra_prefix prefix[STACK_RA_MAX_PREFIXES];
};

/* Returns 0, or -errno with a message naming the bad field in err. */
int stack_ra_set(int ifindex, const struct stack_ra_config *cfg, char *err);
/* The configuration in effect (enabled false if none). */
void stack_ra_get(int ifindex, struct stack_ra_config *cfg);

#endif
