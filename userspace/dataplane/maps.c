/* xrt: load the XDP object, open its pinned maps, and program them safely. */
#include "dataplane/maps.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
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
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xrt/proto.h"
#include "xrt/fib6.h"
#include "dataplane/ip6_fib.h"

/* Weights per member, as iproute2's `nexthop ... weight N` accepts them. */
#define XRT_NH_WEIGHT_MAX 256

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
	m->local6 = m->tx_outer = -1;
}

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

static int map_update(int fd, const void *key, const void *val, const char *what,
		      char *err)
{
	if (bpf_map_update_elem(fd, key, val, BPF_ANY))
		return xrt_fail(err, -errno, "%s: map update failed: %s", what,
			    strerror(errno));
	return 0;
}

static int map_delete(int fd, const void *key, const char *what, char *err)
{
	if (bpf_map_delete_elem(fd, key))
		return xrt_fail(err, -errno, "%s: %s", what,
			    errno == ENOENT ? "no such entry" : strerror(errno));
	return 0;
}

/*
 * Which next hops use gateway (ifindex, gw), so that neigh_set / neigh_del
 * can refresh the neighbour MAC cached in them (XRT_NH_F_DMAC). Chains run
 * through arrays indexed by next-hop id; rebuilt from the map on every load
 * or open, since a restarted daemon inherits the pinned next hops.
 */
#define GW_BUCKETS 65536u
struct xrt_maps_priv {
	uint32_t head[GW_BUCKETS]; /* first next-hop id, 0 = none */
	uint32_t next[XRT_MAX_NEXTHOPS];
	struct {
		uint32_t ifindex;
		uint8_t gw[16];
		uint8_t linked;
	} key[XRT_MAX_NEXTHOPS];
};

static uint32_t gw_hash(uint32_t ifindex, const uint8_t gw[16])
{
	uint32_t h = 2166136261u ^ ifindex; /* FNV-1a */
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ gw[i]) * 16777619u;
	return h & (GW_BUCKETS - 1);
}

static void gw_unlink(struct xrt_maps_priv *pv, uint32_t id)
{
	uint32_t *link;

	if (!pv || !pv->key[id].linked)
		return;
	link = &pv->head[gw_hash(pv->key[id].ifindex, pv->key[id].gw)];
	while (*link && *link != id)
		link = &pv->next[*link];
	if (*link == id)
		*link = pv->next[id];
	pv->key[id].linked = 0;
	pv->next[id] = 0;
}

static void gw_link(struct xrt_maps_priv *pv, uint32_t id, const struct xrt_nh *v)
{
	uint32_t b;

	if (!pv)
		return;
	gw_unlink(pv, id);
	if (!(v->flags & XRT_NH_F_VALID) || (v->flags & XRT_NH_F_CONNECTED))
		return;
	pv->key[id].ifindex = v->ifindex;
	memcpy(pv->key[id].gw, v->gw, 16);
	pv->key[id].linked = 1;
	b = gw_hash(v->ifindex, v->gw);
	pv->next[id] = pv->head[b];
	pv->head[b] = id;
}

/* RFC 4861 7.3.3: STALE entries must see their traffic (used_ns), so only
 * the other usable states are cached. */
static int neigh_cacheable(uint16_t state)
{
	return (state & XRT_NUD_VALID) && !(state & XRT_NUD_STALE);
}

/* Recompute v's cached gateway MAC from xrt_neigh6. */
static void nh_fill_dmac(struct xrt_maps *m, struct xrt_nh *v)
{
	struct xrt_neigh6_key k = { .ifindex = v->ifindex };
	struct xrt_neigh6_val n;

	v->flags &= ~XRT_NH_F_DMAC;
	memset(v->dmac, 0, sizeof(v->dmac));
	v->pad3 = 0;
	if (v->flags & XRT_NH_F_CONNECTED)
		return;
	memcpy(k.addr, v->gw, sizeof(k.addr));
	if (bpf_map_lookup_elem(m->neigh6, &k, &n) == 0 && neigh_cacheable(n.state)) {
		v->flags |= XRT_NH_F_DMAC;
		memcpy(v->dmac, n.mac, sizeof(v->dmac));
	}
}

