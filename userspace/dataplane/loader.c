/* xrt: mount bpffs, open and load the XDP object reusing its pins, open the pins alone, close. */
#include "dataplane/loader.h"
#include "dataplane/trace.h"
#include "dataplane/feat.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xrt/fib6.h"
#include "dataplane/ip6_fib.h"
#include "dataplane/migrate.h"
#include "xrt/acl.h"
#include "xrt/fib_rules.h"
#include "xrt/cls.h"
#include "dataplane/cls.h"

static int mkdir_p(const char *path)
{
	char buf[256];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

/* Mount a bpffs at dir unless one is there already. */
static int bpffs_ensure(const char *dir, char *err)
{
	struct statfs sfs;
	int rc = mkdir_p(dir);

	if (rc)
		return xrt_fail(err, rc, "bpffs %s: cannot create: %s", dir, strerror(-rc));
	if (statfs(dir, &sfs))
		return xrt_fail(err, -errno, "bpffs %s: %s", dir, strerror(errno));
	if ((unsigned long)sfs.f_type == BPF_FS_MAGIC)
		return 0;
	/* Never hide existing files (say, bpffs=/run) under a mount. */
	if (!dir_is_empty(dir))
		return xrt_fail(err, -ENOTEMPTY,
			    "bpffs %s: not a bpffs and not empty; refusing to mount "
			    "over it", dir);
	if (mount("bpf", dir, "bpf", 0, "mode=0700"))
		return xrt_fail(err, -errno, "bpffs %s: mount: %s", dir, strerror(errno));
	return 0;
}

static void maps_reset(struct xrt_maps *m)
{
	memset(m, 0, sizeof(*m));
	m->prog_fd = m->fib6 = m->nh = m->nh_grp = m->neigh6 = m->ifaces = -1;
	m->fib6_tbl = m->fib6_node = m->fib6_rec = m->ifaces_dir = -1;
	m->tx_ports = m->xsks = m->stats = m->punt_cfg = m->punt_tb = -1;
	m->local6 = m->tx_outer = m->tcp_estab = -1;
	m->acl_rules = m->acl_cfg = m->acl_cnt = -1;
	m->fib_rules = m->fib_rules_cfg = -1;
	m->feat = -1;
	m->cls_hdr = m->cls_bits = m->cls_addr = m->cls_ifx = -1;
}

/* Every map of struct xrt_maps by its pinned name (map_slots fills 26). */
#define XRT_MAP_SLOTS 27
struct map_slot {
	const char *name;
	int *fd;
};

static int map_slots(struct xrt_maps *m, struct map_slot *s)
{
	int n = 0;

	s[n++] = (struct map_slot){ XRT_MAP_FIB6_DP, &m->fib6 };
	s[n++] = (struct map_slot){ XRT_MAP_FIB6_TBL, &m->fib6_tbl };
	s[n++] = (struct map_slot){ XRT_MAP_FIB6_NODE, &m->fib6_node };
	s[n++] = (struct map_slot){ XRT_MAP_FIB6_REC, &m->fib6_rec };
	s[n++] = (struct map_slot){ XRT_MAP_NH, &m->nh };
	s[n++] = (struct map_slot){ XRT_MAP_NH_GRP, &m->nh_grp };
	s[n++] = (struct map_slot){ XRT_MAP_NEIGH6, &m->neigh6 };
	s[n++] = (struct map_slot){ XRT_MAP_IFACES, &m->ifaces };
	s[n++] = (struct map_slot){ XRT_MAP_IFACES_DIR, &m->ifaces_dir };
	s[n++] = (struct map_slot){ XRT_MAP_XSKS, &m->xsks };
	s[n++] = (struct map_slot){ XRT_MAP_STATS, &m->stats };
	s[n++] = (struct map_slot){ XRT_MAP_PUNT_CFG, &m->punt_cfg };
	s[n++] = (struct map_slot){ XRT_MAP_PUNT_TB, &m->punt_tb };
	s[n++] = (struct map_slot){ XRT_MAP_LOCAL6, &m->local6 };
	s[n++] = (struct map_slot){ XRT_MAP_TX_OUTER, &m->tx_outer };
	s[n++] = (struct map_slot){ XRT_MAP_TCP_ESTAB, &m->tcp_estab };
	s[n++] = (struct map_slot){ XRT_MAP_ACL_RULES, &m->acl_rules };
	s[n++] = (struct map_slot){ XRT_MAP_ACL_CFG, &m->acl_cfg };
	s[n++] = (struct map_slot){ XRT_MAP_ACL_CNT, &m->acl_cnt };
	s[n++] = (struct map_slot){ XRT_MAP_FIB_RULES, &m->fib_rules };
	s[n++] = (struct map_slot){ XRT_MAP_FIB_RULES_CFG, &m->fib_rules_cfg };
	s[n++] = (struct map_slot){ XRT_MAP_FEAT, &m->feat };
	s[n++] = (struct map_slot){ XRT_MAP_CLS_HDR, &m->cls_hdr };
	s[n++] = (struct map_slot){ XRT_MAP_CLS_BITS, &m->cls_bits };
	s[n++] = (struct map_slot){ XRT_MAP_CLS_ADDR, &m->cls_addr };
	s[n++] = (struct map_slot){ XRT_MAP_CLS_IFX, &m->cls_ifx };
	return n;
}

static int set_pin_dir(struct xrt_maps *m, const char *bpffs, char *err)
{
	if (!bpffs || !*bpffs)
		bpffs = XRT_BPFFS_DEFAULT;
	if ((size_t)snprintf(m->pin_dir, sizeof(m->pin_dir), "%s/%s", bpffs,
			     XRT_PIN_SUBDIR) >= sizeof(m->pin_dir))
		return xrt_fail(err, -ENAMETOOLONG, "bpffs %s: path too long", bpffs);
	return 0;
}

/* Set a `const volatile __u32` of the object's .rodata before load. */
static int set_rodata_u32(struct bpf_object *obj, const char *var, uint32_t val)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	const void *init;
	void *copy;
	size_t size = 0;
	int id, i, rc = -ENOENT;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map) && strstr(bpf_map__name(map), ".rodata"))
			break;
	}
	if (!map || !(init = bpf_map__initial_value(map, &size)))
		return -ENOENT;
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *t = btf__type_by_id(btf, vsi->type);

		if (strcmp(btf__name_by_offset(btf, t->name_off), var) ||
		    vsi->size != sizeof(val) || vsi->offset + sizeof(val) > size)
			continue;
		copy = malloc(size);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, init, size);
		memcpy((char *)copy + vsi->offset, &val, sizeof(val));
		rc = bpf_map__set_initial_value(map, copy, size);
		free(copy);
		break;
	}
	return rc;
}

