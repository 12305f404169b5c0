// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * run-to: the EXAMPLES section of kvmdbg(7): a function that attaches libkvmdbg to a VM a
 * VMM already has, runs its vCPU to a hardware breakpoint, prints the stop with the bytes at
 * the pc, and detaches.  The man page shows the part between the snippet markers; main()
 * gives it a tinyvm and checks what it printed.  Exit status: 0, 1 on a mismatch, 77 without
 * a usable KVM or where the probe saw hardware breakpoints not delivered.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <kvmdbg/kvmdbg.h>

#include "tinyvm.h"

/* The guest: three instructions, then "done"; the breakpoint goes on the second. */
__asm__(".pushsection .rodata.run_to_guest, \"a\"\n"
	".code16\n"
	"run_to_guest:\n"
	"	mov $7, %ax\n"
	"run_to_guest_stop:\n"
	"	add $5, %ax\n"
	"	out %al, $0x10\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	"run_to_guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char run_to_guest[], run_to_guest_stop[], run_to_guest_end[];

/* snippet: man-example */
/* Run the vCPU to addr; print the stop and the 3 bytes there. */
static int run_to(int vm_fd, int vcpu_fd, struct kvm_run *run,
		  void *ram, size_t ram_size, uint64_t addr)
{
	const struct kvmdbg_event *ev;
	enum kvmdbg_event_type type;
	struct kvmdbg_vcpu *vcpu;
	struct kvmdbg_vm *vm;
	uint8_t b[3];
	uint64_t pc;
	int ret;

	ret = kvmdbg_vm_new(vm_fd, &vm);
	if (ret < 0)
		return ret;
	ret = kvmdbg_vm_add_memory(vm, 0, ram_size, ram);
	if (ret < 0)
		goto out;
	ret = kvmdbg_vcpu_new(vm, vcpu_fd, run, &vcpu);
	if (ret < 0)
		goto out;
	ret = kvmdbg_vm_insert(vm, KVMDBG_POINT_HW_BREAK, addr, 0, 0,
			       NULL, NULL);
	if (ret < 0)
		goto out;
	do {
		ret = kvmdbg_vcpu_pre_run(vcpu);
		if (ret < 0)
			goto out;
		ret = ioctl(vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		ret = kvmdbg_vcpu_handle_exit(vcpu, ret, &ev);
		if (ret == KVMDBG_EXIT_NOT_DEBUG)
			ret = -EPROTO;	/* VMM exits go here */
	} while (ret == KVMDBG_EXIT_RESUME);
	if (ret < 0)
		goto out;
	/* the bytes as the guest sees them, through this vCPU */
	type = kvmdbg_event_get_type(ev);
	pc = kvmdbg_event_get_pc(ev);
	ret = kvmdbg_vm_read_memory(vm, vcpu, pc, b, sizeof(b));
	if (ret == 0)
		printf("%s at 0x%" PRIx64 ": %02x %02x %02x\n",
		       kvmdbg_event_type_name(type), pc,
		       b[0], b[1], b[2]);
out:
	kvmdbg_vm_free(vm);	/* frees the vCPU object too */
	return ret;
}
/* snippet end */

int main(void)
{
	const uint64_t stop = tinyvm_addr((uint16_t)(run_to_guest_stop - run_to_guest));
	struct kvmdbg_vm *vm;
	struct tinyvm t;
	const char *why;
	uint16_t ip = 0;
	int ret;

	alarm(30);
	ret = tinyvm_open(&t, run_to_guest, (size_t)(run_to_guest_end - run_to_guest), &why);
	if (ret < 0) {
		printf("run-to: skipped: %s: %s\n", why, strerror(-ret));
		return TINYVM_EXIT_SKIP;
	}
	/* A host that accepts hardware breakpoints but never delivers them cannot run this. */
	ret = kvmdbg_vm_new(t.vm_fd, &vm);
	if (ret == 0) {
		if (kvmdbg_vm_has_feature(vm, KVMDBG_FEATURE_HW_BREAKPOINT) != 1 ||
		    (kvmdbg_vm_probe(vm, t.kvm_fd) == 0 &&
		     kvmdbg_vm_get_support(vm, KVMDBG_FEATURE_HW_BREAKPOINT) !=
			     KVMDBG_SUPPORT_DELIVERED))
			ret = TINYVM_EXIT_SKIP;
		kvmdbg_vm_free(vm);
	}
	if (ret == TINYVM_EXIT_SKIP) {
		printf("run-to: skipped: no hardware breakpoints delivered here\n");
		tinyvm_close(&t);
		return TINYVM_EXIT_SKIP;
	}

	ret = run_to(t.vm_fd, t.vcpu_fd, t.run, t.ram, TINYVM_RAM_SIZE, stop);
	if (ret < 0) {
		fprintf(stderr, "run-to: %s\n", strerror(-ret));
		tinyvm_close(&t);
		return 1;
	}
	/*
	 * Stopped at the breakpoint, its instruction not yet run; the man page shows the line
	 * printed for it: "hw-breakpoint at 0x1003: 83 c0 05".
	 */
	ret = tinyvm_get_ip(&t, &ip);
	tinyvm_close(&t);
	if (ret < 0 || tinyvm_addr(ip) != stop || stop != 0x1003 ||
	    memcmp(run_to_guest_stop, "\x83\xc0\x05", 3) != 0) {
		fprintf(stderr, "run-to: not stopped where the man page says\n");
		return 1;
	}
	return 0;
}
