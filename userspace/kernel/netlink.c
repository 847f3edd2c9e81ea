/* xrt: mirroring the kernel's IPv6 and IPv4 addresses, routes, neighbours (ND and ARP) and policy rules over rtnetlink (libmnl). */
#include "kernel/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "router/rules.h"
#include "stack/neighbour.h"
#include "xrt/inet.h"

#define NL_RCVBUF (8u << 20) /* events between two reads; overrun = resync */
#define NL_BUF 65536         /* one recv: dumps come in chunks of a page or so */

struct nl_mirror {
	struct mnl_socket *ev;   /* subscribed to the multicast groups */
	struct mnl_socket *req;  /* dumps and requests */
	unsigned req_portid;
	uint32_t seq;
	struct nl_mirror_stats st;
};

/* ---- translating messages ---- */

struct route_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, RTA_MAX) < 0) /* also fits IFA_ and NDA_ */
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static bool addr16(const struct nlattr *a, struct in6_addr *out)
{
	if (!a || mnl_attr_get_payload_len(a) != 16)
		return false;
	memcpy(out, mnl_attr_get_payload(a), 16);
	return true;
}

/* An address attribute of family as xrt holds it: IPv4 mapped
 * (include/xrt/inet.h). */
static bool nl_addr(const struct nlattr *a, int family, struct in6_addr *out)
{
	if (family == AF_INET6)
		return addr16(a, out);
	if (!a || mnl_attr_get_payload_len(a) != 4)
		return false;
	uint32_t v4;
	memcpy(&v4, mnl_attr_get_payload(a), 4);
	xrt_addr_from_v4(out, v4);
	return true;
}

/* A prefix length of family as xrt holds it, or -1 if out of range. */
static int nl_plen(int family, unsigned len)
{
	if (family == AF_INET)
		return len <= 32 ? (int)(len + XRT_V4_PLEN_OFFSET) : -1;
	return len <= 128 ? (int)len : -1;
}

/* An IPv6 address inside ::ffff:0:0/96 would alias IPv4 below the CLI
 * (RFC 4291 2.5.5.2); the kernel never routes IPv6 to it either. */
static bool mapped_v6(int family, const struct in6_addr *a, int plen)
{
	return family == AF_INET6 && plen >= XRT_V4_PLEN_OFFSET && xrt_addr_is_v4(a);
}

static uint32_t route_mtu(const struct nlattr *metrics)
{
	const struct nlattr *a;
	if (!metrics)
		return 0;
	mnl_attr_for_each_nested(a, metrics)
		if (mnl_attr_get_type(a) == RTAX_MTU && mnl_attr_get_payload_len(a) >= 4)
			return mnl_attr_get_u32(a);
	return 0;
}

