/* xrt: multicast listening of the router's interfaces and sockets, MLDv2 (RFC 3810) with MLDv1 compatibility, and the querier (RFC 3810 7): the kernel's net/ipv6/mcast.c (ipv6_sock_mc_join/drop, igmp6_event_query/report, mld_send_report, mld_ifc_event). */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/mcast.h"
#include "stack/secure_seq.h"
#include "stack/sock.h"
#include "xrt/inet.h"
#include "xrt/mld.h"

/* How often the interfaces' addresses are compared with the groups they
 * listen to (an address added or removed, a link attached or detached). */
#define MLD_SYNC_MS 500
/* Hop-by-hop header with Router Alert (RFC 2711) + PadN to 8 bytes. */
#define MLD_HBH_LEN 8
#define MLD_PKT_ROOM (IP6_MIN_MTU - IP6_HDR_LEN - MLD_HBH_LEN)
#define MLD2_RECORDS_PER_PKT ((MLD_PKT_ROOM - MLD2_REPORT_HDR_LEN) / MLD2_RECORD_LEN)

/* ifmcaddr6: a group one interface listens to. */
struct ifmcaddr6 {
	int ifindex;           /* 0 = free slot */
	struct in6_addr addr;
	unsigned users;        /* socket memberships */
	bool own;              /* the router's own (solicited-node, all-routers) */
	bool own_seen;         /* sync mark */
	bool leaving;          /* the pending state change is a leave */
	unsigned change_left;  /* state change reports still to send */
	uint64_t change_due;
	uint64_t query_due;    /* answer to a Multicast Address Specific Query */
};

/* inet6_dev's MLD part: compatibility mode, pending General Query answer,
 * querier state (RFC 3810 7.6.2). */
struct mld_idev {
	int ifindex; /* 0 = free slot */
	bool seen;
	uint64_t v1_until;    /* Older Version Querier Present (RFC 3810 8.2.1) */
	uint64_t general_due; /* answer to a General Query */
	bool querier;
	uint64_t other_querier_until;
	uint64_t query_due;   /* our next General Query */
	unsigned startup_left;
};

/* ipv6_mc_socklist: one socket's membership. */
struct ipv6_mc_socklist {
	struct sock *sk; /* NULL = free slot */
	int ifindex;
	struct in6_addr addr;
};

static struct ifmcaddr6 mc_tab[XRT_MLD_GROUPS_MAX];
static struct mld_idev mld_devs[XRT_MAX_IFACES];
static struct ipv6_mc_socklist sock_mc[XRT_SOCK_MC_TOTAL];
static bool mld_enabled = true;
static uint64_t mld_sync_due;
static uint8_t mld_buf[PKT_HEADROOM + IP6_MIN_MTU];

static const struct in6_addr all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 0x01 } };
static const struct in6_addr all_routers = { .s6_addr = { 0xff, 0x02, [15] = 0x02 } };
/* RFC 3810 5.2.14: all MLDv2-capable routers. */
static const struct in6_addr all_mldv2_routers = { .s6_addr = { 0xff, 0x02, [15] = 0x16 } };

void stack_mld_enable(bool on)
{
	mld_enabled = on;
	mld_sync_due = 0;
}

static uint64_t mld_rand_ns(uint32_t max_ms)
{
	return max_ms ? (uint64_t)get_random_u32_below(max_ms) * NSEC_PER_MSEC : 0;
}

/* RFC 3810 6: no report for interface-local or reserved scopes, nor for
 * the link-scope all-nodes group. */
static bool mld_reportable(const struct in6_addr *g)
{
	return ip6_mc_scope(g) > IP6_MC_SCOPE_INTERFACE && !ip6_eq(g, &all_nodes);
}

static struct mld_idev *mld_idev_get(int ifindex, bool create)
{
	struct mld_idev *free_slot = NULL;
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++) {
		if (mld_devs[i].ifindex == ifindex)
			return &mld_devs[i];
		if (!mld_devs[i].ifindex && !free_slot)
			free_slot = &mld_devs[i];
	}
	if (!create || !free_slot)
		return NULL;
	/* A link attached: querier until a lower address is heard (RFC
	 * 3810 7.6.2), starting with Startup Query Count queries. */
	*free_slot = (struct mld_idev){ .ifindex = ifindex, .querier = true,
					.startup_left = MLD_STARTUP_QUERY_COUNT,
					.query_due = stack_now() };
	return free_slot;
}