/* Call fn on every next hop in the array (batched reads). */
static int nh_walk(struct xrt_maps *m,
		   int (*fn)(struct xrt_maps *, uint32_t, struct xrt_nh *, const void *,
			     char *),
		   const void *arg, char *err)
{
	enum { CHUNK = 4096 };
	struct xrt_nh *vals = calloc(CHUNK, sizeof(*vals));
	uint32_t *keys = calloc(CHUNK, sizeof(*keys));
	uint32_t out_batch = 0, count, i;
	void *in_batch = NULL;
	int rc = 0, done = 0;

	if (!vals || !keys) {
		rc = xrt_fail(err, -ENOMEM, "nexthops: out of memory");
		goto out;
	}
	while (!done) {
		count = CHUNK;
		if (bpf_map_lookup_batch(m->nh, in_batch, &out_batch, keys, vals,
					 &count, NULL)) {
			if (errno != ENOENT) {
				rc = xrt_fail(err, -errno, "nexthops: batch read: %s",
					  strerror(errno));
				goto out;
			}
			done = 1;
		}
		in_batch = &out_batch;
		for (i = 0; i < count; i++) {
			rc = fn(m, keys[i], &vals[i], arg, err);
			if (rc)
				goto out;
		}
	}
out:
	free(vals);
	free(keys);
	return rc;
}

static int gw_index_one(struct xrt_maps *m, uint32_t id, struct xrt_nh *v,
			const void *arg, char *err)
{
	(void)arg;
	(void)err;
	if (id > 0 && id < XRT_MAX_NEXTHOPS)
		gw_link(m->priv, id, v);
	return 0;
}

static int gw_index_build(struct xrt_maps *m, char *err)
{
	m->priv = calloc(1, sizeof(*m->priv));
	if (!m->priv)
		return xrt_fail(err, -ENOMEM, "nexthop index: out of memory");
	return nh_walk(m, gw_index_one, NULL, err);
}

/* neigh_set / neigh_del: refresh the next hops whose gateway this is. */
static int gw_neigh_changed(struct xrt_maps *m, uint32_t ifindex,
			    const uint8_t addr[16], char *err)
{
	struct xrt_maps_priv *pv = m->priv;
	struct xrt_nh v, old;
	uint32_t id;
	int rc;

	if (!pv)
		return 0;
	for (id = pv->head[gw_hash(ifindex, addr)]; id; id = pv->next[id]) {
		if (pv->key[id].ifindex != ifindex || memcmp(pv->key[id].gw, addr, 16))
			continue;
		if (bpf_map_lookup_elem(m->nh, &id, &v))
			continue;
		old = v;
		nh_fill_dmac(m, &v);
		if (!memcmp(&old, &v, sizeof(v)))
			continue;
		rc = map_update(m->nh, &id, &v, XRT_MAP_NH, err);
		if (rc)
			return rc;
	}
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

/* Loaded or reopened alike: open the devmap and rebuild the gateway index
 * from the next hops already in the maps; on failure nothing stays open. */
static int maps_open_finish(struct xrt_maps *m, char *err)
{
	int rc = tx_ports_open(m, err);
	if (!rc)
		rc = gw_index_build(m, err);
	if (rc)
		xrt_maps_close(m);
	return rc;
}

/*
 * An RCU grace period: MEMBARRIER_CMD_GLOBAL returns after synchronize_rcu()
 * (kernel/sched/membarrier.c), and XDP programs run inside RCU read-side
 * sections, so no program still walks a cell replaced before the call.
 * Kernels without it (nohz_full) get a pause far longer than any walk.
 */
static void fib_synchronize(void *ctx)
{
	(void)ctx;
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
}

/* Map the four FIB maps and start the trie's writer on them (empty). */
static int fib_open(struct xrt_maps *m, char *err)
{
	const int fds[4] = { m->fib6_tbl, m->fib6, m->fib6_node, m->fib6_rec };
	const char *names[4] = { XRT_MAP_FIB6_TBL, XRT_MAP_FIB6_DP, XRT_MAP_FIB6_NODE,
				 XRT_MAP_FIB6_REC };
	const uint32_t vsize[4] = { sizeof(struct xrt_fib6_tbl), sizeof(struct xrt_fib6_dp),
				    sizeof(struct xrt_fib6_node), sizeof(struct xrt_fib6_rec) };
	uint32_t max[4];
	long page = sysconf(_SC_PAGESIZE);

	for (int i = 0; i < 4; i++) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);

		if (bpf_obj_get_info_by_fd(fds[i], &info, &len))
			return xrt_fail(err, -errno, "%s: %s", names[i], strerror(errno));
		if (info.value_size != vsize[i] || !(info.map_flags & BPF_F_MMAPABLE))
			return xrt_fail(err, -EINVAL, "%s: pinned with another layout; remove "
				    "the old pins first", names[i]);
		max[i] = info.max_entries;
		m->fib_len[i] = ((size_t)info.value_size * max[i] + page - 1) / page * page;
		m->fib_map[i] = mmap(NULL, m->fib_len[i], PROT_READ | PROT_WRITE, MAP_SHARED,
				     fds[i], 0);
		if (m->fib_map[i] == MAP_FAILED) {
			m->fib_map[i] = NULL;
			return xrt_fail(err, -errno, "%s: mmap: %s", names[i], strerror(errno));
		}
	}
	if (max[0] != XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "%s: pinned with another layout", XRT_MAP_FIB6_TBL);
	struct fib6_mem mem = {
		.tbl = m->fib_map[0], .dp = m->fib_map[1], .node = m->fib_map[2],
		.rec = m->fib_map[3], .nslots = max[1],
		.nnodes = max[2], .nrecs = max[3], .synchronize = fib_synchronize,
	};
	if (mem.nslots > XRT_FIB6_TABLE_SLOTS)
		mem.nslots = XRT_FIB6_TABLE_SLOTS;
	m->fib = fib6_new(&mem);
	return m->fib ? 0 : xrt_fail(err, -ENOMEM, "fib: out of memory");
}

