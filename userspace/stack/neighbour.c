/* xrt: the neighbour layer: NUD state machine (RFC 4861 7.3), bounded hold queues, fast-path sync. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "stack/neighbour.h"
#include "xrt/err.h"
#include "stack/stack_internal.h"
#include "xrt/limits.h"

#define NEIGH_HASH_BUCKETS 1024

struct neigh_held {
	struct neigh_held *next;
	int iif;
	size_t len;
	uint8_t data[]; /* PKT_HEADROOM bytes, then the IPv6 packet */
};

struct neighbour {
	bool used;
	int ifindex;
	struct in6_addr addr;
	uint8_t mac[6];
	uint16_t state;
	bool is_router;
	unsigned probes;
	uint64_t timer_ns; /* 0 = no timer */
	uint64_t updated_ns; /* last state change, for eviction */
	struct neigh_held *hold_head, *hold_tail;
	unsigned hold_count;
	int next; /* hash chain, -1 ends */
	/* On its interface's list of INCOMPLETE entries, oldest first. */
	bool unres_listed;
	int unres_prev, unres_next; /* -1 ends */
};

/*
 * RFC 6583 7.1: entries being resolved are bounded per interface and
 * recycled among themselves, oldest first, so a scan of an on-link /64
 * churns only its own INCOMPLETE entries and never the entries that carry
 * traffic (the kernel's neigh_forced_gc can only drop entries without a
 * timer, so a scan locks its table for the 3 s an INCOMPLETE entry lives).
 */
struct neigh_unres_dev {
	int ifindex; /* 0: slot free */
	unsigned count;
	int head, tail; /* oldest, newest */
};

/* How often STALE entries are checked for fast-path use. */
#define NEIGH_STALE_SCAN_MS 1000

static struct neighbour tbl[NEIGH_TABLE_SIZE];
static uint64_t stale_scan_due_ns;
static int buckets[NEIGH_HASH_BUCKETS];
static size_t hold_bytes;
static struct neigh_unres_dev unres_devs[XRT_MAX_IFACES];

static unsigned neigh_hash(int ifindex, const struct in6_addr *a)
{
	uint32_t h = 2166136261u ^ (uint32_t)ifindex;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return h % NEIGH_HASH_BUCKETS;
}

void neigh_init(void)
{
	neigh_fini();
	stale_scan_due_ns = 0;
	for (unsigned i = 0; i < NEIGH_HASH_BUCKETS; i++)
		buckets[i] = -1;
}

/* Empty n's hold queue oldest first, handing each packet to fn (if any)
 * once it no longer counts towards the hold limits, then freeing it. */
static void neigh_hold_drain(struct neighbour *n,
			     void (*fn)(const struct neighbour *n, struct neigh_held *h))
{
	struct neigh_held *h = n->hold_head;
	n->hold_head = n->hold_tail = NULL;
	n->hold_count = 0;
	while (h) {
		struct neigh_held *next = h->next;
		hold_bytes -= h->len;
		if (fn)
			fn(n, h);
		free(h);
		h = next;
	}
}

void neigh_fini(void)
{
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++) {
		neigh_hold_drain(&tbl[i], NULL);
		tbl[i].used = false;
		tbl[i].unres_listed = false;
	}
	memset(unres_devs, 0, sizeof(unres_devs));
	for (unsigned i = 0; i < NEIGH_HASH_BUCKETS; i++)
		buckets[i] = -1;
	hold_bytes = 0;
}

static struct neighbour *neigh_lookup(int ifindex, const struct in6_addr *addr)
{
	for (int i = buckets[neigh_hash(ifindex, addr)]; i >= 0; i = tbl[i].next)
		if (tbl[i].ifindex == ifindex && ip6_eq(&tbl[i].addr, addr))
			return &tbl[i];
	return NULL;
}

/* A packet for addr dropped here: IpOutDiscards or Ip6OutDiscards. */
static void neigh_count_discard(const struct in6_addr *addr)
{
	if (xrt_addr_is_v4(addr))
		MIB_INC(IP4_OUT_DISCARDS);
	else
		MIB_INC(OUT_DISCARDS);
}

static void neigh_destroy(struct neighbour *n);
static void neigh_set_state(struct neighbour *n, uint16_t state, uint64_t timer_ns);

