/* xrtd: the Prometheus scrape endpoint: every counter `xrt stats` shows, in the text exposition format 0.0.4, over a bounded HTTP/1.0 server. */
#define _GNU_SOURCE
#include "daemon/metrics.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "ctl/local_stats.h"
#include "ctl/unix_sock.h"
#include "dataplane/ip6_fib.h"
#include "dataplane/maps.h"
#include "rib/rib.h"
#include "router/router.h"
#include "stack/sock.h"
#include "stack/stack_stats.h"
#include "xrt/counters.h"
#include "xrt/err.h"
#include "xsk/xsk_stats.h"

/* ---------------------------------------------------------------- render */

#define NAME_OF(id, name) name,
static const char *const MIB_NAMES[] = { XRT_MIB_LIST(NAME_OF) };
static const char *const DROP_NAMES[] = { XRT_DROP_LIST(NAME_OF) };
static const char *const PASS_NAMES[] = { XRT_PASS_LIST(NAME_OF) };
#define XSK_NAME(f, name) name,
#define XSK_VAL(f, name) xsk_stats.f,
static const char *const XSK_NAMES[] = { XSK_STATS_LIST(XSK_NAME) };
#define XSK_N (sizeof(XSK_NAMES) / sizeof(XSK_NAMES[0]))
/* xrtd's stack speaks IPv6 only: its MIB stops where IPv4's begins (as
 * cli/stats.c). */
#define SLOW_MIB_MAX XRT_MIB_IP4_IN_RECEIVES
/* A label value no interface can have (dev_valid_name refuses ':'): the
 * fast path's slot 0 and the slots of detached interfaces, so that the
 * series of one counter add up to its total. */
#define UNATTACHED ":unattached"
#define NAME_MAX_LEN 128

/* A counter's /proc/net/snmp6 or nstat name as a Prometheus metric name
 * part: "Ip6InReceives" -> "ip6_in_receives", "TcpExtTCPFastRetrans" ->
 * "tcp_ext_tcp_fast_retrans", "Ip6ReasmOKs" -> "ip6_reasm_oks"; the
 * prefix skip ("sp_", "Xsk") is dropped first. */
void metrics_snake(const char *name, const char *skip, char *out, size_t n)
{
	size_t k = 0, sl = skip ? strlen(skip) : 0;
	if (sl && !strncmp(name, skip, sl))
		name += sl;
	for (size_t i = 0; name[i] && k + 2 < n; i++) {
		char c = name[i], prev = i ? name[i - 1] : 0, next = name[i + 1];
		bool plural = next == 's' && !isalnum((unsigned char)name[i + 2]);
		if (i && isupper((unsigned char)c) &&
		    (islower((unsigned char)prev) || isdigit((unsigned char)prev) ||
		     (isupper((unsigned char)prev) && islower((unsigned char)next) && !plural)))
			out[k++] = '_';
		out[k++] = (char)tolower((unsigned char)c);
	}
	out[k] = '\0';
}

static void family(struct xrt_buf *b, const char *name, const char *type, const char *help)
{
	xrt_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escaped as the format requires: backslash, quote, newline. */
static void label_value(struct xrt_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			xrt_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			xrt_buf_add(b, "\\n", 2);
		else
			xrt_buf_add(b, v, 1);
	}
}

/* name{k1="v1",k2="v2"} value; k2 may be NULL, k1 too (no labels). */
static void sample(struct xrt_buf *b, const char *name, const char *k1, const char *v1,
		   const char *k2, const char *v2, uint64_t value)
{
	xrt_buf_printf(b, "%s", name);
	if (k1) {
		xrt_buf_printf(b, "{%s=\"", k1);
		label_value(b, v1);
		if (k2) {
			xrt_buf_printf(b, "\",%s=\"", k2);
			label_value(b, v2);
		}
		xrt_buf_add(b, "\"}", 2);
	}
	xrt_buf_printf(b, " %llu\n", (unsigned long long)value);
}

