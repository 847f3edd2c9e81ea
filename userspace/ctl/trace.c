/* xrt: `xrt trace`: one session at a time, streamed to its control connection from the fast path's trace ring, as `xrt monitor` streams events. */
#define _GNU_SOURCE
#include "ctl/trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <stddef.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/trace.h"
#include "cli/utils.h"
#include "ctl/local_stats.h"
#include "ctl/server.h"
#include "stack/stack_stats.h"
#include <sys/socket.h>
#include "dataplane/trace.h"
#include "xrt/counters.h"
#include "xrt/proto.h"

#define NAME_OF(id, name) name,
static const char *const DROP_NAMES[] = { XRT_DROP_LIST(NAME_OF) };
static const char *const PASS_NAMES[] = { XRT_PASS_LIST(NAME_OF) };
static const char *const MIB_NAMES[] = { XRT_MIB_LIST(NAME_OF) };
#define STAGE_NAME(id, fn) #fn,
/* A stage missing from XRT_TRACE_STAGE_LIST prints as unnamed_stage. */
static const char *const STAGE_NAMES[] = { "unnamed_stage", XRT_TRACE_STAGE_LIST(STAGE_NAME) };

/* A reader that stops reading never stalls xrtd: sends never block, and
 * while one packet's output waits the ring is not read (records then pile
 * up there, and a full ring is counted). Waiting output is retried this
 * often; a session that has ended waits for its reader CTL_SEND_TIMEOUT_S
 * at most, then the connection is shut down. */
#define TRACE_RETRY_MS 50
/* The session's socket buffer, whatever net.core.wmem_default says (the
 * kernel doubles it): about a hundred packets' output in flight. */
#define TRACE_SNDBUF (64 * 1024)
/* A packet punted to xrtd waits for the slow path's outcome (stack_rx) at
 * most this long, and at most this many wait at once; then it is printed
 * without it. */
#define TRACE_HOLD 16
#define TRACE_HOLD_MS 100