int xrt_maps_load(struct xrt_maps *m, const char *obj_path, const char *bpffs,
		  char *err)
{
	struct map_slot slots[24];
	struct bpf_program *prog;
	int i, n, rc;

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

	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = m->pin_dir);
	m->obj = bpf_object__open_file(obj_path, &opts);
	if (!m->obj) {
		rc = -errno;
		maps_reset(m);
		return xrt_fail(err, rc, "%s: cannot open: %s", obj_path, strerror(-rc));
	}
	/* Tell the program how many CPUs share each punt rate (see punt.h). */
	rc = set_rodata_u32(m->obj, "xrt_nr_cpus",
			    (uint32_t)libbpf_num_possible_cpus());
	if (rc) {
		bpf_object__close(m->obj);
		maps_reset(m);
		return xrt_fail(err, rc, "%s: no .rodata variable xrt_nr_cpus", obj_path);
	}
	rc = bpf_object__load(m->obj);
	if (rc) {
		rc = xrt_fail(err, rc,
			  "%s: load failed (%s); maps pinned in %s with another "
			  "layout must be removed first",
			  obj_path, strerror(-rc), m->pin_dir);
		bpf_object__close(m->obj);
		maps_reset(m);
		return rc;
	}
	prog = bpf_object__find_program_by_name(m->obj, "xrt_fwd");
	if (!prog)
		prog = bpf_object__next_program(m->obj, NULL);
	m->prog_fd = prog ? bpf_program__fd(prog) : -1;
	n = map_slots(m, slots);
	for (i = 0; i < n; i++) {
		*slots[i].fd = bpf_object__find_map_fd_by_name(m->obj, slots[i].name);
		if (*slots[i].fd < 0) {
			rc = xrt_fail(err, -ENOENT, "%s: has no map %s", obj_path,
				  slots[i].name);
			xrt_maps_close(m);
			return rc;
		}
	}
	if (m->prog_fd < 0) {
		xrt_maps_close(m);
		return xrt_fail(err, -ENOENT, "%s: has no XDP program", obj_path);
	}
	rc = maps_open_finish(m, err);
	if (!rc && (rc = fib_open(m, err)))
		xrt_maps_close(m);
	return rc;
}

int xrt_maps_open_pinned(struct xrt_maps *m, const char *bpffs, char *err)
{
	struct map_slot slots[24];
	char path[512];
	int i, n, rc;

	maps_reset(m);
	rc = set_pin_dir(m, bpffs, err);
	if (rc)
		return rc;
	n = map_slots(m, slots);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", m->pin_dir, slots[i].name);
		*slots[i].fd = bpf_obj_get(path);
		if (*slots[i].fd < 0) {
			rc = -errno;
			xrt_maps_close(m);
			return xrt_fail(err, rc, "%s: %s", path, strerror(-rc));
		}
	}
	return maps_open_finish(m, err);
}

