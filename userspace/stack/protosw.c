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

/* inet6_protocol.err_handler: what icmpv6_notify calls for an ICMPv6 error
 * quoting a packet of this next header. */
static inet6_err_handler inet6_err_handlers[256];
static raw6_err_fn raw_err;

int inet6_add_err_handler(uint8_t nexthdr, inet6_err_handler fn)
{
	if (fn && inet6_err_handlers[nexthdr])
		return -EBUSY;
	inet6_err_handlers[nexthdr] = fn;
	return 0;
}

inet6_err_handler inet6_err_protocol(uint8_t nexthdr)
{
	return inet6_err_handlers[nexthdr];
}

void inet6_set_raw_err(raw6_err_fn fn)
{
	raw_err = fn;
}

void raw6_icmp_error(const struct icmp6_err *e)
{
	if (raw_err)
		raw_err(e);
}
