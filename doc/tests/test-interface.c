// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * docs suite: the x86 statements of doc/kvm-guest-debug.md that a reader could test, tested
 * with raw ioctls on /dev/kvm (no libkvmdbg), each case named where the page makes the claim.
 *
 * The guest runs in real mode (doc/examples/tinyvm.h), which every x86 KVM runs, the
 * emulating ones included.  Without a usable /dev/kvm every case skips with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <linux/kvm.h>

#include "tinyvm.h"

#if !GLIB_CHECK_VERSION(2, 70, 0)
#define g_test_skip_printf(...)                                    \
	do {                                                       \
		char *skip_msg_ = g_strdup_printf(__VA_ARGS__);    \
		g_test_skip(skip_msg_);                            \
		g_free(skip_msg_);                                 \
	} while (0)
#endif

#define STR_(x) #x
#define STR(x) STR_(x)
#define HANDLER_PORT 0x12

#define DR6_ACTIVE_LOW 0xffff0ff0ull
#define DR6_BS (1ull << 14)
#define DR7_FIXED 0x400ull
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_RF (1ull << 16)
#define CR4_DE (1ull << 3)
#define CPUID_1_EDX_DE (1u << 2)

__asm__(".pushsection .rodata.iface_guest, \"a\"\n"
	".code16\n"
	"iface_guest:\n"
	"	nop\n"				/* +0 */
	"	mov $1, %ax\n"			/* +1 */
	"	inc %ax\n"			/* +4 */
	"	inc %ax\n"			/* +5 */
	"	out %al, $" STR(TINYVM_DONE_PORT) "\n"	/* +6 */
	"1:	hlt\n"
	"	jmp 1b\n"
	"iface_handler:\n"			/* vectors 1 and 3 in the inject cases */
	"	mov $0x33, %al\n"
	"	out %al, $" STR(HANDLER_PORT) "\n"
	"2:	hlt\n"
	"	jmp 2b\n"
	"iface_dr6:\n"				/* vector 1 in the payload case */
	"	mov %dr6, %eax\n"
	"	out %al, $" STR(HANDLER_PORT) "\n"
	"4:	hlt\n"
	"	jmp 4b\n"
	"iface_spin:\n"				/* announce, then spin */
	"	movb $1, " STR(TINYVM_DATA) "\n"
	"3:	jmp 3b\n"
	"iface_guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char iface_guest[], iface_handler[], iface_dr6[], iface_spin[];
extern const unsigned char iface_guest_end[];

#define OFF(label) ((uint16_t)((label) - iface_guest))

struct fix {
	bool ok;
	struct tinyvm t;
};

static void fix_setup(struct fix *f, const void *data)
{
	const char *why = NULL;
	int ret;

	(void)data;
	ret = tinyvm_open(&f->t, iface_guest, (size_t)(iface_guest_end - iface_guest), &why);
	if (ret < 0) {
		g_test_skip_printf("no usable KVM: %s: %s", why, g_strerror(-ret));
		return;
	}
	f->ok = true;
}

static void fix_teardown(struct fix *f, const void *data)
{
	(void)data;
	if (f->ok)
		tinyvm_close(&f->t);
}

#define REQUIRE(f)              \
	do {                    \
		if (!(f)->ok)   \
			return; \
	} while (0)

static int set_debug(struct fix *f, uint32_t control, const uint64_t dr[8])
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	if (dr)
		memcpy(dbg.arch.debugreg, dr, sizeof(dbg.arch.debugreg));
	return ioctl(f->t.vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

static void run_ok(struct fix *f)
{
	g_assert_cmpint(tinyvm_run(&f->t), ==, 0);
}

static void assert_debug_exit(struct fix *f, uint32_t exception, uint64_t pc, uint64_t dr6)
{
	struct kvm_debug_exit_arch *d = &f->t.run->debug.arch;

	if (f->t.run->exit_reason != KVM_EXIT_DEBUG)
		g_test_message("got %s", tinyvm_exit_name(&f->t));
	g_assert_cmpuint(f->t.run->exit_reason, ==, KVM_EXIT_DEBUG);
	g_assert_cmpuint(d->exception, ==, exception);
	g_assert_cmphex(d->pc, ==, pc);
	g_assert_cmphex(d->dr6, ==, dr6);
}

static void assert_done(struct fix *f, uint16_t ax)
{
	uint16_t got = 0;

	if (!tinyvm_exit_is_out(&f->t, TINYVM_DONE_PORT))
		g_test_message("got %s", tinyvm_exit_name(&f->t));
	g_assert_true(tinyvm_exit_is_out(&f->t, TINYVM_DONE_PORT));
	g_assert_cmpint(tinyvm_get_ax(&f->t, &got), ==, 0);
	g_assert_cmphex(got, ==, ax);
}

/* "Capabilities": the capability answers of an x86 kernel. */
static void test_capabilities(struct fix *f, const void *data)
{
	int cap, mask;

	(void)data;
	REQUIRE(f);
	cap = ioctl(f->t.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG);
	mask = ioctl(f->t.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	g_test_message("KVM_CAP_SET_GUEST_DEBUG = %d, KVM_CAP_SET_GUEST_DEBUG2 = 0x%x", cap, mask);
	/* 0 before Linux 5.8 (the ioctl worked all the same), 1 since. */
	g_assert_true(cap == 0 || cap == 1);
	g_assert_cmpint(set_debug(f, 0, NULL), ==, 0);
	/* 0 before 5.13; 5.13 and 5.14: no BLOCKIRQ yet; 5.15 and later: with BLOCKIRQ. */
	g_assert_true(mask == 0 || mask == 0x0f0003 || mask == 0x1f0003);
	if (cap == 0)
		g_assert_cmpint(mask, ==, 0);
	/* arm64-only capabilities are not there on x86. */
	g_assert_cmpint(ioctl(f->t.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_BPS), ==, 0);
	g_assert_cmpint(ioctl(f->t.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS), ==, 0);
}

/* "The size is in the ioctl number". */
static void test_ioctl_size(void)
{
	g_assert_cmpuint(sizeof(struct kvm_guest_debug), ==, 72);
	g_assert_cmpuint(_IOC_SIZE(KVM_SET_GUEST_DEBUG), ==, 72);
	g_assert_cmpuint(_IOC_DIR(KVM_SET_GUEST_DEBUG), ==, _IOC_WRITE);
	g_assert_cmpuint(_IOC_NR(KVM_SET_GUEST_DEBUG), ==, 0x9b);
	g_assert_cmpuint(sizeof(struct kvm_debug_exit_arch), ==, 32);
	g_assert_cmpuint(offsetof(struct kvm_run, debug.arch), ==, 32);
	g_assert_cmpuint(offsetof(struct kvm_debug_exit_arch, pc), ==, 8);
	g_assert_cmpuint(offsetof(struct kvm_debug_exit_arch, dr6), ==, 16);
	g_assert_cmpuint(offsetof(struct kvm_debug_exit_arch, dr7), ==, 24);
}

/* "Single-step": exception 1, pc is the linear address of the next instruction, DR6 BS. */
static void test_single_step(struct fix *f, const void *data)
{
	static const uint16_t next[] = { 1, 4, 5 };

	(void)data;
	REQUIRE(f);
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(next); i++) {
		uint16_t ip = 0;

		run_ok(f);
		/* real mode, CS.base = TINYVM_CODE: pc = base + ip, not ip */
		assert_debug_exit(f, 1, tinyvm_addr(next[i]), DR6_ACTIVE_LOW | DR6_BS);
		g_assert_cmpint(tinyvm_get_ip(&f->t, &ip), ==, 0);
		g_assert_cmphex(ip, ==, next[i]);
	}
	g_assert_cmpint(set_debug(f, 0, NULL), ==, 0);
	run_ok(f);
	assert_done(f, 3);
}

/*
 * "Execute breakpoints": in each slot n, exception 1 with pc at the breakpoint, DR6 =
 * 0xffff0ff0 | 1 << n, the instruction not executed; a plain KVM_RUN stops there again;
 * slot off, one step, slot on gets past it.
 */
static void test_hw_breakpoint(struct fix *f, const void *data)
{
	unsigned int n = GPOINTER_TO_UINT(data);
	const uint64_t bp = tinyvm_addr(5);
	uint64_t dr[8] = { 0 };
	uint16_t ax = 0;

	REQUIRE(f);
	dr[n] = bp;
	dr[7] = DR7_FIXED | 2ull << (2 * n);	/* Gn; R/Wn = LENn = 00 */
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr), ==, 0);
	for (int i = 0; i < 2; i++) {
		run_ok(f);
		assert_debug_exit(f, 1, bp, DR6_ACTIVE_LOW | 1ull << n);
		g_assert_cmpint(tinyvm_get_ax(&f->t, &ax), ==, 0);
		g_assert_cmphex(ax, ==, 2);
	}
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL), ==, 0);
	run_ok(f);
	assert_debug_exit(f, 1, tinyvm_addr(6), DR6_ACTIVE_LOW | DR6_BS);
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr), ==, 0);
	run_ok(f);
	assert_done(f, 3);
}

