/* xrt tests: the fake stack_env behind every test_stack_* unit test. */
#include <stdlib.h>
#include <string.h>
#include "test_stack_fake.h"

struct fake_frame *fake_tx;
unsigned fake_ntx;
uint64_t fake_now;
uint64_t fake_used_ns;
struct fake_neigh_call fake_neigh_calls[64];
unsigned fake_nneigh_calls;
struct xrt_netdev fake_devs[2];

struct fake_route {
	const char *prefix;
	unsigned plen;
	uint32_t type;
	int oif;
	const char *gw; /* NULL: connected */
	uint32_t mtu;   /* the route's own MTU (0: the device's) */
};

static const struct fake_route fake_routes[] = {
	{ "2001:db8:1::", 64, XRT_RTN_UNICAST, FAKE_IF_A, NULL, 0 },
	{ "2001:db8:2::", 64, XRT_RTN_UNICAST, FAKE_IF_B, NULL, 0 },
	{ "2001:db8:99::", 48, XRT_RTN_UNICAST, FAKE_IF_B, "fe80::99", 0 },
	{ "2001:db8:77::", 48, XRT_RTN_UNICAST, FAKE_IF_A, "fe80::77", 0 },
	{ "2001:db8:66::", 48, XRT_RTN_UNICAST, FAKE_IF_A, "2001:db8:1::66", 0 },
	{ "2001:db8:88::", 48, XRT_RTN_UNICAST, FAKE_IF_A, "2001:db8:1::5", 1400 },
	{ "2001:db8:dead::", 48, XRT_RTN_UNREACHABLE, 0, NULL, 0 },
	{ "2001:db8:bad::", 48, XRT_RTN_PROHIBIT, 0, NULL, 0 },
	{ "2001:db8:b1a::", 48, XRT_RTN_BLACKHOLE, 0, NULL, 0 },
	/* Source routes beyond the bound: the kernel's (env_fib6_lookup). */
	{ "2001:db8:5c::", 48, XRT_FIB6_LEAF_KERNEL, 0, NULL, 0 },
	/* IPv4 (mapped, plen + 96): the addresses test_stack_ip4.c adds. */
	{ "::ffff:10.1.0.0", 120, XRT_RTN_UNICAST, FAKE_IF_A, NULL, 0 },
	{ "::ffff:10.2.0.0", 120, XRT_RTN_UNICAST, FAKE_IF_B, NULL, 0 },
	{ "::ffff:10.99.0.0", 112, XRT_RTN_UNICAST, FAKE_IF_B, "::ffff:10.2.0.99", 0 },
	{ "::ffff:10.77.0.0", 112, XRT_RTN_UNICAST, FAKE_IF_A, "::ffff:10.1.0.77", 0 },
	{ "::ffff:10.250.0.0", 112, XRT_RTN_UNREACHABLE, 0, NULL, 0 },
	{ "::ffff:10.251.0.0", 112, XRT_RTN_PROHIBIT, 0, NULL, 0 },
	{ "::ffff:10.252.0.0", 112, XRT_RTN_BLACKHOLE, 0, NULL, 0 },
};

