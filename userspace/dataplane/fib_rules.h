/* xrt: the policy rules' writer: the fast path's rule list, published to two banks with one flip. */
#ifndef XRT_DATAPLANE_FIB_RULES_H
#define XRT_DATAPLANE_FIB_RULES_H

#include <stdint.h>
#include "xrt/fib_rules.h"
#include "dataplane/maps.h"

/* Write v (n rules in priority order, tables as slots; n = 0: the
 * kernel's default rules alone, no walk) into the bank packets do not
 * read, flip the active bank, wait for a grace period. -ENOSPC past
 * XRT_FIB_RULES_MAX. */
int xrt_maps_fib_rules_set(struct xrt_maps *m, const struct xrt_fib_rule *v, unsigned n,
			   char *err);

#endif