static void get_regs(struct fix *f, struct kvm_regs *regs)
{
	g_assert_cmpint(ioctl(f->t.vcpu_fd, KVM_GET_REGS, regs), ==, 0);
}

static void set_regs(struct fix *f, const struct kvm_regs *regs)
{
	g_assert_cmpint(ioctl(f->t.vcpu_fd, KVM_SET_REGS, regs), ==, 0);
}

/*
 * The vCPU's "insn_emulation" statistic (KVM_GET_STATS_FD, Linux 5.14): how many instructions
 * KVM's emulator ran.  Returns false where the kernel has no such statistic.
 */
static bool insn_emulation(struct fix *f, uint64_t *ret_count)
{
	struct kvm_stats_header hdr;
	bool found = false;
	size_t desc_size;
	char *descs;
	int fd;

	fd = ioctl(f->t.vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return false;
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		close(fd);
		return false;
	}
	desc_size = sizeof(struct kvm_stats_desc) + hdr.name_size;
	descs = g_malloc0(desc_size * hdr.num_desc);
	if (pread(fd, descs, desc_size * hdr.num_desc, hdr.desc_offset) ==
	    (ssize_t)(desc_size * hdr.num_desc)) {
		for (uint32_t i = 0; i < hdr.num_desc && !found; i++) {
			struct kvm_stats_desc *d = (void *)(descs + i * desc_size);

			if (strcmp(d->name, "insn_emulation") == 0)
				found = pread(fd, ret_count, sizeof(*ret_count),
					      hdr.data_offset + d->offset) ==
					(ssize_t)sizeof(*ret_count);
		}
	}
	g_free(descs);
	close(fd);
	return found;
}

