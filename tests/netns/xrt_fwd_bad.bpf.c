/* xrt test: the product XDP program plus one the verifier refuses (t_ops_upgrade): an object that does not load. */
#include "../../bpf/xrt_fwd.bpf.c"

/* Reads the first packet byte without checking it against data_end: the
 * verifier rejects the load (check_packet_access: "invalid access to
 * packet"). */
SEC("xdp")
int xrt_bad(struct xdp_md *ctx)
{
	return *(volatile __u8 *)(long)ctx->data;
}
