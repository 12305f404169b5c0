// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The /dev/kvm rows: the library's run loop against the same work done with bare ioctls, on a
 * real-mode guest (guest.c), one process, the variants interleaved in every repetition so that
 * a change of load on the shared machine hits both sides alike.
 *
 * - single-step exit: the documented loop (kvmdbg_vcpu_pre_run, KVM_RUN,
 *   kvmdbg_vcpu_handle_exit) against KVM_SET_GUEST_DEBUG(SINGLESTEP) once and KVM_RUN
 *   repeatedly, and against KVM_SET_GUEST_DEBUG before every KVM_RUN (what x86 needs where KVM
 *   drops TF when RIP changes behind its back, VMX and SVM; kvmdbg.h, single-step);
 * - hardware breakpoint hit + continue: the library's step-over against the hand-written
 *   minimum (see raw_hw_cycle());
 * - insert without a translate callback: the library's own page walk (the default; it reads
 *   the vCPU's paging registers once per call), KVM_TRANSLATE on request, and the page walk
 *   under one kvmdbg_vm_insert_many() call.
 *
 * Every event time is taken alone (a timer pair costs ~16 ns against ~7 µs an exit) and the
 * median of a repetition's events is its figure: the median is robust to the preemptions of a
 * shared machine, the mean is not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <kvmdbg/kvmdbg.h>

#include "bench.h"

#define CTL_ENABLE KVM_GUESTDBG_ENABLE
#define CTL_STEP (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP)
#define CTL_HW (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP)
#define DR7_FIXED 0x400ull
#define DR7_G0 0x2ull
#define DR6_BS 0x4000ull
#define BP_VECTOR_DB 1

/* Where the hardware breakpoint sits: the inc of the step loop. */
#define HW_ADDR GUEST_STEP_LOOP
/* Where the translate-less inserts go (real mode: linear = physical, KVM_TRANSLATE identity). */
#define XLATE_GPA 0x100000ull
#define XLATE_SIZE 0x10000ull

/* Per-event figures of one variant over one repetition. */
struct run_stats {
	double ns;     /* median event time */
	double own;    /* its median part outside ioctl() (when timed: count_time_ioctls) */
	double ioctls; /* per event */
	double sigmask;
	double allocs;
};

static bool is_debug_exit(const struct guest *g, uint64_t pc)
{
	return g->run->exit_reason == KVM_EXIT_DEBUG &&
	       g->run->debug.arch.exception == BP_VECTOR_DB && g->run->debug.arch.pc == pc;
}

/* ---- probes: what this host delivers ------------------------------------------------------ */

static bool probe_step(struct guest *g, char *why, size_t size)
{
	char buf[160];
	bool ok;
	int ret;

	if (guest_enter(g, GUEST_PROBE) < 0 || guest_set_debug(g, CTL_STEP, 0, 0) < 0) {
		snprintf(why, size, "the probe guest could not be set up: %s", strerror(errno));
		return false;
	}
	guest_watchdog(2);
	ret = guest_run(g);
	guest_watchdog(0);
	ok = ret == 0 && is_debug_exit(g, GUEST_PROBE + 1) && (g->run->debug.arch.dr6 & DR6_BS);
	if (!ok)
		snprintf(why, size, "single-step of a real-mode nop gives %s (KVM_RUN: %s)",
			 guest_exit_str(g, buf, sizeof(buf)), ret < 0 ? strerror(-ret) : "0");
	guest_set_debug(g, 0, 0, 0);
	return ok;
}

static bool probe_hw(struct guest *g, char *why, size_t size)
{
	char buf[160];
	bool ok;
	int ret;

	if (guest_enter(g, GUEST_PROBE) < 0 ||
	    guest_set_debug(g, CTL_HW, GUEST_PROBE + 1, DR7_FIXED | DR7_G0) < 0) {
		snprintf(why, size, "the probe guest could not be set up: %s", strerror(errno));
		return false;
	}
	guest_watchdog(2);
	ret = guest_run(g);
	guest_watchdog(0);
	ok = ret == 0 && is_debug_exit(g, GUEST_PROBE + 1) && (g->run->debug.arch.dr6 & 1);
	if (!ok)
		snprintf(why, size,
			 "a DR0 execute breakpoint on a real-mode nop gives %s "
			 "(KVM_RUN: %s)",
			 guest_exit_str(g, buf, sizeof(buf)), ret < 0 ? strerror(-ret) : "0");
	guest_set_debug(g, 0, 0, 0);
	return ok;
}

