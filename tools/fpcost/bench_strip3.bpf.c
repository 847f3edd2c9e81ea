/* xrt fpcost --stages: the fast path with the first 3 removals of bench_strip.h. */
#define BENCH_STRIP 3
#include "bench_strip.h"
