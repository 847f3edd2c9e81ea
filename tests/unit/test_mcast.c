/* xrt tests: MLDv2 (RFC 3810) reports, query answers, MLDv1 compatibility, querier election, socket group memberships and multicast delivery (mcast.c) on the fake env and its clock. */
#include <criterion/criterion.h>
#include <errno.h>
#include "test_stack_fake.h"
#include "stack/mcast.h"
#include "stack/sock.h"
#include "xrt/mld.h"

#define SN_LL "ff02::1:ff00:a"  /* solicited-node of fe80::a */
#define SN_GL "ff02::1:ff00:1"  /* solicited-node of 2001:db8:1::1 */
#define GROUP "ff02::1234"
#define ADDR(s) (&(struct in6_addr[1]){ A(s) }[0])

static struct {
	unsigned n;
	void *sk[8];
	char data[8][64];
} got;
static int t_dgram(struct sock *sk, const struct sockaddr_in6 *f, const void *d, size_t l)
{
	(void)f;
	if (got.n < 8) {
		got.sk[got.n] = sk;
		memcpy(got.data[got.n], d, l < 63 ? l : 63);
	}
	got.n++;
	return 0;
}
static const struct sock_owner_ops owner = { .dgram_rcv = t_dgram };

static void setup(void)
{
	fake_setup();
	memset(&got, 0, sizeof(got));
}
TestSuite(mcast, .init = setup, .fini = fake_teardown);

/* The ICMPv6 header of MLD frame i (IPv6 + Router Alert hop-by-hop), NULL
 * if frame i is not MLD. Checks what RFC 3810 5 and 6.2 ask of every
 * message (link-local source, hop limit 1, Router Alert). */
static const uint8_t *tx_mld(unsigned i)
{
	const uint8_t *ip = tx_ip6(i);
	if (ip[6] != NEXTHDR_HOP || ip[40] != NEXTHDR_ICMP)
		return NULL;
	static const uint8_t hbh_ra[8] = { NEXTHDR_ICMP, 0, IP6_TLV_ROUTER_ALERT, 2, 0, 0, 1, 0 };
	cr_assert_arr_eq(ip + 40, hbh_ra, 8, "Router Alert (MLD) in hop-by-hop");
	cr_assert_eq(ip[7], 1, "hop limit 1");
	cr_assert(ip6_is_linklocal((const struct in6_addr *)(ip + 8)), "link-local source");
	struct in6_addr s, d;
	memcpy(&s, ip + 8, 16);
	memcpy(&d, ip + 24, 16);
	cr_assert_eq(ip6_csum(&s, &d, NEXTHDR_ICMP, ip + 48, tx_ip6_len(i) - 48), 0, "checksum");
	return ip + 48;
}

/* Records of type rtype for group g in MLDv2 reports sent from frame from on. */
static unsigned count_records(unsigned from, int ifindex, uint8_t rtype, const char *g)
{
	struct in6_addr ga = A(g);
	unsigned n = 0;
	for (unsigned i = from; i < fake_ntx; i++) {
		const uint8_t *m = tx_mld(i);
		if (!m || m[0] != ICMP6_MLD_V2_REPORT || fake_tx[i].ifindex != ifindex)
			continue;
		cr_assert(tx_addr_is(i, true, "ff02::16"), "reports go to all MLDv2 routers");
		unsigned nrec = (unsigned)(m[6] << 8 | m[7]);
		for (unsigned r = 0; r < nrec; r++) {
			const uint8_t *rec = m + 8 + r * 20;
			if (rec[0] == rtype && memcmp(rec + 4, &ga, 16) == 0)
				n++;
		}
	}
	return n;
}

static unsigned count_mld(unsigned from, uint8_t type, int ifindex)
{
	unsigned n = 0;
	for (unsigned i = from; i < fake_ntx; i++) {
		const uint8_t *m = tx_mld(i);
		n += m && m[0] == type && fake_tx[i].ifindex == ifindex;
	}
	return n;
}

