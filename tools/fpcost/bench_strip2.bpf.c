/* xrt fpcost --stages: the fast path with the first 2 removals of bench_strip.h. */
#define BENCH_STRIP 2
#include "bench_strip.h"
