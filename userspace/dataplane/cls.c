/* xrt: the bit-vector classifier's builder: per field the bitmap of the rules each value lets match (prefixes expanded, ports cut into elementary intervals), written to one context of xrt_cls_*. */
#include "dataplane/cls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#define CLS_PORTS 65536 /* a 16-bit port number's values */
#define CLS_L4_FIELDS (XRT_CLS_F_SPORT | XRT_CLS_F_DPORT | XRT_CLS_F_TYPE | XRT_CLS_F_CODE)

/* What a context holds in the hash maps: its keys, to delete them before
 * the next build of that context. */
struct cls_ctx_keys {
	bool known; /* false: a previous writer's keys may be there */
	struct xrt_cls_addr_key *addr;
	unsigned naddr;
	uint32_t *ifx;
	unsigned nifx;
};

struct xrt_cls {
	struct cls_ctx_keys c[XRT_CLS_CTXS];
};

static void bit_set(struct xrt_cls_bits *b, unsigned i)
{
	b->w[i / XRT_CLS_WORD_BITS] |= 1ULL << (i % XRT_CLS_WORD_BITS);
}

static unsigned mask_len(const uint8_t *mask)
{
	unsigned len = 0;

	for (unsigned i = 0; i < 16; i++)
		len += (unsigned)__builtin_popcount(mask[i]);
	return len;
}