/* ---- measurement helpers ------------------------------------------------------------------- */

/* t holds 2 n values: the event times, then their parts outside ioctl() */
struct span {
	struct counts c0;
	double *t;
	long n;
};

struct stamp {
	uint64_t t;
	uint64_t io;
};

static struct stamp stamp(void)
{
	return (struct stamp){ .t = now_ns(), .io = counts.ioctl_ns };
}

static void span_put(struct span *s, long i, struct stamp s0)
{
	s->t[i] = (double)(now_ns() - s0.t);
	s->t[s->n + i] = s->t[i] - (double)(counts.ioctl_ns - s0.io);
}

static void span_stats(const struct span *s, struct run_stats *st)
{
	/* the counters first: median()'s qsort() may allocate */
	st->ioctls = (double)(counts.ioctl - s->c0.ioctl) / (double)s->n;
	st->sigmask = (double)(counts.sigmask - s->c0.sigmask) / (double)s->n;
	st->allocs =
		count_alloc_works() ? (double)(counts.alloc - s->c0.alloc) / (double)s->n : NAN;
	st->ns = median(s->t, (int)s->n);
	st->own = median(s->t + s->n, (int)s->n);
}

static int fail(const char *what, int ret)
{
	progress("  %s failed: %s\n", what, strerror(ret < 0 ? -ret : ret));
	bench_failed = true;
	return -1;
}

/* The library's objects on the guest's VM and vCPU, fresh for every variant run. */
static int lib_open(struct guest *g, struct kvmdbg_vm **vm, struct kvmdbg_vcpu **vcpu)
{
	int ret = kvmdbg_vm_new(g->vm_fd, vm);

	if (ret < 0)
		return fail("kvmdbg_vm_new", ret);
	ret = kvmdbg_vcpu_new(*vm, g->vcpu_fd, g->run, vcpu);
	if (ret == 0 && opts.no_guard)
		ret = kvmdbg_vm_set_signal_guard(*vm, false);
	if (ret < 0) {
		kvmdbg_vm_free(*vm);
		return fail("kvmdbg_vcpu_new", ret);
	}
	return 0;
}

/* One round of the documented loop; the kvmdbg_exit result, or -1 (printed). */
static int lib_round(struct guest *g, struct kvmdbg_vcpu *vcpu, const struct kvmdbg_event **ev)
{
	int ret = kvmdbg_vcpu_pre_run(vcpu);

	if (ret < 0)
		return fail("kvmdbg_vcpu_pre_run", ret);
	ret = guest_run(g);
	ret = kvmdbg_vcpu_handle_exit(vcpu, ret, ev);
	if (ret < 0)
		return fail("kvmdbg_vcpu_handle_exit", ret);
	return ret;
}

/* ---- single-step ------------------------------------------------------------------------- */

static bool step_pc_ok(uint64_t pc)
{
	return pc == GUEST_STEP_LOOP || pc == GUEST_STEP_LOOP + 1;
}

static int lib_steps(struct guest *g, long steps, long warm, double *t, struct run_stats *st)
{
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu;
	struct span s = { .t = t, .n = steps };
	int ret = -1;

	if (lib_open(g, &vm, &vcpu) < 0)
		return -1;
	if (kvmdbg_vcpu_set_single_step(vcpu, true) < 0 || guest_enter(g, GUEST_STEP_LOOP) < 0) {
		failure("  cannot start the library's step loop\n");
		goto out;
	}
	for (long i = -warm; i < steps; i++) {
		const struct kvmdbg_event *ev;
		struct stamp t0;
		int r;

		if (i == 0)
			s.c0 = counts;
		t0 = stamp();
		r = lib_round(g, vcpu, &ev);
		if (i >= 0)
			span_put(&s, i, t0);
		if (r != KVMDBG_EXIT_EVENT || kvmdbg_event_get_type(ev) != KVMDBG_EVENT_STEP ||
		    !step_pc_ok(kvmdbg_event_get_pc(ev))) {
			failure("  library step %ld: result %d, not a step event in the loop\n", i,
				r);
			goto out;
		}
	}
	span_stats(&s, st);
	ret = 0;
out:
	kvmdbg_vcpu_free(vcpu);
	kvmdbg_vm_free(vm);
	return ret;
}