/*
 * "Single-step and register writes": while SINGLESTEP is set, KVM_GET_REGS hides TF, the
 * guest's own included, and the call that ends stepping drops the guest's TF.
 */
static void test_step_tf_hidden(struct fix *f, const void *data)
{
	struct kvm_regs regs;

	(void)data;
	REQUIRE(f);
	get_regs(f, &regs);
	regs.rflags |= RFLAGS_TF;		/* the guest's own TF */
	set_regs(f, &regs);
	get_regs(f, &regs);
	g_assert_cmphex(regs.rflags & RFLAGS_TF, ==, RFLAGS_TF);

	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL), ==, 0);
	get_regs(f, &regs);
	g_assert_cmphex(regs.rflags & RFLAGS_TF, ==, 0);

	g_assert_cmpint(set_debug(f, 0, NULL), ==, 0);
	get_regs(f, &regs);
	g_assert_cmphex(regs.rflags & RFLAGS_TF, ==, 0);
}

/*
 * "Resuming with RFLAGS.RF": RF set at an execute-breakpoint stop gets past the breakpoint
 * when the instruction runs natively; KVM's emulator ignores RF for the debugger's
 * breakpoints, so an emulated instruction stops again.  Whether this KVM emulates the guest
 * is told by the vCPU's insn_emulation statistic over the instructions before the breakpoint
 * (a breakpoint the emulator reports is not counted: it stops before decoding).
 */