/* One family per name of a group without labels: xrt_PART_NAME[_total]. */
static void plain_group(struct xrt_buf *b, const char *part, const char *skip,
			const char *const *names, const uint64_t *vals, size_t n, bool counter,
			const char *help)
{
	char s[NAME_MAX_LEN], name[NAME_MAX_LEN + 64], h[NAME_MAX_LEN + 128];
	for (size_t i = 0; i < n; i++) {
		metrics_snake(names[i], skip, s, sizeof(s));
		snprintf(name, sizeof(name), "xrt_%s_%s%s", part, s, counter ? "_total" : "");
		snprintf(h, sizeof(h), "%s: %s", help, names[i]);
		family(b, name, counter ? "counter" : "gauge", h);
		sample(b, name, NULL, NULL, NULL, NULL, vals[i]);
	}
}

/* The fast path's counters by interface: one slot's block with its label. */
struct fp_slot {
	const char *ifname;
	struct xrt_stats st;
};

static uint64_t u64_at(const void *vals, size_t i)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)vals + i * sizeof(v), sizeof(v));
	return v;
}

static void fastpath(struct xrt_buf *b, const struct fp_slot *sl, size_t nsl)
{
	char s[NAME_MAX_LEN], name[NAME_MAX_LEN + 64], h[NAME_MAX_LEN + 128];
	for (size_t i = 0; i < XRT_MIB_MAX; i++) {
		metrics_snake(MIB_NAMES[i], NULL, s, sizeof(s));
		snprintf(name, sizeof(name), "xrt_fastpath_%s_total", s);
		snprintf(h, sizeof(h), "XDP fast path, by ingress interface: %s", MIB_NAMES[i]);
		family(b, name, "counter", h);
		for (size_t k = 0; k < nsl; k++)
			sample(b, name, "interface", sl[k].ifname, NULL, NULL, sl[k].st.mib[i]);
	}
	static const struct {
		const char *name, *help;
		size_t off, n;
		const char *const *reasons;
	} groups[] = {
		{ "xrt_fastpath_punts_total", "Packets the XDP fast path punted to xrtd, by reason",
		  offsetof(struct xrt_stats, punt), XRT_PUNT_MAX, xrt_punt_names },
		{ "xrt_fastpath_drops_total", "Packets the XDP fast path dropped, by reason",
		  offsetof(struct xrt_stats, drop), XRT_DROP_MAX, DROP_NAMES },
		{ "xrt_fastpath_passes_total", "Packets the XDP fast path left to the kernel, by reason",
		  offsetof(struct xrt_stats, pass), XRT_PASS_MAX, PASS_NAMES },
	};
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		family(b, groups[g].name, "counter", groups[g].help);
		for (size_t k = 0; k < nsl; k++)
			for (size_t i = 0; i < groups[g].n; i++)
				sample(b, groups[g].name, "interface", sl[k].ifname, "reason",
				       groups[g].reasons[i],
				       u64_at((const uint8_t *)&sl[k].st + groups[g].off, i));
	}
}

/* Per-slot reads first, the total last: counters only grow, so the total
 * is never below the attached slots' sum and the remainder never wraps. */
static int fastpath_read(struct xrt_router *r, struct fp_slot *sl, size_t *nsl, char *err)
{
	size_t n = 0;
	int rc;
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		if (!r->links[s])
			continue;
		if ((rc = xrt_maps_stats_read(&r->maps, (int)s, &sl[n].st, err)))
			return rc;
		sl[n++].ifname = r->links[s]->dev.name;
	}
	struct fp_slot *rest = &sl[n];
	if ((rc = xrt_maps_stats_read(&r->maps, -1, &rest->st, err)))
		return rc;
	rest->ifname = UNATTACHED;
	uint64_t *t = (uint64_t *)&rest->st;
	for (size_t k = 0; k < n; k++)
		for (size_t w = 0; w < sizeof(struct xrt_stats) / sizeof(uint64_t); w++) {
			uint64_t v = u64_at(&sl[k].st, w);
			t[w] = t[w] > v ? t[w] - v : 0;
		}
	*nsl = n + 1;
	return 0;
}