static bool mld_v1_mode(const struct mld_idev *idev)
{
	return idev && idev->v1_until > stack_now();
}

static struct ifmcaddr6 *mc_find(int ifindex, const struct in6_addr *g)
{
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++)
		if (mc_tab[i].ifindex == ifindex && ip6_eq(&mc_tab[i].addr, g))
			return &mc_tab[i];
	return NULL;
}

static bool mc_active(const struct ifmcaddr6 *mc)
{
	return mc->ifindex && (mc->own || mc->users) && !mc->leaving;
}

/* A new group slot, bounded per interface and in all. */
static struct ifmcaddr6 *mc_alloc(int ifindex, const struct in6_addr *g)
{
	struct ifmcaddr6 *free_slot = NULL;
	unsigned on_dev = 0;
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++) {
		if (mc_tab[i].ifindex == ifindex)
			on_dev++;
		else if (!mc_tab[i].ifindex && !free_slot)
			free_slot = &mc_tab[i];
	}
	if (!free_slot || on_dev >= XRT_MLD_GROUPS_PER_DEV) {
		DROP_INC(MLD_GROUPS_FULL);
		return NULL;
	}
	*free_slot = (struct ifmcaddr6){ .ifindex = ifindex, .addr = *g };
	return free_slot;
}

/* The IPv6 header, the Router Alert hop-by-hop header (RFC 3810 5: every
 * MLD message carries it, with hop limit 1), the checksum; out to the
 * group's MAC. A report without a link-local address yet goes from ::
 * (RFC 3810 5.2.13); a query never does (5.1.14). */
static void mld_xmit(const struct xrt_netdev *dev, const struct in6_addr *dst, size_t icmp_len)
{
	uint8_t *data = mld_buf + PKT_HEADROOM;
	uint8_t *icmp = data + IP6_HDR_LEN + MLD_HBH_LEN;
	struct in6_addr src = { 0 };
	if (!ipv6_dev_get_lladdr(dev, &src) && icmp[0] == ICMP6_MLD_QUERY)
		return;
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)data;
	ip6->vtc_flow = htonl((uint32_t)IP6_VERSION << 28);
	ip6->payload_len = htons((uint16_t)(MLD_HBH_LEN + icmp_len));
	ip6->nexthdr = NEXTHDR_HOP;
	ip6->hop_limit = MLD_HOP_LIMIT;
	ip6->saddr = src;
	ip6->daddr = *dst;
	uint8_t *hbh = data + IP6_HDR_LEN;
	const uint8_t hbh_ra[MLD_HBH_LEN] = { NEXTHDR_ICMP, 0, IP6_TLV_ROUTER_ALERT, 2,
					      0, IP6_RA_VALUE_MLD, IP6_TLV_PADN, 0 };
	memcpy(hbh, hbh_ra, sizeof(hbh_ra));
	icmp[2] = icmp[3] = 0;
	uint16_t csum = ip6_csum(&src, dst, NEXTHDR_ICMP, icmp, icmp_len);
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
	uint8_t mac[6];
	ip6_mc_mac(dst, mac);
	ICMP6_INC(OUT_MSGS);
	sstats.icmp6_out_type[icmp[0]]++;
	switch (icmp[0]) {
	case ICMP6_MLD_QUERY: ICMP6_INC(OUT_MLD_QUERIES); break;
	case ICMP6_MLD_V1_REPORT: ICMP6_INC(OUT_MLD_V1_REPORTS); break;
	case ICMP6_MLD_V1_DONE: ICMP6_INC(OUT_MLD_V1_DONES); break;
	default: ICMP6_INC(OUT_MLD_V2_REPORTS); break;
	}
	MIB_INC(OUT_REQUESTS);
	MIB_INC(OUT_MCAST_PKTS);
	if (dev_xmit_ip6(dev->ifindex, mac, data, IP6_HDR_LEN + MLD_HBH_LEN + icmp_len) < 0)
		ICMP6_INC(OUT_ERRORS);
}