static void test_hw_breakpoint_rf(struct fix *f, const void *data)
{
	uint64_t dr[8] = { tinyvm_addr(5), 0, 0, 0, 0, 0, 0, DR7_FIXED | 2 };
	uint64_t before, after;
	struct kvm_regs regs;

	(void)data;
	REQUIRE(f);
	if (!insn_emulation(f, &before)) {
		g_test_skip("no insn_emulation statistic (KVM_GET_STATS_FD, Linux 5.14)");
		return;
	}
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr), ==, 0);
	run_ok(f);
	assert_debug_exit(f, 1, tinyvm_addr(5), DR6_ACTIVE_LOW | 1);
	g_assert_true(insn_emulation(f, &after));
	g_test_message("insn_emulation over the 3 instructions before the breakpoint: %"
		       G_GUINT64_FORMAT, after - before);

	get_regs(f, &regs);
	regs.rflags |= RFLAGS_RF;
	set_regs(f, &regs);
	run_ok(f);
	if (after > before)
		assert_debug_exit(f, 1, tinyvm_addr(5), DR6_ACTIVE_LOW | 1);
	else
		assert_done(f, 3);
}

/*
 * "I/O breakpoints never fire": an I/O breakpoint on the port the guest writes to, with
 * CR4.DE set, is accepted and the guest's "out" completes without a debug exit.
 */
static void test_io_breakpoint(struct fix *f, const void *data)
{
	/* R/W0 = 10 (I/O), LEN0 = 00 (1 byte), G0 */
	uint64_t dr[8] = { TINYVM_DONE_PORT, 0, 0, 0, 0, 0, 0, DR7_FIXED | 2 | 2ull << 16 };
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	int ret;

	(void)data;
	REQUIRE(f);
	/* CR4.DE is reserved unless the guest's CPUID has DE: give it the host's list. */
	cpuid = g_malloc0(sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	cpuid->nent = 256;
	g_assert_cmpint(ioctl(f->t.kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid), ==, 0);
	for (uint32_t i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			g_assert_cmphex(cpuid->entries[i].edx & CPUID_1_EDX_DE, ==, CPUID_1_EDX_DE);
	ret = ioctl(f->t.vcpu_fd, KVM_SET_CPUID2, cpuid);
	g_free(cpuid);
	g_assert_cmpint(ret, ==, 0);
	g_assert_cmpint(ioctl(f->t.vcpu_fd, KVM_GET_SREGS, &sregs), ==, 0);
	sregs.cr4 |= CR4_DE;
	g_assert_cmpint(ioctl(f->t.vcpu_fd, KVM_SET_SREGS, &sregs), ==, 0);

	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr), ==, 0);
	run_ok(f);
	assert_done(f, 3);
	/* The out completes on this KVM_RUN; an I/O breakpoint would trap right after it. */
	run_ok(f);
	if (f->t.run->exit_reason != KVM_EXIT_HLT)
		g_test_message("got %s", tinyvm_exit_name(&f->t));
	g_assert_cmpuint(f->t.run->exit_reason, ==, KVM_EXIT_HLT);
}

/*
 * "The payload is not the DR6 value of the exit": a #DB queued with KVM_SET_VCPU_EVENTS and
 * the payload 0x4001 (BS and B0, active-high) makes the guest's handler read DR6 = 0xffff4ff1.
 */