void xrt_maps_close(struct xrt_maps *m)
{
	struct map_slot slots[24];
	int i, n;

	free(m->priv);
	m->priv = NULL;
	fib6_free(m->fib);
	for (int i = 0; i < 4; i++)
		if (m->fib_map[i])
			munmap(m->fib_map[i], m->fib_len[i]);
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

/* Array maps cannot delete: an entry is removed by zeroing it. */
static int array_clear(int fd, uint32_t id, size_t size, const char *what,
		       char *err)
{
	void *zero = calloc(1, size);
	int rc;

	if (!zero)
		return xrt_fail(err, -ENOMEM, "%s: out of memory", what);
	rc = map_update(fd, &id, zero, what, err);
	free(zero);
	return rc;
}

/* Slot already used by another interface? (the map holds at most 64). */
static int iface_slot_taken(struct xrt_maps *m, int ifindex, uint16_t slot)
{
	uint32_t key, next;
	struct xrt_iface v;
	void *prev = NULL;

	while (bpf_map_get_next_key(m->ifaces, prev, &next) == 0) {
		key = next;
		prev = &key;
		if ((int)key == ifindex)
			continue;
		if (bpf_map_lookup_elem(m->ifaces, &key, &v) == 0 && v.slot == slot)
			return (int)key;
	}
	return 0;
}

/*
 * Keep the egress MAC cached in every next hop leaving by ifindex in step
 * with xrt_ifaces (iface = NULL: the interface is gone, drop the cache so the
 * fast path finds no entry and drops).
 */
static int smac_refresh_one(struct xrt_maps *m, uint32_t id, struct xrt_nh *v,
			    const void *arg, char *err)
{
	const struct { int ifindex; const struct xrt_iface *iface; } *a = arg;

	if (v->ifindex != (uint32_t)a->ifindex || !(v->flags & XRT_NH_F_VALID))
		return 0;
	if (a->iface) {
		if ((v->flags & XRT_NH_F_SMAC) &&
		    !memcmp(v->smac, a->iface->mac, sizeof(v->smac)))
			return 0;
		v->flags |= XRT_NH_F_SMAC;
		memcpy(v->smac, a->iface->mac, sizeof(v->smac));
	} else {
		if (!(v->flags & XRT_NH_F_SMAC))
			return 0;
		v->flags &= ~XRT_NH_F_SMAC;
		memset(v->smac, 0, sizeof(v->smac));
	}
	return map_update(m->nh, &id, v, XRT_MAP_NH, err);
}

static int nh_refresh_smac(struct xrt_maps *m, int ifindex,
			   const struct xrt_iface *iface, char *err)
{
	struct { int ifindex; const struct xrt_iface *iface; } arg = { ifindex, iface };

	return nh_walk(m, smac_refresh_one, &arg, err);
}

int xrt_maps_iface_set(struct xrt_maps *m, int ifindex,
		       const struct xrt_iface *v, char *err)
{
	char name[IF_NAMESIZE];
	uint32_t key = (uint32_t)ifindex;
	struct bpf_devmap_val port = { .ifindex = (uint32_t)ifindex };
	int other, rc;

	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	if (!v)
		return xrt_fail(err, -EINVAL, "iface: no value");
	if (v->slot < 1 || v->slot >= XRT_MAX_IFACES)
		return xrt_fail(err, -EINVAL, "slot %u: must be 1..%u", v->slot,
			    XRT_MAX_IFACES - 1);
	if (v->mtu < IP6_MIN_MTU || v->mtu > IP6_MAX_PAYLOAD)
		return xrt_fail(err, -EINVAL, "mtu %u: must be %u..%u", v->mtu,
			    IP6_MIN_MTU, IP6_MAX_PAYLOAD);
	if (v->table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", v->table,
			    XRT_MAX_TABLES);
	if (v->flags & ~(XRT_IF_F_FORWARDING | XRT_IF_F_KERNEL_LOCAL))
		return xrt_fail(err, -EINVAL, "flags 0x%x: unknown bits", v->flags);
	if (v->xsk_base > XRT_MAX_XSKS - XRT_MAX_QUEUES)
		return xrt_fail(err, -EINVAL, "xsk_base %u: must be at most %u",
			    v->xsk_base, XRT_MAX_XSKS - XRT_MAX_QUEUES);
	other = iface_slot_taken(m, ifindex, v->slot);
	if (other)
		return xrt_fail(err, -EEXIST, "slot %u: already used by ifindex %d",
			    v->slot, other);

	if (!if_indextoname((unsigned)ifindex, name))
		return xrt_fail(err, -ENODEV, "ifindex %d: no such interface", ifindex);
	/* The port first: once the interface is in xrt_ifaces, next hops
	 * leaving by it may be used. */
	rc = map_update(m->tx_ports, &key, &port, XRT_MAP_TX_PORTS, err);
	if (rc)
		return rc;
	rc = map_update(m->ifaces, &key, v, XRT_MAP_IFACES, err);
	if (!rc && key < XRT_IFINDEX_DIRECT)
		rc = map_update(m->ifaces_dir, &key, v, XRT_MAP_IFACES_DIR, err);
	if (rc)
		return rc;
	return nh_refresh_smac(m, ifindex, v, err);
}

int xrt_maps_iface_del(struct xrt_maps *m, int ifindex, char *err)
{
	uint32_t key = (uint32_t)ifindex;
	int rc;

	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "ifindex %d: invalid", ifindex);
	rc = map_delete(m->ifaces, &key, "iface", err);
	if (rc)
		return rc;
	if (key < XRT_IFINDEX_DIRECT) {
		const struct xrt_iface none = { 0 };
		rc = map_update(m->ifaces_dir, &key, &none, XRT_MAP_IFACES_DIR, err);
		if (rc)
			return rc;
	}
	/* The kernel drops the port itself when the device goes away. */
	if (bpf_map_delete_elem(m->tx_ports, &key) && errno != ENOENT)
		return xrt_fail(err, -errno, "%s: %s", XRT_MAP_TX_PORTS, strerror(errno));
	return nh_refresh_smac(m, ifindex, NULL, err);
}

