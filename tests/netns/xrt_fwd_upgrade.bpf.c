/* xrt test: the product XDP program with other map layouts (t_ops_upgrade): a smaller xrt_neigh6 and a longer xrt_stats value. */
#define XRT_MAX_NEIGH 8192 /* max_entries differs */
#define XRT_STATS_SPARE 8   /* struct xrt_stats grows: counters appended */
#include "../../bpf/xrt_fwd.bpf.c"
