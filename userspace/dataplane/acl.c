/* xrt: the ACL's writer (rule list, counter slots, two banks flipped by one store) and xrtd's own walk of it for local input. */
#include "dataplane/acl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/cls.h"
#include "dataplane/loader.h"
#include "dataplane/feat.h"

struct xrt_acl {
	struct xrt_acl_entry e[XRT_ACL_MAX]; /* match order: prio, then seq */
	unsigned n;
	uint64_t seq;
	uint32_t active; /* the bank packets read */
	bool slot_used[XRT_ACL_MAX];
	uint64_t refused;
};

static struct xrt_acl *acl_get(struct xrt_maps *m, char *err)
{
	if (!m->acl) {
		m->acl = calloc(1, sizeof(*m->acl));
		if (!m->acl)
			xrt_err(err, "acl: out of memory");
	}
	return m->acl;
}

/* Zero a counter slot on every CPU before a new rule takes it. */
static int acl_cnt_zero(struct xrt_maps *m, uint32_t slot, char *err)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xrt_acl_cnt *z;
	int rc = 0;

	if (ncpus <= 0)
		return xrt_fail(err, -EINVAL, "acl: cannot count CPUs");
	z = calloc((size_t)ncpus, sizeof(*z));
	if (!z)
		return xrt_fail(err, -ENOMEM, "acl: out of memory");
	if (bpf_map_update_elem(m->acl_cnt, &slot, z, BPF_ANY))
		rc = xrt_fail(err, -errno, "%s: slot %u: %s", XRT_MAP_ACL_CNT, slot,
			      strerror(errno));
	free(z);
	return rc;
}

/* An ACL rule's selectors for the classifier (xrt_acl_match's fields). */
static void acl_cls_rule(const struct xrt_acl_rule *r, struct xrt_cls_rule *c)
{
	*c = (struct xrt_cls_rule){ .ifindex = r->ifindex, .v4 = r->v4,
				    .has_proto = (r->flags & XRT_ACL_F_PROTO) != 0,
				    .proto = r->proto, .sport_lo = r->sport_lo,
				    .sport_hi = r->sport_hi, .dport_lo = r->dport_lo,
				    .dport_hi = r->dport_hi, .icmp_type = r->icmp_type,
				    .icmp_code = r->icmp_code };
	memcpy(c->src, r->src, 16);
	memcpy(c->smask, r->smask, 16);
	memcpy(c->dst, r->dst, 16);
	memcpy(c->dmask, r->dmask, 16);
	c->fields = (r->flags & XRT_ACL_F_SPORT ? XRT_CLS_F_SPORT : 0) |
		    (r->flags & XRT_ACL_F_DPORT ? XRT_CLS_F_DPORT : 0) |
		    (r->flags & XRT_ACL_F_TYPE ? XRT_CLS_F_TYPE : 0) |
		    (r->flags & XRT_ACL_F_CODE ? XRT_CLS_F_CODE : 0);
}

/* Write list v (n rules) into the bank packets do not read, with its
 * classifier contexts, then make it the active one; returns after a grace
 * period. */
static int acl_publish(struct xrt_maps *m, struct xrt_acl *a, const struct xrt_acl_entry *v,
		       unsigned n, char *err)
{
	uint32_t bank = a->active ^ 1, idx = bank * XRT_ACL_MAX, key;
	struct xrt_acl_cfg cfg = { 0 }, act = { .n_in = bank };
	const unsigned dirs[2] = { XRT_ACL_IN, XRT_ACL_OUT };
	const unsigned lists[2] = { XRT_CLS_ACL_IN, XRT_CLS_ACL_OUT };
	struct xrt_cls_rule *c = malloc(XRT_ACL_MAX * sizeof(*c));
	int rc = 0;

	if (!c)
		return xrt_fail(err, -ENOMEM, "acl: out of memory");
	for (unsigned d = 0; d < 2 && !rc; d++) {
		unsigned nc = 0;

		for (unsigned i = 0; i < n; i++) {
			if (v[i].r.dir != dirs[d])
				continue;
			if (bpf_map_update_elem(m->acl_rules, &idx, &v[i].r, BPF_ANY)) {
				rc = xrt_fail(err, -errno, "%s: %u: %s", XRT_MAP_ACL_RULES, idx,
					      strerror(errno));
				break;
			}
			acl_cls_rule(&v[i].r, &c[nc++]);
			idx++;
		}
		if (d == 0)
			cfg.n_in = nc;
		else
			cfg.n_out = nc;
		if (!rc)
			rc = xrt_cls_build(m, XRT_CLS_CTX(lists[d], bank), c, nc, err);
	}
	free(c);
	if (rc)
		return rc;
	if (bpf_map_update_elem(m->acl_cfg, &bank, &cfg, BPF_ANY))
		return xrt_fail(err, -errno, "%s: bank %u: %s", XRT_MAP_ACL_CFG, bank,
				strerror(errno));
	/* The hooks the new lists need are on before the flip (dataplane/feat.h). */
	rc = xrt_maps_feat_sync(m, (cfg.n_in ? XRT_FEAT_OFF_NF_PREROUTING : 0) |
						       (cfg.n_out ? XRT_FEAT_OFF_NF_FORWARD : 0),
				    err);
	if (rc)
		return rc;
	/* The flip: an ARRAY value of 8 bytes is copied with aligned stores,
	 * and only n_in (the bank and which hooks have rules) is read. */
	act.n_in |= (cfg.n_in ? XRT_ACL_ACT_IN : 0) | (cfg.n_out ? XRT_ACL_ACT_OUT : 0);
	key = XRT_ACL_CFG_ACTIVE;
	if (bpf_map_update_elem(m->acl_cfg, &key, &act, BPF_ANY))
		return xrt_fail(err, -errno, "%s: active: %s", XRT_MAP_ACL_CFG, strerror(errno));
	a->active = bank;
	xrt_maps_synchronize();
	return xrt_maps_feat_sync(m, 0, err);
}

