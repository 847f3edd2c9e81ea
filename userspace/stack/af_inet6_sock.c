/* xrt: the AF_INET6 socket family, the socket half of the kernel's af_inet6.c (inet6_init's socket part, inet6_create, inetsw6[] keyed by type and protocol, bind, ports). */
#include <errno.h>
#include <stdlib.h>
#include "stack/stack_internal.h"
#include "stack/mcast.h"
#include "stack/request_sock.h"
#include "stack/secure_seq.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"
#include "stack/syncookies.h"

struct sock_stats sockstats;
#define SOCK_STATS_NAME(f, name) name,
const char *const sock_stats_names[] = { SOCK_STATS_LIST(SOCK_STATS_NAME) };

/* inetsw6[]: one list per socket type, like the kernel's. */
#define SOCK_TYPE_MAX 11
static struct inet_protosw *inetsw6[SOCK_TYPE_MAX];
static struct sock sockets[XRT_SOCK_MAX];

int inet6_register_protosw(struct inet_protosw *p)
{
	if (!p || p->type <= 0 || p->type >= SOCK_TYPE_MAX)
		return -EINVAL;
	for (struct inet_protosw *q = inetsw6[p->type]; q; q = q->next)
		if (q == p || q->protocol == p->protocol)
			return -EBUSY;
	p->next = inetsw6[p->type];
	inetsw6[p->type] = p;
	return 0;
}

/* inet6_create's lookup: an exact protocol match first, then a wildcard
 * entry (raw), and protocol 0 takes the first entry of the type. */
static struct inet_protosw *protosw_find(int type, int protocol, int *err)
{
	if (type <= 0 || type >= SOCK_TYPE_MAX || !inetsw6[type]) {
		*err = ESOCKTNOSUPPORT;
		return NULL;
	}
	struct inet_protosw *wild = NULL;
	for (struct inet_protosw *p = inetsw6[type]; p; p = p->next) {
		if (protocol && p->protocol == protocol)
			return p;
		if (p->protocol == IPPROTO_IP)
			wild = p;
		else if (!protocol)
			return p;
	}
	if (wild && protocol)
		return wild;
	*err = EPROTONOSUPPORT;
	return NULL;
}

static struct sock *sk_used; /* head of the list of sockets in use */

struct sock *sk_alloc(int type, int protocol, const struct inet_protosw *sw)
{
	for (unsigned i = 0; i < XRT_SOCK_MAX; i++) {
		struct sock *sk = &sockets[i];
		if (sk->in_use)
			continue;
		memset(sk, 0, sizeof(*sk));
		sk->in_use = true;
		sk->type = type;
		sk->protocol = protocol;
		sk->ops = sw->ops;
		sk->prot = sw->prot;
		sk->local.sin6_family = AF_INET6;
		sk->hop_limit = -1;
		sk->ttl = -1;
		sk->mcast_hops = XRT_SOCK_MCAST_HOPS;
		sk->mc_loop = true;
		sk->mc_all = true;
		sk->raw_csum_off = -1;
		sk->next = sk_used;
		if (sk_used)
			sk_used->prev = sk;
		sk_used = sk;
		return sk;
	}
	return NULL;
}

void sk_free(struct sock *sk)
{
	if (!sk->in_use)
		return;
	if (sk->prot && sk->prot->destroy)
		sk->prot->destroy(sk);
	ipv6_sock_mc_close(sk);
	if (sk->prev)
		sk->prev->next = sk->next;
	else
		sk_used = sk->next;
	if (sk->next)
		sk->next->prev = sk->prev;
	struct sock *next = sk->next;
	memset(sk, 0, sizeof(*sk));
	sk->next = next; /* a walk standing on sk goes on from here */
}

struct sock *sk_first(void)
{
	return sk_used;
}

struct sock *sk_next(struct sock *sk)
{
	struct sock *n = sk->next;
	while (n && !n->in_use)
		n = n->next; /* freed while the walk stood on sk */
	return n;
}