static void rib_gauges(struct xrt_router *r, const struct stack_stats *ss, struct xrt_buf *b)
{
	struct rib_stats rs;
	rib_get_stats(r->rib, &rs);
	family(b, "xrt_rib_routes", "gauge", "Routes in the RIB (every metric), by table id");
	/* One walk, no sort, no allocation: a scrape of a full table costs
	 * O(routes) (and at most METRICS_RENDER_BURST of them at once). */
	static struct rib_table_count tables[METRICS_MAX_TABLES];
	size_t nt = rib_table_counts(r->rib, tables, METRICS_MAX_TABLES);
	for (size_t i = 0; i < nt; i++) {
		char tb[16];
		snprintf(tb, sizeof(tb), "%u", tables[i].table);
		sample(b, "xrt_rib_routes", "table", tb, NULL, NULL, tables[i].routes);
	}
	const struct {
		const char *name, *help;
		uint64_t v;
	} g[] = {
		{ "xrt_rib_prefixes", "Prefixes (table, prefix) with at least one route", rs.nodes },
		{ "xrt_rib_nexthops", "Shared next hops the routes use", rs.nexthops },
		{ "xrt_rib_nexthop_groups", "ECMP groups the routes use", rs.groups },
		{ "xrt_rib_neighbours", "Neighbour cache entries (RFC 4861 7.3)",
		  ss->gauge[STACK_GAUGE_NEIGH_ENTRIES] },
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		family(b, g[i].name, "gauge", g[i].help);
		sample(b, g[i].name, NULL, NULL, NULL, NULL, g[i].v);
	}
	uint64_t links = 0;
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
		links += r->links[s] != NULL;
	family(b, "xrt_links", "gauge", "Interfaces attached to xrt");
	sample(b, "xrt_links", NULL, NULL, NULL, NULL, links);
}

/* Source-specific routes' bounds (rib/rib.c spass_refuse): destinations
 * with a subtree, refused routes, destinations handed to the kernel; the
 * packets so handed are xrt_fastpath_passes_total{reason="src_route_unsupported"}. */
static void src_pass_metrics(struct xrt_router *r, struct xrt_buf *b)
{
	struct rib_src_pass_stats st;

	rib_src_pass_stats(r->rib, &st);
	const struct {
		const char *name, *type, *help;
		uint64_t v;
	} m[] = {
		{ "xrt_fib_subtrees", "gauge",
		  "Destinations with source-specific routes in the fast path", st.subtrees },
		{ "xrt_fib_subtrees_refused_total", "counter",
		  "Source-specific routes refused at the subtree bounds", st.refused },
		{ "xrt_fib_subtrees_passed", "gauge",
		  "Destinations handed to the kernel: their source routes did not all fit",
		  st.passed },
		{ "xrt_fib_subtrees_waiting", "gauge",
		  "Refused source-specific routes waiting for room", st.waiting },
		{ "xrt_fib_subtrees_pass_failures_total", "counter",
		  "Refused source routes whose destination could not be handed over or wait",
		  st.pass_full + st.pend_full },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		family(b, m[i].name, m[i].type, m[i].help);
		sample(b, m[i].name, NULL, NULL, NULL, NULL, m[i].v);
	}
}

/* The fast path's FIB maps, which grow and shrink with the table
 * (dataplane/ip6_fib.c fib6_resize): as `xrt route summary` shows them. */
static void fib_metrics(struct xrt_router *r, struct xrt_buf *b)
{
	struct fib6_usage u;

	if (xrt_maps_fib_usage(&r->maps, &u, NULL))
		return;
	family(b, "xrt_fib_capacity_bytes", "gauge", "Bytes of the FIB trie's maps");
	sample(b, "xrt_fib_capacity_bytes", NULL, NULL, NULL, NULL, u.capacity_bytes);
	family(b, "xrt_fib_used_bytes", "gauge", "Bytes of the FIB trie's cells in use");
	sample(b, "xrt_fib_used_bytes", NULL, NULL, NULL, NULL, u.bytes);
	family(b, "xrt_fib_resizes_total", "counter", "FIB trie moves to other maps");
	sample(b, "xrt_fib_resizes_total", "direction", "grow", NULL, NULL, u.grows);
	sample(b, "xrt_fib_resizes_total", "direction", "shrink", NULL, NULL, u.shrinks);
	family(b, "xrt_fib_resize_failures_total", "counter",
	       "FIB trie moves the kernel refused (the change that needed one failed)");
	sample(b, "xrt_fib_resize_failures_total", NULL, NULL, NULL, NULL, u.resize_failures);
	family(b, "xrt_routes_refused_total", "counter",
	       "Route adds refused at xrtd --max-routes");
	sample(b, "xrt_routes_refused_total", NULL, NULL, NULL, NULL,
	       u.ceiling_hits + rib_routes_refused(r->rib));
	src_pass_metrics(r, b);
}

