/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 part of the fixture, run loop and probes of the kvm suite (see kvmtest.h; the rest is
 * common.c).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kvmtest.h"

void kt_init(int *argc, char ***argv)
{
	g_test_init(argc, argv, NULL);
	kc_install_signal(KC_SIG_WATCHDOG);
	kc_install_signal(GUEST_SIG_KICK);
}

void kt_start(struct kc_test *t, unsigned int i, const struct guest_prog *prog, unsigned int label)
{
	guest_load(&t->g, prog);
	g_assert_cmpint(guest_enter(&t->g, i, prog->mode, guest_prog_addr(prog, label)), ==, 0);
}

struct kvm_regs kt_regs(struct kc_test *t, unsigned int i)
{
	struct kvm_regs regs;

	g_assert_cmpint(guest_get_regs(&t->g, i, &regs), ==, 0);
	return regs;
}

void kt_set_rdi(struct kc_test *t, unsigned int i, uint64_t rdi)
{
	struct kvm_regs regs = kt_regs(t, i);

	regs.rdi = rdi;
	g_assert_cmpint(guest_set_regs(&t->g, i, &regs), ==, 0);
}

void kt_expect_out(struct kc_test *t, unsigned int i, uint16_t port)
{
	char what[40];

	snprintf(what, sizeof(what), "an out to port 0x%x", port);
	kc_expect_exit(t, i, guest_exit_is_out, port, what);
}

bool kt_out_completed(struct kc_test *t, unsigned int i, uint64_t out_pc, uint64_t next_pc)
{
	bool completed = kc_exit_completed(t, i, "out", out_pc, next_pc);

	g_test_message("vCPU %u: the kernel %s the out at 0x%" PRIx64 " before its I/O exit", i,
		       completed ? "completed" : "did not complete", out_pc);
	return completed;
}

void kt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t dr6_bits)
{
	uint32_t exc = 0xdeadbeef;
	uint64_t status = 0;

	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, 0);
	g_assert_cmpuint(exc, ==, exception);
	if (exception == 3) {
		/* a #BP exit carries no DR6: the kernel writes exception and pc only */
		g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);
		return;
	}
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, 0);
	g_assert_cmphex(status & dr6_bits, ==, dr6_bits);
}

void kt_kick_thread(void *data)
{
	pthread_kill(*(pthread_t *)data, GUEST_SIG_KICK);
}

/*
 * The probes differ only in their guest, the debug registers they set and how they describe
 * what happened.  They never run an int3 outside real mode: on this project's development host
 * that wedges the vCPU (research/host-kvm.md).
 */
struct probe_desc {
	const struct guest_prog *prog;
	unsigned int start;
	/* >= 0: real-mode vector 3 points at this label */
	int int3_handler;
	uint32_t control;
	/* DR0 = the address of this label (>= 0) or this value */
	int dr0_label;
	uint64_t dr0;
	uint64_t dr7;
	/* for "KVM_SET_GUEST_DEBUG(...) failed" */
	const char *set_what;
	/* a hit: KVM_EXIT_DEBUG, this exception, these DR6 bits, at DR0 if pc_is_dr0 */
	uint32_t exception;
	uint64_t dr6_bits;
	bool pc_is_dr0;
	/* "<hit> gave KVM_EXIT_DEBUG, " then "exception 3, pc 0x.." or "pc 0x.., dr6 0x.." */
	const char *hit;
	bool hit_exception;
	/* no debug exit: the guest's out to this port, described by @missed */
	uint16_t missed_port;
	const char *missed;
	/* anything else: "<other> ended in <exit>, not <expected>" (at DR0 if other_at_dr0) */
	const char *other;
	bool other_at_dr0;
	const char *other_tail;
	const char *expected;
};

