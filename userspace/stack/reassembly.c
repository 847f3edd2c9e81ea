/* xrt: IPv6 reassembly (ipv6_frag_rcv): RFC 8200 4.5, RFC 5722, RFC 6946, RFC 7112; the fragment queues both families share (inet_fragment.c), bounded memory. */
#include <stdlib.h>
#include "stack/stack_internal.h"
#include "stack/reassembly.h"

struct frag {
	struct frag *next; /* sorted by offset */
	uint32_t off, len;
	uint8_t data[];
};

struct frag_queue {
	bool used;
	struct in6_addr src, dst;
	uint32_t id;
	uint32_t key;       /* IPv4: FRAG_KEY_V4 | protocol (RFC 791 3.2); IPv6: 0 */
	int ifindex;
	uint64_t created_ns, expires_ns;
	struct frag *frags;
	size_t mem;
	uint32_t received;  /* payload bytes held */
	uint32_t max_end;   /* highest end of any fragment held */
	bool last_seen;
	uint32_t total;     /* fragmentable part length, once the last came */
	uint8_t *first_pkt; /* the first fragment as received (for Time
			     * Exceeded and the unfragmentable part) */
	size_t first_len, first_unfrag, first_nhoff;
	uint8_t nexthdr;
};

static struct frag_queue queues[REASM_MAX_QUEUES];
static size_t reasm_mem;
static uint8_t reasm_buf[PKT_HEADROOM + PKT_MAX_LEN];

size_t reassembly_mem(void)
{
	return reasm_mem;
}

unsigned reassembly_queues(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < REASM_MAX_QUEUES; i++)
		n += queues[i].used;
	return n;
}

static void fq_free(struct frag_queue *q)
{
	struct frag *f = q->frags;
	while (f) {
		struct frag *next = f->next;
		free(f);
		f = next;
	}
	free(q->first_pkt);
	reasm_mem -= q->mem;
	memset(q, 0, sizeof(*q));
}

static void fq_fail(struct frag_queue *q)
{
	if (q->key & FRAG_KEY_V4)
		IP4_INC(REASM_FAILS);
	else
		MIB_INC(REASM_FAILS);
	fq_free(q);
}

void reassembly_init(void)
{
	reassembly_fini();
}

void reassembly_fini(void)
{
	for (unsigned i = 0; i < REASM_MAX_QUEUES; i++)
		if (queues[i].used)
			fq_free(&queues[i]);
	reasm_mem = 0;
}

/* Make room: evict the oldest queues (the kernel's inet_frag_evictor). */
static bool reasm_make_room(size_t need, const struct frag_queue *keep)
{
	while (reasm_mem + need > REASM_MEM_MAX) {
		struct frag_queue *oldest = NULL;
		for (unsigned i = 0; i < REASM_MAX_QUEUES; i++)
			if (queues[i].used && &queues[i] != keep &&
			    (!oldest || queues[i].created_ns < oldest->created_ns))
				oldest = &queues[i];
		if (!oldest)
			return false;
		DROP_INC(FRAG_MEM);
		fq_fail(oldest);
	}
	return true;
}

/* inet_frag_find: the queue of (src, dst, id, key), made if new. Every
 * queue busy: the oldest gives way (bounded count). */
struct frag_queue *inet_frag_find(const struct in6_addr *src, const struct in6_addr *dst,
				  uint32_t id, uint32_t key, int ifindex, uint64_t timeout_ns)
{
	uint64_t now = stack_now();
	struct frag_queue *free_q = NULL;
	for (unsigned i = 0; i < REASM_MAX_QUEUES; i++) {
		struct frag_queue *q = &queues[i];
		if (!q->used) {
			if (!free_q)
				free_q = q;
			continue;
		}
		if (q->id == id && q->key == key && ip6_eq(&q->src, src) && ip6_eq(&q->dst, dst))
			return q;
	}
	if (!free_q) {
		for (unsigned i = 0; i < REASM_MAX_QUEUES; i++)
			if (!free_q || queues[i].created_ns < free_q->created_ns)
				free_q = &queues[i];
		DROP_INC(FRAG_MEM);
		fq_fail(free_q);
	}
	free_q->used = true;
	free_q->src = *src;
	free_q->dst = *dst;
	free_q->id = id;
	free_q->key = key;
	free_q->ifindex = ifindex;
	free_q->created_ns = now;
	free_q->expires_ns = now + timeout_ns;
	return free_q;
}