static struct neigh_unres_dev *neigh_unres_dev(int ifindex, bool create)
{
	struct neigh_unres_dev *free_slot = NULL;
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++) {
		if (unres_devs[i].ifindex == ifindex)
			return &unres_devs[i];
		if (!unres_devs[i].ifindex && !free_slot)
			free_slot = &unres_devs[i];
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (struct neigh_unres_dev){ .ifindex = ifindex, .head = -1, .tail = -1 };
	return free_slot;
}

static int neigh_unres_link(struct neighbour *n)
{
	struct neigh_unres_dev *d = neigh_unres_dev(n->ifindex, true);
	if (!d)
		return -ENOSPC;
	int idx = (int)(n - tbl);
	n->unres_prev = d->tail;
	n->unres_next = -1;
	if (d->tail >= 0)
		tbl[d->tail].unres_next = idx;
	else
		d->head = idx;
	d->tail = idx;
	d->count++;
	n->unres_listed = true;
	return 0;
}

static void neigh_unres_unlink(struct neighbour *n)
{
	struct neigh_unres_dev *d = neigh_unres_dev(n->ifindex, false);
	if (!n->unres_listed || !d)
		return;
	if (n->unres_prev >= 0)
		tbl[n->unres_prev].unres_next = n->unres_next;
	else
		d->head = n->unres_next;
	if (n->unres_next >= 0)
		tbl[n->unres_next].unres_prev = n->unres_prev;
	else
		d->tail = n->unres_prev;
	n->unres_listed = false;
	if (--d->count == 0)
		d->ifindex = 0;
}

/* Recycle an INCOMPLETE entry: what it held is dropped without an error
 * (a Destination Unreachable per scanned address would only feed the
 * scan); counted once per entry and once per held packet. */
static void neigh_unres_recycle(struct neighbour *n)
{
	DROP_INC(NEIGH_UNRES_EVICTED);
	for (unsigned i = 0; i < n->hold_count; i++)
		neigh_count_discard(&n->addr);
	neigh_destroy(n);
}

/* The oldest INCOMPLETE entry of any interface (table full). */
static struct neighbour *neigh_unres_oldest(void)
{
	struct neighbour *oldest = NULL;
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++) {
		if (!unres_devs[i].ifindex || unres_devs[i].head < 0)
			continue;
		struct neighbour *n = &tbl[unres_devs[i].head];
		if (!oldest || n->updated_ns < oldest->updated_ns)
			oldest = n;
	}
	return oldest;
}

/* RFC 6583 7.1: room for one more INCOMPLETE entry on ifindex, made by
 * recycling the oldest of its INCOMPLETE entries when the interface has
 * XRT_NEIGH_INCOMPLETE_MAX of them. keep (may be NULL) is never recycled. */
static int neigh_unres_make_room(int ifindex, const struct neighbour *keep)
{
	struct neigh_unres_dev *d = neigh_unres_dev(ifindex, true);
	if (!d) { /* more interfaces resolving than can be attached */
		DROP_INC(NEIGH_TABLE_FULL);
		return -ENOSPC;
	}
	if (!d->count) /* claimed for the entry about to be linked */
		return 0;
	while (d->ifindex == ifindex && d->count >= XRT_NEIGH_INCOMPLETE_MAX) {
		struct neighbour *oldest = &tbl[d->head];
		if (oldest == keep) {
			if (oldest->unres_next < 0)
				break;
			oldest = &tbl[oldest->unres_next];
		}
		neigh_unres_recycle(oldest);
	}
	return 0;
}

/* Table full: like the kernel's forced GC, the least recently updated STALE
 * entry makes room (anyone can create STALE entries with an SLLA, so they
 * must never lock legitimate neighbours out). A STALE entry the fast path
 * forwarded through since it became STALE carries traffic: it goes to
 * DELAY (RFC 4861 7.3.3, what neigh_stale_scan would do within a second)
 * instead of being evicted. */
static struct neighbour *neigh_evict_stale(void)
{
	uint64_t now = stack_now();
	for (;;) {
		struct neighbour *victim = NULL;
		for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++)
			if (tbl[i].used && tbl[i].state == XRT_NUD_STALE &&
			    (!victim || tbl[i].updated_ns < victim->updated_ns))
				victim = &tbl[i];
		if (!victim)
			return NULL;
		if (senv.neigh_used_ns &&
		    senv.neigh_used_ns(senv.ctx, victim->ifindex, &victim->addr) >
			    victim->updated_ns) {
			DROP_INC(NEIGH_EVICT_SKIPPED_USED);
			neigh_set_state(victim, XRT_NUD_DELAY,
					now + ND_DELAY_FIRST_PROBE_TIME_MS * NSEC_PER_MSEC);
			continue;
		}
		DROP_INC(NEIGH_EVICTED);
		neigh_destroy(victim);
		return victim;
	}
}

