// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * raw-interface: KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG on x86 with nothing but ioctl().
 *
 * The parts between the "snippet" markers are shown in doc/kvm-guest-debug.md, and a test of
 * the docs suite checks that the page and this file agree.  The program also checks what it
 * sees against what the page says (exception numbers, pc, DR6) and exits with 1 when the
 * kernel disagrees, 77 when there is no usable KVM, and 0 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "tinyvm.h"

#define DONE_PORT_STR "0x10"

/* The guest: real-mode code, run from offset 0. */
__asm__(".pushsection .rodata.raw_interface_guest, \"a\"\n"
	".code16\n"
	"raw_guest:\n"
	"	nop\n"				/* +0 */
	"	mov $1, %ax\n"			/* +1, three bytes */
	"	inc %ax\n"			/* +4 */
	"raw_guest_bp:\n"
	"	inc %ax\n"			/* +5: the breakpoint */
	"	out %al, $" DONE_PORT_STR "\n"	/* +6 */
	"1:	hlt\n"
	"	jmp 1b\n"
	"raw_guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char raw_guest[], raw_guest_bp[], raw_guest_end[];

#define BP_OFFSET ((uint16_t)(raw_guest_bp - raw_guest))

/* snippet: raw-probe */
/* Does this kernel have KVM_SET_GUEST_DEBUG, and which control bits does it take? */
static bool probe_guest_debug(int vm_fd, int vcpu_fd, uint32_t *ret_mask)
{
	struct kvm_guest_debug off = { .control = 0 };
	int cap, mask;

	cap = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG);
	mask = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	/* x86, s390 and ppc only report the first one since Linux 5.8: try the ioctl. */
	if (cap <= 0)
		cap = ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, &off) == 0;
	/* 0 before Linux 5.13, and always on ppc and riscv: no list of accepted bits. */
	*ret_mask = mask > 0 ? (uint32_t)mask : 0;
	return cap > 0;
}
/* snippet end */

/* snippet: raw-step */
/* Single-step n instructions; the pc of each step goes to pcs[]. */
static int single_step(int vcpu_fd, struct kvm_run *run, uint64_t *pcs, int n)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	int i;

	/* Write registers (KVM_SET_REGS) before this call, never after it. */
	if (ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (ioctl(vcpu_fd, KVM_RUN, 0) < 0)
			return -errno;
		if (run->exit_reason != KVM_EXIT_DEBUG)
			break;		/* an I/O exit and the like: handle it, run on */
		/* #DB (1) with DR6.BS (bit 14): one instruction done; pc is the next one */
		if (run->debug.arch.exception != 1 || !(run->debug.arch.dr6 & (1u << 14)))
			return -EPROTO;
		pcs[i] = run->debug.arch.pc;
	}
	return i;
}
/* snippet end */

/* snippet: raw-hw-breakpoint */
/* An execute breakpoint in slot 0 at a linear address. */
static int set_hw_breakpoint(int vcpu_fd, uint64_t addr)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	};

	dbg.arch.debugreg[0] = addr;		/* DR0 */
	dbg.arch.debugreg[7] = 0x400		/* DR7: bit 10 always reads 1 */
			       | 1u << 1;	/* G0: slot 0 on; R/W0 = LEN0 = 00: execute */
	return ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}
/* snippet end */

