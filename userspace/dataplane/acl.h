/* xrt: the ACL's writer: the rule list in match order, published to the fast path's two banks with one flip, and the local-input check xrtd runs. */
#ifndef XRT_DATAPLANE_ACL_H
#define XRT_DATAPLANE_ACL_H

#include <stdbool.h>
#include <stdint.h>
#include "xrt/acl.h"
#include "dataplane/maps.h"

/* Lower priorities match first; equal ones in the order they were added. */
#define XRT_ACL_PRIO_DEFAULT 1000

struct xrt_acl_entry {
	struct xrt_acl_rule r;
	uint32_t prio;
	uint64_t seq;          /* insertion order */
	uint64_t pkts, bytes;  /* local-input matches, counted by xrtd */
	bool from_config, stale; /* the configuration file's (mark and sweep) */
};

/*
 * Every change builds the whole list into the bank packets do not read,
 * flips xrt_acl_cfg's active index and waits for a grace period, so the
 * next change may write the old bank. A failed change leaves both the
 * list and the fast path as they were.
 */
/* -ENOSPC ("acl: full") past XRT_ACL_MAX rules, counted in refused. */
int xrt_acl_add(struct xrt_maps *m, const struct xrt_acl_rule *r, uint32_t prio, char *err);
/* The first rule equal to r in every field (action only if has_action,
 * priority only if has_prio); -ENOENT if none. */
int xrt_acl_del(struct xrt_maps *m, const struct xrt_acl_rule *r, bool has_action,
		bool has_prio, uint32_t prio, char *err);
/* Every rule of dir (XRT_ACL_DIRS: all), ifindex (0: all) and family (v4
 * 1 IPv4, 0 IPv6, XRT_ACL_ANY_FAMILY both). */
#define XRT_ACL_ANY_FAMILY (-1)
int xrt_acl_flush(struct xrt_maps *m, unsigned dir, uint32_t ifindex, int v4, char *err);
/* The list as it is (no counters read) for a later xrt_acl_replace: up
 * to max entries into v. */
void xrt_acl_save(const struct xrt_maps *m, struct xrt_acl_entry *v, unsigned max, unsigned *n);
/* A previous writer's rules left in the pinned maps: gone (both banks
 * empty), so the fast path and this writer's empty list agree. */
int xrt_acl_reset(struct xrt_maps *m, char *err);
/* Put back a whole list (a reload's undo). */
int xrt_acl_replace(struct xrt_maps *m, const struct xrt_acl_entry *v, unsigned n, char *err);

/* Configuration reload: mark the file's rules stale (or clear the marks);
 * keep names a rule equal to r at prio as the file's and not stale (false
 * if there is none); sweep removes the file's rules still stale. */
void xrt_acl_config_mark(struct xrt_maps *m, bool stale);
bool xrt_acl_config_keep(struct xrt_maps *m, const struct xrt_acl_rule *r, uint32_t prio);
int xrt_acl_config_sweep(struct xrt_maps *m, char *err);

/* The list as it is now, in match order: copies up to max entries with
 * their counters (fast path per-CPU sums plus xrtd's own) into v. */
int xrt_acl_list(struct xrt_maps *m, struct xrt_acl_entry *v, unsigned max, unsigned *n,
		 char *err);
/* Adds refused because the list was full. */
uint64_t xrt_acl_refused(const struct xrt_maps *m);

/* NF_INET_LOCAL_IN, in xrtd: the action of the first XRT_ACL_LOCAL rule
 * matching k (XRT_ACL_PASS if none), counted with len bytes. dir may also
 * be XRT_ACL_IN or XRT_ACL_OUT for packets the fast path did not check. */
int xrt_acl_eval(struct xrt_maps *m, unsigned dir, const struct xrt_acl_key *k, uint32_t len);

#endif