/* resend: KVM_SET_GUEST_DEBUG before every KVM_RUN; else once, before the loop. */
static int raw_steps(struct guest *g, long steps, long warm, bool resend, double *t,
		     struct run_stats *st)
{
	struct span s = { .t = t, .n = steps };

	if (guest_enter(g, GUEST_STEP_LOOP) < 0 || guest_set_debug(g, CTL_STEP, 0, 0) < 0)
		return fail("raw step setup", -errno);
	for (long i = -warm; i < steps; i++) {
		struct stamp t0;
		int ret = 0;

		if (i == 0)
			s.c0 = counts;
		t0 = stamp();
		if (resend)
			ret = guest_set_debug(g, CTL_STEP, 0, 0);
		if (ret == 0)
			ret = guest_run(g);
		if (i >= 0)
			span_put(&s, i, t0);
		if (ret < 0 || g->run->exit_reason != KVM_EXIT_DEBUG ||
		    !step_pc_ok(g->run->debug.arch.pc))
			return fail("raw step", ret < 0 ? ret : -EPROTO);
	}
	span_stats(&s, st);
	return guest_set_debug(g, 0, 0, 0);
}

/* ---- hardware breakpoint hit + continue ---------------------------------------------------- */

static int lib_hw_cycles(struct guest *g, long cycles, long warm, double *t, struct run_stats *st)
{
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu;
	struct span s = { .t = t, .n = cycles };
	int ret = -1;

	if (lib_open(g, &vm, &vcpu) < 0)
		return -1;
	ret = kvmdbg_vm_insert(vm, KVMDBG_POINT_HW_BREAK, HW_ADDR, 0, 0, NULL, NULL);
	if (ret < 0 || guest_enter(g, GUEST_STEP_LOOP) < 0) {
		fail("library hw breakpoint setup", ret < 0 ? ret : -errno);
		ret = -1;
		goto out;
	}
	ret = -1;
	/* the first round only hits: a cycle is "continue over the breakpoint, hit it again" */
	for (long i = -warm - 1; i < cycles; i++) {
		const struct kvmdbg_event *ev;
		struct stamp t0;
		int r, resumes = 0;

		if (i == 0)
			s.c0 = counts;
		t0 = stamp();
		while ((r = lib_round(g, vcpu, &ev)) == KVMDBG_EXIT_RESUME && ++resumes < 4)
			;
		if (i >= 0)
			span_put(&s, i, t0);
		if (r != KVMDBG_EXIT_EVENT ||
		    kvmdbg_event_get_type(ev) != KVMDBG_EVENT_HW_BREAKPOINT ||
		    kvmdbg_event_get_pc(ev) != HW_ADDR) {
			failure("  library hw cycle %ld: result %d, not the breakpoint's event\n",
				i, r);
			goto out;
		}
	}
	span_stats(&s, st);
	ret = 0;
out:
	kvmdbg_vcpu_free(vcpu);
	kvmdbg_vm_free(vm);
	return ret;
}

