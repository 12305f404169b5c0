// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The model's rules, one small test each: first the rule on the model alone (raw
 * KVM_SET_GUEST_DEBUG bytes through the fake edge, model_run(), the exact kvm_run bytes), then,
 * where the library is involved, the same situation through the library's real code via the
 * client adapter.  The tests that showed defects of libkvmdbg 0.1 (tests/unit/
 * PROPS-FINDINGS.md) name them in their comments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "client.h"
#include "fake-kernel.h"
#include "kernel.h"
#include "model.h"

#define RAM 0x100000ull
#define RAM_SIZE 0x10000u
#define CODE (RAM + 0x1000)
#define DATA (RAM + 0x8000)
#define MMIO 0xf0000000ull
#define FD 600

static struct model *setup(enum model_arch a)
{
	fake_kernel_reset();
	return model_new(a, RAM, RAM_SIZE);
}

static uint64_t le(const void *run, size_t off, int n)
{
	const uint8_t *p = (const uint8_t *)run + off;
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t be(const void *run, size_t off, int n)
{
	const uint8_t *p = (const uint8_t *)run + off;
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[n - 1 - i] = (uint8_t)(v >> (8 * i));
}

/* A raw x86 KVM_SET_GUEST_DEBUG through the fake edge (in model mode: the model). */
static int x86_sgd(uint32_t control, uint64_t dr0, uint64_t dr7)
{
	uint8_t b[72];

	x86_image(b, control, dr0, 0, 0, 0, dr7);
	return kernel_set_guest_debug(FD, b, 72);
}

#define ASSERT_NO_MODEL_ERRORS(m)                                                            \
	do {                                                                                 \
		if (model_errors(m))                                                         \
			g_test_message("model error: %s", model_error_text(m));              \
		g_assert_cmpuint(model_errors(m), ==, 0);                                    \
	} while (0)

/* ----------------------------------------------------------------------------- x86 */

static struct model_vcpu *x86_raw(struct model **mp, struct kvm_run **runp)
{
	struct model *m = setup(MODEL_X86);
	uint64_t pc = CODE;

	for (int i = 0; i < 8; i++)
		pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_install(m);
	*mp = m;
	*runp = fake_run_new();
	return model_vcpu_new(m, FD, *runp, CODE);
}

/* Upstream x86 checks no control bits in KVM_SET_GUEST_DEBUG: anything is accepted. */
static void test_x86_accepts_any_bits(void)
{
	struct model *m;
	struct kvm_run *run;
	struct model_vcpu *v = x86_raw(&m, &run);

	g_assert_cmpint(x86_sgd(0x80000001u, 0, 0), ==, 0);
	g_assert_cmphex(model_guest_debug(v), ==, 0x80000001u);
	/* without ENABLE the state is 0 whatever else is set */
	g_assert_cmpint(x86_sgd(0x00030002u, 0, 0), ==, 0);
	g_assert_cmphex(model_guest_debug(v), ==, 0);
	model_free(m);
	g_free(run);
}

/* SINGLESTEP: one #DB exit per instruction, pc = the next one, dr6 0xffff4ff0, dr7 the DR7. */
static void test_x86_step_exits(void)
{
	struct model *m;
	struct kvm_run *run;
	struct model_vcpu *v = x86_raw(&m, &run);

	g_assert_cmpint(x86_sgd(0x3, 0, 0), ==, 0);
	g_assert_true(model_x86_hw_tf(v));
	for (int i = 1; i <= 3; i++) {
		g_assert_cmpint(model_run(v), ==, 0);
		g_assert_cmpuint(le(run, 8, 4), ==, 4);
		g_assert_cmpuint(le(run, 32, 4), ==, 1);
		g_assert_cmphex(le(run, 40, 8), ==, CODE + (uint64_t)i);
		g_assert_cmphex(le(run, 48, 8), ==, 0xffff4ff0ull);
		g_assert_cmphex(le(run, 56, 8), ==, 0x400);
	}
	model_free(m);
	g_free(run);
}

/*
 * KVM_SET_REGS to another pc between two steps drops TF (singlestep_rip no longer matches):
 * without a new KVM_SET_GUEST_DEBUG the vCPU runs free.
 */
static void test_x86_set_regs_drops_tf(void)
{
	struct model *m;
	struct kvm_run *run;
	struct model_vcpu *v = x86_raw(&m, &run);

	model_set_budget(m, 50);
	g_assert_cmpint(x86_sgd(0x3, 0, 0), ==, 0);
	/* at singlestep_rip itself KVM_SET_REGS keeps TF */
	model_set_regs(v, CODE, false);
	g_assert_true(model_x86_hw_tf(v));
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_STEP);
	/* natively TF stays in RFLAGS from step to step ... */
	g_assert_true(model_x86_hw_tf(v));
	/* ... until RFLAGS is written anywhere but at singlestep_rip, the same pc included */
	model_set_regs(v, CODE + 1, false);
	g_assert_false(model_x86_hw_tf(v));
	model_set_regs(v, CODE + 4, false);
	g_assert_false(model_x86_hw_tf(v));
	g_assert_cmpint(model_run(v), ==, -EINTR); /* ran its budget of 50: the timer signal */
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_INTR);
	g_assert_cmpuint(le(run, 8, 4), ==, 10);
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 50);
	/* a new KVM_SET_GUEST_DEBUG captures the pc again */
	g_assert_cmpint(x86_sgd(0x3, 0, 0), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_STEP);
	model_free(m);
	g_free(run);
}