static void icmp6_types(struct xrt_buf *b, const char *name, const char *help,
			const uint64_t *per_type)
{
	family(b, name, "counter", help);
	for (int t = 0; t < 256; t++) {
		if (!per_type[t])
			continue;
		char tb[8];
		snprintf(tb, sizeof(tb), "%d", t);
		sample(b, name, "type", tb, NULL, NULL, per_type[t]);
	}
}

int metrics_render(struct xrt_router *r, struct xrt_buf *out, char *err)
{
	static struct fp_slot slots[XRT_MAX_IFACES + 1];
	static struct stack_stats ss;
	size_t nsl;
	int rc = fastpath_read(r, slots, &nsl, err);
	if (rc)
		return rc;
	stack_stats_get(&ss);
	xsk_stats_refresh();
	fastpath(out, slots, nsl);

	plain_group(out, "slowpath", NULL, MIB_NAMES, ss.mib, SLOW_MIB_MAX, true,
		    "xrtd's IPv6 stack (punted packets)");
	plain_group(out, "slowpath", NULL, stack_icmp6_names, ss.icmp6, STACK_ICMP6_MAX, true,
		    "xrtd's ICMPv6 MIB (RFC 4293)");
	icmp6_types(out, "xrt_slowpath_icmp6_in_type_total", "ICMPv6 messages xrtd received, by type",
		    ss.icmp6_in_type);
	icmp6_types(out, "xrt_slowpath_icmp6_out_type_total", "ICMPv6 messages xrtd sent, by type",
		    ss.icmp6_out_type);
	family(out, "xrt_slowpath_drops_total", "counter", "Packets xrtd's stack dropped, by reason");
	for (size_t i = 0; i < STACK_DROP_MAX; i++) {
		char s[NAME_MAX_LEN];
		metrics_snake(stack_drop_names[i], "sp_", s, sizeof(s));
		sample(out, "xrt_slowpath_drops_total", "reason", s, NULL, NULL, ss.drop[i]);
	}
	plain_group(out, "slowpath", "sp_", stack_gauge_names, ss.gauge, STACK_GAUGE_MAX, false,
		    "what xrtd's bounded tables hold now");
	plain_group(out, "slowpath", NULL, MIB_NAMES + SLOW_MIB_MAX, ss.mib + SLOW_MIB_MAX,
		    XRT_MIB_MAX - SLOW_MIB_MAX, true, "xrtd's IPv4 stack (punted packets)");
	plain_group(out, "slowpath", NULL, stack_ip4_names, ss.ip4, STACK_IP4_MAX, true,
		    "xrtd's IPv4 MIB and ARP");
	plain_group(out, "slowpath", NULL, stack_icmp_names, ss.icmp, STACK_ICMP_MAX, true,
		    "xrtd's ICMPv4 MIB (RFC 4293)");

	uint64_t sock_vals[SOCK_STATS_N];
	memcpy(sock_vals, &sockstats, sizeof(sock_vals));
	plain_group(out, "sock", "sp_", sock_stats_names, sock_vals, SOCK_STATS_N, true,
		    "xrtd's socket layer (UDP, raw, TCP)");

	const uint64_t xsk_vals[] = { XSK_STATS_LIST(XSK_VAL) };
	/* XskUmemFrames is a gauge (frames pinned now), the rest count. */
	plain_group(out, "xsk", "Xsk", XSK_NAMES, xsk_vals, XSK_N - 1, true,
		    "AF_XDP sockets between the fast path and xrtd");
	plain_group(out, "xsk", "Xsk", XSK_NAMES + XSK_N - 1, xsk_vals + XSK_N - 1, 1, false,
		    "frames of the AF_XDP sockets' UMEMs (4 KiB each)");

	uint64_t local_vals[XRT_LOCAL_STATS_N];
	memcpy(local_vals, &xrt_local_stats, sizeof(local_vals));
	plain_group(out, "local", NULL, xrt_local_stats_names, local_vals, XRT_LOCAL_STATS_N, true,
		    "xrtd's local attack surface (SECURITY.md)");

	rib_gauges(r, &ss, out);
	fib_metrics(r, out);
	return out->data || out->len == 0 ? 0 : xrt_fail(err, -ENOMEM, "metrics: out of memory");
}

/* ---------------------------------------------------------------- serve */

