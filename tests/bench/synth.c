// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library on synthetic exits: no KVM_RUN.  A hand-written struct kvm_run says what the
 * kernel writes for a #BP exit (exit_reason KVM_EXIT_DEBUG, debug.arch.exception 3, pc; vmx.c
 * and svm.c's BP_VECTOR handling leave the rest as it was) and is fed to
 * kvmdbg_vcpu_handle_exit() of a vCPU object attached to that buffer.
 *
 * The VM and vCPU objects are attached to real /dev/kvm fds (or, without /dev/kvm, to stand-in
 * fds that answer the capability probe, count.c): the measured code is the shipped shared
 * library, through its PLT, with every ioctl, allocation and signal-mask call it makes
 * counted, rather than the static core the unit tests link with the fake kernel.  Guest memory
 * is one registered region (kvmdbg_vm_add_memory), translation the bench's callback
 * (keys.c).
 *
 * One repetition: insert n one-shot points (timed; heap bytes measured across it); rounds of
 * "hit every point once in a random order, then kvmdbg_vm_rearm()" (both timed); rounds of n
 * misses; rounds of "fire 1%, put their int3 back as a snapshot restore would, then
 * kvmdbg_vm_mark_all_armed()" (the mark timed).  Where n is small each phase is repeated
 * until it has done enough operations to time, and the cost of the timer pair is taken off
 * every timed batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmdbg/kvmdbg.h>

#include "bench.h"

#define BP_VECTOR 3
#define INT3 0xcc
#define NOP 0x90

static union {
	struct kvm_run run;
	uint8_t page[4096];
} run_page __attribute__((aligned(4096)));

struct lib {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu;
};

static inline void bp_exit(struct kvm_run *run, uint64_t pc)
{
	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = BP_VECTOR;
	run->debug.arch.pc = pc;
}

static int lib_fail(const char *what, long ret)
{
	progress("  library: %s: %s\n", what, ret < 0 ? strerror((int)-ret) : "unexpected result");
	bench_failed = true;
	return -1;
}

static int lib_open(const struct synth_env *env, struct keys *k, struct lib *l)
{
	int ret = kvmdbg_vm_new(env->vm_fd, &l->vm);

	if (ret < 0)
		return lib_fail("kvmdbg_vm_new", ret);
	ret = kvmdbg_vm_add_memory(l->vm, k->gpa_base, k->span, k->mem);
	if (ret == 0)
		ret = kvmdbg_vm_set_memory_ops(l->vm, NULL, NULL, keys_translate, k);
	if (ret == 0)
		ret = kvmdbg_vcpu_new(l->vm, env->vcpu_fd, &run_page.run, &l->vcpu);
	if (ret == 0 && opts.no_guard)
		ret = kvmdbg_vm_set_signal_guard(l->vm, false);
	if (ret < 0) {
		kvmdbg_vm_free(l->vm);
		return lib_fail("VM setup", ret);
	}
	return 0;
}

static void lib_close(struct lib *l)
{
	kvmdbg_vm_free(l->vm); /* vCPU included; every point removed, memory restored */
	l->vm = NULL;
	l->vcpu = NULL;
}

static double batch_ns(uint64_t t0, uint64_t t1)
{
	double d = (double)(t1 - t0) - timer_ns;

	return d > 0 ? d : 0;
}

/* Insert every point; 0 or -1. */
static int insert_all(struct lib *l, const struct keys *k)
{
	for (long i = 0; i < k->n; i++) {
		int ret = kvmdbg_vm_insert(l->vm, KVMDBG_POINT_SW_BREAK, k->addr[i], 0,
					   KVMDBG_POINT_ONESHOT, NULL, NULL);

		if (ret < 0)
			return lib_fail("kvmdbg_vm_insert", ret);
	}
	return 0;
}

/* The same in one kvmdbg_vm_insert_many() call; 0 or -1. */
static int insert_batch(struct lib *l, const struct keys *k)
{
	size_t failed = 0;
	int ret = kvmdbg_vm_insert_many(l->vm, KVMDBG_POINT_SW_BREAK, k->addr, (size_t)k->n,
					KVMDBG_POINT_ONESHOT, NULL, NULL, &failed);

	if (ret < 0) {
		failure("  library: kvmdbg_vm_insert_many failed at index %zu\n", failed);
		return lib_fail("kvmdbg_vm_insert_many", ret);
	}
	return 0;
}

/*
 * One exit per pc; returns how many did not give want (0 when all did).
 *
 * Between two real exits there is a KVM_RUN: the next exit cannot begin while this one's
 * cache misses are outstanding.  Back to back, the processor would run ahead into the next
 * exit's lookups (its pc is already known, and a predicted branch does not wait for the load
 * it depends on), and a short path would hide its misses behind each other's.  So every exit
 * ends with an lfence (dispatch-serialising: what follows waits for every load before it to
 * complete); the peers' loops do the same (serialise()).
 */
