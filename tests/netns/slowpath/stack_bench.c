/* xrt bench: cost of the slow path per punted frame (stack_rx with the fake env of the unit tests, hot caches). */
/* Build: gcc -O2 -Iinclude -Iuserspace tests/netns/slowpath/stack_bench.c tests/unit/test_stack_fake.c build/libxrt.a -lxdp -lbpf -lelf -lz */
#include <stdio.h>
#include <time.h>
#include "stack/neighbour.h"
#include "../../unit/test_stack_fake.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ns per call of stack_rx on one frame, repeated n times. */
static double bench(const char *what, int ifindex, const uint8_t *frame, size_t len, int n)
{
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		stack_rx(NULL, ifindex, frame, len);
		fake_ntx = 0;
	}
	double ns = (now_s() - t0) * 1e9 / n;
	printf("%-44s %8.0f ns/frame  %6.2f Mframes/s\n", what, ns, 1e3 / ns);
	return ns;
}

int main(void)
{
	static uint8_t frame[9000];
	fake_setup();
	char err[256];
	struct in6_addr h = A("2001:db8:1::5"), g = A("2001:db8:2::9");
	neigh_add_static(FAKE_IF_A, &h, (uint8_t[]){ 2, 0, 0, 0, 0x55, 5 }, err);
	neigh_add_static(FAKE_IF_B, &g, (uint8_t[]){ 2, 0, 0, 0, 0x66, 9 }, err);
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 56);
	bench("echo request -> echo reply (64 B)", FAKE_IF_A, frame, len, 1000000);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 64, 56);
	bench("forward, neighbour resolved (64 B)", FAKE_IF_A, frame, len, 1000000);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 64, 1200);
	bench("forward, neighbour resolved (1248 B)", FAKE_IF_A, frame, len, 1000000);
	struct stack_icmp_ratelimit off = { 0, 0, 0, 0 }, def;
	stack_icmp_ratelimit_get(&def);
	stack_icmp_ratelimit_set(&off);
	len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::9", 1, 56);
	bench("hop limit 1 -> Time Exceeded (no limit)", FAKE_IF_A, frame, len, 1000000);
	stack_icmp_ratelimit_set(&def);
	bench("hop limit 1, rate-limited (dropped)", FAKE_IF_A, frame, len, 1000000);
	fake_teardown();
	return 0;
}
