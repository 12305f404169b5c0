// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gdb's breakpoints and watchpoints (the Z and z packets) as libkvmdbg points.
 *
 *   Z0 software breakpoint  KVMDBG_POINT_SW_BREAK, or KVMDBG_POINT_HW_BREAK on a KVM that
 *                           does not report int3 (see probe.c); gdb is told so at startup
 *   Z1 hardware breakpoint  KVMDBG_POINT_HW_BREAK
 *   Z2 write watchpoint     KVMDBG_POINT_WATCH_WRITE, one per aligned 1/2/4/8-byte piece
 *   Z3 read watchpoint      KVMDBG_POINT_WATCH_READ: x86 cannot (empty reply)
 *   Z4 access watchpoint    KVMDBG_POINT_WATCH_ACCESS, in pieces like Z2
 *
 * Every point is VM-wide, as gdb's breakpoints are.  A Z0 done in hardware and a Z1 at
 * the same address share one libkvmdbg point.  Inserting what is there already and
 * removing what is not are both fine, as the protocol asks.
 *
 * A software breakpoint is an int3 byte in guest memory, which gdb must not see: reads
 * show the byte it covers, and a write over it takes the breakpoint out, writes, and puts
 * it back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub.h"

#define MAX_PIECES 4 /* a watched range takes at most all four x86 debug registers */
#define INT3 0xcc

struct gdb_point {
	int type; /* the Z packet type */
	uint64_t addr;
	uint64_t kind;
	enum kvmdbg_point_type lib_type;
	unsigned int nr_pieces;
	uint64_t piece_addr[MAX_PIECES];
	uint64_t piece_len[MAX_PIECES];
	uint8_t orig; /* software breakpoints: the byte under the int3 */
};

struct points {
	struct vm *vm;
	bool z0_hw;
	bool watch_write;
	bool watch_access;
	const struct caps *caps;
	struct gdb_point *list;
	size_t count;
	size_t cap;
};

struct points *points_new(struct vm *vm, const struct caps *caps,
			  const struct options *opts)
{
	struct points *pts = calloc(1, sizeof(*pts));

	if (!pts)
		return NULL;
	pts->vm = vm;
	pts->caps = caps;
	switch (opts->breakpoints) {
	case BP_SW:
		pts->z0_hw = false;
		break;
	case BP_HW:
		pts->z0_hw = true;
		break;
	default:
		pts->z0_hw = !caps->sw_break;
		break;
	}
	switch (opts->watchpoints) {
	case WP_ON:
		pts->watch_write = pts->watch_access = true;
		break;
	case WP_OFF:
		break;
	default:
		pts->watch_write = caps->watch_write;
		pts->watch_access = caps->watch_access;
		break;
	}
	return pts;
}

void points_free(struct points *pts)
{
	if (!pts)
		return;
	points_remove_all(pts);
	free(pts->list);
	free(pts);
}

const char *points_z0_mode(const struct points *pts)
{
	return pts->z0_hw ? "hardware" : "software";
}

static struct gdb_point *find(struct points *pts, int type, uint64_t addr, uint64_t kind)
{
	for (size_t i = 0; i < pts->count; i++) {
		struct gdb_point *p = &pts->list[i];

		if (p->type == type && p->addr == addr && (type <= 1 || p->kind == kind))
			return p;
	}
	return NULL;
}

/* Another gdb point holds the same libkvmdbg point (a Z0 in hardware and a Z1). */
static bool shares_lib_point(struct points *pts, const struct gdb_point *self,
			     enum kvmdbg_point_type lib_type, uint64_t addr)
{
	if (lib_type != KVMDBG_POINT_HW_BREAK)
		return false;
	for (size_t i = 0; i < pts->count; i++) {
		const struct gdb_point *p = &pts->list[i];

		if (p != self && p->lib_type == lib_type && p->addr == addr)
			return true;
	}
	return false;
}

/* Cut [addr, addr + len) into naturally aligned pieces of 8, 4, 2 or 1 bytes. */
static int split_range(struct gdb_point *p, uint64_t addr, uint64_t len)
{
	p->nr_pieces = 0;
	while (len) {
		uint64_t size = 8;

		while (size > len || (addr & (size - 1)))
			size >>= 1;
		if (p->nr_pieces == MAX_PIECES)
			return -ENOSPC;
		p->piece_addr[p->nr_pieces] = addr;
		p->piece_len[p->nr_pieces] = size;
		p->nr_pieces++;
		addr += size;
		len -= size;
	}
	return 0;
}

static void remove_pieces(struct points *pts, const struct gdb_point *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		kvmdbg_vm_remove(pts->vm->dbg, p->lib_type, p->piece_addr[i]);
}

