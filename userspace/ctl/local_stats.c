/* xrt: the counters of xrtd's local attack surface (storage and names). */
#include "ctl/local_stats.h"

struct xrt_local_stats xrt_local_stats;
#define XRT_LOCAL_STATS_NAME(f, name) name,
const char *const xrt_local_stats_names[] = { XRT_LOCAL_STATS_LIST(XRT_LOCAL_STATS_NAME) };