/* a within prefix p of length len (its bits beyond len ignored). */
static bool pfx_contains(const uint8_t *p, unsigned len, const uint8_t *a)
{
	unsigned bytes = len / 8, rest = len % 8;

	if (memcmp(p, a, bytes))
		return false;
	if (!rest)
		return true;
	return ((p[bytes] ^ a[bytes]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static void pfx_clear_host(uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = len > i * 8 ? len - i * 8 : 0;
		if (keep < 8)
			a[i] &= keep ? (uint8_t)(0xff << (8 - keep)) : 0;
	}
}

static int u16_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The elementary intervals of the rules' ranges of one port field: their
 * starts (ascending, from 0) in starts (room for 2n + 1); returns how many. */
static unsigned port_intervals(const struct xrt_cls_rule *v, unsigned n, bool src,
			       uint16_t *starts)
{
	unsigned k = 0, u = 0;

	starts[k++] = 0;
	for (unsigned i = 0; i < n; i++) {
		uint16_t lo = src ? v[i].sport_lo : v[i].dport_lo;
		uint16_t hi = src ? v[i].sport_hi : v[i].dport_hi;

		if (!(v[i].fields & (src ? XRT_CLS_F_SPORT : XRT_CLS_F_DPORT)))
			continue;
		starts[k++] = lo;
		if ((unsigned)hi + 1 < CLS_PORTS)
			starts[k++] = (uint16_t)(hi + 1);
	}
	qsort(starts, k, sizeof(*starts), u16_cmp);
	for (unsigned i = 0; i < k; i++)
		if (!u || starts[u - 1] != starts[i])
			starts[u++] = starts[i];
	return u;
}

static bool port_ok(const struct xrt_cls_rule *r, bool src, uint16_t port)
{
	if (!(r->fields & (src ? XRT_CLS_F_SPORT : XRT_CLS_F_DPORT)))
		return true;
	return src ? r->sport_lo <= port && port <= r->sport_hi
		   : r->dport_lo <= port && port <= r->dport_hi;
}

/* The array part: protocol, ICMP type and code, port intervals (sp, dp:
 * h->nsport and h->ndport of them); the header's bitmaps and intervals. */
static void build_slots(const struct xrt_cls_rule *v, unsigned n, struct xrt_cls_hdr *h,
			struct xrt_cls_bits *s, const uint16_t *sp, const uint16_t *dp)
{
	for (unsigned i = 0; i < n; i++) {
		const struct xrt_cls_rule *r = &v[i];

		if (r->fields & CLS_L4_FIELDS)
			h->fields |= XRT_CLS_F_L4 | (r->fields & CLS_L4_FIELDS);
		else
			bit_set(&h->nol4, i);
		if (r->ifindex)
			h->fields |= XRT_CLS_F_IFX;
		else
			bit_set(&h->anyif, i);
		for (unsigned p = 0; p < XRT_CLS_PROTOS && !r->never; p++) {
			if (!r->has_proto || r->proto == p)
				bit_set(&s[XRT_CLS_OFF_PROTO + (r->v4 ? XRT_CLS_PROTOS : 0) + p], i);
			if (!(r->fields & XRT_CLS_F_TYPE) || r->icmp_type == p)
				bit_set(&s[XRT_CLS_OFF_TYPE + p], i);
			if (!(r->fields & XRT_CLS_F_CODE) || r->icmp_code == p)
				bit_set(&s[XRT_CLS_OFF_CODE + p], i);
		}
	}
	memcpy(h->sport, sp, h->nsport * sizeof(*sp));
	memcpy(h->dport, dp, h->ndport * sizeof(*dp));
	for (unsigned j = 0; j < h->nsport; j++)
		for (unsigned i = 0; i < n; i++)
			if (port_ok(&v[i], true, h->sport[j]))
				bit_set(&s[XRT_CLS_OFF_SPORT + j], i);
	for (unsigned j = 0; j < h->ndport; j++)
		for (unsigned i = 0; i < n; i++)
			if (port_ok(&v[i], false, h->dport[j]))
				bit_set(&s[XRT_CLS_OFF_DPORT + j], i);
}

static int write_slots(struct xrt_maps *m, unsigned ctx, const struct xrt_cls_hdr *h,
		       const struct xrt_cls_bits *s, char *err)
{
	/* Only the intervals in use: the search never reads beyond them. */
	const struct {
		unsigned off, n;
	} part[] = {
		{ XRT_CLS_OFF_PROTO, XRT_CLS_OFF_SPORT },
		{ XRT_CLS_OFF_SPORT, h->nsport },
		{ XRT_CLS_OFF_DPORT, h->ndport },
	};
	uint32_t *keys = malloc(XRT_CLS_SLOTS * sizeof(*keys));

	if (!keys)
		return xrt_fail(err, -ENOMEM, "classifier: out of memory");
	for (size_t p = 0; p < sizeof(part) / sizeof(part[0]); p++) {
		uint32_t cnt = part[p].n;

		for (unsigned j = 0; j < cnt; j++)
			keys[j] = ctx * XRT_CLS_SLOTS + part[p].off + j;
		if (cnt && bpf_map_update_batch(m->cls_bits, keys, &s[part[p].off], &cnt, NULL)) {
			int rc = -errno;

			free(keys);
			return xrt_fail(err, rc, "%s: %s", XRT_MAP_CLS_BITS, strerror(-rc));
		}
	}
	free(keys);
	return 0;
}

/* A previous writer's keys of ctx in a hash map: gone before the first
 * build, so a stale prefix cannot be a longer match. */
static void forget_keys(int fd, unsigned ctx, size_t key_size, bool addr)
{
	unsigned char prev[sizeof(struct xrt_cls_addr_key)], next[sizeof(prev)];
	unsigned char *gone = NULL;
	size_t n = 0, cap = 0;
	void *pk = NULL;

	while (!bpf_map_get_next_key(fd, pk, next)) {
		unsigned kctx = addr ? ((struct xrt_cls_addr_key *)next)->ctx
				     : ((struct xrt_cls_ifx_key *)next)->ctx;

		memcpy(prev, next, key_size);
		pk = prev;
		if (kctx != ctx)
			continue;
		if (n == cap) {
			unsigned char *g = realloc(gone, (cap = cap ? 2 * cap : 64) * key_size);
			if (!g)
				break;
			gone = g;
		}
		memcpy(gone + n++ * key_size, next, key_size);
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, gone + i * key_size);
	free(gone);
}

static struct cls_ctx_keys *ctx_keys(struct xrt_maps *m, unsigned ctx, char *err)
{
	struct cls_ctx_keys *c;

	if (!m->cls && !(m->cls = calloc(1, sizeof(*m->cls)))) {
		xrt_err(err, "classifier: out of memory");
		return NULL;
	}
	c = &m->cls->c[ctx];
	if (!c->addr) {
		c->addr = calloc(2 * (XRT_CLS_RULES + 1), sizeof(*c->addr));
		c->ifx = calloc(XRT_CLS_RULES, sizeof(*c->ifx));
		if (!c->addr || !c->ifx) {
			xrt_err(err, "classifier: out of memory");
			return NULL;
		}
	}
	if (!c->known) {
		forget_keys(m->cls_addr, ctx, sizeof(struct xrt_cls_addr_key), true);
		forget_keys(m->cls_ifx, ctx, sizeof(struct xrt_cls_ifx_key), false);
		c->known = true;
	}
	return c;
}

/* One address field: the distinct prefixes (and /0), each with every rule
 * whose prefix contains it. Replaces the context's old keys. */
static int build_addr(struct xrt_maps *m, struct cls_ctx_keys *c, unsigned ctx, unsigned field,
		      const struct xrt_cls_rule *v, unsigned n, uint32_t *fields, char *err)
{
	struct xrt_cls_addr_key *k = calloc(n + 1, sizeof(*k));
	unsigned nk = 0, *len = calloc(n, sizeof(*len));
	struct xrt_cls_bits b;
	int rc = 0;

	if (!k || !len) {
		rc = xrt_fail(err, -ENOMEM, "classifier: out of memory");
		goto out;
	}
	k[nk++] = (struct xrt_cls_addr_key){ .prefixlen = XRT_CLS_ADDR_HDR_BITS,
					     .ctx = (uint8_t)ctx, .field = (uint8_t)field };
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *a = field == XRT_CLS_SRC ? v[i].src : v[i].dst;
		struct xrt_cls_addr_key x = { .ctx = (uint8_t)ctx, .field = (uint8_t)field };
		unsigned j;

		len[i] = mask_len(field == XRT_CLS_SRC ? v[i].smask : v[i].dmask);
		if (len[i])
			*fields |= field == XRT_CLS_SRC ? XRT_CLS_F_SRC : XRT_CLS_F_DST;
		x.prefixlen = XRT_CLS_ADDR_HDR_BITS + len[i];
		memcpy(x.addr, a, 16);
		pfx_clear_host(x.addr, len[i]);
		for (j = 0; j < nk; j++)
			if (!memcmp(&k[j], &x, sizeof(x)))
				break;
		if (j == nk)
			k[nk++] = x;
	}
	/* The old keys of this field first: a prefix no rule names now must
	 * not stay a longer match. */
	for (unsigned j = 0; j < c->naddr; j++)
		if (c->addr[j].field == field)
			bpf_map_delete_elem(m->cls_addr, &c->addr[j]);
	for (unsigned j = 0; j < nk; j++) {
		memset(&b, 0, sizeof(b));
		for (unsigned i = 0; i < n; i++) {
			const uint8_t *a = field == XRT_CLS_SRC ? v[i].src : v[i].dst;

			if (len[i] <= k[j].prefixlen - XRT_CLS_ADDR_HDR_BITS &&
			    pfx_contains(a, len[i], k[j].addr))
				bit_set(&b, i);
		}
		if (bpf_map_update_elem(m->cls_addr, &k[j], &b, BPF_ANY)) {
			rc = xrt_fail(err, -errno, "%s: %s", XRT_MAP_CLS_ADDR, strerror(errno));
			goto out;
		}
	}
	/* Keep the other field's keys, then this one's. */
	{
		unsigned w = 0;
		for (unsigned j = 0; j < c->naddr; j++)
			if (c->addr[j].field != field)
				c->addr[w++] = c->addr[j];
		memcpy(c->addr + w, k, nk * sizeof(*k));
		c->naddr = w + nk;
	}
out:
	free(k);
	free(len);
	return rc;
}

static int build_ifx(struct xrt_maps *m, struct cls_ctx_keys *c, unsigned ctx,
		     const struct xrt_cls_rule *v, unsigned n, const struct xrt_cls_bits *anyif,
		     char *err)
{
	struct xrt_cls_ifx_key key = { .ctx = ctx };
	struct xrt_cls_bits b;

	for (unsigned j = 0; j < c->nifx; j++) {
		key.ifindex = c->ifx[j];
		bpf_map_delete_elem(m->cls_ifx, &key);
	}
	c->nifx = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned j;

		if (!v[i].ifindex)
			continue;
		for (j = 0; j < c->nifx && c->ifx[j] != v[i].ifindex; j++)
			;
		if (j < c->nifx)
			continue;
		c->ifx[c->nifx++] = v[i].ifindex;
		b = *anyif;
		for (unsigned r = i; r < n; r++)
			if (v[r].ifindex == v[i].ifindex)
				bit_set(&b, r);
		key.ifindex = v[i].ifindex;
		if (bpf_map_update_elem(m->cls_ifx, &key, &b, BPF_ANY))
			return xrt_fail(err, -errno, "%s: %s", XRT_MAP_CLS_IFX, strerror(errno));
	}
	return 0;
}

