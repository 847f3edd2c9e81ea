/* xrt: the upper-layer protocol table input dispatches through (inet6_add_protocol). */
#include <errno.h>
#include "stack/stack_internal.h"

static inet6_handler inet6_protos[256];

/* Like the kernel: one handler per next-header value, first come wins. */
int inet6_add_protocol(uint8_t nexthdr, inet6_handler fn)
{
	if (!fn)
		return -EINVAL;
	if (inet6_protos[nexthdr])
		return -EBUSY;
	inet6_protos[nexthdr] = fn;
	return 0;
}

int inet6_del_protocol(uint8_t nexthdr)
{
	if (!inet6_protos[nexthdr])
		return -ENOENT;
	inet6_protos[nexthdr] = NULL;
	return 0;
}

inet6_handler inet6_protocol(uint8_t nexthdr)
{
	return inet6_protos[nexthdr];
}

static raw6_deliver_fn raw_deliver;

void inet6_set_raw_deliver(raw6_deliver_fn fn)
{
	raw_deliver = fn;
}

bool raw6_local_deliver(const struct pkt *p, uint8_t nexthdr)
{
	return raw_deliver && raw_deliver(p, nexthdr);
}