/* The same through the library: gdb's "set $pc" then stepi must still step one instruction. */
static void test_x86_lib_step_after_set_regs(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = CODE;

	for (int i = 0; i < 8; i++)
		pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_set_budget(m, 50);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_set_step(c, 0, true), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_STEP);
	g_assert_cmphex(e.pc, ==, CODE + 1);
	model_set_regs(client_mvcpu(c, 0), CODE + 4, false);
	e = client_turn(c, 0);
	g_test_message("after KVM_SET_REGS: ret %d type %s pc 0x%" G_GINT64_MODIFIER "x, "
		       "model retired %" G_GINT64_MODIFIER "u", e.ret, client_event_name(e.type),
		       e.pc, model_last_exit(client_mvcpu(c, 0))->retired);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_STEP);
	g_assert_cmphex(e.pc, ==, CODE + 5);
	client_free(c);
	model_free(m);
}

/*
 * An emulated MMIO load: KVM_EXIT_MMIO first; the next KVM_RUN completes it in the emulator,
 * which steps (guest_debug SINGLESTEP) with no dr7 written, and leaves TF out of RFLAGS.
 */
static void test_x86_mmio_load_step_drops_tf(void)
{
	struct model *m = setup(MODEL_X86);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	struct model_insn in = { .pc = CODE, .kind = MI_MMIO_LOAD, .addr = MMIO, .size = 4 };
	uint64_t pc = model_add(m, &in);
	uint64_t dr7a;

	pc = model_nop(m, pc);
	model_jump(m, pc, CODE + 4);
	model_set_budget(m, 20);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	g_assert_cmpint(x86_sgd(0x3, 0, 0), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpuint(le(run, 8, 4), ==, 6);             /* KVM_EXIT_MMIO */
	g_assert_cmphex(le(run, 32, 8), ==, MMIO);
	g_assert_cmpuint(((uint8_t *)run)[52], ==, 0);
	g_assert_cmphex(model_pc(v), ==, CODE);             /* not retired yet */
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_STEP);
	g_assert_cmphex(le(run, 40, 8), ==, CODE + 4);
	g_assert_cmphex(le(run, 48, 8), ==, 0xffff4ff0ull);
	dr7a = le(run, 56, 8);
	g_assert_false(model_x86_hw_tf(v));
	g_assert_cmpint(model_run(v), ==, -EINTR);          /* runs free */
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 20);
	/* dr7 of that step exit was not written: another garbage seed, another value */
	(void)dr7a;
	model_free(m);
	g_free(run);
}

/* An MMIO store that exits to userspace is never reported as a step (complete_emulated_mmio). */
static void test_x86_mmio_store_no_step(void)
{
	struct model *m = setup(MODEL_X86);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	struct model_insn in = { .pc = CODE, .kind = MI_MMIO_STORE, .addr = MMIO, .size = 4 };
	uint64_t pc = model_add(m, &in);

	pc = model_nop(m, pc);
	model_jump(m, pc, CODE + 4);
	model_set_budget(m, 20);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	g_assert_cmpint(x86_sgd(0x3, 0, 0), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpuint(le(run, 8, 4), ==, 6);
	g_assert_cmpuint(((uint8_t *)run)[52], ==, 1);
	g_assert_cmphex(model_pc(v), ==, CODE + 4);         /* retired at the writeback */
	g_assert_false(model_x86_hw_tf(v));
	g_assert_cmpint(model_run(v), ==, -EINTR);          /* no step for it, and none after */
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 20);
	model_free(m);
	g_free(run);
}

/* The same through the library: stepping over an MMIO load must go on one by one. */
static void test_x86_lib_step_after_mmio(void)
{
	struct model *m = setup(MODEL_X86);
	struct model_insn in = { .pc = CODE, .kind = MI_MMIO_LOAD, .addr = MMIO, .size = 4 };
	struct client *c;
	struct client_event e;
	uint64_t pc;

	pc = model_add(m, &in);
	pc = model_nop(m, pc);
	model_jump(m, pc, CODE + 4);
	model_set_budget(m, 20);
	model_install(m);
	c = client_new(m, 1, CODE);
	client_set_step(c, 0, true);
	e = client_turn(c, 0);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_NOT_DEBUG);  /* the MMIO exit */
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_STEP);
	g_assert_cmphex(e.pc, ==, CODE + 4);
	e = client_turn(c, 0);
	g_test_message("next stepi: ret %d type %s pc 0x%" G_GINT64_MODIFIER "x", e.ret,
		       client_event_name(e.type), e.pc);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_STEP);
	g_assert_cmphex(e.pc, ==, CODE + 5);
	client_free(c);
	model_free(m);
}

/* #BP exits write exit_reason, exception and pc only: dr6, dr7 and pad keep the garbage. */
static void test_x86_bp_exit_fields(void)
{
	uint64_t dr6[2];

	for (int k = 0; k < 2; k++) {
		struct model *m = setup(MODEL_X86);
		struct kvm_run *run = fake_run_new();
		struct model_insn in = { .pc = CODE, .kind = MI_BRK };
		struct model_vcpu *v;

		model_add(m, &in);
		model_set_garbage_seed(m, 1000 + (uint64_t)k);
		model_install(m);
		v = model_vcpu_new(m, FD, run, CODE);
		g_assert_cmpint(x86_sgd(0x10001, 0, 0), ==, 0);
		g_assert_cmpint(model_run(v), ==, 0);
		g_assert_cmpint(model_last_exit(v)->kind, ==, ME_BP_INSN);
		g_assert_true(model_last_exit(v)->own);
		g_assert_cmpuint(le(run, 32, 4), ==, 3);
		g_assert_cmphex(le(run, 40, 8), ==, CODE);
		dr6[k] = le(run, 48, 8);
		model_free(m);
		g_free(run);
	}
	g_assert_cmphex(dr6[0], !=, dr6[1]);
}