/* A query from src on FAKE_IF_A: len 24 (MLDv1) or 28 (MLDv2). */
static void query(const char *src, const char *group, uint16_t mrc, size_t len, uint8_t hlim,
		  bool ra)
{
	uint8_t body[8 + 28] = { NEXTHDR_ICMP, 0, ra ? IP6_TLV_ROUTER_ALERT : IP6_TLV_PADN, 2, 0, 0,
				 1, 0 };
	uint8_t *q = body + 8;
	q[0] = ICMP6_MLD_QUERY;
	q[4] = (uint8_t)(mrc >> 8);
	q[5] = (uint8_t)mrc;
	struct in6_addr g = A(group);
	memcpy(q + 8, &g, 16);
	if (len > 24)
		q[24] = 2, q[25] = 125;
	uint8_t frame[200];
	size_t fl = build_frame(frame, FAKE_IF_A, src, group[0] && strcmp(group, "::") ? group : "ff02::1",
				hlim, NEXTHDR_HOP, body, 8 + len);
	fix_icmp_csum(frame, fl, 14 + 48);
	rx(FAKE_IF_A, frame, fl);
}

static void mld_start(void)
{
	stack_mld_enable(true);
	fake_advance_ms(3000); /* joins and their retransmissions are over */
}

Test(mcast, unsolicited_reports_for_own_groups_robustness_times)
{
	stack_mld_enable(true);
	fake_advance_ms(1500);
	cr_assert_eq(count_records(0, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, SN_LL), MLD_ROBUSTNESS);
	cr_assert_eq(count_records(0, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, SN_GL), MLD_ROBUSTNESS);
	cr_assert_eq(count_records(0, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, "ff02::2"), MLD_ROBUSTNESS);
	cr_assert_eq(count_records(0, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, "ff02::1"), 0,
		     "RFC 3810 6: never ff02::1");
	cr_assert_eq(count_records(0, FAKE_IF_B, MLD2_CHANGE_TO_EXCLUDE, "ff02::1:ff00:b"),
		     MLD_ROBUSTNESS);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_geq(st.icmp6[STACK_ICMP6_OUT_MLD_V2_REPORTS], 6);
	unsigned before = fake_ntx;
	fake_advance_ms(5000);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, SN_GL), 0,
		     "no more unsolicited reports");
}

Test(mcast, querier_sends_general_queries_and_yields_to_a_lower_address)
{
	stack_mld_enable(true);
	fake_advance_ms(100);
	cr_assert(mld_is_querier(FAKE_IF_A), "querier on a new link");
	unsigned q = 0;
	for (unsigned i = 0; i < fake_ntx; i++) {
		const uint8_t *m = tx_mld(i);
		if (m && m[0] == ICMP6_MLD_QUERY && fake_tx[i].ifindex == FAKE_IF_A) {
			q++;
			cr_assert(tx_addr_is(i, true, "ff02::1"));
			cr_assert(tx_addr_is(i, false, "fe80::a"));
			cr_assert_eq(tx_ip6_len(i), 40 + 8 + 28, "MLDv2 query length");
			struct in6_addr zero = { 0 };
			cr_assert_arr_eq(m + 8, &zero, 16, "General Query");
			cr_assert_eq(m[4] << 8 | m[5], MLD_QUERY_RESPONSE_INTERVAL_MS);
			cr_assert_eq(m[24] & 7, MLD_ROBUSTNESS);
			cr_assert_eq(m[25], MLD_QQIC);
		}
	}
	cr_assert_eq(q, 1, "first startup query at once");
	/* A query from a higher address changes nothing. */
	query("fe80::ff", "::", 1000, 28, 1, true);
	cr_assert(mld_is_querier(FAKE_IF_A));
	/* A lower one wins (RFC 3810 7.6.2). */
	query("fe80::1", "::", 1000, 28, 1, true);
	cr_assert_not(mld_is_querier(FAKE_IF_A));
	cr_assert(mld_is_querier(FAKE_IF_B), "per link");
	unsigned before = fake_ntx;
	fake_advance_ms(MLD_OTHER_QUERIER_PRESENT_MS - 1000);
	cr_assert_eq(count_mld(before, ICMP6_MLD_QUERY, FAKE_IF_A), 0, "silent while another queries");
	cr_assert_geq(count_mld(before, ICMP6_MLD_QUERY, FAKE_IF_B), 2, "B keeps querying");
	fake_advance_ms(2000);
	cr_assert(mld_is_querier(FAKE_IF_A), "Other Querier Present timer expired");
	cr_assert_eq(count_mld(before, ICMP6_MLD_QUERY, FAKE_IF_A), 1);
}