/*
 * inet_frag_queue_insert for both families: dlen bytes at data are the
 * piece at offset of the fragmentable part; a first piece (offset 0) also
 * keeps the packet p with its unfragmentable part of unfrag bytes. Returns
 * 1 when the datagram is complete, 0 while pieces are missing, -1 when the
 * piece (or the whole datagram) was dropped.
 */
int inet_frag_queue_insert(struct frag_queue *q, const struct pkt *p, uint32_t offset,
			   size_t data_off, bool more, uint8_t nexthdr)
{
	size_t dlen = p->len - data_off;
	uint32_t end = offset + (uint32_t)dlen;
	bool v4 = q->key & FRAG_KEY_V4;
	/* The end is known once the last fragment came; nothing may pass it,
	 * and a second "last" must agree. */
	if ((q->last_seen && (end > q->total || (!more && end != q->total))) ||
	    (!more && end < q->max_end)) {
		DROP_INC(FRAG_INVALID);
		fq_fail(q);
		return -1;
	}
	struct frag **link = &q->frags;
	for (struct frag *f = q->frags; f; f = f->next) {
		if (offset < f->off + f->len && f->off < end) {
			if (f->off == offset && f->len == dlen)
				return -1; /* exact duplicate (RFC 5722 erratum 3089) */
			/* RFC 5722; for IPv4 the kernel's ip_frag_queue since
			 * 4.19 (IPSTATS_MIB_REASM_OVERLAPS): discard it all. */
			DROP_INC(FRAG_OVERLAP);
			if (v4)
				IP4_INC(REASM_OVERLAPS);
			fq_fail(q);
			return -1;
		}
		if (f->off < offset)
			link = &f->next;
	}
	size_t need = sizeof(struct frag) + dlen + (offset == 0 ? p->len : 0);
	if (!reasm_make_room(need, q)) {
		DROP_INC(FRAG_MEM);
		fq_fail(q);
		return -1;
	}
	struct frag *nf = malloc(sizeof(*nf) + dlen);
	uint8_t *first = offset == 0 ? malloc(p->len) : NULL;
	if (!nf || (offset == 0 && !first)) {
		free(nf);
		free(first);
		DROP_INC(FRAG_MEM);
		fq_fail(q);
		return -1;
	}
	nf->off = offset;
	nf->len = (uint32_t)dlen;
	memcpy(nf->data, p->nh + data_off, dlen);
	nf->next = *link;
	*link = nf;
	q->mem += need;
	reasm_mem += need;
	q->received += (uint32_t)dlen;
	if (end > q->max_end)
		q->max_end = end;
	if (!more) {
		q->last_seen = true;
		q->total = end;
	}
	if (first) {
		memcpy(first, p->nh, p->len);
		q->first_pkt = first;
		q->first_len = p->len;
		q->first_unfrag = p->thoff;
		q->first_nhoff = p->nhoff;
		q->nexthdr = nexthdr;
	}
	return q->first_pkt && q->last_seen && q->received == q->total;
}

/* inet_frag_reasm_finish: the unfragmentable part of the first fragment,
 * then the pieces (no overlaps and no gaps, so they tile [0, total)), in
 * the one reassembly buffer. p points at the result; the queue is freed.
 * The caller fixes the family's header. False when too long. */
bool inet_frag_reasm_finish(struct frag_queue *q, struct pkt *p, size_t max_len)
{
	size_t unfrag = q->first_unfrag;
	size_t new_len = unfrag + q->total;
	if (new_len > max_len) {
		fq_fail(q);
		return false;
	}
	uint8_t *out = reasm_buf + PKT_HEADROOM;
	memcpy(out, q->first_pkt, unfrag);
	for (struct frag *f = q->frags; f; f = f->next)
		memcpy(out + unfrag + f->off, f->data, f->len);
	p->nh = out;
	p->len = new_len;
	p->cap = PKT_MAX_LEN;
	p->fragmented = true;
	p->nhoff = q->first_nhoff;
	p->thoff = unfrag;
	fq_free(q);
	return true;
}

/* RFC 7112 / RFC 8200 4.5: the first fragment holds every header through
 * the upper-layer header (the fixed part the kernel also demands). */
static bool first_frag_chain_complete(const uint8_t *nh, size_t len, uint8_t next, size_t off)
{
	for (unsigned guard = 0; guard < 64; guard++) {
		switch (next) {
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_HOP:
		case NEXTHDR_AUTH:
			if (!ipv6_exthdr_step(nh, len, &next, &off))
				return false;
			break;
		case NEXTHDR_TCP:
			return off + 20 <= len;
		case NEXTHDR_UDP:
		case NEXTHDR_ICMP:
			return off + 8 <= len;
		default:
			return off <= len;
		}
	}
	return false;
}