struct sock *inet6_create(int type, int protocol, const struct sock_owner_ops *owner,
			  void *owner_ctx, int *err)
{
	int e = 0;
	struct inet_protosw *sw = protosw_find(type, protocol, &e);
	if (!sw) {
		*err = e;
		return NULL;
	}
	if (type == SOCK_RAW && !protocol) {
		*err = EPROTONOSUPPORT; /* a raw socket names its next header */
		return NULL;
	}
	struct sock *sk = sk_alloc(type, protocol ? protocol : sw->protocol, sw);
	if (!sk) {
		*err = ENFILE;
		return NULL;
	}
	sk->owner = owner;
	sk->owner_ctx = owner_ctx;
	if (sk->prot->init && (e = sk->prot->init(sk)) < 0) {
		sk_free(sk);
		*err = -e;
		return NULL;
	}
	return sk;
}

bool inet6_port_in_use(const struct sock *self, int type, uint16_t port_be,
		       const struct in6_addr *addr)
{
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		if (sk == self || sk->type != type || sk->local.sin6_port != port_be)
			continue;
		/* A TCP child shares its listener's port. */
		if (sk->tp && tcp_sk_is_child(sk))
			continue;
		if (ip6_is_unspec(addr) || ip6_is_unspec(&sk->local.sin6_addr) ||
		    ip6_eq(addr, &sk->local.sin6_addr)) {
			/* SO_REUSEADDR lets a listener rebind over connections
			 * lingering in TIME_WAIT, as in Linux. */
			if (self->reuseaddr && sk->tp && tcp_sk_time_wait(sk))
				continue;
			/* udp_lib_lport_inuse: SO_REUSEADDR on both datagram
			 * sockets shares the port; sockets bound to different
			 * devices never conflict (inet_bind_conflict too). */
			if (type != SOCK_STREAM && self->reuseaddr && sk->reuseaddr)
				continue;
			if (self->bound_dev_if && sk->bound_dev_if &&
			    self->bound_dev_if != sk->bound_dev_if)
				continue;
			/* inet_bind_conflict: SO_REUSEADDR on both and the
			 * other not listening (a connection that outlived its
			 * listener: iperf3 -s reopening its port). */
			if (self->reuseaddr && sk->reuseaddr && sk->tp &&
			    tcp_state_of(sk) != TCP_LISTEN)
				continue;
			/* inet_csk_bind_conflict: SO_REUSEPORT on both and
			 * the same owner, so no other user can take a share. */
			if (self->reuseport && sk->reuseport && self->uid == sk->uid)
				continue;
			return true;
		}
	}
	return false;
}

/* inet_csk_get_port / udp_lib_get_port: the requested port if free, else a
 * free ephemeral one from a random starting point (inet_csk_find_open_port,
 * RFC 6056 3.3.1 "simple port randomization"): a socket with no peer yet
 * (bind to port 0, listen, an unbound UDP send) has nothing to key on.
 * Connecting TCP sockets go through inet6_hash_connect instead. */
int inet6_get_port(struct sock *sk, uint16_t port)
{
	if (port) {
		if (inet6_port_in_use(sk, sk->type, htons(port), &sk->local.sin6_addr))
			return -EADDRINUSE;
		sk->local.sin6_port = htons(port);
		return 0;
	}
	uint32_t range = XRT_SOCK_EPHEMERAL_HI - XRT_SOCK_EPHEMERAL_LO + 1;
	uint32_t offset = get_random_u32_below(range);
	for (uint32_t i = 0; i < range; i++) {
		uint16_t p = (uint16_t)(XRT_SOCK_EPHEMERAL_LO + (offset + i) % range);
		if (!inet6_port_in_use(sk, sk->type, htons(p), &sk->local.sin6_addr)) {
			sk->local.sin6_port = htons(p);
			return 0;
		}
	}
	return -EADDRINUSE;
}