static bool rule_eq(const struct xrt_acl_rule *x, const struct xrt_acl_rule *y, bool action)
{
	struct xrt_acl_rule a = *x, b = *y;

	a.cnt = b.cnt = 0;
	if (!action)
		a.action = b.action = 0;
	return !memcmp(&a, &b, sizeof(a));
}

int xrt_acl_add(struct xrt_maps *m, const struct xrt_acl_rule *r, uint32_t prio, char *err)
{
	struct xrt_acl *a = acl_get(m, err);
	struct xrt_acl_entry *v;
	unsigned pos, slot;
	int rc;

	if (!a)
		return -ENOMEM;
	if (r->dir >= XRT_ACL_DIRS || r->action > XRT_ACL_DROP)
		return xrt_fail(err, -EINVAL, "acl: bad dir or action");
	if (a->n >= XRT_ACL_MAX) {
		a->refused++;
		return xrt_fail(err, -ENOSPC, "acl: full (%u rules); delete one first",
				XRT_ACL_MAX);
	}
	for (slot = 0; slot < XRT_ACL_MAX && a->slot_used[slot]; slot++)
		;
	if ((rc = acl_cnt_zero(m, slot, err)))
		return rc;
	for (pos = 0; pos < a->n && a->e[pos].prio <= prio; pos++)
		;
	v = malloc(sizeof(a->e));
	if (!v)
		return xrt_fail(err, -ENOMEM, "acl: out of memory");
	memcpy(v, a->e, pos * sizeof(*v));
	v[pos] = (struct xrt_acl_entry){ .r = *r, .prio = prio, .seq = ++a->seq };
	v[pos].r.cnt = slot;
	memcpy(v + pos + 1, a->e + pos, (a->n - pos) * sizeof(*v));
	rc = acl_publish(m, a, v, a->n + 1, err);
	if (!rc) {
		memcpy(a->e, v, (a->n + 1) * sizeof(*v));
		a->n++;
		a->slot_used[slot] = true;
	}
	free(v);
	return rc;
}

/* Keep the entries keep() says yes to; publish; free the others' slots. */
static int acl_filter(struct xrt_maps *m, struct xrt_acl *a,
		      bool (*drop)(const struct xrt_acl_entry *, const void *), const void *arg,
		      bool only_first, char *err)
{
	struct xrt_acl_entry *v = malloc(sizeof(a->e));
	bool gone[XRT_ACL_MAX] = { false };
	unsigned n = 0, removed = 0;
	int rc;

	if (!v)
		return xrt_fail(err, -ENOMEM, "acl: out of memory");
	for (unsigned i = 0; i < a->n; i++) {
		if ((!only_first || !removed) && drop(&a->e[i], arg)) {
			gone[i] = true;
			removed++;
			continue;
		}
		v[n++] = a->e[i];
	}
	if (!removed) {
		free(v);
		return only_first ? xrt_fail(err, -ENOENT, "acl: no such rule") : 0;
	}
	rc = acl_publish(m, a, v, n, err);
	if (!rc) {
		for (unsigned i = 0; i < a->n; i++)
			if (gone[i])
				a->slot_used[a->e[i].r.cnt] = false;
		memcpy(a->e, v, n * sizeof(*v));
		a->n = n;
	}
	free(v);
	return rc;
}

struct del_arg {
	const struct xrt_acl_rule *r;
	bool has_action, has_prio;
	uint32_t prio;
};

static bool del_match(const struct xrt_acl_entry *e, const void *arg)
{
	const struct del_arg *d = arg;

	return rule_eq(&e->r, d->r, d->has_action) && (!d->has_prio || e->prio == d->prio);
}

int xrt_acl_del(struct xrt_maps *m, const struct xrt_acl_rule *r, bool has_action,
		bool has_prio, uint32_t prio, char *err)
{
	struct xrt_acl *a = acl_get(m, err);
	struct del_arg d = { .r = r, .has_action = has_action, .has_prio = has_prio, .prio = prio };

	return a ? acl_filter(m, a, del_match, &d, true, err) : -ENOMEM;
}