static void test_db_payload(struct fix *f, const void *data)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXCEPTION_PAYLOAD, .args = { 1 } };
	uint16_t entry[2] = { OFF(iface_dr6), TINYVM_CODE >> 4 };
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;

	(void)data;
	REQUIRE(f);
	if (ioctl(f->t.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXCEPTION_PAYLOAD) <= 0) {
		g_test_skip("no KVM_CAP_EXCEPTION_PAYLOAD (Linux 5.0)");
		return;
	}
	g_assert_cmpint(ioctl(f->t.vm_fd, KVM_ENABLE_CAP, &cap), ==, 0);
	memcpy(f->t.ram + 4 * 1, entry, sizeof(entry));

	g_assert_cmpint(ioctl(f->t.vcpu_fd, KVM_GET_VCPU_EVENTS, &ev), ==, 0);
	ev.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	ev.exception.pending = 1;
	ev.exception.injected = 0;
	ev.exception.nr = 1;
	ev.exception.has_error_code = 0;
	ev.exception_has_payload = 1;
	ev.exception_payload = DR6_BS | 1;
	g_assert_cmpint(ioctl(f->t.vcpu_fd, KVM_SET_VCPU_EVENTS, &ev), ==, 0);
	run_ok(f);
	if (!tinyvm_exit_is_out(&f->t, HANDLER_PORT))
		g_test_message("got %s", tinyvm_exit_name(&f->t));
	g_assert_true(tinyvm_exit_is_out(&f->t, HANDLER_PORT));
	get_regs(f, &regs);
	g_assert_cmphex(regs.rax & 0xffffffff, ==, (DR6_ACTIVE_LOW | DR6_BS | 1) & 0xffffffff);
}

/* "Each call replaces everything": a call without the breakpoint removes it. */
static void test_replaces(struct fix *f, const void *data)
{
	uint64_t dr[8] = { tinyvm_addr(5), 0, 0, 0, 0, 0, 0, DR7_FIXED | 2 };

	(void)data;
	REQUIRE(f);
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr), ==, 0);
	run_ok(f);
	assert_debug_exit(f, 1, tinyvm_addr(5), DR6_ACTIVE_LOW | 1);
	/* Only single-step now: the breakpoint would stop at 5 again; the step goes to 6. */
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL), ==, 0);
	run_ok(f);
	assert_debug_exit(f, 1, tinyvm_addr(6), DR6_ACTIVE_LOW | DR6_BS);
	/* And 0 switches everything off. */
	g_assert_cmpint(set_debug(f, 0, NULL), ==, 0);
	run_ok(f);
	assert_done(f, 3);
}

/* "Without ENABLE the other bits are ignored": SINGLESTEP alone is accepted and does nothing. */
static void test_enable_off(struct fix *f, const void *data)
{
	(void)data;
	REQUIRE(f);
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_SINGLESTEP, NULL), ==, 0);
	run_ok(f);
	assert_done(f, 3);
}

/*
 * "Except the inject bits": INJECT_BP without ENABLE still queues #BP (the guest's vector 3
 * runs), and a second one before KVM_RUN is refused with EBUSY.  The same for INJECT_DB.
 */
static void test_inject(struct fix *f, const void *data)
{
	unsigned int vector = GPOINTER_TO_UINT(data);
	uint32_t bit = vector == 3 ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB;
	uint16_t entry[2] = { OFF(iface_handler), TINYVM_CODE >> 4 };
	uint16_t ax = 0;

	REQUIRE(f);
	memcpy(f->t.ram + 4 * vector, entry, sizeof(entry));
	g_assert_cmpint(set_debug(f, bit, NULL), ==, 0);
	g_assert_cmpint(set_debug(f, bit, NULL), ==, -EBUSY);
	run_ok(f);
	if (!tinyvm_exit_is_out(&f->t, HANDLER_PORT))
		g_test_message("got %s", tinyvm_exit_name(&f->t));
	g_assert_true(tinyvm_exit_is_out(&f->t, HANDLER_PORT));
	g_assert_cmpint(tinyvm_get_ax(&f->t, &ax), ==, 0);
	g_assert_cmphex(ax & 0xff, ==, 0x33);
}

/* "x86 does not check the control word": bits no x86 kernel defines are accepted. */
static void test_unknown_bits(struct fix *f, const void *data)
{
	(void)data;
	REQUIRE(f);
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | 1u << 30, NULL), ==, 0);
	g_assert_cmpint(set_debug(f, KVM_GUESTDBG_ENABLE | 1u << 8, NULL), ==, 0);
	g_assert_cmpint(set_debug(f, 0, NULL), ==, 0);
	run_ok(f);
	assert_done(f, 3);
}