/*
 * A new entry. When the table is full, an unused STALE entry makes room;
 * failing that, and only for an entry about to be resolved or a static one
 * (recycle_unres), the oldest INCOMPLETE entry of any interface. Entries in
 * REACHABLE, DELAY, PROBE and PERMANENT are never evicted: they carry
 * traffic, or were configured.
 */
static struct neighbour *neigh_create(int ifindex, const struct in6_addr *addr,
				      bool recycle_unres)
{
	for (unsigned i = 0; i <= NEIGH_TABLE_SIZE + 1; i++) {
		struct neighbour *n;
		if (i < NEIGH_TABLE_SIZE)
			n = &tbl[i];
		else if (i == NEIGH_TABLE_SIZE)
			n = neigh_evict_stale();
		else if (recycle_unres && (n = neigh_unres_oldest()))
			neigh_unres_recycle(n);
		else
			n = NULL;
		if (!n)
			continue;
		if (n->used)
			continue;
		memset(n, 0, sizeof(*n));
		n->used = true;
		n->ifindex = ifindex;
		n->addr = *addr;
		unsigned b = neigh_hash(ifindex, addr);
		n->next = buckets[b];
		buckets[b] = (int)(n - tbl);
		return n;
	}
	DROP_INC(NEIGH_TABLE_FULL);
	return NULL;
}

static void neigh_destroy(struct neighbour *n)
{
	bool was_programmed = n->state & XRT_NUD_VALID;
	neigh_unres_unlink(n);
	neigh_hold_drain(n, NULL);
	int idx = (int)(n - tbl);
	int *link = &buckets[neigh_hash(n->ifindex, &n->addr)];
	while (*link >= 0 && *link != idx)
		link = &tbl[*link].next;
	if (*link == idx)
		*link = n->next;
	if (was_programmed && senv.neigh_changed)
		senv.neigh_changed(senv.ctx, n->ifindex, &n->addr, n->mac, 0);
	n->used = false;
}

/* Enter a state; tell the fast path whenever what it may use changes. */
static void neigh_set_state(struct neighbour *n, uint16_t state, uint64_t timer_ns)
{
	uint16_t old = n->state;
	if (n->unres_listed && state != XRT_NUD_INCOMPLETE)
		neigh_unres_unlink(n);
	else if (!n->unres_listed && state == XRT_NUD_INCOMPLETE)
		(void)neigh_unres_link(n); /* room made by neigh_unres_make_room */
	n->state = state;
	n->timer_ns = timer_ns;
	n->probes = 0;
	n->updated_ns = stack_now();
	if ((state & XRT_NUD_VALID) && senv.neigh_changed && old != state)
		senv.neigh_changed(senv.ctx, n->ifindex, &n->addr, n->mac, state);
}

static void neigh_xmit_held(const struct neighbour *n, struct neigh_held *h)
{
	dev_xmit_ip(n->ifindex, n->mac, h->data + PKT_HEADROOM, h->len);
}

/* Transmit everything that waited for this neighbour, in order. */
static void neigh_flush_hold(struct neighbour *n)
{
	neigh_hold_drain(n, neigh_xmit_held);
}

static void neigh_hold(struct neighbour *n, const uint8_t *data, size_t len, int iif)
{
	if (n->hold_count >= NEIGH_HOLD_PKTS && n->hold_head) {
		/* Drop the oldest, as the kernel does: the newest is likelier
		 * to still matter when the answer comes. */
		struct neigh_held *old = n->hold_head;
		n->hold_head = old->next;
		if (!n->hold_head)
			n->hold_tail = NULL;
		n->hold_count--;
		hold_bytes -= old->len;
		free(old);
		DROP_INC(NEIGH_QUEUE_FULL);
		neigh_count_discard(&n->addr);
	}
	struct neigh_held *h = NULL;
	if (hold_bytes + len <= NEIGH_HOLD_BYTES_MAX)
		h = malloc(sizeof(*h) + PKT_HEADROOM + len);
	if (!h) {
		DROP_INC(NEIGH_QUEUE_FULL);
		neigh_count_discard(&n->addr);
		return;
	}
	h->next = NULL;
	h->iif = iif;
	h->len = len;
	memcpy(h->data + PKT_HEADROOM, data, len);
	if (n->hold_tail)
		n->hold_tail->next = h;
	else
		n->hold_head = h;
	n->hold_tail = h;
	n->hold_count++;
	hold_bytes += len;
}