static uint8_t *mld_icmp(void)
{
	return mld_buf + PKT_HEADROOM + IP6_HDR_LEN + MLD_HBH_LEN;
}

/* igmp6_send: an MLDv1 Report (to the group) or Done (to all-routers),
 * RFC 2710 3 / 4. */
static void mld_send_v1(const struct xrt_netdev *dev, uint8_t type, const struct in6_addr *g)
{
	uint8_t *icmp = mld_icmp();
	memset(icmp, 0, MLD_V1_LEN);
	icmp[0] = type;
	memcpy(icmp + 8, g, 16);
	mld_xmit(dev, type == ICMP6_MLD_V1_DONE ? &all_routers : g, MLD_V1_LEN);
}

/* mld_send_report / mld_send_cr: an MLDv2 Report to ff02::16 with one
 * record per group (no sources: any-source listening, RFC 3810 5.2.12),
 * split to fit the minimum MTU. only = that group; NULL = every active
 * group of the interface (a Current State Report). */
static void mld_send_v2(const struct xrt_netdev *dev, uint8_t rtype, const struct in6_addr *only)
{
	uint8_t *icmp = mld_icmp();
	unsigned n = 0;
	for (unsigned i = 0; i <= XRT_MLD_GROUPS_MAX; i++) {
		bool last = i == XRT_MLD_GROUPS_MAX;
		if (!last) {
			const struct ifmcaddr6 *mc = &mc_tab[i];
			if (mc->ifindex != dev->ifindex || !mld_reportable(&mc->addr) ||
			    (only ? !ip6_eq(only, &mc->addr) : !mc_active(mc)))
				continue;
			uint8_t *rec = icmp + MLD2_REPORT_HDR_LEN + n * MLD2_RECORD_LEN;
			memset(rec, 0, MLD2_RECORD_LEN);
			rec[0] = rtype;
			memcpy(rec + 4, &mc->addr, 16);
			n++;
		}
		if (n && (last || n == MLD2_RECORDS_PER_PKT)) {
			memset(icmp, 0, MLD2_REPORT_HDR_LEN);
			icmp[0] = ICMP6_MLD_V2_REPORT;
			icmp[6] = (uint8_t)(n >> 8);
			icmp[7] = (uint8_t)n;
			mld_xmit(dev, &all_mldv2_routers, MLD2_REPORT_HDR_LEN + n * MLD2_RECORD_LEN);
			n = 0;
		}
	}
}

/* One State Change Report of mc (join: CHANGE_TO_EXCLUDE {}, leave:
 * CHANGE_TO_INCLUDE {}; RFC 3810 6.1), or its MLDv1 equivalent. */
static void mld_send_change(struct ifmcaddr6 *mc)
{
	const struct xrt_netdev *dev = stack_dev(mc->ifindex);
	if (!dev)
		return;
	if (mld_v1_mode(mld_idev_get(mc->ifindex, false)))
		mld_send_v1(dev, mc->leaving ? ICMP6_MLD_V1_DONE : ICMP6_MLD_V1_REPORT, &mc->addr);
	else
		mld_send_v2(dev, mc->leaving ? MLD2_CHANGE_TO_INCLUDE : MLD2_CHANGE_TO_EXCLUDE,
			    &mc->addr);
}

/* mld_ifc_event: a join or a leave is reported at once, then [Robustness
 * Variable] - 1 more times at random intervals within the Unsolicited
 * Report Interval (RFC 3810 6.1). A leave frees the group after its last
 * report; a group never reported is freed at once. */
static void mld_change(struct ifmcaddr6 *mc, bool leave)
{
	mc->leaving = leave;
	mc->query_due = 0;
	if (!mld_reportable(&mc->addr) || !mld_enabled) {
		if (leave)
			memset(mc, 0, sizeof(*mc));
		return;
	}
	mc->change_left = MLD_ROBUSTNESS;
	mld_send_change(mc);
	mc->change_left--;
	mc->change_due = stack_now() + mld_rand_ns(MLD_UNSOLICITED_REPORT_INTERVAL_MS) + 1;
	if (!mc->change_left && leave)
		memset(mc, 0, sizeof(*mc));
}

/* The group slot of g on ifindex, made if new. One still sending its
 * leave is taken back: the caller's join report ends the leave. */
