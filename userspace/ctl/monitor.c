/* xrt: `xrt monitor`: link, address, route and neighbour changes streamed to subscribed control connections, as `ip monitor` prints them. */
#define _GNU_SOURCE
#include "ctl/monitor.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/utils.h"
#include "ctl/ctl_proto.h"
#include "ctl/local_stats.h"
#include "stack/neighbour.h"
#include "xrt/err.h"

struct monitor {
	int fd; /* -1: free */
	unsigned mask;
	bool json;
	uint64_t lost; /* dropped since the last "lost N events" line was queued */
	char *q[CTL_MONITOR_QUEUE];
	unsigned head, n;
};

static struct monitor mons[CTL_MAX_MONITORS] = { [0 ... CTL_MAX_MONITORS - 1] = { .fd = -1 } };

static const char *const KIND_NAMES[] = {
	[ROUTER_EV_LINK] = "link", [ROUTER_EV_ADDR] = "addr",
	[ROUTER_EV_ROUTE] = "route", [ROUTER_EV_NEIGH] = "neigh",
	[ROUTER_EV_RULE] = "rule",
};
#define KINDS (sizeof(KIND_NAMES) / sizeof(KIND_NAMES[0]))

int ctl_monitor_parse(int argc, char **argv, unsigned *mask, char *err)
{
	*mask = 0;
	for (int i = 1; i < argc; i++) {
		unsigned k;
		if (matches(argv[i], "all", 1)) {
			*mask = (1u << KINDS) - 1;
			continue;
		}
		for (k = 0; k < KINDS && strcmp(argv[i], KIND_NAMES[k]); k++)
			;
		if (k == KINDS)
			return xrt_fail(err, -EINVAL,
					"monitor: \"%s\" is not link, addr, route, neigh, rule or all", argv[i]);
		*mask |= 1u << k;
	}
	if (!*mask)
		*mask = (1u << KINDS) - 1;
	return 0;
}

int ctl_monitor_add(int fd, unsigned mask, bool json, char *err)
{
	for (int i = 0; i < CTL_MAX_MONITORS; i++)
		if (mons[i].fd < 0) {
			mons[i] = (struct monitor){ .fd = fd, .mask = mask, .json = json };
			return 0;
		}
	xrt_local_stats.ctl_monitors_refused++;
	return xrt_fail(err, -EBUSY, "xrtd is busy: %d monitors already running",
			CTL_MAX_MONITORS);
}

bool ctl_monitor_is(int fd)
{
	for (int i = 0; i < CTL_MAX_MONITORS; i++)
		if (mons[i].fd == fd)
			return true;
	return false;
}

void ctl_monitor_del(int fd)
{
	for (int i = 0; i < CTL_MAX_MONITORS; i++) {
		struct monitor *m = &mons[i];
		if (m->fd != fd)
			continue;
		for (unsigned k = 0; k < m->n; k++)
			free(m->q[(m->head + k) % CTL_MONITOR_QUEUE]);
		*m = (struct monitor){ .fd = -1 };
	}
}

/* One event as a chunk of a never-ending answer (XRT_CTL_F_MORE). */
static char *frame(const char *text, size_t len)
{
	struct xrt_ctl_resp h = { .magic = XRT_CTL_MAGIC, .flags = XRT_CTL_F_MORE };
	char *f = malloc(sizeof(h) + len + sizeof(uint32_t));
	if (!f)
		return NULL;
	/* The length rides in front so the queue needs no second array. */
	uint32_t n = (uint32_t)(sizeof(h) + len);
	memcpy(f, &n, sizeof(n));
	memcpy(f + sizeof(n), &h, sizeof(h));
	memcpy(f + sizeof(n) + sizeof(h), text, len);
	return f;
}

static void push(struct monitor *m, const char *text, size_t len)
{
	char *f = m->n < CTL_MONITOR_QUEUE ? frame(text, len) : NULL;
	if (!f) {
		m->lost++;
		xrt_local_stats.ctl_monitor_lost++;
		return;
	}
	m->q[(m->head + m->n++) % CTL_MONITOR_QUEUE] = f;
}

/* After a gap the reader learns how many events it missed, in the place
 * where they were missed (as `ip monitor` reports ENOBUFS): the line goes
 * in as soon as there is room, before anything newer. */
static void queue_lost(struct monitor *m)
{
	if (!m->lost || m->n == CTL_MONITOR_QUEUE)
		return;
	char line[64];
	int k = snprintf(line, sizeof(line), "lost %llu events\n", (unsigned long long)m->lost);
	m->lost = 0;
	push(m, line, (size_t)k);
}

static void queue(struct monitor *m, const char *text, size_t len)
{
	queue_lost(m);
	push(m, text, len);
}

