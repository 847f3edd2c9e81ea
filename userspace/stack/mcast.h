/* xrt: multicast listening and MLD (mcast.c): what the stack's other stages and the socket layer call. */
#ifndef XRT_STACK_MCAST_H
#define XRT_STACK_MCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct pkt;
struct sock;

void mld_init(void);
/* Compare every interface's addresses with its groups: join the new
 * solicited-node groups, leave the old ones (run by the timers too). */
void mld_sync(void);
void mld_timers_run(uint64_t now);
uint64_t mld_timers_next(void);
/* Does ifindex listen to g because a socket joined it or the router did? */
bool mld_dev_listens(int ifindex, const struct in6_addr *g);
/* MLD messages (types 130, 131, 132, 143) from icmpv6_rcv. */
void igmp6_event(struct pkt *p, size_t icmp_len);
bool mld_is_querier(int ifindex);
unsigned mld_groups(void); /* gauge: groups in the table */

/* Socket memberships: 0 or -EINVAL (not a group), -EPROTO (stream),
 * -ENODEV (no such attached interface), -EADDRINUSE (joined already),
 * -ENOBUFS (XRT_SOCK_MC_MAX / table bound), -EADDRNOTAVAIL (drop of a
 * group not joined). */
int ipv6_sock_mc_join(struct sock *sk, int ifindex, const struct in6_addr *g);
int ipv6_sock_mc_drop(struct sock *sk, int ifindex, const struct in6_addr *g);
void ipv6_sock_mc_close(struct sock *sk);
bool inet6_mc_check(const struct sock *sk, const struct in6_addr *g);

#endif
