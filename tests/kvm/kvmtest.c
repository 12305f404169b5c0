/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared fixture, run loop and probes of the kvm suite (see kvmtest.h).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kvmtest.h"

void kt_init(int *argc, char ***argv)
{
	g_test_init(argc, argv, NULL);
	guest_install_signals();
}

static void setup(struct kt *t, unsigned int nr_vcpus)
{
	const char *why = NULL;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = guest_open(&t->g, &why);
	if (ret < 0) {
		g_test_skip_printf("no usable KVM: %s: %s", why, g_strerror(-ret));
		return;
	}
	g_assert_cmpint(kvmdbg_vm_new(t->g.vm_fd, &t->vm), ==, 0);
	g_assert_nonnull(t->vm);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, 0, GUEST_MEM_SIZE, t->g.mem), ==, 0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		kt_add_vcpu(t);
	t->ok = true;
}

void kt_setup1(struct kt *t, const void *data)
{
	setup(t, 1);
}

void kt_setup2(struct kt *t, const void *data)
{
	setup(t, 2);
}

void kt_add_vcpu(struct kt *t)
{
	unsigned int i = t->g.nr_vcpus;
	int ret;

	ret = guest_add_vcpu(&t->g);
	if (ret < 0)
		g_test_message("cannot create vCPU %u: %s", i, g_strerror(-ret));
	g_assert_cmpint(ret, ==, 0);
	ret = kvmdbg_vcpu_new(t->vm, t->g.vcpus[i].fd, t->g.vcpus[i].run, &t->vcpu[i]);
	g_assert_cmpint(ret, ==, 0);
	g_assert_nonnull(t->vcpu[i]);
	g_assert_true(kvmdbg_vcpu_get_vm(t->vcpu[i]) == t->vm);
}

void kt_teardown(struct kt *t, const void *data)
{
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++) {
		guest_watchdog_stop(&t->wd[i]);
		kvmdbg_vcpu_free(t->vcpu[i]);
		t->vcpu[i] = NULL;
	}
	kvmdbg_vm_free(t->vm);
	t->vm = NULL;
	if (t->ok)
		guest_close(&t->g);
}

void kt_start(struct kt *t, unsigned int i, const struct guest_prog *prog, unsigned int label)
{
	guest_load(&t->g, prog);
	g_assert_cmpint(guest_enter(&t->g, i, prog->mode, guest_prog_addr(prog, label)), ==, 0);
}

struct kvm_regs kt_regs(struct kt *t, unsigned int i)
{
	struct kvm_regs regs;

	g_assert_cmpint(guest_get_regs(&t->g, i, &regs), ==, 0);
	return regs;
}

void kt_set_rdi(struct kt *t, unsigned int i, uint64_t rdi)
{
	struct kvm_regs regs = kt_regs(t, i);

	regs.rdi = rdi;
	g_assert_cmpint(guest_set_regs(&t->g, i, &regs), ==, 0);
}

char *kt_result_str(struct kt *t, unsigned int i, int ret, const struct kvmdbg_event *ev)
{
	char buf[160];

	switch (ret) {
	case KVMDBG_EXIT_EVENT:
		return g_strdup_printf("a %s event at pc 0x%" PRIx64,
				       kvmdbg_event_type_name(kvmdbg_event_get_type(ev)),
				       kvmdbg_event_get_pc(ev));
	case KVMDBG_EXIT_NOT_DEBUG:
		return g_strdup_printf("a non-debug exit (%s)",
				       guest_exit_str(&t->g, i, buf, sizeof(buf)));
	case KVMDBG_EXIT_RESUME:
		return g_strdup("KVMDBG_EXIT_RESUME");
	default:
		return g_strdup_printf("error %d (%s)", ret, g_strerror(ret < 0 ? -ret : 0));
	}
}

int kt_raw_run(struct kt *t, unsigned int i)
{
	int run;

	if (!t->wd[i].armed)
		g_assert_cmpint(guest_watchdog_start(&t->wd[i], KT_WATCHDOG_SECONDS), ==, 0);
	run = guest_run(&t->g, i);
	if (run == -EINTR && guest_watchdog_expired(&t->wd[i]))
		g_test_message("vCPU %u: the guest still runs after %u s, at pc 0x%" PRIx64, i,
			       t->wd[i].seconds, guest_get_pc(&t->g, i));
	g_assert_false(run == -EINTR && guest_watchdog_expired(&t->wd[i]));
	return run;
}