static struct ifmcaddr6 *mc_want(int ifindex, const struct in6_addr *g)
{
	struct ifmcaddr6 *mc = mc_find(ifindex, g);
	return mc ? mc : mc_alloc(ifindex, g);
}

/* Nobody wants mc any more: leave it. */
static void mc_unwant(struct ifmcaddr6 *mc)
{
	if (!mc->own && !mc->users && !mc->leaving)
		mld_change(mc, true);
}

static void mc_own(int ifindex, const struct in6_addr *g)
{
	struct ifmcaddr6 *mc = mc_want(ifindex, g);
	if (!mc)
		return;
	mc->own_seen = true;
	if (!mc->own) {
		bool was_active = mc_active(mc);
		mc->own = true;
		if (!was_active)
			mld_change(mc, false);
	}
}

/* addrconf's group joins (addrconf_join_solict, addrconf_join_anycast,
 * dev_forward_change's all-routers) for one interface as its addresses
 * are now; groups of addresses that went away are left. */
static void mld_sync_dev(const struct xrt_netdev *dev, void *arg)
{
	(void)arg;
	struct mld_idev *idev = mld_idev_get(dev->ifindex, true);
	if (!idev)
		return;
	idev->seen = true;
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++)
		if (mc_tab[i].ifindex == dev->ifindex)
			mc_tab[i].own_seen = false;
	mc_own(dev->ifindex, &all_nodes);
	if (dev->forwarding)
		mc_own(dev->ifindex, &all_routers);
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		if (xrt_addr_is_v4(&dev->addr[i]))
			continue; /* IPv4 has no solicited-node group */
		struct in6_addr sn, ac;
		ip6_solicited_node(&dev->addr[i], &sn);
		mc_own(dev->ifindex, &sn);
		if (ipv6_dev_acast_addr(dev, i, &ac)) {
			ip6_solicited_node(&ac, &sn);
			mc_own(dev->ifindex, &sn);
		}
	}
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++) {
		struct ifmcaddr6 *mc = &mc_tab[i];
		if (mc->ifindex == dev->ifindex && mc->own && !mc->own_seen) {
			mc->own = false;
			mc_unwant(mc);
		}
	}
}

/* An interface went away: its groups and memberships go silently (no
 * report can leave by it). */
static void mld_dev_gone(int ifindex)
{
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++)
		if (mc_tab[i].ifindex == ifindex) {
			if (mc_tab[i].users && senv.mc_changed)
				senv.mc_changed(senv.ctx, ifindex, &mc_tab[i].addr, false);
			memset(&mc_tab[i], 0, sizeof(mc_tab[i]));
		}
	for (unsigned i = 0; i < XRT_SOCK_MC_TOTAL; i++)
		if (sock_mc[i].sk && sock_mc[i].ifindex == ifindex)
			memset(&sock_mc[i], 0, sizeof(sock_mc[i]));
}

void mld_sync(void)
{
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++)
		mld_devs[i].seen = false;
	senv.dev_foreach(senv.ctx, mld_sync_dev, NULL);
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++)
		if (mld_devs[i].ifindex && !mld_devs[i].seen) {
			mld_dev_gone(mld_devs[i].ifindex);
			memset(&mld_devs[i], 0, sizeof(mld_devs[i]));
		}
}

bool mld_dev_listens(int ifindex, const struct in6_addr *g)
{
	const struct ifmcaddr6 *mc = mc_find(ifindex, g);
	return mc && mc_active(mc);
}

/* RFC 3810 5.1.3: the Maximum Response Delay a query asks for, in ms. */
static uint32_t mld_mrd_ms(uint16_t mrc)
{
	if (mrc < MLD_MRC_FLOAT)
		return mrc;
	return (uint32_t)(MLD_MRC_MANT(mrc) | 0x1000) << (MLD_MRC_EXP(mrc) + 3);
}

/* igmp6_event_query: answer after a random delay within the Maximum
 * Response Delay (RFC 3810 6.2), a General Query with every group, a
 * Multicast Address Specific one with that group; an earlier pending
 * answer stands (rules 1-3). A querier with a lower address ends our querier role
 * (RFC 3810 7.6.2); an MLDv1 query puts the link in compatibility mode
 * (RFC 3810 8.2.1). */