/*
 * The hand-written minimum of "stopped at an execute breakpoint, continue, stop at it again"
 * on this host: 4 ioctls.
 *
 * Resuming with the breakpoint armed stops again at once, before the instruction runs: this
 * host ignores RFLAGS.RF (research/host-kvm.md, "Resume"), so the slot must be off while the
 * instruction under it executes.  Switching it off is a KVM_SET_GUEST_DEBUG, and running
 * exactly one instruction with it off needs a KVM_RUN that stops after one instruction
 * (SINGLESTEP; a second DR on the next instruction costs the same); switching it on again is a
 * second KVM_SET_GUEST_DEBUG before the KVM_RUN that goes on to the next hit.  So:
 *
 *   SET_GUEST_DEBUG(SINGLESTEP, slot off)  KVM_RUN -> step exit at the next instruction
 *   SET_GUEST_DEBUG(USE_HW_BP, DR0 on)     KVM_RUN -> the breakpoint again
 *
 * Where RF is honoured the floor is lower (set RF with the registers, one KVM_RUN): that is
 * not this host.
 */
static int raw_hw_cycles(struct guest *g, long cycles, long warm, double *t, struct run_stats *st)
{
	struct span s = { .t = t, .n = cycles };

	if (guest_enter(g, GUEST_STEP_LOOP) < 0 ||
	    guest_set_debug(g, CTL_HW, HW_ADDR, DR7_FIXED | DR7_G0) < 0 || guest_run(g) < 0 ||
	    !is_debug_exit(g, HW_ADDR))
		return fail("raw hw breakpoint setup", -EPROTO);
	for (long i = -warm; i < cycles; i++) {
		struct stamp t0;
		int ret;

		if (i == 0)
			s.c0 = counts;
		t0 = stamp();
		ret = guest_set_debug(g, CTL_STEP, 0, DR7_FIXED);
		if (ret == 0)
			ret = guest_run(g);
		if (ret == 0 && !is_debug_exit(g, HW_ADDR + 1))
			ret = -EPROTO;
		if (ret == 0)
			ret = guest_set_debug(g, CTL_HW, HW_ADDR, DR7_FIXED | DR7_G0);
		if (ret == 0)
			ret = guest_run(g);
		if (i >= 0)
			span_put(&s, i, t0);
		if (ret < 0 || !is_debug_exit(g, HW_ADDR))
			return fail("raw hw cycle", ret < 0 ? ret : -EPROTO);
	}
	span_stats(&s, st);
	return guest_set_debug(g, 0, 0, 0);
}

/* ---- insert without a translate callback ---------------------------------------------------- */

enum xlate_mode {
	XLATE_WALK, /* the default translation: the library's page walk */
	XLATE_KVM,  /* kvmdbg_vm_set_default_translation(KVMDBG_TRANSLATION_KVM) */
	XLATE_MANY, /* the page walk, every point in one kvmdbg_vm_insert_many() */
	XLATE_NR,
};

static const char *const xlate_rows[XLATE_NR] = {
	"insert, no translate callback: page walk, time/point",
	"insert, no translate callback: KVM_TRANSLATE, time/point",
	"insert_many, no translate callback: page walk, time/point",
};

/* count points one by one (the time of each) or in one insert_many (its time, per point) */
static int xlate_insert(struct kvmdbg_vm *vm, enum xlate_mode mode, long count, struct span *s)
{
	int ret = 0;

	if (mode == XLATE_MANY) {
		uint64_t *addrs = malloc((size_t)count * sizeof(*addrs));
		struct stamp t0;
		double per, own;

		if (!addrs)
			return -ENOMEM;
		for (long i = 0; i < count; i++)
			addrs[i] = XLATE_GPA + 16 * (uint64_t)i;
		t0 = stamp();
		ret = kvmdbg_vm_insert_many(vm, KVMDBG_POINT_SW_BREAK, addrs, (size_t)count,
					    KVMDBG_POINT_ONESHOT, NULL, NULL, NULL);
		span_put(s, 0, t0);
		/* the call's time and its part outside ioctl(), each shared by its points */
		per = s->t[0] / (double)count;
		own = s->t[s->n] / (double)count;
		for (long i = 0; i < count; i++) {
			s->t[i] = per;
			s->t[s->n + i] = own;
		}
		free(addrs);
		return ret;
	}
	for (long i = 0; i < count && ret == 0; i++) {
		struct stamp t0 = stamp();

		ret = kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, XLATE_GPA + 16 * (uint64_t)i, 0,
				       KVMDBG_POINT_ONESHOT, NULL, NULL);
		span_put(s, i, t0);
	}
	return ret;
}