static int probe_run_desc(const struct probe_desc *d, char *why, size_t size)
{
	const struct guest_prog *prog = d->prog;
	struct kc_probe p = { .why = why, .size = size };
	const struct kvm_run *run;
	uint64_t dr[8] = { 0 };
	char exit_str[160];
	int ret;

	ret = kc_probe_open(&p);
	if (ret < 0)
		return ret;
	guest_load(&p.g, prog);
	ret = guest_enter(&p.g, 0, prog->mode, guest_prog_addr(prog, d->start));
	if (ret < 0) {
		snprintf(why, size, "no usable KVM: cannot enter %s mode: %s",
			 guest_mode_name(prog->mode), strerror(-ret));
		kc_guest_close(&p.g);
		return ret;
	}
	if (d->int3_handler >= 0)
		guest_set_vector(&p.g, 3, (uint16_t)prog->offs[d->int3_handler]);
	dr[0] = d->dr0_label >= 0 ? guest_prog_addr(prog, (unsigned int)d->dr0_label) : d->dr0;
	dr[7] = d->dr7;
	ret = guest_set_debug(&p.g, 0, d->control, d->control & KVM_GUESTDBG_USE_HW_BP ? dr : NULL);
	if (ret < 0) {
		snprintf(why, size, "KVM_SET_GUEST_DEBUG(%s) failed: %s", d->set_what,
			 strerror(-ret));
		ret = 0;
		goto out;
	}
	ret = kc_probe_run(&p, NULL);
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	run = p.g.vcpus[0].run;
	if (run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.exception == d->exception &&
	    (run->debug.arch.dr6 & d->dr6_bits) == d->dr6_bits &&
	    (!d->pc_is_dr0 || run->debug.arch.pc == dr[0])) {
		if (d->hit_exception)
			snprintf(why, size, "%s gave KVM_EXIT_DEBUG, exception %u, pc 0x%llx",
				 d->hit, run->debug.arch.exception,
				 (unsigned long long)run->debug.arch.pc);
		else
			snprintf(why, size, "%s gave KVM_EXIT_DEBUG, pc 0x%llx, dr6 0x%llx", d->hit,
				 (unsigned long long)run->debug.arch.pc,
				 (unsigned long long)run->debug.arch.dr6);
		ret = 1;
	} else if (guest_exit_is_out(&p.g, 0, d->missed_port)) {
		snprintf(why, size, "%s", d->missed);
		ret = 0;
	} else {
		guest_exit_str(&p.g, 0, exit_str, sizeof(exit_str));
		if (d->other_at_dr0)
			snprintf(why, size, "%s at 0x%llx%s ended in %s, not %s", d->other,
				 (unsigned long long)dr[0], d->other_tail, exit_str, d->expected);
		else
			snprintf(why, size, "%s ended in %s, not %s", d->other, exit_str,
				 d->expected);
		ret = 0;
	}
out:
	kc_guest_close(&p.g);
	return ret;
}

static const struct probe_desc sw_desc = {
	.prog = &prog_int3_real,
	.start = INT3_START,
	.int3_handler = INT3_HANDLER,
	.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
	.dr0_label = -1,
	.set_what = "ENABLE | USE_SW_BP",
	.exception = 3,
	.hit = "real-mode int3 with USE_SW_BP",
	.hit_exception = true,
	.missed_port = GUEST_PORT_MARK,
	.missed = "real-mode 'nop; int3' with KVM_GUESTDBG_USE_SW_BP gave no KVM_EXIT_DEBUG: "
		  "the int3 went to the guest's own vector-3 handler",
	.other = "real-mode 'nop; int3' with KVM_GUESTDBG_USE_SW_BP",
	.expected = "KVM_EXIT_DEBUG exception 3",
};

static const struct probe_desc watch_desc = {
	.prog = &prog_watch_long64,
	.start = WATCH_START,
	.int3_handler = -1,
	.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	/* DR0 = the data; DR7: L0, R/W0 = 01 (write), LEN0 = 11 (4 bytes), bit 10 always 1. */
	.dr0_label = -1,
	.dr0 = WATCH_DATA,
	.dr7 = 0x400 | 0x1 | (0x1ull << 16) | (0x3ull << 18),
	.set_what = "ENABLE | USE_HW_BP",
	.exception = 1,
	.dr6_bits = 0x1,
	.hit = "a long-mode write watchpoint",
	.missed_port = GUEST_PORT_DONE,
	.missed = "a 4-byte write watchpoint (DR0, DR7 R/W0 = 01) on a long-mode store gave no "
		  "KVM_EXIT_DEBUG: the guest ran past the store to its end",
	.other = "a 4-byte write watchpoint on a long-mode store",
	.expected = "KVM_EXIT_DEBUG with DR6.B0",
};