static void on_route(struct xrt_router *r, const struct nlmsghdr *nlh)
{
	struct nl_mirror *m = r->mirror;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	char err[XRT_ERR_LEN];
	int fam = rtm->rtm_family;
	if (fam != AF_INET6 && fam != AF_INET)
		return;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	int plen = nl_plen(fam, rtm->rtm_dst_len);
	/* proto kernel: connected and multicast routes of the kernel's own
	 * addresses; the mirrored addresses install their own. Table local:
	 * the kernel's local (and IPv4 broadcast) routes, same story. RTA_VIA:
	 * a next hop of the other family (RFC 5549), not built. */
	if (table == RIB_TABLE_LOCAL ||
	    rtm->rtm_protocol == RTPROT_KERNEL || plen < 0 || tb[RTA_VIA])
		goto skip;
	struct rib_route_spec s = {
		.table = table, .plen = (unsigned)plen, .origin = RIB_ORIGIN_KERNEL,
		/* No RTA_PRIORITY: IPv4's 0, IPv6's IP6_RT_PRIO_USER. */
		.metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY])
		: fam == AF_INET ? RIB_METRIC_V4_USER : RIB_METRIC_USER,
		.mtu = route_mtu(tb[RTA_METRICS]),
	};
	/* No RTA_DST: the default route, ::/0 or ::ffff:0.0.0.0/96. */
	if (!nl_addr(tb[RTA_DST], fam, &s.prefix) && fam == AF_INET)
		xrt_addr_from_v4(&s.prefix, 0);
	if (mapped_v6(fam, &s.prefix, plen))
		goto skip;
	/* rtm_src_len: an IPv6 source-specific route (fib6_add with
	 * CONFIG_IPV6_SUBTREES); IPv4 has none (fib4 never sets it). */
	if (fam == AF_INET6 && rtm->rtm_src_len) {
		if (rtm->rtm_src_len > 128 || !addr16(tb[RTA_SRC], &s.src))
			goto skip;
		s.src_plen = rtm->rtm_src_len;
	}
	if (nlh->nlmsg_type == RTM_DELROUTE) {
		struct rib_match mt = { .has_metric = true, .metric = s.metric,
					.has_origin = true, .origin = RIB_ORIGIN_KERNEL,
					.has_src = true, .src = s.src, .src_plen = s.src_plen };
		rib_route_del(r->rib, table, &s.prefix, s.plen, &mt, err);
		return;
	}
	switch (rtm->rtm_type) {
	case RTN_UNICAST: s.type = XRT_RTN_UNICAST; break;
	case RTN_BLACKHOLE: s.type = XRT_RTN_BLACKHOLE; break;
	case RTN_UNREACHABLE: s.type = XRT_RTN_UNREACHABLE; break;
	case RTN_PROHIBIT: s.type = XRT_RTN_PROHIBIT; break;
	default: goto skip;
	}
	if (s.type == XRT_RTN_UNICAST) {
		if (tb[RTA_MULTIPATH]) {
			const struct rtnexthop *nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
			int left = mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);
			while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
			       nh->rtnh_len <= left && s.npaths < RIB_MAX_PATHS) {
				struct rib_path *p = &s.path[s.npaths++];
				p->ifindex = nh->rtnh_ifindex;
				p->weight = nh->rtnh_hops + 1u;
				/* Attributes of this hop follow its header. */
				const struct nlattr *a = (const struct nlattr *)RTNH_DATA(nh);
				int alen = nh->rtnh_len - (int)sizeof(*nh);
				while (mnl_attr_ok(a, alen)) {
					if (mnl_attr_get_type(a) == RTA_GATEWAY)
						p->has_gw = nl_addr(a, fam, &p->gw);
					if (mnl_attr_get_type(a) == RTA_VIA)
						goto skip;
					alen -= (int)MNL_ALIGN(a->nla_len);
					a = mnl_attr_next(a);
				}
				left -= RTNH_ALIGN(nh->rtnh_len);
				nh = RTNH_NEXT(nh);
			}
		} else {
			s.npaths = 1;
			s.path[0].ifindex = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
			s.path[0].has_gw = nl_addr(tb[RTA_GATEWAY], fam, &s.path[0].gw);
		}
		/* Only routes whose every path leaves by an attached link. */
		for (unsigned i = 0; i < s.npaths; i++)
			if (!s.path[i].ifindex || !router_link_by_ifindex(r, s.path[i].ifindex))
				goto skip;
		if (s.npaths == 0)
			goto skip;
	}
	if (rib_route_add(r->rib, &s, true, err)) {
		m->st.errors++;
		fprintf(stderr, "xrtd: kernel route: %s\n", err);
		return;
	}
	m->st.routes++;
	return;
skip:
	m->st.skipped++;
}

static void on_addr(struct xrt_router *r, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	char err[XRT_ERR_LEN];
	int fam = ifa->ifa_family;
	if (fam != AF_INET6 && fam != AF_INET)
		return;
	struct xrt_link *l = router_link_by_ifindex(r, (int)ifa->ifa_index);
	if (!l)
		return;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb);
	struct in6_addr a;
	/* IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS the
	 * peer's on a point-to-point link); IPv6 carries IFA_ADDRESS. */
	if (!nl_addr(tb[fam == AF_INET ? IFA_LOCAL : IFA_ADDRESS], fam, &a) &&
	    !nl_addr(tb[fam == AF_INET ? IFA_ADDRESS : IFA_LOCAL], fam, &a))
		return;
	int plen = nl_plen(fam, ifa->ifa_prefixlen);
	if (plen < 0 || mapped_v6(fam, &a, XRT_V4_PLEN_OFFSET)) {
		r->mirror->st.skipped++;
		return;
	}
	if (nlh->nlmsg_type == RTM_DELADDR) {
		addr_del(r, l, &a, (unsigned)plen, err);
		return;
	}
	int rc = addr_add(r, l, &a, (unsigned)plen, ADDR_ORIGIN_KERNEL, err);
	if (rc == 0) {
		r->mirror->st.addrs++;
	} else if (rc == -EEXIST) {
		/* Still there (or a learned link-local): survives a resync. */
		for (unsigned i = 0; i < l->dev.naddrs; i++)
			if (!memcmp(&l->dev.addr[i], &a, sizeof(a)))
				l->addr_stale[i] = false;
	} else {
		fprintf(stderr, "xrtd: kernel address: %s\n", err);
	}
}