enum { TAG_LISTEN = 1, TAG_CONN, TAG_TIMER };
#define TAG(kind, i) (((uint64_t)(kind) << 32) | (uint32_t)(i))
#define METRICS_BACKLOG 64
#define METRICS_ACCEPT_BURST 64 /* accepts per wakeup: the loop has other work */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Close with whatever the peer sent still unread drained first: close(2)
 * on unread data sends a RST that can destroy the answer in flight
 * (tcp_close, RFC 2525 2.17). */
static void conn_close(struct metrics_server *m, struct metrics_conn *c)
{
	char sink[512];
	for (int i = 0; i < 16 && read(c->fd, sink, sizeof(sink)) > 0; i++)
		;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	xrt_buf_free(&c->out);
	c->out = (struct xrt_buf){ 0 };
	c->len = c->sent = 0;
}

static void arm_timer(struct metrics_server *m)
{
	uint64_t first = 0;
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		if (m->conns[i].fd >= 0 && (!first || m->conns[i].deadline_ms < first))
			first = m->conns[i].deadline_ms;
	struct itimerspec its = { 0 };
	if (first) {
		uint64_t now = now_ms(), ms = first > now ? first - now : 1;
		its.it_value.tv_sec = (time_t)(ms / 1000);
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	}
	timerfd_settime(m->timerfd, 0, &its, NULL);
}

static void conn_send(struct metrics_server *m, struct metrics_conn *c)
{
	while (c->sent < c->out.len) {
		ssize_t k = send(c->fd, c->out.data + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* EPOLLOUT brings us back */
		if (k <= 0) {
			conn_close(m, c);
			return;
		}
		c->sent += (size_t)k;
	}
	conn_close(m, c);
}

static void respond(struct metrics_server *m, struct metrics_conn *c, const char *status,
		    const char *extra, const char *body, size_t body_len)
{
	struct xrt_buf *o = &c->out;
	xrt_buf_printf(o,
		       "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		       "Connection: close\r\n\r\n",
		       status,
		       body ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
		       body ? body_len : strlen(status) + 1, extra ? extra : "");
	if (body)
		xrt_buf_add(o, body, body_len);
	else
		xrt_buf_printf(o, "%s\n", status);
	if (!o->data) {
		conn_close(m, c);
		return;
	}
	c->sent = 0;
	c->deadline_ms = now_ms() + METRICS_SEND_TIMEOUT_MS;
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = TAG(TAG_CONN, c - m->conns) };
	epoll_ctl(m->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	conn_send(m, c);
}

/* RFC 1945 5.1 Request-Line: Method SP Request-URI SP HTTP-Version. */
static void handle_request(struct metrics_server *m, struct metrics_conn *c)
{
	char *line = c->req, *eol = strpbrk(line, "\r\n");
	if (eol)
		*eol = '\0';
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7)) {
		xrt_local_stats.metrics_bad_requests++;
		respond(m, c, "400 Bad Request", NULL, NULL, 0);
		return;
	}
	*sp1 = *sp2 = '\0';
	char *path = sp1 + 1, *query = strchr(path, '?');
	if (query)
		*query = '\0';
	if (strcmp(path, "/metrics")) {
		respond(m, c, "404 Not Found", NULL, NULL, 0);
		return;
	}
	if (strcmp(line, "GET")) {
		respond(m, c, "405 Method Not Allowed", "Allow: GET\r\n", NULL, 0);
		return;
	}
	uint64_t now = now_ms();
	m->render_mtokens += (now - m->refill_ms) * METRICS_RENDER_PER_S;
	if (m->render_mtokens > METRICS_RENDER_BURST * 1000u)
		m->render_mtokens = METRICS_RENDER_BURST * 1000u;
	m->refill_ms = now;
	if (m->render_mtokens < 1000) {
		xrt_local_stats.metrics_rate_limited++;
		respond(m, c, "503 Service Unavailable", "Retry-After: 1\r\n", NULL, 0);
		return;
	}
	m->render_mtokens -= 1000;
	struct xrt_buf body = { 0 };
	char err[XRT_ERR_LEN];
	if (metrics_render(m->router, &body, err)) {
		xrt_buf_free(&body);
		respond(m, c, "500 Internal Server Error", NULL, NULL, 0);
		return;
	}
	xrt_local_stats.metrics_scrapes++;
	respond(m, c, "200 OK", NULL, body.data ? body.data : "", body.len);
	xrt_buf_free(&body);
}

