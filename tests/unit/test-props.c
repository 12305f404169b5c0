// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Client-shaped, seeded random sequences over the model of upstream KVM (model.c), driving the
 * library the way its users do (through client.c, the one adapter to the API):
 *
 *  gdb    all-stop sessions on 1-4 vCPUs driven round-robin in one thread: at every stop every
 *         Z point is removed, then any mix of user actions (stepi, register writes incl. the
 *         pc, memory writes, inserts and removes, thread switches), then every point inserted
 *         again and a resume by continue, stepi or Ctrl-C (kvmdbg_vcpu_kick);
 *  fuzzer one-shot software (and some hardware) points on every instruction, runs, and resets
 *         by kvmdbg_vm_rearm() or by a snapshot restore plus kvmdbg_vm_mark_all_armed();
 *  vmm    signals and kicks at any point, VMM-owned immediate_exit.
 *
 * Invariants after every turn of the run loop: liveness (no run of RESUMEs without progress),
 * memory (the code equals a shadow copy except at armed software breakpoints, exactly after
 * removing all), no lost point (an armed point is in memory or in an enabled slot, or being
 * stepped over), no invented event (what the library reports matches what the model did) and
 * step exactness (with single-step on, a resume ends one instruction later).
 *
 * KVMDBG_SEED=<n> runs that one seed; KVMDBG_PROP_RUNS=<n> sets the base count of runs per test
 * (130 by default, about 14 s here; 12 under qemu-user), which each test scales by its
 * weight.  A failure prints the seed, the message and the last actions.  The sequences that
 * found defects of libkvmdbg 0.1 name them (tests/unit/PROPS-FINDINGS.md); they all run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "client.h"
#include "fake-kernel.h"
#include "model.h"

#define RAM 0x100000ull
#define RAM_SIZE 0x30000u
#define CODE (RAM + 0x1000)
#define DATA (RAM + 0x20000)
#define DATA_SIZE 0x100
#define MMIO 0xf0000000ull
#define MAX_PROG 10050
#define MAX_PTS 10050
#define GDB_MAX_PTS 24
#define TRACE 24

/* features a sequence may use; the gated variants add the ones that reach known defects */
enum {
	F_HW = 1u << 0,        /* hardware breakpoints */
	F_WATCH = 1u << 1,     /* watchpoints */
	F_SETPC = 1u << 2,     /* register writes that move the pc (x86: KVM_SET_REGS) */
	F_MMIO = 1u << 3,      /* MMIO and port I/O instructions */
	F_STP = 1u << 4,       /* arm64 pair stores that start below a watched doubleword */
	F_GUESTBRK = 1u << 5,  /* the guest's own breakpoint instructions */
	F_MULTI = 1u << 6,     /* 2-4 vCPUs */
	F_STEP = 1u << 7,      /* stepi */
	F_SW = 1u << 8,        /* software breakpoints */
	F_KEEP = 1u << 9,      /* gdb's "breakpoint always-inserted on": points stay across stops */
	F_SHARED = 1u << 10,   /* arm64: two watchpoints in one doubleword */
};

struct arch_desc {
	const char *name;
	enum model_arch arch;
	bool sw, step, hw, watch, mmio, guest_brk;
	unsigned int hw_slots; /* breakpoints the test uses at once */
};

static const struct arch_desc arches[] = {
	{ "x86", MODEL_X86, true, true, true, true, true, true, 2 },
	{ "arm64", MODEL_ARM64, true, true, true, true, true, true, 2 },
	{ "ppc-pr", MODEL_PPC_PR, true, true, false, false, false, false, 0 },
	{ "ppc-hv", MODEL_PPC_HV, true, false, false, false, false, false, 0 },
	{ "ppc-booke", MODEL_PPC_BOOKE, true, true, true, true, false, false, 1 },
	{ "s390", MODEL_S390, true, true, true, true, false, false, 2 },
	{ "riscv", MODEL_RISCV, true, false, false, false, false, true, 0 },
};

struct pt {
	int type;
	uint64_t addr, len;
	unsigned int flags;
	bool in; /* inserted in the library */
};

struct ctx {
	const struct arch_desc *ad;
	unsigned int features;
	uint64_t seed;
	GRand *rng;
	struct model *m;
	struct client *c;
	unsigned int nv;
	uint64_t prog[MAX_PROG];
	uint8_t kind[MAX_PROG];
	unsigned int n;
	uint64_t code_end;
	uint8_t *shadow; /* guest RAM as the program wrote it, without breakpoints */

	struct pt pts[MAX_PTS]; /* the points the user wants (gdb), all VM-wide */
	unsigned int npts;
	uint16_t *swmap;        /* code offset -> software point index + 1 */
	bool map_dirty;

	bool stepping[CLIENT_MAX_VCPUS];
	bool kicked[CLIENT_MAX_VCPUS];
	uint64_t resume_retired[CLIENT_MAX_VCPUS];
	unsigned int resume_io[CLIENT_MAX_VCPUS];
	unsigned int noprogress[CLIENT_MAX_VCPUS];
	uint64_t stop_at[CLIENT_MAX_VCPUS];   /* the breakpoint a vCPU stopped at, until it moves */
	uint64_t stop_retired[CLIENT_MAX_VCPUS];
	/* x86: the last exit was an MMIO write of a stepping vCPU, whose step KVM never reports */
	bool mmio_write_step[CLIENT_MAX_VCPUS];

	char trace[TRACE][200];
	unsigned int ntrace;
	bool failed;
	char fail[600];
	unsigned long turns;
};

static void tr(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tr(struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->trace[x->ntrace % TRACE], sizeof(x->trace[0]), fmt, ap);
	va_end(ap);
	x->ntrace++;
}

static void fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return;
	x->failed = true;
	va_start(ap, fmt);
	vsnprintf(x->fail, sizeof(x->fail), fmt, ap);
	va_end(ap);
}

static uint32_t rnd(struct ctx *x, uint32_t n)
{
	return n ? (uint32_t)g_rand_int_range(x->rng, 0, (gint32)n) : 0;
}

static bool chance(struct ctx *x, unsigned int percent)
{
	return rnd(x, 100) < percent;
}

static unsigned int bp_len(struct ctx *x, uint64_t addr)
{
	const struct model_insn *in = model_insn_at(x->m, addr);

	switch (x->ad->arch) {
	case MODEL_X86:
		return 1;
	case MODEL_S390:
		return 4; /* at most: DIAG; 0x0000 is 2 */
	case MODEL_RISCV:
		return in && in->len == 2 ? 2 : 4;
	default:
		return 4;
	}
}

/* ------------------------------------------------------------------ the guest program */