static int route_check(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, char *err)
{
	if (!addr)
		return xrt_fail(err, -EINVAL, "route: no prefix");
	if (plen > 128)
		return xrt_fail(err, -EINVAL, "prefix length %u: must be 0..128", plen);
	if (table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", table,
			    XRT_MAX_TABLES);
	if (!m->fib)
		return xrt_fail(err, -EPERM, "route: only the process that loaded the "
			    "object changes routes");
	return 0;
}

static int nh_ref_check(uint32_t nh, char *err)
{
	if (nh & XRT_NH_GROUP) {
		uint32_t gid = nh & ~XRT_NH_GROUP;

		if (gid == 0 || gid >= XRT_MAX_NH_GROUPS)
			return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u",
				    gid, XRT_MAX_NH_GROUPS - 1);
	} else if (nh == 0 || nh >= XRT_MAX_NEXTHOPS) {
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", nh,
			    XRT_MAX_NEXTHOPS - 1);
	}
	return 0;
}

int xrt_maps_route_set(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, const struct xrt_fib6_val *v, char *err)
{
	int rc = route_check(m, table, addr, plen, err);

	if (rc)
		return rc;
	if (!v)
		return xrt_fail(err, -EINVAL, "route: no value");
	switch (v->type) {
	case XRT_RTN_UNICAST:
		rc = nh_ref_check(v->nh, err);
		if (rc)
			return rc;
		break;
	case XRT_RTN_LOCAL:
	case XRT_RTN_BLACKHOLE:
	case XRT_RTN_UNREACHABLE:
	case XRT_RTN_PROHIBIT:
		if (v->nh)
			return xrt_fail(err, -EINVAL,
				    "nexthop %u: only unicast routes have one", v->nh);
		break;
	default:
		return xrt_fail(err, -EINVAL, "route type %u: unknown", v->type);
	}
	/* Host bits are the RIB's to refuse; the trie ignores them. */
	return fib6_add(m->fib, table, addr, plen, xrt_fib6_leaf(v->type, v->nh), err);
}

int xrt_maps_route_del(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, char *err)
{
	int rc = route_check(m, table, addr, plen, err);

	if (rc)
		return rc;
	return fib6_del(m->fib, table, addr, plen, err);
}

