// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The run loop: kvmdbg_vcpu_pre_run() and kvmdbg_vcpu_handle_exit() over the fake kernel edge,
 * exits written as each kernel writes them (fixture.h).  Regression tests name what broke.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fixture.h"

/* ------------------------------------------------------------------------------------------ */
/* Regression: arm64 watchpoint exits whose FAR lies below the watched doubleword */

/*
 * STP x0, x1, [x2] with x2 = watched - 8 writes 16 bytes, the second 8 of them watched; the
 * exit's FAR is an address of the access, here x2, below the watched doubleword.  Linux's own
 * arm64 watchpoint handler attributes such a hit to the closest watchpoint; an unattributed hit
 * was answered RESUME, and the access, not yet executed, trapped again forever.
 */
static void test_arm64_watch_far_below(void)
{
	const uint64_t w = fx_addr(0x2010);
	const uint64_t pc = fx_addr(0x1000);
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t data;
	struct fx f;

	fx_init(&f, "aarch64", 0x30003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_WATCH_WRITE, w, 8, 0, NULL, &p), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);

	fake_set_one_reg(FX_REG_ARM64_PC, pc, 0);
	/* EC 0x34 (watchpoint, lower EL), WnR: a write; FAR = w - 8 */
	fx_arm64(f.run[0], 0x34u << 26 | 1u << 6, w - 8);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_WATCHPOINT, pc);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, w - 8);

	/* running again steps the store with the slot off: control ENABLE | SINGLESTEP only */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	{
		struct fake_call c = fake_log_get(0);
		static const uint8_t step[8] = { 0x03, 0, 0, 0, 0, 0, 0, 0 };

		g_assert_cmpmem(c.bytes, 8, step, 8);
	}
	fx_fini(&f);
}

/* Two watchpoints: the hit goes to the closest one, as Linux's handler decides. */
static void test_arm64_watch_far_closest(void)
{
	const uint64_t w1 = fx_addr(0x2000), w2 = fx_addr(0x2040);
	const struct kvmdbg_event *ev;
	uint64_t p1, p2;
	struct fx f;

	fx_init(&f, "aarch64", 0x30003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_WATCH_WRITE, w1, 8, 0, NULL, &p1), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_WATCH_WRITE, w2, 4, 0, NULL, &p2), ==,
			0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fake_set_one_reg(FX_REG_ARM64_PC, fx_addr(0x1000), 0);

	/* FAR 0x38 below w2: 8 bytes from w2, 0x30 past w1's end */
	fx_arm64(f.run[0], 0x34u << 26 | 1u << 6, w2 - 8);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p2);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* Regression: ppc Book3S HV writes only the address of a software-breakpoint exit */

/*
 * book3s_hv.c (kvmppc_emulate_debug_inst) sets debug.arch.address and leaves status as the
 * last exit left it; HV cannot single-step.  A stale status that looks like a watchpoint or a
 * breakpoint made the library's own breakpoint come back as GUEST_DEBUG or UNKNOWN, and a
 * one-shot never disarmed.
 */
static void test_book3s_hv_stale_status(void)
{
	static const uint32_t stale[] = { 0x2, 0x4, 0x8, 0xc, 0xdeadbeef };
	const uint64_t a = fx_addr(0x400);
	const struct kvmdbg_event *ev;
	uint64_t p;
	struct fx f;

	for (size_t i = 0; i < G_N_ELEMENTS(stale); i++) {
		g_test_message("stale status 0x%x", stale[i]);
		fx_init_bare(&f, "ppc64le-book3s", 0);
		fake_set_cap(FX_CAP_PPC_GUEST_DEBUG_SSTEP, 0); /* HV */
		fx_vm(&f, 1);
		g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0,
						 KVMDBG_POINT_ONESHOT, NULL, &p), ==, 0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);

		fx_ppc(f.run[0], false, true, a, true, stale[i]);
		g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
		fx_assert_event(ev, KVMDBG_EVENT_SW_BREAKPOINT, a);
		g_assert_true(kvmdbg_event_get_point_id(ev) == p);
		g_assert_false(fx_point_armed(f.vm, p));
		/* the original instruction is back */
		g_assert_cmpmem(fx_mem(&f, a), 4, f.orig + 0x400, 4);
		fx_fini(&f);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Regression: x86 exits and what the kernel writes */