static void build_program(struct ctx *x, unsigned int n)
{
	struct model *m = x->m;
	uint64_t pc = CODE;
	enum model_arch a = x->ad->arch;

	x->n = 0;
	for (unsigned int i = 0; i + 1 < n; i++) {
		struct model_insn in = { .pc = pc };
		uint32_t r = rnd(x, 100);

		if (r < 35) {
			in.kind = MI_NOP;
			if (a == MODEL_RISCV && chance(x, 50))
				in.len = 2;
			if (a == MODEL_X86)
				in.len = (uint8_t)(1 + rnd(x, 4));
		} else if (r < 60) {
			in.kind = MI_STORE;
		} else if (r < 80) {
			in.kind = MI_LOAD;
		} else if (r < 90 && (x->features & F_MMIO) && x->ad->mmio) {
			if (a == MODEL_X86 && chance(x, 30))
				in.kind = chance(x, 50) ? MI_OUT : MI_OUTS;
			else
				in.kind = chance(x, 50) ? MI_MMIO_STORE : MI_MMIO_LOAD;
			in.addr = MMIO + 8 * rnd(x, 16);
			in.size = 4;
		} else if (r < 93 && (x->features & F_GUESTBRK) && x->ad->guest_brk) {
			in.kind = MI_BRK;
			in.imm = a == MODEL_ARM64 ? (uint16_t)(1 + rnd(x, 100)) : 0;
		} else {
			in.kind = MI_NOP;
		}
		if (in.kind == MI_STORE || in.kind == MI_LOAD) {
			static const uint8_t sizes[] = { 1, 2, 4, 8 };

			in.size = sizes[rnd(x, 4)];
			in.addr = DATA + 8 * rnd(x, DATA_SIZE / 8 - 2) + (a == MODEL_X86 ? 0 : 0);
			if (a == MODEL_X86 || a == MODEL_PPC_BOOKE)
				in.addr += rnd(x, 8) & ~(uint64_t)(in.size - 1) & 7;
			else
				in.addr += rnd(x, 9 - in.size);
			if (a == MODEL_ARM64 && in.kind == MI_STORE && (x->features & F_STP) &&
			    chance(x, 30)) {
				in.size = 16; /* STP x0, x1, [x2]: x2 8 bytes below a doubleword */
				in.addr = DATA + 8 * rnd(x, 8);
			}
			if (a == MODEL_S390 && in.kind == MI_STORE && chance(x, 20))
				in.flags = MIF_SAME_VALUE;
		}
		x->prog[x->n] = pc;
		x->kind[x->n] = in.kind;
		x->n++;
		pc = model_add(m, &in);
	}
	x->prog[x->n] = pc;
	x->kind[x->n] = MI_JUMP;
	x->n++;
	x->code_end = model_jump(m, pc, CODE);
}

/* ------------------------------------------------------------------ invariants */

static const struct pt *find_pt(struct ctx *x, int type, uint64_t addr)
{
	if (type == KVMDBG_POINT_SW_BREAK) {
		if (!x->swmap)
			x->swmap = g_new0(uint16_t, RAM_SIZE);
		if (x->map_dirty) {
			memset(x->swmap, 0, RAM_SIZE * sizeof(uint16_t));
			for (unsigned int i = 0; i < x->npts; i++)
				if (x->pts[i].type == KVMDBG_POINT_SW_BREAK)
					x->swmap[x->pts[i].addr - RAM] = (uint16_t)(i + 1);
			x->map_dirty = false;
		}
		if (addr < RAM || addr - RAM >= RAM_SIZE || !x->swmap[addr - RAM])
			return NULL;
		return &x->pts[x->swmap[addr - RAM] - 1];
	}
	for (unsigned int i = 0; i < x->npts; i++)
		if (x->pts[i].type == type && x->pts[i].addr == addr)
			return &x->pts[i];
	return NULL;
}

static bool pt_armed(struct ctx *x, int type, uint64_t addr)
{
	bool armed = false;

	return client_point_state(x->c, -1, type, addr, &armed, NULL) && armed;
}

/* A vCPU stopped at a breakpoint at addr and has not finished stepping over it yet. */
static bool held_by_stop(struct ctx *x, uint64_t addr)
{
	for (unsigned int i = 0; i < x->nv; i++)
		if (x->stop_at[i] == addr)
			return true;
	return false;
}

/* Memory: the code equals the shadow except inside armed software breakpoints. */
static void check_memory(struct ctx *x, bool exact)
{
	const uint8_t *ram = model_ram(x->m);

	for (uint64_t a = CODE; a < x->code_end && !x->failed; a++) {
		size_t off = a - RAM;
		bool ok = false;

		if (ram[off] == x->shadow[off])
			continue;
		for (unsigned int d = 0; d < 4 && !exact; d++) {
			if (a < CODE + d)
				break;
			if (find_pt(x, KVMDBG_POINT_SW_BREAK, a - d) &&
			    d < bp_len(x, a - d) && pt_armed(x, KVMDBG_POINT_SW_BREAK, a - d))
				ok = true;
		}
		if (!ok)
			fail(x,
			     "memory: guest byte at 0x%" G_GINT64_MODIFIER "x is %02x, the program "
			     "has %02x%s",
			     a, ram[off], x->shadow[off],
			     exact ? " (after removing every point)"
				   : " (no armed breakpoint there)");
	}
}

/* No lost point: every armed software breakpoint is in memory, unless a vCPU is at it. */
static void check_sw_points(struct ctx *x)
{
	const uint8_t *ram = model_ram(x->m);

	for (unsigned int i = 0; i < x->npts && !x->failed; i++) {
		const struct pt *p = &x->pts[i];
		size_t off = p->addr - RAM;

		if (p->type != KVMDBG_POINT_SW_BREAK || !pt_armed(x, p->type, p->addr))
			continue;
		/* a breakpoint on the guest's own breakpoint instruction changes nothing */
		if (model_insn_at(x->m, p->addr) && model_insn_at(x->m, p->addr)->kind == MI_BRK)
			continue;
		if (!memcmp(ram + off, x->shadow + off,
			    x->ad->arch == MODEL_S390 ? 2 : bp_len(x, p->addr)) &&
		    !held_by_stop(x, p->addr))
			fail(x,
			     "lost point: armed software breakpoint at 0x%" G_GINT64_MODIFIER "x "
			     "is not in guest memory (%02x %02x %02x %02x)",
			     p->addr, ram[off], ram[off + 1], ram[off + 2], ram[off + 3]);
	}
}