/* A hardware execute breakpoint: dr6 = 0xffff0ff0 | 1 << n, dr7 the DR7; fires again without RF. */
static void test_x86_hw_bp_refire_and_rf(void)
{
	struct model *m;
	struct kvm_run *run;
	struct model_vcpu *v = x86_raw(&m, &run);
	uint64_t dr7 = 0x400 | 1ull << 3; /* G1 */

	g_assert_cmpint(x86_sgd(0x20001, 0, dr7), ==, 0); /* DR1 = 0: never fires */
	{
		uint8_t b[72];

		x86_image(b, 0x20001, 0, CODE + 2, 0, 0, dr7);
		g_assert_cmpint(kernel_set_guest_debug(FD, b, 72), ==, 0);
	}
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_HW_BP);
	g_assert_cmphex(le(run, 40, 8), ==, CODE + 2);
	g_assert_cmphex(le(run, 48, 8), ==, 0xffff0ff2ull);
	g_assert_cmphex(le(run, 56, 8), ==, dr7);
	g_assert_cmpint(model_run(v), ==, 0);               /* again, at the same pc */
	g_assert_cmphex(le(run, 40, 8), ==, CODE + 2);
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 0);
	/* RF set through KVM_SET_REGS: natively it passes once */
	model_set_regs(v, CODE + 2, true);
	g_assert_cmpint(model_run(v), ==, 0);              /* ... and fires on the next lap */
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 9);
	model_free(m);
	g_free(run);
}

/* KVM's emulator ignores RF for its code-breakpoint check while USE_HW_BP is on. */
static void test_x86_emulator_ignores_rf(void)
{
	struct model *m = setup(MODEL_X86);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	uint8_t b[72];
	uint64_t pc = CODE;

	for (int i = 0; i < 4; i++)
		pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_set_x86_emulate_all(m, true);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	x86_image(b, 0x20001, CODE + 1, 0, 0, 0, 0x402);
	g_assert_cmpint(kernel_set_guest_debug(FD, b, 72), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_HW_BP);
	model_set_regs(v, CODE + 1, true);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_HW_BP);
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 0);
	model_free(m);
	g_free(run);
}

/* A write watchpoint traps after the store: pc = the next instruction, DR6.Bn, memory written. */
static void test_x86_watch_after_access(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = CODE, after;
	uint8_t before[4];

	pc = model_nop(m, pc);
	after = model_store(m, pc, DATA, 4);
	pc = model_nop(m, after);
	model_jump(m, pc, CODE);
	model_install(m);
	memcpy(before, model_ram(m) + (DATA - RAM), 4);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA, 4, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.pc, ==, after);
	g_assert_cmphex(e.status, ==, 0xffff0ff1ull);
	g_assert_cmpint(memcmp(before, model_ram(m) + (DATA - RAM), 4), !=, 0);
	/* and it goes on: the next lap stops at the same place */
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.pc, ==, after);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* DR6.Bn only for an enabled slot: an address in a disabled DR0 does not fire. */
static void test_x86_disabled_slot_silent(void)
{
	struct model *m = setup(MODEL_X86);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	uint8_t b[72];
	uint64_t pc = model_store(m, CODE, DATA, 4);

	model_jump(m, pc, CODE);
	model_set_budget(m, 10);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	/* DR0 = DATA, R/W 01 LEN 11, but neither L0 nor G0 */
	x86_image(b, 0x20001, DATA, 0, 0, 0, 0x400 | 0xdull << 16);
	g_assert_cmpint(kernel_set_guest_debug(FD, b, 72), ==, 0);
	g_assert_cmpint(model_run(v), ==, -EINTR);
	g_assert_cmpuint(model_last_exit(v)->retired, ==, 10);
	model_free(m);
	g_free(run);
}

/* icebp: #DB with no cause bit; the library calls it the guest's own. */
static void test_x86_icebp(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE);

	pc = model_simple(m, pc, MI_ICEBP, 0);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	client_set_step(c, 0, true);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_STEP);
	e = client_turn(c, 0);
	g_assert_cmpint(model_last_exit(client_mvcpu(c, 0))->kind, ==, ME_GUEST_DB);
	g_assert_cmphex(le(client_run_buf(c, 0), 48, 8), ==, 0xffff0ff0ull);
	g_assert_cmphex(le(client_run_buf(c, 0), 40, 8), ==, CODE + 1);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_test_message("icebp: event %s", client_event_name(e.type));
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_GUEST_DEBUG);
	g_assert_cmphex(e.status, ==, 0xffff0ff0ull);
	g_assert_cmphex(e.pc, ==, CODE + 1);
	client_free(c);
	model_free(m);
}

/* DR7.GD: DR6.BD before the mov executes; the library reports it and then lets it run. */
static void test_x86_gd(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), mov = pc;

	pc = model_simple(m, pc, MI_MOV_DR, 0);
	pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_set_trap_debug_regs(c, 0, true), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_DEBUG_REG_ACCESS);
	g_assert_cmphex(e.pc, ==, mov);
	g_assert_cmphex(e.status, ==, 0xffff2ff0ull);
	g_assert_cmpuint(model_last_exit(client_mvcpu(c, 0))->retired, ==, 1);
	/* running again executes the mov (GD off for one step), then traps on the next lap */
	e = client_turn(c, 0);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_RESUME);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_DEBUG_REG_ACCESS);
	g_assert_cmphex(e.pc, ==, mov);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/*
 * immediate_exit: -EINTR without entering the guest and without writing exit_reason, but only
 * after a pending MMIO load was completed, which may itself end in a step exit (returns 0).
 */