static int lib_xlate_inserts(struct guest *g, enum xlate_mode mode, long count, double *t,
			     struct run_stats *st)
{
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu;
	struct span s = { .t = t, .n = count };
	uint8_t *mem;
	int ret;

	mem = mmap(NULL, XLATE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap", -errno);
	memset(mem, 0x90, XLATE_SIZE);
	if (lib_open(g, &vm, &vcpu) < 0) {
		munmap(mem, XLATE_SIZE);
		return -1;
	}
	/* the vCPU in real mode: either translation is the identity there */
	ret = guest_enter(g, GUEST_PROBE);
	if (ret == 0)
		ret = kvmdbg_vm_add_memory(vm, XLATE_GPA, XLATE_SIZE, mem);
	if (ret == 0 && mode == XLATE_KVM)
		ret = kvmdbg_vm_set_default_translation(vm, KVMDBG_TRANSLATION_KVM);
	if (ret < 0) {
		fail("translate-less insert setup", ret);
		goto out;
	}
	s.c0 = counts;
	ret = xlate_insert(vm, mode, count, &s);
	if (ret < 0) {
		fail(mode == XLATE_MANY ? "kvmdbg_vm_insert_many without a translate callback"
					: "kvmdbg_vm_insert without a translate callback",
		     ret);
		goto out;
	}
	span_stats(&s, st);
	if (mem[16] != 0xcc) {
		failure("  translate-less insert: no int3 in guest memory\n");
		ret = -1;
	}
out:
	kvmdbg_vcpu_free(vcpu);
	kvmdbg_vm_free(vm);
	munmap(mem, XLATE_SIZE);
	return ret < 0 ? -1 : 0;
}

/* ---- the rows ------------------------------------------------------------------------------ */

struct pair {
	struct run_stats lib[32], base[32], base2[32];
	double ratio[32], ratio2[32];
};

static double field_median(const struct run_stats *st, int n, size_t off)
{
	double v[32];

	for (int i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&st[i] + off, sizeof(v[i]));
	return median(v, n);
}

#define MED(arr, n, field) field_median(arr, n, offsetof(struct run_stats, field))

/*
 * One more run of each variant with every ioctl() timed (count_time_ioctls): the median part of
 * an event spent outside ioctl(), which is what the library adds (its code and its other
 * system calls) and the raw loop's floor.  Kept out of the main repetitions, whose timings the
 * clock reads would touch.
 */
static void own_times(double *lib, double *base, int (*run_lib)(struct run_stats *),
		      int (*run_base)(struct run_stats *))
{
	struct run_stats st;

	count_time_ioctls(true);
	*lib = run_lib(&st) == 0 ? st.own : NAN;
	*base = run_base(&st) == 0 ? st.own : NAN;
	count_time_ioctls(false);
}

/* The arguments of the variant runs, for own_times(). */
static struct guest *cur_g;
static long cur_n;
static double *cur_t;

static int own_lib_steps(struct run_stats *st)
{
	return lib_steps(cur_g, cur_n, 200, cur_t, st);
}

static int own_raw_steps(struct run_stats *st)
{
	return raw_steps(cur_g, cur_n, 200, false, cur_t, st);
}

static int own_lib_hw(struct run_stats *st)
{
	return lib_hw_cycles(cur_g, cur_n, 50, cur_t, st);
}

static int own_raw_hw(struct run_stats *st)
{
	return raw_hw_cycles(cur_g, cur_n, 50, cur_t, st);
}

static const char *pair_str_n(double a, double b)
{
	static char bufs[4][64];
	static unsigned int next;
	char *buf = bufs[next++ % 4];

	snprintf(buf, 64, "%s / %s", fmt_num(a, 2), fmt_num(b, 2));
	return buf;
}

static const char *pair_str(double a, double b)
{
	static char bufs[4][64];
	static unsigned int next;
	char *buf = bufs[next++ % 4];

	snprintf(buf, 64, "%s / %s", fmt_time(a), fmt_time(b));
	return buf;
}

void kvm_rows(void)
{
	bool want_step = row_on(ROW_STEP), want_hw = row_on(ROW_HWBP), want_x = row_on(ROW_XLATE);
	long steps = opts.quick ? 2000 : 20000, cycles = opts.quick ? 300 : 4000;
	long xcount = opts.quick ? 100 : 1000;
	int reps = opts.reps ? opts.reps : opts.quick ? 3 : 5;
	char why_step[320] = "", why_hw[320] = "";
	bool can_step = false, can_hw = false;
	double own_lib, own_base;
	struct table *tb;
	struct guest g;
	const char *why;
	struct pair *p;
	long most;
	double *t;
	int ret;

	if (!want_step && !want_hw && !want_x)
		return;
	if (reps > 31)
		reps = 31;
	tb = table_new("/dev/kvm: the library against the raw-ioctl floor (real-mode guest)", 8,
		       "row", "library", "baseline", "library/baseline", "ioctls lib / base",
		       "outside ioctls lib / base", "sigmask calls lib", "allocs lib");
	ret = guest_open(&g, &why);
	if (ret < 0) {
		table_note(tb, "skipped: %s (%s)", why, strerror(-ret));
		return;
	}
	if (want_step)
		can_step = probe_step(&g, why_step, sizeof(why_step));
	if (want_hw)
		can_hw = probe_hw(&g, why_hw, sizeof(why_hw));

	most = steps > cycles ? steps : cycles;
	if (xcount > most)
		most = xcount;
	p = calloc(1, sizeof(*p));
	t = calloc(2 * (size_t)most, sizeof(*t)); /* event times and their parts outside ioctls */
	if (!p || !t)
		abort();
	cur_g = &g;
	cur_t = t;

	if (want_step && !can_step) {
		table_row(tb, "single-step exit", "skipped", "-", "-", "-", "-", "-", "-");
		table_note(tb, "single-step skipped: %s", why_step);
	} else if (want_step) {
		int ok = 0;

		progress("kvm: single-step, %d x %ld steps per variant\n", reps, steps);
		for (int r = 0; r < reps; r++) {
			if (lib_steps(&g, steps, 200, t, &p->lib[r]) < 0 ||
			    raw_steps(&g, steps, 200, false, t, &p->base[r]) < 0 ||
			    raw_steps(&g, steps, 200, true, t, &p->base2[r]) < 0)
				break;
			p->ratio[r] = p->lib[r].ns / p->base[r].ns;
			p->ratio2[r] = p->lib[r].ns / p->base2[r].ns;
			ok++;
		}
		if (ok == reps) {
			cur_n = steps;
			own_times(&own_lib, &own_base, own_lib_steps, own_raw_steps);
			summary.step_ratio = median(p->ratio, reps);
			summary.step_ratio_resend = median(p->ratio2, reps);
			summary.step_ioctls = MED(p->lib, reps, ioctls);
			summary.step_ioctls_raw = MED(p->base, reps, ioctls);
			summary.step_own = own_lib;
			table_row(
				tb, "single-step exit, time/step", fmt_time(MED(p->lib, reps, ns)),
				fmt_time(MED(p->base, reps, ns)), fmt_ratio(summary.step_ratio),
				pair_str_n(summary.step_ioctls, summary.step_ioctls_raw),
				pair_str(own_lib, own_base), fmt_num(MED(p->lib, reps, sigmask), 2),
				fmt_num(MED(p->lib, reps, allocs), 2));
			table_row(tb, "  baseline: SET_GUEST_DEBUG before each KVM_RUN", "same",
				  fmt_time(MED(p->base2, reps, ns)),
				  fmt_ratio(summary.step_ratio_resend),
				  pair_str_n(summary.step_ioctls, MED(p->base2, reps, ioctls)), "",
				  "", "");
			table_note(
				tb,
				"single-step baseline: KVM_SET_GUEST_DEBUG(SINGLESTEP) once, "
				"then KVM_RUN per step; the second baseline sends "
				"KVM_SET_GUEST_DEBUG before every KVM_RUN, as x86 needs where KVM "
				"drops TF (VMX, SVM), and as the library does");
		} else {
			table_row(tb, "single-step exit", "failed", "-", "-", "-", "-", "-", "-");
		}
	}

	if (want_hw && !can_hw) {
		table_row(tb, "hw-breakpoint hit + continue", "skipped", "-", "-", "-", "-", "-",
			  "-");
		table_note(tb, "hw breakpoint skipped: %s", why_hw);
	} else if (want_hw) {
		int ok = 0;

		progress("kvm: hw breakpoint, %d x %ld cycles per variant\n", reps, cycles);
		for (int r = 0; r < reps; r++) {
			if (lib_hw_cycles(&g, cycles, 50, t, &p->lib[r]) < 0 ||
			    raw_hw_cycles(&g, cycles, 50, t, &p->base[r]) < 0)
				break;
			p->ratio[r] = p->lib[r].ns / p->base[r].ns;
			ok++;
		}
		if (ok == reps) {
			cur_n = cycles;
			own_times(&own_lib, &own_base, own_lib_hw, own_raw_hw);
			summary.hw_ratio = median(p->ratio, reps);
			summary.hw_ioctls = MED(p->lib, reps, ioctls);
			summary.hw_ioctls_raw = MED(p->base, reps, ioctls);
			summary.hw_own = own_lib;
			table_row(tb, "hw-breakpoint hit + continue, time/cycle",
				  fmt_time(MED(p->lib, reps, ns)), fmt_time(MED(p->base, reps, ns)),
				  fmt_ratio(summary.hw_ratio),
				  pair_str_n(summary.hw_ioctls, summary.hw_ioctls_raw),
				  pair_str(own_lib, own_base),
				  fmt_num(MED(p->lib, reps, sigmask), 2),
				  fmt_num(MED(p->lib, reps, allocs), 2));
			table_note(tb,
				   "hw baseline: SET_GUEST_DEBUG(step, slot off), KVM_RUN, "
				   "SET_GUEST_DEBUG(DR0 on), KVM_RUN: the minimum where RFLAGS.RF "
				   "is ignored (this host)");
		} else {
			table_row(tb, "hw-breakpoint hit + continue", "failed", "-", "-", "-", "-",
				  "-", "-");
		}
	}

	for (int m = 0; want_x && m < XLATE_NR; m++) {
		int ok = 0;

		progress("kvm: %s, %d x %ld points\n", xlate_rows[m], reps, xcount);
		for (int r = 0; r < reps; r++) {
			if (lib_xlate_inserts(&g, (enum xlate_mode)m, xcount, t, &p->lib[r]) < 0)
				break;
			ok++;
		}
		if (ok < reps) {
			table_row(tb, xlate_rows[m], "failed", "-", "-", "-", "-", "-", "-");
			continue;
		}
		summary.xlate_ns[m] = MED(p->lib, reps, ns);
		summary.xlate_ioctls[m] = MED(p->lib, reps, ioctls);
		table_row(tb, xlate_rows[m], fmt_time(summary.xlate_ns[m]), "-", "-",
			  fmt_num(summary.xlate_ioctls[m], 2), "",
			  fmt_num(MED(p->lib, reps, sigmask), 2),
			  fmt_num(MED(p->lib, reps, allocs), 2));
	}
	if (want_x)
		table_note(tb,
			   "translate-less insert: %ld points per repetition, median per insert "
			   "(insert_many: the call's time over its points); 10^6 one by one with "
			   "the page walk would take about %s (extrapolated, not measured)",
			   xcount, fmt_time(summary.xlate_ns[XLATE_WALK] * 1e6));
	table_note(tb,
		   "times: median of each repetition's per-event times, then the median over "
		   "%d repetitions; ratio: median of the per-repetition ratios (variants "
		   "interleaved); outside ioctls: the median time per event spent outside "
		   "ioctl(), from one more run of each variant with every ioctl timed",
		   reps);
	free(t);
	free(p);
	guest_close(&g);
}