/*
 * ICEBP (INT1, 0xf1) raises #DB with no DR6 cause bit.  It is the guest's own debug exception
 * and must be one the caller can hand back, not an unknown event.
 */
static void test_x86_icebp_is_guest_debug(void)
{
	const struct kvmdbg_event *ev;
	struct fake_call c;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_HW_BREAK, fx_addr(0x40), 0, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_db(f.run[0], fx_addr(0x21), FX_DR6_NONE);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_GUEST_DEBUG, fx_addr(0x21));
	g_assert_cmpint(kvmdbg_vcpu_reinject(f.vcpu[0], ev), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	c = fake_log_get(0);
	/* ENABLE | USE_HW_BP | INJECT_DB */
	g_assert_cmphex(c.bytes[0] | c.bytes[1] << 8 | c.bytes[2] << 16, ==, 0x060001);
	fx_fini(&f);
}

/* A #BP exit writes exception and pc only: dr6 is not the kernel's, so no raw status. */
static void test_x86_bp_exit_no_status(void)
{
	const uint64_t a = fx_addr(0x500);
	const struct kvmdbg_event *ev;
	uint64_t status = 0x1234;
	uint32_t exception;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_SW_BREAKPOINT, a);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exception), ==, 0);
	g_assert_cmpuint(exception, ==, 3);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);
	g_assert_cmphex(status, ==, 0x1234);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* x86: the step KVM never reports, over an MMIO write */

static void mmio_exit(struct kvm_run *run, bool write)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 6, false); /* KVM_EXIT_MMIO */
	memset(b + 32, 0, 24);
	b[48] = 4;          /* len */
	b[52] = write;      /* is_write */
}

/*
 * KVM finishes an MMIO write before it exits to the VMM and never reports its step
 * (complete_emulated_mmio's FIXME): the library runs the vCPU once more with immediate_exit
 * set, which completes the write without entering the guest, and reports the step there.
 */
static void test_x86_mmio_write_step(void)
{
	const struct kvmdbg_event *ev = NULL;
	volatile uint8_t *ie;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	ie = (volatile uint8_t *)f.run[0] + 1;
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f.vcpu[0], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	mmio_exit(f.run[0], true);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_null(ev);
	g_assert_cmpuint(*ie, ==, 0);

	/* the VMM handled the write; the next run is the library's immediate exit */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	g_assert_cmpuint(*ie, ==, 1);
	/* KVM_GET_REGS + KVM_GET_SREGS give the pc after the store */
	fake_set_regs_pc(fx_addr(0x1006), 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_STEP, fx_addr(0x1006));
	g_assert_cmpuint(*ie, ==, 0);

	/* a read is reported by KVM itself: nothing owed */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	mmio_exit(f.run[0], false);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmpuint(*ie, ==, 0);

	/* not stepping: nothing owed either */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f.vcpu[0], false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	mmio_exit(f.run[0], true);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 0);
	g_assert_cmpuint(*ie, ==, 0);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/run/regress/arm64-watch-far-below",
			test_arm64_watch_far_below);
	g_test_add_func("/kvmdbg/unit/run/regress/arm64-watch-far-closest",
			test_arm64_watch_far_closest);
	g_test_add_func("/kvmdbg/unit/run/regress/book3s-hv-stale-status",
			test_book3s_hv_stale_status);
	g_test_add_func("/kvmdbg/unit/run/regress/x86-icebp-is-guest-debug",
			test_x86_icebp_is_guest_debug);
	g_test_add_func("/kvmdbg/unit/run/regress/x86-bp-exit-no-status",
			test_x86_bp_exit_no_status);
	g_test_add_func("/kvmdbg/unit/run/x86-mmio-write-step", test_x86_mmio_write_step);
	return g_test_run();
}