int xrt_cls_build(struct xrt_maps *m, unsigned ctx, const struct xrt_cls_rule *v, unsigned n,
		  char *err)
{
	struct xrt_cls_bits *s = NULL;
	struct xrt_cls_hdr *h = NULL;
	struct cls_ctx_keys *c;
	int rc;

	if (ctx >= XRT_CLS_CTXS || n > XRT_CLS_RULES)
		return xrt_fail(err, -EINVAL, "classifier: %u rules in context %u", n, ctx);
	if (m->cls_hdr < 0 || m->cls_bits < 0 || m->cls_addr < 0 || m->cls_ifx < 0)
		return xrt_fail(err, -ENODEV, "%s: not loaded", XRT_MAP_CLS_HDR);
	if (!(c = ctx_keys(m, ctx, err)))
		return -ENOMEM;
	h = calloc(1, sizeof(*h));
	s = calloc(XRT_CLS_SLOTS, sizeof(*s));
	if (!h || !s) {
		rc = xrt_fail(err, -ENOMEM, "classifier: out of memory");
		goto out;
	}
	h->nwords = (n + XRT_CLS_WORD_BITS - 1) / XRT_CLS_WORD_BITS;
	if (n) {
		uint16_t sp[2 * XRT_CLS_RULES + 1], dp[2 * XRT_CLS_RULES + 1];

		h->nsport = port_intervals(v, n, true, sp);
		h->ndport = port_intervals(v, n, false, dp);
		if (h->nsport > XRT_CLS_INTERVALS || h->ndport > XRT_CLS_INTERVALS) {
			rc = xrt_fail(err, -ENOSPC,
				      "port: the list's port ranges cut the ports into more than "
				      "%u intervals (at most %u distinct range ends)",
				      XRT_CLS_INTERVALS, XRT_CLS_INTERVALS - 1);
			goto out;
		}
		build_slots(v, n, h, s, sp, dp);
		if ((rc = write_slots(m, ctx, h, s, err)) ||
		    (rc = build_addr(m, c, ctx, XRT_CLS_SRC, v, n, &h->fields, err)) ||
		    (rc = build_addr(m, c, ctx, XRT_CLS_DST, v, n, &h->fields, err)) ||
		    (rc = build_ifx(m, c, ctx, v, n, &h->anyif, err)))
			goto out;
	}
	/* Last: the header makes the context's words visible. */
	if (bpf_map_update_elem(m->cls_hdr, &ctx, h, BPF_ANY))
		rc = xrt_fail(err, -errno, "%s: %u: %s", XRT_MAP_CLS_HDR, ctx, strerror(errno));
	else
		rc = 0;
out:
	free(h);
	free(s);
	return rc;
}

void xrt_cls_free(struct xrt_maps *m)
{
	if (!m->cls)
		return;
	for (unsigned i = 0; i < XRT_CLS_CTXS; i++) {
		free(m->cls->c[i].addr);
		free(m->cls->c[i].ifx);
	}
	free(m->cls);
	m->cls = NULL;
}
