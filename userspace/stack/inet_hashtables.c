/* xrt: inet6_hash_connect (__inet_hash_connect): the ephemeral port of a connecting socket, RFC 6056 3.3.4 algorithm 4 (double-hash port selection) with the kernel's random increments. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/secure_seq.h"
#include "stack/sock.h"

_Static_assert((XRT_INET_PORT_PERTURB & (XRT_INET_PORT_PERTURB - 1)) == 0, "power of 2");

/* table_perturb: per-bucket counters of connections made (RFC 6056's
 * "table[]"). The bucket of a destination comes from a keyed hash, so a
 * peer learns nothing from its own ports about connections to others. */
static uint32_t table_perturb[XRT_INET_PORT_PERTURB];

void inet6_hash_connect_init(void)
{
	memset(table_perturb, 0, sizeof(table_perturb));
}

int inet6_hash_connect(struct sock *sk)
{
	uint32_t range = XRT_SOCK_EPHEMERAL_HI - XRT_SOCK_EPHEMERAL_LO + 1;
	/* F(local, remote, remote port, key): one offset per destination. */
	uint64_t port_offset = secure_ipv6_port_ephemeral(&sk->local.sin6_addr,
							  &sk->peer.sin6_addr, sk->peer.sin6_port);
	uint32_t index = (uint32_t)port_offset & (XRT_INET_PORT_PERTURB - 1);
	uint32_t offset = (table_perturb[index] + (uint32_t)(port_offset >> 32)) % range;
	uint32_t i;
	for (i = 0; i < range; i++) {
		uint16_t p = (uint16_t)(XRT_SOCK_EPHEMERAL_LO + (offset + i) % range);
		if (!inet6_port_in_use(sk, sk->type, htons(p), &sk->local.sin6_addr)) {
			sk->local.sin6_port = htons(p);
			break;
		}
	}
	if (i == range)
		return -EADDRNOTAVAIL;
	/* The next connection to this destination starts beyond the port just
	 * taken, plus a small random step (the kernel's max(i, random(8)),
	 * after "Device tracking via Linux's new TCP source port selection
	 * algorithm", 2022): its distance from this one tells a peer little. */
	uint32_t step = get_random_u32_below(8);
	table_perturb[index] += (i > step ? i : step) + 1;
	return 0;
}
