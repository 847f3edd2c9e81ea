/* xrt: policy routing rules with the kernel's semantics (net/core/fib_rules.c): the list per family, default rules, auto priority, first match. */
#ifndef XRT_RIB_FIB_RULES_H
#define XRT_RIB_FIB_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include "xrt/fib_rules.h"
#include "rib/rib.h"

struct fib_rule {
	struct xrt_fib_rule r; /* r.table is filled at publish (slot) */
	uint32_t prio, table;  /* table: the 32-bit id */
	uint8_t src_len, dst_len; /* as the user wrote them (IPv4 without 96) */
	bool has_src, has_dst;
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE];
	uint8_t origin;        /* enum rib_origin */
	bool stale;            /* configuration reload: mark and sweep */
};

struct fib_rules {
	struct fib_rule v[XRT_FIB_RULES_MAX]; /* both families, priority order */
	unsigned n;
	uint64_t refused; /* adds refused: the list was full */
};

/* Set the rule's family; a missing from/to matches any address. */
void fib_rule_all(struct fib_rule *r, uint8_t family);
/* The kernel's default rules for both families (fib_default_rules_init,
 * fib6_default_rules_init); the tables of the rules are held in rib. */
void fib_rules_init(struct fib_rules *fr, struct rib *rib);
/* The list becomes a copy of from (a reload's undo), table references
 * moved with it. */
void fib_rules_replace(struct fib_rules *fr, struct rib *rib, const struct fib_rules *from);
/* fib_nl_newrule: has_prio false takes fib_default_rule_pref's priority
 * (one below the family's second rule). -ENOSPC (counted) when full,
 * -EEXIST for an identical rule, -ENOSPC when the table needs a slot and
 * none is free. */
int fib_nl_newrule(struct fib_rules *fr, struct rib *rib, struct fib_rule *nr, bool has_prio,
		   char *err);
/* fib_nl_delrule: the first rule of the family that has every field of
 * the template (the fields set in mask); -ENOENT if none. */
#define FIB_RULE_M_PRIO 0x01
#define FIB_RULE_M_TABLE 0x02
#define FIB_RULE_M_ACTION 0x04
int fib_nl_delrule(struct fib_rules *fr, struct rib *rib, const struct fib_rule *t,
		   unsigned mask, char *err);
/* rule_find: the index of the rule fib_nl_delrule would delete (and a
 * copy in out, if not NULL), or -ENOENT. */
int fib_rule_find(const struct fib_rules *fr, const struct fib_rule *t, unsigned mask,
		  struct fib_rule *out);
/* `ip rule flush`: every rule of family (0: both) but priority 0. */
void fib_rules_flush(struct fib_rules *fr, struct rib *rib, int family);
/* What the fast path walks (tables as slots): n = 0 when the list is the
 * default rules alone. */
unsigned fib_rules_compile(const struct fib_rules *fr, const struct rib *rib,
			   struct xrt_fib_rule *out);

/* The list is the kernel's six default rules alone (what the fast path
 * then skips: fib_rules_compile gives 0 rules). */
bool fib_rules_only_defaults(const struct fib_rules *fr);

/* fib_rules_lookup: the route for key (family from its daddr), lookup in
 * table iif_table for "main" as the fast path does. Returns the route,
 * or NULL with *type the rule's action type (blackhole, unreachable,
 * prohibit), 0 when no rule gave a route, or -1 when a rule with a
 * selector xrt cannot evaluate matched. *rule: the rule that answered. */
const struct rib_route *fib_rules_lookup(const struct fib_rules *fr, const struct rib *rib,
					 const struct xrt_acl_key *key, uint32_t iif_table,
					 int *type, const struct fib_rule **rule);

#endif