static void on_neigh(struct xrt_router *r, const struct nlmsghdr *nlh)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	char err[XRT_ERR_LEN];
	int fam = nd->ndm_family;
	if ((fam != AF_INET6 && fam != AF_INET) || !router_link_by_ifindex(r, nd->ndm_ifindex))
		return;
	mnl_attr_parse(nlh, sizeof(*nd), attr_cb, tb);
	struct in6_addr a;
	if (!nl_addr(tb[NDA_DST], fam, &a) || IN6_IS_ADDR_MULTICAST(&a) ||
	    mapped_v6(fam, &a, XRT_V4_PLEN_OFFSET))
		return;
	/* ARP's multicast and broadcast entries (NUD_NOARP, RFC 1112 6.4)
	 * are computed, not learned: none is a neighbour to mirror. */
	if (fam == AF_INET && (IN_MULTICAST(ntohl(xrt_addr_v4(&a))) ||
			       xrt_addr_v4(&a) == INADDR_BROADCAST))
		return;
	const uint16_t usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
				NUD_PERMANENT | NUD_NOARP;
	if (nlh->nlmsg_type == RTM_NEWNEIGH && (nd->ndm_state & usable) && tb[NDA_LLADDR] &&
	    mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		if (neigh_add_static(nd->ndm_ifindex, &a, mnl_attr_get_payload(tb[NDA_LLADDR]),
				     err) == 0)
			r->mirror->st.neighs++;
		return;
	}
	/* Gone or failed in the kernel: forget it (INCOMPLETE: still resolving). */
	if (nlh->nlmsg_type == RTM_DELNEIGH || (nd->ndm_state & NUD_FAILED))
		neigh_del(nd->ndm_ifindex, &a, err);
}


/* ---- policy rules (net/core/fib_rules.c's RTM_NEWRULE/DELRULE) ---- */

/* A port range attribute (struct fib_rule_port_range). */
static void rule_ports(const struct nlattr *a, uint16_t *lo, uint16_t *hi)
{
	const struct fib_rule_port_range *pr = mnl_attr_get_payload(a);
	*lo = pr->start;
	*hi = pr->end;
}

/* The rule of a message as fib_nl2rule reads it. A selector xrt cannot
 * evaluate (fwmark, uidrange, l3mdev, tun_id, tos/dscp, suppress_*, and
 * anything newer than this file), or an action other than a lookup or
 * a route type (goto, nop), marks it XRT_FR_F_KERNEL: what it matches
 * goes to the kernel. Returns false for a message not to mirror. */
