/* xrt: unit tests of the AF_XDP ring sizes and the UMEM they size (xsk/xsk_rings.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <linux/if_xdp.h>

#include "xrt/err.h"
#include "xsk/xsk_rings.h"

Test(xsk_rings, default_is_valid_and_its_umem_is_fill_plus_tx_frames)
{
	struct xsk_rings r = XSK_RINGS_DEFAULT;
	char err[XRT_ERR_LEN] = "";
	cr_assert_eq(xsk_rings_check(&r, err), 0, "%s", err);
	cr_assert_eq(xsk_rings_frames(&r), 2 * XSK_RING_DEFAULT);
	/* 512 frames of 4 KiB, 256 rx + 256 tx descriptors of 16 B, 256 fill
	 * + 256 completion addresses of 8 B. */
	cr_assert_eq(xsk_rings_bytes(&r), 512u * 4096 + 512u * 16 + 512u * 8);
}

Test(xsk_rings, frames_follow_fill_and_tx_not_rx_or_comp)
{
	struct xsk_rings r = { .rx = 4096, .tx = 64, .fill = 2048, .comp = 1024 };
	cr_assert_eq(xsk_rings_check(&r, NULL), 0);
	cr_assert_eq(xsk_rings_frames(&r), 2048 + 64);
	cr_assert_eq(xsk_rings_bytes(&r), (size_t)(2048 + 64) * XSK_FRAME_BYTES +
						  (4096 + 64) * sizeof(struct xdp_desc) +
						  (2048 + 1024) * sizeof(__u64));
}

Test(xsk_rings, set_each_word)
{
	struct xsk_rings r = XSK_RINGS_DEFAULT;
	cr_assert_eq(xsk_rings_set(&r, "rx-ring", "1024", NULL), 0);
	cr_assert_eq(xsk_rings_set(&r, "tx-ring", "32", NULL), 0);
	cr_assert_eq(xsk_rings_set(&r, "fill-ring", "512", NULL), 0);
	cr_assert_eq(xsk_rings_set(&r, "comp-ring", "4096", NULL), 0);
	cr_assert_eq(r.rx, 1024);
	cr_assert_eq(r.tx, 32);
	cr_assert_eq(r.fill, 512);
	cr_assert_eq(r.comp, 4096);
}

/* Bad values: refused with a message naming the word and the value, and
 * the rings unchanged. */
static void refused(const char *word, const char *value, const char *want)
{
	struct xsk_rings r = XSK_RINGS_DEFAULT;
	char err[XRT_ERR_LEN] = "";
	cr_assert_eq(xsk_rings_set(&r, word, value, err), -EINVAL, "%s %s accepted", word,
		     value ? value : "(null)");
	cr_assert(strstr(err, want), "%s %s: \"%s\" lacks \"%s\"", word, value ? value : "(null)",
		  err, want);
	cr_assert_eq(memcmp(&r, &XSK_RINGS_DEFAULT, sizeof(r)), 0, "rings changed");
}

Test(xsk_rings, bad_values_are_clear_errors)
{
	refused("rx-ring", "100", "rx-ring 100: want a power of two in 32..4096");
	refused("rx-ring", "16", "rx-ring 16: want a power of two in 32..4096");
	refused("tx-ring", "8192", "tx-ring 8192: want a power of two");
	refused("fill-ring", "0", "fill-ring 0: want a power of two");
	refused("comp-ring", "-64", "comp-ring \"-64\": not a number");
	refused("comp-ring", " 64", "comp-ring \" 64\": not a number");
	refused("fill-ring", "64k", "fill-ring \"64k\": not a number");
	refused("fill-ring", "", "fill-ring \"\": not a number");
	refused("fill-ring", NULL, "fill-ring \"\": not a number");
	refused("fill-ring", "99999999999999999999999", "not a number");
	refused("ring", "64", "unknown ring \"ring\"");
	refused("rx", "64", "unknown ring \"rx\" (rx-ring, tx-ring, fill-ring, comp-ring)");
}

Test(xsk_rings, check_refuses_rings_that_strand_frames)
{
	char err[XRT_ERR_LEN] = "";
	struct xsk_rings r = { .rx = 256, .tx = 512, .fill = 256, .comp = 256 };
	cr_assert_eq(xsk_rings_check(&r, err), -EINVAL);
	cr_assert_str_eq(err, "comp-ring 256 smaller than tx-ring 512: completions would be lost");
	r = (struct xsk_rings){ .rx = 128, .tx = 256, .fill = 256, .comp = 256 };
	cr_assert_eq(xsk_rings_check(&r, err), -EINVAL);
	cr_assert_str_eq(err, "rx-ring 128 smaller than fill-ring 256: posted frames would wait unused");
	r = (struct xsk_rings){ .rx = 256, .tx = 256, .fill = 256, .comp = 300 };
	cr_assert_eq(xsk_rings_check(&r, err), -EINVAL);
	cr_assert_str_eq(err, "comp-ring 300: want a power of two in 32..4096");
	r = (struct xsk_rings){ 0 };
	cr_assert_eq(xsk_rings_check(&r, err), -EINVAL);
	cr_assert_str_eq(err, "rx-ring 0: want a power of two in 32..4096");
	r = (struct xsk_rings){ .rx = XSK_RING_MIN, .tx = XSK_RING_MIN, .fill = XSK_RING_MIN,
				.comp = XSK_RING_MIN };
	cr_assert_eq(xsk_rings_check(&r, err), 0, "%s", err);
	r = (struct xsk_rings){ .rx = XSK_RING_MAX, .tx = XSK_RING_MAX, .fill = XSK_RING_MAX,
				.comp = XSK_RING_MAX };
	cr_assert_eq(xsk_rings_check(&r, err), 0, "%s", err);
}