/*
 * Open the devmap the fast path transmits through: slot 0 of the pinned
 * xrt_tx_outer holds its map id. A slot found empty (cleared by hand) is
 * refilled with this object's own xrt_tx_ports when there is one.
 */
static int tx_ports_open(struct xrt_maps *m, char *err)
{
	const uint32_t slot = 0;
	uint32_t id;
	int own;

	if (bpf_map_lookup_elem(m->tx_outer, &slot, &id)) {
		if (errno != ENOENT || !m->obj)
			return xrt_fail(err, -errno, "%s: slot 0: %s", XRT_MAP_TX_OUTER,
				    errno == ENOENT ? "empty" : strerror(errno));
		own = bpf_object__find_map_fd_by_name(m->obj, XRT_MAP_TX_PORTS);
		if (own < 0)
			return xrt_fail(err, -ENOENT, "object has no map %s",
				    XRT_MAP_TX_PORTS);
		if (bpf_map_update_elem(m->tx_outer, &slot, &own, BPF_ANY) ||
		    bpf_map_lookup_elem(m->tx_outer, &slot, &id))
			return xrt_fail(err, -errno, "%s: slot 0: %s", XRT_MAP_TX_OUTER,
				    strerror(errno));
	}
	m->tx_ports = bpf_map_get_fd_by_id(id);
	if (m->tx_ports < 0)
		return xrt_fail(err, -errno, "%s: map id %u: %s", XRT_MAP_TX_PORTS, id,
			    strerror(errno));
	return 0;
}

/*
 * An RCU grace period: MEMBARRIER_CMD_GLOBAL returns after synchronize_rcu()
 * (kernel/sched/membarrier.c), and XDP programs run inside RCU read-side
 * sections, so no program still walks a cell replaced before the call.
 * Kernels without it (nohz_full) get a pause far longer than any walk.
 */
