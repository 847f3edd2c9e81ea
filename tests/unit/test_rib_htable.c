/* xrt: unit tests of the control plane's intrusive hash table (rib/htable.h). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "rib/htable.h"

struct item {
	uint32_t key;
	struct htable_node node;
};

/* A deliberately poor hash: collisions must be told apart by the key. */
static uint64_t weak_hash(uint32_t key)
{
	return key % 7;
}

static struct item *find(struct htable *t, uint32_t key)
{
	htable_for_each_possible(t, pos, weak_hash(key)) {
		struct item *it = htable_entry(pos, struct item, node);
		if (it->key == key)
			return it;
	}
	return NULL;
}

Test(rib_htable, add_find_del_with_colliding_hashes)
{
	struct htable t;
	struct item it[100];
	cr_assert_eq(htable_init(&t, 4, 1024), 0);
	for (uint32_t i = 0; i < 100; i++) {
		it[i].key = i;
		htable_add(&t, &it[i].node, weak_hash(i));
	}
	cr_assert_eq(t.count, 100);
	for (uint32_t i = 0; i < 100; i++)
		cr_assert_eq(find(&t, i), &it[i], "key %u", i);
	cr_assert_null(find(&t, 100));
	for (uint32_t i = 0; i < 100; i += 2)
		htable_del(&t, &it[i].node);
	cr_assert_eq(t.count, 50);
	for (uint32_t i = 0; i < 100; i++)
		cr_assert_eq(find(&t, i), i % 2 ? &it[i] : NULL, "key %u", i);
	htable_fini(&t);
}

Test(rib_htable, grows_to_its_bound_and_no_further)
{
	struct htable t;
	enum { N = 5000 };
	struct item *it = calloc(N, sizeof(*it));
	cr_assert_not_null(it);
	cr_assert_eq(htable_init(&t, 8, 1024), 0);
	for (uint32_t i = 0; i < N; i++) {
		it[i].key = i;
		htable_add(&t, &it[i].node, (uint64_t)i * 0x9e3779b97f4a7c15ull);
		if (i < 1024)
			cr_assert_gt(t.mask + 1, i / 2, "buckets keep up with objects");
	}
	cr_assert_eq(t.mask + 1, 1024, "growth stops at max_buckets");
	size_t seen = 0;
	htable_for_each(&t, pos) {
		cr_assert_eq(htable_entry(pos, struct item, node)->node.hash,
			     (uint64_t)htable_entry(pos, struct item, node)->key *
				     0x9e3779b97f4a7c15ull);
		seen++;
	}
	cr_assert_eq(seen, N, "every object once, after growing");
	htable_fini(&t);
	free(it);
}

Test(rib_htable, walk_may_delete_the_current_node)
{
	struct htable t;
	struct item it[64];
	cr_assert_eq(htable_init(&t, 2, 64), 0);
	for (uint32_t i = 0; i < 64; i++) {
		it[i].key = i;
		htable_add(&t, &it[i].node, weak_hash(i));
	}
	htable_for_each(&t, pos)
		if (htable_entry(pos, struct item, node)->key % 3 == 0)
			htable_del(&t, pos);
	cr_assert_eq(t.count, 64 - 22);
	for (uint32_t i = 0; i < 64; i++)
		cr_assert_eq(find(&t, i) != NULL, i % 3 != 0, "key %u", i);
	htable_fini(&t);
}

Test(rib_htable, an_object_in_two_tables)
{
	struct two {
		uint32_t a, b;
		struct htable_node by_a, by_b;
	} x = { .a = 1, .b = 2 };
	struct htable ta, tb;
	cr_assert_eq(htable_init(&ta, 4, 4), 0);
	cr_assert_eq(htable_init(&tb, 4, 4), 0);
	htable_add(&ta, &x.by_a, x.a);
	htable_add(&tb, &x.by_b, x.b);
	htable_for_each_possible(&tb, pos, 2)
		cr_assert_eq(htable_entry(pos, struct two, by_b), &x);
	htable_del(&ta, &x.by_a);
	cr_assert_eq(ta.count, 0);
	cr_assert_eq(tb.count, 1);
	htable_fini(&ta);
	htable_fini(&tb);
}