static void igmp6_event_query(struct pkt *p, size_t icmp_len)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	const uint8_t *q = p->nh + p->thoff;
	ICMP6_INC(IN_MLD_QUERIES);
	if (icmp_len != MLD_V1_LEN && icmp_len < MLD_V2_QUERY_MIN_LEN) {
		DROP_INC(MLD_INVALID); /* RFC 3810 8.1: neither version */
		return;
	}
	struct mld_idev *idev = mld_idev_get(p->ifindex, true);
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!idev || !dev)
		return;
	uint64_t now = stack_now();
	struct in6_addr ll;
	if (ipv6_dev_get_lladdr(dev, &ll) && memcmp(&ip6->saddr, &ll, 16) < 0) {
		idev->querier = false;
		idev->other_querier_until = now + (uint64_t)MLD_OTHER_QUERIER_PRESENT_MS * NSEC_PER_MSEC;
	}
	uint16_t mrc = (uint16_t)(q[4] << 8 | q[5]);
	uint32_t mrd = icmp_len == MLD_V1_LEN ? mrc : mld_mrd_ms(mrc);
	if (icmp_len == MLD_V1_LEN)
		idev->v1_until = now + (uint64_t)MLD_OLDER_VERSION_QUERIER_PRESENT_MS * NSEC_PER_MSEC;
	if (!mld_enabled)
		return;
	uint64_t due = now + mld_rand_ns(mrd) + 1;
	struct in6_addr g;
	memcpy(&g, q + 8, 16);
	if (ip6_is_unspec(&g)) {
		if (!idev->general_due || idev->general_due > due)
			idev->general_due = due;
		return;
	}
	/* RFC 3810 6.2 rule 1: a General Query answer due sooner covers it. */
	if (idev->general_due && idev->general_due <= due)
		return;
	struct ifmcaddr6 *mc = mc_find(p->ifindex, &g);
	if (mc && mc_active(mc) && mld_reportable(&g) && (!mc->query_due || mc->query_due > due))
		mc->query_due = due;
}

/* MLD input (icmpv6_rcv's MLD cases). RFC 3810 6.2 (queries; 7.4 asks the
 * same of reports): a message from a non-link-local source (a report may
 * come from ::, 5.2.13), with a hop limit other than 1 or without a Router
 * Alert for MLD is dropped. Reports of other
 * listeners only count: no suppression in MLDv2, and a router reports
 * anyway. */
void igmp6_event(struct pkt *p, size_t icmp_len)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	uint8_t type = p->nh[p->thoff];
	bool src_ok = ip6_is_linklocal(&ip6->saddr) ||
		      (type != ICMP6_MLD_QUERY && ip6_is_unspec(&ip6->saddr));
	if (!src_ok || ip6->hop_limit != MLD_HOP_LIMIT || !p->ra_option ||
	    p->ra_value != IP6_RA_VALUE_MLD) {
		DROP_INC(MLD_INVALID);
		return;
	}
	switch (type) {
	case ICMP6_MLD_QUERY:
		igmp6_event_query(p, icmp_len);
		break;
	case ICMP6_MLD_V1_REPORT:
		ICMP6_INC(IN_MLD_V1_REPORTS);
		break;
	case ICMP6_MLD_V1_DONE:
		ICMP6_INC(IN_MLD_V1_DONES);
		break;
	default:
		ICMP6_INC(IN_MLD_V2_REPORTS);
		break;
	}
}

/* RFC 3810 5.1: a General Query to ff02::1 asking for answers within the
 * Query Response Interval, with our Robustness Variable and Query
 * Interval. */
static void mld_send_query(const struct xrt_netdev *dev)
{
	uint8_t *icmp = mld_icmp();
	memset(icmp, 0, MLD_V2_QUERY_MIN_LEN);
	icmp[0] = ICMP6_MLD_QUERY;
	icmp[4] = (uint8_t)(MLD_QUERY_RESPONSE_INTERVAL_MS >> 8);
	icmp[5] = (uint8_t)(MLD_QUERY_RESPONSE_INTERVAL_MS & 0xff);
	icmp[24] = MLD_ROBUSTNESS & MLD_QRV_MASK;
	icmp[25] = MLD_QQIC;
	mld_xmit(dev, &all_nodes, MLD_V2_QUERY_MIN_LEN);
}

