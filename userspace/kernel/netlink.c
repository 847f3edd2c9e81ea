/* xrt: mirroring the kernel's IPv6 addresses, routes and neighbours over rtnetlink (libmnl). */
#include "kernel/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "stack/neighbour.h"

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
	if (rtm->rtm_family != AF_INET6)
		return;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	/* proto kernel: connected and multicast routes of the kernel's own
	 * addresses; the mirrored addresses install their own. Table local:
	 * the kernel's local routes, same story. */
	if (table >= XRT_MAX_TABLES || table == 255 || rtm->rtm_protocol == RTPROT_KERNEL ||
	    rtm->rtm_dst_len > 128)
		goto skip;
	struct rib_route_spec s = {
		.table = table, .plen = rtm->rtm_dst_len, .origin = RIB_ORIGIN_KERNEL,
		.metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : RIB_METRIC_USER,
		.mtu = route_mtu(tb[RTA_METRICS]),
	};
	addr16(tb[RTA_DST], &s.prefix);
	if (nlh->nlmsg_type == RTM_DELROUTE) {
		struct rib_match mt = { .has_metric = true, .metric = s.metric,
					.has_origin = true, .origin = RIB_ORIGIN_KERNEL };
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
						p->has_gw = addr16(a, &p->gw);
					alen -= (int)MNL_ALIGN(a->nla_len);
					a = mnl_attr_next(a);
				}
				left -= RTNH_ALIGN(nh->rtnh_len);
				nh = RTNH_NEXT(nh);
			}
		} else {
			s.npaths = 1;
			s.path[0].ifindex = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
			s.path[0].has_gw = addr16(tb[RTA_GATEWAY], &s.path[0].gw);
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
	if (ifa->ifa_family != AF_INET6)
		return;
	struct xrt_link *l = router_link_by_ifindex(r, (int)ifa->ifa_index);
	if (!l)
		return;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb);
	struct in6_addr a;
	if (!addr16(tb[IFA_ADDRESS], &a) && !addr16(tb[IFA_LOCAL], &a))
		return;
	if (nlh->nlmsg_type == RTM_DELADDR) {
		addr_del(r, l, &a, ifa->ifa_prefixlen, err);
		return;
	}
	int rc = addr_add(r, l, &a, ifa->ifa_prefixlen, ADDR_ORIGIN_KERNEL, err);
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
	if (nd->ndm_family != AF_INET6 || !router_link_by_ifindex(r, nd->ndm_ifindex))
		return;
	mnl_attr_parse(nlh, sizeof(*nd), attr_cb, tb);
	struct in6_addr a;
	if (!addr16(tb[NDA_DST], &a) || IN6_IS_ADDR_MULTICAST(&a))
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
	}
	return MNL_CB_OK;
}

/* ---- dumps ---- */

static int dump(struct xrt_router *r, uint16_t type, size_t hdrlen, char *err)
{
	struct nl_mirror *m = r->mirror;
	static char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++m->seq;
	/* rtmsg, ifaddrmsg and ndmsg all start with the family byte. */
	uint8_t *fam = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	fam[0] = AF_INET6;
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
		int rc = mnl_cb_run(buf, (size_t)n, m->seq, m->req_portid, msg_cb, r);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0) {
			xrt_err(err, "netlink dump: %s", strerror(errno));
			return -errno;
		}
	}
}

static int dump_all(struct xrt_router *r, char *err)
{
	int rc = dump(r, RTM_GETADDR, sizeof(struct ifaddrmsg), err);
	if (!rc)
		rc = dump(r, RTM_GETROUTE, sizeof(struct rtmsg), err);
	if (!rc)
		rc = dump(r, RTM_GETNEIGH, sizeof(struct ndmsg), err);
	return rc;
}

int nl_mirror_resync(struct xrt_router *r, char *err)
{
	if (!r->mirror)
		return 0;
	r->mirror->st.resyncs++;
	rib_mark(r->rib, RIB_ORIGIN_KERNEL);
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
	unsigned groups = RTMGRP_IPV6_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_NEIGH;
	int bufsz = NL_RCVBUF;
	if (!m->ev || !m->req || mnl_socket_bind(m->ev, groups, MNL_SOCKET_AUTOPID) ||
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
	nd->ndm_family = AF_INET6;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = NTF_USE;
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
