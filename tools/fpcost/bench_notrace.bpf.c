/* xrt fpcost: the product fast path with `xrt trace` compiled out: the baseline of the trace rows (trace_cost.c). */
#define XRT_TRACE_COMPILED_OUT
#include "../../bpf/xrt_fwd.bpf.c"
