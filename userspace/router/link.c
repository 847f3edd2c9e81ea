/* xrt: attaching interfaces: XDP program (or adopting ip link's), iface entry, AF_XDP sockets, link-local. */
#include "router/link.h"
#include "router/router.h"
#include "dataplane/xdp.h"

#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>

#include "xrt/proto.h"
#include "xsk/xsk_port.h"
#include "stack/ndisc_ra.h"
#include "stack/neighbour.h"


static int if_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(ifr->ifr_name, 0, sizeof(ifr->ifr_name));
	strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
	int rc = ioctl(fd, req, ifr) ? -errno : 0;
	close(fd);
	return rc;
}

/* Receive queues with an AF_XDP socket each; 1 when the driver cannot say. */
static unsigned rx_queues(const char *name)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { .ifr_data = (void *)&ch };
	if (if_ioctl(name, SIOCETHTOOL, &ifr))
		return 1;
	unsigned n = ch.combined_count + ch.rx_count;
	if (n == 0)
		n = 1;
	return n > XRT_MAX_QUEUES ? XRT_MAX_QUEUES : n;
}

/* The fast path's slot of the link's table (rib_table_slot; link_set
 * holds it). */
static uint32_t link_table_slot(const struct xrt_router *r, const struct xrt_link *l)
{
	int slot = rib_table_slot(r->rib, l->dev.table);
	return slot < 0 ? XRT_TABLE_MAIN : (uint32_t)slot;
}

int link_program(struct xrt_router *r, struct xrt_link *l, char *err)
{
	struct xrt_iface v = {
		.slot = l->slot, .mtu = l->dev.mtu, .table = link_table_slot(r, l),
		.flags = (l->dev.forwarding ? XRT_IF_F_FORWARDING : 0) |
			 (l->kernel_local ? XRT_IF_F_KERNEL_LOCAL : 0) |
			 (l->dev.rpf == XRT_RPF_STRICT ? XRT_IF_F_RPF_STRICT : 0) |
			 (l->dev.rpf == XRT_RPF_LOOSE ? XRT_IF_F_RPF_LOOSE : 0),
		.xsk_base = l->xsk_base,
	};
	memcpy(v.mac, l->dev.mac, 6);
	return xrt_maps_iface_set(&r->maps, l->dev.ifindex, &v, err);
}

void link_release(struct xrt_router *r, struct xrt_link *l)
{
	for (unsigned q = 0; q < l->nqueues; q++) {
		if (l->xsk_fd[q] < 0)
			continue;
		xrt_maps_xsk_del(&r->maps, l->xsk_base + q, NULL);
		if (r->loop.fd_del)
			r->loop.fd_del(r->loop.ctx, l->xsk_fd[q]);
		l->xsk_fd[q] = -1;
	}
	xsk_port_close(l->dev.ifindex);
}

/*
 * The kernel releases a closed AF_XDP socket's hold on its queue a little
 * later (deferred work), so a daemon restarted at once can see EBUSY for a
 * moment (over a second on a loaded machine): retry for up to
 * XSK_BUSY_RETRIES * XSK_BUSY_WAIT_MS (3 s).
 */
#define XSK_BUSY_RETRIES 120
#define XSK_BUSY_WAIT_MS 25
static int xsk_open_retry(int ifindex, unsigned q, int *fd, char *err)
{
	int rc = xsk_port_open(ifindex, q, fd, err);
	for (int i = 0; rc == -EBUSY && i < XSK_BUSY_RETRIES; i++) {
		struct timespec ts = { .tv_nsec = XSK_BUSY_WAIT_MS * 1000000L };
		nanosleep(&ts, NULL);
		rc = xsk_port_open(ifindex, q, fd, err);
	}
	return rc;
}