Test(mcast, general_query_answered_within_max_response_delay)
{
	mld_start();
	unsigned before = fake_ntx;
	query("fe80::1", "::", 500, 28, 1, true);
	cr_assert_eq(fake_ntx, before, "not at once: a random delay");
	fake_advance_ms(510);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, SN_LL), 1);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, SN_GL), 1);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, "ff02::2"), 1);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, "ff02::1:ff00:0"), 1,
		     "the Subnet-Router anycast's solicited-node group");
	cr_assert_eq(count_mld(before, ICMP6_MLD_V2_REPORT, FAKE_IF_A), 1, "one report, every record");
	cr_assert_eq(tx_ip6_len(fake_ntx - 1), 40 + 8 + 8 + 4 * 20, "four records, nothing else");
	cr_assert_eq(count_mld(before, ICMP6_MLD_V2_REPORT, FAKE_IF_B), 0, "only the queried link");
}

Test(mcast, specific_query_answers_that_group_only)
{
	mld_start();
	unsigned before = fake_ntx;
	query("fe80::1", SN_GL, 200, 28, 1, true);
	fake_advance_ms(210);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, SN_GL), 1);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, SN_LL), 0);
	before = fake_ntx;
	query("fe80::1", "ff02::9999", 200, 28, 1, true);
	fake_advance_ms(210);
	cr_assert_eq(count_mld(before, ICMP6_MLD_V2_REPORT, FAKE_IF_A), 0, "not a group of ours");
}

Test(mcast, invalid_queries_are_dropped)
{
	mld_start();
	struct stack_stats st0, st1;
	stack_stats_get(&st0);
	unsigned before = fake_ntx;
	query("fe80::1", "::", 100, 28, 255, true);   /* hop limit */
	query("fe80::1", "::", 100, 28, 1, false);    /* no Router Alert */
	query("2001:db8:1::9", "::", 100, 28, 1, true); /* not link-local */
	query("fe80::1", "::", 100, 26, 1, true);     /* neither length */
	fake_advance_ms(200);
	stack_stats_get(&st1);
	cr_assert_eq(st1.drop[STACK_DROP_MLD_INVALID] - st0.drop[STACK_DROP_MLD_INVALID], 4);
	cr_assert_eq(count_mld(before, ICMP6_MLD_V2_REPORT, FAKE_IF_A), 0);
	cr_assert(mld_is_querier(FAKE_IF_A), "a bad query elects nobody");
}

Test(mcast, mldv1_querier_switches_to_compatibility_mode)
{
	mld_start();
	unsigned before = fake_ntx;
	query("fe80::1", "::", 300, MLD_V1_LEN, 1, true);
	fake_advance_ms(310);
	cr_assert_eq(count_mld(before, ICMP6_MLD_V2_REPORT, FAKE_IF_A), 0, "no MLDv2 to a v1 querier");
	unsigned v1 = 0;
	for (unsigned i = before; i < fake_ntx; i++) {
		const uint8_t *m = tx_mld(i);
		if (!m || m[0] != ICMP6_MLD_V1_REPORT)
			continue;
		v1++;
		cr_assert_eq(tx_ip6_len(i), 40 + 8 + MLD_V1_LEN);
		cr_assert_arr_eq(tx_ip6(i) + 24, m + 8, 16, "RFC 2710 3: sent to the group itself");
	}
	cr_assert_eq(v1, 4, "%u: ff02::2, the two solicited-node groups, the anycast's", v1);
	/* A socket joining now reports in MLDv1 too, and leaves with a Done. */
	int err;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	before = fake_ntx;
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, ADDR(GROUP)), 0);
	cr_assert_eq(count_mld(before, ICMP6_MLD_V1_REPORT, FAKE_IF_A), 1);
	cr_assert_eq(ipv6_sock_mc_drop(s, FAKE_IF_A, ADDR(GROUP)), 0);
	cr_assert_eq(count_mld(before, ICMP6_MLD_V1_DONE, FAKE_IF_A), 1);
	cr_assert(tx_addr_is(fake_ntx - 1, true, "ff02::2"), "Done to all routers");
	/* Older Version Querier Present expires: back to MLDv2. */
	fake_advance_ms(MLD_OLDER_VERSION_QUERIER_PRESENT_MS + 1000);
	before = fake_ntx;
	query("fe80::1", "::", 100, 28, 1, true);
	fake_advance_ms(110);
	cr_assert_eq(count_mld(before, ICMP6_MLD_V2_REPORT, FAKE_IF_A), 1);
}

