/* xrt tests: what a local user can ask of the socket layer (multicast binds never a source, hop limits, option refusals, SO_REUSEPORT per uid, ICMP6_FILTER) and how socket names become paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>
#include "test_stack_fake.h"
#include "stack/sock.h"
#include "ctl/unix_sock.h"

#define PEER "2001:db8:1::2"
#define US "2001:db8:1::1"

static unsigned delivered;
static int t_dgram(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	(void)sk, (void)f, (void)d, (void)l;
	delivered++;
	return 0;
}
static const struct sock_owner_ops owner = { .dgram_rcv = t_dgram };

static void setup(void)
{
	fake_setup();
	delivered = 0;
	struct in6_addr peer = A(PEER);
	neigh_update_from_slla(FAKE_IF_A, &peer, (uint8_t[]){ 2, 0, 0, 0, 0, 0x22 });
	fake_ntx = 0;
}
TestSuite(sec_local, .init = setup, .fini = fake_teardown);

static struct sock *udp(void)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_not_null(s, "socket: %d", err);
	return s;
}

Test(sec_local, multicast_bind_receives_but_never_sources)
{
	struct sock *s = udp();
	struct sockaddr_in6 m = { .sin6_family = AF_INET6, .sin6_port = htons(5001),
				  .sin6_addr = A("ff02::1"), .sin6_scope_id = FAKE_IF_A };
	cr_assert_eq(s->ops->bind(s, &m), 0, "__inet6_bind accepts a group");
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(7), .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	cr_assert_eq(fake_ntx, 1);
	cr_assert(tx_addr_is(0, false, US), "the source is the interface's address");
	int err = 0;
	struct sock *t = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_not_null(t);
	cr_assert_eq(t->ops->bind(t, &m), -EADDRNOTAVAIL, "no multicast for a stream");
	struct in6_addr src = A("ff02::1"), dst = A(PEER);
	cr_assert_eq(ip6_xmit(&src, &dst, NEXTHDR_UDP, "12345678", 8, 6, FAKE_IF_A), -EINVAL,
		     "ip6_xmit refuses a multicast source (RFC 4291 2.7)");
}

Test(sec_local, hop_limits_as_the_kernel)
{
	struct sock *s = udp();
	int v;
	cr_assert_eq(ipv6_getsockopt(s, IPV6_UNICAST_HOPS, &v), 0);
	cr_assert_eq(v, 64);
	cr_assert_eq(ipv6_getsockopt(s, IPV6_MULTICAST_HOPS, &v), 0);
	cr_assert_eq(v, 1, "RFC 3493 5.2");
	cr_assert_eq(ipv6_setsockopt(s, IPV6_UNICAST_HOPS, 256), -EINVAL);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_UNICAST_HOPS, -2), -EINVAL);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_UNICAST_HOPS, 7), 0);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_MULTICAST_HOPS, 5), 0);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(7), .sin6_addr = A(PEER) };
	cr_assert_eq(s->ops->sendmsg(s, "x", 1, &to), 1);
	cr_assert_eq(tx_ip6(0)[7], 7, "IPV6_UNICAST_HOPS on the wire");
	struct in6_addr mc = A("ff02::1");
	cr_assert_eq(ip6_sk_hoplimit(s, &mc), 5);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_MULTICAST_HOPS, -1), 0);
	cr_assert_eq(ip6_sk_hoplimit(s, &mc), 1, "-1 = the default");
	cr_assert_eq(ipv6_setsockopt(s, IPV6_UNICAST_HOPS, -1), 0);
	cr_assert_eq(ip6_sk_hoplimit(s, &to.sin6_addr), 64);
	int err = 0;
	struct sock *t = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_eq(ipv6_setsockopt(t, IPV6_MULTICAST_HOPS, 5), -ENOPROTOOPT, "no groups for a stream");
	cr_assert_eq(ipv6_setsockopt(t, IPV6_UNICAST_HOPS, 9), 0, "do_ipv6_setsockopt takes it for TCP");
	fake_ntx = 0;
	cr_assert_eq(t->ops->connect(t, &to), -EINPROGRESS);
	cr_assert_eq(fake_ntx, 1, "the SYN");
	cr_assert_eq(tx_ip6(0)[7], 9, "the SYN leaves with the socket's hop limit");
}

Test(sec_local, unimplemented_options_are_refused)
{
	struct sock *s = udp();
	cr_assert_eq(ipv6_setsockopt(s, IPV6_RECVRTHDR, 1), -ENOPROTOOPT);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_OMIT + 1), -EINVAL);
	int v = 1;
	cr_assert_eq(ipv6_getsockopt(s, IPV6_V6ONLY, &v), 0);
	cr_assert_eq(v, 0, "dual stack by default (net.ipv6.bindv6only = 0)");
	cr_assert_eq(ipv6_setsockopt(s, IPV6_V6ONLY, 1), 0);
	cr_assert_eq(ipv6_getsockopt(s, IPV6_V6ONLY, &v), 0);
	cr_assert_eq(v, 1);
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(4242) };
	cr_assert_eq(s->ops->bind(s, &any), 0);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_V6ONLY, 0), -EINVAL, "not once bound");
	cr_assert_eq(rawv6_setsockopt(s, IPV6_CHECKSUM, 2), -ENOPROTOOPT, "not a raw socket");
	uint32_t f[8] = { 0 };
	cr_assert_eq(rawv6_seticmpfilter(s, f), -EOPNOTSUPP, "not a raw ICMPv6 socket");
}

Test(sec_local, reuseport_shares_only_with_the_same_uid)
{
	struct sock *a = udp(), *b = udp(), *c = udp();
	a->uid = b->uid = 1000;
	c->uid = 1001;
	a->reuseport = b->reuseport = c->reuseport = true;
	struct sockaddr_in6 p = { .sin6_family = AF_INET6, .sin6_port = htons(6000) };
	cr_assert_eq(a->ops->bind(a, &p), 0);
	cr_assert_eq(b->ops->bind(b, &p), 0, "same uid: shared");
	cr_assert_eq(c->ops->bind(c, &p), -EADDRINUSE, "another uid cannot take a share");
}

Test(sec_local, icmp6_filter_blocks_delivery)
{
	int err = 0;
	struct sock *r = inet6_create(SOCK_RAW, IPPROTO_ICMPV6, &owner, NULL, &err);
	cr_assert_not_null(r);
	uint8_t frame[400];
	size_t fl = build_echo_frame(frame, FAKE_IF_A, PEER, US, 64, 16);
	/* struct icmp6_filter (RFC 3542 3.2): a set bit blocks its type. */
	uint32_t w[8];
	memset(w, 0xff, sizeof(w));
	w[ICMP6_ECHO_REPLY >> 5] &= ~(1u << (ICMP6_ECHO_REPLY & 31));
	cr_assert_eq(rawv6_seticmpfilter(r, w), 0);
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(delivered, 0, "echo request blocked");
	memset(w, 0, sizeof(w));
	cr_assert_eq(rawv6_seticmpfilter(r, w), 0);
	rx(FAKE_IF_A, frame, fl);
	cr_assert_eq(delivered, 1);
	cr_assert_eq(r->rx_hoplimit, 64, "the hop limit of the delivered datagram, for IPV6_RECVHOPLIMIT");
	int v;
	cr_assert_eq(rawv6_setsockopt(r, IPV6_CHECKSUM, 4), -EINVAL, "ICMPv6 is always at 2");
	cr_assert_eq(rawv6_getsockopt(r, IPV6_CHECKSUM, &v), 0);
	cr_assert_eq(v, 2);
}