struct in6_addr A(const char *s)
{
	struct in6_addr a;
	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

static bool prefix_match(const struct in6_addr *a, const struct in6_addr *p, unsigned plen)
{
	for (unsigned i = 0; i < plen; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;
		if (((a->s6_addr[byte] >> bit) & 1) != ((p->s6_addr[byte] >> bit) & 1))
			return false;
	}
	return true;
}

static int fake_xmit(void *ctx, int ifindex, const void *frame, size_t len)
{
	(void)ctx;
	if (fake_ntx >= FAKE_TX_MAX || len > FAKE_FRAME_MAX)
		return -1;
	fake_tx[fake_ntx].ifindex = ifindex;
	fake_tx[fake_ntx].len = len;
	memcpy(fake_tx[fake_ntx].data, frame, len);
	fake_ntx++;
	return 0;
}

static const struct xrt_netdev *fake_dev_get(void *ctx, int ifindex)
{
	(void)ctx;
	for (int i = 0; i < 2; i++)
		if (fake_devs[i].ifindex == ifindex)
			return &fake_devs[i];
	return NULL;
}

static void fake_dev_foreach(void *ctx, void (*fn)(const struct xrt_netdev *, void *),
			     void *arg)
{
	(void)ctx;
	for (int i = 0; i < 2; i++)
		fn(&fake_devs[i], arg);
}

static int fake_fib6_lookup(void *ctx, uint32_t table, const struct in6_addr *saddr,
			    const struct in6_addr *daddr, struct fib6_result *res)
{
	(void)ctx;
	(void)table;
	(void)saddr;
	const struct fake_route *best = NULL;
	for (size_t i = 0; i < sizeof(fake_routes) / sizeof(fake_routes[0]); i++) {
		struct in6_addr p = A(fake_routes[i].prefix);
		if (prefix_match(daddr, &p, fake_routes[i].plen) &&
		    (!best || fake_routes[i].plen > best->plen))
			best = &fake_routes[i];
	}
	memset(res, 0, sizeof(*res));
	if (!best)
		return -1;
	res->type = best->type;
	res->oif = best->oif;
	res->nexthop = best->gw ? A(best->gw) : *daddr;
	const struct xrt_netdev *dev = fake_dev_get(NULL, best->oif);
	res->mtu = best->mtu ? best->mtu : dev ? dev->mtu : 0;
	return 0;
}

static void fake_neigh_changed(void *ctx, int ifindex, const struct in6_addr *addr,
			       const uint8_t mac[6], uint16_t state)
{
	(void)ctx;
	if (fake_nneigh_calls >= 64)
		return;
	struct fake_neigh_call *c = &fake_neigh_calls[fake_nneigh_calls++];
	c->ifindex = ifindex;
	c->addr = *addr;
	memcpy(c->mac, mac, 6);
	c->state = state;
}

static uint64_t fake_neigh_used_ns(void *ctx, int ifindex, const struct in6_addr *addr)
{
	(void)ctx;
	(void)ifindex;
	(void)addr;
	return fake_used_ns;
}

static uint64_t fake_now_ns(void *ctx)
{
	(void)ctx;
	return fake_now;
}

bool fake_nf_drop[3];
struct fake_nf_call fake_nf_call[64];
unsigned fake_nf_calls;

/* The daemon's rpf and acl (router/stack_env.c): record, answer as told. */
static int fake_nf_hook(void *ctx, unsigned hook, int ifindex, const uint8_t *ip6, size_t len)
{
	(void)ctx;
	(void)ip6;
	if (fake_nf_calls < sizeof(fake_nf_call) / sizeof(fake_nf_call[0]))
		fake_nf_call[fake_nf_calls++] = (struct fake_nf_call){ hook, ifindex, len };
	return hook < 3 && fake_nf_drop[hook] ? -1 : 0;
}

unsigned fake_nf_calls_of(unsigned hook)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_nf_calls; i++)
		n += fake_nf_call[i].hook == hook;
	return n;
}

void fake_setup(void)
{
	if (!fake_tx)
		fake_tx = calloc(FAKE_TX_MAX, sizeof(*fake_tx));
	fake_ntx = 0;
	fake_nneigh_calls = 0;
	fake_now = 1000 * NSEC_PER_SEC;
	memset(fake_devs, 0, sizeof(fake_devs));
	struct xrt_netdev *a = &fake_devs[0], *b = &fake_devs[1];
	a->ifindex = FAKE_IF_A;
	strcpy(a->name, "a");
	memcpy(a->mac, (uint8_t[]){ 2, 0, 0, 0, 0, 0xa }, 6);
	a->mtu = 1500;
	a->table = XRT_TABLE_MAIN;
	a->forwarding = true;
	a->naddrs = 2;
	a->addr[0] = A("fe80::a");
	a->plen[0] = 64;
	a->addr[1] = A("2001:db8:1::1");
	a->plen[1] = 64;
	b->ifindex = FAKE_IF_B;
	strcpy(b->name, "b");
	memcpy(b->mac, (uint8_t[]){ 2, 0, 0, 0, 0, 0xb }, 6);
	b->mtu = 1280;
	b->table = XRT_TABLE_MAIN;
	b->forwarding = true;
	b->naddrs = 2;
	b->addr[0] = A("fe80::b");
	b->plen[0] = 64;
	b->addr[1] = A("2001:db8:2::1");
	b->plen[1] = 64;
	struct stack_env env = {
		.xmit = fake_xmit,
		.dev_get = fake_dev_get,
		.dev_foreach = fake_dev_foreach,
		.fib6_lookup = fake_fib6_lookup,
		.neigh_changed = fake_neigh_changed,
		.now_ns = fake_now_ns,
		.neigh_used_ns = fake_neigh_used_ns,
		.nf_hook = fake_nf_hook,
	};
	fake_used_ns = 0;
	memset(fake_nf_drop, 0, sizeof(fake_nf_drop));
	fake_nf_calls = 0;
	stack_init(&env);
	stack_mld_enable(false); /* suites that count frames; test_mcast turns it on */
}

