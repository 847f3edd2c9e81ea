/* xrt tests: mutated packets never crash the stack, and whatever it sends stays well-formed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "stack/reassembly.h"
#include "test_stack_fake.h"

TestSuite(robust, .init = fake_setup, .fini = fake_teardown);

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Every frame the stack emits fits its interface and has a valid
 * ICMPv6 checksum when it is ICMPv6 without extension headers. */
static void check_outputs(void)
{
	for (unsigned i = 0; i < fake_ntx; i++) {
		const struct xrt_netdev *dev =
			fake_tx[i].ifindex == FAKE_IF_A ? &fake_devs[0] : &fake_devs[1];
		cr_assert_leq(tx_ip6_len(i), dev->mtu);
		cr_assert_eq(tx_ip6_len(i), 40u + ntohs(*(uint16_t *)(tx_ip6(i) + 4)));
		if (tx_ip6(i)[6] == NEXTHDR_ICMP)
			cr_assert(tx_csum_ok(i), "frame %u type %u", i, tx_icmp(i)[0]);
	}
	fake_ntx = 0;
}

Test(robust, mutated_packets)
{
	static uint8_t frame[3000];
	static const char *dsts[] = { "2001:db8:1::1", "2001:db8:2::9", "ff02::1",
				      "2001:db8:99::1", "ff02::1:ff00:1", "fe80::a" };
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5",
					      dsts[next_rand() % 6], (uint8_t)next_rand(),
					      next_rand() % 1500);
		/* Flip a few bytes anywhere in the IPv6 part, then maybe cut. */
		int flips = 1 + next_rand() % 4;
		for (int f = 0; f < flips; f++)
			frame[14 + next_rand() % (len - 14)] = (uint8_t)next_rand();
		if (next_rand() % 4 == 0)
			frame[14 + 6] = (uint8_t[]){ 0, 43, 44, 60, 58, 17, 6, 59 }[next_rand() % 8];
		if (next_rand() % 3 == 0)
			len = 14 + next_rand() % (len - 13);
		rx(next_rand() % 2 ? FAKE_IF_A : FAKE_IF_B, frame, len);
		check_outputs();
		if (iter % 1000 == 0)
			fake_advance_ms(1000);
	}
	fake_advance_ms(70000);
	check_outputs();
	cr_assert_eq(reassembly_mem(), 0);
}