static const struct probe_desc hw_desc = {
	.prog = &prog_bp[GUEST_LONG64],
	.start = BP_START,
	.int3_handler = -1,
	.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	/* DR0 = the first instruction of the inner loop; DR7: L0, R/W0 = 00 (execute), bit 10. */
	.dr0_label = BP_INNER,
	.dr7 = 0x400 | 0x1,
	.set_what = "ENABLE | USE_HW_BP",
	.exception = 1,
	.dr6_bits = 0x1,
	.pc_is_dr0 = true,
	.hit = "a long-mode execute breakpoint",
	.missed_port = GUEST_PORT_PASS,
	.missed = "an execute breakpoint (DR0, DR7.L0) on a long-mode loop gave no "
		  "KVM_EXIT_DEBUG: the guest ran through the loop to its first out",
	.other = "an execute breakpoint (DR0, DR7.L0)",
	.other_at_dr0 = true,
	.other_tail = " in long mode",
	.expected = "KVM_EXIT_DEBUG with DR6.B0 at that pc",
};

static const struct probe_desc drtrap_desc = {
	.prog = &prog_drmov_long64,
	.start = DRMOV_START,
	.int3_handler = -1,
	.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	/* DR7: GD (bit 13), bit 10 always 1. */
	.dr0_label = -1,
	.dr7 = 0x400 | 0x2000,
	.set_what = "ENABLE | USE_HW_BP, DR7.GD",
	.exception = 1,
	.dr6_bits = 0x2000,
	.hit = "DR7.GD",
	.missed_port = GUEST_PORT_DONE,
	.missed = "with DR7.GD in KVM_SET_GUEST_DEBUG, a long-mode 'mov %dr7, %rax' at CPL0 ran "
		  "without KVM_EXIT_DEBUG",
	.other = "DR7.GD and a long-mode 'mov %dr7, %rax'",
	.expected = "KVM_EXIT_DEBUG with DR6.BD",
};

static int probe_sw_breakpoints(char *why, size_t size)
{
	return probe_run_desc(&sw_desc, why, size);
}

static int probe_watchpoints(char *why, size_t size)
{
	return probe_run_desc(&watch_desc, why, size);
}

static int probe_hw_breakpoints(char *why, size_t size)
{
	return probe_run_desc(&hw_desc, why, size);
}

static int probe_debug_reg_trap(char *why, size_t size)
{
	return probe_run_desc(&drtrap_desc, why, size);
}

static struct kc_probe_once sw_probe = { "software breakpoint", probe_sw_breakpoints };
static struct kc_probe_once hw_probe = { "hardware breakpoint", probe_hw_breakpoints };
static struct kc_probe_once watch_probe = { "watchpoint", probe_watchpoints };
static struct kc_probe_once drtrap_probe = { "debug register trap", probe_debug_reg_trap };

int kt_probe_sw_breakpoints(const char **ret_why)
{
	return kc_probe_once(&sw_probe, ret_why);
}

int kt_probe_hw_breakpoints(const char **ret_why)
{
	return kc_probe_once(&hw_probe, ret_why);
}

int kt_probe_watchpoints(const char **ret_why)
{
	return kc_probe_once(&watch_probe, ret_why);
}

int kt_probe_debug_reg_trap(const char **ret_why)
{
	return kc_probe_once(&drtrap_probe, ret_why);
}

bool kt_require_hw_breakpoints(void)
{
	const char *why;

	if (kt_probe_hw_breakpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver hardware breakpoints: %s", why);
	return false;
}