static long exits(struct kvmdbg_vcpu *vcpu, const uint64_t *pcs, long n, int want)
{
	struct kvm_run *run = &run_page.run;
	const struct kvmdbg_event *ev;
	long bad = 0;

	for (long i = 0; i < n; i++) {
		bp_exit(run, pcs[i]);
		bad += kvmdbg_vcpu_handle_exit(vcpu, 0, &ev) != want;
		serialise();
	}
	return bad;
}

/* The same, checking each event: the warm-up round. */
static int exits_checked(struct kvmdbg_vcpu *vcpu, const uint64_t *pcs, long n,
			 enum kvmdbg_event_type type)
{
	struct kvm_run *run = &run_page.run;

	for (long i = 0; i < n; i++) {
		const struct kvmdbg_event *ev;
		int ret;

		bp_exit(run, pcs[i]);
		ret = kvmdbg_vcpu_handle_exit(vcpu, 0, &ev);
		if (ret != KVMDBG_EXIT_EVENT || kvmdbg_event_get_type(ev) != type ||
		    kvmdbg_event_get_pc(ev) != pcs[i]) {
			failure("  library: exit at 0x%llx gave %d, event %s, not %s\n",
				(unsigned long long)pcs[i], ret,
				ret == KVMDBG_EXIT_EVENT
					? kvmdbg_event_type_name(kvmdbg_event_get_type(ev))
					: "-",
				kvmdbg_event_type_name(type));
			return -1;
		}
	}
	return 0;
}

static long hit_target(void)
{
	return opts.quick ? 10000 : 300000;
}

static long insert_target(void)
{
	return opts.quick ? 1000 : 20000;
}

static int phase_insert(const struct synth_env *env, struct keys *k, struct lib *l,
			struct result *r)
{
	long rounds = rounds_for(k->n, insert_target());
	double total = 0, total_many = 0;

	/*
	 * The batch call first, into VMs thrown away; the per-call inserts keep the last VM.
	 * Not with a compressed translation: kvmdbg_vm_insert_many() translates each page once
	 * and reuses it for the page's addresses, as any paging allows, and the compression is
	 * not linear within a page.
	 */
	for (long round = 0; round < rounds && !k->compress; round++) {
		uint64_t t0, t1;

		if (lib_open(env, k, l) < 0)
			return -1;
		t0 = now_ns();
		if (insert_batch(l, k) < 0) {
			lib_close(l);
			return -1;
		}
		t1 = now_ns();
		total_many += batch_ns(t0, t1);
		lib_close(l);
	}
	for (long round = 0; round < rounds; round++) {
		uint64_t h0, h1, t0, t1;

		if (lib_open(env, k, l) < 0)
			return -1;
		h0 = heap_bytes();
		t0 = now_ns();
		if (insert_all(l, k) < 0) {
			lib_close(l);
			return -1;
		}
		t1 = now_ns();
		h1 = heap_bytes();
		total += batch_ns(t0, t1);
		r->v[M_BYTES] = heap_per(h0, h1, k->n);
		if (round + 1 < rounds)
			lib_close(l);
	}
	r->v[M_INSERT] = total / (double)(rounds * k->n);
	r->v[M_INSERT_MANY] = k->compress ? NAN : total_many / (double)(rounds * k->n);
	/* as a VMM does before its first KVM_RUN: the kernel learns about USE_SW_BP */
	if (kvmdbg_vcpu_pre_run(l->vcpu) < 0)
		return lib_fail("kvmdbg_vcpu_pre_run", -EIO);
	return 0;
}

static int rearm(struct lib *l, long n)
{
	int ret = kvmdbg_vm_rearm(l->vm);

	return ret == n ? 0 : lib_fail("kvmdbg_vm_rearm's count", ret < 0 ? ret : 0);
}

static void count_into(struct counts *acc, const struct counts *c0)
{
	acc->ioctl += counts.ioctl - c0->ioctl;
	acc->alloc += counts.alloc - c0->alloc;
	acc->sigmask += counts.sigmask - c0->sigmask;
}

static void per_exit(struct result *r, const struct counts *acc, double exits_done,
		     enum metric alloc, enum metric ioctl, enum metric sigmask)
{
	r->v[alloc] = count_alloc_works() ? (double)acc->alloc / exits_done : NAN;
	r->v[ioctl] = (double)acc->ioctl / exits_done;
	r->v[sigmask] = (double)acc->sigmask / exits_done;
}

