// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gdb's breakpoints and watchpoints (the Z and z packets) as libkvmdbg points.
 *
 *   Z0 software breakpoint  KVMDBG_POINT_SW_BREAK, or KVMDBG_POINT_HW_BREAK where this host
 *                           does not deliver software breakpoints (kvmdbg_vm_get_support())
 *   Z1 hardware breakpoint  KVMDBG_POINT_HW_BREAK
 *   Z2 write watchpoint     KVMDBG_POINT_WATCH_WRITE, one per piece the hardware can watch
 *   Z3 read watchpoint      KVMDBG_POINT_WATCH_READ (x86 cannot: the empty reply)
 *   Z4 access watchpoint    KVMDBG_POINT_WATCH_ACCESS, in pieces like Z2
 *
 * Every point is VM-wide, as gdb's breakpoints are.  A Z0 done in hardware and a Z1 at the
 * same address share one libkvmdbg point.  Inserting what is there already and removing what
 * is not are both fine, as the protocol asks.  Software breakpoints need no care here:
 * libkvmdbg shows the original bytes to kvmdbg_vm_read_memory() and keeps a write over one
 * as the bytes it restores.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool not_delivered(struct kvmdbg_gdbserver *server, enum kvmdbg_feature feature)
{
	int support = kvmdbg_vm_get_support(server->vm, feature);

	return support == KVMDBG_SUPPORT_NONE || support == KVMDBG_SUPPORT_NOT_DELIVERED;
}

enum kvmdbg_point_type points_z0_type(struct kvmdbg_gdbserver *server)
{
	switch (server->break_mode) {
	case KVMDBG_GDBSERVER_BREAK_SOFTWARE:
		return KVMDBG_POINT_SW_BREAK;
	case KVMDBG_GDBSERVER_BREAK_HARDWARE:
		return KVMDBG_POINT_HW_BREAK;
	default:
		/* a breakpoint instruction the host never reports would hang or kill the guest */
		if (not_delivered(server, KVMDBG_FEATURE_SW_BREAKPOINT) &&
		    kvmdbg_vm_get_support(server->vm, KVMDBG_FEATURE_HW_BREAKPOINT) >
			    KVMDBG_SUPPORT_NONE)
			return KVMDBG_POINT_HW_BREAK;
		return KVMDBG_POINT_SW_BREAK;
	}
}

bool points_watch_allowed(struct kvmdbg_gdbserver *server, int type, const char **ret_why)
{
	static const char *const why_not_delivered[] = {
		[2] = "this host accepts write watchpoints but does not deliver them",
		[3] = "this host accepts read watchpoints but does not deliver them",
		[4] = "this host accepts access watchpoints but does not deliver them",
	};
	enum kvmdbg_feature feature = type == 2	  ? KVMDBG_FEATURE_WATCH_WRITE
				      : type == 3 ? KVMDBG_FEATURE_WATCH_READ
						  : KVMDBG_FEATURE_WATCH_ACCESS;

	switch (server->watch_mode) {
	case KVMDBG_GDBSERVER_WATCH_ON:
		return true;
	case KVMDBG_GDBSERVER_WATCH_OFF:
		*ret_why = "the VMM turned hardware watchpoints off";
		return false;
	default:
		if (kvmdbg_vm_get_support(server->vm, feature) != KVMDBG_SUPPORT_NOT_DELIVERED)
			return true;
		*ret_why = why_not_delivered[type];
		return false;
	}
}

static struct gs_point *find(struct gs_points *pts, int type, uint64_t addr, uint64_t kind)
{
	for (size_t i = 0; i < pts->count; i++) {
		struct gs_point *p = &pts->list[i];

		if (p->type == type && p->addr == addr && (type <= 1 || p->kind == kind))
			return p;
	}
	return NULL;
}

/* Another gdb point holds the same libkvmdbg point (a Z0 done in hardware and a Z1). */
static bool shares_lib_point(struct gs_points *pts, const struct gs_point *self,
			     enum kvmdbg_point_type lib_type, uint64_t addr)
{
	if (lib_type != KVMDBG_POINT_HW_BREAK)
		return false;
	for (size_t i = 0; i < pts->count; i++) {
		const struct gs_point *p = &pts->list[i];

		if (p != self && p->lib_type == lib_type && p->addr == addr)
			return true;
	}
	return false;
}

/*
 * Cut [addr, addr + len) into what one slot watches: naturally aligned 8, 4, 2 or 1 bytes
 * (x86), or any bytes within an aligned doubleword (arm64).
 */
