/* xrt: attaching the loaded XDP program to interfaces, and asking what runs on one. */
#include "dataplane/xdp.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int xrt_maps_attach(struct xrt_maps *m, int ifindex, char *err)
{
	int rc;

	if (m->prog_fd < 0)
		return xrt_fail(err, -EINVAL, "no program loaded (maps opened from pins)");
	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	rc = bpf_xdp_attach(ifindex, m->prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (rc)
		return xrt_fail(err, rc, "ifindex %d: native XDP attach failed: %s",
			    ifindex, strerror(-rc));
	return 0;
}

int xrt_maps_detach(struct xrt_maps *m, int ifindex, char *err)
{
	int rc;

	(void)m;
	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	rc = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (rc)
		return xrt_fail(err, rc, "ifindex %d: XDP detach failed: %s", ifindex,
			    strerror(-rc));
	return 0;
}

/* Room for the map ids of one program (ours uses about 16). */
#define XDP_PROG_MAX_MAPS 32

int xrt_maps_xdp_query(struct xrt_maps *m, int ifindex, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_map_info fib = { 0 };
	struct bpf_prog_info info = { 0 };
	uint32_t ids[XDP_PROG_MAX_MAPS], len = sizeof(fib), i;
	int fd, rc;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return 0;
	*prog_id = q.prog_id;
	if (bpf_obj_get_info_by_fd(m->fib6, &fib, &len))
		return -EBUSY;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd < 0)
		return -EBUSY;
	info.nr_map_ids = XDP_PROG_MAX_MAPS;
	info.map_ids = (uint64_t)(unsigned long)ids;
	len = sizeof(info);
	rc = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (rc)
		return -EBUSY;
	for (i = 0; i < info.nr_map_ids && i < XDP_PROG_MAX_MAPS; i++)
		if (ids[i] == fib.id)
			return 1;
	return -EBUSY;
}
