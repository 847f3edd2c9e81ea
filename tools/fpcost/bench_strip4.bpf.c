/* xrt fpcost --stages: the fast path with the first 4 removals of bench_strip.h. */
#define BENCH_STRIP 4
#include "bench_strip.h"