static void test_x86_immediate_exit_order(void)
{
	struct model *m = setup(MODEL_X86);
	struct kvm_run *run = fake_run_new();
	struct model_insn in = { .pc = CODE, .kind = MI_MMIO_LOAD, .addr = MMIO, .size = 4 };
	struct model_vcpu *v;
	uint64_t pc = model_add(m, &in);

	model_jump(m, pc, CODE);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	g_assert_cmpint(x86_sgd(0x3, 0, 0), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);             /* KVM_EXIT_MMIO */
	((uint8_t *)run)[1] = 1;
	g_assert_cmpint(model_run(v), ==, 0);             /* completion, step exit */
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_STEP);
	g_assert_cmpuint(le(run, 8, 4), ==, 4);
	g_assert_cmpint(model_run(v), ==, -EINTR);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_IMMEDIATE);
	g_assert_cmpuint(le(run, 8, 4), ==, 4);            /* exit_reason untouched */
	((uint8_t *)run)[1] = 0;
	model_signal(v);
	g_assert_cmpint(model_run(v), ==, -EINTR);
	g_assert_cmpuint(le(run, 8, 4), ==, 10);           /* KVM_EXIT_INTR */
	model_free(m);
	g_free(run);
}

/* Library software breakpoint: hit, continue (step over), hit again; memory intact. */
static void test_x86_lib_sw_bp(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = CODE, bp;
	uint8_t *copy;

	for (int i = 0; i < 3; i++)
		pc = model_nop(m, pc);
	bp = pc;
	pc = model_store(m, pc, DATA, 4);
	model_jump(m, pc, CODE);
	model_install(m);
	copy = g_memdup2(model_ram(m), RAM_SIZE);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, bp, 0, 0), ==, 0);
	for (int lap = 0; lap < 3; lap++) {
		do
			e = client_turn(c, 0);
		while (e.ret == KVMDBG_EXIT_RESUME);
		g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
		g_assert_cmphex(e.pc, ==, bp);
		g_assert_cmphex(e.point_addr, ==, bp);
	}
	g_assert_cmpint(client_remove(c, -1, KVMDBG_POINT_SW_BREAK, bp), ==, 0);
	/* the data the guest stored differs; the code is byte-identical */
	g_assert_cmpmem(model_ram(m) + 0x1000, 0x1000, copy + 0x1000, 0x1000);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
	g_free(copy);
}

/* The model flags guest code that is not the program's (and is not a breakpoint). */
static void test_model_detects_corruption(void)
{
	struct model *m;
	struct kvm_run *run;
	struct model_vcpu *v = x86_raw(&m, &run);
	uint8_t junk = 0x42;

	model_guest_write(m, CODE + 2, &junk, 1);
	g_assert_cmpint(model_run(v), ==, -EIO);
	g_assert_cmpuint(model_errors(m), ==, 1);
	g_assert_nonnull(strstr(model_error_text(m), "not the program's"));
	model_free(m);
	g_free(run);
}

/*
 * An instruction that crosses a page boundary onto a physical page that is not the next one:
 * the model fetches it through the page map, and a library breakpoint on it works.
 */
static void test_x86_page_crossing(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	struct model_insn in = { .pc = 0x400ffe, .kind = MI_STORE, .addr = DATA, .size = 4,
				 .len = 5 };
	uint64_t pc;

	model_map_page(m, 0x400000, RAM + 0x3000);
	model_map_page(m, 0x401000, RAM + 0x5000);
	pc = model_add(m, &in);
	model_jump(m, pc, 0x400ffe);
	model_install(m);
	g_assert_cmphex(model_ram(m)[0x3ffe], ==, 0x89);
	g_assert_cmphex(model_ram(m)[0x5003], ==, 0xeb);       /* the jump, on the next page */
	c = client_new(m, 1, 0x401003);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, 0x400ffe, 0, 0), ==, 0);
	g_assert_cmphex(model_ram(m)[0x3ffe], ==, 0xcc);
	for (int lap = 0; lap < 3; lap++) {
		do
			e = client_turn(c, 0);
		while (e.ret == KVMDBG_EXIT_RESUME);
		g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
		g_assert_cmphex(e.pc, ==, 0x400ffe);
	}
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}


/*
 * A vCPU stopped in the middle of a step-over (gdb all-stop kicked it right after its
 * pre_run took the slot off) while the user replaces that hardware breakpoint by a
 * watchpoint, which takes the same slot: the stepped-over instruction writes the watched
 * address and the watchpoint must fire.
 */
static void test_x86_step_over_slot_reuse(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), st = pc, after;

	after = model_store(m, pc, DATA, 4);
	pc = model_nop(m, after);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_HW_BREAK, st, 0, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmphex(e.pc, ==, st);
	/* continue, but another vCPU's stop kicks this one at once: no instruction runs */
	client_kick(c, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmphex(model_pc(client_mvcpu(c, 0)), ==, st);
	/* the user deletes the breakpoint and watches what the instruction there writes */
	g_assert_cmpint(client_remove(c, -1, KVMDBG_POINT_HW_BREAK, st), ==, 0);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA, 4, 0), ==, 0);
	e = client_turn(c, 0);
	g_test_message("after the store at 0x%" G_GINT64_MODIFIER "x: ret %d %s; DR7 in the "
		       "kernel enables the watch: %d", st, e.ret, client_event_name(e.type),
		       model_hw_enabled_at(client_mvcpu(c, 0), true, DATA));
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.pc, ==, after);
	client_free(c);
	model_free(m);
}