static bool rule_from_msg(const struct nlmsghdr *nlh, struct fib_rule *fr)
{
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	int family = h->family;
	bool v4 = family == AF_INET;

	if (family != AF_INET && family != AF_INET6)
		return false;
	memset(fr, 0, sizeof(*fr));
	fr->table = h->table;
	fr->r.action = h->action;
	if (h->tos)
		fr->r.flags |= XRT_FR_F_KERNEL;
	mnl_attr_for_each(a, nlh, sizeof(*h)) {
		switch (mnl_attr_get_type(a)) {
		case FRA_SRC:
		case FRA_DST: {
			bool src = mnl_attr_get_type(a) == FRA_SRC;
			struct in6_addr x;
			unsigned len = src ? h->src_len : h->dst_len;
			if (!nl_addr(a, family, &x))
				return false;
			memcpy(src ? fr->r.src : fr->r.dst, &x, 16);
			uint8_t *m = src ? fr->r.smask : fr->r.dmask;
			unsigned plen = v4 ? len + XRT_V4_PLEN_OFFSET : len;
			memset(m, 0xff, 16);
			rib_prefix_mask((struct in6_addr *)m, plen > 128 ? 128 : plen);
			if (src) {
				fr->has_src = true;
				fr->src_len = (uint8_t)len;
			} else {
				fr->has_dst = true;
				fr->dst_len = (uint8_t)len;
			}
			break;
		}
		case FRA_IIFNAME:
		case FRA_OIFNAME: {
			char *n = mnl_attr_get_type(a) == FRA_IIFNAME ? fr->iif : fr->oif;
			snprintf(n, IF_NAMESIZE, "%s", mnl_attr_get_str(a));
			uint32_t i = if_nametoindex(n);
			if (mnl_attr_get_type(a) == FRA_IIFNAME)
				fr->r.iif = i ? i : UINT32_MAX;
			else
				fr->r.oif = i ? i : UINT32_MAX;
			break;
		}
		case FRA_PRIORITY:
			fr->prio = mnl_attr_get_u32(a);
			break;
		case FRA_TABLE:
			fr->table = mnl_attr_get_u32(a);
			break;
		case FRA_IP_PROTO:
			fr->r.proto = mnl_attr_get_u8(a);
			fr->r.flags |= XRT_FR_F_PROTO;
			break;
		case FRA_SPORT_RANGE:
			rule_ports(a, &fr->r.sport_lo, &fr->r.sport_hi);
			fr->r.flags |= XRT_FR_F_SPORT;
			break;
		case FRA_DPORT_RANGE:
			rule_ports(a, &fr->r.dport_lo, &fr->r.dport_hi);
			fr->r.flags |= XRT_FR_F_DPORT;
			break;
		case FRA_PROTOCOL: /* who added it: no selector */
		case FRA_UNSPEC:
			break;
		case FRA_SUPPRESS_PREFIXLEN:
		case FRA_SUPPRESS_IFGROUP:
			/* Their defaults (-1) are sent with every rule. */
			if (mnl_attr_get_u32(a) != UINT32_MAX)
				fr->r.flags |= XRT_FR_F_KERNEL;
			break;
		default: /* fwmark, uidrange, l3mdev, tun_id, goto, dscp... */
			fr->r.flags |= XRT_FR_F_KERNEL;
		}
	}
	if (fr->r.action != XRT_FR_ACT_TO_TBL && fr->r.action != XRT_FR_ACT_BLACKHOLE &&
	    fr->r.action != XRT_FR_ACT_UNREACHABLE && fr->r.action != XRT_FR_ACT_PROHIBIT) {
		fr->r.flags |= XRT_FR_F_KERNEL;
		fr->r.action = XRT_FR_ACT_TO_TBL; /* a table it holds: main */
		fr->table = XRT_TABLE_MAIN;
	}
	fib_rule_all(fr, v4 ? XRT_AF_INET : XRT_AF_INET6);
	fr->origin = RIB_ORIGIN_KERNEL;
	return true;
}

static void on_rule(struct xrt_router *r, const struct nlmsghdr *nlh)
{
	struct fib_rule fr;
	char err[XRT_ERR_LEN];
	int rc;
	if (!rule_from_msg(nlh, &fr)) {
		r->mirror->st.skipped++;
		return;
	}
	if (nlh->nlmsg_type == RTM_DELRULE)
		rc = router_rule_del(r, &fr, FIB_RULE_M_PRIO | FIB_RULE_M_TABLE | FIB_RULE_M_ACTION,
				     err);
	else
		rc = router_rule_add(r, &fr, true, err);
	/* The kernel's default rules are xrt's too; a rule xrt was told
	 * about already is not an error. */
	if (rc == -EEXIST || (rc == -ENOENT && nlh->nlmsg_type == RTM_DELRULE))
		return;
	if (rc) {
		r->mirror->st.errors++;
		fprintf(stderr, "xrtd: mirror: rule %u: %s\n", fr.prio, err);
		return;
	}
	r->mirror->st.rules++;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xrt_router *r = data;
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(r, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(r, nlh);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(r, nlh);
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		on_rule(r, nlh);
		break;
	}
	return MNL_CB_OK;
}

/* ---- dumps ---- */