/* Learn the kernel's link-local addresses of the interface. */
static void learn_link_local(struct xrt_router *r, struct xrt_link *l)
{
	struct ifaddrs *ifa0, *ifa;
	char err[XRT_ERR_LEN];
	if (getifaddrs(&ifa0))
		return;
	for (ifa = ifa0; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(ifa->ifa_name, l->dev.name))
			continue;
		const struct in6_addr *a = &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
		if (!IN6_IS_ADDR_LINKLOCAL(a))
			continue;
		if (addr_add(r, l, a, 64, ADDR_ORIGIN_KERNEL_LL, err))
			fprintf(stderr, "xrtd: %s: link-local: %s\n", l->dev.name, err);
	}
	freeifaddrs(ifa0);
}

int link_admin_state(struct xrt_router *r, struct xrt_link *l, bool up, char *err)
{
	if (up == !l->admin_down)
		return 0;
	int rc = rib_link_set_up(r->rib, l->dev.ifindex, up, err);
	if (!rc) {
		l->admin_down = !up;
		link_event(r, l);
	}
	return rc;
}

int link_set_admin(struct xrt_router *r, struct xrt_link *l, bool up, char *err)
{
	struct ifreq ifr = { 0 };
	int rc = if_ioctl(l->dev.name, SIOCGIFFLAGS, &ifr);
	if (!rc && !!(ifr.ifr_flags & IFF_UP) != up) {
		ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
		rc = if_ioctl(l->dev.name, SIOCSIFFLAGS, &ifr);
	}
	if (rc) {
		ERR("%s: the kernel refused %s: %s", l->dev.name, up ? "up" : "down", strerror(-rc));
		return rc;
	}
	/* At once, not when the link watch hears of it (it then finds
	 * nothing to change). */
	return link_admin_state(r, l, up, err);
}

void link_event(struct xrt_router *r, const struct xrt_link *l)
{
	router_event(r, &(struct router_ev){ .kind = ROUTER_EV_LINK, .ifindex = l->dev.ifindex,
					     .change = true, .up = !l->admin_down,
					     .mtu = l->dev.mtu });
}

/* The kernel driver's name (ETHTOOL_GDRVINFO), for messages. */
static void driver_name(const char *name, char *buf, size_t len)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&di };
	snprintf(buf, len, "%s", if_ioctl(name, SIOCETHTOOL, &ifr) || !di.driver[0]
					 ? "?" : di.driver);
}

/*
 * Our program on the interface: adopt the one `ip link ... xdp obj` (or a
 * previous xrtd) attached on our pins, else attach through libxdp, joining
 * a dispatcher that is already there (dataplane/xdp.c).
 */
static int link_xdp_attach(struct xrt_router *r, struct xrt_link *l,
			   const enum xrt_xdp_mode *mode, char *err)
{
	const char *name = l->dev.name;
	enum xrt_xdp_mode want = mode ? *mode : XRT_XDP_NATIVE;
	struct xrt_xdp_info in;
	int rc = xrt_maps_xdp_info(&r->maps, l->dev.ifindex, &in);
	if (rc)
		return xrt_fail(err, rc, "%s: cannot query XDP: %s", name, strerror(-rc));
	if (in.ours_id) {
		if (mode && in.mode != *mode)
			return xrt_fail(err, -EBUSY,
					"%s: our program (id %u) already runs there in %s mode, "
					"not %s", name, in.ours_id,
					xrt_xdp_mode_name(in.mode), xrt_xdp_mode_name(*mode));
		l->xdp_mode = in.mode;
		l->xdp_dispatcher = in.dispatcher;
		l->xdp_prog_id = in.ours_id;
		memcpy(l->xdp_prog_name, in.ours_name, sizeof(l->xdp_prog_name));
		return 0;
	}
	rc = xrt_maps_attach(&r->maps, l->dev.ifindex, want, err);
	if (rc == -EOPNOTSUPP && want == XRT_XDP_NATIVE) {
		char drv[32];
		driver_name(name, drv, sizeof(drv));
		return xrt_fail(err, rc, "%s: driver \"%s\" has no native XDP; attach it "
					 "with \"mode generic\"", name, drv);
	}
	if (rc) {
		/* err names the ifindex: say the name instead. */
		char why[XRT_ERR_LEN];
		snprintf(why, sizeof(why), "%s", err ? err : "");
		const char *p = strncmp(why, "ifindex ", 8) ? NULL : strchr(why, ':');
		return xrt_fail(err, rc, "%s: %s", name, p ? p + 2 : why);
	}
	l->xdp_ours = true;
	l->xdp_mode = want;
	if (!xrt_maps_xdp_info(&r->maps, l->dev.ifindex, &in)) {
		l->xdp_dispatcher = in.dispatcher;
		l->xdp_prog_id = in.ours_id;
		memcpy(l->xdp_prog_name, in.ours_name, sizeof(l->xdp_prog_name));
	}
	return 0;
}