int kt_run_once(struct kt *t, unsigned int i, const struct kvmdbg_event **ret_event)
{
	const struct kvmdbg_event *ev = NULL;
	int ret, run;

	ret = kvmdbg_vcpu_pre_run(t->vcpu[i]);
	if (ret < 0)
		g_test_message("vCPU %u: kvmdbg_vcpu_pre_run: %s", i, g_strerror(-ret));
	g_assert_cmpint(ret, >=, 0);

	run = kt_raw_run(t, i);

	ret = kvmdbg_vcpu_handle_exit(t->vcpu[i], run, &ev);
	if (ret < 0)
		g_test_message("vCPU %u: KVM_RUN returned %d, kvmdbg_vcpu_handle_exit %d (%s)", i,
			       run, ret, g_strerror(-ret));
	g_assert_cmpint(ret, >=, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_cmpint(ret, <=, KVMDBG_EXIT_RESUME);
	if (ret == KVMDBG_EXIT_EVENT) {
		g_assert_nonnull(ev);
		g_assert_true(kvmdbg_event_get_vcpu(ev) == t->vcpu[i]);
	}
	*ret_event = ret == KVMDBG_EXIT_EVENT ? ev : NULL;
	return ret;
}

int kt_run(struct kt *t, unsigned int i, const struct kvmdbg_event **ret_event)
{
	for (unsigned int n = 0; n < KT_MAX_RESUMES; n++) {
		int ret = kt_run_once(t, i, ret_event);

		if (ret != KVMDBG_EXIT_RESUME)
			return ret;
	}
	g_test_message("vCPU %u: %u KVMDBG_EXIT_RESUME in a row, at pc 0x%" PRIx64, i,
		       KT_MAX_RESUMES, guest_get_pc(&t->g, i));
	g_assert_not_reached();
	return -ELOOP;
}

const struct kvmdbg_event *kt_expect_event(struct kt *t, unsigned int i,
					   enum kvmdbg_event_type type, uint64_t pc)
{
	const struct kvmdbg_event *ev;
	int ret = kt_run(t, i, &ev);

	if (ret != KVMDBG_EXIT_EVENT || kvmdbg_event_get_type(ev) != type ||
	    kvmdbg_event_get_pc(ev) != pc) {
		g_autofree char *got = kt_result_str(t, i, ret, ev);

		g_test_message("vCPU %u: expected a %s event at pc 0x%" PRIx64 ", got %s", i,
			       kvmdbg_event_type_name(type), pc, got);
	}
	g_assert_cmpint(ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpstr(kvmdbg_event_type_name(kvmdbg_event_get_type(ev)), ==,
			kvmdbg_event_type_name(type));
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, type);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, pc);
	return ev;
}

void kt_expect_out(struct kt *t, unsigned int i, uint16_t port)
{
	const struct kvmdbg_event *ev;
	int ret = kt_run(t, i, &ev);

	if (ret != KVMDBG_EXIT_NOT_DEBUG || !guest_exit_is_out(&t->g, i, port)) {
		g_autofree char *got = kt_result_str(t, i, ret, ev);

		g_test_message("vCPU %u: expected an out to port 0x%x, got %s", i, port, got);
	}
	g_assert_cmpint(ret, ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(guest_exit_is_out(&t->g, i, port));
}

bool kt_out_completed(struct kt *t, unsigned int i, uint64_t out_pc, uint64_t next_pc)
{
	uint64_t pc = guest_get_pc(&t->g, i);

	if (pc != out_pc && pc != next_pc)
		g_test_message("vCPU %u: after the out at 0x%" PRIx64 " the guest is at 0x%" PRIx64,
			       i, out_pc, pc);
	g_assert_true(pc == out_pc || pc == next_pc);
	g_test_message("vCPU %u: the kernel %s the out at 0x%" PRIx64 " before its I/O exit", i,
		       pc == next_pc ? "completed" : "did not complete", out_pc);
	return pc == next_pc;
}

void kt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t dr6_bits)
{
	uint32_t exc = 0xdeadbeef;
	uint64_t status = 0;

	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, 0);
	g_assert_cmpuint(exc, ==, exception);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, 0);
	g_assert_cmphex(status & dr6_bits, ==, dr6_bits);
}

