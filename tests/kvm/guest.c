/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest harness of the kvm suite: raw ioctls only (see guest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"

/* GDT selectors (see setup_tables()). */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18
#define SEL_TSS 0x20

#define CR0_PE (1ull << 0)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
/* Accessed and dirty from the start, so that no page walk ever changes guest memory. */
#define PTE_DIR (PTE_P | PTE_RW | PTE_A)
#define PTE_2MIB (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS)

const char *guest_mode_name(enum guest_mode mode)
{
	switch (mode) {
	case GUEST_REAL:
		return "real";
	case GUEST_PROT32:
		return "prot32";
	case GUEST_LONG64:
		return "long64";
	default:
		return "?";
	}
}

uint64_t guest_prog_addr(const struct guest_prog *prog, unsigned int label)
{
	if (label >= prog->nr_offs)
		abort();
	return GUEST_CODE + prog->offs[label];
}

size_t guest_prog_size(const struct guest_prog *prog)
{
	return (size_t)(prog->end - prog->start);
}

static void put_u64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static void setup_tables(uint8_t *mem)
{
	/* Flat code and data for 32-bit, a 64-bit code segment, and a busy TSS (16 bytes). */
	put_u64(mem, GUEST_GDT + 0x00, 0);
	put_u64(mem, GUEST_GDT + SEL_CODE32, 0x00cf9b000000ffffull);
	put_u64(mem, GUEST_GDT + SEL_DATA, 0x00cf93000000ffffull);
	put_u64(mem, GUEST_GDT + SEL_CODE64, 0x00af9b000000ffffull);
	put_u64(mem, GUEST_GDT + SEL_TSS, 0x67 | (GUEST_TSS << 16) | (0x8bull << 40));
	put_u64(mem, GUEST_GDT + SEL_TSS + 8, 0);

	/* Identity map of the first 6 MiB (2 past the RAM) in 2 MiB pages, plus the alias. */
	put_u64(mem, GUEST_PML4, GUEST_PDPT | PTE_DIR);
	put_u64(mem, GUEST_PDPT, GUEST_PD | PTE_DIR);
	put_u64(mem, GUEST_PDPT + 8, GUEST_PD_ALIAS | PTE_DIR);
	put_u64(mem, GUEST_PD, 0x000000 | PTE_2MIB);
	put_u64(mem, GUEST_PD + 8, 0x200000 | PTE_2MIB);
	put_u64(mem, GUEST_PD + 16, GUEST_MMIO | PTE_2MIB);
	put_u64(mem, GUEST_PD_ALIAS, GUEST_ALIAS_GPA | PTE_2MIB);

	/*
	 * Real mode: every exception vector leads to "out %al, $GUEST_PORT_FAULT; jmp .", so a
	 * stray exception shows up as an I/O exit instead of running the vector table as code.
	 */
	static const uint8_t stub[] = { 0xe6, GUEST_PORT_FAULT, 0xeb, 0xfe };

	memcpy(mem + GUEST_FAULT_STUB, stub, sizeof(stub));
	for (unsigned int v = 0; v < 32; v++) {
		uint16_t ivt[2] = { 0, (uint16_t)(GUEST_FAULT_STUB >> 4) };

		memcpy(mem + GUEST_IVT + 4 * v, ivt, sizeof(ivt));
	}
}

static int get_supported_cpuid(struct kc_guest *g)
{
	for (unsigned int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(g->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			g->cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

static int x86_guest_init(struct kc_guest *g, const char **ret_why)
{
	int ret;

	/* Needed by Intel hosts without unrestricted guest for real mode; harmless elsewhere. */
	(void)ioctl(g->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	ret = get_supported_cpuid(g);
	if (ret < 0) {
		*ret_why = "KVM_GET_SUPPORTED_CPUID failed";
		return ret;
	}
	setup_tables(g->mem);
	return 0;
}

static void x86_guest_fini(struct kc_guest *g)
{
	free(g->cpuid);
	g->cpuid = NULL;
}

static int x86_vcpu_init(struct kc_guest *g, unsigned int i)
{
	/* Long mode needs CPUID.LM in the guest's CPUID, or KVM_SET_SREGS refuses EFER.LME. */
	if (ioctl(g->vcpus[i].fd, KVM_SET_CPUID2, g->cpuid) < 0)
		return -errno;
	return 0;
}

void guest_load(struct kc_guest *g, const struct guest_prog *prog)
{
	size_t size = guest_prog_size(prog);

	if (size > GUEST_CODE_MAX)
		abort();
	memcpy(g->mem + GUEST_CODE, prog->start, size);
}

void guest_set_vector(struct kc_guest *g, unsigned int vector, uint16_t ip)
{
	uint16_t ivt[2] = { ip, (uint16_t)GUEST_REAL_CS };

	memcpy(g->mem + GUEST_IVT + 4 * vector, ivt, sizeof(ivt));
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.db = 1,
		.s = 1,
		.g = 1,
	};
}

int guest_enter(struct kc_guest *g, unsigned int i, enum guest_mode mode, uint64_t pc)
{
	int fd = g->vcpus[i].fd;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;

	sregs.gdt.base = GUEST_GDT;
	sregs.gdt.limit = SEL_TSS + 16 - 1;
	sregs.cr2 = 0;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));

	if (mode == GUEST_REAL) {
		struct kvm_segment data = {
			.base = 0,
			.limit = 0xffff,
			.selector = 0,
			.type = 3,
			.present = 1,
			.s = 1,
		};

		sregs.cs = data;
		sregs.cs.type = 0xb;
		sregs.cs.selector = GUEST_REAL_CS;
		sregs.cs.base = GUEST_CODE;
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
		sregs.tr = (struct kvm_segment){
			.limit = 0xffff,
			.type = 0xb,
			.present = 1,
		};
		sregs.ldt = (struct kvm_segment){
			.limit = 0xffff,
			.type = 2,
			.present = 1,
		};
		sregs.idt.base = GUEST_IVT;
		sregs.idt.limit = 0x3ff;
		sregs.cr0 = CR0_ET | CR0_NE;
		sregs.cr3 = 0;
		sregs.cr4 = 0;
		sregs.efer = 0;
	} else {
		struct kvm_segment data = flat_segment(SEL_DATA, 3);

		if (mode == GUEST_PROT32) {
			sregs.cs = flat_segment(SEL_CODE32, 0xb);
			sregs.cr0 = CR0_PE | CR0_ET | CR0_NE;
			sregs.cr3 = 0;
			sregs.cr4 = 0;
			sregs.efer = 0;
		} else {
			sregs.cs = flat_segment(SEL_CODE64, 0xb);
			sregs.cs.db = 0;
			sregs.cs.l = 1;
			sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
			sregs.cr3 = GUEST_PML4;
			/* Not CR4.PCIDE: this host's KVM_SET_SREGS refuses it. */
			sregs.cr4 = CR4_PAE;
			sregs.efer = EFER_LME | EFER_LMA;
		}
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
		sregs.tr = (struct kvm_segment){
			.base = GUEST_TSS,
			.limit = 0x67,
			.selector = SEL_TSS,
			.type = 0xb,
			.present = 1,
		};
		sregs.ldt = (struct kvm_segment){ .unusable = 1 };
		/* No IDT: any exception in these modes is a triple fault, KVM_EXIT_SHUTDOWN. */
		sregs.idt.base = 0;
		sregs.idt.limit = 0;
	}
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = pc - sregs.cs.base;
	regs.rsp = GUEST_STACK_TOP;
	if (ioctl(fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int guest_get_regs(struct kc_guest *g, unsigned int i, struct kvm_regs *regs)
{
	return ioctl(g->vcpus[i].fd, KVM_GET_REGS, regs) < 0 ? -errno : 0;
}

int guest_set_regs(struct kc_guest *g, unsigned int i, const struct kvm_regs *regs)
{
	return ioctl(g->vcpus[i].fd, KVM_SET_REGS, regs) < 0 ? -errno : 0;
}

uint64_t guest_get_pc(struct kc_guest *g, unsigned int i)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(g->vcpus[i].fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(g->vcpus[i].fd, KVM_GET_REGS, &regs) < 0)
		return ~0ull;
	return sregs.cs.base + regs.rip;
}

int guest_set_debug(struct kc_guest *g, unsigned int i, uint32_t control, const uint64_t dr[8])
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	if (dr)
		memcpy(dbg.arch.debugreg, dr, sizeof(dbg.arch.debugreg));
	return ioctl(g->vcpus[i].fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

const char *guest_exit_str(struct kc_guest *g, unsigned int i, char *buf, size_t size)
{
	const struct kvm_run *run = g->vcpus[i].run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		snprintf(buf, size, "io %s port 0x%x",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port);
		break;
	case KVM_EXIT_DEBUG:
		snprintf(buf, size, "debug exception %u pc 0x%llx dr6 0x%llx",
			 run->debug.arch.exception, (unsigned long long)run->debug.arch.pc,
			 (unsigned long long)run->debug.arch.dr6);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, size, "internal error, suberror %u", run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, size, "entry failure 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_SHUTDOWN:
		snprintf(buf, size, "shutdown (triple fault)");
		break;
	case KVM_EXIT_HLT:
		snprintf(buf, size, "hlt");
		break;
	case KVM_EXIT_MMIO:
		snprintf(buf, size, "mmio at 0x%llx", (unsigned long long)run->mmio.phys_addr);
		break;
	default:
		snprintf(buf, size, "exit reason %u", run->exit_reason);
		break;
	}
	return buf;
}

bool guest_exit_is_out(struct kc_guest *g, unsigned int i, uint64_t port)
{
	const struct kvm_run *run = g->vcpus[i].run;

	return run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT &&
	       run->io.port == port;
}

bool guest_exit_is_mmio(struct kc_guest *g, unsigned int i, uint64_t addr, bool write,
			uint32_t data)
{
	const struct kvm_run *run = g->vcpus[i].run;
	uint32_t value;

	if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != addr ||
	    run->mmio.len != 4 || run->mmio.is_write != write)
		return false;
	memcpy(&value, run->mmio.data, sizeof(value));
	return !write || value == data;
}

void guest_mmio_reply(struct kc_guest *g, unsigned int i, uint32_t data)
{
	memcpy(g->vcpus[i].run->mmio.data, &data, sizeof(data));
}

const struct kc_arch kc_arch = {
	.mem_base = 0,
	.mem_size = GUEST_MEM_SIZE,
	.vm_type = 0,
	.create_vm_why = "KVM_CREATE_VM failed",
	.watchdog_seconds = GUEST_WATCHDOG_SECONDS,
	.guest_init = x86_guest_init,
	.guest_fini = x86_guest_fini,
	.vcpu_init = x86_vcpu_init,
	.pc = guest_get_pc,
	.exit_str = guest_exit_str,
};
