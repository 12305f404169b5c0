// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest memory: registered regions first, then callbacks; address translation; the index of
 * planted breakpoint bytes by guest-physical address, and guest memory as the guest's program
 * sees it (original bytes in place of planted breakpoint instructions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

static struct region *find_region(struct kvmdbg_vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->nr_regions; i++) {
		struct region *r = &vm->regions[i];

		if (gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
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

/* The bytes of a breakpoint instruction's pieces: split bytes at gpa, the rest at gpa2. */
int sw_read(struct kvmdbg_point *p, uint8_t *buf)
{
	size_t first = p->split ? p->split : p->insn_len;
	int ret = mem_read(p->vm, p->gpa, buf, first);

	if (ret < 0 || !p->split)
		return ret;
	return mem_read(p->vm, p->gpa2, buf + first, p->insn_len - first);
}

int sw_write(struct kvmdbg_point *p, const uint8_t *buf)
{
	size_t first = p->split ? p->split : p->insn_len;
	uint8_t old[MAX_INSN];
	int ret;

	if (!p->split)
		return mem_write(p->vm, p->gpa, buf, first);
	/* two pages: if the second cannot be written, the first gets its bytes back */
	ret = mem_read(p->vm, p->gpa, old, first);
	if (ret < 0)
		return ret;
	ret = mem_write(p->vm, p->gpa, buf, first);
	if (ret < 0)
		return ret;
	ret = mem_write(p->vm, p->gpa2, buf + first, p->insn_len - first);
	if (ret < 0) {
		/* should this fail too, nothing is left to try: the caller has the error */
		int undo = mem_write(p->vm, p->gpa, old, first);

		(void)undo;
	}
	return ret;
}

/*
 * The phys index holds one entry per piece, keyed by the piece's first guest-physical byte;
 * the value is the point, with bit 0 set for its second piece.
 */
static void *piece_val(struct kvmdbg_point *p, unsigned int piece)
{
	return (void *)((uintptr_t)p | piece);
}

static struct kvmdbg_point *piece_point(void *val, unsigned int *ret_piece)
{
	*ret_piece = (unsigned int)((uintptr_t)val & 1);
	return (struct kvmdbg_point *)((uintptr_t)val & ~(uintptr_t)1);
}

int phys_add(struct kvmdbg_vm *vm, struct kvmdbg_point *p)
{
	int ret = map_add(&vm->phys, p->gpa, piece_val(p, 0));

	if (ret < 0 || !p->split)
		return ret;
	ret = map_add(&vm->phys, p->gpa2, piece_val(p, 1));
	if (ret < 0)
		map_del(&vm->phys, p->gpa, piece_val(p, 0));
	return ret;
}

void phys_del(struct kvmdbg_vm *vm, struct kvmdbg_point *p)
{
	map_del(&vm->phys, p->gpa, piece_val(p, 0));
	if (p->split)
		map_del(&vm->phys, p->gpa2, piece_val(p, 1));
}

/*
 * Call fn for every piece of a software breakpoint (other than skip) that overlaps
 * [gpa, gpa + len): pieces start at most MAX_INSN - 1 bytes before the range.
 * fn gets the piece's physical start, its bytes' offset in the instruction, and its length;
 * a non-zero return stops the walk and is returned.
 */
static int for_each_piece(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len,
			  const struct kvmdbg_point *skip,
			  int (*fn)(void *data, struct kvmdbg_point *p, uint64_t start,
				    unsigned int off, unsigned int n),
			  void *data)
{
	uint64_t from = gpa >= MAX_INSN - 1 ? gpa - (MAX_INSN - 1) : 0;

	if (!vm->phys.count)
		return 0;
	for (uint64_t s = from; s - from < len + (gpa - from); s++) {
		size_t cursor = 0;
		void *val;

		while ((val = map_next(&vm->phys, s, &cursor))) {
			unsigned int piece, off, n;
			struct kvmdbg_point *p = piece_point(val, &piece);
			int ret;

			if (p == skip)
				continue;
			off = piece ? p->split : 0;
			n = (p->split ? (piece ? p->insn_len - p->split : p->split) : p->insn_len);
			if (s + n <= gpa)
				continue;
			ret = fn(data, p, s, off, n);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int overlap_found(void *data, struct kvmdbg_point *p, uint64_t start, unsigned int off,
			 unsigned int n)
{
	return 1;
}

bool phys_overlaps(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len,
		   const struct kvmdbg_point *skip)
{
	return for_each_piece(vm, gpa, len, skip, overlap_found, NULL) != 0;
}

/*
 * The default translation: KVM_TRANSLATE (x86) on a vCPU: via if given, else the one the
 * caller chose, else the one that stopped last, else the first attached.  vm->lock held.
 */
static int default_vcpu_fd(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via)
{
	if (!via)
		via = vm->translate_vcpu ? vm->translate_vcpu : vm->stopped_vcpu;
	if (!via && !list_empty(&vm->vcpus))
		via = list_first(&vm->vcpus, struct kvmdbg_vcpu, node);
	return via ? via->fd : -1;
}

int mem_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, uint64_t gva, uint64_t *ret_gpa,
		  bool vcpu_thread)
{
	kvmdbg_translate_fn translate;
	sigset_t old;
	void *data;
	int fd;

	if (vcpu_thread)
		vcpu_lock(vm, &old);
	else
		pthread_mutex_lock(&vm->lock);
	translate = vm->translate;
	data = vm->mem_data;
	fd = default_vcpu_fd(vm, via);
	if (vcpu_thread)
		vcpu_unlock(vm, &old);
	else
		pthread_mutex_unlock(&vm->lock);

	/* without the lock: the callback may be slow, KVM_TRANSLATE waits for a running vCPU */
	if (translate)
		return translate(data, gva, ret_gpa);
	if (!arch_has_quirk(vm->arch, QUIRK_KVM_TRANSLATE))
		return -EOPNOTSUPP;
	if (fd < 0)
		return -EFAULT;
	return kernel_translate(fd, gva, ret_gpa);
}

_public_ int kvmdbg_translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	if (!ret_gpa)
		return -EINVAL;
	*ret_gpa = gva;
	return 0;
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

_public_ int kvmdbg_vm_set_translate_vcpu(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu)
{
	if (!vm || (vcpu && vcpu->vm != vm))
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	vm->translate_vcpu = vcpu;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/* Put the original bytes of every planted breakpoint over a buffer read from guest memory. */
struct mask {
	uint64_t gpa;
	uint8_t *buf;
	uint64_t len;
};

static int mask_piece(void *data, struct kvmdbg_point *p, uint64_t start, unsigned int off,
		      unsigned int n)
{
	struct mask *m = data;

	if (!p->in_memory)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (start + i - m->gpa < m->len)
			m->buf[start + i - m->gpa] = p->orig[off + i];
	return 0;
}

/*
 * A write over planted breakpoints: what lands in memory keeps the breakpoint instruction
 * (insn_piece), and once it landed the written bytes become the originals (orig_piece).
 */
static int insn_piece(void *data, struct kvmdbg_point *p, uint64_t start, unsigned int off,
		      unsigned int n)
{
	struct mask *m = data;

	if (!p->in_memory)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (start + i - m->gpa < m->len)
			m->buf[start + i - m->gpa] = p->insn[off + i];
	return 0;
}

static int orig_piece(void *data, struct kvmdbg_point *p, uint64_t start, unsigned int off,
		      unsigned int n)
{
	struct mask *m = data;

	if (!p->in_memory)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (start + i - m->gpa < m->len)
			p->orig[off + i] = m->buf[start + i - m->gpa];
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
		for_each_piece(vm, gpa, len, NULL, insn_piece, &out);
		ret = mem_write(vm, gpa, scratch, len);
		if (ret == 0)
			for_each_piece(vm, gpa, len, NULL, orig_piece, &m);
		return ret;
	}
	ret = mem_read(vm, gpa, buf, len);
	if (ret < 0)
		return ret;
	for_each_piece(vm, gpa, len, NULL, mask_piece, &m);
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
	uint8_t *tmp = NULL;
	int ret = 0;

	if (nr > 4) {
		c = calloc(nr, sizeof(*c));
		if (!c)
			return -ENOMEM;
	}
	for (size_t i = 0, off = 0; i < nr; i++) {
		uint64_t a = addr + off;
		size_t n = (size_t)(GUEST_PAGE - a % GUEST_PAGE);

		if (n > len - off)
			n = len - off;
		ret = mem_translate(vm, via, a, &c[i].gpa, false);
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

static bool range_ok(uint64_t addr, const void *buf, size_t len)
{
	return buf && (!len || addr + (len - 1) >= addr);
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