Test(mcast, removed_address_leaves_its_solicited_node_group)
{
	mld_start();
	unsigned before = fake_ntx;
	fake_devs[0].naddrs = 1; /* 2001:db8:1::1 removed */
	fake_advance_ms(2000);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_INCLUDE, SN_GL), MLD_ROBUSTNESS);
	cr_assert_not(mld_dev_listens(FAKE_IF_A, ADDR(SN_GL)));
	cr_assert(mld_dev_listens(FAKE_IF_A, ADDR(SN_LL)));
	/* Added back: joined again. */
	before = fake_ntx;
	fake_devs[0].naddrs = 2;
	fake_advance_ms(2000);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, SN_GL), MLD_ROBUSTNESS);
}

static struct sock *udp_on(uint16_t port)
{
	int err = 0;
	struct sock *s = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_not_null(s);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	s->reuseport = true;
	cr_assert_eq(s->ops->bind(s, &a), 0);
	return s;
}

static void udp_to_group(const char *group, uint16_t dport, const char *payload)
{
	uint8_t body[100];
	size_t n = strlen(payload), l = 8 + n;
	body[0] = 0x9c, body[1] = 0x40; /* 40000 */
	body[2] = (uint8_t)(dport >> 8), body[3] = (uint8_t)dport;
	body[4] = 0, body[5] = (uint8_t)l;
	body[6] = body[7] = 0;
	memcpy(body + 8, payload, n);
	struct in6_addr s = A("fe80::2"), d = A(group);
	uint16_t c = ip6_csum(&s, &d, NEXTHDR_UDP, body, l);
	body[6] = (uint8_t)(c >> 8), body[7] = (uint8_t)c;
	uint8_t frame[200];
	size_t fl = build_frame(frame, FAKE_IF_A, "fe80::2", group, 1, NEXTHDR_UDP, body, l);
	rx(FAKE_IF_A, frame, fl);
}

Test(mcast, socket_join_reports_and_delivers_to_every_socket_of_the_port)
{
	mld_start();
	struct sock *s1 = udp_on(5000), *s2 = udp_on(5000), *other = udp_on(5001);
	struct in6_addr g = A(GROUP);
	udp_to_group(GROUP, 5000, "early");
	cr_assert_eq(got.n, 0, "nobody joined: not for us");
	unsigned before = fake_ntx;
	cr_assert_eq(ipv6_mc_setsockopt(s1, IPV6_JOIN_GROUP, &g, FAKE_IF_A), 0);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, GROUP), 1,
		     "reported at once");
	fake_advance_ms(1100);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, GROUP), MLD_ROBUSTNESS);
	udp_to_group(GROUP, 5000, "hello");
	cr_assert_eq(got.n, 2, "both sockets of the port (IPV6_MULTICAST_ALL on)");
	cr_assert((got.sk[0] == s1 && got.sk[1] == s2) || (got.sk[0] == s2 && got.sk[1] == s1),
		  "each socket of port 5000 once, none of port 5001");
	cr_assert_str_eq(got.data[0], "hello");
	cr_assert_str_eq(got.data[1], "hello");
	cr_assert_eq(ipv6_setsockopt(s2, IPV6_MULTICAST_ALL, 0), 0);
	got.n = 0;
	udp_to_group(GROUP, 5000, "again");
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.sk[0], s1, "only the member once s2 wants only its own groups");
	/* Another port's socket gets the group's datagrams to its port only
	 * (__udp6_lib_mcast_deliver; IPV6_MULTICAST_ALL on: inet6_mc_check). */
	got.n = 0;
	udp_to_group(GROUP, 5001, "other");
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.sk[0], other, "port 5001's socket");
	cr_assert_str_eq(got.data[0], "other");
	/* Leaving reports CHANGE_TO_INCLUDE {} and stops delivery. */
	before = fake_ntx;
	cr_assert_eq(ipv6_mc_setsockopt(s1, MCAST_LEAVE_GROUP, &g, 0), 0);
	fake_advance_ms(1100);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_INCLUDE, GROUP), MLD_ROBUSTNESS);
	got.n = 0;
	udp_to_group(GROUP, 5000, "late");
	cr_assert_eq(got.n, 0);
	/* Closing a socket drops its memberships. */
	cr_assert_eq(ipv6_sock_mc_join(s2, FAKE_IF_A, &g), 0);
	cr_assert(mld_dev_listens(FAKE_IF_A, &g));
	sk_free(s2);
	cr_assert_not(mld_dev_listens(FAKE_IF_A, &g));
}

