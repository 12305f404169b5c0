/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 and ppc64 part of the fixture, run loop and probes of the kvm suite (see rtest.h;
 * the rest is ../common.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rtest.h"

void rt_init(int *argc, char ***argv)
{
	g_test_init(argc, argv, NULL);
	kc_install_signal(KC_SIG_WATCHDOG);
}

void rt_start(struct kc_test *t, unsigned int i, const struct rg_prog *prog, unsigned int label)
{
	rg_load(&t->g, prog);
	g_assert_cmpint(rg_enter(&t->g, i, rg_prog_addr(prog, label)), ==, 0);
}

void rt_set_pc(struct kc_test *t, unsigned int i, uint64_t pc)
{
	g_assert_cmpint(rg_settle(&t->g, i), ==, 0);
	g_assert_cmpint(rg_set_pc(&t->g, i, pc), ==, 0);
}

uint64_t rt_pc(struct kc_test *t, unsigned int i)
{
	uint64_t pc = 0;

	g_assert_cmpint(rg_get_pc(&t->g, i, &pc), ==, 0);
	return pc;
}

uint64_t rt_gpr(struct kc_test *t, unsigned int i, unsigned int n)
{
	return rg_gpr(&t->g, i, n);
}

void rt_expect_mmio(struct kc_test *t, unsigned int i, uint64_t port)
{
	char what[48];

	snprintf(what, sizeof(what), "an MMIO write to 0x%llx",
		 (unsigned long long)(RG_MMIO + port));
	kc_expect_exit(t, i, rg_exit_is_mmio, port, what);
}

bool rt_mmio_completed(struct kc_test *t, unsigned int i, uint64_t mmio_pc, uint64_t next_pc)
{
	return kc_exit_completed(t, i, "MMIO store", mmio_pc, next_pc);
}

void rt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t status_mask,
		   uint64_t status)
{
	uint32_t exc = 0xdeadbeef;
	uint64_t raw = 0;

#if defined(__aarch64__)
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, 0);
	g_assert_cmphex(exc, ==, exception);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &raw), ==, 0);
	/* the ESR: its class is the exception */
	g_assert_cmphex((raw >> 26) & 0x3f, ==, exception);
	g_assert_cmphex(raw & status_mask, ==, status);
#else
	/* Book3S kernels leave status stale: the library reports none */
	(void)status_mask;
	(void)status;
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, -ENODATA);
	g_assert_cmphex(exc, ==, 0xdeadbeef);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &raw), ==, -ENODATA);
#endif
}

uint8_t *rt_snapshot(struct kc_test *t)
{
	return kc_memdup(t->g.mem, RG_MEM_SIZE);
}

uint32_t rt_word(struct kc_test *t, uint64_t gpa)
{
	uint32_t word;

	memcpy(&word, kc_mem(&t->g, gpa), sizeof(word));
	return word;
}

uint32_t rt_snap_word(const uint8_t *snap, uint64_t gpa)
{
	uint32_t word;

	memcpy(&word, snap + (gpa - RG_MEM_BASE), sizeof(word));
	return word;
}

void rt_put_word(struct kc_test *t, uint64_t gpa, uint32_t word)
{
	memcpy(kc_mem(&t->g, gpa), &word, sizeof(word));
}

static int debug_inst(struct kc_guest *g, uint32_t *ret_insn)
{
#if defined(__aarch64__)
	(void)g;
	/* BRK #0 */
	*ret_insn = 0xd4200000u;
	return 0;
#else
	uint64_t val = 0;
	int ret = rg_get_one_reg(g, 0, KVM_REG_PPC_DEBUG_INST, &val);

	if (ret == 0)
		*ret_insn = (uint32_t)val;
	return ret;
#endif
}

uint32_t rt_sw_insn(struct kc_test *t)
{
	uint32_t insn = 0;

	g_assert_cmpint(debug_inst(&t->g, &insn), ==, 0);
	g_assert_cmphex(insn, !=, 0);
	return insn;
}

/* Open the probe's VM and put its vCPU at @label of @prog; 0, or -errno with *why filled. */
static int probe_open(struct kc_probe *p, const struct rg_prog *prog, unsigned int label)
{
	int ret;

	ret = kc_probe_open(p);
	if (ret < 0)
		return ret;
	rg_load(&p->g, prog);
	ret = rg_enter(&p->g, 0, rg_prog_addr(prog, label));
	if (ret < 0) {
		snprintf(p->why, p->size, "no usable KVM: cannot set the vCPU up: %s",
			 strerror(-ret));
		kc_guest_close(&p->g);
		return ret;
	}
	return 0;
}

/* KVM_SET_GUEST_DEBUG, then run once; 0, or -errno with *why filled. */
static int probe_run(struct kc_probe *p, const struct kvm_guest_debug *dbg, const char *what)
{
	int ret;

	ret = rg_set_debug(&p->g, 0, dbg);
	if (ret < 0) {
		snprintf(p->why, p->size, "KVM_SET_GUEST_DEBUG(%s) failed: %s", what,
			 strerror(-ret));
		return ret;
	}
	return kc_probe_run(p, what);
}