/* No lost point: after pre_run, every armed hardware point is in an enabled slot of the vCPU. */
static void check_hw_points(struct ctx *x, unsigned int v)
{
	for (unsigned int i = 0; i < x->npts && !x->failed; i++) {
		const struct pt *p = &x->pts[i];
		bool watch = p->type != KVMDBG_POINT_HW_BREAK;

		if (p->type == KVMDBG_POINT_SW_BREAK || !pt_armed(x, p->type, p->addr))
			continue;
		if (held_by_stop(x, p->addr) && x->stop_at[v] == p->addr)
			continue;
		if (watch && x->stop_at[v] && x->ad->arch == MODEL_ARM64)
			continue; /* stepping over the access that hit a watchpoint */
		if (!model_hw_enabled_at(client_mvcpu(x->c, v), watch, p->addr))
			fail(x,
			     "lost point: armed %s at 0x%" G_GINT64_MODIFIER "x is in no enabled "
			     "slot of vCPU %u after pre_run (guest_debug 0x%x)",
			     watch ? "watchpoint" : "hw breakpoint", p->addr, v,
			     model_guest_debug(client_mvcpu(x->c, v)));
	}
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* No invented event: what the library reports is what the model did. */
static void check_event(struct ctx *x, unsigned int v, const struct client_event *e)
{
	struct model_vcpu *mv = client_mvcpu(x->c, v);
	const struct model_exit *me = model_last_exit(mv);
	const char *name = client_event_name(e->type);

	switch (e->type) {
	case KVMDBG_EVENT_STEP:
		/*
		 * 0.2 reports the step over an MMIO write itself, from the immediate exit that
		 * completes it without running the guest
		 */
		if (me->kind == ME_IMMEDIATE && x->mmio_write_step[v] && e->pc == model_pc(mv))
			break;
		if (me->kind != ME_STEP)
			fail(x, "invented event: step reported, the model's exit was kind %d",
			     me->kind);
		else if (e->pc != model_pc(mv))
			fail(x,
			     "invented event: step at 0x%" G_GINT64_MODIFIER "x, the model is at "
			     "0x%" G_GINT64_MODIFIER "x",
			     e->pc, model_pc(mv));
		break;
	case KVMDBG_EVENT_SW_BREAKPOINT:
		/*
		 * ppc: a step exit and a breakpoint exit look alike (status 0, or nothing at all
		 * on PR); the library calls a step that lands on its breakpoint that breakpoint's
		 * stop (documented).
		 */
		if (me->kind == ME_STEP && x->ad->arch >= MODEL_PPC_PR &&
		    x->ad->arch <= MODEL_PPC_BOOKE && e->pc == model_pc(mv) && e->has_point &&
		    e->point_addr == e->pc)
			break;
		if (me->kind != ME_BP_INSN || e->pc != me->at ||
		    (me->own && !find_pt(x, KVMDBG_POINT_SW_BREAK, e->pc)))
			fail(x, "invented event: sw-breakpoint at 0x%" G_GINT64_MODIFIER "x, the "
			     "model's exit was kind %d own %d at 0x%" G_GINT64_MODIFIER "x", e->pc,
			     me->kind, me->own, me->at);
		else if (!e->has_point || e->point_addr != e->pc)
			fail(x, "invented event: sw-breakpoint names no point at its pc");
		break;
	case KVMDBG_EVENT_HW_BREAKPOINT:
		if (me->kind != ME_HW_BP || e->pc != me->at || !e->has_point ||
		    e->point_addr != e->pc)
			fail(x, "invented event: hw-breakpoint at 0x%" G_GINT64_MODIFIER "x (point "
			     "0x%" G_GINT64_MODIFIER "x), the model's exit was kind %d at 0x%"
			     G_GINT64_MODIFIER "x", e->pc, e->point_addr, me->kind, me->at);
		break;
	case KVMDBG_EVENT_WATCHPOINT:
		if (me->kind != ME_WATCH || !e->has_point)
			fail(x, "invented event: watchpoint, the model's exit was kind %d",
			     me->kind);
		else if (x->ad->arch != MODEL_S390 &&
			 !ranges_overlap(e->point_addr, e->point_len, me->access_addr,
					 me->access_len) &&
			 /*
			  * arm64 says neither the slot nor the access's length: the hit goes to
			  * the watchpoint whose bytes hold FAR (documented), which two
			  * watchpoints in one doubleword can confuse
			  */
			 !(x->ad->arch == MODEL_ARM64 &&
			   ranges_overlap(e->point_addr, e->point_len, me->far, 1)))
			fail(x, "invented event: watchpoint names [0x%" G_GINT64_MODIFIER "x, +%"
			     G_GINT64_MODIFIER "u), the access was [0x%" G_GINT64_MODIFIER "x, +%"
			     G_GINT64_MODIFIER "u)", e->point_addr, e->point_len, me->access_addr,
			     me->access_len);
		else if (x->ad->arch == MODEL_ARM64 && e->data_addr != me->far)
			fail(x,
			     "invented event: watchpoint data address 0x%" G_GINT64_MODIFIER "x, "
			     "FAR was 0x%" G_GINT64_MODIFIER "x",
			     e->data_addr, me->far);
		break;
	case KVMDBG_EVENT_GUEST_BREAKPOINT:
		if (me->kind != ME_BP_INSN || !me->own)
			fail(x, "invented event: guest-breakpoint, the model's exit was kind %d "
				"own %d",
			     me->kind, me->own);
		break;
	case KVMDBG_EVENT_INTERRUPTED:
		if (!x->kicked[v])
			fail(x, "invented event: interrupted without a kick");
		x->kicked[v] = false;
		break;
	default:
		if (me->kind != ME_GUEST_DB)
			fail(x,
			     "invented event: %s (status 0x%" G_GINT64_MODIFIER
			     "x) for the model's "
			     "exit kind %d at 0x%" G_GINT64_MODIFIER "x",
			     name, e->status, me->kind, me->at);
		break;
	}
	if (e->has_point && !find_pt(x, e->point_type, e->point_addr))
		fail(x, "invented event: %s names a point at 0x%" G_GINT64_MODIFIER "x the client "
		     "does not have", name, e->point_addr);
}

/* ------------------------------------------------------------------ the run loop */

/*
 * One turn of vCPU v: pre_run, KVM_RUN (the model), handle_exit, every invariant.  Returns the
 * client event; e.ret KVMDBG_EXIT_EVENT ends a resume.
 */
static struct client_event turn(struct ctx *x, unsigned int v)
{
	struct model_vcpu *mv = client_mvcpu(x->c, v);
	struct client_event e = { 0 };
	const struct model_exit *me;
	int run;

	x->turns++;
	e.pre_ret = client_pre_run(x->c, v);
	if (e.pre_ret < 0) {
		fail(x, "pre_run of vCPU %u returned %d", v, e.pre_ret);
		e.ret = e.pre_ret;
		return e;
	}
	check_hw_points(x, v);
	run = model_run(mv);
	me = model_last_exit(mv);
	if (model_errors(x->m)) {
		fail(x, "model: %s", model_error_text(x->m));
		e.ret = -EIO;
		return e;
	}
	e = client_handle(x->c, v, run);
	tr(x, "vcpu %u: run %d (model exit %d at 0x%" G_GINT64_MODIFIER "x, pc 0x%"
	   G_GINT64_MODIFIER "x, retired %" G_GINT64_MODIFIER "u) -> ret %d %s pc 0x%"
	   G_GINT64_MODIFIER "x", v, run, me->kind, me->at, model_pc(mv), me->retired, e.ret,
	   e.ret == KVMDBG_EXIT_EVENT ? client_event_name(e.type) : "", e.pc);
	if (me->retired)
		x->noprogress[v] = 0;
	if (me->kind == ME_MMIO || me->kind == ME_IO)
		x->resume_io[v]++;
	/*
	 * A step-over ends with the first debug exit after the guest moved (an MMIO exit in
	 * between does not end it: the instruction completes on the next KVM_RUN).
	 */
	if ((e.ret == KVMDBG_EXIT_RESUME ||
	     (e.ret == KVMDBG_EXIT_EVENT && e.type != KVMDBG_EVENT_INTERRUPTED)) &&
	    model_retired(mv) != x->stop_retired[v])
		x->stop_at[v] = 0;
	switch (e.ret) {
	case KVMDBG_EXIT_RESUME:
		/* liveness: the library handled the exit; the guest must move within a few */
		if (!me->retired && ++x->noprogress[v] >= 32)
			fail(x,
			     "liveness: %u RESUMEs in a row on vCPU %u at pc 0x%" G_GINT64_MODIFIER
			     "x without the guest making progress (model exit kind %d)",
			     x->noprogress[v], v, model_pc(mv), me->kind);
		if (me->kind == ME_BP_INSN && !me->own &&
		    pt_armed(x, KVMDBG_POINT_SW_BREAK, me->at))
			fail(x,
			     "missed event: armed software breakpoint at 0x%" G_GINT64_MODIFIER "x "
			     "trapped and the library answered RESUME",
			     me->at);
		break;
	case KVMDBG_EXIT_EVENT:
		check_event(x, v, &e);
		break;
	case KVMDBG_EXIT_NOT_DEBUG:
		/* 0.2: a signal, or the VMM's own immediate_exit, is the VMM's plain exit */
		if (me->kind != ME_MMIO && me->kind != ME_IO && me->kind != ME_HALT &&
		    me->kind != ME_INTR && me->kind != ME_IMMEDIATE)
			fail(x, "handle_exit called a debug exit (model kind %d) not a debug one",
			     me->kind);
		break;
	default:
		/* a signal is never an error a VMM's "if (ret < 0) die()" would act on */
		fail(x, "handle_exit returned %d", e.ret);
		break;
	}
	if (e.ret == KVMDBG_EXIT_EVENT)
		x->mmio_write_step[v] = false;
	else if (me->kind == ME_MMIO)
		x->mmio_write_step[v] = x->ad->arch == MODEL_X86 && me->write;
	/* every turn, but only now and then in a program of thousands of breakpoints */
	if (x->n < 600 || x->turns % 256 == 0)
		check_memory(x, false);
	return e;
}

/* The guest's own breakpoint was reported: hand it back as a VMM would. */
static void deliver_guest_bp(struct ctx *x, unsigned int v)
{
	struct model_vcpu *mv = client_mvcpu(x->c, v);

	if (x->ad->arch == MODEL_X86) {
		if (client_reinject(x->c, v) != 0)
			fail(x, "reinject of the guest's int3 refused");
		return;
	}
	/* arm64, riscv: the VMM emulates the exception; here: its handler returns past it */
	model_set_regs(mv, model_pc(mv) + (model_insn_at(x->m, model_pc(mv)) ?
					   model_insn_at(x->m, model_pc(mv))->len : 4), false);
	client_cancel_resume(x->c, v);
}

static void note_stop(struct ctx *x, unsigned int v, const struct client_event *e)
{
	struct model_vcpu *mv = client_mvcpu(x->c, v);

	if (e->type == KVMDBG_EVENT_SW_BREAKPOINT || e->type == KVMDBG_EVENT_HW_BREAKPOINT ||
	    (e->type == KVMDBG_EVENT_WATCHPOINT && x->ad->arch == MODEL_ARM64)) {
		x->stop_at[v] = e->type == KVMDBG_EVENT_WATCHPOINT ? e->point_addr : e->pc;
		x->stop_retired[v] = model_retired(mv);
	}
}

static void start_resume(struct ctx *x, unsigned int v)
{
	x->resume_retired[v] = model_retired(client_mvcpu(x->c, v));
	x->resume_io[v] = 0;
	x->noprogress[v] = 0;
}

/* Step exactness: a stepping vCPU's resume ends one instruction later (or at a point sooner). */
static void check_step(struct ctx *x, unsigned int v, const struct client_event *e)
{
	uint64_t r = model_retired(client_mvcpu(x->c, v)) - x->resume_retired[v];
	/* an MMIO store or string OUT that exits to userspace is never a step on x86 */
	uint64_t allowed = 1 + x->resume_io[v];

	if (!x->stepping[v] || x->failed)
		return;
	if (e->type == KVMDBG_EVENT_STEP && (r < 1 || r > allowed))
		fail(x, "step exactness: a stepi on vCPU %u retired %" G_GINT64_MODIFIER "u "
		     "instructions", v, r);
	else if (e->type != KVMDBG_EVENT_STEP && e->type != KVMDBG_EVENT_INTERRUPTED &&
		 r > allowed)
		fail(x, "step exactness: a stepi on vCPU %u ended with %s after %"
		     G_GINT64_MODIFIER "u instructions", v, client_event_name(e->type), r);
}

/* ------------------------------------------------------------------ gdb all-stop */

static int pick_insn(struct ctx *x)
{
	return (int)rnd(x, x->n);
}

static void want_point(struct ctx *x)
{
	struct pt p = { 0 };
	uint32_t r = rnd(x, 100);
	const struct arch_desc *ad = x->ad;

	if (x->npts >= GDB_MAX_PTS)
		return;
	if (r < 50 && (x->features & F_SW)) {
		p.type = KVMDBG_POINT_SW_BREAK;
		p.addr = x->prog[pick_insn(x)];
	} else if (r < 75 && ad->hw && (x->features & F_HW)) {
		p.type = KVMDBG_POINT_HW_BREAK;
		p.addr = x->prog[pick_insn(x)];
	} else if (ad->watch && (x->features & F_WATCH)) {
		static const uint64_t lens[] = { 1, 2, 4, 8 };

		p.type = ad->arch == MODEL_ARM64 && chance(x, 30) ? KVMDBG_POINT_WATCH_ACCESS
								   : KVMDBG_POINT_WATCH_WRITE;
		if (ad->arch == MODEL_X86 && chance(x, 30))
			p.type = KVMDBG_POINT_WATCH_ACCESS;
		p.len = lens[rnd(x, 4)];
		p.addr = DATA + 8 * rnd(x, DATA_SIZE / 8 - 2) + (rnd(x, 8) & ~(p.len - 1) & 7);
	} else {
		return;
	}
	for (unsigned int i = 0; i < x->npts; i++) {
		if (x->pts[i].addr == p.addr && x->pts[i].type == p.type)
			return;
		/* arm64: a FAR rounded down cannot tell two watchpoints of one doubleword apart */
		if (ad->arch == MODEL_ARM64 && !(x->features & F_SHARED) &&
		    p.type != KVMDBG_POINT_SW_BREAK && p.type != KVMDBG_POINT_HW_BREAK &&
		    x->pts[i].type != KVMDBG_POINT_SW_BREAK &&
		    x->pts[i].type != KVMDBG_POINT_HW_BREAK &&
		    (x->pts[i].addr & ~7ull) == (p.addr & ~7ull))
			return;
		/* software breakpoints on neighbouring instructions may overlap (s390 DIAG) */
		if (p.type == KVMDBG_POINT_SW_BREAK && x->pts[i].type == p.type &&
		    ranges_overlap(p.addr, 4, x->pts[i].addr, 4))
			return;
	}
	/* a hardware budget the library always has room for */
	if (p.type != KVMDBG_POINT_SW_BREAK) {
		unsigned int hw = 0;

		for (unsigned int i = 0; i < x->npts; i++)
			hw += x->pts[i].type != KVMDBG_POINT_SW_BREAK;
		if (hw >= ad->hw_slots)
			return;
	}
	x->pts[x->npts++] = p;
	x->map_dirty = true;
}

static void insert_all(struct ctx *x)
{
	for (unsigned int i = 0; i < x->npts && !x->failed; i++) {
		struct pt *p = &x->pts[i];
		int ret;

		if (p->in)
			continue;
		ret = client_insert(x->c, -1, p->type, p->addr, p->len, p->flags);
		p->in = ret == 0;
		tr(x, "Z%d 0x%" G_GINT64_MODIFIER "x,%" G_GINT64_MODIFIER "u -> %d", p->type,
		   p->addr, p->len, ret);
		if (ret == -EOPNOTSUPP || ret == -ENOSPC || ret == -EEXIST || ret == -EINVAL) {
			/* gdb tells the user; the point is dropped */
			x->pts[i] = x->pts[--x->npts];
			x->map_dirty = true;
			i--;
		} else if (ret) {
			fail(x, "insert of type %d at 0x%" G_GINT64_MODIFIER "x: %d", p->type,
			     p->addr, ret);
		}
	}
	check_sw_points(x);
}

static void remove_all(struct ctx *x)
{
	if (x->features & F_KEEP) {
		check_memory(x, false);
		return;
	}
	for (unsigned int i = 0; i < x->npts && !x->failed; i++) {
		struct pt *p = &x->pts[i];
		int ret;

		if (!p->in)
			continue;
		ret = client_remove(x->c, -1, p->type, p->addr);
		p->in = false;

		tr(x, "z%d 0x%" G_GINT64_MODIFIER "x -> %d", p->type, p->addr, ret);
		if (ret != 0)
			fail(x,
			     "remove of type %d at 0x%" G_GINT64_MODIFIER "x: %d (guest memory was "
			     "never overwritten)",
			     p->type, p->addr, ret);
	}
	if (!x->failed && client_point_count(x->c) != 0)
		fail(x, "%ld points left after removing every one", client_point_count(x->c));
	check_memory(x, true);
}

/* Make every running vCPU stop (all-stop): kick it and run it until it reports. */
static void stop_all(struct ctx *x, bool *running)
{
	for (unsigned int v = 0; v < x->nv && !x->failed; v++) {
		struct client_event e;
		unsigned int n = 0;

		if (!running[v])
			continue;
		x->kicked[v] = true;
		client_kick(x->c, v);
		tr(x, "kick vcpu %u", v);
		do {
			e = turn(x, v);
			if (e.ret == KVMDBG_EXIT_EVENT && e.type == KVMDBG_EVENT_GUEST_BREAKPOINT)
				deliver_guest_bp(x, v);
		} while (!x->failed && e.ret != KVMDBG_EXIT_EVENT && ++n < 64);
		if (!x->failed && e.ret != KVMDBG_EXIT_EVENT)
			fail(x, "liveness: vCPU %u did not stop within 64 turns of a kick", v);
		if (x->failed)
			return;
		check_step(x, v, &e);
		note_stop(x, v, &e);
		if (e.type != KVMDBG_EVENT_INTERRUPTED) {
			/* it stopped for something else: the kick is still pending; take it now */
			do
				e = turn(x, v);
			while (!x->failed && e.ret == KVMDBG_EXIT_RESUME && ++n < 64);
			if (!x->failed && !(e.ret == KVMDBG_EXIT_EVENT &&
					    e.type == KVMDBG_EVENT_INTERRUPTED))
				fail(x, "a kick was lost: vCPU %u's next run gave ret %d %s", v,
				     e.ret, client_event_name(e.type));
		}
		running[v] = false;
	}
}

enum resume_mode { R_CONTINUE, R_STEP, R_CTRLC };

static void gdb_resume(struct ctx *x, unsigned int cur, enum resume_mode mode)
{
	bool running[CLIENT_MAX_VCPUS] = { false };
	unsigned int limit = 200 + rnd(x, 200), ctrlc = 2 + rnd(x, 40);

	for (unsigned int v = 0; v < x->nv; v++) {
		bool step = mode == R_STEP && v == cur;

		running[v] = mode != R_STEP || v == cur;
		if (client_set_step(x->c, v, step) != 0)
			fail(x, "set_single_step(%d) on vCPU %u failed", step, v);
		x->stepping[v] = step;
		start_resume(x, v);
	}
	tr(x, "resume %s on vcpu %u", mode == R_STEP ? "stepi" : mode == R_CTRLC ? "ctrl-c" :
	   "continue", cur);
	for (unsigned int t = 0; !x->failed; t++) {
		unsigned int v = t % x->nv;
		struct client_event e;

		if (t == ctrlc * x->nv && mode == R_CTRLC) {
			stop_all(x, running);
			return;
		}
		if (t >= limit * x->nv) {
			/* nothing happened for long: gdb's user presses Ctrl-C */
			for (unsigned int w = 0; w < x->nv; w++)
				if (running[w] && x->stepping[w])
					fail(x,
					     "step exactness: stepi on vCPU %u got no event in %u "
					     "turns (%" G_GINT64_MODIFIER "u instructions retired)",
					     w, limit,
					     model_retired(client_mvcpu(x->c, w)) -
						     x->resume_retired[w]);
			stop_all(x, running);
			return;
		}
		if (!running[v])
			continue;
		e = turn(x, v);
		if (e.ret != KVMDBG_EXIT_EVENT)
			continue;
		if (e.type == KVMDBG_EVENT_GUEST_BREAKPOINT) {
			/* gdb passes SIGTRAP the guest owns on; the VMM delivers it */
			deliver_guest_bp(x, v);
			continue;
		}
		check_step(x, v, &e);
		note_stop(x, v, &e);
		running[v] = false;
		stop_all(x, running);
		return;
	}
}

static void gdb_user_actions(struct ctx *x, unsigned int *cur)
{
	unsigned int n = rnd(x, 4);

	for (unsigned int k = 0; k < n && !x->failed; k++) {
		uint32_t r = rnd(x, 100);

		if (r < 20 && (x->features & F_SETPC)) {
			/* set $pc = <an instruction>: KVM_SET_REGS, then tell the library */
			struct model_vcpu *mv = client_mvcpu(x->c, *cur);
			uint64_t pc = x->prog[pick_insn(x)];

			model_set_regs(mv, pc, false);
			client_cancel_resume(x->c, *cur);
			x->stop_at[*cur] = 0;
			tr(x, "set $pc = 0x%" G_GINT64_MODIFIER "x on vcpu %u", pc, *cur);
		} else if (r < 40) {
			/* a memory write (M packet) into data, through the registered RAM */
			uint8_t b[8];
			uint64_t a = DATA + rnd(x, DATA_SIZE - 8);

			for (int i = 0; i < 8; i++)
				b[i] = (uint8_t)rnd(x, 256);
			memcpy(model_ram(x->m) + (a - RAM), b, 8);
			tr(x, "M 0x%" G_GINT64_MODIFIER "x,8", a);
		} else if (r < 70) {
			want_point(x);
		} else if (r < 85 && x->npts) {
			unsigned int i = rnd(x, x->npts);

			if (x->pts[i].in) {
				int ret = client_remove(x->c, -1, x->pts[i].type, x->pts[i].addr);

				tr(x, "z%d 0x%" G_GINT64_MODIFIER "x -> %d", x->pts[i].type,
				   x->pts[i].addr, ret);
				if (ret != 0)
					fail(x, "remove at 0x%" G_GINT64_MODIFIER "x: %d",
					     x->pts[i].addr, ret);
			}
			x->pts[i] = x->pts[--x->npts];
			x->map_dirty = true;
		} else if (x->features & F_MULTI) {
			*cur = rnd(x, x->nv);
			tr(x, "thread %u", *cur);
		}
	}
}

static void setup_run(struct ctx *x, unsigned int prog_len, unsigned int nv)
{
	fake_kernel_reset();
	x->m = model_new(x->ad->arch, RAM, RAM_SIZE);
	model_set_garbage_seed(x->m, x->seed * 2654435761u + 1);
	model_set_budget(x->m, 64);
	build_program(x, prog_len);
	model_install(x->m);
	x->shadow = g_memdup2(model_ram(x->m), RAM_SIZE);
	x->nv = nv;
	x->c = client_new(x->m, nv, CODE);
}

static void teardown_run(struct ctx *x)
{
	client_free(x->c);
	model_free(x->m);
	g_free(x->shadow);
	g_free(x->swmap);
	x->swmap = NULL;
	x->map_dirty = true;
	x->c = NULL;
	x->m = NULL;
	x->shadow = NULL;
}

static void run_gdb(struct ctx *x)
{
	unsigned int nv = x->features & F_MULTI ? 1 + rnd(x, CLIENT_MAX_VCPUS) : 1;
	unsigned int cur = 0, stops = 10 + rnd(x, 20);

	setup_run(x, 16 + rnd(x, 24), nv);
	for (unsigned int i = 0; i < 3; i++)
		want_point(x);
	for (unsigned int s = 0; s < stops && !x->failed; s++) {
		enum resume_mode mode = R_CONTINUE;
		uint32_t r = rnd(x, 100);

		insert_all(x);
		if (x->failed)
			break;
		if (r < 40 && (x->features & F_STEP) && x->ad->step)
			mode = R_STEP;
		else if (r < 55)
			mode = R_CTRLC;
		gdb_resume(x, cur, mode);
		if (x->failed)
			break;
		check_sw_points(x);
		remove_all(x);
		gdb_user_actions(x, &cur);
	}
	if (!x->failed && (x->features & F_KEEP)) {
		x->features &= ~F_KEEP;
		remove_all(x);
	}
	teardown_run(x);
}

/* ------------------------------------------------------------------ fuzzer */

static void run_fuzzer_n(struct ctx *x, unsigned int n, unsigned int rounds);

static void run_fuzzer(struct ctx *x)
{
	run_fuzzer_n(x, 32 + rnd(x, 300), 3 + rnd(x, 4));
}

/* A coverage fuzzer's full load: a one-shot on each of 10^4 instructions. */
static void run_fuzzer_10k(struct ctx *x)
{
	run_fuzzer_n(x, 10000, 2);
}

static void run_fuzzer_n(struct ctx *x, unsigned int n, unsigned int rounds)
{
	unsigned int hw = 0;
	uint8_t *snap;
	bool hwp = (x->features & F_HW) && x->ad->hw;

	setup_run(x, n, 1);
	for (unsigned int i = 0; i < x->n; i++) {
		struct pt p = { .type = KVMDBG_POINT_SW_BREAK, .addr = x->prog[i],
				.flags = KVMDBG_POINT_ONESHOT };

		if (hwp && hw < x->ad->hw_slots && chance(x, 5)) {
			p.type = KVMDBG_POINT_HW_BREAK;
			hw++;
		}
		if (x->ad->arch == MODEL_S390 && x->npts &&
		    x->pts[x->npts - 1].type == KVMDBG_POINT_SW_BREAK &&
		    x->prog[i] - x->pts[x->npts - 1].addr < 4)
			continue; /* a 4-byte DIAG would overlap the next instruction */
		x->pts[x->npts++] = p;
		x->map_dirty = true;
	}
	/* the tracked ones (all of them when they fit) */
	for (unsigned int i = 0; i < x->npts && !x->failed; i++) {
		int ret = client_insert(x->c, -1, x->pts[i].type, x->pts[i].addr, 0,
					KVMDBG_POINT_ONESHOT);

		x->pts[i].in = ret == 0;
		if (ret)
			fail(x, "one-shot insert at 0x%" G_GINT64_MODIFIER "x: %d", x->pts[i].addr,
			     ret);
	}
	snap = g_memdup2(model_ram(x->m), RAM_SIZE);
	for (unsigned int r = 0; r < rounds && !x->failed; r++) {
		uint8_t *seen = g_malloc0(x->code_end - CODE);
		unsigned int nk = 0, events = 0;

		start_resume(x, 0);
		for (unsigned int t = 0; t < 4 * x->n + 64 && !x->failed; t++) {
			struct client_event e = turn(x, 0);

			if (e.ret != KVMDBG_EXIT_EVENT)
				continue;
			note_stop(x, 0, &e);
			if (e.type == KVMDBG_EVENT_GUEST_BREAKPOINT) {
				deliver_guest_bp(x, 0);
				continue;
			}
			if (e.type != KVMDBG_EVENT_SW_BREAKPOINT &&
			    e.type != KVMDBG_EVENT_HW_BREAKPOINT) {
				fail(x, "fuzzer: unexpected %s at 0x%" G_GINT64_MODIFIER "x",
				     client_event_name(e.type), e.pc);
				break;
			}
			if (e.point_armed)
				fail(x,
				     "fuzzer: one-shot at 0x%" G_GINT64_MODIFIER
				     "x still armed after "
				     "it fired",
				     e.pc);
			if (e.pc < CODE || e.pc >= x->code_end || seen[e.pc - CODE]++)
				fail(x,
				     "fuzzer: one-shot at 0x%" G_GINT64_MODIFIER
				     "x fired twice in a "
				     "round",
				     e.pc);
			nk++;
			events++;
			if (nk >= 60 + x->n)
				break;
		}
		g_free(seen);
		if (x->failed)
			break;
		if (!events)
			fail(x, "fuzzer: no one-shot fired in a round");
		/* reset */
		if (chance(x, 50)) {
			int ret = client_rearm(x->c);

			tr(x, "rearm -> %d", ret);
			if (ret < 0)
				fail(x, "rearm: %d", ret);
			if (memcmp(model_ram(x->m) + 0x1000, snap + 0x1000, x->code_end - CODE))
				fail(x, "fuzzer: after kvmdbg_vm_rearm() the code differs from the "
				     "snapshot taken with every breakpoint in");
		} else {
			int ret;

			memcpy(model_ram(x->m), snap, RAM_SIZE);
			ret = client_mark_all_armed(x->c);
			tr(x, "snapshot restore, mark_all_armed -> %d", ret);
			if (ret < 0)
				fail(x, "mark_all_armed: %d", ret);
			if (client_rearm(x->c) < 0) /* the hardware one-shots */
				fail(x, "rearm after restore failed");
		}
		model_set_regs(client_mvcpu(x->c, 0), CODE, false);
		client_cancel_resume(x->c, 0);
		x->stop_at[0] = 0;
		check_sw_points(x);
	}
	g_free(snap);
	if (!x->failed) {
		client_remove_all(x->c);
		check_memory(x, true);
	}
	teardown_run(x);
}

/* ------------------------------------------------------------------ VMM */

static void run_vmm(struct ctx *x)
{
	unsigned int nv = x->features & F_MULTI ? 1 + rnd(x, 2) : 1;
	bool kicks = chance(x, 50);
	unsigned int issued[CLIENT_MAX_VCPUS] = { 0 }, got[CLIENT_MAX_VCPUS] = { 0 };
	bool pending[CLIENT_MAX_VCPUS] = { false };

	setup_run(x, 16 + rnd(x, 24), nv);
	for (unsigned int i = 0; i < 3; i++)
		want_point(x);
	insert_all(x);
	for (unsigned int t = 0; t < 300 && !x->failed; t++) {
		unsigned int v = t % nv;
		struct model_vcpu *mv = client_mvcpu(x->c, v);
		uint8_t *run = (uint8_t *)client_run_buf(x->c, v);
		struct client_event e;
		bool vmm_ie = false, sig = false;

		if (kicks && chance(x, 10)) {
			client_kick(x->c, v);
			x->kicked[v] = true;
			issued[v]++;
			pending[v] = true;
			tr(x, "kick vcpu %u", v);
		}
		if (!kicks && chance(x, 10)) {
			/* the VMM's own immediate_exit (to complete a pending MMIO, say) */
			run[1] = 1;
			vmm_ie = true;
		}
		if (chance(x, 10)) {
			model_signal(mv);
			sig = true;
			tr(x, "signal vcpu %u", v);
		}
		e = turn(x, v);
		if (vmm_ie)
			run[1] = 0;
		if (x->failed)
			break;
		if (e.ret == KVMDBG_EXIT_EVENT)
			note_stop(x, v, &e);
		if (e.ret == KVMDBG_EXIT_EVENT && e.type == KVMDBG_EVENT_INTERRUPTED) {
			got[v]++;
			pending[v] = false;
			if (got[v] > issued[v])
				fail(x, "vmm: more interruptions than kicks on vCPU %u", v);
		} else if (e.ret == -EINTR && pending[v]) {
			fail(x, "vmm: a kick on vCPU %u is pending but -EINTR was passed on", v);
		} else if (e.ret == -EINTR && !sig && !vmm_ie &&
			   model_last_exit(mv)->kind != ME_INTR) {
			fail(x, "vmm: -EINTR with no signal and no kick");
		} else if (e.ret == KVMDBG_EXIT_RESUME && sig && !kicks && !vmm_ie &&
			   model_last_exit(mv)->kind == ME_INTR) {
			fail(x, "vmm: the VMM's signal (-EINTR) was swallowed as RESUME");
		}
		if (e.ret == KVMDBG_EXIT_EVENT && e.type == KVMDBG_EVENT_GUEST_BREAKPOINT)
			deliver_guest_bp(x, v);
	}
	/* drain: every kick is reported */
	for (unsigned int v = 0; v < nv && !x->failed; v++) {
		for (unsigned int n = 0; pending[v] && n < 64 && !x->failed; n++) {
			struct client_event e = turn(x, v);

			if (e.ret == KVMDBG_EXIT_EVENT && e.type == KVMDBG_EVENT_INTERRUPTED)
				pending[v] = false;
			else if (e.ret == KVMDBG_EXIT_EVENT &&
				 e.type == KVMDBG_EVENT_GUEST_BREAKPOINT)
				deliver_guest_bp(x, v);
		}
		if (pending[v] && !x->failed)
			fail(x, "vmm: a kick on vCPU %u was never reported", v);
	}
	teardown_run(x);
}

/* ------------------------------------------------------------------ the tests */

struct prop_test {
	const char *path;
	void (*fn)(struct ctx *x);
	const char *arch;
	unsigned int features;
	unsigned int weight; /* runs = base runs * weight / 4; 0: base runs / 75 */
	const char *found; /* the 0.1 defect this sequence found, or NULL */
};

#define KNOWN_A "(a) hardware point removed and inserted again at the same address not recognised"
#define KNOWN_F "(f) a vCPU stopped in the middle of a step-over keeps the stepped-over " \
	"slot number off after that point is removed, so a point inserted meanwhile into the " \
	"same slot is not armed on that vCPU for the step"
#define KNOWN_G "(g) arm64: a watchpoint exit is attributed by FAR alone (the documented " \
	"limit, which the invariant accepts)"
#define GDB_SAFE (F_SW | F_STEP | F_MULTI)
#define GDB_ALL (F_SW | F_STEP | F_MULTI | F_HW | F_WATCH | F_SETPC | F_MMIO | F_GUESTBRK)

static const struct prop_test tests[] = {
	{ "gdb/x86/sw-step", run_gdb, "x86", GDB_SAFE, 4, NULL },
	{ "gdb/x86/always-inserted", run_gdb, "x86", F_SW | F_STEP | F_KEEP | F_HW | F_WATCH, 4,
	  NULL },
	{ "gdb/x86/always-inserted-smp", run_gdb, "x86", GDB_SAFE | F_KEEP | F_HW | F_WATCH, 2,
	  KNOWN_F },
	{ "gdb/x86/hw", run_gdb, "x86", F_SW | F_HW | F_WATCH | F_MULTI, 2, KNOWN_A },
	{ "gdb/x86/set-pc", run_gdb, "x86", GDB_SAFE | F_SETPC, 2,
	  "(b) x86 single-step after KVM_SET_REGS runs free" },
	{ "gdb/x86/mmio", run_gdb, "x86", GDB_SAFE | F_MMIO, 2,
	  "(b) x86 single-step after an emulated MMIO instruction runs free" },
	{ "gdb/x86/all", run_gdb, "x86", GDB_ALL, 2, "(a), (b)" },
	{ "gdb/arm64/sw-step", run_gdb, "arm64", GDB_SAFE | F_SETPC | F_GUESTBRK, 4, NULL },
	{ "gdb/arm64/always-inserted", run_gdb, "arm64",
	  F_SW | F_STEP | F_KEEP | F_HW | F_WATCH | F_MMIO, 4, NULL },
	{ "gdb/arm64/always-inserted-smp", run_gdb, "arm64",
	  GDB_SAFE | F_KEEP | F_HW | F_WATCH | F_MMIO, 2, KNOWN_F },
	{ "gdb/arm64/watch-shared", run_gdb, "arm64", F_SW | F_STEP | F_KEEP | F_WATCH | F_SHARED,
	  2, KNOWN_G },
	{ "gdb/arm64/hw", run_gdb, "arm64", F_SW | F_HW | F_WATCH | F_MULTI, 2, KNOWN_A },
	{ "gdb/arm64/stp", run_gdb, "arm64", F_SW | F_WATCH | F_STP | F_KEEP, 2,
	  "(c) arm64 watchpoint FAR below the watched doubleword" },
	{ "gdb/arm64/all", run_gdb, "arm64", GDB_ALL | F_STP | F_SHARED, 2, "(a), (c), (g)" },
	{ "gdb/ppc-pr", run_gdb, "ppc-pr", GDB_SAFE | F_SETPC, 3, NULL },
	{ "gdb/ppc-hv", run_gdb, "ppc-hv", F_SW | F_MULTI | F_SETPC, 3,
	  "(d) ppc Book3S HV software-breakpoint exit with a stale status" },
	{ "gdb/ppc-booke", run_gdb, "ppc-booke", GDB_SAFE | F_SETPC, 2, NULL },
	{ "gdb/ppc-booke/always-inserted", run_gdb, "ppc-booke",
	  F_SW | F_STEP | F_KEEP | F_HW | F_WATCH, 2, NULL },
	{ "gdb/ppc-booke/hw", run_gdb, "ppc-booke", F_SW | F_HW | F_WATCH | F_STEP, 2, KNOWN_A },
	{ "gdb/s390", run_gdb, "s390", GDB_SAFE | F_SETPC, 3, NULL },
	{ "gdb/s390/always-inserted", run_gdb, "s390", F_SW | F_STEP | F_KEEP | F_HW | F_WATCH, 2,
	  NULL },
	{ "gdb/s390/hw", run_gdb, "s390", F_SW | F_HW | F_WATCH | F_STEP, 2, KNOWN_A },
	{ "gdb/riscv", run_gdb, "riscv", F_SW | F_MULTI | F_SETPC | F_GUESTBRK, 3, NULL },
	{ "fuzzer/x86", run_fuzzer, "x86", F_SW | F_HW, 2, NULL },
	{ "fuzzer/arm64", run_fuzzer, "arm64", F_SW | F_HW, 2, NULL },
	{ "fuzzer/ppc-pr", run_fuzzer, "ppc-pr", F_SW, 1, NULL },
	{ "fuzzer/ppc-hv", run_fuzzer, "ppc-hv", F_SW, 1,
	  "(d) ppc Book3S HV software-breakpoint exit with a stale status" },
	{ "fuzzer/s390", run_fuzzer, "s390", F_SW | F_HW, 1, NULL },
	{ "fuzzer/riscv", run_fuzzer, "riscv", F_SW, 1, NULL },
	{ "fuzzer/x86/10k", run_fuzzer_10k, "x86", F_SW | F_HW, 0, NULL },
	{ "fuzzer/arm64/10k", run_fuzzer_10k, "arm64", F_SW | F_HW, 0, NULL },
	{ "vmm/x86", run_vmm, "x86", F_SW | F_WATCH | F_MMIO | F_MULTI, 3, NULL },
	{ "vmm/arm64", run_vmm, "arm64", F_SW | F_WATCH | F_MMIO, 2, NULL },
	{ "vmm/s390", run_vmm, "s390", F_SW | F_WATCH, 1, NULL },
};

static unsigned int base_runs(void)
{
	const char *s = getenv("KVMDBG_PROP_RUNS");

	if (s)
		return (unsigned int)strtoul(s, NULL, 0);
	/* under qemu-user (the cross tier: MESON_EXE_WRAPPER is set) CPU work is 10-15x slower */
	return getenv("MESON_EXE_WRAPPER") ? 12 : 130;
}

static const struct arch_desc *arch_by_name(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(arches); i++)
		if (!strcmp(arches[i].name, name))
			return &arches[i];
	g_assert_true(false);
	return NULL;
}