static void mld_idev_run(struct mld_idev *idev, uint64_t now)
{
	const struct xrt_netdev *dev = stack_dev(idev->ifindex);
	if (!dev)
		return;
	if (idev->general_due && idev->general_due <= now) {
		idev->general_due = 0;
		if (mld_v1_mode(idev)) {
			for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++)
				if (mc_tab[i].ifindex == idev->ifindex && mc_active(&mc_tab[i]) &&
				    mld_reportable(&mc_tab[i].addr))
					mld_send_v1(dev, ICMP6_MLD_V1_REPORT, &mc_tab[i].addr);
		} else {
			mld_send_v2(dev, MLD2_MODE_IS_EXCLUDE, NULL);
		}
	}
	/* RFC 3810 7.6.2: the Other Querier Present timer expired. */
	if (!idev->querier && idev->other_querier_until <= now) {
		idev->querier = true;
		idev->query_due = now;
	}
	if (idev->querier && idev->query_due <= now) {
		mld_send_query(dev);
		if (idev->startup_left)
			idev->startup_left--;
		idev->query_due = now + (uint64_t)(idev->startup_left ? MLD_STARTUP_QUERY_INTERVAL_MS
								       : MLD_QUERY_INTERVAL_MS) *
						NSEC_PER_MSEC;
	}
}

void mld_timers_run(uint64_t now)
{
	if (!mld_enabled)
		return;
	if (mld_sync_due <= now) {
		mld_sync();
		mld_sync_due = now + (uint64_t)MLD_SYNC_MS * NSEC_PER_MSEC;
	}
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++) {
		struct ifmcaddr6 *mc = &mc_tab[i];
		if (!mc->ifindex)
			continue;
		if (mc->change_left && mc->change_due <= now) {
			mld_send_change(mc);
			mc->change_left--;
			mc->change_due = now + mld_rand_ns(MLD_UNSOLICITED_REPORT_INTERVAL_MS) + 1;
			if (!mc->change_left && mc->leaving) {
				memset(mc, 0, sizeof(*mc));
				continue;
			}
		}
		if (mc->query_due && mc->query_due <= now) {
			mc->query_due = 0;
			const struct xrt_netdev *dev = stack_dev(mc->ifindex);
			if (dev && mld_v1_mode(mld_idev_get(mc->ifindex, false)))
				mld_send_v1(dev, ICMP6_MLD_V1_REPORT, &mc->addr);
			else if (dev)
				mld_send_v2(dev, MLD2_MODE_IS_EXCLUDE, &mc->addr);
		}
	}
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++)
		if (mld_devs[i].ifindex)
			mld_idev_run(&mld_devs[i], now);
}

static void due_min(uint64_t *due, uint64_t t)
{
	if (t && t < *due)
		*due = t;
}

uint64_t mld_timers_next(void)
{
	if (!mld_enabled)
		return UINT64_MAX;
	uint64_t due = mld_sync_due ? mld_sync_due : 1;
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++) {
		if (mc_tab[i].change_left)
			due_min(&due, mc_tab[i].change_due);
		due_min(&due, mc_tab[i].query_due);
	}
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++) {
		const struct mld_idev *idev = &mld_devs[i];
		if (!idev->ifindex)
			continue;
		due_min(&due, idev->general_due);
		due_min(&due, idev->querier ? idev->query_due : idev->other_querier_until);
	}
	return due;
}

bool mld_is_querier(int ifindex)
{
	const struct mld_idev *idev = mld_idev_get(ifindex, false);
	return idev && idev->querier;
}

unsigned mld_groups(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < XRT_MLD_GROUPS_MAX; i++)
		n += mc_tab[i].ifindex != 0;
	return n;
}

void mld_init(void)
{
	memset(mc_tab, 0, sizeof(mc_tab));
	memset(mld_devs, 0, sizeof(mld_devs));
	memset(sock_mc, 0, sizeof(sock_mc));
	mld_enabled = true;
	mld_sync_due = 0;
}

/* ---------------------------------------------------------------- sockets */