struct flush_arg {
	unsigned dir;
	uint32_t ifindex;
	int v4;
};

static bool flush_match(const struct xrt_acl_entry *e, const void *arg)
{
	const struct flush_arg *f = arg;

	return (f->dir == XRT_ACL_DIRS || e->r.dir == f->dir) &&
	       (!f->ifindex || e->r.ifindex == f->ifindex) &&
	       (f->v4 == XRT_ACL_ANY_FAMILY || e->r.v4 == f->v4);
}

int xrt_acl_flush(struct xrt_maps *m, unsigned dir, uint32_t ifindex, int v4, char *err)
{
	struct xrt_acl *a = acl_get(m, err);
	struct flush_arg f = { .dir = dir, .ifindex = ifindex, .v4 = v4 };

	return a ? acl_filter(m, a, flush_match, &f, false, err) : -ENOMEM;
}

int xrt_acl_reset(struct xrt_maps *m, char *err)
{
	struct xrt_acl *a = acl_get(m, err);

	if (!a)
		return -ENOMEM;
	a->n = 0;
	memset(a->slot_used, 0, sizeof(a->slot_used));
	return acl_publish(m, a, NULL, 0, err);
}

int xrt_acl_replace(struct xrt_maps *m, const struct xrt_acl_entry *v, unsigned n, char *err)
{
	struct xrt_acl *a = acl_get(m, err);
	int rc;

	if (!a)
		return -ENOMEM;
	if (n > XRT_ACL_MAX)
		return xrt_fail(err, -ENOSPC, "acl: full (%u rules)", XRT_ACL_MAX);
	if ((rc = acl_publish(m, a, v, n, err)))
		return rc;
	memset(a->slot_used, 0, sizeof(a->slot_used));
	memcpy(a->e, v, n * sizeof(*v));
	a->n = n;
	for (unsigned i = 0; i < n; i++)
		a->slot_used[v[i].r.cnt] = true;
	return 0;
}

void xrt_acl_save(const struct xrt_maps *m, struct xrt_acl_entry *v, unsigned max, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; m->acl && i < m->acl->n && i < max; i++)
		v[(*n)++] = m->acl->e[i];
}

int xrt_acl_list(struct xrt_maps *m, struct xrt_acl_entry *v, unsigned max, unsigned *n,
		 char *err)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xrt_acl_cnt *c;

	*n = 0;
	if (!m->acl)
		return 0;
	if (ncpus <= 0)
		return xrt_fail(err, -EINVAL, "acl: cannot count CPUs");
	c = calloc((size_t)ncpus, sizeof(*c));
	if (!c)
		return xrt_fail(err, -ENOMEM, "acl: out of memory");
	for (unsigned i = 0; i < m->acl->n && i < max; i++) {
		v[i] = m->acl->e[i];
		if (bpf_map_lookup_elem(m->acl_cnt, &v[i].r.cnt, c)) {
			int rc = -errno;

			free(c);
			return xrt_fail(err, rc, "%s: %s", XRT_MAP_ACL_CNT, strerror(-rc));
		}
		for (int k = 0; k < ncpus; k++) {
			v[i].pkts += c[k].pkts;
			v[i].bytes += c[k].bytes;
		}
		(*n)++;
	}
	free(c);
	return 0;
}

uint64_t xrt_acl_refused(const struct xrt_maps *m)
{
	return m->acl ? m->acl->refused : 0;
}

int xrt_acl_eval(struct xrt_maps *m, unsigned dir, const struct xrt_acl_key *k, uint32_t len)
{
	struct xrt_acl *a = m->acl;

	if (!a)
		return XRT_ACL_PASS;
	for (unsigned i = 0; i < a->n; i++) {
		struct xrt_acl_entry *e = &a->e[i];

		if (e->r.dir != dir || !xrt_acl_match(&e->r, k))
			continue;
		e->pkts++;
		e->bytes += len;
		return e->r.action;
	}
	return XRT_ACL_PASS;
}

void xrt_acl_config_mark(struct xrt_maps *m, bool stale)
{
	for (unsigned i = 0; m->acl && i < m->acl->n; i++)
		m->acl->e[i].stale = stale && m->acl->e[i].from_config;
}

bool xrt_acl_config_keep(struct xrt_maps *m, const struct xrt_acl_rule *r, uint32_t prio)
{
	for (unsigned i = 0; m->acl && i < m->acl->n; i++) {
		struct xrt_acl_entry *e = &m->acl->e[i];

		if (e->prio == prio && rule_eq(&e->r, r, true)) {
			e->from_config = true;
			e->stale = false;
			return true;
		}
	}
	return false;
}

static bool stale_match(const struct xrt_acl_entry *e, const void *arg)
{
	(void)arg;
	return e->stale;
}

int xrt_acl_config_sweep(struct xrt_maps *m, char *err)
{
	return m->acl ? acl_filter(m, m->acl, stale_match, NULL, false, err) : 0;
}