uint8_t *kt_memdup(const void *mem, size_t len)
{
	uint8_t *copy = g_malloc(len);

	memcpy(copy, mem, len);
	return copy;
}

void kt_assert_mem(struct kt *t, uint64_t gpa, const void *expect, size_t len)
{
	const uint8_t *want = expect;
	const uint8_t *have = t->g.mem + gpa;

	for (size_t k = 0; k < len; k++) {
		if (have[k] == want[k])
			continue;
		g_test_message("guest memory differs at gpa 0x%" PRIx64 ": 0x%02x, expected 0x%02x",
			       gpa + k, have[k], want[k]);
		g_assert_cmphex(have[k], ==, want[k]);
	}
}

void kt_kick_thread(void *data)
{
	pthread_kill(*(pthread_t *)data, GUEST_SIG_KICK);
}

/*
 * A probe runs its guest once in a fresh VM with raw ioctls and reports what the kernel did.
 * It never runs an int3 outside real mode: on this project's development host that wedges the
 * vCPU (research/host-kvm.md).
 */
struct probe {
	struct guest g;
	struct guest_watchdog wd;
	char *why;
	size_t size;
};

static int probe_open(struct probe *p, const struct guest_prog *prog, unsigned int label)
{
	const char *err = NULL;
	int ret;

	ret = guest_open(&p->g, &err);
	if (ret < 0) {
		snprintf(p->why, p->size, "no usable KVM: %s: %s", err, strerror(-ret));
		return ret;
	}
	ret = guest_add_vcpu(&p->g);
	if (ret < 0) {
		snprintf(p->why, p->size, "no usable KVM: cannot create a vCPU: %s",
			 strerror(-ret));
		guest_close(&p->g);
		return ret;
	}
	guest_load(&p->g, prog);
	ret = guest_enter(&p->g, 0, prog->mode, guest_prog_addr(prog, label));
	if (ret < 0) {
		snprintf(p->why, p->size, "no usable KVM: cannot enter %s mode: %s",
			 guest_mode_name(prog->mode), strerror(-ret));
		guest_close(&p->g);
		return ret;
	}
	return 0;
}

/* Run once; 0, or -errno with *why filled. */
static int probe_run(struct probe *p)
{
	int ret;

	ret = guest_watchdog_start(&p->wd, 5);
	if (ret < 0) {
		snprintf(p->why, p->size, "cannot arm the watchdog: %s", strerror(-ret));
		return ret;
	}
	ret = guest_run(&p->g, 0);
	if (ret == -EINTR && guest_watchdog_expired(&p->wd))
		snprintf(p->why, p->size, "KVM_RUN did not return within 5 s");
	else if (ret < 0)
		snprintf(p->why, p->size, "KVM_RUN failed: %s", strerror(-ret));
	guest_watchdog_stop(&p->wd);
	return ret;
}