/* ----------------------------------------------------------------------------- arm64 */

static int arm64_sgd(uint32_t control)
{
	uint8_t b[520] = { 0 };

	put_le(b, control, 4);
	return kernel_set_guest_debug(FD, b, 520);
}

static void test_arm64_refuses_unknown_bits(void)
{
	struct model *m = setup(MODEL_ARM64);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;

	model_nop(m, CODE);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	g_assert_cmpint(arm64_sgd(0x40001), ==, -EINVAL);
	g_assert_cmpint(arm64_sgd(0x30003), ==, 0);
	g_assert_cmphex(model_guest_debug(v), ==, 0x30003);
	model_free(m);
	g_free(run);
}

/* ESR classes and what each exit writes: far only for watchpoints; HSR_HIGH_VALID in flags. */
static void test_arm64_esr_classes(void)
{
	struct model *m = setup(MODEL_ARM64);
	struct client *c;
	struct client_event e;
	struct model_insn brk = { .pc = CODE + 12, .kind = MI_BRK, .imm = 0x7 };
	uint64_t pc = model_nop(m, CODE);
	uint64_t far1, far2;

	pc = model_store(m, pc, DATA + 4, 4);
	pc = model_nop(m, pc);
	pc = model_add(m, &brk);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_hw_slots(c, false), ==, 6);
	g_assert_cmpint(client_hw_slots(c, true), ==, 4);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_HW_BREAK, CODE, 0, 0), ==, 0);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA + 4, 4, 0), ==, 0);
	/* a software breakpoint (at the jump) makes every BRK exit, the guest's own too */
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, CODE + 16, 0, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmphex(e.exception, ==, 0x30);
	g_assert_cmphex(e.pc, ==, CODE);
	g_assert_cmphex(le(client_run_buf(c, 0), 14, 2), ==, 1);
	far1 = le(client_run_buf(c, 0), 40, 8);
	/* continue: step over with the slot off (a step exit), then the watchpoint */
	do
		e = client_turn(c, 0);
	while (e.ret == KVMDBG_EXIT_RESUME);
	far2 = le(client_run_buf(c, 0), 40, 8);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.exception, ==, 0x34);
	g_assert_cmphex(e.status & (1u << 6), ==, 1u << 6);  /* WnR */
	g_assert_cmphex(far2, ==, DATA);                      /* the access, rounded down */
	g_assert_cmphex(e.pc, ==, CODE + 4);                  /* before the store ran */
	g_assert_cmphex(far1, !=, DATA);                      /* stale garbage */
	do
		e = client_turn(c, 0);
	while (e.ret == KVMDBG_EXIT_RESUME);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(e.exception, ==, 0x3c);
	g_assert_cmphex(e.status & 0xffff, ==, 0x7);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* A watchpoint exit comes before the access: memory still holds the old bytes. */
static void test_arm64_watch_before_access(void)
{
	struct model *m = setup(MODEL_ARM64);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	uint8_t b[520] = { 0 }, before[8];
	uint64_t pc = model_store(m, CODE, DATA, 8);

	model_jump(m, pc, CODE);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	memcpy(before, model_ram(m) + (DATA - RAM), 8);
	put_le(b, 0x20001, 4);
	put_le(b + 264, 1 | 3 << 1 | 2 << 3 | 0xff << 5, 8);  /* store, all 8 bytes */
	put_le(b + 392, DATA, 8);
	g_assert_cmpint(kernel_set_guest_debug(FD, b, 520), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_WATCH);
	g_assert_cmphex(model_pc(v), ==, CODE);
	g_assert_cmpmem(model_ram(m) + (DATA - RAM), 8, before, 8);
	model_free(m);
	g_free(run);
}

/* An STP whose pair starts 8 bytes below a watched doubleword: FAR is below the range. */
static void test_arm64_stp_far_below(void)
{
	struct model *m = setup(MODEL_ARM64);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), stp = pc;
	int resumes = 0;

	pc = model_store(m, pc, DATA - 8, 16);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA, 8, 0), ==, 0);
	/* the model's rule first */
	e = client_turn(c, 0);
	g_assert_cmpint(model_last_exit(client_mvcpu(c, 0))->kind, ==, ME_WATCH);
	g_assert_cmphex(model_last_exit(client_mvcpu(c, 0))->far, ==, DATA - 8);
	g_assert_cmphex(le(client_run_buf(c, 0), 40, 8), ==, DATA - 8);
	while (e.ret == KVMDBG_EXIT_RESUME && resumes < 100) {
		resumes++;
		e = client_turn(c, 0);
	}
	g_test_message("after %d RESUMEs: ret %d type %s, model pc 0x%" G_GINT64_MODIFIER "x",
		       resumes, e.ret, client_event_name(e.type), model_pc(client_mvcpu(c, 0)));
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.pc, ==, stp);
	client_free(c);
	model_free(m);
}

/*
 * Two watchpoints in one doubleword, [W, +4) and [W + 4, +4): a 2-byte store at W + 4 hits
 * the second; FAR, rounded down, is W.  The event must name the second one.
 */
static void test_arm64_two_watch_one_dword(void)
{
	struct model *m = setup(MODEL_ARM64);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_store(m, CODE, DATA + 4, 2);

	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA, 4, 0), ==, 0);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA + 4, 4, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(model_last_exit(client_mvcpu(c, 0))->slot, ==, 1);
	g_assert_cmphex(model_last_exit(client_mvcpu(c, 0))->far, ==, DATA);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_test_message("named watchpoint: 0x%" G_GINT64_MODIFIER "x", e.point_addr);
	/*
	 * The exit says neither which slot fired nor how long the access was: the hit goes to
	 * the watchpoint closest to FAR, here the first one, which the store did not touch.
	 * Linux's own arm64 watchpoint handler has the same limit (documented in the header).
	 */
	g_assert_cmphex(e.point_addr, ==, DATA);
	client_free(c);
	model_free(m);
}