/* Whether the last exit is KVM_EXIT_DEBUG at @pc (arm64: with exception class @ec). */
static bool debug_exit_at(struct kc_probe *p, uint64_t pc, uint32_t ec)
{
	const struct kvm_run *run = p->g.vcpus[0].run;

	if (run->exit_reason != KVM_EXIT_DEBUG || rg_pc(&p->g, 0) != pc)
		return false;
#if defined(__aarch64__)
	return run->debug.arch.hsr >> 26 == ec;
#else
	(void)ec;
	return true;
#endif
}

/* The finding for an exit that was not the one expected. */
static void describe(struct kc_probe *p, const char *what, const char *expected)
{
	char exit_str[200];

	snprintf(p->why, p->size, "%s ended in %s, not %s", what,
		 rg_exit_str(&p->g, 0, exit_str, sizeof(exit_str)), expected);
}

static int probe_single_step(char *why, size_t size)
{
	const struct rg_prog *prog = &prog_step;
	struct kc_probe p = { .why = why, .size = size };
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP };
	uint64_t next = rg_prog_addr(prog, STEP_AFTER_NOP);
	int ret;

	ret = probe_open(&p, prog, STEP_START);
	if (ret < 0)
		return ret;
#if defined(__powerpc64__)
	ret = ioctl(p.g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PPC_GUEST_DEBUG_SSTEP);
	if (ret <= 0) {
		snprintf(why, size, "KVM_CAP_PPC_GUEST_DEBUG_SSTEP is %d", ret);
		ret = 0;
		goto out;
	}
#endif
	ret = probe_run(&p, &dbg, "ENABLE | SINGLESTEP");
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	if (debug_exit_at(&p, next, RT_EC_SOFTSTEP)) {
		snprintf(why, size, "one step from 0x%llx gave KVM_EXIT_DEBUG at pc 0x%llx",
			 (unsigned long long)rg_prog_addr(prog, STEP_START),
			 (unsigned long long)next);
		ret = 1;
	} else {
		describe(&p, "one single-step of a nop", "KVM_EXIT_DEBUG at the next instruction");
		ret = 0;
	}
out:
	kc_guest_close(&p.g);
	return ret;
}

static int probe_sw_breakpoints(char *why, size_t size)
{
	const struct rg_prog *prog = &prog_sw;
	struct kc_probe p = { .why = why, .size = size };
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP };
	uint64_t at = rg_prog_addr(prog, SW_AT);
	uint32_t insn = 0;
	int ret;

	ret = probe_open(&p, prog, SW_START);
	if (ret < 0)
		return ret;
	ret = debug_inst(&p.g, &insn);
	if (ret < 0 || !insn) {
		snprintf(why, size, "the breakpoint instruction cannot be read: %s",
			 ret < 0 ? strerror(-ret) : "it is 0");
		ret = 0;
		goto out;
	}
	memcpy(kc_mem(&p.g, at), &insn, sizeof(insn));
	ret = probe_run(&p, &dbg, "ENABLE | USE_SW_BP");
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	if (debug_exit_at(&p, at, RT_EC_BRK64)) {
		snprintf(why, size,
			 "the breakpoint instruction 0x%08x gave KVM_EXIT_DEBUG at 0x%llx", insn,
			 (unsigned long long)at);
		ret = 1;
	} else {
		describe(&p, "the breakpoint instruction with USE_SW_BP",
			 "KVM_EXIT_DEBUG at that instruction");
		ret = 0;
	}
out:
	kc_guest_close(&p.g);
	return ret;
}

#if defined(__aarch64__)
static int probe_hw_breakpoints(char *why, size_t size)
{
	const struct rg_prog *prog = &prog_bp;
	struct kc_probe p = { .why = why, .size = size };
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW };
	uint64_t inner = rg_prog_addr(prog, BP_INNER);
	int ret;

	ret = probe_open(&p, prog, BP_START);
	if (ret < 0)
		return ret;
	/* DBGBCR0: E, PMC = EL1 and EL0, BAS = the whole instruction */
	dbg.arch.dbg_bcr[0] = 1 | 3 << 1 | 0xf << 5;
	dbg.arch.dbg_bvr[0] = inner;
	ret = probe_run(&p, &dbg, "ENABLE | USE_HW, DBGBCR0");
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	if (debug_exit_at(&p, inner, RT_EC_BREAKPOINT)) {
		snprintf(why, size, "DBGBVR0 = 0x%llx gave KVM_EXIT_DEBUG there, esr 0x%x",
			 (unsigned long long)inner, p.g.vcpus[0].run->debug.arch.hsr);
		ret = 1;
	} else {
		describe(&p, "an execute breakpoint in DBGBCR0/DBGBVR0",
			 "KVM_EXIT_DEBUG class 0x30 at its address");
		ret = 0;
	}
out:
	kc_guest_close(&p.g);
	return ret;
}