/*
 * A frame a native-mode link forwards goes out through the target's
 * ndo_xdp_xmit (xdp_do_redirect -> dev_map_enqueue); a device without one
 * (a bridge, a dummy: the devices that need generic mode) makes the kernel
 * drop it (-EOPNOTSUPP, tracepoint xdp:xdp_redirect_err). From a
 * generic-mode link the frame leaves as an skb (dev_map_generic_redirect),
 * which every device takes. So a router mixing modes is worth a warning.
 */
static void link_warn_mixed_modes(struct xrt_router *r, const struct xrt_link *l)
{
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		const struct xrt_link *o = r->links[s];
		if (!o || o == l || o->xdp_mode == l->xdp_mode)
			continue;
		const struct xrt_link *g = l->xdp_mode == XRT_XDP_GENERIC ? l : o;
		const struct xrt_link *n = g == l ? o : l;
		fprintf(stderr,
			"xrtd: %s runs in generic mode and %s in native mode: frames %s "
			"forwards to %s are dropped by the kernel unless %s's driver has "
			"ndo_xdp_xmit (a bridge or a dummy has not); attach every link in "
			"generic mode then\n",
			g->dev.name, n->dev.name, n->dev.name, g->dev.name, g->dev.name);
		return;
	}
}

void link_xdp_refresh(struct xrt_router *r, struct xrt_link *l)
{
	struct xrt_xdp_info in;
	if (xrt_maps_xdp_info(&r->maps, l->dev.ifindex, &in))
		return;
	l->xdp_prog_id = in.ours_id;
	l->xdp_dispatcher = in.dispatcher;
	if (in.ours_id) {
		l->xdp_mode = in.mode;
		memcpy(l->xdp_prog_name, in.ours_name, sizeof(l->xdp_prog_name));
	}
}

