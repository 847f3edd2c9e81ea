/* xrt: following attached interfaces in the kernel (deleted, renamed, MTU or MAC changed, set down or up). */
#include "kernel/linkwatch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "ctl/local_stats.h"
#include "router/rules.h"

#define LW_BUF 16384

int linkwatch_open(char *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID)) {
		xrt_err(err, "netlink (links): %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -errno;
	}
	/* Only the fd is kept: the event loop owns it, mnl is needed no more. */
	int fd = dup(mnl_socket_get_fd(nl));
	mnl_socket_close(nl);
	return fd < 0 ? -errno : fd;
}

void linkwatch_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFLA_MAX) >= 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xrt_router *r = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct xrt_link *l = router_link_by_ifindex(r, ifi->ifi_index);
	char err[XRT_ERR_LEN];
	/* Rules name devices, attached or not (fib_rules_event). */
	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK)
		router_rules_links_changed(r);
	if (!l || (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK))
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		/* The device is gone (and its XDP program with it): forget
		 * its routes, addresses, neighbours and sockets. */
		fprintf(stderr, "xrtd: %s disappeared: detaching\n", l->dev.name);
		l->xdp_ours = false;
		if (link_detach(r, l, err))
			fprintf(stderr, "xrtd: detach: %s\n", err);
		return MNL_CB_OK;
	}
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	if (tb[IFLA_IFNAME])
		snprintf(l->dev.name, sizeof(l->dev.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	bool changed = false;
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6 &&
	    memcmp(l->dev.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6)) {
		memcpy(l->dev.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		changed = true;
	}
	uint32_t mtu = tb[IFLA_MTU] ? mnl_attr_get_u32(tb[IFLA_MTU]) : l->dev.mtu;
	bool mtu_changed = mtu != l->dev.mtu && mtu >= 1280;
	if (mtu_changed) {
		l->dev.mtu = mtu;
		changed = true;
	}
	if (changed && link_program(r, l, err))
		fprintf(stderr, "xrtd: %s: %s\n", l->dev.name, err);
	if (mtu_changed && rib_link_mtu_changed(r->rib, l->dev.ifindex, err))
		fprintf(stderr, "xrtd: %s: %s\n", l->dev.name, err);
	if (mtu_changed)
		link_event(r, l);
	/* Admin state only, like fib6_ifdown on NETDEV_DOWN: a lost carrier
	 * keeps the kernel's routes usable (ignore_routes_with_linkdown 0). */
	bool up = ifi->ifi_flags & IFF_UP;
	if (up == l->admin_down) {
		fprintf(stderr, "xrtd: %s is %s: its next hops are %s\n", l->dev.name,
			up ? "up" : "down", up ? "live again" : "dead");
		if (link_admin_state(r, l, up, err))
			fprintf(stderr, "xrtd: %s: %s\n", l->dev.name, err);
	}
	return MNL_CB_OK;
}

struct resync_ctx {
	struct xrt_router *r;
	bool seen[XRT_MAX_IFACES]; /* by slot: the dump still has the link */
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct resync_ctx *c = data;
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct xrt_link *l = router_link_by_ifindex(c->r, ifi->ifi_index);
	if (l && l->slot < XRT_MAX_IFACES)
		c->seen[l->slot] = true;
	return link_cb(nlh, c->r);
}

/*
 * netlink(7): ENOBUFS means the socket's buffer overflowed and notifications
 * were dropped (a deletion, an up or down among them). As rtnetlink
 * listeners must, read the whole state again: an RTM_GETLINK dump applied
 * like the events, then every attached link the dump no longer lists is
 * gone (its RTM_DELLINK was lost) and is detached. A failed dump changes
 * nothing; the next loss tries again.
 */
static void linkwatch_resync(struct xrt_router *r)
{
	static char buf[LW_BUF];
	static struct resync_ctx c;
	memset(&c, 0, sizeof(c));
	c.r = r;
	xrt_local_stats.linkwatch_resyncs++;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID)) {
		fprintf(stderr, "xrtd: link resync: %s\n", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return;
	}
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	unsigned portid = mnl_socket_get_portid(nl);
	int rc = mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : MNL_CB_OK;
	while (rc == MNL_CB_OK) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		rc = n < 0 ? -1 : mnl_cb_run(buf, (size_t)n, 1, portid, dump_cb, &c);
	}
	int e = errno;
	mnl_socket_close(nl);
	if (rc != MNL_CB_STOP) {
		fprintf(stderr, "xrtd: link resync: %s\n", strerror(e));
		return;
	}
	char err[XRT_ERR_LEN];
	for (unsigned sl = 1; sl < XRT_MAX_IFACES; sl++) {
		struct xrt_link *l = r->links[sl];
		if (!l || c.seen[sl])
			continue;
		fprintf(stderr, "xrtd: %s disappeared (found by resync): detaching\n", l->dev.name);
		l->xdp_ours = false;
		if (link_detach(r, l, err))
			fprintf(stderr, "xrtd: detach: %s\n", err);
	}
}

void linkwatch_input(struct xrt_router *r, int fd)
{
	static char buf[LW_BUF];
	bool lost = false;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			/* Events were dropped; what is still queued is read
			 * first, then the dump replaces what was lost. */
			xrt_local_stats.linkwatch_enobufs++;
			lost = true;
			continue;
		}
		if (n <= 0)
			break;
		mnl_cb_run(buf, (size_t)n, 0, 0, link_cb, r);
	}
	if (lost)
		linkwatch_resync(r);
}