int ipv6_frag_rcv(struct pkt *p)
{
	MIB_INC(REASM_REQDS);
	if (p->thoff + IP6_FRAG_HDR_LEN > p->len) {
		DROP_INC(EXTHDR_TRUNC);
		MIB_INC(IN_HDR_ERRORS);
		return -1;
	}
	const uint8_t *fh = p->nh + p->thoff;
	uint16_t off_flags = (uint16_t)(fh[2] << 8 | fh[3]);
	uint32_t offset = off_flags & IP6_FRAG_OFFSET_MASK;
	bool more = off_flags & IP6_FRAG_MORE;
	uint32_t id;
	memcpy(&id, fh + 4, 4);
	size_t data_off = p->thoff + IP6_FRAG_HDR_LEN;
	size_t dlen = p->len - data_off;
	uint8_t next = fh[0];

	if (offset == 0 && !first_frag_chain_complete(p->nh, p->len, next, data_off)) {
		DROP_INC(FRAG_INVALID);
		MIB_INC(IN_HDR_ERRORS);
		icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_INCOMPLETE_CHAIN, 0);
		return -1;
	}
	if (offset == 0 && !more) {
		/* RFC 6946: an atomic fragment is a whole packet, processed
		 * in isolation from any reassembly. */
		MIB_INC(REASM_OKS);
		p->fragmented = true;
		p->nhoff = p->thoff;
		p->thoff = data_off;
		return next;
	}
	if (more && (dlen == 0 || dlen % 8)) {
		/* RFC 8200 4.5: pointer at the Payload Length field. */
		DROP_INC(FRAG_INVALID);
		MIB_INC(IN_HDR_ERRORS);
		icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_HEADER, 4);
		return -1;
	}
	if ((p->thoff - IP6_HDR_LEN) + offset + dlen > IP6_MAX_PAYLOAD) {
		/* RFC 8200 4.5: pointer at the Fragment Offset field. */
		DROP_INC(FRAG_INVALID);
		MIB_INC(IN_HDR_ERRORS);
		icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_HEADER, (uint32_t)p->thoff + 2);
		return -1;
	}

	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	struct frag_queue *q = inet_frag_find(&ip6->saddr, &ip6->daddr, id, 0, p->ifindex,
					      (uint64_t)IP6_FRAG_TIMEOUT_SEC * NSEC_PER_SEC);
	if (inet_frag_queue_insert(q, p, offset, data_off, more, next) <= 0)
		return -1;
	size_t nhoff = q->first_nhoff;
	uint8_t upper = q->nexthdr;
	if (!inet_frag_reasm_finish(q, p, IP6_HDR_LEN + IP6_MAX_PAYLOAD))
		return -1;
	p->nh[nhoff] = upper;
	((struct ip6_hdr_wire *)p->nh)->payload_len = htons((uint16_t)(p->len - IP6_HDR_LEN));
	MIB_INC(REASM_OKS);
	return upper;
}

/* RFC 8200 4.5: after 60 s, Time Exceeded code 1 to the source, but only
 * if the first fragment (offset 0) arrived; then the datagram is gone. */
void reassembly_timers_run(uint64_t now)
{
	for (unsigned i = 0; i < REASM_MAX_QUEUES; i++) {
		struct frag_queue *q = &queues[i];
		if (!q->used || q->expires_ns > now)
			continue;
		bool v4 = q->key & FRAG_KEY_V4;
		if (v4)
			IP4_INC(REASM_TIMEOUT);
		else
			MIB_INC(REASM_TIMEOUT);
		DROP_INC(FRAG_TIMEOUT);
		if (q->first_pkt) {
			struct pkt p = {
				.nh = q->first_pkt,
				.len = q->first_len,
				.cap = q->first_len,
				.ifindex = q->ifindex,
				.thoff = q->first_unfrag,
			};
			/* ip_expire: Time Exceeded code 1 (RFC 792) as well. */
			if (v4)
				icmp_send(&p, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
			else
				icmp6_send(&p, ICMP6_TIME_EXCEED, ICMP6_TE_REASSEMBLY, 0);
		}
		fq_fail(q);
	}
}

uint64_t reassembly_timers_next(void)
{
	uint64_t due = UINT64_MAX;
	for (unsigned i = 0; i < REASM_MAX_QUEUES; i++)
		if (queues[i].used && queues[i].expires_ns < due)
			due = queues[i].expires_ns;
	return due;
}
