/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit tier's shared fixture: a VM of any architecture over the fake kernel edge, with
 * guest RAM registered, identity translation, and writers of every architecture's exits.
 *
 * Every exit writer first fills the whole struct kvm_run after exit_reason with garbage, then
 * writes exactly the fields that the named kernel writes for that exit (as upstream KVM does:
 * the rest of the union holds whatever the previous exit left), so that no test leans on a
 * field the kernel did not write.
 */
#ifndef KVMDBG_TEST_FIXTURE_H
#define KVMDBG_TEST_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "fake-kernel.h"

#define FX_VM_FD 700
#define FX_VCPU_FD 701
#define FX_MAX_VCPUS 4
#define FX_GPA 0x100000ull
#define FX_SIZE 0x10000u

/* Capability numbers of <linux/kvm.h>, stated here rather than taken from the host's. */
#define FX_CAP_HW_BPS 119
#define FX_CAP_HW_WPS 120
#define FX_CAP_S390_USER_INSTR0 130
#define FX_CAP_PPC_GUEST_DEBUG_SSTEP 176
#define FX_REG_ARM64_PC 0x6030000000100040ull
#define FX_REG_RISCV_PC 0x8030000002000000ull
#define FX_REG_PPC_DEBUG_INST 0x102000000000008bull

/* x86 DR6 values as the kernel reports them (active-low bits set). */
#define FX_DR6_NONE 0xffff0ff0ull
#define FX_DR6_STEP 0xffff4ff0ull
#define FX_DR6_SLOT(n) (0xffff0ff0ull | 1ull << (n))

struct fx {
	const struct arch *arch;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[FX_MAX_VCPUS];
	struct kvm_run *run[FX_MAX_VCPUS];
	uint8_t *mem;  /* FX_SIZE bytes of guest RAM at FX_GPA */
	uint8_t *orig; /* the same as it was before the library touched it */
};

/*
 * Reset the fake kernel to arch (a kvmdbg_arch name) with that KVM_CAP_SET_GUEST_DEBUG2 value,
 * fill guest RAM with a pattern, create the VM with the RAM registered and an identity
 * translate callback, and attach nr_vcpus vCPUs.
 */
void fx_init(struct fx *f, const char *arch, int debug2, unsigned int nr_vcpus);
/* The same, without the VM (for tests that set capabilities first): fx_vm() then. */
void fx_init_bare(struct fx *f, const char *arch, int debug2);
void fx_vm(struct fx *f, unsigned int nr_vcpus);
void fx_fini(struct fx *f);

/* A guest address in the registered RAM. */
static inline uint64_t fx_addr(uint64_t off)
{
	return FX_GPA + off;
}

static inline uint8_t *fx_mem(struct fx *f, uint64_t gpa)
{
	g_assert_cmpuint(gpa - FX_GPA, <, FX_SIZE);
	return f->mem + (gpa - FX_GPA);
}

/* kvmdbg_vcpu_handle_exit(vcpu i, 0, ev), with *ev cleared first. */
int fx_exit(struct fx *f, unsigned int i, const struct kvmdbg_event **ev);

/* Garbage over the whole struct kvm_run after exit_reason (the bytes the last exit left). */
void fx_garbage(struct kvm_run *run);
void fx_exit_reason(struct kvm_run *run, uint32_t reason, bool be);

/* x86 #DB exit: the kernel writes exception 1, pc, dr6 and dr7. */
void fx_x86_db(struct kvm_run *run, uint64_t pc, uint64_t dr6);
/* x86 #BP exit (USE_SW_BP): the kernel writes exception 3 and pc only. */
void fx_x86_bp(struct kvm_run *run, uint64_t pc);
/* arm64: hsr (ESR low half) always; far only on a watchpoint exit (EC 0x34). */
void fx_arm64(struct kvm_run *run, uint32_t hsr, uint64_t far);
/*
 * ppc: address always; status only when has_status (Book3S HV writes only the address of a
 * software-breakpoint exit; PR writes neither on a step).
 */
void fx_ppc(struct kvm_run *run, bool be, bool has_address, uint64_t address, bool has_status,
	    uint32_t status);
/* s390 KVM_EXIT_DEBUG: psw_addr and the PER fields. */
void fx_s390_debug(struct kvm_run *run, uint64_t psw, uint64_t addr, uint8_t type);
/* s390 KVM_EXIT_S390_SIEIC: psw_addr (past the instruction), icptcode, ipa, ipb. */
void fx_s390_sieic(struct kvm_run *run, uint64_t psw, uint8_t icpt, uint16_t ipa,
		   uint32_t ipb);
/* riscv ebreak: KVM_EXIT_DEBUG and nothing else (struct kvm_debug_exit_arch is empty). */
void fx_riscv(struct kvm_run *run);

/* What a snapshot of point id says (kvmdbg_vm_get_point(); asserts that the point exists). */
struct fx_point {
	uint64_t id, addr, len, hits;
	enum kvmdbg_point_type type;
	unsigned int flags;
	void *user_data;
	struct kvmdbg_vcpu *vcpu;
	bool armed;
};

struct fx_point fx_point(struct kvmdbg_vm *vm, uint64_t id);
bool fx_point_armed(struct kvmdbg_vm *vm, uint64_t id);
uint64_t fx_point_hits(struct kvmdbg_vm *vm, uint64_t id);
/* kvmdbg_vm_find()'s id, or 0 when it says -ENOENT (asserting nothing else). */
uint64_t fx_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr);

/* Assert the event's type and pc. */
#define fx_assert_event(ev, type_, pc_)                                                      \
	do {                                                                                 \
		g_assert_nonnull(ev);                                                        \
		g_assert_cmpstr(kvmdbg_event_type_name(kvmdbg_event_get_type(ev)), ==,       \
				kvmdbg_event_type_name(type_));                              \
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, (pc_));                         \
	} while (0)

#endif /* KVMDBG_TEST_FIXTURE_H */
