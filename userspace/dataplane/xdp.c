/* xrt: attaching the loaded XDP program to interfaces through libxdp, and asking what runs on one. */
#include "dataplane/xdp.h"
#include "dataplane/loader.h"
#include "dataplane/migrate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

const char *xrt_xdp_mode_name(enum xrt_xdp_mode mode)
{
	return mode == XRT_XDP_GENERIC ? "generic" : "native";
}

int xrt_xdp_mode_parse(const char *word, enum xrt_xdp_mode *mode)
{
	if (!strcmp(word, "native") || !strcmp(word, "driver") || !strcmp(word, "drv"))
		*mode = XRT_XDP_NATIVE;
	else if (!strcmp(word, "generic") || !strcmp(word, "skb"))
		*mode = XRT_XDP_GENERIC;
	else
		return -EINVAL;
	return 0;
}

static enum xdp_attach_mode libxdp_mode(enum xrt_xdp_mode mode)
{
	return mode == XRT_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/* Room for the map ids of one program (ours uses about 16). */
#define XDP_PROG_MAX_MAPS 32

/* Does program id use map map_id? Fills name when given. */
static bool prog_uses_map(uint32_t id, uint32_t map_id, char name[16])
{
	struct bpf_prog_info info = { 0 };
	uint32_t ids[XDP_PROG_MAX_MAPS], len = sizeof(info), i;
	int fd = bpf_prog_get_fd_by_id(id), rc;

	if (fd < 0)
		return false;
	info.nr_map_ids = XDP_PROG_MAX_MAPS;
	info.map_ids = (uint64_t)(unsigned long)ids;
	rc = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (rc)
		return false;
	if (name)
		snprintf(name, 16, "%s", info.name);
	for (i = 0; map_id && i < info.nr_map_ids && i < XDP_PROG_MAX_MAPS; i++)
		if (ids[i] == map_id)
			return true;
	return false;
}

bool xrt_xdp_prog_uses_map(uint32_t prog_id, uint32_t map_id)
{
	return map_id && prog_uses_map(prog_id, map_id, NULL);
}

/* Ours: uses our xrt_fib6_dp, or, before xrt_maps_commit, the running
 * generation's (dataplane/migrate.h): the commit replaces it. */
static bool prog_is_ours(struct xrt_maps *m, uint32_t id, uint32_t fib_id, char name[16])
{
	uint32_t prev = xrt_migrate_prev_fib_id(m);

	return prog_uses_map(id, fib_id, name) || (prev && prog_uses_map(id, prev, NULL));
}

int xrt_maps_xdp_info(struct xrt_maps *m, int ifindex, struct xrt_xdp_info *in)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_map_info fib = { 0 };
	uint32_t len = sizeof(fib);
	struct xdp_multiprog *mp;
	int rc;

	memset(in, 0, sizeof(*in));
	rc = bpf_xdp_query(ifindex, 0, &q);
	if (rc)
		return rc;
	/* The hook in use: the driver's, else the generic one
	 * (XDP_ATTACHED_MULTI reports both; xrt never attaches in HW). */
	in->prog_id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	in->mode = q.drv_prog_id ? XRT_XDP_NATIVE : XRT_XDP_GENERIC;
	if (!in->prog_id)
		return 0;
	if (m->fib6 >= 0 && bpf_obj_get_info_by_fd(m->fib6, &fib, &len))
		fib.id = 0;
	if (prog_is_ours(m, in->prog_id, fib.id, in->prog_name)) {
		in->ours_id = in->prog_id;
		memcpy(in->ours_name, in->prog_name, sizeof(in->ours_name));
	}
	/* A libxdp dispatcher: its programs are in its pinned links
	 * (xdp_multiprog__get_from_ifindex reads them back). */
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp) || !mp)
		return 0;
	if (!xdp_multiprog__is_legacy(mp)) {
		struct xdp_program *p = NULL;

		in->dispatcher = true;
		while ((p = xdp_multiprog__next_prog(p, mp))) {
			in->nprogs++;
			if (!in->ours_id &&
			    prog_is_ours(m, xdp_program__id(p), fib.id, in->ours_name))
				in->ours_id = xdp_program__id(p);
		}
	}
	xdp_multiprog__close(mp);
	return 0;
}

/* What runs on ifindex, with the errors attach and detach report. */
static int xdp_info_checked(struct xrt_maps *m, int ifindex, struct xrt_xdp_info *in,
			    char *err)
{
	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	int rc = xrt_maps_xdp_info(m, ifindex, in);
	if (rc)
		return xrt_fail(err, rc, "ifindex %d: cannot query XDP: %s", ifindex,
				strerror(-rc));
	return 0;
}

int xrt_maps_xdp_query(struct xrt_maps *m, int ifindex, uint32_t *prog_id)
{
	struct xrt_xdp_info in;

	if (xrt_maps_xdp_info(m, ifindex, &in) || !in.prog_id)
		return 0;
	*prog_id = in.ours_id ? in.ours_id : in.prog_id;
	return in.ours_id ? 1 : -EBUSY;
}