static void conn_read(struct metrics_server *m, struct metrics_conn *c)
{
	if (c->out.data) { /* answering: EPOLLOUT */
		conn_send(m, c);
		return;
	}
	for (;;) {
		ssize_t k = read(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (k <= 0) { /* closed or reset before a whole request */
			conn_close(m, c);
			return;
		}
		c->len += (size_t)k;
		c->req[c->len] = '\0';
		/* RFC 1945 4.1: the headers end with an empty line. */
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
			handle_request(m, c);
			return;
		}
		if (c->len == sizeof(c->req) - 1) {
			xrt_local_stats.metrics_bad_requests++;
			respond(m, c, "431 Request Header Fields Too Large", NULL, NULL, 0);
			return;
		}
	}
}

/* A free slot, else the oldest connection still sending its request (an
 * idle flood cannot lock a scraper out: it only evicts its own), else -1. */
static int conn_slot(struct metrics_server *m)
{
	int oldest = -1;
	for (int i = 0; i < METRICS_MAX_CONNS; i++) {
		struct metrics_conn *c = &m->conns[i];
		if (c->fd < 0)
			return i;
		if (!c->out.data && (oldest < 0 || c->since_ms < m->conns[oldest].since_ms))
			oldest = i;
	}
	if (oldest >= 0) {
		xrt_local_stats.metrics_evicted_idle++;
		conn_close(m, &m->conns[oldest]);
	}
	return oldest;
}

static void on_listen(struct metrics_server *m, int lfd)
{
	for (int n = 0; n < METRICS_ACCEPT_BURST; n++) {
		int fd = xrt_accept(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC,
				    &xrt_local_stats.metrics_accept_shed);
		if (fd < 0)
			return; /* EAGAIN, or shed/ENFILE: the next wakeup retries */
		int i = conn_slot(m);
		if (i < 0) {
			xrt_local_stats.metrics_refused_full++;
			close(fd);
			continue;
		}
		struct metrics_conn *c = &m->conns[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG(TAG_CONN, i) };
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->len = c->sent = 0;
		c->since_ms = now_ms();
		c->deadline_ms = c->since_ms + METRICS_READ_TIMEOUT_MS;
		/* A scraper's request is usually queued before we accept: serve
		 * it now, before later connections of this burst could evict it. */
		conn_read(m, c);
	}
}

static void on_timer(struct metrics_server *m)
{
	uint64_t ticks, now = now_ms();
	if (read(m->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (int i = 0; i < METRICS_MAX_CONNS; i++) {
		struct metrics_conn *c = &m->conns[i];
		if (c->fd >= 0 && c->deadline_ms <= now) {
			xrt_local_stats.metrics_timeouts++;
			conn_close(m, c);
		}
	}
}

void metrics_run(struct metrics_server *m)
{
	struct epoll_event evs[METRICS_MAX_CONNS + METRICS_MAX_LISTEN + 1];
	int n = epoll_wait(m->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), 0);
	for (int i = 0; i < n; i++) {
		uint32_t idx = (uint32_t)evs[i].data.u64;
		switch (evs[i].data.u64 >> 32) {
		case TAG_LISTEN:
			on_listen(m, m->lfd[idx]);
			break;
		case TAG_CONN:
			if (m->conns[idx].fd >= 0)
				conn_read(m, &m->conns[idx]);
			break;
		case TAG_TIMER:
			on_timer(m);
			break;
		}
	}
	arm_timer(m);
}

/* ---------------------------------------------------------------- open */

static int listen_on(struct metrics_server *m, int family, const void *addr, uint16_t port,
		     const char *spec, char *err)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr, sizeof(s6->sin6_addr));
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, addr, sizeof(s4->sin_addr));
		len = sizeof(*s4);
	}
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return xrt_fail(err, -errno, "metrics %s: socket: %s", spec, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) /* ipv6(7): [::] alone, not IPv4 too */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, METRICS_BACKLOG)) {
		int rc = -errno;
		close(fd);
		return xrt_fail(err, rc, "metrics %s: %s", spec, strerror(-rc));
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG(TAG_LISTEN, m->nlfd) };
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int rc = -errno;
		close(fd);
		return xrt_fail(err, rc, "metrics: epoll_ctl: %s", strerror(-rc));
	}
	m->lfd[m->nlfd++] = fd;
	return 0;
}

