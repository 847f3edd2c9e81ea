/* xrt fpcost --stages: the fast path with the first 6 removals of bench_strip.h. */
#define BENCH_STRIP 6
#include "bench_strip.h"