static int phase_hit(struct keys *k, struct lib *l, struct result *r)
{
	long rounds = rounds_for(k->n, hit_target());
	double hits = 0, rearms = 0;
	struct counts acc = { 0 };
	long bad = 0;

	/* warm-up: every event checked, and what hits and rearm leave in guest memory */
	if (!keys_points_are(k, INT3))
		return lib_fail("a point's int3 not in guest memory after the insert", 0);
	if (exits_checked(l->vcpu, k->hit, k->n, KVMDBG_EVENT_SW_BREAKPOINT) < 0)
		return -1;
	if (!keys_points_are(k, NOP))
		return lib_fail("a point's original byte not back after its hit", 0);
	if (rearm(l, k->n) < 0)
		return -1;
	if (!keys_points_are(k, INT3))
		return lib_fail("a point's int3 not back after kvmdbg_vm_rearm", 0);
	for (long round = 0; round < rounds; round++) {
		struct counts c0 = counts;
		uint64_t t0, t1, t2;

		t0 = now_ns();
		bad += exits(l->vcpu, k->hit, k->n, KVMDBG_EXIT_EVENT);
		t1 = now_ns();
		count_into(&acc, &c0);
		if (rearm(l, k->n) < 0)
			return -1;
		t2 = now_ns();
		hits += batch_ns(t0, t1);
		rearms += batch_ns(t1, t2);
	}
	if (bad)
		return lib_fail("hits that were no event", 0);
	r->v[M_HIT] = hits / (double)(rounds * k->n);
	r->v[M_REARM] = rearms / (double)rounds;
	per_exit(r, &acc, (double)(rounds * k->n), M_ALLOC_HIT, M_IOCTL_HIT, M_SIGMASK_HIT);
	return 0;
}

static int phase_miss(struct keys *k, struct lib *l, struct result *r)
{
	long rounds = rounds_for(k->n, hit_target());
	struct counts acc = { 0 };
	double total = 0;
	long bad = 0;

	if (exits_checked(l->vcpu, k->miss, k->n, KVMDBG_EVENT_GUEST_BREAKPOINT) < 0)
		return -1;
	for (long round = 0; round < rounds; round++) {
		struct counts c0 = counts;
		uint64_t t0 = now_ns();

		bad += exits(l->vcpu, k->miss, k->n, KVMDBG_EXIT_EVENT);
		total += batch_ns(t0, now_ns());
		count_into(&acc, &c0);
	}
	if (bad)
		return lib_fail("misses that were no event", 0);
	r->v[M_MISS] = total / (double)(rounds * k->n);
	per_exit(r, &acc, (double)(rounds * k->n), M_ALLOC_MISS, M_IOCTL_MISS, M_SIGMASK_MISS);
	return 0;
}

/* Fire the first f points of k->perm (untimed); their int3 back in memory: a restore. */
static int fire_some(struct keys *k, struct lib *l, long f, uint64_t *pcs)
{
	for (long i = 0; i < f; i++)
		pcs[i] = k->addr[k->perm[i]];
	if (exits(l->vcpu, pcs, f, KVMDBG_EXIT_EVENT))
		return lib_fail("a hit before mark that was no event", 0);
	for (long i = 0; i < f; i++)
		*keys_byte(k, pcs[i]) = INT3;
	return 0;
}

static int phase_mark(struct keys *k, struct lib *l, struct result *r)
{
	long f = k->n / 100 ? k->n / 100 : 1;
	long rounds = rounds_for(f, insert_target());
	uint64_t *pcs = malloc((size_t)f * sizeof(*pcs));
	double total = 0;
	int ret = -1;

	if (!pcs)
		return lib_fail("malloc", -ENOMEM);
	for (long round = 0; round < rounds; round++) {
		uint64_t t0;
		int marked;

		if (fire_some(k, l, f, pcs) < 0)
			goto out;
		t0 = now_ns();
		marked = kvmdbg_vm_mark_all_armed(l->vm);
		total += batch_ns(t0, now_ns());
		if (marked != f) {
			lib_fail("kvmdbg_vm_mark_all_armed's count", marked < 0 ? marked : 0);
			goto out;
		}
	}
	r->v[M_MARK] = total / (double)rounds;
	ret = 0;
out:
	free(pcs);
	return ret;
}

int synth_lib(const struct synth_env *env, struct keys *k, struct result *r)
{
	struct lib l = { 0 };
	int ret;

	result_clear(r);
	ret = phase_insert(env, k, &l, r);
	if (ret < 0)
		return ret;
	if (row_on(ROW_HIT) || row_on(ROW_REARM) || row_on(ROW_ALLOC) || row_on(ROW_PATTERNS))
		ret = phase_hit(k, &l, r);
	if (ret == 0 && (row_on(ROW_MISS) || row_on(ROW_ALLOC) || row_on(ROW_PATTERNS)))
		ret = phase_miss(k, &l, r);
	if (ret == 0 && row_on(ROW_MARK) && k->kind == PAT_BLOCKS)
		ret = phase_mark(k, &l, r);
	lib_close(&l);
	if (ret == 0 && !keys_memory_clean(k)) {
		failure("  library: guest memory not as before after kvmdbg_vm_free\n");
		ret = -1;
	}
	return ret;
}

struct kvm_run *synth_run(void)
{
	return &run_page.run;
}