/* After an MMIO exit the next KVM_RUN completes the instruction: a pc set between is skipped. */
static void test_arm64_mmio_completion(void)
{
	struct model *m = setup(MODEL_ARM64);
	struct kvm_run *run = fake_run_new();
	struct model_insn in = { .pc = CODE, .kind = MI_MMIO_STORE, .addr = MMIO, .size = 4 };
	struct model_vcpu *v;
	uint64_t pc = model_add(m, &in);

	for (int i = 0; i < 4; i++)
		pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	g_assert_cmpint(arm64_sgd(0x3), ==, 0);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpuint(le(run, 8, 4), ==, 6);
	g_assert_cmphex(model_pc(v), ==, CODE);
	model_set_regs(v, CODE + 8, false);
	((uint8_t *)run)[1] = 1;
	g_assert_cmpint(model_run(v), ==, -EINTR);        /* completion ran first */
	g_assert_cmphex(model_pc(v), ==, CODE + 12);
	((uint8_t *)run)[1] = 0;
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_STEP);
	g_assert_cmphex(model_pc(v), ==, CODE + 16);
	model_free(m);
	g_free(run);
}

/* ----------------------------------------------------------------------------- ppc */

static void ppc_sgd_raw(uint32_t control)
{
	uint8_t b[264] = { 0 };

	put_be(b, control, 4);
	g_assert_cmpint(kernel_set_guest_debug(FD, b, 264), ==, 0);
}

/* Book3S PR: debug instruction -> status 0, address = pc; step exits leave both stale. */
static void test_ppc_pr(void)
{
	struct model *m = setup(MODEL_PPC_PR);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), bp = pc;

	pc = model_nop(m, pc);
	pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, bp, 0, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmphex(e.pc, ==, bp);
	g_assert_cmphex(be(client_run_buf(c, 0), 32, 8), ==, bp);
	g_assert_cmphex(be(client_run_buf(c, 0), 40, 4), ==, 0);
	client_set_step(c, 0, true);
	/* the step over the breakpoint, reported as a step */
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_STEP);
	g_assert_cmphex(e.pc, ==, bp + 4);
	g_assert_cmphex(be(client_run_buf(c, 0), 32, 8), !=, bp + 4);  /* stale */
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* PR in guest problem state: the debug instruction is a program interrupt, no exit. */
static void test_ppc_pr_problem_state(void)
{
	struct model *m = setup(MODEL_PPC_PR);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	uint8_t insn[4] = { 0x00, 0xdd, 0xdd, 0x00 };
	uint64_t pc = model_nop(m, CODE);

	model_jump(m, pc, CODE);
	model_set_ppc_problem_state(m, true);
	model_set_budget(m, 4);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	model_guest_write(m, CODE, insn, 4);
	ppc_sgd_raw(0x10001);
	g_assert_cmpint(model_run(v), ==, -EINTR);
	g_assert_cmpuint(model_guest_exceptions(v), >, 0);
	g_assert_cmpuint(model_errors(m), >, 0);
	model_free(m);
	g_free(run);
}

/* Book3S stores control as is: HV acts on USE_SW_BP without ENABLE; only address is written. */
static void test_ppc_hv_raw(void)
{
	struct model *m = setup(MODEL_PPC_HV);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;
	uint8_t insn[4] = { 0x00, 0xdd, 0xdd, 0x00 };
	uint64_t pc = model_nop(m, CODE);

	model_jump(m, pc, CODE);
	model_install(m);
	v = model_vcpu_new(m, FD, run, CODE);
	model_guest_write(m, CODE + 4, insn, 4);
	ppc_sgd_raw(0x10000); /* no ENABLE */
	memset((uint8_t *)run + 40, 0xee, 4);
	g_assert_cmpint(model_run(v), ==, 0);
	g_assert_cmpint(model_last_exit(v)->kind, ==, ME_BP_INSN);
	g_assert_cmphex(be(run, 32, 8), ==, CODE + 4);
	g_assert_cmphex(be(run, 40, 4), !=, 0);        /* status not written */
	model_free(m);
	g_free(run);
}

/* Through the library: an HV software breakpoint with a stale status is still the library's. */
static void test_ppc_hv_lib_oneshot(void)
{
	struct model *m = setup(MODEL_PPC_HV);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), bp = pc;
	bool armed = true;

	pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_set_garbage_seed(m, 7);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, bp, 0, KVMDBG_POINT_ONESHOT),
			==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(model_last_exit(client_mvcpu(c, 0))->kind, ==, ME_BP_INSN);
	g_test_message("status word left in kvm_run: 0x%08" G_GINT64_MODIFIER "x; event %s",
		       be(client_run_buf(c, 0), 40, 4), client_event_name(e.type));
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
	client_point_state(c, -1, KVMDBG_POINT_SW_BREAK, bp, &armed, NULL);
	g_assert_false(armed);
	client_free(c);
	model_free(m);
}

/* BookE: IAC stops before the instruction (BREAKPOINT, address = pc); DAC after the access. */
static void test_ppc_booke(void)
{
	struct model *m = setup(MODEL_PPC_BOOKE);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), st = pc, after;

	after = model_store(m, pc, DATA, 4);
	pc = model_nop(m, after);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_hw_slots(c, false), ==, 2);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_HW_BREAK, st, 0, 0), ==, 0);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA, 4, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmphex(e.pc, ==, st);
	g_assert_cmphex(e.status, ==, 2);
	do
		e = client_turn(c, 0);
	while (e.ret == KVMDBG_EXIT_RESUME);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.data_addr, ==, DATA);
	g_assert_cmphex(e.pc, ==, after);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* ----------------------------------------------------------------------------- s390 */

