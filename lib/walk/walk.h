/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Guest page-table walkers: a guest-virtual (x86: linear) address and the vCPU's translation
 * registers in, the guest-physical address and the mapping's permissions out.  Pure like the
 * arch backends: no ioctl, no allocation, no global state, no dependency on the host
 * architecture (every walker is built and unit-tested on every host).  The guest's page
 * tables are read through a caller's read callback, entry by entry, in the guest's byte
 * order, and are NEVER written: unlike the kernel's own walk behind KVM_TRANSLATE
 * (arch/x86/kvm/mmu/paging_tmpl.h, FNAME(update_accessed_dirty_bits)), no Accessed or Dirty
 * bit is set, so a fuzzer comparing snapshots sees no change, and no vCPU has to be outside
 * KVM_RUN.
 *
 * Errors, from every walker:
 *   -EFAULT  the address does not translate: a not-present or invalid entry, a reserved bit
 *            set in an entry (x86: the CPU's #PF with RSVD; arm64: a translation or address
 *            size fault), an address outside the regime's range (x86: non-canonical, or above
 *            4 GiB outside long mode; arm64: in neither the TTBR0 nor the TTBR1 range, a top
 *            byte that TBI does not allow, a walk disabled by EPDn), an output address above
 *            the physical address size; or the read callback's -EFAULT (a table not backed).
 *   -EINVAL  a register combination the architecture forbids or this walker does not
 *            support (which ones: at each walker below).  Reserved bits in registers give
 *            -EINVAL, reserved bits in page-table entries -EFAULT.
 *   other    the read callback's own error, passed on unchanged.
 * On failure *ret is untouched.
 *
 * What the result says: gpa of the address itself; page_size of the mapping the address is
 * in (4 KiB .. 1 GiB, 4 MiB, arm64 blocks up to 4 TiB; with translation off, the whole
 * identity range: 4 GiB on x86, 2^pa_bits on arm64), so gpa - (va & (page_size - 1)) is
 * where it starts.  The permissions are those of the entries, as the CPU would check an
 * access, at the two privilege levels:
 *   writable         privileged writes allowed (x86: R/W at every level, which is what
 *                    CR0.WP=1 and user mode check; arm64: EL1 write permission, counting a
 *                    writable-clean DBM page under TCR_EL1.HD as writable)
 *   user             user mode may access (x86: U/S at every level; arm64: EL0 read)
 *   executable       privileged instruction fetch allowed (x86: no XD at any level, and not
 *                    a user page under CR4.SMEP; arm64: no PXN/PXNTable, not EL0-writable,
 *                    not writable under SCTLR_EL1.WXN)
 *   user_executable  user-mode fetch allowed (x86: user and no XD; arm64: no UXN/UXNTable and
 *                    not EL0-writable under WXN; EL0 may execute a page it may not read)
 * Not modelled: x86 protection keys (they never apply to fetches), SMAP, CR0.WP=0, CET; arm64
 * PAN, E0PD, permission indirection and overlays (TCR2_EL1.PIE/POE: the gpa stays right, the
 * permission bits would be read the wrong way), stage 2 (KVM owns it), contiguous hints
 * (page_size is the descriptor's own size).
 *
 * Where the registers come from
 *
 * x86 (struct walk_x86_regs): cr0, cr3, cr4 and efer from KVM_GET_SREGS (struct kvm_sregs),
 * or better from KVM_GET_SREGS2 (KVM_CAP_SREGS2): it adds the four PDPTRs the CPU loaded
 * at the last CR3 write, valid when flags has KVM_SREGS2_FLAGS_PDPTRS_VALID (1), which is
 * what PAE paging really uses (KVM walks with them too: mmu->get_pdptr in paging_tmpl.h).
 * maxphyaddr is the guest's CPUID.80000008H:EAX[7:0] as the VMM set it (KVM_SET_CPUID2);
 * 0 means 52.  The linear address is the pc KVM reports (CS.base + RIP): segmentation is
 * the caller's, and A20 masking in real mode is not modelled.  A walk uses the CR3 it is
 * given: under KPTI a kernel address taken while the vCPU runs user code is not mapped in
 * the user CR3; Linux's kernel root is the user root with bit 12 (PTI_USER_PGTABLE_BIT) and
 * PCID bit 11 (PTI_USER_PCID_BIT) clear (arch/x86/entry/calling.h, SWITCH_TO_KERNEL_CR3),
 * so a caller may walk again with that CR3.
 *
 * arm64 (struct walk_arm64_regs): KVM_GET_ONE_REG with these ids, each
 * ARM64_SYS_REG(op0, op1, CRn, CRm, op2) of arch/arm64/include/uapi/asm/kvm.h, that is
 * KVM_REG_ARM64 (0x6000000000000000) | KVM_REG_SIZE_U64 (0x0030000000000000) |
 * KVM_REG_ARM64_SYSREG (0x13 << 16) | op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2,
 * with the encodings of arch/arm64/tools/sysreg (SYS_TCR_EL1 in asm/sysreg.h):
 *   SCTLR_EL1         3 0 1 0 0   0x603000000013c080   (M bit 0, WXN bit 19, EE bit 25)
 *   TTBR0_EL1         3 0 2 0 0   0x603000000013c100
 *   TTBR1_EL1         3 0 2 0 1   0x603000000013c101
 *   TCR_EL1           3 0 2 0 2   0x603000000013c102
 *   ID_AA64MMFR0_EL1  3 0 0 7 0   0x603000000013c038   (PARange bits 3:0, for pa_bits)
 * (WALK_ARM64_REG_* below; the unit test checks them against <asm/kvm.h> on arm64 hosts.)
 * pa_bits is the implemented physical address size, walk_arm64_pa_bits() of
 * ID_AA64MMFR0_EL1; 0 means 52.  Only the AArch64 EL1&0 regime is walked: a vCPU whose EL1
 * is AArch32 (KVM_ARM_VCPU_EL1_32BIT) uses other formats, and nested virtualization's EL2
 * regimes are not handled.
 *
 * Other architectures (no walker yet, and why)
 *
 * s390: DAT is not a radix walk from one root but a choice of address space first: the PSW's
 * address-space control picks the ASCE in CR1 (primary), CR7 (secondary) or CR13 (home), or
 * in access-register mode an ASCE found through the access register and the ALB; then up to
 * five table levels (region-first/second/third, segment, page) with per-table length and
 * offset fields, EDAT-1 1 MiB and EDAT-2 2 GiB frames, and the result is a real address that
 * prefixing (the vCPU's prefix register) turns into the absolute address that
 * kvm_hw_breakpoint.phys_addr wants.  KVM_S390_MEM_OP on the vCPU with a logical address
 * (KVM_S390_MEMOP_LOGICAL_READ with KVM_S390_MEMOP_F_CHECK_ONLY) already does all of it in
 * the kernel for the current ASC (arch/s390/kvm/gaccess.c), though as a vCPU ioctl it waits
 * for KVM_RUN to return, like KVM_TRANSLATE on x86; KVM_TRANSLATE itself returns -EINVAL.
 * DAT entries have no Accessed bits to disturb (reference and change bits live in the
 * storage keys).  A library walker would re-implement the ASCE choice for little gain: not
 * now.
 *
 * riscv: Sv39/Sv48/Sv57 from satp (MODE bits 63:60, PPN bits 43:0; read with
 * KVM_GET_ONE_REG, KVM_REG_RISCV_CSR satp) are the simplest walks of all: 9-bit indexes,
 * 8-byte little-endian PTEs, leaves at any level (R/W/X bits), 2 MiB..256 TiB superpages,
 * plus Svnapot 64 KiB ranges and Svpbmt bits to ignore.  Worth writing once riscv guest
 * debug is usable (the kernel's riscv KVM_SET_GUEST_DEBUG arrived in 6.9 and has no
 * hardware slots; KVM_TRANSLATE returns -EINVAL): software breakpoints then need the GPA.
 *
 * ppc: Book3S with the hashed page table is not a radix walk: the effective address goes
 * through the SLB (ESID -> VSID, per vCPU, in KVM_GET_SREGS' u.s.ppc64.slb) and the virtual
 * page number is hashed into the HPT (SDR1 under KVM-PR; KVM_PPC_GET_HTAB_FD under HV),
 * searching two PTE groups; POWER9 radix instead walks the process table by PID; BookE has
 * no page tables the hardware walks at all (software-loaded TLB).  Book3S's KVM_TRANSLATE
 * returns 0 without filling anything in (arch/powerpc/kvm/book3s.c), BookE's searches the
 * guest TLB.  Three formats for one architecture: not now; the hash walk under KVM-PR (the
 * vm tier's ppc64le) would be the first one worth it.
 */
#ifndef KVMDBG_WALK_H
#define KVMDBG_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read guest-physical memory into buf; 0 or -errno (-EFAULT: not backed). */
typedef int (*walk_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

struct walk_result {
	uint64_t gpa;
	uint64_t page_size;
	bool writable;
	bool user;
	bool executable;
	bool user_executable;
};

/*
 * x86 walker.  Modes, from the registers: CR0.PG=0 identity (real mode, protected mode
 * without paging; EFER.LME may be set); 32-bit paging (4 KiB, and 4 MiB pages under
 * CR4.PSE with PSE-36 address bits up to MIN(maxphyaddr, 40)); PAE (2 MiB and 4 KiB); long
 * mode with 4 levels, or 5 under CR4.LA57 (1 GiB, 2 MiB, 4 KiB).  1 GiB pages are assumed
 * supported (CPUID PDPE1GB).
 * -EINVAL: CR0.PG without CR0.PE; EFER.LMA not equal to (EFER.LME and CR0.PG), or long mode
 * without CR4.PAE (the rules of kvm_is_valid_sregs() in arch/x86/kvm/x86.c); maxphyaddr
 * outside 32..52; in long mode, CR3 bits 63 or 60:maxphyaddr set (bits 62:61 are LAM's).
 */
struct walk_x86_regs {
	uint64_t cr0, cr3, cr4, efer;
	unsigned int maxphyaddr; /* 0: 52 */
	bool pdptrs_valid;	 /* PAE: use pdptrs[], not the PDPT at CR3 */
	uint64_t pdptrs[4];
};

__attribute__((warn_unused_result, nonnull(1, 2, 5))) int walk_x86(const struct walk_x86_regs *r,
								   walk_read_fn read, void *ctx,
								   uint64_t la,
								   struct walk_result *ret);

/*
 * arm64 walker, stage 1 of the EL1&0 regime.  SCTLR_EL1.M=0: identity below 2^pa_bits.
 * Else TTBR0_EL1 for addresses with bit 55 clear and TTBR1_EL1 with it set, each range
 * 2^(64 - TnSZ) bytes; the top byte is ignored per TCR_EL1.TBI0/TBI1 (as for data accesses:
 * TBID0/1 are not looked at, a fetched pc is never tagged); granules 4K/16K/64K from TG0 and
 * TG1 (encoded differently); the start level from TnSZ and the granule (level -1 with 4K and
 * 52-bit VAs); blocks at the levels the granule allows; table descriptors' APTable, PXNTable
 * and UXNTable unless TCR_EL1.HPD0/HPD1; descriptors in the byte order of SCTLR_EL1.EE.
 * Address sizes: 48-bit VA and OA with every granule; 52-bit OA with 64K (FEAT_LPA, when
 * pa_bits and TCR_EL1.IPS are 52) and with 4K/16K under TCR_EL1.DS (FEAT_LPA2); 52-bit VA
 * (TnSZ down to 12) with 64K (FEAT_LVA, assumed present) and under DS; TnSZ up to 48 (47
 * for 64K; FEAT_TTST assumed when a guest uses it).  The ASID (TTBR bits 63:48) and CnP
 * are masked off the table base; the Access flag is not checked (like x86's A bit, it is
 * the guest's to set, by TCR_EL1.HA or by its fault handler).
 * -EINVAL: a reserved TG0/TG1 or IPS encoding; TnSZ out of range; a table base above the
 * output address size; pa_bits not one of 32, 36, 40, 42, 44, 48, 52.
 */
struct walk_arm64_regs {
	uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1;
	unsigned int pa_bits; /* 0: 52 */
};

__attribute__((warn_unused_result, nonnull(1, 2, 5))) int
walk_arm64(const struct walk_arm64_regs *r, walk_read_fn read, void *ctx, uint64_t va,
	   struct walk_result *ret);

/* ID_AA64MMFR0_EL1.PARange (bits 3:0) as a bit count for walk_arm64_regs.pa_bits; an
 * encoding newer than 52 bits gives 52. */
unsigned int walk_arm64_pa_bits(uint64_t id_aa64mmfr0_el1);

/* KVM_GET_ONE_REG ids of the registers walk_arm64() needs (see the top of this file). */
#define WALK_ARM64_REG_SCTLR_EL1 0x603000000013c080ull
#define WALK_ARM64_REG_TTBR0_EL1 0x603000000013c100ull
#define WALK_ARM64_REG_TTBR1_EL1 0x603000000013c101ull
#define WALK_ARM64_REG_TCR_EL1 0x603000000013c102ull
#define WALK_ARM64_REG_ID_AA64MMFR0_EL1 0x603000000013c038ull

#endif /* KVMDBG_WALK_H */
