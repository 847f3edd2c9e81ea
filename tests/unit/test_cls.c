/* xrt unit tests: the classifier's shared inline (include/xrt/cls.h): the lowest set bit of a word, as the fast path finds it. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "xrt/cls.h"

Test(cls, ffs_every_bit)
{
	for (unsigned i = 0; i < XRT_CLS_WORD_BITS; i++) {
		uint64_t one = 1ULL << i;

		cr_assert_eq(xrt_cls_ffs(one), i, "bit %u alone", i);
		/* Higher bits do not change the answer. */
		cr_assert_eq(xrt_cls_ffs(one | ~(one | (one - 1))), i, "bit %u with all above", i);
	}
}

Test(cls, ffs_random_words)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (unsigned k = 0; k < 100000; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		uint64_t w = x >> (k % XRT_CLS_WORD_BITS);
		if (w)
			cr_assert_eq(xrt_cls_ffs(w), (unsigned)__builtin_ctzll(w), "%llx",
				     (unsigned long long)w);
	}
}