static int s390_sgd(uint32_t control, uint32_t nr, const void *arr)
{
	uint8_t b[24] = { 0 };

	put_be(b, control, 4);
	put_be(b + 8, nr, 4);
	put_be(b + 16, (uint64_t)(uintptr_t)arr, 8);
	return kernel_set_guest_debug(FD, b, 24);
}

/*
 * The capability advertises EXIT_PENDING (0x10010003) but the ioctl refuses it, after clearing
 * the old state: a failed call leaves debugging off.  USE_HW_BP with no entries is accepted
 * (kvm_s390_import_bp_data returns 0 for nr_hw_bp <= 0).
 */
static void test_s390_sgd_rules(void)
{
	struct model *m = setup(MODEL_S390);
	struct kvm_run *run = fake_run_new();
	struct model_vcpu *v;

	model_nop(m, CODE);
	model_install(m);
	g_assert_cmpint(kernel_check_extension(1, 195), ==, 0x10010003);
	v = model_vcpu_new(m, FD, run, CODE);
	g_assert_cmpint(s390_sgd(0x3, 0, NULL), ==, 0);
	g_assert_cmphex(model_guest_debug(v), ==, 0x3);
	g_assert_cmpint(s390_sgd(0x10000003, 0, NULL), ==, -EINVAL);
	g_assert_cmphex(model_guest_debug(v), ==, 0);
	g_assert_cmpint(s390_sgd(0x10001, 0, NULL), ==, 0);
	g_assert_cmphex(model_guest_debug(v), ==, 0x10001);
	model_free(m);
	g_free(run);
}

/* USER_INSTR0: 0x0000 intercept 0x2c with the PSW past it; the library rewinds it. */
static void test_s390_user_instr0(void)
{
	struct model *m = setup(MODEL_S390);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), bp = pc;

	pc = model_store(m, pc, DATA, 4);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, bp, 0, 0), ==, 0);
	g_assert_cmphex(model_ram(m)[bp - RAM], ==, 0);
	g_assert_cmphex(model_ram(m)[bp - RAM + 1], ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmphex(e.exception, ==, 0x2c);
	g_assert_cmphex(e.pc, ==, bp);
	g_assert_cmphex(be(client_run_buf(c, 0), 40, 8), ==, bp);   /* rewound */
	do
		e = client_turn(c, 0);
	while (e.ret == KVMDBG_EXIT_RESUME);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* Without USER_INSTR0, DIAG 0x501: intercept 4, PSW past its 4 bytes. */
static void test_s390_diag(void)
{
	struct model *m = setup(MODEL_S390);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), bp = pc;

	pc = model_store(m, pc, DATA, 4);
	model_jump(m, pc, CODE);
	model_set_user_instr0(m, false);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, bp, 0, 0), ==, 0);
	g_assert_cmphex(model_ram(m)[bp - RAM], ==, 0x83);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmphex(e.exception, ==, 0x04);
	g_assert_cmphex(e.pc, ==, bp);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* A watchpoint fires only when the watched bytes changed since KVM_SET_GUEST_DEBUG. */
static void test_s390_watch_value_change(void)
{
	struct model *m = setup(MODEL_S390);
	struct client *c;
	struct client_event e;
	struct model_insn same = { .pc = CODE, .kind = MI_STORE, .addr = DATA, .size = 4,
				   .flags = MIF_SAME_VALUE };
	uint64_t pc = model_add(m, &same), st = pc, after;

	after = model_store(m, pc, DATA, 4);
	pc = model_nop(m, after);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_WATCH_WRITE, DATA, 4, 0), ==, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.pc, ==, after);       /* the same-value store at CODE was invisible */
	g_assert_cmpuint(model_last_exit(client_mvcpu(c, 0))->retired, ==, 2);
	(void)st;
	/* the library sends the state anew, so the next lap's same-value store is invisible too */
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_cmphex(e.pc, ==, after);
	g_assert_cmpuint(model_last_exit(client_mvcpu(c, 0))->retired, ==, 4);
	client_free(c);
	model_free(m);
}

/* ----------------------------------------------------------------------------- riscv */

/* ebreak and c.ebreak exit with ENABLE; no single-step (the library refuses it). */
static void test_riscv(void)
{
	struct model *m = setup(MODEL_RISCV);
	struct client *c;
	struct client_event e;
	struct model_insn cnop = { .pc = CODE + 4, .kind = MI_NOP, .len = 2 };
	uint64_t pc = model_nop(m, CODE);

	pc = model_add(m, &cnop);
	pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_set_step(c, 0, true), ==, -EOPNOTSUPP);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_SW_BREAK, CODE + 4, 0,
				      KVMDBG_POINT_ONESHOT), ==, 0);
	g_assert_cmphex(model_ram(m)[CODE + 4 - RAM], ==, 0x02);   /* c.ebreak */
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmphex(e.pc, ==, CODE + 4);
	/* the one-shot put the original back: the next lap runs through */
	model_set_budget(m, 10);
	e = client_turn(c, 0);
	g_assert_cmpint(e.run_ret, ==, -EINTR);
	ASSERT_NO_MODEL_ERRORS(m);
	client_free(c);
	model_free(m);
}

/* ----------------------------------------------------------------------------- (a) */

