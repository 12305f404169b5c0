// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm-gdbstub on arm64: 4 MiB of RAM at 0x40000000 (where the guest is linked, see
 * guest/guest-arm64.ld), every vCPU at EL1h with the MMU off (guest-virtual addresses are
 * physical ones, which libkvmdbg is told with kvmdbg_translate_identity()), interrupts
 * masked, x0 = its index, x1 = the vCPU count.  Three MMIO registers below RAM: a byte
 * stored to MMIO_CONSOLE is printed, one to MMIO_EXIT ends the guest with that status, one
 * to MMIO_HALT halts the vCPU for good.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x400000ull
#define LOAD_MIN (RAM_BASE + 0x100000ull)
#define MMIO_CONSOLE 0x09000000ull
#define MMIO_EXIT 0x09000008ull
#define MMIO_HALT 0x09000010ull

/* PSTATE: EL1 with SP_EL1, D, A, I and F masked (arch/arm64/include/uapi/asm/ptrace.h) */
#define PSTATE_EL1H_MASKED 0x3c5ull

#define CORE_REG(field)                                                                      \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(field))

const uint16_t arch_elf_machine = EM_AARCH64;
const uint64_t arch_ram_base = RAM_BASE, arch_ram_size = RAM_SIZE, arch_load_min = LOAD_MIN;

bool arch_segment_fits(uint64_t addr, uint64_t size)
{
	return addr >= LOAD_MIN && addr <= RAM_BASE + RAM_SIZE &&
	       size <= RAM_BASE + RAM_SIZE - addr;
}

int arch_vm_init(struct vm *vm, char *why, size_t size)
{
	struct kvm_vcpu_init init;
	int ret;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		snprintf(why, size, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -errno;
	}
	vm->arm_target = init.target;
	/* the MMU is off: an address is where it is */
	ret = kvmdbg_vm_set_memory_ops(vm->dbg, NULL, NULL, kvmdbg_translate_identity, NULL);
	if (ret < 0)
		snprintf(why, size, "libkvmdbg: %s", strerror(-ret));
	return ret;
}

static int set_reg(struct vcpu *v, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

	return ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int arch_vcpu_init(struct vm *vm, struct vcpu *v, char *why, size_t size)
{
	struct kvm_vcpu_init init = { .target = vm->arm_target };
	int ret = 0;

	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		ret = -errno;
	if (ret == 0)
		ret = set_reg(v, CORE_REG(regs.pstate), PSTATE_EL1H_MASKED);
	if (ret == 0)
		ret = set_reg(v, CORE_REG(regs.pc), vm->entry);
	if (ret == 0)
		ret = set_reg(v, CORE_REG(regs.regs[0]), v->index);
	if (ret == 0)
		ret = set_reg(v, CORE_REG(regs.regs[1]), vm->nr_vcpus_total);
	if (ret < 0)
		snprintf(why, size, "vCPU %u: KVM_ARM_VCPU_INIT or its registers: %s", v->index,
			 strerror(-ret));
	return ret;
}

static enum outcome mmio_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (!run->mmio.is_write) {
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		return RUN_ON;
	}
	switch (run->mmio.phys_addr) {
	case MMIO_CONSOLE:
		console_put(v->vm, v->index, run->mmio.data[0]);
		return RUN_ON;
	case MMIO_EXIT:
		v->vm->exit_status = run->mmio.data[0];
		return RUN_EXITED;
	case MMIO_HALT:
		return RUN_HALTED;
	default:
		return RUN_ON;
	}
}

enum outcome arch_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return mmio_exit(v);
	case KVM_EXIT_INTR:
		return RUN_ON;
	case KVM_EXIT_SYSTEM_EVENT:
		/* PSCI SYSTEM_OFF or RESET: the guest is over */
		v->vm->exit_status = 0;
		return RUN_EXITED;
	case KVM_EXIT_FAIL_ENTRY:
		return stopped(v, GDB_SIGILL, "KVM could not enter the guest, reason 0x%" PRIx64,
			       (uint64_t)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return stopped(v, GDB_SIGILL, "KVM internal error, suberror %u",
			       run->internal.suberror);
	default:
		/* e.g. an MMIO access KVM could not decode (KVM_EXIT_ARM_NISV) */
		return stopped(v, GDB_SIGSEGV, "unexpected KVM exit reason %u", run->exit_reason);
	}
}

void arch_probe(struct vm *vm)
{
	static const char *const names[] = {
		[KVMDBG_SUPPORT_NONE] = "no",
		[KVMDBG_SUPPORT_ACCEPTED] = "accepted",
		[KVMDBG_SUPPORT_NOT_DELIVERED] = "not delivered",
		[KVMDBG_SUPPORT_DELIVERED] = "yes",
	};
	int s[4] = {
		kvmdbg_vm_get_support(vm->dbg, KVMDBG_FEATURE_SINGLE_STEP),
		kvmdbg_vm_get_support(vm->dbg, KVMDBG_FEATURE_HW_BREAKPOINT),
		kvmdbg_vm_get_support(vm->dbg, KVMDBG_FEATURE_SW_BREAKPOINT),
		kvmdbg_vm_get_support(vm->dbg, KVMDBG_FEATURE_WATCH_ACCESS),
	};

	for (int i = 0; i < 4; i++)
		if (s[i] < 0 || s[i] > KVMDBG_SUPPORT_DELIVERED)
			s[i] = KVMDBG_SUPPORT_NONE;
	/* kvmdbg_vm_probe() is x86 only: here the answers are what the kernel accepts */
	say("libkvmdbg %s, entry 0x%" PRIx64 ", %u vCPU%s", kvmdbg_version_string(), vm->entry,
	    vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s");
	say("this KVM offers: single-step %s, hardware breakpoints %s (%d), BRK breakpoints %s, "
	    "watchpoints %s (%d)",
	    names[s[0]], names[s[1]], kvmdbg_vm_get_hw_slots(vm->dbg, false), names[s[2]],
	    names[s[3]], kvmdbg_vm_get_hw_slots(vm->dbg, true));
}