static int split_range(struct gs_point *p, uint64_t addr, uint64_t len)
{
	p->nr_pieces = 0;
	while (len) {
		uint64_t size = 8;

		if (gs_arch.watch_any_bytes) {
			size = 8 - (addr & 7);
			if (size > len)
				size = len;
		} else {
			while (size > len || (addr & (size - 1)))
				size >>= 1;
		}
		if (p->nr_pieces == GS_MAX_PIECES)
			return -ENOSPC;
		p->piece_addr[p->nr_pieces] = addr;
		p->piece_len[p->nr_pieces] = size;
		p->nr_pieces++;
		addr += size;
		len -= size;
	}
	return 0;
}

static void remove_pieces(struct kvmdbg_gdbserver *server, const struct gs_point *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		kvmdbg_vm_remove(server->vm, p->lib_type, p->piece_addr[i]);
}

int points_insert(struct kvmdbg_gdbserver *server, int type, uint64_t addr, uint64_t kind)
{
	struct gs_points *pts = &server->points;
	struct gs_point np = { .type = type, .addr = addr, .kind = kind };
	const char *why;
	int ret;

	switch (type) {
	case 0:
	case 1:
		/* gdb's breakpoint kind is the length of the breakpoint instruction */
		if (kind != gs_arch.bp_kind)
			return -EINVAL;
		np.lib_type = type == 1 ? KVMDBG_POINT_HW_BREAK : points_z0_type(server);
		np.nr_pieces = 1;
		np.piece_addr[0] = addr;
		np.piece_len[0] = 0;
		break;
	case 2:
	case 3:
	case 4:
		np.lib_type = type == 2	  ? KVMDBG_POINT_WATCH_WRITE
			      : type == 3 ? KVMDBG_POINT_WATCH_READ
					  : KVMDBG_POINT_WATCH_ACCESS;
		if (!kind || kind > 8 * GS_MAX_PIECES || addr + kind - 1 < addr)
			return -EINVAL;
		ret = split_range(&np, addr, kind);
		if (ret < 0)
			return ret;
		if (!points_watch_allowed(server, type, &why))
			return -ENODEV;
		break;
	default:
		return -EOPNOTSUPP;
	}

	if (find(pts, type, addr, kind))
		return 0;
	if (pts->count == pts->cap) {
		size_t cap = pts->cap ? 2 * pts->cap : 16;
		struct gs_point *list = realloc(pts->list, cap * sizeof(*list));

		if (!list)
			return -ENOMEM;
		pts->list = list;
		pts->cap = cap;
	}
	if (!shares_lib_point(pts, NULL, np.lib_type, addr)) {
		for (unsigned int i = 0; i < np.nr_pieces; i++) {
			ret = kvmdbg_vm_insert(server->vm, np.lib_type, np.piece_addr[i],
					       np.piece_len[i], 0, NULL, NULL);
			if (ret < 0) {
				remove_pieces(server, &np, i);
				return ret;
			}
		}
	}
	pts->list[pts->count++] = np;
	return 0;
}

int points_remove(struct kvmdbg_gdbserver *server, int type, uint64_t addr, uint64_t kind)
{
	struct gs_points *pts = &server->points;
	struct gs_point *p;
	size_t i;

	if (type < 0 || type > 4)
		return -EOPNOTSUPP;
	p = find(pts, type, addr, kind);
	if (!p)
		return 0;
	if (!shares_lib_point(pts, p, p->lib_type, addr))
		remove_pieces(server, p, p->nr_pieces);
	i = (size_t)(p - pts->list);
	memmove(p, p + 1, (pts->count - i - 1) * sizeof(*p));
	pts->count--;
	return 0;
}

void points_remove_all(struct kvmdbg_gdbserver *server)
{
	struct gs_points *pts = &server->points;

	while (pts->count)
		points_remove(server, pts->list[0].type, pts->list[0].addr, pts->list[0].kind);
}

bool points_has_break(struct kvmdbg_gdbserver *server, uint64_t addr)
{
	const struct gs_points *pts = &server->points;

	for (size_t i = 0; i < pts->count; i++)
		if (pts->list[i].type <= 1 && pts->list[i].addr == addr)
			return true;
	return false;
}

bool points_has_watch(struct kvmdbg_gdbserver *server, enum kvmdbg_point_type type,
		      uint64_t point_addr)
{
	uint64_t id;

	return kvmdbg_vm_find(server->vm, type, point_addr, &id) == 0;
}

void points_free(struct gs_points *pts)
{
	free(pts->list);
	pts->list = NULL;
	pts->count = pts->cap = 0;
}