static int parse_port(const char *s, uint16_t *port, const char *spec, char *err)
{
	char *end;
	errno = 0;
	unsigned long p = strtoul(s, &end, 10);
	if (!*s || *end || errno || p == 0 || p > 65535)
		return xrt_fail(err, -EINVAL, "metrics \"%s\": \"%s\" is not a port (1-65535)", spec,
				s);
	*port = (uint16_t)p;
	return 0;
}

int metrics_open(struct metrics_server *m, struct xrt_router *r, const char *spec, char *warn,
		 char *err)
{
	char host[INET6_ADDRSTRLEN + 2] = "";
	const char *port_s;
	uint16_t port = 0;
	int rc;
	if (warn)
		warn[0] = '\0';
	memset(m, 0, sizeof(*m));
	m->router = r;
	m->epfd = m->timerfd = -1;
	m->render_mtokens = METRICS_RENDER_BURST * 1000u;
	m->refill_ms = now_ms();
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		m->conns[i].fd = -1;
	/* "PORT", ":PORT", "ADDR:PORT", "[V6ADDR]:PORT" */
	const char *colon = strrchr(spec, ':');
	if (!colon) {
		port_s = spec;
	} else if (spec[0] == '[') {
		const char *close_br = strchr(spec, ']');
		if (!close_br || close_br + 1 != colon || (size_t)(close_br - spec - 1) >= sizeof(host))
			return xrt_fail(err, -EINVAL, "metrics \"%s\": expected [ADDR]:PORT", spec);
		memcpy(host, spec + 1, (size_t)(close_br - spec - 1));
		host[close_br - spec - 1] = '\0';
		port_s = colon + 1;
	} else {
		if ((size_t)(colon - spec) >= sizeof(host) || memchr(spec, ':', (size_t)(colon - spec)))
			return xrt_fail(err, -EINVAL,
					"metrics \"%s\": an IPv6 address goes in brackets: [ADDR]:PORT", spec);
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port_s = colon + 1;
	}
	if ((rc = parse_port(port_s, &port, spec, err)))
		return rc;
	struct in6_addr a6;
	struct in_addr a4;
	int fam = 0;
	if (host[0] && inet_pton(AF_INET6, host, &a6) == 1)
		fam = AF_INET6;
	else if (host[0] && inet_pton(AF_INET, host, &a4) == 1)
		fam = AF_INET;
	else if (host[0])
		return xrt_fail(err, -EINVAL, "metrics \"%s\": \"%s\" is not an IP address", spec,
				host);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	m->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->epfd < 0 || m->timerfd < 0) {
		rc = xrt_fail(err, -errno, "metrics: epoll/timerfd: %s", strerror(errno));
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG(TAG_TIMER, 0) };
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->timerfd, &ev)) {
		rc = xrt_fail(err, -errno, "metrics: epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	if (fam == AF_INET6) {
		rc = listen_on(m, AF_INET6, &a6, port, spec, err);
	} else if (fam == AF_INET) {
		rc = listen_on(m, AF_INET, &a4, port, spec, err);
	} else {
		/* Loopback only unless the operator names an address. */
		struct in_addr lo4 = { htonl(INADDR_LOOPBACK) };
		char e4[XRT_ERR_LEN], e6[XRT_ERR_LEN];
		int r4 = listen_on(m, AF_INET, &lo4, port, "127.0.0.1", e4);
		int r6 = listen_on(m, AF_INET6, &in6addr_loopback, port, "[::1]", e6);
		rc = r4 && r6 ? r4 : 0;
		if (rc)
			xrt_err(err, "%s; %s", e4, e6);
		else if ((r4 || r6) && warn)
			xrt_err(warn, "%s (serving the other loopback only)", r4 ? e4 : e6);
	}
	if (rc)
		goto fail;
	return 0;
fail:
	metrics_close(m);
	return rc;
}

void metrics_close(struct metrics_server *m)
{
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		if (m->conns[i].fd >= 0)
			conn_close(m, &m->conns[i]);
	for (int i = 0; i < m->nlfd; i++)
		close(m->lfd[i]);
	m->nlfd = 0;
	if (m->timerfd >= 0)
		close(m->timerfd);
	if (m->epfd >= 0)
		close(m->epfd);
	m->epfd = m->timerfd = -1;
}