Test(mcast, join_errors_and_bounds)
{
	int err = 0;
	struct sock *s = udp_on(6000);
	struct in6_addr g = A(GROUP), uc = A("2001:db8:1::5");
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &uc), -EINVAL, "not a group");
	cr_assert_eq(ipv6_sock_mc_join(s, 99, &g), -ENODEV);
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &g), 0);
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &g), -EADDRINUSE);
	cr_assert_eq(ipv6_sock_mc_drop(s, FAKE_IF_B, &g), -EADDRNOTAVAIL);
	struct sock *t = inet6_create(SOCK_STREAM, 0, &owner, NULL, &err);
	cr_assert_eq(ipv6_sock_mc_join(t, FAKE_IF_A, &g), -EPROTO);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_MULTICAST_IF, 99), -ENODEV);
	cr_assert_eq(ipv6_setsockopt(s, IPV6_MULTICAST_LOOP, 2), -EINVAL);
	int v = -1;
	cr_assert_eq(ipv6_getsockopt(s, IPV6_MULTICAST_LOOP, &v), 0);
	cr_assert_eq(v, 1, "loop on by default");
	cr_assert_eq(ipv6_getsockopt(s, IPV6_MULTICAST_HOPS, &v), 0);
	cr_assert_eq(v, 1, "RFC 3493 5.2: one hop by default");
	/* Per socket: XRT_SOCK_MC_MAX memberships. */
	for (unsigned i = 1; i < XRT_SOCK_MC_MAX; i++) {
		struct in6_addr gi = g;
		gi.s6_addr[12] = (uint8_t)i;
		cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &gi), 0, "join %u", i);
	}
	struct in6_addr over = g;
	over.s6_addr[12] = 0xee;
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &over), -ENOBUFS);
	struct stack_stats st;
	stack_stats_get(&st);
	cr_assert_eq(st.drop[STACK_DROP_SOCK_MC_FULL], 1);
	/* Per interface: XRT_MLD_GROUPS_PER_DEV groups. */
	unsigned joined = 0;
	int rc = 0;
	for (unsigned k = 0; k < 10 && rc == 0; k++) {
		struct sock *o = udp_on((uint16_t)(7000 + k));
		for (unsigned i = 0; i < XRT_SOCK_MC_MAX; i++) {
			struct in6_addr gi = g;
			gi.s6_addr[11] = (uint8_t)(k + 1);
			gi.s6_addr[12] = (uint8_t)i;
			if ((rc = ipv6_sock_mc_join(o, FAKE_IF_A, &gi)) < 0)
				break;
			joined++;
		}
	}
	cr_assert_eq(rc, -ENOBUFS);
	stack_stats_get(&st);
	cr_assert_eq(st.drop[STACK_DROP_MLD_GROUPS_FULL], 1);
	cr_assert_eq(joined + XRT_SOCK_MC_MAX, XRT_MLD_GROUPS_PER_DEV,
		     "the interface's bound (the router's own groups are joined lazily)");
}