int link_attach(struct xrt_router *r, const char *name, const enum xrt_xdp_mode *mode,
		char *err)
{
	struct xrt_link *l = router_link_by_name(r, name);
	if (l) {
		if (r->reloading || r->in_config) {
			if (mode && *mode != l->xdp_mode)
				return xrt_fail(err, -EINVAL,
						"\"%s\" runs in %s mode: detach it to change the "
						"mode to %s", name, xrt_xdp_mode_name(l->xdp_mode),
						xrt_xdp_mode_name(*mode));
			l->stale = false;
			return 0;
		}
		return xrt_fail(err, -EEXIST, "\"%s\" is already attached", name);
	}
	int ifindex = (int)if_nametoindex(name);
	if (!ifindex)
		return xrt_fail(err, -ENODEV, "unknown interface \"%s\"", name);
	unsigned slot = 1;
	while (slot < XRT_MAX_IFACES && r->links[slot])
		slot++;
	if (slot == XRT_MAX_IFACES)
		return xrt_fail(err, -ENOSPC, "too many interfaces (at most %d)",
				XRT_MAX_IFACES - 1);
	struct ifreq ifr;
	int rc = if_ioctl(name, SIOCGIFHWADDR, &ifr);
	if (rc)
		return xrt_fail(err, rc, "%s: cannot read MAC address: %s", name, strerror(-rc));
	l = calloc(1, sizeof(*l));
	if (!l)
		return xrt_fail(err, -ENOMEM, "out of memory");
	memcpy(l->dev.mac, ifr.ifr_hwaddr.sa_data, 6);
	rc = if_ioctl(name, SIOCGIFMTU, &ifr);
	if (rc) {
		xrt_err(err, "%s: cannot read MTU: %s", name, strerror(-rc));
		goto fail_free;
	}
	l->dev.mtu = (uint32_t)ifr.ifr_mtu;
	if (l->dev.mtu < IP6_MIN_MTU) {
		rc = xrt_fail(err, -EINVAL, "%s: MTU %u is below the IPv6 minimum %d", name,
			      l->dev.mtu, IP6_MIN_MTU);
		goto fail_free;
	}
	l->dev.ifindex = ifindex;
	snprintf(l->dev.name, sizeof(l->dev.name), "%s", name);
	l->dev.table = XRT_TABLE_MAIN;
	l->dev.forwarding = true;
	l->slot = (uint16_t)slot;
	l->xsk_base = slot * XRT_MAX_QUEUES;
	l->from_config = r->in_config;
	l->kernel_local = r->mirror != NULL;
	l->nqueues = rx_queues(name);
	for (unsigned q = 0; q < XRT_MAX_QUEUES; q++)
		l->xsk_fd[q] = -1;

	rc = link_xdp_attach(r, l, mode, err);
	if (rc)
		goto fail_free;
	rc = link_program(r, l, err);
	if (rc)
		goto fail_xdp;
	r->links[slot] = l;
	if (r->xsk_ready) {
		for (unsigned q = 0; q < l->nqueues; q++) {
			rc = xsk_open_retry(l->dev.ifindex, q, &l->xsk_fd[q], err);
			if (!rc)
				rc = xrt_maps_xsk_set(&r->maps, l->xsk_base + q, l->xsk_fd[q],
						      err);
			if (!rc && r->loop.fd_add)
				rc = r->loop.fd_add(r->loop.ctx, l->xsk_fd[q]);
			if (rc)
				goto fail_xsk;
		}
	}
	link_warn_mixed_modes(r, l);
	router_event(r, &(struct router_ev){ .kind = ROUTER_EV_LINK, .ifindex = l->dev.ifindex,
					     .up = !l->admin_down, .mtu = l->dev.mtu });
	learn_link_local(r, l);
	/* Attached while down: routes added later through it start dead. */
	if (!if_ioctl(name, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP) &&
	    link_admin_state(r, l, false, err))
		fprintf(stderr, "xrtd: %s: %s\n", name, err);
	return 0;

fail_xsk:
	link_release(r, l);
	r->links[slot] = NULL;
	xrt_maps_iface_del(&r->maps, ifindex, NULL);
fail_xdp:
	if (l->xdp_ours)
		xrt_maps_detach(&r->maps, ifindex, NULL);
fail_free:
	free(l);
	return rc;
}

int link_detach(struct xrt_router *r, struct xrt_link *l, char *err)
{
	/* Routes and addresses first, so nothing points at the interface
	 * when the fast path stops knowing it. */
	int rc = rib_link_down(r->rib, l->dev.ifindex, err);
	if (rc)
		return rc;
	/* RFC 4861 6.2.5: a final RA (lifetime 0) while the link-local
	 * source still exists, so hosts stop routing through us. */
	struct stack_ra_config ra_off = { .enabled = false }, ra_was;
	char ra_err[XRT_ERR_LEN];
	stack_ra_get(l->dev.ifindex, &ra_was);
	if (ra_was.enabled)
		stack_ra_set(l->dev.ifindex, &ra_off, ra_err);
	while (l->dev.naddrs) {
		unsigned i = l->dev.naddrs - 1;
		rc = addr_del(r, l, &l->dev.addr[i], l->dev.plen[i], err);
		if (rc)
			return rc;
	}
	neigh_table_flush(l->dev.ifindex, true);
	router_event(r, &(struct router_ev){ .kind = ROUTER_EV_LINK, .deleted = true,
					     .ifindex = l->dev.ifindex });
	link_release(r, l);
	xrt_maps_iface_del(&r->maps, l->dev.ifindex, err);
	if (l->xdp_ours && xrt_maps_detach(&r->maps, l->dev.ifindex, err))
		fprintf(stderr, "xrtd: %s: %s\n", l->dev.name, err);
	rib_table_put(r->rib, link_table_slot(r, l));
	r->links[l->slot] = NULL;
	free(l);
	return 0;
}

