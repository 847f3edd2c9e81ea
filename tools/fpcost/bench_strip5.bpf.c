/* xrt fpcost --stages: the fast path with the first 5 removals of bench_strip.h. */
#define BENCH_STRIP 5
#include "bench_strip.h"