static void format(struct xrt_router *r, const struct router_ev *ev, bool json, struct xrt_buf *b)
{
	char a[INET6_ADDRSTRLEN], mac[18];
	json_object *o = NULL;
	if (json) {
		o = ev->kind == ROUTER_EV_ROUTE ? route_json(r, ev->route)
		    : ev->kind == ROUTER_EV_RULE ? rule_json(ev->rule)
						 : json_object_new_object();
		JADD(o, "type", JSTR(KIND_NAMES[ev->kind]));
		JADD(o, "deleted", JBOOL(ev->deleted));
	} else if (ev->deleted) {
		xrt_buf_printf(b, "Deleted ");
	}
	switch (ev->kind) {
	case ROUTER_EV_LINK:
		/* Attach and detach: the name alone; a change (admin state,
		 * MTU): the state after it, as `ip monitor link` ends its line. */
		if (o) {
			JADD(o, "ifname", JSTR(dev_name(r, ev->ifindex)));
			if (!ev->deleted) {
				JADD(o, "change", JBOOL(ev->change));
				JADD(o, "up", JBOOL(ev->up));
				JADD(o, "mtu", JINT(ev->mtu));
			}
		} else if (ev->change) {
			xrt_buf_printf(b, "link %s %s mtu %u\n", dev_name(r, ev->ifindex),
				       ev->up ? "up" : "down", ev->mtu);
		} else {
			xrt_buf_printf(b, "link %s\n", dev_name(r, ev->ifindex));
		}
		break;
	case ROUTER_EV_ADDR:
		ntop(&ev->addr, a);
		if (o) {
			JADD(o, "dev", JSTR(dev_name(r, ev->ifindex)));
			JADD(o, "family", JSTR(family_name(inet_family(&ev->addr))));
			JADD(o, "local", JSTR(a));
			JADD(o, "prefixlen", JINT(user_plen(&ev->addr, ev->plen)));
		} else {
			xrt_buf_printf(b, "dev %s %s %s/%u\n", dev_name(r, ev->ifindex),
				       family_name(inet_family(&ev->addr)), a,
				       user_plen(&ev->addr, ev->plen));
		}
		break;
	case ROUTER_EV_ROUTE:
		if (!o)
			route_text(r, ev->route, b);
		break;
	case ROUTER_EV_RULE:
		if (!o)
			rule_text(ev->rule, b);
		break;
	case ROUTER_EV_NEIGH:
		ntop(&ev->addr, a);
		fmt_mac(ev->mac, mac);
		if (o) {
			JADD(o, "dst", JSTR(a));
			JADD(o, "dev", JSTR(dev_name(r, ev->ifindex)));
			if (!ev->deleted) {
				JADD(o, "lladdr", JSTR(mac));
				JADD(o, "state", JSTR(neigh_state_name(ev->state)));
			}
		} else if (ev->deleted) {
			xrt_buf_printf(b, "%s dev %s\n", a, dev_name(r, ev->ifindex));
		} else {
			xrt_buf_printf(b, "%s dev %s lladdr %s %s\n", a, dev_name(r, ev->ifindex), mac,
				       neigh_state_name(ev->state));
		}
		break;
	}
	if (o) {
		xrt_buf_printf(b, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
}

void ctl_monitor_event(void *router, const struct router_ev *ev)
{
	struct xrt_buf txt = { 0 }, js = { 0 };
	for (int i = 0; i < CTL_MAX_MONITORS; i++) {
		struct monitor *m = &mons[i];
		if (m->fd < 0 || !(m->mask & (1u << ev->kind)))
			continue;
		struct xrt_buf *b = m->json ? &js : &txt;
		if (!b->len)
			format(router, ev, m->json, b);
		if (b->len)
			queue(m, b->data, b->len);
	}
	xrt_buf_free(&txt);
	xrt_buf_free(&js);
	ctl_monitor_flush();
}

static int send_frame(int fd, const char *f)
{
	uint32_t n;
	memcpy(&n, f, sizeof(n));
	ssize_t k = send(fd, f + sizeof(n), n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (k == (ssize_t)n)
		return 0;
	return k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN : -EPIPE;
}

bool ctl_monitor_flush(void)
{
	bool pending = false;
	for (int i = 0; i < CTL_MAX_MONITORS; i++) {
		struct monitor *m = &mons[i];
		if (m->fd < 0)
			continue;
		for (;;) {
			queue_lost(m);
			if (!m->n || send_frame(m->fd, m->q[m->head]))
				break; /* EAGAIN: later; a dead peer: its EOF closes it */
			free(m->q[m->head]);
			m->head = (m->head + 1) % CTL_MONITOR_QUEUE;
			m->n--;
		}
		pending |= m->n > 0 || m->lost > 0;
	}
	return pending;
}