/* The source of the packet at data of either family, or NULL. */
static const struct in6_addr *neigh_pkt_src(const uint8_t *data, size_t len, struct in6_addr *buf)
{
	if (len >= IP4_HDR_LEN && pkt_is_v4(data)) {
		*buf = ip4_mapped(((const struct iphdr_wire *)data)->saddr);
		return buf;
	}
	if (len < IP6_HDR_LEN)
		return NULL;
	memcpy(buf, &((const struct ip6_hdr_wire *)data)->saddr, sizeof(*buf));
	return buf;
}

/* The family's solicitation: ARP for an IPv4-mapped address (arp_solicit),
 * Neighbor Solicitation otherwise (ndisc_solicit). Both run the same NUD
 * machine, timers and bounds, as the kernel's arp_tbl and nd_tbl do. */
void neigh_solicit(int ifindex, const struct in6_addr *target, const uint8_t *unicast_mac,
		   const struct in6_addr *prompt_src)
{
	if (xrt_addr_is_v4(target))
		arp_solicit(ifindex, target, unicast_mac, prompt_src);
	else
		ndisc_send_ns(ifindex, target, unicast_mac, prompt_src);
}

int neigh_output(int ifindex, const struct in6_addr *nexthop, uint8_t *data,
		 size_t len, int iif)
{
	uint64_t now = stack_now();
	struct neighbour *n = neigh_lookup(ifindex, nexthop);
	if (n && (n->state & XRT_NUD_VALID)) {
		if (n->state == XRT_NUD_STALE)
			/* RFC 4861 7.3.3: first use of a stale entry. */
			neigh_set_state(n, XRT_NUD_DELAY,
					now + ND_DELAY_FIRST_PROBE_TIME_MS * NSEC_PER_MSEC);
		return dev_xmit_ip(ifindex, n->mac, data, len);
	}
	if (!n || n->state != XRT_NUD_INCOMPLETE) {
		if (neigh_unres_make_room(ifindex, n)) {
			neigh_count_discard(nexthop);
			return -ENOSPC;
		}
	}
	if (!n) {
		n = neigh_create(ifindex, nexthop, true);
		if (!n) {
			neigh_count_discard(nexthop);
			return -ENOSPC;
		}
	}
	if (n->state != XRT_NUD_INCOMPLETE) {
		/* New or FAILED: start resolution (RFC 4861 7.2.2). */
		neigh_set_state(n, XRT_NUD_INCOMPLETE, now + ND_RETRANS_TIMER_MS * NSEC_PER_MSEC);
		neigh_hold(n, data, len, iif);
		struct in6_addr src;
		neigh_solicit(ifindex, nexthop, NULL, neigh_pkt_src(data, len, &src));
		n->probes = 1;
		return 0;
	}
	neigh_hold(n, data, len, iif);
	return 0;
}