static int probe_sw_breakpoints(char *why, size_t size)
{
	const struct guest_prog *prog = &prog_int3_real;
	struct probe p = { .why = why, .size = size };
	const struct kvm_run *run;
	char exit_str[160];
	int ret;

	ret = probe_open(&p, prog, INT3_START);
	if (ret < 0)
		return ret;
	guest_set_vector(&p.g, 3, (uint16_t)prog->offs[INT3_HANDLER]);
	ret = guest_set_debug(&p.g, 0, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	if (ret < 0) {
		snprintf(why, size, "KVM_SET_GUEST_DEBUG(ENABLE | USE_SW_BP) failed: %s",
			 strerror(-ret));
		ret = 0;
		goto out;
	}
	ret = probe_run(&p);
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	run = p.g.vcpus[0].run;
	if (run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.exception == 3) {
		snprintf(why, size,
			 "real-mode int3 with USE_SW_BP gave KVM_EXIT_DEBUG, exception 3, "
			 "pc 0x%llx",
			 (unsigned long long)run->debug.arch.pc);
		ret = 1;
	} else if (guest_exit_is_out(&p.g, 0, GUEST_PORT_MARK)) {
		snprintf(why, size,
			 "real-mode 'nop; int3' with KVM_GUESTDBG_USE_SW_BP gave no "
			 "KVM_EXIT_DEBUG: the int3 went to the guest's own vector-3 handler");
		ret = 0;
	} else {
		snprintf(why, size,
			 "real-mode 'nop; int3' with KVM_GUESTDBG_USE_SW_BP ended in %s, "
			 "not KVM_EXIT_DEBUG exception 3",
			 guest_exit_str(&p.g, 0, exit_str, sizeof(exit_str)));
		ret = 0;
	}
out:
	guest_close(&p.g);
	return ret;
}

static int probe_watchpoints(char *why, size_t size)
{
	const struct guest_prog *prog = &prog_watch_long64;
	struct probe p = { .why = why, .size = size };
	const struct kvm_run *run;
	uint64_t dr[8] = { 0 };
	char exit_str[160];
	int ret;

	ret = probe_open(&p, prog, WATCH_START);
	if (ret < 0)
		return ret;
	/* DR0 = the data; DR7: L0, R/W0 = 01 (write), LEN0 = 11 (4 bytes), bit 10 always 1. */
	dr[0] = WATCH_DATA;
	dr[7] = 0x400 | 0x1 | (0x1ull << 16) | (0x3ull << 18);
	ret = guest_set_debug(&p.g, 0, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	if (ret < 0) {
		snprintf(why, size, "KVM_SET_GUEST_DEBUG(ENABLE | USE_HW_BP) failed: %s",
			 strerror(-ret));
		ret = 0;
		goto out;
	}
	ret = probe_run(&p);
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	run = p.g.vcpus[0].run;
	if (run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.exception == 1 &&
	    (run->debug.arch.dr6 & 0x1)) {
		snprintf(why, size,
			 "a long-mode write watchpoint gave KVM_EXIT_DEBUG, pc 0x%llx, "
			 "dr6 0x%llx",
			 (unsigned long long)run->debug.arch.pc,
			 (unsigned long long)run->debug.arch.dr6);
		ret = 1;
	} else if (guest_exit_is_out(&p.g, 0, GUEST_PORT_DONE)) {
		snprintf(why, size,
			 "a 4-byte write watchpoint (DR0, DR7 R/W0 = 01) on a long-mode "
			 "store gave no KVM_EXIT_DEBUG: the guest ran past the store to its end");
		ret = 0;
	} else {
		snprintf(why, size,
			 "a 4-byte write watchpoint on a long-mode store ended in %s, not "
			 "KVM_EXIT_DEBUG with DR6.B0",
			 guest_exit_str(&p.g, 0, exit_str, sizeof(exit_str)));
		ret = 0;
	}
out:
	guest_close(&p.g);
	return ret;
}

static int probe_hw_breakpoints(char *why, size_t size)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	struct probe p = { .why = why, .size = size };
	uint64_t inner = guest_prog_addr(prog, BP_INNER);
	const struct kvm_run *run;
	uint64_t dr[8] = { 0 };
	char exit_str[160];
	int ret;

	ret = probe_open(&p, prog, BP_START);
	if (ret < 0)
		return ret;
	/* DR0 = the first instruction of the inner loop; DR7: L0, R/W0 = 00 (execute), bit 10. */
	dr[0] = inner;
	dr[7] = 0x400 | 0x1;
	ret = guest_set_debug(&p.g, 0, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	if (ret < 0) {
		snprintf(why, size, "KVM_SET_GUEST_DEBUG(ENABLE | USE_HW_BP) failed: %s",
			 strerror(-ret));
		ret = 0;
		goto out;
	}
	ret = probe_run(&p);
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	run = p.g.vcpus[0].run;
	if (run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.exception == 1 &&
	    (run->debug.arch.dr6 & 0x1) && run->debug.arch.pc == inner) {
		snprintf(why, size,
			 "a long-mode execute breakpoint gave KVM_EXIT_DEBUG, pc 0x%llx, "
			 "dr6 0x%llx",
			 (unsigned long long)run->debug.arch.pc,
			 (unsigned long long)run->debug.arch.dr6);
		ret = 1;
	} else if (guest_exit_is_out(&p.g, 0, GUEST_PORT_PASS)) {
		snprintf(why, size,
			 "an execute breakpoint (DR0, DR7.L0) on a long-mode loop gave no "
			 "KVM_EXIT_DEBUG: the guest ran through the loop to its first out");
		ret = 0;
	} else {
		snprintf(why, size,
			 "an execute breakpoint (DR0, DR7.L0) at 0x%llx in long mode ended in "
			 "%s, not KVM_EXIT_DEBUG with DR6.B0 at that pc",
			 (unsigned long long)inner,
			 guest_exit_str(&p.g, 0, exit_str, sizeof(exit_str)));
		ret = 0;
	}
out:
	guest_close(&p.g);
	return ret;
}

static int probe_debug_reg_trap(char *why, size_t size)
{
	const struct guest_prog *prog = &prog_drmov_long64;
	struct probe p = { .why = why, .size = size };
	const struct kvm_run *run;
	uint64_t dr[8] = { 0 };
	char exit_str[160];
	int ret;

	ret = probe_open(&p, prog, DRMOV_START);
	if (ret < 0)
		return ret;
	/* DR7: GD (bit 13), bit 10 always 1. */
	dr[7] = 0x400 | 0x2000;
	ret = guest_set_debug(&p.g, 0, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	if (ret < 0) {
		snprintf(why, size, "KVM_SET_GUEST_DEBUG(ENABLE | USE_HW_BP, DR7.GD) failed: %s",
			 strerror(-ret));
		ret = 0;
		goto out;
	}
	ret = probe_run(&p);
	if (ret < 0) {
		ret = 0;
		goto out;
	}
	run = p.g.vcpus[0].run;
	if (run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.exception == 1 &&
	    (run->debug.arch.dr6 & 0x2000)) {
		snprintf(why, size, "DR7.GD gave KVM_EXIT_DEBUG, pc 0x%llx, dr6 0x%llx",
			 (unsigned long long)run->debug.arch.pc,
			 (unsigned long long)run->debug.arch.dr6);
		ret = 1;
	} else if (guest_exit_is_out(&p.g, 0, GUEST_PORT_DONE)) {
		snprintf(why, size,
			 "with DR7.GD in KVM_SET_GUEST_DEBUG, a long-mode 'mov %%dr7, "
			 "%%rax' at CPL0 ran without KVM_EXIT_DEBUG");
		ret = 0;
	} else {
		snprintf(why, size,
			 "DR7.GD and a long-mode 'mov %%dr7, %%rax' ended in %s, not "
			 "KVM_EXIT_DEBUG with DR6.BD",
			 guest_exit_str(&p.g, 0, exit_str, sizeof(exit_str)));
		ret = 0;
	}
out:
	guest_close(&p.g);
	return ret;
}

int kt_probe_debug_reg_trap(const char **ret_why)
{
	static bool done;
	static int result;
	static char why[256];

	if (!done) {
		result = probe_debug_reg_trap(why, sizeof(why));
		done = true;
		g_test_message("debug register trap probe: %s", why);
	}
	*ret_why = why;
	return result;
}

int kt_probe_sw_breakpoints(const char **ret_why)
{
	static bool done;
	static int result;
	static char why[256];

	if (!done) {
		result = probe_sw_breakpoints(why, sizeof(why));
		done = true;
		g_test_message("software breakpoint probe: %s", why);
	}
	*ret_why = why;
	return result;
}

int kt_probe_watchpoints(const char **ret_why)
{
	static bool done;
	static int result;
	static char why[256];

	if (!done) {
		result = probe_watchpoints(why, sizeof(why));
		done = true;
		g_test_message("watchpoint probe: %s", why);
	}
	*ret_why = why;
	return result;
}

int kt_probe_hw_breakpoints(const char **ret_why)
{
	static bool done;
	static int result;
	static char why[256];

	if (!done) {
		result = probe_hw_breakpoints(why, sizeof(why));
		done = true;
		g_test_message("hardware breakpoint probe: %s", why);
	}
	*ret_why = why;
	return result;
}

bool kt_require_hw_breakpoints(void)
{
	const char *why;

	if (kt_probe_hw_breakpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver hardware breakpoints: %s", why);
	return false;
}