static bool one_run(const struct prop_test *t, uint64_t seed)
{
	struct ctx *x = g_new0(struct ctx, 1);
	bool ok;

	x->ad = arch_by_name(t->arch);
	x->features = t->features;
	x->seed = seed;
	x->map_dirty = true;
	x->rng = g_rand_new_with_seed((guint32)(seed ^ (seed >> 32)));
	t->fn(x);
	ok = !x->failed;
	if (!ok) {
		g_test_message("%s: seed %" G_GINT64_MODIFIER "u (KVMDBG_SEED=%" G_GINT64_MODIFIER
			       "u reproduces it): %s", t->path, seed, seed, x->fail);
		g_test_message("last actions, oldest first (%lu turns):", x->turns);
		for (unsigned int i = x->ntrace > TRACE ? x->ntrace - TRACE : 0; i < x->ntrace; i++)
			g_test_message("  %s", x->trace[i % TRACE]);
		if (x->c)
			teardown_run(x);
	}
	g_rand_free(x->rng);
	g_free(x);
	return ok;
}

struct fixture {
	int unused;
};

static void run_test(struct fixture *fixture, gconstpointer data)
{
	const struct prop_test *t = data;
	const char *s = getenv("KVMDBG_SEED");
	unsigned int runs = t->weight ? base_runs() * t->weight / 4 : base_runs() / 75;
	unsigned int failures = 0;
	uint64_t base = 5381;

	(void)fixture;
	for (const char *p = t->path; *p; p++)
		base = base * 33 + (unsigned char)*p;
	base &= 0xffffffffu;

	if (s) {
		g_assert_true(one_run(t, strtoull(s, NULL, 0)));
		return;
	}
	if (!t->weight && getenv("MESON_EXE_WRAPPER") && !getenv("KVMDBG_PROP_RUNS")) {
		g_test_skip("10^4 breakpoints take minutes under qemu-user (KVMDBG_PROP_RUNS=1 "
			    "runs it)");
		return;
	}
	if (!runs)
		runs = 1;
	for (unsigned int i = 0; i < runs && !failures; i++)
		if (!one_run(t, base * 1000003u + i))
			failures++;
	g_test_message("%s: %u runs", t->path, runs);
	g_assert_cmpuint(failures, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
		char *path = g_strdup_printf("/kvmdbg/props/%s", tests[i].path);

		g_test_add(path, struct fixture, &tests[i], NULL, run_test, NULL);
		g_free(path);
	}
	return g_test_run();
}