int points_insert(struct points *pts, int type, uint64_t addr, uint64_t kind)
{
	struct gdb_point np = { .type = type, .addr = addr, .kind = kind };
	int ret = 0;

	switch (type) {
	case 0:
	case 1:
		/* x86: gdb's breakpoint kind is the length of int3 */
		if (kind != 1)
			return -EINVAL;
		np.lib_type = type == 1 || pts->z0_hw ? KVMDBG_POINT_HW_BREAK
						      : KVMDBG_POINT_SW_BREAK;
		np.nr_pieces = 1;
		np.piece_addr[0] = addr;
		np.piece_len[0] = 1;
		break;
	case 2:
	case 3:
	case 4:
		np.lib_type = type == 2	  ? KVMDBG_POINT_WATCH_WRITE
			      : type == 3 ? KVMDBG_POINT_WATCH_READ
					  : KVMDBG_POINT_WATCH_ACCESS;
		if (!kind || kind > 32 || addr + kind < addr)
			return -EINVAL;
		ret = split_range(&np, addr, kind);
		if (ret < 0)
			return ret;
		/* this KVM accepts them but does not deliver them (probe.c): say no */
		if ((type == 2 && !pts->watch_write) || (type == 4 && !pts->watch_access))
			return -ENODEV;
		break;
	default:
		return -EOPNOTSUPP;
	}

	if (find(pts, type, addr, kind))
		return 0;

	if (pts->count == pts->cap) {
		size_t cap = pts->cap ? 2 * pts->cap : 16;
		struct gdb_point *list = realloc(pts->list, cap * sizeof(*list));

		if (!list)
			return -ENOMEM;
		pts->list = list;
		pts->cap = cap;
	}

	if (np.lib_type == KVMDBG_POINT_SW_BREAK) {
		/* the byte gdb must keep seeing, read before the int3 goes in */
		long n = vm_read_virt(pts->vm, 0, addr, &np.orig, 1);

		if (n < 0)
			return (int)n;
	}
	if (!shares_lib_point(pts, NULL, np.lib_type, addr)) {
		for (unsigned int i = 0; i < np.nr_pieces; i++) {
			ret = kvmdbg_vm_insert(pts->vm->dbg, np.lib_type,
					       np.piece_addr[i], np.piece_len[i], 0, NULL,
					       NULL);
			if (ret < 0) {
				remove_pieces(pts, &np, i);
				return ret;
			}
		}
	}
	pts->list[pts->count++] = np;
	return 0;
}

static void drop(struct points *pts, struct gdb_point *p)
{
	size_t i = (size_t)(p - pts->list);

	memmove(p, p + 1, (pts->count - i - 1) * sizeof(*p));
	pts->count--;
}

int points_remove(struct points *pts, int type, uint64_t addr, uint64_t kind)
{
	struct gdb_point *p;

	if (type < 0 || type > 4)
		return -EOPNOTSUPP;
	p = find(pts, type, addr, kind);
	if (!p)
		return 0;
	if (!shares_lib_point(pts, p, p->lib_type, addr))
		remove_pieces(pts, p, p->nr_pieces);
	drop(pts, p);
	return 0;
}

void points_remove_all(struct points *pts)
{
	while (pts->count)
		points_remove(pts, pts->list[0].type, pts->list[0].addr,
			      pts->list[0].kind);
}

void points_mask_read(struct points *pts, uint64_t addr, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < pts->count; i++) {
		const struct gdb_point *p = &pts->list[i];
		uint64_t off = p->addr - addr;

		/* while a vCPU steps over it, the original byte is in memory already */
		if (p->lib_type == KVMDBG_POINT_SW_BREAK && off < len && buf[off] == INT3)
			buf[off] = p->orig;
	}
}

int points_write(struct points *pts, unsigned int index, uint64_t addr, const void *buf,
		 size_t len)
{
	int ret;

	/* out of the way first, so that the write is not mistaken for the guest's */
	for (size_t i = 0; i < pts->count; i++) {
		const struct gdb_point *p = &pts->list[i];

		if (p->lib_type == KVMDBG_POINT_SW_BREAK && p->addr - addr < len)
			kvmdbg_vm_remove(pts->vm->dbg, KVMDBG_POINT_SW_BREAK, p->addr);
	}
	ret = vm_write_virt(pts->vm, index, addr, buf, len);
	for (size_t i = 0; i < pts->count; i++) {
		struct gdb_point *p = &pts->list[i];
		uint64_t off = p->addr - addr;

		if (p->lib_type != KVMDBG_POINT_SW_BREAK || off >= len)
			continue;
		if (ret == 0)
			p->orig = ((const uint8_t *)buf)[off];
		if (kvmdbg_vm_insert(pts->vm->dbg, KVMDBG_POINT_SW_BREAK, p->addr, 0, 0,
				     NULL, NULL) < 0)
			stub_log("could not put the breakpoint at 0x%llx back",
				 (unsigned long long)p->addr);
	}
	return ret;
}

static const char *type_name(int type)
{
	static const char *const names[] = { "break", "hbreak", "watch", "rwatch",
					     "awatch" };

	return type >= 0 && type <= 4 ? names[type] : "?";
}

void points_describe(const struct points *pts, char *buf, size_t size)
{
	size_t n = 0;

	n += (size_t)snprintf(
		buf + n, size - n,
		"gdb 'break' (Z0): %s breakpoints\n"
		"gdb 'hbreak' (Z1): hardware breakpoints, %d debug registers\n"
		"gdb 'watch' (Z2): %s\n"
		"gdb 'rwatch' (Z3): refused, x86 cannot watch reads only\n"
		"gdb 'awatch' (Z4): %s\n",
		points_z0_mode(pts), pts->caps->hw_slots,
		pts->watch_write ? "accepted" : "refused (not delivered here)",
		pts->watch_access ? "accepted" : "refused (not delivered here)");
	for (size_t i = 0; i < pts->count && n < size; i++) {
		const struct gdb_point *p = &pts->list[i];
		uint64_t id;

		n += (size_t)snprintf(
			buf + n, size - n, "  %s at 0x%llx, %llu byte%s, %s\n",
			type_name(p->type), (unsigned long long)p->addr,
			(unsigned long long)p->kind, p->kind == 1 ? "" : "s",
			kvmdbg_vm_find(pts->vm->dbg, p->lib_type, p->addr, &id) == 0
				? "inserted"
				: "not inserted");
	}
}