int inet6_bind(struct sock *sk, const struct sockaddr_in6 *addr)
{
	if (addr->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (sk->local.sin6_port || (sk->type == SOCK_RAW && !ip6_is_unspec(&sk->local.sin6_addr)))
		return -EINVAL; /* already bound */
	/* __inet6_bind: a multicast address may be bound to receive that
	 * group (datagram and raw sockets); it is never a source (RFC 4291
	 * 2.7): ip6_datagram_route picks one instead. A stream has no use
	 * for it. Any other address must be ours. A v6only socket takes no
	 * IPv4-mapped address. */
	if (sk->v6only && xrt_addr_is_v4(&addr->sin6_addr))
		return -EINVAL;
	if (ip6_is_mcast(&addr->sin6_addr) ? sk->type == SOCK_STREAM
					    : !ip6_is_unspec(&addr->sin6_addr) &&
						      !ipv6_chk_addr(&addr->sin6_addr))
		return -EADDRNOTAVAIL;
	sk->local.sin6_addr = addr->sin6_addr;
	/* __inet6_bind: a scope id overrides SO_BINDTODEVICE; none keeps it. */
	if (addr->sin6_scope_id)
		sk->bound_dev_if = (int)addr->sin6_scope_id;
	if (sk->type == SOCK_RAW)
		return 0;
	int rc = sk->prot->get_port(sk, ntohs(addr->sin6_port));
	if (rc < 0)
		memset(&sk->local.sin6_addr, 0, sizeof(sk->local.sin6_addr));
	return rc;
}

int inet6_pick_saddr(const struct in6_addr *dst, struct in6_addr *out)
{
	static const struct in6_addr any;
	struct fib6_result res = { 0 };
	if (ipv6_chk_addr(dst)) {
		*out = *dst;
		return 0;
	}
	if (senv.fib6_lookup(senv.ctx, XRT_TABLE_MAIN, &any, dst, &res) < 0 ||
	    res.type != XRT_RTN_UNICAST)
		return -ENETUNREACH;
	const struct xrt_netdev *dev = stack_dev(res.oif);
	if (!dev || !ipv6_dev_get_saddr(dev, dst, out))
		return -EADDRNOTAVAIL;
	return 0;
}

int ip6_datagram_dest(const struct sock *sk, const struct sockaddr_in6 **to)
{
	if (sk->shut_wr)
		return -EPIPE;
	if (!*to || (*to)->sin6_family == AF_UNSPEC) {
		if (!sk->connected)
			return -EDESTADDRREQ;
		*to = &sk->peer;
	} else if ((*to)->sin6_family != AF_INET6) {
		return -EAFNOSUPPORT;
	}
	return 0;
}

int ip6_datagram_route(const struct sock *sk, const struct sockaddr_in6 *to, int *oif,
		       struct in6_addr *src)
{
	/* A scoped destination leaves by the interface its scope names. */
	*oif = sk->bound_dev_if;
	if (ip6_is_mcast(&to->sin6_addr) && sk->mcast_oif)
		*oif = sk->mcast_oif; /* IPV6_MULTICAST_IF */
	if (ip6_is_linklocal(&to->sin6_addr) || ip6_is_mcast(&to->sin6_addr))
		*oif = to->sin6_scope_id ? (int)to->sin6_scope_id : *oif;
	*src = sk->local.sin6_addr;
	/* ip6_datagram_send_ctl: IPV6_PKTINFO's interface and source (one
	 * of ours, RFC 3542 6.1) win for this datagram. */
	if (sk->tx_info.ifindex) {
		if (sk->bound_dev_if && sk->tx_info.ifindex != sk->bound_dev_if)
			return -EINVAL;
		if (!stack_dev(sk->tx_info.ifindex))
			return -ENODEV;
		*oif = sk->tx_info.ifindex;
	}
	if (!ip6_is_unspec(&sk->tx_info.addr)) {
		if (!ipv6_chk_addr(&sk->tx_info.addr))
			return -EADDRNOTAVAIL;
		*src = sk->tx_info.addr;
	}
	/* SO_DONTROUTE (SOCK_LOCALROUTE): no gateway; a global destination
	 * must be on a connected prefix (the link scope of ip_route_output). */
	if (sk->dontroute && !ip6_is_linklocal(&to->sin6_addr) && !ip6_is_mcast(&to->sin6_addr)) {
		static const struct in6_addr any;
		struct fib6_result res = { 0 };
		if (senv.fib6_lookup(senv.ctx, XRT_TABLE_MAIN, &any, &to->sin6_addr, &res) < 0 ||
		    res.type != XRT_RTN_UNICAST || !ip6_eq(&res.nexthop, &to->sin6_addr))
			return -ENETUNREACH;
	}
	if (!ip6_is_unspec(src) && !ip6_is_mcast(src))
		return 0; /* a bound group is for receiving only (RFC 4291 2.7) */
	const struct xrt_netdev *dev = *oif ? stack_dev(*oif) : NULL;
	if (dev)
		return ipv6_dev_get_saddr(dev, &to->sin6_addr, src) ? 0 : -EADDRNOTAVAIL;
	return inet6_pick_saddr(&to->sin6_addr, src);
}

void sk_error_report(struct sock *sk, int err)
{
	sk->err = err;
	sockstats.icmp_err++;
	if (sk->owner && sk->owner->error_report)
		sk->owner->error_report(sk);
}

int sock_getname(const struct sock *sk, struct sockaddr_in6 *out, bool peer)
{
	if (peer) {
		if (!sk->connected)
			return -ENOTCONN;
		*out = sk->peer;
	} else {
		*out = sk->local;
	}
	out->sin6_family = AF_INET6;
	return 0;
}

static uint8_t xmit_buf[PKT_HEADROOM + PKT_MAX_LEN];

extern struct inet_protosw rawv6_protosw, udpv6_protosw, tcpv6_protosw;
int udpv6_rcv(struct pkt *p);
int tcp_v6_rcv(struct pkt *p);

/* inet6_init: the protosw entries, then the upper-layer handlers. */
void inet6_init(void)
{
	memset(sockets, 0, sizeof(sockets));
	sk_used = NULL;
	memset(&sockstats, 0, sizeof(sockstats));
	memset(inetsw6, 0, sizeof(inetsw6));
	reqsk_table_init();
	inet6_hash_connect_init();
	sysctl_tcp_syncookies = TCP_SYNCOOKIES_DEFAULT;
	inet6_register_protosw(&tcpv6_protosw);
	inet6_register_protosw(&udpv6_protosw);
	inet6_register_protosw(&rawv6_protosw);
	inet6_add_protocol(NEXTHDR_UDP, udpv6_rcv);
	inet6_add_protocol(NEXTHDR_TCP, tcp_v6_rcv);
	inet6_set_raw_deliver(rawv6_local_deliver);
	inet6_add_err_handler(NEXTHDR_UDP, udpv6_err);
	inet6_add_err_handler(NEXTHDR_TCP, tcp_v6_err);
	inet6_set_raw_err(rawv6_err);
}

void inet6_fini(void)
{
	while (sk_used)
		sk_free(sk_used);
	reqsk_table_init();
	inet6_del_protocol(NEXTHDR_UDP);
	inet6_del_protocol(NEXTHDR_TCP);
	inet6_set_raw_deliver(NULL);
	inet6_add_err_handler(NEXTHDR_UDP, NULL);
	inet6_add_err_handler(NEXTHDR_TCP, NULL);
	inet6_set_raw_err(NULL);
}

int ip6_sk_hoplimit(const struct sock *sk, const struct in6_addr *dst)
{
	if (sk->tx_hl_set)
		return sk->tx_hl; /* ip6_datagram_send_ctl's IPV6_HOPLIMIT */
	int hl = ip6_is_mcast(dst) ? sk->mcast_hops : sk->hop_limit;
	return hl < 0 ? XRT_SOCK_HOP_LIMIT : hl;
}

/* do_ipv6_setsockopt: the options this stack implements, with the kernel's
 * checks (-1..255; a stream has no multicast hops). Every other option is
 * refused, not silently ignored. */
int ipv6_setsockopt(struct sock *sk, int name, int val)
{
	switch (name) {
	case IPV6_UNICAST_HOPS:
	case IPV6_MULTICAST_HOPS:
		if (sk->type == SOCK_STREAM && name == IPV6_MULTICAST_HOPS)
			return -ENOPROTOOPT;
		if (val > 255 || val < -1)
			return -EINVAL;
		if (name == IPV6_UNICAST_HOPS)
			sk->hop_limit = (int16_t)val;
		else
			sk->mcast_hops = (int16_t)(val == -1 ? XRT_SOCK_MCAST_HOPS : val);
		return 0;
	case IPV6_V6ONLY:
		/* do_ipv6_setsockopt: not once bound (inet_sk(sk)->inet_num). */
		if (sk->local.sin6_port)
			return -EINVAL;
		sk->v6only = val != 0;
		return 0;
	case IPV6_TCLASS:
		/* Applied by TCP's, UDP's and raw output (ip6_xmit_sk). */
		if (val > 255 || val < -1)
			return -EINVAL; /* RFC 3542 6.5: -1 = the default (0) */
		sk->tclass = (uint8_t)(val == -1 ? 0 : val);
		return 0;
	case IPV6_RECVERR:
		/* UDP sockets queue extended errors (udpv6_err); raw ICMPv6
		 * sockets read the errors as ordinary messages. */
		sk->recverr = val != 0;
		return 0;
	case IPV6_RECVHOPLIMIT:
		sk->recvhoplimit = val != 0; /* RFC 3542 6.3 */
		return 0;
	case IPV6_CHECKSUM:
		return rawv6_setsockopt(sk, name, val); /* SOL_IPV6 too, as Linux */
	case IPV6_RECVPKTINFO:
		if (sk->type == SOCK_STREAM)
			return -ENOPROTOOPT;
		sk->rxpktinfo = val != 0; /* RFC 3542 6.1 */
		return 0;
	case IPV6_MTU_DISCOVER:
		/* Kept and reported: xrt never fragments a datagram
		 * locally, so every mode sends as IPV6_PMTUDISC_DO. */
		if (val < IPV6_PMTUDISC_DONT || val > IPV6_PMTUDISC_OMIT)
			return -EINVAL;
		sk->pmtudisc = (int8_t)val;
		return 0;
	case IPV6_MULTICAST_IF:
		/* RFC 3493 5.2; the kernel's checks: an attached interface,
		 * not another than the one the socket is bound to. */
		if (sk->type == SOCK_STREAM)
			return -EINVAL;
		if (val && !stack_dev(val))
			return -ENODEV;
		if (val && sk->bound_dev_if && val != sk->bound_dev_if)
			return -EINVAL;
		sk->mcast_oif = val;
		return 0;
	case IPV6_MULTICAST_LOOP:
		if (val != 0 && val != 1)
			return -EINVAL; /* RFC 3493 5.2: 0 or 1 */
		sk->mc_loop = val;
		return 0;
	case IPV6_MULTICAST_ALL:
		sk->mc_all = val != 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int ipv6_mc_setsockopt(struct sock *sk, int name, const struct in6_addr *g, int ifindex)
{
	switch (name) {
	case IPV6_JOIN_GROUP:
	case MCAST_JOIN_GROUP:
		return ipv6_sock_mc_join(sk, ifindex, g);
	case IPV6_LEAVE_GROUP:
	case MCAST_LEAVE_GROUP:
		return ipv6_sock_mc_drop(sk, ifindex, g);
	default:
		return -ENOPROTOOPT;
	}
}

void ip6_mc_loop(const struct sock *sk, int oif)
{
	static uint8_t loop_buf[PKT_HEADROOM + PKT_MAX_LEN];
	const uint8_t *data = xmit_buf + PKT_HEADROOM;
	const struct ip6_hdr_wire *ip6 = (const struct ip6_hdr_wire *)data;
	const struct xrt_netdev *dev = stack_dev(oif);
	if (!sk->mc_loop || !dev || !ip6_is_mcast(&ip6->daddr) ||
	    !ipv6_chk_mcast_addr(oif, &ip6->daddr))
		return;
	size_t len = IP6_HDR_LEN + ntohs(ip6->payload_len);
	memcpy(loop_buf + PKT_HEADROOM, data, len);
	struct pkt p = { .nh = loop_buf + PKT_HEADROOM, .len = len, .cap = PKT_MAX_LEN,
			 .ifindex = oif, .eth_mcast = true };
	memcpy(p.eth_src, dev->mac, sizeof(p.eth_src));
	ipv6_rcv(&p);
}

int ipv6_getsockopt(const struct sock *sk, int name, int *val)
{
	switch (name) {
	case IPV6_UNICAST_HOPS:
		*val = sk->hop_limit < 0 ? XRT_SOCK_HOP_LIMIT : sk->hop_limit;
		return 0;
	case IPV6_MULTICAST_HOPS:
		*val = sk->mcast_hops;
		return 0;
	case IPV6_V6ONLY:
		*val = sk->v6only;
		return 0;
	case IPV6_TCLASS:
		*val = sk->tclass;
		return 0;
	case IPV6_RECVERR:
		*val = sk->recverr;
		return 0;
	case IPV6_CHECKSUM:
		return rawv6_getsockopt(sk, name, val);
	case IPV6_RECVPKTINFO:
		*val = sk->rxpktinfo;
		return 0;
	case IPV6_MTU_DISCOVER:
		*val = sk->pmtudisc;
		return 0;
	case IPV6_RECVHOPLIMIT:
		*val = sk->recvhoplimit;
		return 0;
	case IPV6_MULTICAST_IF:
		*val = sk->mcast_oif;
		return 0;
	case IPV6_MULTICAST_LOOP:
		*val = sk->mc_loop;
		return 0;
	case IPV6_MULTICAST_ALL:
		*val = sk->mc_all;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}


int ip6_xmit(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nexthdr,
	     const void *payload, size_t len, int csum_off, int oif)
{
	return ip6_xmit_hl(src, dst, nexthdr, payload, len, csum_off, oif, XRT_SOCK_HOP_LIMIT);
}

static int ip6_xmit_tc(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nexthdr,
		       const void *payload, size_t len, int csum_off, int oif, int hop_limit,
		       uint8_t tclass);

int ip6_xmit_hl(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nexthdr,
		const void *payload, size_t len, int csum_off, int oif, int hop_limit)
{
	return ip6_xmit_tc(src, dst, nexthdr, payload, len, csum_off, oif, hop_limit, 0);
}

int ip6_xmit_sk(const struct sock *sk, const struct in6_addr *src, const struct in6_addr *dst,
		uint8_t nexthdr, const void *payload, size_t len, int csum_off, int oif)
{
	return ip6_xmit_tc(src, dst, nexthdr, payload, len, csum_off, oif,
			   ip6_sk_hoplimit(sk, dst), sk->tclass);
}

/* ip6_xmit: the header RFC 8200 3 describes, traffic class from the
 * socket (RFC 3542 6.5). */
static int ip6_xmit_tc(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nexthdr,
		       const void *payload, size_t len, int csum_off, int oif, int hop_limit,
		       uint8_t tclass)
{
	if (len > IP6_MAX_PAYLOAD)
		return -EMSGSIZE;
	/* RFC 4291 2.7: multicast addresses must not be used as sources. */
	if (ip6_is_mcast(src))
		return -EINVAL;
	uint8_t *data = xmit_buf + PKT_HEADROOM;
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)data;
	ip6->vtc_flow = htonl(IP6_VERSION << 28 | (uint32_t)tclass << 20);
	ip6->payload_len = htons((uint16_t)len);
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = (uint8_t)hop_limit;
	ip6->saddr = *src;
	ip6->daddr = *dst;
	uint8_t *l4 = data + IP6_HDR_LEN;
	memcpy(l4, payload, len);
	if (csum_off >= 0 && (size_t)csum_off + 2 <= len) {
		l4[csum_off] = l4[csum_off + 1] = 0;
		uint16_t c = ip6_csum(src, dst, nexthdr, l4, len);
		if (nexthdr == NEXTHDR_UDP && c == 0)
			c = 0xffff; /* RFC 768: 0 means "no checksum" */
		l4[csum_off] = (uint8_t)(c >> 8);
		l4[csum_off + 1] = (uint8_t)c;
	}
	/* Link-local and link-scope multicast need the interface named. */
	if (!oif && (ip6_is_linklocal(dst) || ip6_is_mcast(dst)))
		return -EINVAL;
	return ip6_local_out(data, IP6_HDR_LEN + len, oif, 0) < 0 ? -EHOSTUNREACH : 0;
}

int sock_bindtoindex(struct sock *sk, int ifindex)
{
	if (ifindex < 0 || (ifindex && !stack_dev(ifindex)))
		return -ENODEV;
	sk->bound_dev_if = ifindex;
	return 0;
}
