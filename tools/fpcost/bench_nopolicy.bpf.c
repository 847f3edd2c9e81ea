/* xrt fpcost: the fast path with rpf, the ACL, the policy rules and `xrt trace` compiled out: the plain pipeline the --acl and --rules rows compare bench_notrace.bpf.o (the same with those stages in, and empty) with. */
#define XRT_POLICY_COMPILED_OUT
#define XRT_TRACE_COMPILED_OUT
#include "../../bpf/xrt_fwd.bpf.c"