static struct {
	struct xrt_router *r;
	struct xrt_tracer tracer;
	bool ready;
	int fd; /* the session's connection, -1: none */
	bool json;
	uint32_t want, seen;
	uint64_t deadline_ms;
	uint64_t lost_start, lost0; /* the ring's lost count at start, at the last look */
	/* Framed messages not yet sent ([u32 length][message]...), from off:
	 * one packet's output at most, or the summary and the final answer. */
	struct xrt_buf q;
	size_t off;
	bool ending; /* tracing off, summary queued: gone once q is sent */
	/* Punted packets waiting for the slow path (free: n == 0). */
	struct held {
		struct xrt_trace_rec rec;
		uint32_t n; /* its number in the session */
		uint64_t at_ms;
	} hold[TRACE_HOLD];
	struct stack_stats before; /* the slow path's counters before stack_rx */
	int punt_slot;             /* the held packet stack_rx is handling, or -1 */
} S = { .fd = -1, .punt_slot = -1 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int on_record(void *ctx, const struct xrt_trace_rec *rec);

int ctl_trace_init(struct xrt_router *r, char *err)
{
	int rc = xrt_tracer_open(&S.tracer, r->maps.pin_dir, on_record, NULL, err);

	if (rc)
		return rc;
	/* A previous xrtd may have died tracing. */
	xrt_tracer_stop(&S.tracer);
	S.r = r;
	S.ready = true;
	return xrt_tracer_fd(&S.tracer);
}

void ctl_trace_fini(void)
{
	if (S.ready)
		xrt_tracer_close(&S.tracer);
	S.ready = false;
	S.fd = -1;
}

/* A prefix as the filter's network and mask, network byte order. */
static void prefix_mask(const struct in6_addr *a, unsigned plen, __u32 net[4], __u32 mask[4])
{
	uint8_t m[16] = { 0 };

	for (unsigned i = 0; i < 16; i++)
		m[i] = plen >= (i + 1) * 8 ? 0xff : plen > i * 8 ? (uint8_t)(0xff << (8 - plen % 8)) : 0;
	memcpy(mask, m, 16);
	for (unsigned i = 0; i < 4; i++)
		net[i] = a->s6_addr32[i] & mask[i];
}

int ctl_trace_start(int fd, int argc, char **argv, bool json, char *err)
{
	struct xrt_trace_cfg f = { 0 };
	struct cmd_trace t;
	int rc = trace_parse(argc, argv, &t, err);

	if (rc)
		return rc;
	if (!S.ready)
		return xrt_fail(err, -EOPNOTSUPP, "trace: the fast path has no trace ring (%s/%s)",
				S.r ? S.r->maps.pin_dir : "bpffs", XRT_MAP_TRACE_RING);
	if (S.fd >= 0) {
		xrt_local_stats.trace_refused++;
		return xrt_fail(err, -EBUSY, "trace: another xrt trace is running (one at a time)");
	}
	if (t.dev[0]) {
		struct xrt_link *l = router_link_need(S.r, t.dev, err);

		if (!l)
			return -ENODEV;
		f.flags |= XRT_TRACE_F_DEV;
		f.ifindex = (uint32_t)l->dev.ifindex;
	}
	if (t.has_from) {
		f.flags |= XRT_TRACE_F_SRC;
		prefix_mask(&t.from, t.from_plen, f.src, f.src_mask);
	}
	if (t.has_to) {
		f.flags |= XRT_TRACE_F_DST;
		prefix_mask(&t.to, t.to_plen, f.dst, f.dst_mask);
	}
	if (t.has_proto) {
		f.flags |= XRT_TRACE_F_PROTO;
		f.proto = t.proto;
	}
	int sndbuf = TRACE_SNDBUF;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	S.fd = fd;
	S.json = json;
	S.want = t.count;
	S.seen = 0;
	S.deadline_ms = now_ms() + (uint64_t)t.timeout * 1000;
	S.lost_start = S.lost0 = xrt_tracer_lost(&S.tracer);
	xrt_tracer_start(&S.tracer, &f);
	return 0;
}

bool ctl_trace_is(int fd)
{
	return fd >= 0 && S.fd == fd;
}

static void account_lost(void)
{
	uint64_t lost = xrt_tracer_lost(&S.tracer);

	xrt_local_stats.trace_lost += lost - S.lost0;
	S.lost0 = lost;
}

static void session_end(void)
{
	xrt_tracer_stop(&S.tracer);
	account_lost();
	xrt_buf_free(&S.q);
	S.off = 0;
	S.ending = false;
	S.fd = -1;
	memset(S.hold, 0, sizeof(S.hold));
}

void ctl_trace_del(int fd)
{
	if (ctl_trace_is(fd))
		session_end();
}

/* Queue one message of the control protocol (ctl/ctl_proto.h). */
static void queue(uint32_t flags, const char *text, size_t len)
{
	struct xrt_ctl_resp h = { .magic = XRT_CTL_MAGIC, .flags = flags, .ndone = 1 };
	uint32_t n = (uint32_t)(sizeof(h) + len);

	xrt_buf_add(&S.q, &n, sizeof(n));
	xrt_buf_add(&S.q, &h, sizeof(h));
	xrt_buf_add(&S.q, text, len);
}

/* Send what is queued without blocking; true when all of it went. A
 * reader that is gone ends the session (its EOF closes the connection). */
static bool flush(void)
{
	while (S.off < S.q.len) {
		uint32_t n;

		memcpy(&n, S.q.data + S.off, sizeof(n));
		ssize_t k = send(S.fd, S.q.data + S.off + sizeof(n), n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (k != (ssize_t)n) {
			if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return false;
			session_end();
			return false;
		}
		S.off += sizeof(n) + n;
	}
	S.q.len = S.off = 0;
	if (S.ending)
		session_end();
	return true;
}

/* Tracing off, the summary and the final answer queued; the connection
 * stays for the CLI to close. */
static void finish(const char *why)
{
	struct xrt_buf out = { 0 };
	uint64_t lost;

	xrt_tracer_stop(&S.tracer);
	lost = xrt_tracer_lost(&S.tracer) - S.lost_start;
	account_lost();
	if (S.json) {
		json_object *o = json_object_new_object();

		JADD(o, "type", JSTR("end"));
		JADD(o, "packets", JINT(S.seen));
		JADD(o, "lost", JINT(lost));
		JADD(o, "reason", JSTR(why));
		json_print(&out, o);
	} else {
		xrt_buf_printf(&out, "%u packet%s traced (%s), %llu record%s lost (ring full)\n",
			       S.seen, S.seen == 1 ? "" : "s", why, (unsigned long long)lost,
			       lost == 1 ? "" : "s");
	}
	queue(XRT_CTL_F_MORE, out.data, out.len);
	queue(0, "", 0);
	xrt_buf_free(&out);
	S.ending = true;
	/* The reader gets CTL_SEND_TIMEOUT_S more to take it. */
	S.deadline_ms = now_ms() + CTL_SEND_TIMEOUT_S * 1000;
	flush();
}

static const char *ifname(int ifindex, char buf[IF_NAMESIZE])
{
	const char *n = dev_name(S.r, ifindex);

	if (strcmp(n, "?"))
		return n;
	if (if_indextoname((unsigned)ifindex, buf))
		return buf;
	snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
	return buf;
}

static const char *proto_name(uint8_t p, char buf[8])
{
	switch (p) {
	case IPPROTO_ICMP:
		return "icmp";
	case NEXTHDR_TCP:
		return "tcp";
	case NEXTHDR_UDP:
		return "udp";
	case NEXTHDR_ICMP:
		return "icmpv6";
	}
	snprintf(buf, 8, "%u", p);
	return buf;
}

static bool rec_has_addrs(const struct xrt_trace_rec *rec)
{
	return rec->ethertype == htons(ETH_P_IPV6) || rec->ethertype == htons(ETH_P_IP);
}

/* A step's reason: the counter the helper bumped. */
static const char *step_reason(const struct xrt_trace_step *s)
{
	if (s->kind == XRT_TRACE_K_DROP && s->why < XRT_DROP_MAX)
		return DROP_NAMES[s->why];
	if (s->kind == XRT_TRACE_K_PASS && s->why < XRT_PASS_MAX)
		return PASS_NAMES[s->why];
	return NULL;
}

static const char *punt_name(const struct xrt_trace_rec *rec)
{
	return rec->punt && rec->punt <= XRT_PUNT_MAX ? xrt_punt_names[rec->punt - 1] : NULL;
}

/* What a stage decided, in words: "next", "drop blackhole", ... */
static void step_text(const struct xrt_trace_rec *rec, const struct xrt_trace_step *s,
		      bool last, struct xrt_buf *b)
{
	const char *why = step_reason(s), *punt = last ? punt_name(rec) : NULL;

	switch (s->verdict) {
	case XRT_TRACE_V_NEXT:
		xrt_buf_printf(b, "next");
		break;
	case XDP_DROP:
		xrt_buf_printf(b, "drop %s", why ? why : "");
		break;
	case XDP_PASS:
		if (punt)
			xrt_buf_printf(b, "punt %s, ", punt);
		xrt_buf_printf(b, "pass %s", why ? why : "");
		break;
	case XDP_TX:
		xrt_buf_printf(b, "tx");
		break;
	case XDP_REDIRECT:
		xrt_buf_printf(b, punt ? "punt %s" : "redirect", punt);
		break;
	default:
		xrt_buf_printf(b, "verdict %u", s->verdict);
	}
}

/* The route the fast path's FIB walk found (fib6_lookup): the RIB's
 * programmed route for the destination (and source, for source-specific
 * routes) in the ingress link's table. */
static const struct rib_route *route_of(const struct xrt_trace_rec *rec)
{
	struct xrt_link *l = router_link_by_ifindex(S.r, (int)rec->ifindex);
	struct in6_addr d, sa;

	if (!l || !rec_has_addrs(rec))
		return NULL;
	memcpy(&d, rec->daddr, sizeof(d));
	memcpy(&sa, rec->saddr, sizeof(sa));
	return rib_lookup_src(S.r->rib, l->dev.table, &d, &sa);
}

static bool rec_has_gw(const struct xrt_trace_rec *rec)
{
	static const uint8_t zero[16];

	return memcmp(rec->gw, zero, sizeof(zero)) != 0;
}

/* The verdict in words, and its kind for -j. */
static const char *verdict_text(const struct xrt_trace_rec *rec, struct xrt_buf *b)
{
	const struct xrt_trace_step *s = rec->nsteps ? &rec->step[rec->nsteps - 1] : NULL;
	const char *why = s ? step_reason(s) : NULL, *punt = punt_name(rec);
	char dev[IF_NAMESIZE], a[INET6_ADDRSTRLEN];

	if (punt && (!s || s->verdict == XDP_REDIRECT)) {
		xrt_buf_printf(b, "punted: %s", punt);
		return "punted";
	}
	if (punt) {
		xrt_buf_printf(b, "punted: %s, no AF_XDP socket: passed to the kernel: %s", punt,
			       why ? why : "");
		return "punted";
	}
	if (!s) {
		xrt_buf_printf(b, "no stage ran");
		return "unknown";
	}
	switch (s->verdict) {
	case XDP_DROP:
		xrt_buf_printf(b, "dropped: %s", why ? why : "");
		return "dropped";
	case XDP_PASS:
		xrt_buf_printf(b, "passed to the kernel: %s", why ? why : "");
		return "passed";
	case XDP_TX:
	case XDP_REDIRECT:
		xrt_buf_printf(b, "forwarded out dev %s",
			       ifname((int)(rec->oif ? rec->oif : rec->ifindex), dev));
		if (rec_has_gw(rec))
			xrt_buf_printf(b, " via %s", ntop((const struct in6_addr *)rec->gw, a));
		return "forwarded";
	}
	xrt_buf_printf(b, "verdict %u", s->verdict);
	return "unknown";
}

static void rec_json(const struct xrt_trace_rec *rec, uint32_t n, const char *slow,
		     struct xrt_buf *out)
{
	json_object *o = json_object_new_object(), *steps = json_object_new_array();
	char dev[IF_NAMESIZE], a[INET6_ADDRSTRLEN], pb[8];
	struct xrt_buf v = { 0 };
	const struct rib_route *rt = route_of(rec);

	JADD(o, "type", JSTR("packet"));
	JADD(o, "packet", JINT(n));
	JADD(o, "dev", JSTR(ifname((int)rec->ifindex, dev)));
	JADD(o, "len", JINT(rec->len));
	if (rec_has_addrs(rec)) {
		JADD(o, "src", JSTR(ntop((const struct in6_addr *)rec->saddr, a)));
		JADD(o, "dst", JSTR(ntop((const struct in6_addr *)rec->daddr, a)));
		JADD(o, "proto", JSTR(proto_name(rec->proto, pb)));
		JADD(o, "hlim", JINT(rec->hlim));
	}
	for (unsigned i = 0; i < rec->nsteps && i < XRT_TRACE_MAX_STEPS; i++) {
		json_object *s = json_object_new_object();
		struct xrt_buf d = { 0 };
		const struct xrt_trace_step *st = &rec->step[i];

		JADD(s, "stage", JSTR(STAGE_NAMES[st->stage < XRT_TRACE_STAGE_MAX ? st->stage : 0]));
		step_text(rec, st, i + 1 == rec->nsteps, &d);
		JADD(s, "decision", JSTR(d.data ? d.data : ""));
		xrt_buf_free(&d);
		json_object_array_add(steps, s);
	}
	JADD(o, "stages", steps);
	if (rt) {
		fmt_prefix(&rt->node->prefix, rt->node->plen, a, sizeof(a));
		JADD(o, "route", JSTR(a));
	}
	if (rec->nh_id)
		JADD(o, "nexthop", JINT(rec->nh_id));
	if (rec->oif)
		JADD(o, "oif", JSTR(ifname((int)rec->oif, dev)));
	if (rec_has_gw(rec))
		JADD(o, "via", JSTR(ntop((const struct in6_addr *)rec->gw, a)));
	JADD(o, "verdict", JSTR(verdict_text(rec, &v)));
	JADD(o, "reason", JSTR(v.data ? v.data : ""));
	if (slow)
		JADD(o, "slow_path", JSTR(slow));
	xrt_buf_free(&v);
	json_print(out, o);
}

static void rec_text(const struct xrt_trace_rec *rec, uint32_t n, const char *slow,
		     struct xrt_buf *out)
{
	char dev[IF_NAMESIZE], a[INET6_ADDRSTRLEN], pb[8];
	const struct rib_route *rt = route_of(rec);

	xrt_buf_printf(out, "packet %u: dev %s len %u", n, ifname((int)rec->ifindex, dev),
		       rec->len);
	if (rec_has_addrs(rec)) {
		xrt_buf_printf(out, " %s", ntop((const struct in6_addr *)rec->saddr, a));
		xrt_buf_printf(out, " > %s %s hlim %u", ntop((const struct in6_addr *)rec->daddr, a),
			       proto_name(rec->proto, pb), rec->hlim);
	} else {
		xrt_buf_printf(out, " ethertype 0x%04x", ntohs(rec->ethertype));
	}
	xrt_buf_printf(out, "\n");
	for (unsigned i = 0; i < rec->nsteps && i < XRT_TRACE_MAX_STEPS; i++) {
		const struct xrt_trace_step *st = &rec->step[i];

		xrt_buf_printf(out, "  %s: ",
			       STAGE_NAMES[st->stage < XRT_TRACE_STAGE_MAX ? st->stage : 0]);
		step_text(rec, st, i + 1 == rec->nsteps, out);
		/* The route stage: what the FIB walk chose. */
		if ((st->stage == XRT_TRACE_IP6_ROUTE_INPUT || st->stage == XRT_TRACE_IP_ROUTE_INPUT) &&
		    (rt || rec->oif)) {
			/* xrt's tries: fib6_lookup for IPv6, fib_lookup for IPv4 */
			xrt_buf_printf(out, " (%s:",
				       st->stage == XRT_TRACE_IP6_ROUTE_INPUT ? "fib6_lookup" : "fib_lookup");
			if (rt) {
				fmt_prefix(&rt->node->prefix, rt->node->plen, a, sizeof(a));
				xrt_buf_printf(out, " route %s", a);
			}
			if (rec->nh_id)
				xrt_buf_printf(out, " nexthop %u", rec->nh_id);
			if (rec_has_gw(rec))
				xrt_buf_printf(out, " via %s", ntop((const struct in6_addr *)rec->gw, a));
			if (rec->oif)
				xrt_buf_printf(out, " dev %s", ifname((int)rec->oif, dev));
			if (rec->mtu)
				xrt_buf_printf(out, " mtu %u", rec->mtu);
			xrt_buf_printf(out, ")");
		}
		xrt_buf_printf(out, "\n");
	}
	xrt_buf_printf(out, "  ");
	verdict_text(rec, out);
	xrt_buf_printf(out, "\n");
	if (slow)
		xrt_buf_printf(out, "  stack_rx: %s\n", slow);
}

/* Queue one packet's output; true when everything queued went out. */
static bool emit(const struct xrt_trace_rec *rec, uint32_t n, const char *slow)
{
	struct xrt_buf out = { 0 };

	if (S.json)
		rec_json(rec, n, slow, &out);
	else
		rec_text(rec, n, slow, &out);
	queue(XRT_CTL_F_MORE, out.data, out.len);
	xrt_buf_free(&out);
	return flush();
}

/* Held packets older than TRACE_HOLD_MS (all with force) go out without
 * the slow path's outcome. */
static void hold_expire(bool force)
{
	uint64_t now = now_ms();

	for (int i = 0; i < TRACE_HOLD && S.fd >= 0; i++) {
		struct held *h = &S.hold[i];

		if (h->n && (force || now - h->at_ms >= TRACE_HOLD_MS)) {
			uint32_t n = h->n;

			h->n = 0;
			emit(&h->rec, n, NULL);
		}
	}
}

/* Punted to xrtd's AF_XDP socket (not passed to the kernel for want of one). */
static bool punted_to_xsk(const struct xrt_trace_rec *rec)
{
	return rec->punt && rec->nsteps && rec->step[rec->nsteps - 1].verdict == XDP_REDIRECT;
}

static bool hold(const struct xrt_trace_rec *rec, uint32_t n)
{
	for (int i = 0; i < TRACE_HOLD; i++)
		if (!S.hold[i].n) {
			S.hold[i] = (struct held){ .rec = *rec, .n = n, .at_ms = now_ms() };
			return true;
		}
	return false;
}

static int on_record(void *ctx, const struct xrt_trace_rec *rec)
{
	(void)ctx;
	if (S.fd < 0 || S.ending || S.seen >= S.want)
		return 0; /* in flight when the session ended: dropped */
	S.seen++;
	/* A punt: printed once the slow path has seen it (ctl_trace_punt_end). */
	if (punted_to_xsk(rec) && hold(rec, S.seen))
		return 0;
	/* The reader is behind: leave the rest in the ring. */
	return emit(rec, S.seen, NULL) || S.fd < 0 ? 0 : -EAGAIN;
}

static bool holding(void)
{
	for (int i = 0; i < TRACE_HOLD; i++)
		if (S.hold[i].n)
			return true;
	return false;
}

/* Waiting output first, then the ring; the count ends the session. */
static void run(void)
{
	if (S.fd >= 0 && !flush())
		return;
	xrt_tracer_consume(&S.tracer);
	if (S.fd >= 0)
		account_lost(); /* `xrt stats` sees it while the session runs */
	hold_expire(false);
	if (S.fd >= 0 && !S.ending && S.seen >= S.want && !holding())
		finish("count");
}

void ctl_trace_poll(void)
{
	if (S.ready)
		run();
}

int ctl_trace_timeout_ms(void)
{
	if (S.fd < 0)
		return -1;
	uint64_t now = now_ms();
	int left = S.deadline_ms > now ? (int)(S.deadline_ms - now) : 0;
	if (S.q.len && left > TRACE_RETRY_MS)
		left = TRACE_RETRY_MS;
	/* A held punt goes out TRACE_HOLD_MS after it came, seen or not. */
	if (holding() && left > TRACE_HOLD_MS)
		left = TRACE_HOLD_MS;
	return left;
}

void ctl_trace_expire(void)
{
	if (S.fd < 0)
		return;
	run();
	if (S.fd < 0 || now_ms() < S.deadline_ms)
		return;
	if (S.ending) {
		/* The reader never took the end: let it go. */
		shutdown(S.fd, SHUT_RDWR);
		session_end();
		return;
	}
	hold_expire(true);
	if (S.fd >= 0)
		finish(S.seen >= S.want ? "count" : "timeout");
}

/* The counters stack_rx moved, by name: what the slow path did. */
static void counters_moved(const struct stack_stats *a, const struct stack_stats *b,
			   struct xrt_buf *out)
{
	for (int i = 0; i < XRT_MIB_MAX; i++)
		if (b->mib[i] != a->mib[i])
			xrt_buf_printf(out, "%s%s", out->len ? " " : "", MIB_NAMES[i]);
	for (int i = 0; i < STACK_ICMP6_MAX; i++)
		if (b->icmp6[i] != a->icmp6[i])
			xrt_buf_printf(out, "%s%s", out->len ? " " : "", stack_icmp6_names[i]);
	for (int i = 0; i < STACK_DROP_MAX; i++)
		if (b->drop[i] != a->drop[i])
			xrt_buf_printf(out, "%s%s", out->len ? " " : "", stack_drop_names[i]);
	if (!out->len)
		xrt_buf_printf(out, "no counter moved");
}

/* Is frame the packet of this record (ingress, length, addresses)? */
static bool same_packet(const struct xrt_trace_rec *rec, int ifindex, const uint8_t *frame,
			size_t len)
{
	uint8_t a[32] = { 0 };
	const size_t eth = sizeof(struct ethhdr);

	if ((int)rec->ifindex != ifindex || rec->len != len)
		return false;
	if (rec->ethertype == htons(ETH_P_IPV6)) {
		if (len < eth + sizeof(struct ip6_hdr))
			return false;
		memcpy(a, frame + eth + offsetof(struct ip6_hdr, ip6_src), 32);
	} else {
		if (rec->ethertype != htons(ETH_P_IP) || len < eth + sizeof(struct iphdr))
			return false;
		/* include/xrt/inet.h: ::ffff:a.b.c.d */
		a[10] = a[11] = a[26] = a[27] = 0xff;
		memcpy(a + 12, frame + eth + offsetof(struct iphdr, saddr), 4);
		memcpy(a + 28, frame + eth + offsetof(struct iphdr, daddr), 4);
	}
	return !memcmp(a, rec->saddr, 16) && !memcmp(a + 16, rec->daddr, 16);
}

bool ctl_trace_punt_begin(int ifindex, const uint8_t *frame, size_t len)
{
	S.punt_slot = -1;
	if (S.fd < 0 || S.ending)
		return false;
	/* The fast path wrote this frame's record before redirecting it:
	 * reading the ring now finds it, if it was traced. Matched before
	 * the stack, which may rewrite the frame in place. */
	run();
	for (int i = 0; i < TRACE_HOLD && S.fd >= 0; i++)
		if (S.hold[i].n && same_packet(&S.hold[i].rec, ifindex, frame, len)) {
			S.punt_slot = i;
			stack_stats_get(&S.before);
			return true;
		}
	return false;
}

void ctl_trace_punt_end(void)
{
	static struct stack_stats after;
	struct xrt_buf moved = { 0 };
	int i = S.punt_slot;

	S.punt_slot = -1;
	if (S.fd < 0 || i < 0 || !S.hold[i].n)
		return;
	stack_stats_get(&after);
	counters_moved(&S.before, &after, &moved);
	uint32_t n = S.hold[i].n;
	S.hold[i].n = 0;
	emit(&S.hold[i].rec, n, moved.data);
	xrt_buf_free(&moved);
	if (S.fd >= 0 && !S.ending && S.seen >= S.want && !holding())
		finish("count");
}