int link_set(struct xrt_router *r, struct xrt_link *l, const uint32_t *mtu,
	     const bool *forwarding, const uint32_t *table, char *err)
{
	struct xrt_link was = *l;
	int rc;
	if (mtu && *mtu != l->dev.mtu) {
		/* The kernel's MTU bounds what the NIC receives; change it first
		 * so a refusal leaves everything as it was. */
		struct ifreq ifr = { .ifr_mtu = (int)*mtu };
		rc = if_ioctl(l->dev.name, SIOCSIFMTU, &ifr);
		if (rc) {
			ERR("%s: the kernel refused mtu %u: %s", l->dev.name, *mtu,
			    strerror(-rc));
			return rc;
		}
		l->dev.mtu = *mtu;
	}
	if (forwarding)
		l->dev.forwarding = *forwarding;
	if (table && *table != l->dev.table) {
		int slot = rib_table_hold(r->rib, *table, err);
		if (slot < 0)
			return slot;
		rib_table_put(r->rib, link_table_slot(r, l));
		/* The addresses' local and connected routes live in the link's
		 * table: move them. */
		unsigned n = l->dev.naddrs;
		struct in6_addr a[XRT_MAX_ADDRS];
		uint8_t p[XRT_MAX_ADDRS], o[XRT_MAX_ADDRS];
		bool c[XRT_MAX_ADDRS];
		memcpy(a, l->dev.addr, sizeof(a));
		memcpy(p, l->dev.plen, sizeof(p));
		memcpy(o, l->addr_origin, sizeof(o));
		memcpy(c, l->addr_claim, sizeof(c));
		while (l->dev.naddrs)
			addr_del(r, l, &l->dev.addr[l->dev.naddrs - 1],
				 l->dev.plen[l->dev.naddrs - 1], err);
		l->dev.table = *table;
		for (unsigned i = 0; i < n; i++)
			if (!addr_add(r, l, &a[i], p[i], o[i], err) && c[i])
				addr_claim(r, l, &a[i], err);
	}
	rc = link_program(r, l, err);
	if (rc) {
		if (mtu && was.dev.mtu != l->dev.mtu) {
			struct ifreq ifr = { .ifr_mtu = (int)was.dev.mtu };
			if_ioctl(l->dev.name, SIOCSIFMTU, &ifr);
		}
		l->dev.mtu = was.dev.mtu;
		l->dev.forwarding = was.dev.forwarding;
		return rc;
	}
	if (forwarding && (rc = addr_anycast_sync_link(r, l, err)))
		return rc;
	if (mtu && was.dev.mtu != l->dev.mtu) {
		link_event(r, l);
		return rib_link_mtu_changed(r->rib, l->dev.ifindex, err);
	}
	return 0;
}

int link_set_rpf(struct xrt_router *r, struct xrt_link *l, uint8_t rpf, char *err)
{
	uint8_t was = l->dev.rpf;
	int rc;

	if (rpf > XRT_RPF_LOOSE)
		return xrt_fail(err, -EINVAL, "rpf %u: expected strict, loose or off", rpf);
	l->dev.rpf = rpf;
	if ((rc = link_program(r, l, err)))
		l->dev.rpf = was;
	return rc;
}