/* snippet: raw-resume */
/* Stopped at an execute breakpoint: run its instruction, then arm the breakpoint again. */
static int step_over_hw_breakpoint(int vcpu_fd, struct kvm_run *run, uint64_t addr)
{
	struct kvm_guest_debug dbg = {
		/* no USE_HW_BP: the guest's own debug registers are back, ours are off */
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};

	if (ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	if (ioctl(vcpu_fd, KVM_RUN, 0) < 0)
		return -errno;
	/* A step (or an ordinary exit of that instruction): past the breakpoint. */
	if (run->exit_reason == KVM_EXIT_DEBUG && !(run->debug.arch.dr6 & (1u << 14)))
		return -EPROTO;
	return set_hw_breakpoint(vcpu_fd, addr);
}
/* snippet end */

static int fail(const char *what)
{
	fprintf(stderr, "raw-interface: %s\n", what);
	return 1;
}

int main(void)
{
	const uint64_t expect_pcs[3] = { tinyvm_addr(1), tinyvm_addr(4), tinyvm_addr(5) };
	const uint64_t bp = tinyvm_addr(BP_OFFSET);
	uint64_t pcs[3] = { 0 };
	struct tinyvm t;
	const char *why;
	uint32_t mask;
	uint16_t ax;
	int ret;

	alarm(30);
	ret = tinyvm_open(&t, raw_guest, (size_t)(raw_guest_end - raw_guest), &why);
	if (ret < 0) {
		printf("raw-interface: skipped: %s: %s\n", why, strerror(-ret));
		return TINYVM_EXIT_SKIP;
	}
	if (!probe_guest_debug(t.vm_fd, t.vcpu_fd, &mask)) {
		printf("raw-interface: skipped: the kernel has no KVM_SET_GUEST_DEBUG\n");
		tinyvm_close(&t);
		return TINYVM_EXIT_SKIP;
	}
	printf("KVM_SET_GUEST_DEBUG: yes; accepted control bits: 0x%" PRIx32 "%s\n", mask,
	       mask ? "" : " (not reported)");
	printf("struct kvm_guest_debug: %zu bytes, the size in the ioctl number: %u\n",
	       sizeof(struct kvm_guest_debug), (unsigned int)_IOC_SIZE(KVM_SET_GUEST_DEBUG));
	if (sizeof(struct kvm_guest_debug) != 72 || _IOC_SIZE(KVM_SET_GUEST_DEBUG) != 72)
		return fail("x86 struct kvm_guest_debug is not 72 bytes");

	/* Three steps from offset 0: the pc after nop, after mov, after the first inc. */
	ret = single_step(t.vcpu_fd, t.run, pcs, 3);
	if (ret < 0)
		return fail(strerror(-ret));
	for (int i = 0; i < 3; i++)
		printf("step %d: pc 0x%" PRIx64 " (expected 0x%" PRIx64 ")\n", i + 1, pcs[i],
		       expect_pcs[i]);
	if (ret != 3 || memcmp(pcs, expect_pcs, sizeof(pcs)) != 0)
		return fail("the steps are not where the page says");

	/* From the start again: the breakpoint, twice at the same pc, then past it. */
	if (tinyvm_start(&t, 0) < 0 || set_hw_breakpoint(t.vcpu_fd, bp) < 0)
		return fail("cannot set the breakpoint");
	for (int i = 0; i < 2; i++) {
		if (tinyvm_run(&t) < 0 || t.run->exit_reason != KVM_EXIT_DEBUG)
			return fail("no breakpoint exit");
		printf("breakpoint: exception %u pc 0x%llx dr6 0x%llx\n",
		       t.run->debug.arch.exception, (unsigned long long)t.run->debug.arch.pc,
		       (unsigned long long)t.run->debug.arch.dr6);
		if (t.run->debug.arch.exception != 1 || t.run->debug.arch.pc != bp ||
		    (t.run->debug.arch.dr6 & 0xf) != 1)
			return fail("the breakpoint exit is not what the page says");
	}
	/* Stopped before the instruction: ax is still 2. */
	if (tinyvm_get_ax(&t, &ax) < 0 || ax != 2)
		return fail("the instruction at the breakpoint ran");
	ret = step_over_hw_breakpoint(t.vcpu_fd, t.run, bp);
	if (ret < 0)
		return fail(strerror(-ret));
	if (tinyvm_run(&t) < 0 || !tinyvm_exit_is_out(&t, TINYVM_DONE_PORT))
		return fail("the guest did not run on to its end");
	if (tinyvm_get_ax(&t, &ax) < 0 || ax != 3)
		return fail("the guest did not compute 3");
	printf("stepped over the breakpoint; the guest ended with ax = %u\n", ax);
	tinyvm_close(&t);
	return 0;
}
