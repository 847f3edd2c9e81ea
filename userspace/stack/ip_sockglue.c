/* xrt: ip_sockglue: the IPPROTO_IP socket options (IP_TTL, IP_TOS, IP_RECVERR) of AF_INET and dual-stack sockets. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/sock.h"

/* ip_tos2prio (net/ipv4/route.c): the SO_PRIORITY an IP_TOS implies, by
 * the RFC 1349 TOS bits (TC_PRIO_BESTEFFORT 0, BULK 2, INTERACTIVE_BULK 4,
 * INTERACTIVE 6). */
#define IP4_TOS_BITS 0x1e /* RFC 1349 4: the four TOS bits (IPTOS_TOS) */
static const uint8_t ip_tos2prio[16] = { 0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4 };

uint8_t ip_sk_ttl(const struct sock *sk)
{
	return sk->ttl < 0 ? IP4_DEFAULT_TTL : (uint8_t)sk->ttl;
}

int ip_setsockopt(struct sock *sk, int name, int val)
{
	switch (name) {
	case IP_TTL:
		/* do_ip_setsockopt: 1..255, or -1 for the default. */
		if (val != -1 && (val < 1 || val > 255))
			return -EINVAL;
		sk->ttl = (int16_t)val;
		return 0;
	case IP_TOS:
		/* __ip_sock_set_tos: a stream's ECN bits are TCP's (RFC
		 * 3168 5); the priority follows the TOS (rt_tos2priority). */
		if (sk->type == SOCK_STREAM)
			val = (val & ~IP4_ECN_MASK) | (sk->tos & IP4_ECN_MASK);
		if ((uint8_t)val != sk->tos)
			sk->priority = ip_tos2prio[(val & IP4_TOS_BITS) >> 1];
		sk->tos = (uint8_t)val;
		return 0;
	case IP_RECVERR:
		/* __udp4_lib_err queues ICMPv4 errors (ip_icmp_error). */
		sk->recverr4 = val != 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int ip_getsockopt(const struct sock *sk, int name, int *val)
{
	switch (name) {
	case IP_TTL:
		*val = ip_sk_ttl(sk);
		return 0;
	case IP_TOS:
		*val = sk->tos;
		return 0;
	case IP_RECVERR:
		*val = sk->recverr4;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}
