/* xrt fpcost --stages: the fast path with the first 7 removals of bench_strip.h. */
#define BENCH_STRIP 7
#include "bench_strip.h"