/* ipv6_sock_mc_join: ifindex 0 takes the socket's IPV6_MULTICAST_IF, else
 * the route to the group (as rt6_lookup), else ENODEV. */
int ipv6_sock_mc_join(struct sock *sk, int ifindex, const struct in6_addr *g)
{
	if (!ip6_is_mcast(g))
		return -EINVAL;
	if (sk->type == SOCK_STREAM)
		return -EPROTO; /* do_ipv6_setsockopt: not on a connection socket */
	if (!ifindex)
		ifindex = sk->mcast_oif;
	if (!ifindex) {
		static const struct in6_addr any;
		struct fib6_result res = { 0 };
		if (senv.fib6_lookup(senv.ctx, XRT_TABLE_MAIN, &any, g, &res) == 0 &&
		    res.type == XRT_RTN_UNICAST)
			ifindex = res.oif;
	}
	if (!ifindex || !stack_dev(ifindex))
		return -ENODEV;
	struct ipv6_mc_socklist *slot = NULL;
	unsigned mine = 0;
	for (unsigned i = 0; i < XRT_SOCK_MC_TOTAL; i++) {
		struct ipv6_mc_socklist *m = &sock_mc[i];
		if (m->sk == sk) {
			if (m->ifindex == ifindex && ip6_eq(&m->addr, g))
				return -EADDRINUSE;
			mine++;
		} else if (!m->sk && !slot) {
			slot = m;
		}
	}
	if (mine >= XRT_SOCK_MC_MAX || !slot) {
		DROP_INC(SOCK_MC_FULL);
		return -ENOBUFS; /* sock_kmalloc's answer */
	}
	if (!mld_idev_get(ifindex, true))
		return -ENOBUFS;
	struct ifmcaddr6 *mc = mc_want(ifindex, g);
	if (!mc)
		return -ENOBUFS;
	if (!mc->users && senv.mc_changed && senv.mc_changed(senv.ctx, ifindex, g, true) < 0) {
		DROP_INC(MLD_GROUPS_FULL); /* the fast path's table (XRT_MAX_LOCAL6) */
		if (!mc->own && !mc->leaving && !mc->change_left)
			memset(mc, 0, sizeof(*mc));
		return -ENOBUFS;
	}
	bool was_active = mc_active(mc);
	mc->users++;
	if (!was_active)
		mld_change(mc, false);
	*slot = (struct ipv6_mc_socklist){ .sk = sk, .ifindex = ifindex, .addr = *g };
	return 0;
}

static void sock_mc_release(struct ipv6_mc_socklist *m)
{
	struct ifmcaddr6 *mc = mc_find(m->ifindex, &m->addr);
	memset(m, 0, sizeof(*m));
	if (!mc || !mc->users)
		return;
	if (!--mc->users && senv.mc_changed)
		senv.mc_changed(senv.ctx, mc->ifindex, &mc->addr, false);
	mc_unwant(mc);
}

/* ipv6_sock_mc_drop: ifindex 0 drops the group on whichever interface it
 * was joined. */
int ipv6_sock_mc_drop(struct sock *sk, int ifindex, const struct in6_addr *g)
{
	if (!ip6_is_mcast(g))
		return -EINVAL;
	for (unsigned i = 0; i < XRT_SOCK_MC_TOTAL; i++) {
		struct ipv6_mc_socklist *m = &sock_mc[i];
		if (m->sk == sk && ip6_eq(&m->addr, g) && (!ifindex || m->ifindex == ifindex)) {
			sock_mc_release(m);
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

void ipv6_sock_mc_close(struct sock *sk)
{
	for (unsigned i = 0; i < XRT_SOCK_MC_TOTAL; i++)
		if (sock_mc[i].sk == sk)
			sock_mc_release(&sock_mc[i]);
}

/* inet6_mc_check: a socket that joined g gets it; one that did not gets
 * it only with IPV6_MULTICAST_ALL (on by default, as in Linux). */
bool inet6_mc_check(const struct sock *sk, const struct in6_addr *g)
{
	for (unsigned i = 0; i < XRT_SOCK_MC_TOTAL; i++)
		if (sock_mc[i].sk == sk && ip6_eq(&sock_mc[i].addr, g))
			return true;
	return sk->mc_all;
}