static int probe_watchpoints(char *why, size_t size)
{
	const struct rg_prog *prog = &prog_watch;
	struct kc_probe p = { .why = why, .size = size };
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW };
	uint64_t store = rg_prog_addr(prog, WATCH_STORE);
	const struct kvm_run *run;
	int ret;

	ret = probe_open(&p, prog, WATCH_START);
	if (ret < 0)
		return ret;
	/* DBGWCR0: E, PAC = EL1 and EL0, LSC = store, BAS = the 4 bytes at WATCH_DATA */
	dbg.arch.dbg_wcr[0] = 1 | 3 << 1 | 2 << 3 | 0xf << 5;
	dbg.arch.dbg_wvr[0] = WATCH_DATA;
	ret = probe_run(&p, &dbg, "ENABLE | USE_HW, DBGWCR0");
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	run = p.g.vcpus[0].run;
	if (debug_exit_at(&p, store, RT_EC_WATCHPOINT) && run->debug.arch.far == WATCH_DATA) {
		snprintf(why, size,
			 "a 4-byte store watchpoint gave KVM_EXIT_DEBUG at the store, esr 0x%x, "
			 "far 0x%llx",
			 run->debug.arch.hsr, (unsigned long long)run->debug.arch.far);
		ret = 1;
	} else {
		describe(&p, "a 4-byte store watchpoint in DBGWCR0/DBGWVR0",
			 "KVM_EXIT_DEBUG class 0x34 at the store with FAR = the data");
		ret = 0;
	}
out:
	kc_guest_close(&p.g);
	return ret;
}
#else
static int probe_hw_breakpoints(char *why, size_t size)
{
	snprintf(why, size, "Book3S KVM takes hardware breakpoints and ignores them");
	return 0;
}

static int probe_watchpoints(char *why, size_t size)
{
	snprintf(why, size, "Book3S KVM takes watchpoints and ignores them");
	return 0;
}
#endif

static struct kc_probe_once step_probe = { "single-step", probe_single_step };
static struct kc_probe_once sw_probe = { "software breakpoint", probe_sw_breakpoints };
static struct kc_probe_once hw_probe = { "hardware breakpoint", probe_hw_breakpoints };
static struct kc_probe_once watch_probe = { "watchpoint", probe_watchpoints };

int rt_probe_single_step(const char **ret_why)
{
	return kc_probe_once(&step_probe, ret_why);
}

int rt_probe_sw_breakpoints(const char **ret_why)
{
	return kc_probe_once(&sw_probe, ret_why);
}

int rt_probe_hw_breakpoints(const char **ret_why)
{
	return kc_probe_once(&hw_probe, ret_why);
}

int rt_probe_watchpoints(const char **ret_why)
{
	return kc_probe_once(&watch_probe, ret_why);
}

static uint32_t control_mask(struct kc_test *t)
{
	uint32_t mask = 0;

	g_assert_cmpint(kvmdbg_vm_get_control_mask(t->vm, &mask), ==, 0);
	return mask;
}

static int check_extension(struct kc_test *t, unsigned long cap)
{
	return ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, cap);
}

bool rt_require_single_step(struct kc_test *t)
{
	const char *why;

	if (kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_SINGLE_STEP) != 1) {
		g_test_skip_printf("the kernel offers no single-step: control mask 0x%x",
				   control_mask(t));
		return false;
	}
	if (rt_probe_single_step(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver single-step: %s", why);
	return false;
}

bool rt_require_sw_breakpoints(struct kc_test *t)
{
	const char *why;

	if (kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_SW_BREAKPOINT) != 1) {
		g_test_skip_printf("the kernel offers no software breakpoints: control mask 0x%x",
				   control_mask(t));
		return false;
	}
	if (rt_probe_sw_breakpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver software breakpoints: %s", why);
	return false;
}

bool rt_require_hw_breakpoints(struct kc_test *t)
{
	const char *why;
	int slots = kvmdbg_vm_get_hw_slots(t->vm, false);

	if (slots <= 0 || kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_HW_BREAKPOINT) != 1) {
		g_test_skip_printf("the kernel offers no hardware breakpoints: "
				   "kvmdbg_vm_get_hw_slots() = %d, "
				   "KVM_CAP_GUEST_DEBUG_HW_BPS = %d, control mask 0x%x",
				   slots, check_extension(t, KVM_CAP_GUEST_DEBUG_HW_BPS),
				   control_mask(t));
		return false;
	}
	if (rt_probe_hw_breakpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver hardware breakpoints: %s", why);
	return false;
}

bool rt_require_watchpoints(struct kc_test *t)
{
	const char *why;
	int slots = kvmdbg_vm_get_hw_slots(t->vm, true);

	if (slots <= 0 || kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_WATCH_WRITE) != 1) {
		g_test_skip_printf("the kernel offers no watchpoints: "
				   "kvmdbg_vm_get_hw_slots() = %d, "
				   "KVM_CAP_GUEST_DEBUG_HW_WPS = %d, control mask 0x%x",
				   slots, check_extension(t, KVM_CAP_GUEST_DEBUG_HW_WPS),
				   control_mask(t));
		return false;
	}
	if (rt_probe_watchpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver watchpoints: %s", why);
	return false;
}