int xrt_maps_route_count(struct xrt_maps *m, uint32_t table, uint32_t *count, char *err)
{
	struct xrt_fib6_tbl t;

	if (table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", table,
			    XRT_MAX_TABLES);
	if (bpf_map_lookup_elem(m->fib6_tbl, &table, &t))
		return xrt_fail(err, -errno, "%s: %s", XRT_MAP_FIB6_TBL, strerror(errno));
	*count = t.routes;
	return 0;
}

int xrt_maps_fib_usage(struct xrt_maps *m, struct fib6_usage *u, char *err)
{
	if (!m->fib)
		return xrt_fail(err, -EPERM, "fib: only the loading process knows its size");
	fib6_usage(m->fib, u);
	return 0;
}

int xrt_maps_nh_set(struct xrt_maps *m, uint32_t id, const struct xrt_nh *v,
		    char *err)
{
	static const uint8_t any[16];
	struct xrt_iface iface;
	struct xrt_nh nv;
	int rc;

	if (id == 0 || id >= XRT_MAX_NEXTHOPS)
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", id,
			    XRT_MAX_NEXTHOPS - 1);
	if (!v)
		return xrt_fail(err, -EINVAL, "nexthop %u: no value", id);
	if (v->ifindex == 0 || v->ifindex > INT32_MAX)
		return xrt_fail(err, -EINVAL, "nexthop %u: ifindex %u invalid", id,
			    v->ifindex);
	if (v->mtu < IP6_MIN_MTU || v->mtu > IP6_MAX_PAYLOAD)
		return xrt_fail(err, -EINVAL, "nexthop %u: mtu %u: must be %u..%u", id,
			    v->mtu, IP6_MIN_MTU, IP6_MAX_PAYLOAD);
	/* The cache flags are accepted (a value read back) but recomputed. */
	if (v->flags & ~(XRT_NH_F_VALID | XRT_NH_F_CONNECTED | XRT_NH_F_SMAC |
			 XRT_NH_F_DMAC))
		return xrt_fail(err, -EINVAL, "nexthop %u: flags 0x%x: unknown bits",
			    id, v->flags);
	if (!(v->flags & XRT_NH_F_CONNECTED) &&
	    (!memcmp(v->gw, any, sizeof(any)) || v->gw[0] == 0xff))
		return xrt_fail(err, -EINVAL,
			    "nexthop %u: gateway must be a unicast address", id);
	nv = *v;
	nv.flags &= ~XRT_NH_F_SMAC;
	memset(nv.smac, 0, sizeof(nv.smac));
	nv.pad = 0;
	nv.pad2 = 0;
	if (bpf_map_lookup_elem(m->ifaces, &nv.ifindex, &iface) == 0) {
		nv.flags |= XRT_NH_F_SMAC;
		memcpy(nv.smac, iface.mac, sizeof(nv.smac));
	}
	nh_fill_dmac(m, &nv);
	rc = map_update(m->nh, &id, &nv, XRT_MAP_NH, err);
	if (rc == 0)
		gw_link(m->priv, id, &nv);
	return rc;
}

int xrt_maps_nh_del(struct xrt_maps *m, uint32_t id, char *err)
{
	if (id == 0 || id >= XRT_MAX_NEXTHOPS)
		return xrt_fail(err, -EINVAL, "nexthop %u: must be 1..%u", id,
			    XRT_MAX_NEXTHOPS - 1);
	gw_unlink(m->priv, id);
	return array_clear(m->nh, id, sizeof(struct xrt_nh), XRT_MAP_NH, err);
}