static void neigh_report_held(const struct neighbour *n, struct neigh_held *h)
{
	(void)n;
	struct pkt p = {
		.nh = h->data + PKT_HEADROOM,
		.len = h->len,
		.cap = h->len,
		.ifindex = h->iif,
	};
	DROP_INC(NEIGH_FAILED);
	if (h->len >= IP4_HDR_LEN && pkt_is_v4(p.nh)) {
		/* arp_error_report: Host Unreachable (RFC 1812 5.2.7.1). */
		MIB_INC(IP4_OUT_DISCARDS);
		p.thoff = ip4_hdr_len(p.nh);
		icmp_send(&p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		return;
	}
	MIB_INC(OUT_DISCARDS);
	icmp6_send(&p, ICMP6_DST_UNREACH, ICMP6_DU_ADDR, 0);
}

/* RFC 4861 7.2.2: resolution failed; each held packet gets Destination
 * Unreachable code 3 (address unreachable), an IPv4 one Host Unreachable. */
static void neigh_resolution_failed(struct neighbour *n)
{
	neigh_hold_drain(n, neigh_report_held);
	neigh_destroy(n);
}

/* The source of the oldest packet waiting for n (ndisc_solicit looks at
 * the head of arp_queue the same way). */
static const struct in6_addr *neigh_hold_src(const struct neighbour *n, struct in6_addr *buf)
{
	if (!n->hold_head)
		return NULL;
	return neigh_pkt_src(n->hold_head->data + PKT_HEADROOM, n->hold_head->len, buf);
}

static void neigh_timer(struct neighbour *n, uint64_t now)
{
	uint64_t retrans = now + ND_RETRANS_TIMER_MS * NSEC_PER_MSEC;
	struct in6_addr src;
	switch (n->state) {
	case XRT_NUD_INCOMPLETE:
		if (n->probes >= ND_MAX_MULTICAST_SOLICIT) {
			neigh_resolution_failed(n);
			return;
		}
		n->probes++;
		n->timer_ns = retrans;
		neigh_solicit(n->ifindex, &n->addr, NULL, neigh_hold_src(n, &src));
		return;
	case XRT_NUD_REACHABLE:
		neigh_set_state(n, XRT_NUD_STALE, 0);
		return;
	case XRT_NUD_DELAY:
		neigh_set_state(n, XRT_NUD_PROBE, retrans);
		n->probes = 1;
		neigh_solicit(n->ifindex, &n->addr, n->mac, NULL);
		return;
	case XRT_NUD_PROBE:
		if (n->probes >= ND_MAX_UNICAST_SOLICIT) {
			neigh_destroy(n);
			return;
		}
		n->probes++;
		n->timer_ns = retrans;
		neigh_solicit(n->ifindex, &n->addr, n->mac, NULL);
		return;
	default:
		n->timer_ns = 0;
		return;
	}
}

/* RFC 4861 7.3.3: a STALE entry the fast path forwarded through since it
 * became STALE goes to DELAY, so it is probed and confirmed or removed. */
static void neigh_stale_scan(uint64_t now)
{
	stale_scan_due_ns = now + NEIGH_STALE_SCAN_MS * NSEC_PER_MSEC;
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++) {
		struct neighbour *n = &tbl[i];
		if (!n->used || n->state != XRT_NUD_STALE)
			continue;
		uint64_t used = senv.neigh_used_ns(senv.ctx, n->ifindex, &n->addr);
		if (used > n->updated_ns)
			neigh_set_state(n, XRT_NUD_DELAY,
					now + ND_DELAY_FIRST_PROBE_TIME_MS * NSEC_PER_MSEC);
	}
}

void neigh_timers_run(uint64_t now)
{
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++)
		if (tbl[i].used && tbl[i].timer_ns && tbl[i].timer_ns <= now)
			neigh_timer(&tbl[i], now);
	if (senv.neigh_used_ns && now >= stale_scan_due_ns)
		neigh_stale_scan(now);
}

void neigh_gauges(uint64_t *entries, uint64_t *incomplete, uint64_t *hold)
{
	uint64_t n = 0, unres = 0;
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++)
		n += tbl[i].used;
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++)
		unres += unres_devs[i].count;
	*entries = n;
	*incomplete = unres;
	*hold = hold_bytes;
}

uint64_t neigh_timers_next(void)
{
	uint64_t due = senv.neigh_used_ns ? stale_scan_due_ns : UINT64_MAX;
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++)
		if (tbl[i].used && tbl[i].timer_ns && tbl[i].timer_ns < due)
			due = tbl[i].timer_ns;
	return due;
}

/* RFC 4861 7.2.5: what a Neighbor Advertisement does to an entry. */
void neigh_update_from_na(int ifindex, const struct in6_addr *addr, const uint8_t *mac,
			  bool solicited, bool override, bool is_router)
{
	struct neighbour *n = neigh_lookup(ifindex, addr);
	if (!n || n->state == XRT_NUD_PERMANENT)
		return; /* unsolicited news about a stranger: ignored */
	uint64_t now = stack_now();
	uint64_t reach = now + ND_REACHABLE_TIME_MS * NSEC_PER_MSEC;
	if (n->state == XRT_NUD_INCOMPLETE) {
		if (!mac)
			return;
		memcpy(n->mac, mac, 6);
		n->is_router = is_router;
		neigh_set_state(n, solicited ? XRT_NUD_REACHABLE : XRT_NUD_STALE,
				solicited ? reach : 0);
		neigh_flush_hold(n);
		return;
	}
	bool differs = mac && memcmp(mac, n->mac, 6) != 0;
	if (!override && differs) {
		if (n->state == XRT_NUD_REACHABLE)
			neigh_set_state(n, XRT_NUD_STALE, 0);
		return;
	}
	if (differs) {
		memcpy(n->mac, mac, 6);
		n->state = 0; /* force the fast path update below */
	}
	n->is_router = is_router;
	if (solicited)
		neigh_set_state(n, XRT_NUD_REACHABLE, reach);
	else if (differs)
		neigh_set_state(n, XRT_NUD_STALE, 0);
}

