// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest memory: registered regions first, then callbacks; the index of planted breakpoint
 * bytes by guest-physical address, and guest memory as the guest's program sees it (original
 * bytes in place of planted breakpoint instructions).  Address translation is translate.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct region *find_region(struct kvmdbg_vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->nr_regions; i++) {
		struct region *r = &vm->regions[i];

		if (gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

uint8_t *mem_host(struct kvmdbg_vm *vm, uint64_t gpa, size_t len)
{
	struct region *r;

	/* breakpoints cluster in one region: try the last one found first */
	if (vm->last_region < vm->nr_regions) {
		r = &vm->regions[vm->last_region];
		if (gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	r = find_region(vm, gpa);
	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	vm->last_region = (size_t)(r - vm->regions);
	return r->host + (gpa - r->gpa);
}

/* The start of the first region above gpa, or 0 if none (then: to the end of the range). */
static uint64_t next_region(struct kvmdbg_vm *vm, uint64_t gpa)
{
	uint64_t next = 0;

	for (size_t i = 0; i < vm->nr_regions; i++)
		if (vm->regions[i].gpa > gpa && (!next || vm->regions[i].gpa < next))
			next = vm->regions[i].gpa;
	return next;
}

/* Read or write [gpa, gpa + len), region by region, callbacks for the gaps. */
static int mem_access(struct kvmdbg_vm *vm, uint64_t gpa, void *rbuf, const void *wbuf, size_t len)
{
	while (len) {
		struct region *r = find_region(vm, gpa);
		size_t n = len;
		int ret;

		if (r) {
			if (n > r->size - (gpa - r->gpa))
				n = (size_t)(r->size - (gpa - r->gpa));
			if (rbuf)
				memcpy(rbuf, r->host + (gpa - r->gpa), n);
			else
				memcpy(r->host + (gpa - r->gpa), wbuf, n);
		} else {
			uint64_t next = next_region(vm, gpa);

			if (next && next - gpa < n)
				n = (size_t)(next - gpa);
			if (rbuf)
				ret = vm->read ? vm->read(vm->mem_data, gpa, rbuf, n) : -EFAULT;
			else
				ret = vm->write ? vm->write(vm->mem_data, gpa, wbuf, n) : -EFAULT;
			if (ret < 0)
				return ret;
		}
		gpa += n;
		len -= n;
		if (rbuf)
			rbuf = (uint8_t *)rbuf + n;
		else
			wbuf = (const uint8_t *)wbuf + n;
	}
	return 0;
}

int mem_read(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len)
{
	return mem_access(vm, gpa, buf, NULL, len);
}

/*
 * Whether every byte of [gpa, gpa + len) can be written: in a region, or where a write
 * callback takes it (which may still fail: then a prefix is written, as documented).
 */
static int mem_check_writable(struct kvmdbg_vm *vm, uint64_t gpa, size_t len)
{
	while (len) {
		struct region *r = find_region(vm, gpa);
		size_t n = len;

		if (r) {
			if (n > r->size - (gpa - r->gpa))
				n = (size_t)(r->size - (gpa - r->gpa));
		} else {
			uint64_t next = next_region(vm, gpa);

			if (!vm->write)
				return -EFAULT;
			if (next && next - gpa < n)
				n = (size_t)(next - gpa);
		}
		gpa += n;
		len -= n;
	}
	return 0;
}

int mem_write(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	int ret = mem_check_writable(vm, gpa, len);

	return ret < 0 ? ret : mem_access(vm, gpa, NULL, buf, len);
}

/* Where a software breakpoint's instruction lies: split bytes at gpa, the rest at gpa2. */
struct pieces {
	uint64_t gpa, gpa2;
	size_t len, first;
};

static void pieces_of(const struct kvmdbg_vm *vm, uint32_t idx, struct pieces *pc)
{
	const struct sw_extra *x = sw_extra(&vm->sw, idx);

	pc->gpa = sw_gpa(&vm->sw, idx);
	pc->len = sw_insn_len(vm, idx);
	pc->first = x && x->split ? x->split : pc->len;
	pc->gpa2 = x && x->split ? x->gpa2 : 0;
}

/*
 * Whether [a, a + n) and [b, b + m) share a byte, n and m not 0: by differences, since a range
 * may end at the top of the address space, where a + n is 0.
 */
static bool overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
	return a - b < m || b - a < n;
}

bool sw_in_range(const struct kvmdbg_vm *vm, uint32_t idx, uint64_t gpa, uint64_t len)
{
	struct pieces pc;

	pieces_of(vm, idx, &pc);
	if (overlap(pc.gpa, pc.first, gpa, len))
		return true;
	return pc.first != pc.len && overlap(pc.gpa2, pc.len - pc.first, gpa, len);
}

int sw_read(struct kvmdbg_vm *vm, uint32_t idx, uint8_t *buf)
{
	struct pieces pc;
	int ret;

	pieces_of(vm, idx, &pc);
	ret = mem_read(vm, pc.gpa, buf, pc.first);
	if (ret < 0 || pc.first == pc.len)
		return ret;
	return mem_read(vm, pc.gpa2, buf + pc.first, pc.len - pc.first);
}

int sw_write(struct kvmdbg_vm *vm, uint32_t idx, const uint8_t *buf)
{
	uint8_t old[MAX_INSN];
	struct pieces pc;
	int ret;

	pieces_of(vm, idx, &pc);
	if (pc.first == pc.len)
		return mem_write(vm, pc.gpa, buf, pc.len);
	/* two pages: if the second cannot be written, the first gets its bytes back */
	ret = mem_read(vm, pc.gpa, old, pc.first);
	if (ret < 0)
		return ret;
	ret = mem_write(vm, pc.gpa, buf, pc.first);
	if (ret < 0)
		return ret;
	ret = mem_write(vm, pc.gpa2, buf + pc.first, pc.len - pc.first);
	if (ret < 0) {
		/* should this fail too, nothing is left to try: the caller has the error */
		int undo = mem_write(vm, pc.gpa, old, pc.first);

		(void)undo;
	}
	return ret;
}

/*
 * Finding breakpoint bytes by guest-physical address (to show guest memory as the guest's
 * program sees it, and to refuse two breakpoints on one physical byte).  A point's gpa is its
 * address plus one of a few offsets (sw.c), so while the offsets are few (PROBE_OFFSETS), the
 * bytes at gpa are found by looking up gpa - offset for each: no index to keep.  Past that
 * (a user-space guest whose pages lie anywhere), an index of the planted pieces by physical
 * address is built once and kept: vm->phys, one entry per piece, keyed by the piece's first
 * byte, the value (idx << 1 | piece) + 1 (piece 1 is the part on the next page).
 */
#define PROBE_OFFSETS 8

static void *piece_val(uint32_t idx, unsigned int piece)
{
	return (void *)(((uintptr_t)idx << 1 | piece) + 1);
}

static uint32_t piece_idx(void *val, unsigned int *ret_piece)
{
	uintptr_t v = (uintptr_t)val - 1;

	*ret_piece = (unsigned int)(v & 1);
	return (uint32_t)(v >> 1);
}

static int index_add(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct pieces pc;
	int ret;

	if (!sw_planted(&vm->sw, idx))
		return 0; /* pending: nowhere yet */
	pieces_of(vm, idx, &pc);
	ret = map_add(&vm->phys, pc.gpa, piece_val(idx, 0));
	if (ret < 0 || pc.first == pc.len)
		return ret;
	ret = map_add(&vm->phys, pc.gpa2, piece_val(idx, 1));
	if (ret < 0)
		map_del(&vm->phys, pc.gpa, piece_val(idx, 0));
	return ret;
}

/* The offsets became many: index every point's pieces from now on. */
static int index_build(struct kvmdbg_vm *vm)
{
	int ret = 0;

	for (uint32_t idx = sw_next(&vm->sw, 0); idx && ret == 0; idx = sw_next(&vm->sw, idx))
		ret = index_add(vm, idx);
	if (ret < 0) {
		/* as it was: an empty index, probing */
		map_fini(&vm->phys);
		return map_init(&vm->phys) < 0 ? -ENOMEM : ret;
	}
	vm->phys_on = true;
	return 0;
}

int phys_add(struct kvmdbg_vm *vm, uint32_t idx)
{
	if (vm->phys_on)
		return index_add(vm, idx);
	if (vm->sw.live_offsets > PROBE_OFFSETS)
		return index_build(vm); /* the new point is in the store already */
	return 0;
}

void phys_del(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct pieces pc;

	if (!vm->phys_on || !sw_planted(&vm->sw, idx))
		return;
	pieces_of(vm, idx, &pc);
	map_del(&vm->phys, pc.gpa, piece_val(idx, 0));
	if (pc.first != pc.len)
		map_del(&vm->phys, pc.gpa2, piece_val(idx, 1));
}

typedef int (*piece_fn)(void *data, struct kvmdbg_vm *vm, uint32_t idx, uint64_t start,
			unsigned int off, unsigned int n);

/* Piece 0 of idx starts at s: call fn if it reaches into [gpa, gpa + len). */
static int visit(struct kvmdbg_vm *vm, uint32_t idx, unsigned int piece, uint64_t s, uint64_t gpa,
		 piece_fn fn, void *data)
{
	struct pieces pc;
	unsigned int off, n;

	pieces_of(vm, idx, &pc);
	off = piece ? (unsigned int)pc.first : 0;
	n = (unsigned int)(piece ? pc.len - pc.first : pc.first);
	/* by differences: s + n is 0 for a piece that ends at the top of the address space */
	if (s < gpa && gpa - s >= n)
		return 0;
	return fn(data, vm, idx, s, off, n);
}

/*
 * Call fn for every piece of a software breakpoint that overlaps [gpa, gpa + len): pieces
 * start at most MAX_INSN - 1 bytes before the range.  Pieces of skip_idx, and first pieces
 * found through the offset skip_offset (when has_skip_offset), are left out.  fn gets the
 * piece's physical start, its bytes' offset in the instruction, and its length; a non-zero
 * return stops the walk and is returned.
 */
static int for_each_piece(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len, uint32_t skip_idx,
			  bool has_skip_offset, int64_t skip_offset, piece_fn fn, void *data)
{
	uint64_t from = gpa >= MAX_INSN - 1 ? gpa - (MAX_INSN - 1) : 0;
	struct sw_extra *x;
	size_t cursor = 0;
	uint32_t idx;
	int ret;

	if (!vm->sw.count)
		return 0;
	if (vm->phys_on) {
		for (uint64_t s = from; s - from < len + (gpa - from); s++) {
			void *val;

			cursor = 0;
			while ((val = map_next(&vm->phys, s, &cursor))) {
				unsigned int piece;

				idx = piece_idx(val, &piece);
				if (idx == skip_idx)
					continue;
				ret = visit(vm, idx, piece, s, gpa, fn, data);
				if (ret)
					return ret;
			}
		}
		return 0;
	}
	/* first pieces: at s - offset, for each offset */
	for (uint32_t i = 0; i < vm->sw.nr_offsets; i++) {
		const struct sw_offset *o = &vm->sw.offsets[i];

		if (!o->refs || (has_skip_offset && o->offset == skip_offset))
			continue;
		for (uint64_t s = from; s - from < len + (gpa - from); s++) {
			idx = sw_find(&vm->sw, s - (uint64_t)o->offset);
			/* a point there whose own offset is another one lies elsewhere */
			if (!idx || idx == skip_idx || !sw_planted(&vm->sw, idx) ||
			    sw_gpa(&vm->sw, idx) != s)
				continue;
			ret = visit(vm, idx, 0, s, gpa, fn, data);
			if (ret)
				return ret;
		}
	}
	/* second pieces: the few instructions across two pages */
	while (vm->nr_split && (idx = sw_next_extra(&vm->sw, &cursor, &x))) {
		struct pieces pc;

		if (!x->split || idx == skip_idx)
			continue;
		pieces_of(vm, idx, &pc);
		/* [gpa2, + its length) against [gpa, + len) by differences: either may end at 0 */
		if (pc.gpa2 >= gpa ? pc.gpa2 - gpa >= len : gpa - pc.gpa2 >= pc.len - pc.first)
			continue;
		ret = visit(vm, idx, 1, pc.gpa2, gpa, fn, data);
		if (ret)
			return ret;
	}
	return 0;
}

static int overlap_found(void *data, struct kvmdbg_vm *vm, uint32_t idx, uint64_t start,
			 unsigned int off, unsigned int n)
{
	return 1;
}

bool phys_overlaps(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len, bool has_skip_offset,
		   int64_t skip_offset)
{
	return for_each_piece(vm, gpa, len, 0, has_skip_offset, skip_offset, overlap_found, NULL) !=
	       0;
}

_public_ int kvmdbg_vm_add_memory(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	struct region *nr;
	int ret = 0;

	if (!vm || !host || !size || gpa + (size - 1) < gpa)
		return -EINVAL;

	pthread_mutex_lock(&vm->lock);
	for (size_t i = 0; i < vm->nr_regions; i++) {
		const struct region *r = &vm->regions[i];

		if (gpa <= r->gpa + (r->size - 1) && r->gpa <= gpa + (size - 1)) {
			ret = -EEXIST;
			goto out;
		}
	}
	nr = realloc(vm->regions, (vm->nr_regions + 1) * sizeof(*nr));
	if (!nr) {
		ret = -ENOMEM;
		goto out;
	}
	vm->regions = nr;
	vm->regions[vm->nr_regions++] = (struct region){
		.gpa = gpa,
		.size = size,
		.host = host,
	};
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

_public_ int kvmdbg_vm_remove_memory(struct kvmdbg_vm *vm, uint64_t gpa)
{
	int ret = -ENOENT;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	for (size_t i = 0; i < vm->nr_regions; i++) {
		if (vm->regions[i].gpa == gpa) {
			vm->regions[i] = vm->regions[--vm->nr_regions];
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

_public_ int kvmdbg_vm_set_memory_ops(struct kvmdbg_vm *vm, kvmdbg_read_fn read,
				      kvmdbg_write_fn write, kvmdbg_translate_fn translate,
				      void *user_data)
{
	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	vm->read = read;
	vm->write = write;
	vm->translate = translate;
	vm->mem_data = user_data;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/* Put the original bytes of every planted breakpoint over a buffer read from guest memory. */
struct mask {
	uint64_t gpa;
	uint8_t *buf;
	uint64_t len;
};

static int mask_piece(void *data, struct kvmdbg_vm *vm, uint32_t idx, uint64_t start,
		      unsigned int off, unsigned int n)
{
	const uint8_t *orig = sw_rec(&vm->sw, idx)->orig;
	struct mask *m = data;

	if (!sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (start + i - m->gpa < m->len)
			m->buf[start + i - m->gpa] = orig[off + i];
	return 0;
}

/*
 * A write over planted breakpoints: what lands in memory keeps the breakpoint instruction
 * (insn_piece), and once it landed the written bytes become the originals (orig_piece).
 */
static int insn_piece(void *data, struct kvmdbg_vm *vm, uint32_t idx, uint64_t start,
		      unsigned int off, unsigned int n)
{
	const uint8_t *insn = sw_insn(vm, idx);
	struct mask *m = data;

	if (!sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (start + i - m->gpa < m->len)
			m->buf[start + i - m->gpa] = insn[off + i];
	return 0;
}

static int orig_piece(void *data, struct kvmdbg_vm *vm, uint32_t idx, uint64_t start,
		      unsigned int off, unsigned int n)
{
	uint8_t *orig = sw_rec(&vm->sw, idx)->orig;
	struct mask *m = data;

	if (!sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (start + i - m->gpa < m->len)
			orig[off + i] = m->buf[start + i - m->gpa];
	return 0;
}

/* vm->lock held; for a write, buf holds the bytes and scratch is as long, for the copy */
static int phys_access(struct kvmdbg_vm *vm, uint64_t gpa, uint8_t *buf, uint8_t *scratch,
		       size_t len)
{
	struct mask m = { .gpa = gpa, .buf = buf, .len = len };
	int ret;

	if (scratch) {
		struct mask out = { .gpa = gpa, .buf = scratch, .len = len };

		memcpy(scratch, buf, len);
		for_each_piece(vm, gpa, len, 0, false, 0, insn_piece, &out);
		ret = mem_write(vm, gpa, scratch, len);
		if (ret == 0)
			for_each_piece(vm, gpa, len, 0, false, 0, orig_piece, &m);
		return ret;
	}
	ret = mem_read(vm, gpa, buf, len);
	if (ret < 0)
		return ret;
	for_each_piece(vm, gpa, len, 0, false, 0, mask_piece, &m);
	return 0;
}

/* The chunks of [addr, addr + len) that lie on one page each, translated first. */
struct chunk {
	uint64_t gpa;
	size_t off, len;
};

static int access_virt(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, uint64_t addr, void *rbuf,
		       const void *wbuf, size_t len)
{
	size_t nr = (size_t)(((addr + len - 1) / GUEST_PAGE) - (addr / GUEST_PAGE) + 1);
	struct chunk stack[4], *c = stack;
	struct translator t;
	uint8_t *tmp = NULL;
	int ret = 0;

	if (nr > 4) {
		c = calloc(nr, sizeof(*c));
		if (!c)
			return -ENOMEM;
	}
	/* one translator for every page: a walk reads the registers once */
	pthread_mutex_lock(&vm->lock);
	mem_translator(vm, via, &t);
	pthread_mutex_unlock(&vm->lock);
	for (size_t i = 0, off = 0; i < nr; i++) {
		uint64_t a = addr + off;
		size_t n = (size_t)(GUEST_PAGE - a % GUEST_PAGE);

		if (n > len - off)
			n = len - off;
		/* without the lock: see translate.c */
		ret = translator_run(&t, a, &c[i].gpa);
		if (ret < 0)
			goto out;
		c[i].off = off;
		c[i].len = n;
		off += n;
	}
	/* reads: nothing reaches the caller's buffer unless all of it could be read */
	tmp = malloc(wbuf ? 2 * len : len);
	if (!tmp) {
		ret = -ENOMEM;
		goto out;
	}
	if (wbuf)
		memcpy(tmp, wbuf, len);
	pthread_mutex_lock(&vm->lock);
	/* writes: no page is written unless every page can be */
	for (size_t i = 0; wbuf && i < nr && ret == 0; i++)
		ret = mem_check_writable(vm, c[i].gpa, c[i].len);
	for (size_t i = 0; i < nr && ret == 0; i++)
		ret = phys_access(vm, c[i].gpa, tmp + c[i].off, wbuf ? tmp + len + c[i].off : NULL,
				  c[i].len);
	pthread_mutex_unlock(&vm->lock);
	if (ret == 0 && rbuf)
		memcpy(rbuf, tmp, len);
out:
	free(tmp);
	if (c != stack)
		free(c);
	return ret;
}

/*
 * A buffer and a guest range that does not wrap; and no length of half the address space or
 * more, which no buffer has and which a write's copy (2 * len) would overflow.
 */
static bool range_ok(uint64_t addr, const void *buf, size_t len)
{
	return buf && len <= SIZE_MAX / 2 && (!len || addr + (len - 1) >= addr);
}

_public_ int kvmdbg_vm_read_memory(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr,
				   void *buf, size_t len)
{
	if (!vm || !range_ok(addr, buf, len) || (vcpu && vcpu->vm != vm))
		return -EINVAL;
	if (!len)
		return 0;
	return access_virt(vm, vcpu, addr, buf, NULL, len);
}

_public_ int kvmdbg_vm_write_memory(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr,
				    const void *buf, size_t len)
{
	if (!vm || !range_ok(addr, buf, len) || (vcpu && vcpu->vm != vm))
		return -EINVAL;
	if (!len)
		return 0;
	return access_virt(vm, vcpu, addr, NULL, buf, len);
}

static int access_phys(struct kvmdbg_vm *vm, uint64_t gpa, void *rbuf, const void *wbuf, size_t len)
{
	uint8_t *tmp = malloc(wbuf ? 2 * len : len);
	int ret;

	if (!tmp)
		return -ENOMEM;
	if (wbuf)
		memcpy(tmp, wbuf, len);
	pthread_mutex_lock(&vm->lock);
	ret = phys_access(vm, gpa, tmp, wbuf ? tmp + len : NULL, len);
	pthread_mutex_unlock(&vm->lock);
	if (ret == 0 && rbuf)
		memcpy(rbuf, tmp, len);
	free(tmp);
	return ret;
}

_public_ int kvmdbg_vm_read_phys(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len)
{
	if (!vm || !range_ok(gpa, buf, len))
		return -EINVAL;
	if (!len)
		return 0;
	return access_phys(vm, gpa, buf, NULL, len);
}

_public_ int kvmdbg_vm_write_phys(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	if (!vm || !range_ok(gpa, buf, len))
		return -EINVAL;
	if (!len)
		return 0;
	return access_phys(vm, gpa, NULL, buf, len);
}