int xrt_xdp_attach_copy(struct xrt_maps *m, int ifindex, enum xrt_xdp_mode mode, int *attach_rc,
			char *err)
{
	struct xdp_program *prog;
	struct bpf_object *obj;
	int rc;

	/* libxdp loads the program itself: as BPF_PROG_TYPE_EXT bound to a
	 * dispatcher, or as XDP when it falls back to a single program
	 * (xdp_program__attach_multi), so it gets a fresh copy of the object
	 * on our maps, not the program xrt_maps_load already loaded. */
	obj = xrt_maps_obj_open(m, err);
	if (!obj)
		return errno ? -errno : -EINVAL;
	rc = xrt_maps_obj_share(m, obj, err);
	if (rc) {
		bpf_object__close(obj);
		return rc;
	}
	prog = xdp_program__from_bpf_obj(obj, "xdp");
	rc = (int)libxdp_get_error(prog);
	if (rc || !prog) {
		bpf_object__close(obj);
		return xrt_fail(err, -ENOENT, "%s: no \"xdp\" program: %s", m->obj_path,
				strerror(rc ? -rc : ENOENT));
	}
	rc = xdp_program__set_run_prio(prog, XRT_XDP_RUN_PRIO);
	if (!rc)
		rc = xdp_program__attach(prog, ifindex, libxdp_mode(mode), 0);
	xdp_program__close(prog);
	bpf_object__close(obj);
	*attach_rc = rc;
	return 0;
}

int xrt_maps_attach(struct xrt_maps *m, int ifindex, enum xrt_xdp_mode mode, char *err)
{
	struct xrt_xdp_info in;
	int rc;

	if (m->prog_fd < 0)
		return xrt_fail(err, -EINVAL, "no program loaded (maps opened from pins)");
	rc = xdp_info_checked(m, ifindex, &in, err);
	if (rc)
		return rc;
	if (in.ours_id)
		return xrt_fail(err, -EEXIST, "ifindex %d: our program (id %u) already runs there",
				ifindex, in.ours_id);
	/* A dispatcher whose pinned links libxdp cannot read (its bpffs is
	 * missing here) looks like a legacy program to it. */
	if (in.prog_id && !in.dispatcher && !strcmp(in.prog_name, "xdp_dispatcher"))
		return xrt_fail(err, -EBUSY,
				"a libxdp dispatcher (id %u) runs there, but libxdp cannot read "
				"its programs: mount its bpffs (/sys/fs/bpf, or LIBXDP_BPFFS)",
				in.prog_id);
	/* libxdp replaces a legacy program only by force, which we never use
	 * ("Existing program is not using a dispatcher"): say whose it is. */
	if (in.prog_id && !in.dispatcher)
		return xrt_fail(err, -EBUSY,
				"XDP program \"%s\" (id %u, %s mode) is already attached and is "
				"not a libxdp dispatcher; detach it first (xdp-loader unload)",
				in.prog_name, in.prog_id, xrt_xdp_mode_name(in.mode));
	if (in.dispatcher && in.mode != mode)
		return xrt_fail(err, -EBUSY,
				"a libxdp dispatcher (id %u) runs in %s mode; attach with mode %s",
				in.prog_id, xrt_xdp_mode_name(in.mode),
				xrt_xdp_mode_name(in.mode));
	int arc;
	rc = xrt_xdp_attach_copy(m, ifindex, mode, &arc, err);
	if (rc)
		return rc; /* err names the object */
	rc = arc;
	if (rc == -EOPNOTSUPP && mode == XRT_XDP_NATIVE)
		return xrt_fail(err, rc, "ifindex %d: the driver has no native XDP", ifindex);
	if (rc == -EBUSY || rc == -EEXIST)
		return xrt_fail(err, -EBUSY, "ifindex %d: another XDP program was attached "
					     "meanwhile", ifindex);
	if (rc)
		return xrt_fail(err, rc, "ifindex %d: %s XDP attach failed: %s", ifindex,
				xrt_xdp_mode_name(mode), strerror(-rc));
	return 0;
}

int xrt_maps_detach(struct xrt_maps *m, int ifindex, char *err)
{
	struct xrt_xdp_info in;
	struct xdp_program *prog;
	int rc;

	rc = xdp_info_checked(m, ifindex, &in, err);
	if (rc)
		return rc;
	if (!in.ours_id)
		return 0;
	prog = xdp_program__from_id(in.ours_id);
	rc = (int)libxdp_get_error(prog);
	if (rc || !prog)
		return xrt_fail(err, rc ? rc : -ENOENT, "ifindex %d: program %u: %s", ifindex,
				in.ours_id, strerror(rc ? -rc : ENOENT));
	rc = xdp_program__detach(prog, ifindex, libxdp_mode(in.mode), 0);
	xdp_program__close(prog);
	if (rc)
		return xrt_fail(err, rc, "ifindex %d: XDP detach failed: %s", ifindex,
				strerror(-rc));
	return 0;
}