/*
 * A hardware breakpoint removed and inserted again at the same address while the vCPU is not
 * stopped at it (gdb removes and re-inserts every Z point at every stop) must still be
 * recognised when it fires.
 */
static void test_hw_reinsert_same_addr(void)
{
	struct model *m = setup(MODEL_X86);
	struct client *c;
	struct client_event e;
	uint64_t pc = model_nop(m, CODE), hw;
	int resumes = 0;

	pc = model_nop(m, pc);
	hw = pc;
	pc = model_nop(m, pc);
	model_jump(m, pc, CODE);
	model_install(m);
	c = client_new(m, 1, CODE);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_HW_BREAK, hw, 0, 0), ==, 0);
	/* a stop elsewhere, with no step-over to follow: gdb's Ctrl-C (a kick) */
	client_kick(c, 0);
	e = client_turn(c, 0);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmphex(model_pc(client_mvcpu(c, 0)), ==, CODE);
	g_assert_cmpint(client_remove(c, -1, KVMDBG_POINT_HW_BREAK, hw), ==, 0);
	g_assert_cmpint(client_insert(c, -1, KVMDBG_POINT_HW_BREAK, hw, 0, 0), ==, 0);
	do {
		e = client_turn(c, 0);
	} while (e.ret == KVMDBG_EXIT_RESUME && ++resumes < 100);
	g_test_message("after %d RESUMEs: ret %d type %s pc 0x%" G_GINT64_MODIFIER "x", resumes,
		       e.ret, client_event_name(e.type), e.pc);
	g_assert_cmpint(e.ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(e.type, ==, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmphex(e.pc, ==, hw);
	client_free(c);
	model_free(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/model/x86/accepts-any-bits", test_x86_accepts_any_bits);
	g_test_add_func("/kvmdbg/model/x86/step-exits", test_x86_step_exits);
	g_test_add_func("/kvmdbg/model/x86/set-regs-drops-tf", test_x86_set_regs_drops_tf);
	g_test_add_func("/kvmdbg/model/x86/lib-step-after-set-regs",
			test_x86_lib_step_after_set_regs);
	g_test_add_func("/kvmdbg/model/x86/mmio-load-step-drops-tf",
			test_x86_mmio_load_step_drops_tf);
	g_test_add_func("/kvmdbg/model/x86/mmio-store-no-step", test_x86_mmio_store_no_step);
	g_test_add_func("/kvmdbg/model/x86/lib-step-after-mmio", test_x86_lib_step_after_mmio);
	g_test_add_func("/kvmdbg/model/x86/bp-exit-fields", test_x86_bp_exit_fields);
	g_test_add_func("/kvmdbg/model/x86/hw-bp-refire-and-rf", test_x86_hw_bp_refire_and_rf);
	g_test_add_func("/kvmdbg/model/x86/emulator-ignores-rf", test_x86_emulator_ignores_rf);
	g_test_add_func("/kvmdbg/model/x86/watch-after-access", test_x86_watch_after_access);
	g_test_add_func("/kvmdbg/model/x86/disabled-slot-silent", test_x86_disabled_slot_silent);
	g_test_add_func("/kvmdbg/model/x86/icebp", test_x86_icebp);
	g_test_add_func("/kvmdbg/model/x86/gd", test_x86_gd);
	g_test_add_func("/kvmdbg/model/x86/immediate-exit-order", test_x86_immediate_exit_order);
	g_test_add_func("/kvmdbg/model/x86/lib-sw-bp", test_x86_lib_sw_bp);
	g_test_add_func("/kvmdbg/model/x86/page-crossing", test_x86_page_crossing);
	g_test_add_func("/kvmdbg/model/x86/step-over-slot-reuse", test_x86_step_over_slot_reuse);
	g_test_add_func("/kvmdbg/model/detects-corruption", test_model_detects_corruption);
	g_test_add_func("/kvmdbg/model/hw-reinsert-same-addr", test_hw_reinsert_same_addr);
	g_test_add_func("/kvmdbg/model/arm64/refuses-unknown-bits",
			test_arm64_refuses_unknown_bits);
	g_test_add_func("/kvmdbg/model/arm64/esr-classes", test_arm64_esr_classes);
	g_test_add_func("/kvmdbg/model/arm64/watch-before-access", test_arm64_watch_before_access);
	g_test_add_func("/kvmdbg/model/arm64/stp-far-below", test_arm64_stp_far_below);
	g_test_add_func("/kvmdbg/model/arm64/mmio-completion", test_arm64_mmio_completion);
	g_test_add_func("/kvmdbg/model/arm64/two-watch-one-dword", test_arm64_two_watch_one_dword);
	g_test_add_func("/kvmdbg/model/ppc/pr", test_ppc_pr);
	g_test_add_func("/kvmdbg/model/ppc/pr-problem-state", test_ppc_pr_problem_state);
	g_test_add_func("/kvmdbg/model/ppc/hv-raw", test_ppc_hv_raw);
	g_test_add_func("/kvmdbg/model/ppc/hv-lib-oneshot", test_ppc_hv_lib_oneshot);
	g_test_add_func("/kvmdbg/model/ppc/booke", test_ppc_booke);
	g_test_add_func("/kvmdbg/model/s390/sgd-rules", test_s390_sgd_rules);
	g_test_add_func("/kvmdbg/model/s390/user-instr0", test_s390_user_instr0);
	g_test_add_func("/kvmdbg/model/s390/diag", test_s390_diag);
	g_test_add_func("/kvmdbg/model/s390/watch-value-change", test_s390_watch_value_change);
	g_test_add_func("/kvmdbg/model/riscv/ebreak", test_riscv);
	return g_test_run();
}
