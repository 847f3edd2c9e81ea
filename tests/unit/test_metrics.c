/* xrt tests: counter names become Prometheus metric name parts (snake_case) the same way every time. */
#include <criterion/criterion.h>
#include "daemon/metrics.h"

static void check(const char *name, const char *skip, const char *want)
{
	char out[128];
	metrics_snake(name, skip, out, sizeof(out));
	cr_expect_str_eq(out, want, "%s -> %s, want %s", name, out, want);
}

Test(metrics, snake_case_names)
{
	check("Ip6InReceives", NULL, "ip6_in_receives");
	check("Ip6OutForwDatagrams", NULL, "ip6_out_forw_datagrams");
	check("Ip6ReasmOKs", NULL, "ip6_reasm_oks");
	check("Ip6FragOKs", NULL, "ip6_frag_oks");
	check("IpExtInCsumErrors", NULL, "ip_ext_in_csum_errors");
	check("Icmp6OutRateLimitHost", NULL, "icmp6_out_rate_limit_host");
	check("TcpExtTCPFastRetrans", NULL, "tcp_ext_tcp_fast_retrans");
	check("TcpExtTCPReqQFullDoCookies", NULL, "tcp_ext_tcp_req_q_full_do_cookies");
	check("Udp6InDatagrams", NULL, "udp6_in_datagrams");
	check("XskKernRxFillEmpty", "Xsk", "kern_rx_fill_empty");
	check("sp_neigh_incomplete_evicted", "sp_", "neigh_incomplete_evicted");
	check("ctl_refused_uid", NULL, "ctl_refused_uid");
}