static int dump(struct xrt_router *r, uint16_t type, size_t hdrlen, uint8_t family, char *err)
{
	struct nl_mirror *m = r->mirror;
	static char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	/* Kept here: what the dump's callbacks do may send a request of its
	 * own (nl_mirror_resolve), which takes the next number. */
	uint32_t seq = ++m->seq;
	nlh->nlmsg_seq = seq;
	/* rtmsg, ifaddrmsg and ndmsg all start with the family byte. */
	uint8_t *fam = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	fam[0] = family;
	if (mnl_socket_sendto(m->req, nlh, nlh->nlmsg_len) < 0) {
		xrt_err(err, "netlink dump: %s", strerror(errno));
		return -errno;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(m->req, buf, sizeof(buf));
		if (n < 0) {
			xrt_err(err, "netlink dump: %s", strerror(errno));
			return -errno;
		}
		int rc = mnl_cb_run(buf, (size_t)n, seq, m->req_portid, msg_cb, r);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0) {
			xrt_err(err, "netlink dump: %s", strerror(errno));
			return -errno;
		}
	}
}

/* Addresses first (the routes' gateways need their connected prefixes),
 * each family on its own (AF_UNSPEC would bring bridge and MPLS too). */
static int dump_all(struct xrt_router *r, char *err)
{
	static const uint8_t families[] = { AF_INET6, AF_INET };
	int rc = 0;
	for (size_t i = 0; i < sizeof(families) && !rc; i++)
		rc = dump(r, RTM_GETADDR, sizeof(struct ifaddrmsg), families[i], err);
	for (size_t i = 0; i < sizeof(families) && !rc; i++)
		rc = dump(r, RTM_GETROUTE, sizeof(struct rtmsg), families[i], err);
	for (size_t i = 0; i < sizeof(families) && !rc; i++)
		rc = dump(r, RTM_GETNEIGH, sizeof(struct ndmsg), families[i], err);
	for (size_t i = 0; i < sizeof(families) && !rc; i++)
		rc = dump(r, RTM_GETRULE, sizeof(struct fib_rule_hdr), families[i], err);
	return rc;
}

/* The rules the kernel gave, gone (the dump brings back what it has). */
static void rules_forget_kernel(struct xrt_router *r)
{
	char err[XRT_ERR_LEN];
	for (unsigned i = r->rules.n; i-- > 0;) {
		struct fib_rule f = r->rules.v[i];
		if (f.origin == RIB_ORIGIN_KERNEL)
			router_rule_del(r, &f, FIB_RULE_M_PRIO | FIB_RULE_M_TABLE | FIB_RULE_M_ACTION,
					err);
	}
}

int nl_mirror_resync(struct xrt_router *r, char *err)
{
	if (!r->mirror)
		return 0;
	r->mirror->st.resyncs++;
	rib_mark(r->rib, RIB_ORIGIN_KERNEL);
	rules_forget_kernel(r);
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		for (unsigned i = 0; l && i < l->dev.naddrs; i++)
			l->addr_stale[i] = l->addr_origin[i] == ADDR_ORIGIN_KERNEL;
	}
	int rc = dump_all(r, err);
	if (rc)
		return rc; /* keep what we have rather than sweep on a partial view */
	rc = rib_sweep(r->rib, RIB_ORIGIN_KERNEL, err);
	if (rc < 0)
		return rc;
	/* Addresses the kernel no longer has (their routes go with them). */
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		for (unsigned i = l ? l->dev.naddrs : 0; i-- > 0;)
			if (l->addr_stale[i] && l->addr_origin[i] == ADDR_ORIGIN_KERNEL &&
			    (rc = addr_del(r, l, &l->dev.addr[i], l->dev.plen[i], err)))
				return rc;
	}
	return 0;
}

static void set_kernel_local(struct xrt_router *r, bool on)
{
	char err[XRT_ERR_LEN];
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		if (!l || l->kernel_local == on)
			continue;
		l->kernel_local = on;
		if (link_program(r, l, err))
			fprintf(stderr, "xrtd: %s: %s\n", l->dev.name, err);
	}
}