/* RFC 4861 7.2.3: a source link-layer option in an NS, RS or Redirect. */
void neigh_update_from_slla(int ifindex, const struct in6_addr *addr, const uint8_t mac[6])
{
	struct neighbour *n = neigh_lookup(ifindex, addr);
	if (!n) {
		/* Unsolicited: never displaces an entry being resolved. */
		n = neigh_create(ifindex, addr, false);
		if (!n)
			return;
		memcpy(n->mac, mac, 6);
		neigh_set_state(n, XRT_NUD_STALE, 0);
		return;
	}
	if (n->state == XRT_NUD_PERMANENT)
		return;
	if (n->state == XRT_NUD_INCOMPLETE) {
		memcpy(n->mac, mac, 6);
		neigh_set_state(n, XRT_NUD_STALE, 0);
		neigh_flush_hold(n);
		return;
	}
	if (memcmp(n->mac, mac, 6) != 0) {
		memcpy(n->mac, mac, 6);
		n->state = 0;
		neigh_set_state(n, XRT_NUD_STALE, 0);
	}
}

bool neigh_lookup_mac(int ifindex, const struct in6_addr *addr, uint8_t mac[6])
{
	struct neighbour *n = neigh_lookup(ifindex, addr);
	if (!n || !(n->state & XRT_NUD_VALID))
		return false;
	memcpy(mac, n->mac, 6);
	return true;
}

int neigh_add_static(int ifindex, const struct in6_addr *addr, const uint8_t mac[6],
		     char *err)
{
	if (!stack_dev(ifindex)) {
		xrt_err(err, "neigh: interface %d is not attached", ifindex);
		return -ENODEV;
	}
	if (ip6_is_mcast(addr) || ip6_is_unspec(addr)) {
		xrt_err(err, "neigh: address must be unicast");
		return -EINVAL;
	}
	if (mac[0] & 1) {
		xrt_err(err, "neigh: lladdr must be a unicast MAC");
		return -EINVAL;
	}
	struct neighbour *n = neigh_lookup(ifindex, addr);
	if (!n)
		n = neigh_create(ifindex, addr, true);
	if (!n) {
		xrt_err(err, "neigh: table full (%d entries)", NEIGH_TABLE_SIZE);
		return -ENOSPC;
	}
	memcpy(n->mac, mac, 6);
	n->state = 0;
	neigh_set_state(n, XRT_NUD_PERMANENT, 0);
	neigh_flush_hold(n);
	return 0;
}

int neigh_del(int ifindex, const struct in6_addr *addr, char *err)
{
	struct neighbour *n = neigh_lookup(ifindex, addr);
	if (!n) {
		xrt_err(err, "neigh: no entry for that address on interface %d",
			 ifindex);
		return -ENOENT;
	}
	neigh_destroy(n);
	return 0;
}

unsigned neigh_table_flush(int ifindex, bool with_permanent)
{
	unsigned count = 0;
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++) {
		struct neighbour *n = &tbl[i];
		if (!n->used || (ifindex && n->ifindex != ifindex))
			continue;
		if (n->state == XRT_NUD_PERMANENT && !with_permanent)
			continue;
		neigh_destroy(n);
		count++;
	}
	return count;
}

void neigh_foreach(void (*fn)(const struct neigh_info *, void *), void *arg)
{
	for (unsigned i = 0; i < NEIGH_TABLE_SIZE; i++) {
		const struct neighbour *n = &tbl[i];
		if (!n->used)
			continue;
		struct neigh_info info = {
			.ifindex = n->ifindex,
			.addr = n->addr,
			.state = n->state,
			.is_router = n->is_router,
			.probes = n->probes,
			.queued = n->hold_count,
		};
		memcpy(info.mac, n->mac, 6);
		fn(&info, arg);
	}
}

const char *neigh_state_name(uint16_t state)
{
	switch (state) {
	case XRT_NUD_INCOMPLETE: return "INCOMPLETE";
	case XRT_NUD_REACHABLE: return "REACHABLE";
	case XRT_NUD_STALE: return "STALE";
	case XRT_NUD_DELAY: return "DELAY";
	case XRT_NUD_PROBE: return "PROBE";
	case XRT_NUD_FAILED: return "FAILED";
	case XRT_NUD_NOARP: return "NOARP";
	case XRT_NUD_PERMANENT: return "PERMANENT";
	default: return "NONE";
	}
}
