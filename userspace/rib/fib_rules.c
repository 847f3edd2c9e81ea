/* xrt: policy routing rules as net/core/fib_rules.c keeps them: fib_default_rules_init, fib_nl_newrule, fib_nl_delrule, fib_rules_lookup. */
#include "rib/fib_rules.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "xrt/inet.h"

static int rule_family(const struct fib_rule *r)
{
	return r->r.family == XRT_AF_INET ? AF_INET : AF_INET6;
}

static void rule_release(struct fib_rules *fr, struct rib *rib, unsigned i);

void fib_rule_all(struct fib_rule *r, uint8_t family)
{
	/* An absent from/to is all of the family: the family field keeps
	 * IPv6 packets from IPv4 rules, and a source the stack leaves
	 * unspecified (::) still matches "from all" of IPv4. */
	r->r.family = family;
	if (!r->has_src) {
		memset(r->r.src, 0, 16);
		memset(r->r.smask, 0, 16);
	}
	if (!r->has_dst) {
		memset(r->r.dst, 0, 16);
		memset(r->r.dmask, 0, 16);
	}
}

void fib_rules_replace(struct fib_rules *fr, struct rib *rib, const struct fib_rules *from)
{
	while (fr->n)
		rule_release(fr, rib, fr->n - 1);
	for (unsigned i = 0; i < from->n; i++) {
		struct fib_rule r = from->v[i];
		fib_nl_newrule(fr, rib, &r, true, NULL);
	}
}

/* The rules of one family: fib_rules_ops is per family in the kernel. */
static void default_rules(struct fib_rules *fr, struct rib *rib, uint8_t family)
{
	static const struct {
		uint32_t prio, table;
	} D[] = {
		{ XRT_FR_PRIO_LOCAL, XRT_TABLE_LOCAL },
		{ XRT_FR_PRIO_MAIN, XRT_TABLE_MAIN },
		{ XRT_FR_PRIO_DEFAULT, XRT_TABLE_DEFAULT },
	};
	for (size_t i = 0; i < sizeof(D) / sizeof(D[0]); i++) {
		struct fib_rule r = { .prio = D[i].prio, .table = D[i].table };
		fib_rule_all(&r, family);
		r.r.action = XRT_FR_ACT_TO_TBL;
		fib_nl_newrule(fr, rib, &r, true, NULL);
	}
}

void fib_rules_init(struct fib_rules *fr, struct rib *rib)
{
	while (fr->n)
		rule_release(fr, rib, fr->n - 1);
	default_rules(fr, rib, XRT_AF_INET);
	default_rules(fr, rib, XRT_AF_INET6);
}

/* fib_default_rule_pref: one below the priority of the family's second
 * rule (the first is the local rule), 0 if it has none or it is 0. */
static uint32_t default_rule_pref(const struct fib_rules *fr, uint8_t family)
{
	unsigned seen = 0;
	for (unsigned i = 0; i < fr->n; i++) {
		if (fr->v[i].r.family != family)
			continue;
		if (++seen == 2)
			return fr->v[i].prio ? fr->v[i].prio - 1 : 0;
	}
	return 0;
}

/* Same selectors, action and table: what rule_exists compares. */
static bool rule_same(const struct fib_rule *a, const struct fib_rule *b)
{
	struct xrt_fib_rule x = a->r, y = b->r;
	x.table = y.table = 0;
	return !memcmp(&x, &y, sizeof(x)) && a->prio == b->prio && a->table == b->table &&
	       !strcmp(a->iif, b->iif) && !strcmp(a->oif, b->oif);
}

int fib_nl_newrule(struct fib_rules *fr, struct rib *rib, struct fib_rule *nr, bool has_prio,
		   char *err)
{
	unsigned pos;
	int slot = -1;

	if (!has_prio)
		nr->prio = default_rule_pref(fr, nr->r.family);
	for (unsigned i = 0; i < fr->n; i++)
		if (rule_same(&fr->v[i], nr))
			return xrt_fail(err, -EEXIST, "File exists");
	if (fr->n >= XRT_FIB_RULES_MAX) {
		fr->refused++;
		return xrt_fail(err, -ENOSPC, "rule: full (%u rules); delete one first",
				XRT_FIB_RULES_MAX);
	}
	if (nr->r.action == XRT_FR_ACT_TO_TBL) {
		slot = rib_table_hold(rib, nr->table, err);
		if (slot < 0)
			return slot;
	}
	/* After every rule of a lower or equal priority (fib_nl_newrule's
	 * "if (r->pref > rule->pref) break"). */
	for (pos = 0; pos < fr->n && fr->v[pos].prio <= nr->prio; pos++)
		;
	memmove(&fr->v[pos + 1], &fr->v[pos], (fr->n - pos) * sizeof(fr->v[0]));
	fr->v[pos] = *nr;
	fr->n++;
	return 0;
}

static void rule_release(struct fib_rules *fr, struct rib *rib, unsigned i)
{
	if (fr->v[i].r.action == XRT_FR_ACT_TO_TBL) {
		int slot = rib_table_slot(rib, fr->v[i].table);
		if (slot >= 0)
			rib_table_put(rib, (uint32_t)slot);
	}
	memmove(&fr->v[i], &fr->v[i + 1], (fr->n - i - 1) * sizeof(fr->v[0]));
	fr->n--;
}

/* rule_find's comparison: the selectors, priority, table and action the
 * template gives; the family always. */