int nl_mirror_start(struct xrt_router *r, char *err)
{
	if (r->mirror)
		return 0;
	struct nl_mirror *m = calloc(1, sizeof(*m));
	if (!m) {
		xrt_err(err, "out of memory");
		return -ENOMEM;
	}
	m->seq = (uint32_t)time(NULL);
	m->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	m->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	unsigned groups = RTMGRP_IPV6_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
			  RTMGRP_IPV4_IFADDR | RTMGRP_NEIGH;
	int bufsz = NL_RCVBUF;
	/* The rule groups have no RTMGRP_ bit for IPv6: joined by number. */
	int rule_groups[] = { RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE };
	if (!m->ev || !m->req || mnl_socket_bind(m->ev, groups, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_setsockopt(m->ev, NETLINK_ADD_MEMBERSHIP, &rule_groups[0], sizeof(int)) ||
	    mnl_socket_setsockopt(m->ev, NETLINK_ADD_MEMBERSHIP, &rule_groups[1], sizeof(int)) ||
	    mnl_socket_bind(m->req, 0, MNL_SOCKET_AUTOPID)) {
		xrt_err(err, "netlink: %s", strerror(errno));
		goto fail;
	}
	/* A large buffer makes overruns rare; RCVBUFFORCE needs CAP_NET_ADMIN. */
	if (setsockopt(mnl_socket_get_fd(m->ev), SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
		       sizeof(bufsz)))
		setsockopt(mnl_socket_get_fd(m->ev), SOL_SOCKET, SO_RCVBUF, &bufsz,
			   sizeof(bufsz));
	m->req_portid = mnl_socket_get_portid(m->req);
	r->mirror = m;
	set_kernel_local(r, true);
	/* Subscribed first, then dumped: events queued meanwhile are newer
	 * than the dump and are applied after it. */
	int rc = nl_mirror_resync(r, err);
	if (!rc && r->loop.nl_fd_add)
		rc = r->loop.nl_fd_add(r->loop.ctx, mnl_socket_get_fd(m->ev));
	if (rc) {
		nl_mirror_stop(r, true);
		return rc;
	}
	return 0;
fail:
	if (m->ev)
		mnl_socket_close(m->ev);
	if (m->req)
		mnl_socket_close(m->req);
	free(m);
	return -EIO;
}

void nl_mirror_stop(struct xrt_router *r, bool forget)
{
	struct nl_mirror *m = r->mirror;
	if (!m)
		return;
	char err[XRT_ERR_LEN];
	if (r->loop.fd_del)
		r->loop.fd_del(r->loop.ctx, mnl_socket_get_fd(m->ev));
	mnl_socket_close(m->ev);
	mnl_socket_close(m->req);
	free(m);
	r->mirror = NULL;
	if (!forget)
		return;
	/* What came from the kernel goes; local traffic is ours again. */
	struct rib_match mt = { .has_origin = true, .origin = RIB_ORIGIN_KERNEL };
	rib_flush(r->rib, &mt, err);
	rules_forget_kernel(r);
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		for (unsigned i = l ? l->dev.naddrs : 0; i-- > 0;)
			if (l->addr_origin[i] == ADDR_ORIGIN_KERNEL)
				addr_del(r, l, &l->dev.addr[i], l->dev.plen[i], err);
	}
	set_kernel_local(r, false);
}

void nl_mirror_input(struct xrt_router *r)
{
	struct nl_mirror *m = r->mirror;
	static char buf[NL_BUF];
	char err[XRT_ERR_LEN];
	if (!m)
		return;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(m->ev, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* Events were lost: the only safe answer is a full
				 * resync with mark and sweep. */
				if (nl_mirror_resync(r, err))
					fprintf(stderr, "xrtd: resync: %s\n", err);
				continue;
			}
			return; /* EAGAIN: drained */
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, msg_cb, r);
	}
}

void nl_mirror_resolve(struct xrt_router *r, int ifindex, const struct in6_addr *addr)
{
	struct nl_mirror *m = r->mirror;
	char buf[512];
	if (!m)
		return;
	/* NTF_USE: the kernel runs its own ND for the entry (like a packet
	 * sent to it would), and the result arrives as RTM_NEWNEIGH. */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = ++m->seq;
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	bool v4 = xrt_addr_is_v4(addr);
	nd->ndm_family = v4 ? AF_INET : AF_INET6;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = NTF_USE;
	if (v4)
		mnl_attr_put(nlh, NDA_DST, 4, &addr->s6_addr[12]);
	else
		mnl_attr_put(nlh, NDA_DST, 16, addr);
	/* Sent on the event socket: a refusal comes back there, where input
	 * ignores it, instead of confusing the next dump on the other one. */
	if (mnl_socket_sendto(m->ev, nlh, nlh->nlmsg_len) < 0)
		m->st.errors++;
}

const struct nl_mirror_stats *nl_mirror_get_stats(const struct xrt_router *r)
{
	return r->mirror ? &r->mirror->st : NULL;
}