Test(mcast, multicast_loop_and_hops)
{
	struct sock *rx1 = udp_on(5000);
	struct in6_addr g = A(GROUP);
	cr_assert_eq(ipv6_sock_mc_join(rx1, FAKE_IF_A, &g), 0);
	int err = 0;
	struct sock *tx = inet6_create(SOCK_DGRAM, 0, &owner, NULL, &err);
	cr_assert_eq(ipv6_setsockopt(tx, IPV6_MULTICAST_IF, FAKE_IF_A), 0);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(5000), .sin6_addr = g };
	unsigned before = fake_ntx;
	cr_assert_eq(tx->ops->sendmsg(tx, "loop", 4, &to), 4);
	cr_assert_eq(fake_ntx, before + 1);
	cr_assert_eq(fake_tx[before].ifindex, FAKE_IF_A, "IPV6_MULTICAST_IF");
	cr_assert_eq(tx_ip6(before)[7], 1, "hop limit 1 by default");
	cr_assert_eq(got.n, 1, "looped back to the local member");
	cr_assert_eq(got.sk[0], rx1);
	cr_assert_str_eq(got.data[0], "loop");
	cr_assert_eq(ipv6_setsockopt(tx, IPV6_MULTICAST_LOOP, 0), 0);
	cr_assert_eq(tx->ops->sendmsg(tx, "noloop", 6, &to), 6);
	cr_assert_eq(got.n, 1, "not looped");
}

Test(mcast, join_during_a_leave_takes_the_group_back)
{
	mld_start();
	struct sock *s = udp_on(5000);
	struct in6_addr g = A(GROUP);
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &g), 0);
	fake_advance_ms(1100);
	cr_assert_eq(ipv6_sock_mc_drop(s, FAKE_IF_A, &g), 0);
	unsigned before = fake_ntx;
	cr_assert_eq(ipv6_sock_mc_join(s, FAKE_IF_A, &g), 0);
	cr_assert(mld_dev_listens(FAKE_IF_A, &g));
	fake_advance_ms(1100);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_EXCLUDE, GROUP), MLD_ROBUSTNESS,
		     "one join, retransmitted");
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_CHANGE_TO_INCLUDE, GROUP), 0,
		     "the pending leave is not sent any more");
}

Test(mcast, without_a_link_local_reports_go_from_unspecified_and_no_query)
{
	/* B loses fe80::b before MLD starts: RFC 3810 5.2.13 (reports from
	 * ::), 5.1.14 (a query needs a link-local source). */
	fake_devs[1].addr[0] = fake_devs[1].addr[1];
	fake_devs[1].naddrs = 1;
	stack_mld_enable(true);
	fake_advance_ms(1500);
	unsigned reports = 0, queries = 0;
	for (unsigned i = 0; i < fake_ntx; i++) {
		if (fake_tx[i].ifindex != FAKE_IF_B)
			continue;
		const uint8_t *ip = tx_ip6(i);
		cr_assert_eq(ip[6], NEXTHDR_HOP);
		const uint8_t *m = ip + 48;
		reports += m[0] == ICMP6_MLD_V2_REPORT;
		queries += m[0] == ICMP6_MLD_QUERY;
		cr_assert(tx_addr_is(i, false, "::"), "from the unspecified address");
	}
	cr_assert_eq(reports, 3 * MLD_ROBUSTNESS, "ff02::2, 2001:db8:2::1 and its anycast: %u", reports);
	cr_assert_eq(queries, 0);
}

Test(mcast, pending_general_answer_covers_a_specific_query)
{
	mld_start();
	unsigned before = fake_ntx;
	query("fe80::1", "::", 1, 28, 1, true);
	query("fe80::1", SN_GL, 10000, 28, 1, true);
	fake_advance_ms(11000);
	cr_assert_eq(count_records(before, FAKE_IF_A, MLD2_MODE_IS_EXCLUDE, SN_GL), 1,
		     "RFC 3810 6.2 rule 1: one answer, the General Query's");
}
