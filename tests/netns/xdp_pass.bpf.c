/* xrt: XDP program that passes every frame, for veth peers of the router. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/*
 * A veth only delivers frames that arrive by XDP_TX or XDP_REDIRECT when the
 * receiving end runs an XDP program of its own (or has GRO on); otherwise the
 * peer's NAPI is never scheduled and the frames vanish. The netns harness
 * attaches this program to every host-side veth for that reason alone.
 */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