Test(sec_local, socket_names_become_root_paths)
{
	char p[sizeof(((struct sockaddr_un *)0)->sun_path)], q[sizeof(p)];
	cr_assert_eq(xrt_unix_path(NULL, NULL, p, sizeof(p), NULL), 0);
	cr_assert(!strncmp(p, "/run/xrt/net-", 13), "%s", p);
	cr_assert_str_eq(strrchr(p, '/'), "/xrt");
	cr_assert_eq(xrt_unix_path("@r2", XRT_SOCK_SUFFIX, q, sizeof(q), NULL), 0);
	cr_assert_str_eq(strrchr(q, '/'), "/r2-sock", "the abstract spelling is a name there");
	*strrchr(p, '/') = *strrchr(q, '/') = '\0';
	cr_assert_str_eq(p, q, "one directory per namespace");
	cr_assert_eq(xrt_unix_path("/tmp/x", "-sock", p, sizeof(p), NULL), 0);
	cr_assert_str_eq(p, "/tmp/x-sock");
	cr_assert_eq(xrt_unix_path("..", NULL, p, sizeof(p), NULL), -EINVAL);
	char longname[200];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(xrt_unix_path(longname, NULL, p, sizeof(p), NULL), -ENAMETOOLONG);
	struct sockaddr_un sa;
	socklen_t len;
	cr_assert_eq(xrt_unix_addr("/run/xrt/x", &sa, &len), 0);
	cr_assert_eq(len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/xrt/x") + 1);
	cr_assert_eq(xrt_unix_addr(longname, &sa, &len), -ENAMETOOLONG);
}