void fake_teardown(void)
{
	stack_fini();
}

void fake_advance_ms(uint64_t ms)
{
	/* Step in small increments so each timer fires at its own time. */
	for (uint64_t t = 0; t < ms; t += 10) {
		fake_now += 10 * NSEC_PER_MSEC;
		stack_timers_run();
	}
}

size_t build_frame(uint8_t *frame, int ifindex, const char *src, const char *dst,
		   uint8_t hlim, uint8_t nexthdr, const void *body, size_t blen)
{
	const struct xrt_netdev *dev = fake_dev_get(NULL, ifindex);
	struct in6_addr d = A(dst);
	if (d.s6_addr[0] == 0xff)
		ip6_mc_mac(&d, frame);
	else
		memcpy(frame, dev->mac, 6);
	memcpy(frame + 6, (uint8_t[]){ 2, 0, 0, 0, 0x99, (uint8_t)ifindex }, 6);
	frame[12] = 0x86;
	frame[13] = 0xdd;
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)(frame + 14);
	ip6->vtc_flow = htonl(0x60000000u);
	ip6->payload_len = htons((uint16_t)blen);
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = hlim;
	ip6->saddr = A(src);
	ip6->daddr = d;
	memcpy(frame + 14 + 40, body, blen);
	return 14 + 40 + blen;
}

void fix_icmp_csum(uint8_t *frame, size_t len, size_t icmp_off)
{
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)(frame + 14);
	uint8_t *icmp = frame + icmp_off;
	icmp[2] = icmp[3] = 0;
	uint16_t c = ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_ICMP, icmp, len - icmp_off);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

size_t build_echo(uint8_t *body, uint16_t id, uint16_t seq, size_t data_len)
{
	body[0] = ICMP6_ECHO_REQUEST;
	body[1] = 0;
	body[2] = body[3] = 0;
	body[4] = (uint8_t)(id >> 8);
	body[5] = (uint8_t)id;
	body[6] = (uint8_t)(seq >> 8);
	body[7] = (uint8_t)seq;
	for (size_t i = 0; i < data_len; i++)
		body[8 + i] = (uint8_t)i;
	return 8 + data_len;
}

size_t build_echo_frame(uint8_t *frame, int ifindex, const char *src, const char *dst,
			uint8_t hlim, size_t data_len)
{
	static uint8_t body[70000];
	size_t blen = build_echo(body, 0x1234, 1, data_len);
	size_t len = build_frame(frame, ifindex, src, dst, hlim, NEXTHDR_ICMP, body, blen);
	fix_icmp_csum(frame, len, 14 + 40);
	return len;
}

void rx(int ifindex, const uint8_t *frame, size_t len)
{
	stack_rx(NULL, ifindex, frame, len);
}

const uint8_t *tx_ip6(unsigned i)
{
	return fake_tx[i].data + 14;
}

size_t tx_ip6_len(unsigned i)
{
	return fake_tx[i].len - 14;
}

const uint8_t *tx_icmp(unsigned i)
{
	return tx_ip6(i) + 40;
}

bool tx_addr_is(unsigned i, bool dst, const char *addr)
{
	struct in6_addr a = A(addr);
	return memcmp(tx_ip6(i) + (dst ? 24 : 8), &a, 16) == 0;
}

unsigned count_icmp(int type, int code)
{
	unsigned n = 0;
	for (unsigned i = 0; i < fake_ntx; i++)
		if (tx_ip6(i)[6] == NEXTHDR_ICMP && tx_icmp(i)[0] == type &&
		    (code < 0 || tx_icmp(i)[1] == code))
			n++;
	return n;
}

int find_icmp(int type, int code)
{
	for (unsigned i = 0; i < fake_ntx; i++)
		if (tx_ip6(i)[6] == NEXTHDR_ICMP && tx_icmp(i)[0] == type &&
		    (code < 0 || tx_icmp(i)[1] == code))
			return (int)i;
	return -1;
}

bool tx_csum_ok(unsigned i)
{
	const struct ip6_hdr_wire *ip6 = (const void *)tx_ip6(i);
	return ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_ICMP, tx_icmp(i),
			tx_ip6_len(i) - 40) == 0;
}