static bool rule_matches(const struct fib_rule *r, const struct fib_rule *t, unsigned mask)
{
	const struct xrt_fib_rule *x = &r->r, *y = &t->r;
	if (x->family != y->family)
		return false;
	if ((mask & FIB_RULE_M_PRIO) && r->prio != t->prio)
		return false;
	if ((mask & FIB_RULE_M_ACTION) && x->action != y->action)
		return false;
	if ((mask & FIB_RULE_M_TABLE) && y->action == XRT_FR_ACT_TO_TBL &&
	    (x->action != XRT_FR_ACT_TO_TBL || r->table != t->table))
		return false;
	if (t->has_src && (!r->has_src || r->src_len != t->src_len || memcmp(x->src, y->src, 16)))
		return false;
	if (t->has_dst && (!r->has_dst || r->dst_len != t->dst_len || memcmp(x->dst, y->dst, 16)))
		return false;
	if ((t->iif[0] && strcmp(r->iif, t->iif)) || (t->oif[0] && strcmp(r->oif, t->oif)))
		return false;
	if ((y->flags & XRT_FR_F_PROTO) && (!(x->flags & XRT_FR_F_PROTO) || x->proto != y->proto))
		return false;
	if ((y->flags & XRT_FR_F_SPORT) &&
	    (!(x->flags & XRT_FR_F_SPORT) || x->sport_lo != y->sport_lo || x->sport_hi != y->sport_hi))
		return false;
	if ((y->flags & XRT_FR_F_DPORT) &&
	    (!(x->flags & XRT_FR_F_DPORT) || x->dport_lo != y->dport_lo || x->dport_hi != y->dport_hi))
		return false;
	return true;
}

int fib_rule_find(const struct fib_rules *fr, const struct fib_rule *t, unsigned mask,
		  struct fib_rule *out)
{
	for (unsigned i = 0; i < fr->n; i++)
		if (rule_matches(&fr->v[i], t, mask)) {
			if (out)
				*out = fr->v[i];
			return (int)i;
		}
	return -ENOENT;
}

int fib_nl_delrule(struct fib_rules *fr, struct rib *rib, const struct fib_rule *t,
		   unsigned mask, char *err)
{
	for (unsigned i = 0; i < fr->n; i++)
		if (rule_matches(&fr->v[i], t, mask)) {
			rule_release(fr, rib, i);
			return 0;
		}
	return xrt_fail(err, -ENOENT, "No such file or directory");
}

void fib_rules_flush(struct fib_rules *fr, struct rib *rib, int family)
{
	for (unsigned i = fr->n; i-- > 0;)
		if (fr->v[i].prio != 0 && (!family || rule_family(&fr->v[i]) == family))
			rule_release(fr, rib, i);
}

/* The list is the kernel's six default rules, as fib_rules_init left it. */
static bool only_defaults(const struct fib_rules *fr)
{
	struct {
		struct fib_rule v[6];
		unsigned n;
	} d = { 0 };
	if (fr->n != 6)
		return false;
	for (unsigned f = 0; f < 2; f++) {
		uint8_t fam = f ? XRT_AF_INET6 : XRT_AF_INET;
		const uint32_t prio[3] = { XRT_FR_PRIO_LOCAL, XRT_FR_PRIO_MAIN, XRT_FR_PRIO_DEFAULT };
		const uint32_t tbl[3] = { XRT_TABLE_LOCAL, XRT_TABLE_MAIN, XRT_TABLE_DEFAULT };
		for (unsigned i = 0; i < 3; i++) {
			struct fib_rule *r = &d.v[d.n++];
			r->prio = prio[i];
			r->table = tbl[i];
			fib_rule_all(r, fam);
			r->r.action = XRT_FR_ACT_TO_TBL;
		}
	}
	for (unsigned i = 0; i < 6; i++) {
		bool found = false;
		for (unsigned j = 0; j < 6 && !found; j++)
			found = rule_same(&fr->v[i], &d.v[j]);
		if (!found)
			return false;
	}
	return true;
}

bool fib_rules_only_defaults(const struct fib_rules *fr)
{
	return only_defaults(fr);
}

unsigned fib_rules_compile(const struct fib_rules *fr, const struct rib *rib,
			   struct xrt_fib_rule *out)
{
	if (only_defaults(fr))
		return 0;
	for (unsigned i = 0; i < fr->n; i++) {
		int slot = rib_table_slot(rib, fr->v[i].table);
		out[i] = fr->v[i].r;
		out[i].table = slot < 0 ? XRT_MAX_TABLES : (uint32_t)slot;
	}
	return fr->n;
}

const struct rib_route *fib_rules_lookup(const struct fib_rules *fr, const struct rib *rib,
					 const struct xrt_acl_key *key, uint32_t iif_table,
					 int *type, const struct fib_rule **rule)
{
	struct in6_addr daddr, saddr;
	uint8_t family;

	memcpy(&daddr, key->daddr, sizeof(daddr));
	memcpy(&saddr, key->saddr, sizeof(saddr));
	family = xrt_addr_is_v4(&daddr) ? XRT_AF_INET : XRT_AF_INET6;
	*type = 0;
	if (rule)
		*rule = NULL;
	for (unsigned i = 0; i < fr->n; i++) {
		const struct fib_rule *r = &fr->v[i];
		if (r->r.family != family || !xrt_fib_rule_match(&r->r, key, 0))
			continue;
		if (rule)
			*rule = r;
		if (r->r.flags & XRT_FR_F_KERNEL) {
			*type = -1;
			return NULL;
		}
		if (r->r.action != XRT_FR_ACT_TO_TBL) {
			*type = r->r.action;
			return NULL;
		}
		/* "main" is the ingress interface's table (bpf/fib_rules.h). */
		const struct rib_route *rt =
			rib_lookup_src(rib, r->table == XRT_TABLE_MAIN ? iif_table : r->table,
				       &daddr, &saddr);
		if (rt)
			return rt;
	}
	if (rule)
		*rule = NULL;
	return NULL;
}