void xrt_synchronize_rcu(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
}

static void fib_synchronize(void *ctx)
{
	(void)ctx;
	xrt_synchronize_rcu();
}

static const char *const fib_names[XRT_FIB_MAPS] = { XRT_MAP_FIB6_TBL, XRT_MAP_FIB6_DP,
						     XRT_MAP_FIB6_NODE, XRT_MAP_FIB6_REC };
static const uint32_t fib_vsize[XRT_FIB_MAPS] = {
	sizeof(struct xrt_fib6_tbl), sizeof(struct xrt_fib6_dp), sizeof(struct xrt_fib6_node),
	sizeof(struct xrt_fib6_rec)
};

static void fib_unmap(void *map[XRT_FIB_MAPS], const size_t len[XRT_FIB_MAPS])
{
	for (int i = 0; i < XRT_FIB_MAPS; i++)
		if (map[i])
			munmap(map[i], len[i]);
}

/* mmap the four FIB maps (fds in fib_names' order); max: their sizes. On
 * failure nothing stays mapped. */
static int fib_mmap(const int fds[XRT_FIB_MAPS], void *map[XRT_FIB_MAPS],
		    size_t len[XRT_FIB_MAPS], uint32_t max[XRT_FIB_MAPS], char *err)
{
	long page = sysconf(_SC_PAGESIZE);
	int rc = 0;

	memset(map, 0, sizeof(void *) * XRT_FIB_MAPS);
	for (int i = 0; i < XRT_FIB_MAPS && !rc; i++) {
		struct bpf_map_info info = { 0 };
		uint32_t ilen = sizeof(info);

		if (bpf_obj_get_info_by_fd(fds[i], &info, &ilen)) {
			rc = xrt_fail(err, -errno, "%s: %s", fib_names[i], strerror(errno));
			break;
		}
		if (info.value_size != fib_vsize[i] || !(info.map_flags & BPF_F_MMAPABLE)) {
			rc = xrt_fail(err, -EINVAL, "%s: pinned with another layout; remove "
				      "the old pins first", fib_names[i]);
			break;
		}
		max[i] = info.max_entries;
		len[i] = ((size_t)info.value_size * max[i] + page - 1) / page * page;
		map[i] = mmap(NULL, len[i], PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		if (map[i] == MAP_FAILED) {
			map[i] = NULL;
			rc = xrt_fail(err, -errno, "%s: mmap: %s", fib_names[i], strerror(errno));
		}
	}
	if (!rc && max[0] != XRT_FIB_TRIES)
		rc = xrt_fail(err, -EINVAL, "%s: pinned with another layout", XRT_MAP_FIB6_TBL);
	if (rc)
		fib_unmap(map, len);
	return rc;
}

static int fib_resize(void *ctx, struct fib6_mem *next,
		      int (*fill)(void *fctx, const struct fib6_mem *next), void *fctx,
		      char *err);

/* Map the four FIB maps and start the trie's writer on them (empty). */
static int fib_open(struct xrt_maps *m, char *err)
{
	const int fds[XRT_FIB_MAPS] = { m->fib6_tbl, m->fib6, m->fib6_node, m->fib6_rec };
	uint32_t max[XRT_FIB_MAPS];
	int rc = fib_mmap(fds, m->fib_map, m->fib_len, max, err);

	if (rc)
		return rc;
	struct fib6_mem mem = {
		.tbl = m->fib_map[0], .dp = m->fib_map[1], .node = m->fib_map[2],
		.rec = m->fib_map[3], .nslots = max[1],
		.nnodes = max[2], .nrecs = max[3], .synchronize = fib_synchronize,
		/* Only the object's loader can load a copy on other maps. */
		.resize = m->obj ? fib_resize : NULL, .ctx = m,
	};
	if (mem.nslots > XRT_FIB6_TABLE_SLOTS)
		mem.nslots = XRT_FIB6_TABLE_SLOTS;
	m->fib = fib6_new(&mem);
	return m->fib ? 0 : xrt_fail(err, -ENOMEM, "fib: out of memory");
}

/*
 * Every map's fd, from the loaded object (obj_path names it in errors) or,
 * without one, from its pin; then the devmap behind xrt_tx_outer. On
 * failure what was opened stays for xrt_maps_close.
 */
/* The fd of a map slot in a loaded object; xrt_feat is a section's global
 * (dataplane/feat.h), found by its section's name. */
static int obj_slot_fd(const struct bpf_object *obj, const char *name)
{
	return bpf_object__find_map_fd_by_name(
		obj, strcmp(name, XRT_MAP_FEAT) ? name : XRT_FEAT_SECTION);
}

static int maps_open_fds(struct xrt_maps *m, const char *obj_path, char *err)
{
	struct map_slot slots[XRT_MAP_SLOTS];
	char path[512];
	int i, n = map_slots(m, slots);

	for (i = 0; i < n; i++) {
		/* An object from before xrt_feat runs every stage: nothing to
		 * write (dataplane/feat.h). */
		bool optional = !strcmp(slots[i].name, XRT_MAP_FEAT);

		if (m->obj) {
			*slots[i].fd = obj_slot_fd(m->obj, slots[i].name);
			if (*slots[i].fd < 0 && !optional)
				return xrt_fail(err, -ENOENT, "%s: has no map %s", obj_path,
						slots[i].name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", m->pin_dir, slots[i].name);
		*slots[i].fd = bpf_obj_get(path);
		if (*slots[i].fd < 0 && !optional)
			return xrt_fail(err, -errno, "%s: %s", path, strerror(errno));
	}
	return tx_ports_open(m, err);
}

struct bpf_object *xrt_maps_obj_open(const struct xrt_maps *m, char *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = m->pin_dir);
	struct bpf_object *obj;
	int rc;

	if (!m->obj_path[0]) {
		xrt_err(err, "no object file (maps opened from pins)");
		errno = EINVAL;
		return NULL;
	}
	obj = bpf_object__open_file(m->obj_path, &opts);
	if (!obj) {
		rc = errno;
		xrt_err(err, "%s: cannot open: %s", m->obj_path, strerror(rc));
		errno = rc;
		return NULL;
	}
	/* Tell the program how many CPUs share each punt rate (see punt.h). */
	rc = set_rodata_u32(obj, "xrt_nr_cpus", (uint32_t)libbpf_num_possible_cpus());
	if (rc) {
		xrt_err(err, "%s: no .rodata variable xrt_nr_cpus", m->obj_path);
		bpf_object__close(obj);
		errno = -rc;
		return NULL;
	}
	rc = xrt_trace_pin_cfg(obj, m->pin_dir);
	if (!rc)
		rc = xrt_feat_pin(obj, m->pin_dir);
	if (rc) {
		xrt_err(err, "%s: %s, %s: %s", m->obj_path, XRT_TRACE_SECTION, XRT_FEAT_SECTION,
			strerror(-rc));
		bpf_object__close(obj);
		errno = -rc;
		return NULL;
	}
	return obj;
}

/* Which FIB map name is (fib_names' index), or -1. */
static int fib_which(const char *name)
{
	for (int i = 0; i < XRT_FIB_MAPS; i++)
		if (!strcmp(name, fib_names[i]))
			return i;
	return -1;
}

/* xrt_maps_obj_share; own_fib: the copy keeps FIB maps of its own. */
static int obj_share(const struct xrt_maps *m, struct bpf_object *copy, bool own_fib,
		     char *err)
{
	struct bpf_map *map, *ours;
	int rc;

	bpf_object__for_each_map(map, copy) {
		/* What the loaded object pins (and only that: the copy's
		 * .rodata is its own). */
		if (bpf_map__is_internal(map) && !bpf_map__pin_path(map))
			continue;
		if (own_fib && fib_which(bpf_map__name(map)) >= 0)
			continue;
		ours = bpf_object__find_map_by_name(m->obj, bpf_map__name(map));
		if (!ours || !strcmp(bpf_map__name(map), XRT_MAP_TX_PORTS))
			continue;
		bpf_map__set_pin_path(map, NULL);
		rc = bpf_map__reuse_fd(map, bpf_map__fd(ours));
		if (rc)
			return xrt_fail(err, rc, "%s: map %s: %s", m->obj_path, bpf_map__name(map),
					strerror(-rc));
	}
	return 0;
}

int xrt_maps_obj_share(const struct xrt_maps *m, struct bpf_object *copy, char *err)
{
	return obj_share(m, copy, false, err);
}

/*
 * libbpf says why a load failed on its print callback, one line at a time
 * (a map it could not create, a program the verifier refused): keep the
 * first such line for err, and still print everything as before.
 */
static char load_why[XRT_ERR_LEN], load_verifier[XRT_ERR_LEN];
static libbpf_print_fn_t load_print_prev;

/* The verifier's reason: the line before its "processed N insns" summary
 * (kernel/bpf/verifier.c prints the error last, then the statistics). */
static void verifier_reason(const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	char *log = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (!log)
		return;
	va_copy(copy, ap);
	vsnprintf(log, (size_t)n + 1, fmt, copy);
	va_end(copy);
	char *end = strstr(log, "\nprocessed ");
	if (end) {
		*end = '\0';
		char *start = strrchr(log, '\n');
		snprintf(load_verifier, sizeof(load_verifier), "%s", start ? start + 1 : log);
	}
	free(log);
}

static int load_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	if (level == LIBBPF_WARN && !load_verifier[0] && strstr(fmt, "BEGIN PROG LOAD LOG"))
		verifier_reason(fmt, ap);
	va_copy(copy, ap);
	if (level == LIBBPF_WARN && !load_why[0] && strstr(fmt, "fail")) {
		vsnprintf(load_why, sizeof(load_why), fmt, copy);
		load_why[strcspn(load_why, "\n")] = '\0';
	}
	va_end(copy);
	return load_print_prev ? load_print_prev(level, fmt, ap) : 0;
}

static int obj_load(struct bpf_object *obj)
{
	int rc;

	load_why[0] = load_verifier[0] = '\0';
	load_print_prev = libbpf_set_print(load_print);
	rc = bpf_object__load(obj);
	libbpf_set_print(load_print_prev);
	return rc;
}

/* The XDP program of a loaded object: xrt_fwd, else its first; or -1. */
static int obj_prog_fd(struct bpf_object *obj)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "xrt_fwd");

	if (!prog)
		prog = bpf_object__next_program(obj, NULL);
	return prog ? bpf_program__fd(prog) : -1;
}