int xrt_maps_grp_set(struct xrt_maps *m, uint32_t id, const uint32_t *nh_ids,
		     const uint32_t *weights, unsigned n, char *err)
{
	struct xrt_nh_grp *g;
	uint64_t total = 0, given = 0;
	unsigned i, j, share[XRT_ECMP_BUCKETS], nb;
	int rc;

	if (id == 0 || id >= XRT_MAX_NH_GROUPS)
		return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u", id,
			    XRT_MAX_NH_GROUPS - 1);
	if (n == 0 || n > XRT_ECMP_BUCKETS || !nh_ids || !weights)
		return xrt_fail(err, -EINVAL, "nexthop group %u: %u members: must be 1..%u",
			    id, n, XRT_ECMP_BUCKETS);
	for (i = 0; i < n; i++) {
		if (nh_ids[i] == 0 || nh_ids[i] >= XRT_MAX_NEXTHOPS)
			return xrt_fail(err, -EINVAL,
				    "nexthop group %u: member nexthop %u: must be 1..%u",
				    id, nh_ids[i], XRT_MAX_NEXTHOPS - 1);
		if (weights[i] == 0 || weights[i] > XRT_NH_WEIGHT_MAX)
			return xrt_fail(err, -EINVAL,
				    "nexthop group %u: weight %u: must be 1..%u", id,
				    weights[i], XRT_NH_WEIGHT_MAX);
		total += weights[i];
	}
	/* Exact replication when the weights fit in the buckets; otherwise
	 * each member gets its share of all buckets, at least one, and the
	 * rounding remainder goes to the first members. */
	if (total <= XRT_ECMP_BUCKETS) {
		nb = (unsigned)total;
		for (i = 0; i < n; i++)
			share[i] = weights[i];
	} else {
		nb = XRT_ECMP_BUCKETS;
		for (i = 0; i < n; i++) {
			share[i] = (unsigned)(weights[i] * XRT_ECMP_BUCKETS / total);
			if (share[i] == 0)
				share[i] = 1;
			given += share[i];
		}
		/* n <= 256 members with >= 1 each: trim the largest or pad. */
		while (given > nb) {
			unsigned big = 0;

			for (i = 1; i < n; i++)
				if (share[i] > share[big])
					big = i;
			share[big]--;
			given--;
		}
		for (i = 0; given < nb; i = (i + 1) % n, given++)
			share[i]++;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return xrt_fail(err, -ENOMEM, "nexthop group %u: out of memory", id);
	g->nbuckets = nb;
	for (i = 0, j = 0; i < n; i++) {
		unsigned k;

		for (k = 0; k < share[i] && j < nb; k++)
			g->bucket[j++] = nh_ids[i];
	}
	rc = map_update(m->nh_grp, &id, g, XRT_MAP_NH_GRP, err);
	free(g);
	return rc;
}

int xrt_maps_grp_del(struct xrt_maps *m, uint32_t id, char *err)
{
	if (id == 0 || id >= XRT_MAX_NH_GROUPS)
		return xrt_fail(err, -EINVAL, "nexthop group %u: must be 1..%u", id,
			    XRT_MAX_NH_GROUPS - 1);
	return array_clear(m->nh_grp, id, sizeof(struct xrt_nh_grp),
			   XRT_MAP_NH_GRP, err);
}

static int neigh_key(struct xrt_neigh6_key *k, int ifindex,
		     const uint8_t addr[16], char *err)
{
	if (ifindex <= 0)
		return xrt_fail(err, -EINVAL, "neighbour: ifindex %d invalid", ifindex);
	if (!addr)
		return xrt_fail(err, -EINVAL, "neighbour: no address");
	memset(k, 0, sizeof(*k));
	k->ifindex = (uint32_t)ifindex;
	memcpy(k->addr, addr, sizeof(k->addr));
	return 0;
}

int xrt_maps_neigh_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       const uint8_t mac[6], uint16_t state, char *err)
{
	struct xrt_neigh6_key k;
	struct xrt_neigh6_val v;
	int rc = neigh_key(&k, ifindex, addr, err);

	if (rc)
		return rc;
	if (addr[0] == 0xff)
		return xrt_fail(err, -EINVAL, "neighbour: multicast address");
	if (state == 0 || (state & ~0xffu) || (state & (state - 1)))
		return xrt_fail(err, -EINVAL, "neighbour: state 0x%x: must be one NUD_* bit",
			    state);
	if (!mac)
		return xrt_fail(err, -EINVAL, "neighbour: no lladdr");
	memset(&v, 0, sizeof(v));
	memcpy(v.mac, mac, sizeof(v.mac));
	v.state = state;
	if (bpf_map_update_elem(m->neigh6, &k, &v, BPF_ANY))
		return xrt_fail(err, -errno, "neighbour: %s",
			    errno == E2BIG ? "table full" : strerror(errno));
	return gw_neigh_changed(m, k.ifindex, k.addr, err);
}

int xrt_maps_neigh_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       char *err)
{
	struct xrt_neigh6_key k;
	int rc = neigh_key(&k, ifindex, addr, err);

	if (rc)
		return rc;
	rc = map_delete(m->neigh6, &k, "neighbour", err);
	if (rc)
		return rc;
	return gw_neigh_changed(m, k.ifindex, k.addr, err);
}

