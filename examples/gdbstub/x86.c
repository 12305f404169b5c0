// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm-gdbstub on x86-64: every vCPU in 64-bit long mode at CPL0, linear addresses 0-4 MiB
 * mapped to the same physical ones (but the page at 0, so that a NULL pointer faults, and
 * UNMAPPED_PAGE, to show how gdb sees unmapped memory), a flat GDT, no IDT (an exception is a
 * triple fault, which gdb hears of as SIGSEGV).  Port 0xe9 is the console, port 0xf4 the
 * guest's exit with its status; hlt with interrupts off halts the vCPU for good.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

#define RAM_SIZE 0x400000ull /* 4 MiB */
#define GDT_ADDR 0x1000ull
#define TSS_ADDR 0x1100ull
#define PML4_ADDR 0x2000ull
#define PDPT_ADDR 0x3000ull
#define PD_ADDR 0x4000ull
#define PT_ADDR 0x5000ull	  /* 4 KiB pages for the first 2 MiB */
#define LOAD_MIN 0x100000ull	  /* the ELF image must lie in [LOAD_MIN, RAM_SIZE) */
#define UNMAPPED_PAGE 0x1ff000ull /* RAM, but no linear address reaches it */
#define PORT_CONSOLE 0xe9
#define PORT_EXIT 0xf4

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

#define PTE_TABLE 0x23ull /* present, writable, accessed */
#define PTE_PAGE 0x63ull  /* and dirty: page walks never write guest memory */
#define PTE_PS (1ull << 7)

const uint16_t arch_elf_machine = EM_X86_64;
const uint64_t arch_ram_base = 0, arch_ram_size = RAM_SIZE, arch_load_min = LOAD_MIN;

bool arch_segment_fits(uint64_t addr, uint64_t size)
{
	if (addr < LOAD_MIN || addr > RAM_SIZE || size > RAM_SIZE - addr)
		return false;
	return addr + size <= UNMAPPED_PAGE || addr >= UNMAPPED_PAGE + 0x1000;
}

static void put_u64(uint8_t *ram, uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, sizeof(v));
}

int arch_vm_init(struct vm *vm, char *why, size_t size)
{
	uint8_t *ram = vm->ram;

	/* null, 64-bit code, flat data, and a 16-byte busy TSS descriptor */
	put_u64(ram, GDT_ADDR + SEL_CODE64, 0x00af9b000000ffffull);
	put_u64(ram, GDT_ADDR + SEL_DATA, 0x00cf93000000ffffull);
	put_u64(ram, GDT_ADDR + SEL_TSS,
		0x67 | (TSS_ADDR & 0xffffff) << 16 | 0x8bull << 40 | (TSS_ADDR >> 24 & 0xff) << 56);
	/* linear 0-2 MiB in 4 KiB pages but two, 2-4 MiB as one 2 MiB page */
	put_u64(ram, PML4_ADDR, PDPT_ADDR | PTE_TABLE);
	put_u64(ram, PDPT_ADDR, PD_ADDR | PTE_TABLE);
	put_u64(ram, PD_ADDR, PT_ADDR | PTE_TABLE);
	put_u64(ram, PD_ADDR + 8, 0x200000 | PTE_PAGE | PTE_PS);
	for (uint64_t page = 1; page < 512; page++)
		if (page << 12 != UNMAPPED_PAGE)
			put_u64(ram, PT_ADDR + 8 * page, page << 12 | PTE_PAGE);
	(void)why;
	(void)size;
	return 0;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){ .limit = 0xffffffff, .selector = selector, .type = type,
				     .present = 1, .db = 1, .s = 1, .g = 1 };
}