/* "It waits for the vCPU": the ioctl from another thread returns once KVM_RUN has. */
struct blocker {
	struct fix *f;
	atomic_bool done;
	int ret;
};

static void *blocker_main(void *data)
{
	struct blocker *b = data;

	b->ret = set_debug(b->f, KVM_GUESTDBG_ENABLE, NULL);
	atomic_store(&b->done, true);
	return NULL;
}

struct runner {
	struct fix *f;
	atomic_bool out;
	int ret;
};

static void *runner_main(void *data)
{
	struct runner *r = data;

	r->ret = tinyvm_run(&r->f->t);
	atomic_store(&r->out, true);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

static void test_blocks(struct fix *f, const void *data)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct runner r = { .f = f };
	struct blocker b = { .f = f };
	pthread_t runner, blocker;
	int i;

	(void)data;
	REQUIRE(f);
	g_assert_cmpint(sigaction(SIGUSR1, &sa, NULL), ==, 0);
	g_assert_cmpint(tinyvm_start(&f->t, OFF(iface_spin)), ==, 0);
	g_assert_cmpint(pthread_create(&runner, NULL, runner_main, &r), ==, 0);
	for (i = 0; i < 5000 && !__atomic_load_n(&f->t.ram[TINYVM_DATA], __ATOMIC_ACQUIRE); i++)
		g_usleep(1000);
	g_assert_cmpuint(f->t.ram[TINYVM_DATA], ==, 1);

	g_assert_cmpint(pthread_create(&blocker, NULL, blocker_main, &b), ==, 0);
	g_usleep(200 * 1000);
	/* 200 ms later the vCPU still runs and the ioctl has not returned. */
	g_assert_false(atomic_load(&r.out));
	g_assert_false(atomic_load(&b.done));

	/* Make KVM_RUN return: then the ioctl goes through. */
	for (i = 0; i < 100 && !atomic_load(&r.out); i++) {
		pthread_kill(runner, SIGUSR1);
		g_usleep(10 * 1000);
	}
	g_assert_cmpint(pthread_join(runner, NULL), ==, 0);
	g_assert_cmpint(pthread_join(blocker, NULL), ==, 0);
	g_assert_cmpint(r.ret, ==, -EINTR);
	g_assert_true(atomic_load(&b.done));
	g_assert_cmpint(b.ret, ==, 0);
}

#define ADD(path, data, fn) \
	g_test_add("/kvmdbg/docs/interface/" path, struct fix, data, fix_setup, fn, fix_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	ADD("capabilities", NULL, test_capabilities);
	g_test_add_func("/kvmdbg/docs/interface/ioctl-size", test_ioctl_size);
	ADD("single-step", NULL, test_single_step);
	ADD("hw-breakpoint/dr0", GUINT_TO_POINTER(0), test_hw_breakpoint);
	ADD("hw-breakpoint/dr1", GUINT_TO_POINTER(1), test_hw_breakpoint);
	ADD("hw-breakpoint/dr2", GUINT_TO_POINTER(2), test_hw_breakpoint);
	ADD("hw-breakpoint/dr3", GUINT_TO_POINTER(3), test_hw_breakpoint);
	ADD("hw-breakpoint/rf", NULL, test_hw_breakpoint_rf);
	ADD("io-breakpoint", NULL, test_io_breakpoint);
	ADD("step/tf-hidden", NULL, test_step_tf_hidden);
	ADD("db-payload", NULL, test_db_payload);
	ADD("replaces-state", NULL, test_replaces);
	ADD("enable-off", NULL, test_enable_off);
	ADD("inject/bp", GUINT_TO_POINTER(3), test_inject);
	ADD("inject/db", GUINT_TO_POINTER(1), test_inject);
	ADD("unknown-bits", NULL, test_unknown_bits);
	ADD("blocks-while-running", NULL, test_blocks);
	return g_test_run();
}