int xrt_maps_xsk_set(struct xrt_maps *m, uint32_t key, int xsk_fd, char *err)
{
	if (key >= XRT_MAX_XSKS)
		return xrt_fail(err, -EINVAL, "xsk key %u: must be below %u", key,
			    XRT_MAX_XSKS);
	if (xsk_fd < 0)
		return xrt_fail(err, -EBADF, "xsk key %u: socket fd %d invalid", key,
			    xsk_fd);
	return map_update(m->xsks, &key, &xsk_fd, XRT_MAP_XSKS, err);
}

int xrt_maps_xsk_del(struct xrt_maps *m, uint32_t key, char *err)
{
	if (key >= XRT_MAX_XSKS)
		return xrt_fail(err, -EINVAL, "xsk key %u: must be below %u", key,
			    XRT_MAX_XSKS);
	return map_delete(m->xsks, &key, XRT_MAP_XSKS, err);
}

int xrt_maps_punt_cfg_set(struct xrt_maps *m, unsigned reason,
			  const struct xrt_punt_cfg *v, char *err)
{
	uint32_t key = reason;

	if (reason >= XRT_PUNT_MAX)
		return xrt_fail(err, -EINVAL, "punt reason %u: must be below %u", reason,
			    XRT_PUNT_MAX);
	if (!v)
		return xrt_fail(err, -EINVAL, "punt reason %u: no value", reason);
	if (v->rate_pps && v->burst == 0)
		return xrt_fail(err, -EINVAL,
			    "punt reason %u: burst must be at least 1 with a rate",
			    reason);
	return map_update(m->punt_cfg, &key, v, XRT_MAP_PUNT_CFG, err);
}

int xrt_maps_local6_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			uint32_t flags, char *err)
{
	struct xrt_local6_key key = { .ifindex = (__u32)ifindex };

	if (ifindex < 0 || !addr)
		return xrt_fail(err, -EINVAL, "local6: bad key");
	memcpy(key.addr, addr, sizeof(key.addr));
	return map_update(m->local6, &key, &flags, XRT_MAP_LOCAL6, err);
}

int xrt_maps_local6_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			char *err)
{
	struct xrt_local6_key key = { .ifindex = (__u32)ifindex };

	if (ifindex < 0 || !addr)
		return xrt_fail(err, -EINVAL, "local6: bad key");
	memcpy(key.addr, addr, sizeof(key.addr));
	return map_delete(m->local6, &key, XRT_MAP_LOCAL6, err);
}

int xrt_maps_stats_read(struct xrt_maps *m, int slot, struct xrt_stats *out,
			char *err)
{
	int ncpus = libbpf_num_possible_cpus();
	int first = slot < 0 ? 0 : slot, last = slot < 0 ? XRT_MAX_IFACES - 1 : slot;
	size_t words = sizeof(struct xrt_stats) / sizeof(__u64), w;
	__u64 *vals, *sum = (__u64 *)out;
	int s, c;

	if (!out)
		return xrt_fail(err, -EINVAL, "stats: no output");
	if (slot >= XRT_MAX_IFACES)
		return xrt_fail(err, -EINVAL, "stats slot %d: must be below %d", slot,
			    XRT_MAX_IFACES);
	if (ncpus <= 0)
		return xrt_fail(err, ncpus ? ncpus : -EINVAL, "stats: cannot count CPUs");
	/* Per-CPU values come as one 8-byte-aligned block per possible CPU. */
	vals = calloc((size_t)ncpus, sizeof(struct xrt_stats));
	if (!vals)
		return xrt_fail(err, -ENOMEM, "stats: out of memory");
	memset(out, 0, sizeof(*out));
	for (s = first; s <= last; s++) {
		uint32_t key = (uint32_t)s;

		if (bpf_map_lookup_elem(m->stats, &key, vals)) {
			int rc = -errno;

			free(vals);
			return xrt_fail(err, rc, "stats slot %d: %s", s, strerror(-rc));
		}
		for (c = 0; c < ncpus; c++)
			for (w = 0; w < words; w++)
				sum[w] += vals[(size_t)c * words + w];
	}
	free(vals);
	return 0;
}