/* Load obj_path: on the pins (reusing them), or staged: on maps of its own
 * beside a running generation (dataplane/migrate.h). */
/* A load on pins another loader made (tools, tests sharing xrtd's maps):
 * the FIB maps there may have grown or shrunk (fib_resize), so the object
 * takes their sizes and reuses them rather than failing on the mismatch. */
static void fib_follow_pins(struct xrt_maps *m)
{
	struct bpf_map *bm;
	char path[512];

	bpf_object__for_each_map(bm, m->obj) {
		struct bpf_map_info info = { 0 };
		uint32_t ilen = sizeof(info);
		int fd;

		if (fib_which(bpf_map__name(bm)) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", m->pin_dir, bpf_map__name(bm));
		if ((fd = bpf_obj_get(path)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
			bpf_map__set_max_entries(bm, info.max_entries);
		close(fd);
	}
}

static int maps_load(struct xrt_maps *m, const char *obj_path, const char *bpffs, bool staged,
		     char *err)
{
	int rc;

	maps_reset(m);
	if (!obj_path)
		return xrt_fail(err, -EINVAL, "no object file given");
	rc = set_pin_dir(m, bpffs, err);
	if (rc)
		return rc;
	if (access(obj_path, R_OK))
		return xrt_fail(err, -errno, "%s: cannot open: %s", obj_path,
				strerror(errno));
	rc = bpffs_ensure(bpffs && *bpffs ? bpffs : XRT_BPFFS_DEFAULT, err);
	if (rc)
		return rc;
	rc = mkdir_p(m->pin_dir);
	if (rc)
		return xrt_fail(err, rc, "%s: %s", m->pin_dir, strerror(-rc));
	if (staged && (rc = xrt_migrate_open(m, err)) < 0)
		goto fail;

	/* Kept absolute: every attach opens it again (xrt_maps_obj_open),
	 * after the daemon may have moved to "/". */
	char abs[PATH_MAX];
	if ((size_t)snprintf(m->obj_path, sizeof(m->obj_path), "%s",
			     realpath(obj_path, abs) ? abs : obj_path) >= sizeof(m->obj_path)) {
		rc = xrt_fail(err, -ENAMETOOLONG, "%s: path too long", obj_path);
		goto fail;
	}
	m->obj = xrt_maps_obj_open(m, err);
	if (!m->obj) {
		rc = -errno;
		goto fail;
	}
	/* Maps of its own: migrate.c pins them (at once without a running
	 * generation, else at the commit). */
	if (staged && (rc = xrt_migrate_take_pins(m, m->obj, err)))
		goto fail;
	if (!staged)
		fib_follow_pins(m);
	rc = obj_load(m->obj);
	if (rc && staged) {
		xrt_err(err, "%s: load failed: %s%s%s%s%s", obj_path,
			load_why[0] ? load_why : strerror(-rc),
			load_verifier[0] ? " (verifier: " : "", load_verifier,
			load_verifier[0] ? ")" : "",
			xrt_maps_staged(m) ? "; the running fast path is unchanged" : "");
		goto fail;
	}
	if (rc) {
		xrt_err(err, "%s: load failed (%s); maps pinned in %s with another "
			     "layout must be removed first",
			obj_path, strerror(-rc), m->pin_dir);
		goto fail;
	}
	m->prog_fd = obj_prog_fd(m->obj);
	if (m->prog_fd < 0) {
		rc = xrt_fail(err, -ENOENT, "%s: has no XDP program", obj_path);
		goto fail;
	}
	rc = maps_open_fds(m, obj_path, err);
	if (rc)
		goto fail;
	rc = xrt_migrate_prepare(m, err);
	if (rc)
		goto fail;
	rc = fib_open(m, err);
	if (rc)
		goto fail;
	/* The static keys word from the ACL and rules banks as loaded. */
	rc = xrt_maps_feat_sync(m, 0, err);
	if (rc)
		goto fail;
	return 0;

fail:
	/* Whatever was reached: close takes a half-open set. */
	xrt_maps_close(m);
	return rc;
}

int xrt_maps_load(struct xrt_maps *m, const char *obj_path, const char *bpffs, char *err)
{
	return maps_load(m, obj_path, bpffs, false, err);
}

int xrt_maps_stage(struct xrt_maps *m, const char *obj_path, const char *bpffs, char *err)
{
	return maps_load(m, obj_path, bpffs, true, err);
}

int xrt_maps_open_pinned(struct xrt_maps *m, const char *bpffs, char *err)
{
	int rc;

	maps_reset(m);
	rc = set_pin_dir(m, bpffs, err);
	if (rc)
		return rc;
	rc = maps_open_fds(m, NULL, err);
	if (rc)
		xrt_maps_close(m);
	return rc;
}

void xrt_maps_close(struct xrt_maps *m)
{
	struct map_slot slots[XRT_MAP_SLOTS];
	int i, n;

	xrt_migrate_free(m);
	fib6_free(m->fib);
	free(m->acl);
	xrt_cls_free(m);
	fib_unmap(m->fib_map, m->fib_len);
	if (m->tx_ports >= 0)
		close(m->tx_ports); /* ours in both cases (from its map id) */
	if (m->obj) {
		/* The object owns its fds. */
		bpf_object__close(m->obj);
	} else {
		n = map_slots(m, slots);
		for (i = 0; i < n; i++)
			if (*slots[i].fd >= 0)
				close(*slots[i].fd);
	}
	maps_reset(m);
}

/* An RCU grace period for the other writers of the maps (dataplane/acl.c). */
void xrt_maps_synchronize(void)
{
	fib_synchronize(NULL);
}

/* The new FIB maps in place of the pinned ones: pinned under a temporary
 * name, then renamed over the old pin (a reader opening it gets the old
 * map or the new one). */
static void fib_repin(const struct xrt_maps *m, const int fds[XRT_FIB_MAPS])
{
	char tmp[512], path[512];

	for (int i = 0; i < XRT_FIB_MAPS; i++) {
		snprintf(tmp, sizeof(tmp), "%s/new_%s", m->pin_dir, fib_names[i]);
		snprintf(path, sizeof(path), "%s/%s", m->pin_dir, fib_names[i]);
		unlink(tmp);
		if (bpf_obj_pin(fds[i], tmp) || rename(tmp, path))
			unlink(tmp);
	}
}

/*
 * A FIB resize (ip6_fib.c, fib6_resize), the upgrade's path on a smaller
 * scale: a copy of the object on new FIB maps of next's sizes and on every
 * other map of the running set (by fd, as xrt_maps_obj_share), the trie
 * built there by fill while the running program keeps walking the old
 * maps, then the copy's program swapped in on every interface that runs
 * ours (XDP_FLAGS_REPLACE, or the dispatcher: a frame sees the old program
 * and maps or the new ones), the new FIB maps pinned, and after a grace
 * period the old ones unmapped and closed. Counters, next hops and
 * neighbours are the same maps before and after. Per packet nothing
 * changes: the walk still inlines its array lookups, where an
 * ARRAY_OF_MAPS would cost a helper call per step.
 */
static int fib_resize(void *ctx, struct fib6_mem *next,
		      int (*fill)(void *fctx, const struct fib6_mem *next), void *fctx,
		      char *err)
{
	struct xrt_maps *m = ctx, old = *m;
	const uint32_t want[XRT_FIB_MAPS] = { XRT_FIB_TRIES, next->nslots, next->nnodes,
					      next->nrecs };
	struct bpf_map_info info = { 0 };
	uint32_t ilen = sizeof(info), max[XRT_FIB_MAPS];
	struct map_slot slots[XRT_MAP_SLOTS];
	int fds[XRT_FIB_MAPS], rc, n;
	size_t len[XRT_FIB_MAPS];
	void *map[XRT_FIB_MAPS];
	struct bpf_object *copy;
	struct bpf_map *bm;

	if (bpf_obj_get_info_by_fd(m->fib6, &info, &ilen))
		return xrt_fail(err, -errno, "%s: %s", XRT_MAP_FIB6_DP, strerror(errno));
	copy = xrt_maps_obj_open(m, err);
	if (!copy)
		return -errno;
	bpf_object__for_each_map(bm, copy) {
		int w = fib_which(bpf_map__name(bm));

		if (w < 0)
			continue;
		bpf_map__set_pin_path(bm, NULL);
		if ((rc = bpf_map__set_max_entries(bm, want[w]))) {
			xrt_err(err, "%s: %u entries: %s", fib_names[w], want[w], strerror(-rc));
			goto close;
		}
	}
	if ((rc = obj_share(m, copy, true, err)))
		goto close;
	if ((rc = obj_load(copy))) {
		xrt_err(err, "%s%s", load_why[0] ? load_why : strerror(-rc),
			rc == -ENOMEM || rc == -EPERM ? " (memory cgroup or RLIMIT_MEMLOCK)" : "");
		goto close;
	}
	for (int i = 0; i < XRT_FIB_MAPS; i++)
		fds[i] = bpf_object__find_map_fd_by_name(copy, fib_names[i]);
	if ((rc = fib_mmap(fds, map, len, max, err)))
		goto close;
	next->tbl = map[0];
	next->dp = map[1];
	next->node = map[2];
	next->rec = map[3];
	if ((rc = fill(fctx, next))) {
		xrt_err(err, "building the trie: %s", strerror(-rc));
		goto unmap;
	}
	/* m is the copy's from here: the swap attaches its program. */
	m->obj = copy;
	m->prog_fd = obj_prog_fd(copy);
	n = map_slots(m, slots);
	for (int i = 0; i < n; i++)
		*slots[i].fd = obj_slot_fd(copy, slots[i].name);
	if ((rc = xrt_migrate_swap(m, info.id, err))) {
		*m = old;
		goto unmap;
	}
	if (!xrt_maps_staged(m))
		fib_repin(m, fds); /* staged: the commit pins the whole set */
	xrt_migrate_moved(m, old.obj);
	/* No frame still walks the old maps past this point. */
	xrt_synchronize_rcu();
	fib_unmap(old.fib_map, old.fib_len);
	memcpy(m->fib_map, map, sizeof(map));
	memcpy(m->fib_len, len, sizeof(len));
	bpf_object__close(old.obj);
	return 0;

unmap:
	fib_unmap(map, len);
close:
	bpf_object__close(copy);
	return rc;
}