/* The guest's CPUID must have long mode, or KVM_SET_SREGS refuses EFER.LME. */
static int set_cpuid(struct vm *vm, struct vcpu *v)
{
	for (unsigned int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		int ret;

		if (!c)
			return -ENOMEM;
		c->nent = n;
		ret = ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0 ? -errno : 0;
		if (ret == 0)
			ret = ioctl(v->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
		free(c);
		if (ret != -E2BIG)
			return ret;
	}
	return -E2BIG;
}

int arch_vcpu_init(struct vm *vm, struct vcpu *v, char *why, size_t size)
{
	struct kvm_regs regs = { .rip = vm->entry, .rdi = v->index, .rflags = 0x2 };
	struct kvm_sregs sregs;
	int ret;

	ret = set_cpuid(vm, v);
	if (ret == 0 && ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		ret = -errno;
	if (ret < 0) {
		snprintf(why, size, "vCPU %u: CPUID: %s", v->index, strerror(-ret));
		return ret;
	}
	sregs.cs = flat_segment(SEL_CODE64, 0xb);
	sregs.cs.db = 0;
	sregs.cs.l = 1;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat_segment(SEL_DATA, 3);
	sregs.tr = (struct kvm_segment){ .base = TSS_ADDR, .limit = 0x67, .selector = SEL_TSS,
					 .type = 0xb, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .unusable = 1 };
	sregs.gdt.base = GDT_ADDR;
	sregs.gdt.limit = SEL_TSS + 16 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80010033; /* PG WP NE ET MP PE */
	sregs.cr3 = PML4_ADDR;
	sregs.cr4 = 0x220; /* OSFXSR PAE; not PCIDE: some KVMs (PVM) refuse it here */
	sregs.efer = 0x500; /* LMA LME */
	sregs.cr2 = 0;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	regs.rsi = vm->nr_vcpus_total;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
		snprintf(why, size, "vCPU %u: long mode: %s", v->index, strerror(errno));
		return -errno;
	}
	return 0;
}

static enum outcome io_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	size_t len = (size_t)run->io.size * run->io.count;

	if (run->io.direction == KVM_EXIT_IO_IN) {
		memset(data, 0xff, len); /* no devices: every port reads as all ones */
		return RUN_ON;
	}
	if (run->io.port == PORT_CONSOLE) {
		for (size_t i = 0; i < len; i++)
			console_put(v->vm, v->index, data[i]);
	} else if (run->io.port == PORT_EXIT) {
		v->vm->exit_status = data[0];
		return RUN_EXITED;
	}
	return RUN_ON;
}

enum outcome arch_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return io_exit(v);
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return RUN_ON;
	case KVM_EXIT_INTR:
		return RUN_ON;
	case KVM_EXIT_HLT:
		return RUN_HALTED;
	case KVM_EXIT_SHUTDOWN:
		return stopped(v, GDB_SIGSEGV, "a triple fault (KVM_EXIT_SHUTDOWN): the guest "
			       "took an exception it has no handler for");
	case KVM_EXIT_INTERNAL_ERROR:
		return stopped(v, GDB_SIGILL, "KVM internal error, suberror %u%s",
			       run->internal.suberror,
			       run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				       ? " (KVM could not emulate an instruction)"
				       : "");
	case KVM_EXIT_FAIL_ENTRY:
		return stopped(v, GDB_SIGILL, "KVM could not enter the guest, reason 0x%" PRIx64,
			       (uint64_t)run->fail_entry.hardware_entry_failure_reason);
	default:
		return stopped(v, GDB_SIGILL, "unexpected KVM exit reason %u", run->exit_reason);
	}
}

static const char *yes_no(struct vm *vm, enum kvmdbg_feature feature)
{
	return kvmdbg_vm_get_support(vm->dbg, feature) == KVMDBG_SUPPORT_DELIVERED ? "yes"
										  : "no";
}

void arch_probe(struct vm *vm)
{
	static const char *const watch[] = { "'watch' (Z2)", "'awatch' (Z4)" };
	static const enum kvmdbg_feature wf[] = { KVMDBG_FEATURE_WATCH_WRITE,
						  KVMDBG_FEATURE_WATCH_ACCESS };
	int ret = kvmdbg_vm_probe(vm->dbg, vm->kvm_fd);

	if (ret < 0)
		say("cannot probe what this KVM delivers: %s", strerror(-ret));
	say("libkvmdbg %s, entry 0x%" PRIx64 ", %u vCPU%s", kvmdbg_version_string(), vm->entry,
	    vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s");
	say("this KVM delivers: single-step %s, hardware breakpoints %s (%d debug registers), "
	    "int3 %s, write watchpoints %s, access watchpoints %s",
	    yes_no(vm, KVMDBG_FEATURE_SINGLE_STEP), yes_no(vm, KVMDBG_FEATURE_HW_BREAKPOINT),
	    kvmdbg_vm_get_hw_slots(vm->dbg, false), yes_no(vm, KVMDBG_FEATURE_SW_BREAKPOINT),
	    yes_no(vm, KVMDBG_FEATURE_WATCH_WRITE), yes_no(vm, KVMDBG_FEATURE_WATCH_ACCESS));
	if (kvmdbg_gdbserver_get_break_type(vm->gdb) == KVMDBG_POINT_SW_BREAK)
		say("gdb's 'break' (Z0) uses int3 in guest memory");
	else
		say("gdb's 'break' (Z0) uses a hardware breakpoint: a debug register, shared "
		    "with 'hbreak', 'watch' and 'awatch'; stops say 'hwbreak'");
	for (int i = 0; i < 2; i++)
		if (kvmdbg_vm_get_support(vm->dbg, wf[i]) == KVMDBG_SUPPORT_NOT_DELIVERED)
			say("gdb's %s is refused: this KVM accepts it but did not deliver it to "
			    "a probe guest ('set can-use-hw-watchpoints 0' in gdb gives software "
			    "watchpoints)", watch[i]);
}
