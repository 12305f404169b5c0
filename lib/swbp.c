// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Software breakpoints in guest memory: the instruction chosen, planted over bytes saved
 * first, taken out only where it still is (the guest's new code stays), written back after a
 * step over it or owed until it can be; inserts one by one or many at once; pending points
 * planted once their code is there, self-healing ones planted again over new code.  The
 * records are the compact store of sw.c.  Every function here but the public ones runs with
 * vm->lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

const uint8_t *sw_insn(const struct kvmdbg_vm *vm, uint32_t idx)
{
	return sw_has(&vm->sw, idx, SW_ALT) ? vm->arch->sw_insn_alt : vm->sw_insn;
}

size_t sw_insn_len(const struct kvmdbg_vm *vm, uint32_t idx)
{
	return sw_has(&vm->sw, idx, SW_ALT) ? vm->arch->sw_insn_alt_len : vm->sw_insn_len;
}

/* The longest breakpoint instruction the VM may write. */
size_t sw_longest_insn(const struct kvmdbg_vm *vm)
{
	return vm->sw_insn_len > vm->arch->sw_insn_alt_len ? vm->sw_insn_len
							   : vm->arch->sw_insn_alt_len;
}

struct kvmdbg_vcpu *sw_owner(const struct kvmdbg_vm *vm, uint32_t idx)
{
	const struct sw_extra *x = sw_extra(&vm->sw, idx);

	return x ? x->vcpu : NULL;
}

unsigned int sw_steppers(const struct kvmdbg_vm *vm, uint32_t idx)
{
	for (unsigned int i = 0; i < vm->nr_stepping; i++)
		if (vm->stepping[i].idx == idx)
			return vm->stepping[i].count;
	return 0;
}

/*
 * One more (delta 1) or one fewer (-1) vCPU stepping over the breakpoint.  The array has a
 * place for every vCPU (made at attach), so this never allocates.
 */
void sw_steppers_add(struct kvmdbg_vm *vm, uint32_t idx, int delta)
{
	unsigned int i;

	for (i = 0; i < vm->nr_stepping; i++)
		if (vm->stepping[i].idx == idx)
			break;
	if (i == vm->nr_stepping) {
		if (delta < 0 || i == vm->cap_stepping)
			return;
		vm->stepping[vm->nr_stepping++] = (struct stepping){ .idx = idx };
	}
	vm->stepping[i].count += (unsigned int)delta;
	if (!vm->stepping[i].count)
		vm->stepping[i] = vm->stepping[--vm->nr_stepping];
}

/*
 * The breakpoint goes: vCPUs stepping over it find it gone (its id no longer names its
 * record), and a new point that takes the record starts with none.
 */
static void sw_steppers_drop(struct kvmdbg_vm *vm, uint32_t idx)
{
	for (unsigned int i = 0; i < vm->nr_stepping; i++)
		if (vm->stepping[i].idx == idx)
			vm->stepping[i] = vm->stepping[--vm->nr_stepping];
}

/*
 * Put the breakpoint instruction into guest memory, saving what it covers.  When arming again
 * (not first), memory that already holds the instruction was restored from a snapshot taken
 * with it in place, and the bytes saved at insert time stay.
 */
/*
 * The bytes of a breakpoint that lies whole in a registered region, for the hot paths: no
 * callback, no copy through a buffer.  NULL: the general path.
 */
static uint8_t *sw_host(struct kvmdbg_vm *vm, uint32_t idx, size_t len)
{
	if (sw_has(&vm->sw, idx, SW_EXTRA) && sw_extra(&vm->sw, idx)->split)
		return NULL;
	return mem_host(vm, sw_gpa(&vm->sw, idx), len);
}

static bool same(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void copy(uint8_t *to, const uint8_t *from, size_t len)
{
	for (size_t i = 0; i < len; i++)
		to[i] = from[i];
}

int sw_put_in(struct kvmdbg_vm *vm, uint32_t idx, bool first)
{
	size_t len = sw_insn_len(vm, idx);
	const uint8_t *insn = sw_insn(vm, idx);
	uint8_t cur[MAX_INSN], *host;
	int ret;

	if (sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	host = sw_host(vm, idx, len);
	if (host) {
		if (first || !same(host, insn, len)) {
			copy(sw_rec(&vm->sw, idx)->orig, host, len);
			copy(host, insn, len);
		}
	} else {
		ret = sw_read(vm, idx, cur);
		if (ret < 0)
			return ret;
		if (first || !same(cur, insn, len)) {
			ret = sw_write(vm, idx, insn);
			if (ret < 0)
				return ret;
			copy(sw_rec(&vm->sw, idx)->orig, cur, len);
		}
	}
	sw_set(&vm->sw, idx, SW_IN_MEMORY);
	if (sw_has(&vm->sw, idx, SW_EXTRA)) {
		sw_extra(&vm->sw, idx)->overwritten = false;
		sw_owe_not(vm, idx);
		sw_extra_trim(&vm->sw, idx);
	}
	return 0;
}

/* Write back every owed breakpoint instruction.  The first error, or 0. */
int sw_put_in_owed(struct kvmdbg_vm *vm)
{
	struct sw_extra *x;
	size_t cursor = 0;
	uint32_t idx;
	int err = 0;

	while (vm->nr_owed && (idx = sw_next_extra(&vm->sw, &cursor, &x))) {
		if (x->owed && !sw_steppers(vm, idx)) {
			int ret = sw_put_in(vm, idx, false);

			if (ret < 0 && !err)
				err = ret;
			/* a put-in may free the extra and move others: look at this place again */
			if (ret == 0)
				cursor = 0;
		}
	}
	return err;
}

int sw_owe(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct sw_extra *x = sw_extra_get(&vm->sw, idx);

	if (!x)
		return -ENOMEM;
	if (!x->owed) {
		x->owed = true;
		vm->nr_owed++;
	}
	return 0;
}

void sw_owe_not(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct sw_extra *x = sw_extra(&vm->sw, idx);

	if (x && x->owed) {
		x->owed = false;
		vm->nr_owed--;
	}
}

/*
 * Take the breakpoint instruction out of guest memory.  If the guest replaced it, its new code
 * stays and the point is marked overwritten.
 */
int sw_take_out(struct kvmdbg_vm *vm, uint32_t idx)
{
	size_t len = sw_insn_len(vm, idx);
	uint8_t cur[MAX_INSN], *host;
	int ret;

	if (!sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	host = sw_host(vm, idx, len);
	if (host && same(host, sw_insn(vm, idx), len)) {
		copy(host, sw_rec(&vm->sw, idx)->orig, len);
		sw_clear(&vm->sw, idx, SW_IN_MEMORY);
		return 0;
	}
	ret = sw_read(vm, idx, cur);
	if (ret < 0)
		return ret;
	if (!same(cur, sw_insn(vm, idx), len)) {
		struct sw_extra *x = sw_extra_get(&vm->sw, idx);

		if (!x)
			return -ENOMEM;
		x->overwritten = true;
	} else {
		ret = sw_write(vm, idx, sw_rec(&vm->sw, idx)->orig);
		if (ret < 0)
			return ret;
	}
	sw_clear(&vm->sw, idx, SW_IN_MEMORY);
	return 0;
}

void sw_prefetch_site(struct kvmdbg_vm *vm, uint64_t addr)
{
	const struct sw_store *s = &vm->sw;
	uint8_t *host;

	/*
	 * With one offset for every point (an identity mapping, a kernel's linear map), where a
	 * breakpoint at addr would lie is known before the table says whether there is one: the
	 * guest byte is fetched while the table and the record are, not after them.
	 */
	if (s->live_offsets != 1 || !s->offsets[0].refs)
		return;
	host = mem_host(vm, addr + (uint64_t)s->offsets[0].offset, 1);
	if (host)
		__builtin_prefetch(host, 1);
}

/* Count a hit; a one-shot point disarms itself. */
void sw_fired(struct kvmdbg_vm *vm, uint32_t idx)
{
	sw_hit(&vm->sw, idx);
	if (!sw_has(&vm->sw, idx, SW_ONESHOT))
		return;
	/*
	 * Where the instruction cannot be taken out, or the point not recorded as fired (out of
	 * memory), it stays armed; the step-over that follows reports a write error from
	 * kvmdbg_vcpu_pre_run().
	 */
	if (sw_fired_add(&vm->sw, idx) < 0)
		return;
	if (sw_take_out(vm, idx) < 0) {
		vm->sw.nr_fired--;
		return;
	}
	sw_clear(&vm->sw, idx, SW_ARMED);
}

/* Inserting software breakpoints */

/* What an insert of a software breakpoint knows before it has a record. */
struct sw_new {
	uint64_t addr;
	bool alt;
	size_t len;    /* of the instruction */
	uint8_t split; /* bytes on the first page, if it crosses into the next; else 0 */
};

/* The length of a neighbour's instruction: a pending one's is not chosen yet, so the longest. */
static size_t neighbour_len(const struct kvmdbg_vm *vm, uint32_t q)
{
	return sw_planted(&vm->sw, q) ? sw_insn_len(vm, q) : sw_longest_insn(vm);
}

/*
 * Whether an instruction at n->addr would share virtual bytes with another breakpoint's
 * (s390's 4-byte DIAG over a 2-byte instruction; riscv).  Only what the architecture makes
 * possible is looked up: nothing on x86.
 */
static int check_virtual(const struct kvmdbg_vm *vm, uint64_t addr, size_t len)
{
	size_t longest = sw_longest_insn(vm);

	for (unsigned int d = 1; d < longest; d++) {
		uint32_t q = sw_find(&vm->sw, addr - d);

		if ((q && neighbour_len(vm, q) > d) || (d < len && sw_find(&vm->sw, addr + d)))
			return -EEXIST;
	}
	return 0;
}

/*
 * Whether the instruction would share bytes with another breakpoint's, at the same virtual
 * addresses or at the same physical ones (two virtual addresses aliasing one physical page):
 * each would save the other's bytes as "original", and removing them leaves a breakpoint
 * instruction in guest memory.
 */
static int check_overlap(struct kvmdbg_vm *vm, struct sw_new *n, const struct xlat *x)
{
	uint64_t room = GUEST_PAGE - n->addr % GUEST_PAGE;
	int ret = check_virtual(vm, n->addr, n->len);

	if (ret < 0)
		return ret;
	n->split = 0;
	if (n->len > room) {
		/* the instruction crosses into the next page, which may be anywhere */
		if (!x->has_gpa2)
			return x->ret2 < 0 ? x->ret2 : -EFAULT;
		n->split = (uint8_t)room;
	}
	/* bytes found through the point's own offsets lie at the virtual neighbours just seen */
	if (phys_overlaps(vm, x->gpa, n->split ? n->split : n->len, true,
			  (int64_t)(x->gpa - n->addr)) ||
	    (n->split && phys_overlaps(vm, x->gpa2, n->len - n->split, true,
				       (int64_t)(x->gpa2 - (n->addr + n->split)))))
		return -EEXIST;
	return 0;
}

/*
 * Whether a new software breakpoint takes the architecture's alternative instruction: where
 * ->pick_alt_insn says so for the site (riscv: a compressed instruction), unless it needs a
 * VM capability that cannot be had (s390).
 */
static int pick_alt_insn(struct kvmdbg_vm *vm, const struct xlat *x, bool *ret_alt)
{
	const struct arch *arch = vm->arch;
	uint8_t site[MAX_INSN];
	int ret;

	*ret_alt = false;
	if (!arch->pick_alt_insn || (arch->alt_insn_cap && vm->alt_insn == ALT_INSN_NO))
		return 0;
	ret = mem_read(vm, x->gpa, site, arch->sw_insn_alt_len);
	if (ret < 0)
		return ret;
	*ret_alt = arch->pick_alt_insn(site);
	return 0;
}

static void choose(struct kvmdbg_vm *vm, struct sw_new *n, bool alt)
{
	n->alt = alt;
	n->len = alt ? vm->arch->sw_insn_alt_len : vm->sw_insn_len;
}

/*
 * s390: the 2-byte 0x0000 needs KVM_CAP_S390_USER_INSTR0, which cannot be switched off again
 * (it changes what the guest's own 0x0000 does for the rest of the VM's life), so it is
 * enabled only by an insert that will succeed: after every check, and after a trial write of
 * the site's own bytes has shown that the memory is writable.  Where it cannot be enabled,
 * the 4-byte DIAG is used, checked anew.  (The 2-byte instruction at an even address never
 * crosses a page.)
 */
static int enable_alt_insn(struct kvmdbg_vm *vm, struct sw_new *n, const struct xlat *x)
{
	uint8_t site[MAX_INSN];
	int ret;

	ret = mem_read(vm, x->gpa, site, n->len);
	if (ret < 0)
		return ret;
	ret = mem_write(vm, x->gpa, site, n->len);
	if (ret < 0)
		return ret;
	if (kernel_enable_cap(vm->fd, vm->arch->alt_insn_cap) == 0) {
		vm->alt_insn = ALT_INSN_ENABLED;
		return 0;
	}
	vm->alt_insn = ALT_INSN_NO;
	choose(vm, n, false);
	return check_overlap(vm, n, x);
}

/* Forget where a point was planted: back to a record without a place (pending). */
static void sw_unplace(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct sw_extra *xt = sw_extra(&vm->sw, idx);

	if (xt && xt->split) {
		xt->split = 0;
		vm->nr_split--;
	}
	sw_offset_put(&vm->sw, idx);
	sw_clear(&vm->sw, idx, SW_ALT);
	sw_extra_trim(&vm->sw, idx);
}

/*
 * Plant a software breakpoint whose record has no place yet: choose its instruction, check
 * that it shares no byte with another, note where it lies, write it.  On failure the record
 * is as it was (live, armed, no place).
 */
static int sw_plant(struct kvmdbg_vm *vm, uint32_t idx, const struct xlat *x)
{
	struct sw_new n = { .addr = sw_addr(&vm->sw, idx) };
	struct sw_extra *xt;
	bool alt;
	int ret;

	if (x->ret < 0)
		return x->ret;
	ret = pick_alt_insn(vm, x, &alt);
	if (ret < 0)
		return ret;
	choose(vm, &n, alt);
	ret = check_overlap(vm, &n, x);
	if (ret < 0)
		return ret;
	if (alt && vm->alt_insn == ALT_INSN_OFFERED) {
		ret = enable_alt_insn(vm, &n, x);
		if (ret < 0)
			return ret;
	}
	if (n.alt)
		sw_set(&vm->sw, idx, SW_ALT);
	ret = sw_offset_set(&vm->sw, idx, x->gpa);
	if (ret < 0)
		goto fail;
	if (n.split) {
		xt = sw_extra_get(&vm->sw, idx);
		if (!xt) {
			ret = -ENOMEM;
			goto fail;
		}
		xt->split = n.split;
		xt->gpa2 = x->gpa2;
		vm->nr_split++;
	}
	ret = phys_add(vm, idx);
	if (ret < 0)
		goto fail;
	ret = sw_put_in(vm, idx, true);
	if (ret < 0) {
		phys_del(vm, idx);
		goto fail;
	}
	return 0;

fail:
	sw_unplace(vm, idx);
	return ret;
}

/* An insert that failed this way may leave a pending point: the address is not there yet. */
static bool not_there_yet(int err)
{
	return err == -EFAULT;
}

int sw_insert(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr, unsigned int flags,
	      void *user_data, const uint64_t *space, const struct xlat *x, uint64_t *ret_id)
{
	unsigned int kept = flags & (KVMDBG_POINT_PENDING | KVMDBG_POINT_SELF_HEAL);
	uint32_t idx;
	int ret;

	if (sw_find(&vm->sw, addr))
		return -EEXIST;
	if (x->ret < 0 && !((flags & KVMDBG_POINT_PENDING) && not_there_yet(x->ret)))
		return x->ret;
	ret = sw_alloc(&vm->sw, addr, &idx);
	if (ret < 0)
		return ret;
	sw_set(&vm->sw, idx, SW_ARMED | (flags & KVMDBG_POINT_ONESHOT ? SW_ONESHOT : 0));
	if (vcpu || user_data || kept || space) {
		struct sw_extra *xt = sw_extra_get(&vm->sw, idx);

		if (!xt) {
			sw_release(&vm->sw, idx);
			return -ENOMEM;
		}
		xt->vcpu = vcpu;
		xt->user_data = user_data;
		xt->flags = kept;
		xt->has_space = space;
		xt->space = space ? *space : 0;
	}
	ret = sw_plant(vm, idx, x);
	if (ret < 0) {
		if (!(flags & KVMDBG_POINT_PENDING) || !not_there_yet(ret) ||
		    check_virtual(vm, addr, sw_longest_insn(vm)) < 0) {
			sw_release(&vm->sw, idx);
			return ret;
		}
		/* pending: kvmdbg_vm_plant_pending() tries again */
		vm->nr_pending++;
	}
	/* the first software breakpoint turns on the kernel's interception */
	if (vm->sw.count == 1)
		vm_bump(vm);
	__atomic_store_n(&vm->sw_ever, true, __ATOMIC_RELEASE);
	vm->nr_points++;
	if (ret_id)
		*ret_id = sw_id(&vm->sw, idx);
	return 0;
}

/* 0, 1 (the guest had replaced the instruction), or the write error: the point stays */
int sw_destroy(struct kvmdbg_vm *vm, uint32_t idx)
{
	const struct sw_extra *x;
	int ret;

	/*
	 * With steppers the original bytes are already back in memory, unless a snapshot
	 * restore put the instruction back (kvmdbg_vm_mark_all_armed())
	 */
	if (!sw_steppers(vm, idx) || sw_has(&vm->sw, idx, SW_IN_MEMORY)) {
		ret = sw_take_out(vm, idx);
		if (ret < 0)
			return ret;
	}
	x = sw_extra(&vm->sw, idx);
	ret = x && x->overwritten ? 1 : 0;
	if (!sw_planted(&vm->sw, idx))
		vm->nr_pending--;
	if (x && x->owed)
		vm->nr_owed--;
	if (x && x->split)
		vm->nr_split--;
	phys_del(vm, idx);
	sw_steppers_drop(vm, idx);
	sw_release(&vm->sw, idx);
	vm->nr_points--;
	if (!vm->sw.count)
		vm_bump(vm);
	return ret;
}

/* Many software breakpoints at once */

/* A translation that remembers its last page: one call per page for sorted addresses. */
struct page_cache {
	struct translator *t;
	uint64_t gva_page, gpa_page;
	int ret;
	bool valid;
};

static int cached_translate(struct page_cache *pc, uint64_t gva, uint64_t *ret_gpa)
{
	uint64_t page = gva & ~(GUEST_PAGE - 1);

	if (!pc->valid || page != pc->gva_page) {
		pc->gva_page = page;
		pc->ret = translator_run(pc->t, page, &pc->gpa_page);
		pc->valid = true;
	}
	if (pc->ret < 0)
		return pc->ret;
	*ret_gpa = pc->gpa_page + (gva - page);
	return 0;
}

static void translate_cached(const struct kvmdbg_vm *vm, struct page_cache *pc, uint64_t addr,
			     struct xlat *x)
{
	uint64_t room = GUEST_PAGE - addr % GUEST_PAGE;

	memset(x, 0, sizeof(*x));
	x->ret = cached_translate(pc, addr, &x->gpa);
	if (x->ret < 0 || room >= sw_longest_insn(vm))
		return;
	x->ret2 = cached_translate(pc, addr + room, &x->gpa2);
	x->has_gpa2 = x->ret2 == 0;
}

#define MANY_CHUNK 4096

_public_ int kvmdbg_vm_insert_many(struct kvmdbg_vm *vm, enum kvmdbg_point_type type,
				   const uint64_t *addrs, size_t n, unsigned int flags,
				   void *user_data, uint64_t *ret_ids, size_t *ret_failed)
{
	struct page_cache pc = { 0 };
	struct translator t;
	struct xlat *x;
	uint64_t *ids = NULL;
	size_t done = 0, failed = 0;
	int ret = 0;

	if (!vm || (n && !addrs) || n > INT32_MAX)
		return -EINVAL;
	if (type != KVMDBG_POINT_SW_BREAK)
		return point_type_is_valid(type) ? -EOPNOTSUPP : -EINVAL;
	/* bad input is refused before anything is written */
	pthread_mutex_lock(&vm->lock);
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = point_check(vm, NULL, type, addrs[i], 0, flags);
		if (ret < 0)
			failed = i;
	}
	mem_translator(vm, NULL, &t);
	pthread_mutex_unlock(&vm->lock);
	if (ret < 0)
		goto out;
	x = malloc((n < MANY_CHUNK ? n : MANY_CHUNK) * sizeof(*x) + 1);
	/* the ids reach the caller only once every point is in: a failure leaves ret_ids alone */
	if (x && ret_ids && n) {
		ids = calloc(n, sizeof(*ids));
		if (!ids) {
			free(x);
			x = NULL;
		}
	}
	if (!x)
		return -ENOMEM;
	pc.t = &t;
	while (done < n && ret == 0) {
		size_t m = n - done < MANY_CHUNK ? n - done : MANY_CHUNK;

		/* translated without the lock, one call per page */
		for (size_t i = 0; i < m; i++)
			translate_cached(vm, &pc, addrs[done + i], &x[i]);
		pthread_mutex_lock(&vm->lock);
		for (size_t i = 0; i < m && ret == 0; i++) {
			uint64_t id;

			ret = sw_insert(vm, NULL, addrs[done + i], flags, user_data, NULL, &x[i],
					&id);
			if (ret < 0)
				failed = done + i;
			else if (ids)
				ids[done + i] = id;
		}
		pthread_mutex_unlock(&vm->lock);
		if (ret == 0)
			done += m;
	}
	free(x);
	if (ret == 0 && ids)
		memcpy(ret_ids, ids, n * sizeof(*ids));
	free(ids);
	if (ret < 0) {
		/* all or nothing: this call's points go again */
		pthread_mutex_lock(&vm->lock);
		for (size_t i = 0; i < failed; i++) {
			/* the insert at i succeeded: the point at addrs[i] is this call's */
			uint32_t idx = sw_find(&vm->sw, addrs[i]);
			/* a point whose bytes cannot be restored stays, as a removal leaves it */
			int gone = idx ? sw_destroy(vm, idx) : 0;

			(void)gone;
		}
		pthread_mutex_unlock(&vm->lock);
	}
out:
	if (ret < 0 && ret_failed)
		*ret_failed = failed;
	return ret;
}

/* Pending and self-healing software breakpoints */

/* What kvmdbg_vm_plant_pending() learnt of one pending point without the lock. */
struct to_plant {
	uint64_t id, addr;
	struct xlat x;
};

_public_ int kvmdbg_vm_plant_pending(struct kvmdbg_vm *vm)
{
	struct to_plant *tp = NULL;
	struct translator t;
	struct sw_extra *xt;
	size_t n = 0, cursor = 0;
	uint32_t idx;
	int planted = 0, ret = 0;

	if (!vm)
		return -EINVAL;
	/* which are pending, and how to translate, under the lock */
	pthread_mutex_lock(&vm->lock);
	if (vm->nr_pending) {
		tp = calloc(vm->nr_pending, sizeof(*tp));
		if (!tp) {
			pthread_mutex_unlock(&vm->lock);
			return -ENOMEM;
		}
	}
	/* every pending point has an extra: it was inserted with KVMDBG_POINT_PENDING */
	while (n < vm->nr_pending && (idx = sw_next_extra(&vm->sw, &cursor, &xt))) {
		if (sw_planted(&vm->sw, idx))
			continue;
		tp[n].id = sw_id(&vm->sw, idx);
		tp[n].addr = sw_addr(&vm->sw, idx);
		n++;
	}
	mem_translator(vm, NULL, &t);
	pthread_mutex_unlock(&vm->lock);

	/* translated without it: KVM_TRANSLATE waits while its vCPU runs */
	for (size_t i = 0; i < n; i++)
		point_translate(vm, &t, KVMDBG_POINT_SW_BREAK, tp[i].addr, &tp[i].x);

	pthread_mutex_lock(&vm->lock);
	for (size_t i = 0; i < n; i++) {
		int r;

		/* removed, or planted by another call, meanwhile */
		idx = sw_by_id(&vm->sw, tp[i].id);
		if (!idx || sw_planted(&vm->sw, idx))
			continue;
		r = sw_plant(vm, idx, &tp[i].x);
		if (r == 0) {
			vm->nr_pending--;
			planted++;
		} else if (!not_there_yet(r) && !ret) {
			ret = r; /* it stays pending; the first such error is returned */
		}
	}
	pthread_mutex_unlock(&vm->lock);
	free(tp);
	return ret < 0 && !planted ? ret : planted;
}

/* Plant a self-healing breakpoint again if the guest wrote over it: 1 if it did, else 0. */
static int heal_one(struct kvmdbg_vm *vm, uint32_t idx, struct sw_extra *xt)
{
	size_t len = sw_insn_len(vm, idx);
	uint8_t cur[MAX_INSN];
	int ret;

	if (!sw_has(&vm->sw, idx, SW_IN_MEMORY) || sw_steppers(vm, idx))
		return 0; /* its original bytes are in memory (fired, stepped over): not planted */
	ret = sw_read(vm, idx, cur);
	if (ret < 0)
		return ret;
	if (same(cur, sw_insn(vm, idx), len))
		return 0;
	/* new code where the instruction was: it becomes the original, the point goes on it */
	ret = sw_write(vm, idx, sw_insn(vm, idx));
	if (ret < 0)
		return ret;
	copy(sw_rec(&vm->sw, idx)->orig, cur, len);
	xt->heals++;
	return 1;
}

_public_ int kvmdbg_vm_heal(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len)
{
	struct sw_extra *xt;
	size_t cursor = 0;
	uint32_t idx;
	int healed = 0, err = 0;

	if (!vm || (len && gpa + (len - 1) < gpa))
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	/* every self-healing point has an extra: a walk of the extras, not of every point */
	while ((idx = sw_next_extra(&vm->sw, &cursor, &xt))) {
		int ret;

		if (!(xt->flags & KVMDBG_POINT_SELF_HEAL) || !sw_planted(&vm->sw, idx))
			continue;
		if (len && !sw_in_range(vm, idx, gpa, len))
			continue;
		ret = heal_one(vm, idx, xt);
		if (ret > 0)
			healed++;
		else if (ret < 0 && !err)
			err = ret;
	}
	pthread_mutex_unlock(&vm->lock);
	return err < 0 && !healed ? err : healed;
}
