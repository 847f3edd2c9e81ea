/* xrt: one intrusive chained hash table for the control plane (the kernel's hlist + hashtable.h idea). */
#ifndef XRT_RIB_HTABLE_H
#define XRT_RIB_HTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * The object embeds a struct htable_node and the caller computes the hash;
 * the table keeps it in the node, so growing never calls back and a lookup
 * compares keys only where the full 64-bit hashes agree:
 *
 *	htable_for_each_possible(&rib->nhs, pos, hash) {
 *		struct rib_nh *h = htable_entry(pos, struct rib_nh, hnode);
 *		if (same key)
 *			return h;
 *	}
 *
 * Bounded: the bucket array doubles when the table holds as many objects
 * as buckets, up to max_buckets (then chains lengthen); a failed growth
 * keeps the old array (slower, still correct), so adding never fails.
 * An object may sit in several tables through several nodes.
 */
struct htable_node {
	struct htable_node *next;
	uint64_t hash;
};

struct htable {
	struct htable_node **bucket;
	size_t mask;        /* buckets - 1 (a power of two less one) */
	size_t max_buckets; /* growth stops here */
	size_t count;
};

#define htable_entry(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* buckets and max_buckets: powers of two, buckets <= max_buckets. */
static inline int htable_init(struct htable *t, size_t buckets, size_t max_buckets)
{
	t->bucket = calloc(buckets, sizeof(*t->bucket));
	t->mask = buckets - 1;
	t->max_buckets = max_buckets;
	t->count = 0;
	return t->bucket ? 0 : -1;
}

/* Frees the buckets only: the objects are the caller's (walk them first). */
static inline void htable_fini(struct htable *t)
{
	free(t->bucket);
	t->bucket = NULL;
	t->mask = 0;
	t->count = 0;
}

static inline void htable_grow(struct htable *t)
{
	size_t nmask = t->mask * 2 + 1;
	struct htable_node **nb;

	if (nmask + 1 > t->max_buckets || !(nb = calloc(nmask + 1, sizeof(*nb))))
		return;
	for (size_t i = 0; i <= t->mask; i++)
		for (struct htable_node *n = t->bucket[i], *next; n; n = next) {
			next = n->next;
			n->next = nb[n->hash & nmask];
			nb[n->hash & nmask] = n;
		}
	free(t->bucket);
	t->bucket = nb;
	t->mask = nmask;
}

static inline void htable_add(struct htable *t, struct htable_node *n, uint64_t hash)
{
	if (t->count > t->mask)
		htable_grow(t);
	n->hash = hash;
	n->next = t->bucket[hash & t->mask];
	t->bucket[hash & t->mask] = n;
	t->count++;
}

/* n must be in t. */
static inline void htable_del(struct htable *t, struct htable_node *n)
{
	struct htable_node **pp = &t->bucket[n->hash & t->mask];

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	n->next = NULL;
	t->count--;
}

/* Nodes whose hash is hash (compare the keys: different keys may share it). */
#define htable_for_each_possible(t, pos, hash_)                                      \
	for (struct htable_node *pos = (t)->bucket[(hash_) & (t)->mask]; pos;          \
	     pos = pos->next)                                                          \
		if (pos->hash == (hash_))

/* Every node; pos may be removed (htable_del) or freed inside the body.
 * A break leaves only the inner loop: return, or use a flag. */
#define htable_for_each(t, pos)                                                        \
	for (size_t pos##_b = 0; (t)->bucket && pos##_b <= (t)->mask; pos##_b++)        \
		for (struct htable_node *pos = (t)->bucket[pos##_b], *pos##_next;        \
		     pos && (pos##_next = pos->next, 1); pos = pos##_next)

#endif
