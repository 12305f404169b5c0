// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The x86 page walker (lib/walk/x86.c) against page tables written byte by byte, little-endian,
 * into a small sparse guest RAM (test-walk.h), from the Intel SDM vol. 3A ch. 4:
 *   entry bits: P 0, R/W 1, U/S 2, A 5, D 6, PS 7, G 8, PAT 12 (large pages), XD 63
 *   32-bit: PDE la[31:22], PTE la[21:12], 4-byte entries; 4 MiB PDE (CR4.PSE): PA[31:22] =
 *     PDE[31:22], PA[M-1:32] = PDE[M-20:13] (M = MIN(MAXPHYADDR, 40)), PDE[21:M-19] reserved
 *   PAE: PDPTE la[31:30] at CR3[31:5] (reserved 63:M, 8:5, 2:1), PDE la[29:21], PTE la[20:12];
 *     PDE/PTE bits 62:M reserved, XD reserved without EFER.NXE; 2 MiB PDE reserves 20:13
 *   long: PML5 la[56:48], PML4 la[47:39], PDPT la[38:30], PD la[29:21], PT la[20:12]; bits
 *     51:M reserved, 62:52 ignored; PS reserved in PML5E/PML4E; 1 GiB leaf reserves 29:13
 * Every walk is checked to leave the RAM byte-identical (A and D bits included: the entries
 * below are written with A and D clear and set) and to count exactly the reads the mode
 * needs; a failed walk must leave the result untouched.
 *
 * For the lead, a comparison with the kernel on this host (tests/kvm tier): KVM_SET_SREGS
 * (or KVM_SET_SREGS2) with each case's cr0/cr3/cr4/efer, the same tables written into the
 * guest's memory slots, then KVM_TRANSLATE for each linear address here: physical_address
 * must equal .gpa and valid must be 1 exactly where walk_x86() returns 0.  Compare only gpa
 * and valid (kvm_arch_vcpu_ioctl_translate() in arch/x86/kvm/x86.c hard-codes writeable = 1
 * and usermode = 0).  Known, intended differences: paging off with an address >= 4 GiB
 * (KVM: identity, here -EFAULT); a non-canonical address (KVM's FNAME(walk_addr_generic)
 * does not check, here -EFAULT); PSE-36 PDE bits 20:17 (KVM reserves them,
 * PT32_DIR_PSE36_SIZE 4; here they are PA bits 39:36 when MAXPHYADDR >= 40); PAE with a
 * PDPT changed in memory after the CR3 load (KVM uses the loaded PDPTRs: pass them with
 * pdptrs_valid); and KVM_TRANSLATE sets Accessed bits in the tables (compare a copy of the
 * tables before and after it to see it; walk_x86() never does).  This host's KVM is PVM
 * (research/host-kvm.md): probe that it accepts 32-bit and PAE paging in SET_SREGS first.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "test-walk.h"

#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_PSE 0x10ull
#define CR4_PAE 0x20ull
#define CR4_LA57 0x1000ull
#define CR4_SMEP 0x100000ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull

#define P 0x1ull
#define RW 0x2ull
#define US 0x4ull
#define A 0x20ull
#define D 0x40ull
#define PS 0x80ull
#define G 0x100ull
#define XD (1ull << 63)

#define ALL (P_W | P_U | P_X | P_UX)

static struct walk_x86_regs regs;

static void check_ok(int line, uint64_t la, uint64_t gpa, uint64_t size, unsigned int perms,
		     unsigned int reads)
{
	struct walk_result res;
	int err;

	ram_begin(&res);
	err = walk_x86(&regs, ram_read, &ram, la, &res);
	ram_end(err, &res);
	if (err || res.gpa != gpa || res.page_size != size || perm_bits(&res) != perms ||
	    ram.reads != reads)
		g_test_message("line %d: la 0x%" PRIx64 ": err %d gpa 0x%" PRIx64 " size 0x%" PRIx64
			       " perms %u reads %u",
			       line, la, err, res.gpa, res.page_size, perm_bits(&res), ram.reads);
	g_assert_cmpint(err, ==, 0);
	g_assert_cmphex(res.gpa, ==, gpa);
	g_assert_cmphex(res.page_size, ==, size);
	g_assert_cmpuint(perm_bits(&res), ==, perms);
	g_assert_cmpuint(ram.reads, ==, reads);
}

static void check_err(int line, uint64_t la, int expect, unsigned int reads)
{
	struct walk_result res;
	int err;

	ram_begin(&res);
	err = walk_x86(&regs, ram_read, &ram, la, &res);
	ram_end(err, &res);
	if (err != expect || ram.reads != reads)
		g_test_message("line %d: la 0x%" PRIx64 ": err %d (want %d) reads %u (want %u)",
			       line, la, err, expect, ram.reads, reads);
	g_assert_cmpint(err, ==, expect);
	g_assert_cmpuint(ram.reads, ==, reads);
}

#define OK(la, gpa, size, perms, reads) check_ok(__LINE__, la, gpa, size, perms, reads)
#define ERR(la, err, reads) check_err(__LINE__, la, err, reads)

/* An 8-byte entry for la in the table at table, for the level whose index starts at shift. */
static void set64(uint64_t table, uint64_t la, int shift, uint64_t e)
{
	ram_put(table + ((la >> shift) & 0x1ff) * 8, e, 8, false);
}

/* A 4-byte entry (32-bit paging). */
static void set32(uint64_t table, uint64_t la, int shift, uint32_t e)
{
	ram_put(table + ((la >> shift) & 0x3ff) * 4, e, 4, false);
}

static void test_paging_off(void)
{
	ram_reset();
	/* real mode: CS.base + IP as KVM reports it; A20 is not modelled */
	regs = (struct walk_x86_regs){ .cr0 = CR0_ET };
	OK(0, 0, 1ull << 32, ALL, 0);
	OK(0xffff0, 0xffff0, 1ull << 32, ALL, 0);
	OK(0x10ffef, 0x10ffef, 1ull << 32, ALL, 0);
	OK(0xffffffff, 0xffffffff, 1ull << 32, ALL, 0);
	ERR(0x100000000, -EFAULT, 0);
	ERR(0xffffffff81000000, -EFAULT, 0);

	/* protected mode without paging; LME before CR0.PG and paging bits in CR4 change nothing */
	regs.cr0 = CR0_PE | CR0_ET;
	OK(0x12345678, 0x12345678, 1ull << 32, ALL, 0);
	regs.efer = EFER_LME | EFER_NXE;
	regs.cr4 = CR4_PAE | CR4_PSE | CR4_LA57;
	regs.cr3 = 0x1000;
	OK(0xfee00000, 0xfee00000, 1ull << 32, ALL, 0);
	ERR(0x100000000, -EFAULT, 0);
}

static void test_bad_registers(void)
{
	ram_reset();
	ram_frame(0x1000, 0x1000);

	/* CR0.PG without CR0.PE */
	regs = (struct walk_x86_regs){ .cr0 = CR0_PG, .cr3 = 0x1000 };
	ERR(0, -EINVAL, 0);
	/* long mode enabled and paging on, but LMA clear or PAE clear */
	regs = (struct walk_x86_regs){
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = EFER_LME
	};
	ERR(0, -EINVAL, 0);
	regs.efer = EFER_LME | EFER_LMA;
	regs.cr4 = 0;
	ERR(0, -EINVAL, 0);
	/* LMA without LME, and LMA with paging off */
	regs.cr4 = CR4_PAE;
	regs.efer = EFER_LMA;
	ERR(0, -EINVAL, 0);
	regs.cr0 = CR0_PE;
	regs.efer = EFER_LME | EFER_LMA;
	ERR(0, -EINVAL, 0);
	/* MAXPHYADDR out of range */
	regs = (struct walk_x86_regs){ .cr0 = CR0_PE, .maxphyaddr = 31 };
	ERR(0, -EINVAL, 0);
	regs.maxphyaddr = 53;
	ERR(0, -EINVAL, 0);
	regs.maxphyaddr = 32;
	OK(0, 0, 1ull << 32, ALL, 0);
	/* long-mode CR3: bit 63, bits 60:MAXPHYADDR */
	regs = (struct walk_x86_regs){
		.cr0 = CR0_PE | CR0_PG,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
		.cr3 = 0x1000 | 1ull << 63,
	};
	ERR(0, -EINVAL, 0);
	regs.cr3 = 0x1000 | 1ull << 60;
	ERR(0, -EINVAL, 0);
	regs.cr3 = 0x1000 | 1ull << 40;
	regs.maxphyaddr = 40;
	ERR(0, -EINVAL, 0);
	/* a CR3 that is fine: the walk starts, and the empty PML4 says not present */
	ram_frame(0x8000001000, 0x1000);
	regs.cr3 = 0x1000 | 1ull << 39;
	ERR(0, -EFAULT, 1);
}

static void test_32bit(void)
{
	ram_reset();
	ram_frame(0x1000, 0x1000);   /* PD */
	ram_frame(0x2000, 0x1000);   /* PT for 0xc0000000 */
	ram_frame(0xc00000, 0x1000); /* what PD[0x301] points to when PS is ignored */

	set32(0x1000, 0xc0000000, 22, 0x2000 | P | RW | US | A);
	set32(0x2000, 0xc0123000, 12, 0x00abc000 | P | US | A | D);
	set32(0x2000, 0xc03ff000, 12, 0xfffff000 | P | RW);
	set32(0x1000, 0xc0400000, 22, 0x00c00000 | P | RW | PS | A | D);
	set32(0xc00000, 0xc0400000, 12, 0x00777000 | P | RW | US);
	/* PSE-36: PDE bits 20:13 are PA bits 39:32 */
	set32(0x1000, 0xc0800000, 22, 0x01000000 | 0x5 << 13 | P | RW | US | PS);
	set32(0x1000, 0xc0c00000, 22, 0x01400000 | 0x80 << 13 | P | PS);
	set32(0x1000, 0xc1000000, 22, 0x01800000 | 1u << 21 | P | PS);
	set32(0x1000, 0xc1400000, 22, 0x01c00000 | 0x8 << 13 | P | PS | 1u << 12);
	set32(0x1000, 0xc1800000, 22, 0x00900000 | P); /* a PT that is not backed */

	/* CR3 bits 4:3 (PCD, PWT) and 63:32 are not part of the base (as KVM masks them) */
	regs = (struct walk_x86_regs){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0xab00001018 };
	OK(0xc0123000, 0xabc000, 0x1000, P_U | P_X | P_UX, 2);
	OK(0xc0123abc, 0xabcabc, 0x1000, P_U | P_X | P_UX, 2);
	OK(0xc0123fff, 0xabcfff, 0x1000, P_U | P_X | P_UX, 2);
	OK(0xc03ff000, 0xfffff000, 0x1000, P_W | P_X, 2);
	OK(0xc03fffff, 0xffffffff, 0x1000, P_W | P_X, 2);
	ERR(0xc0124000, -EFAULT, 2);
	ERR(0x00001000, -EFAULT, 1);
	ERR(0xc1800000, -EFAULT, 2);
	ERR(0x1c0123000, -EFAULT, 0);
	/* without CR4.PSE the PS bit is ignored: PD[0x301] points to a page table */
	OK(0xc0400000, 0x777000, 0x1000, P_W | P_X, 2);
	ERR(0xc0401000, -EFAULT, 2);
	/* and the PSE-36 PDEs are table pointers to unbacked memory */
	ERR(0xc0800000, -EFAULT, 2);

	regs.cr4 = CR4_PSE;
	OK(0xc0400000, 0xc00000, 0x400000, P_W | P_X, 1);
	OK(0xc07fffff, 0xffffff, 0x400000, P_W | P_X, 1);
	OK(0xc0812345, 0x501012345, 0x400000, ALL, 1);
	/* with MAXPHYADDR >= 40, PDE bit 20 is PA bit 39 */
	OK(0xc0c00000, 0x8001400000, 0x400000, P_X, 1);
	ERR(0xc1000000, -EFAULT, 1);
	/* the PAT bit (12) of a 4 MiB PDE is no address bit */
	OK(0xc1400001, 0x801c00001, 0x400000, P_X, 1);
	/* 4 KiB pages still work under PSE */
	OK(0xc0123456, 0xabc456, 0x1000, P_U | P_X | P_UX, 2);

	/* MAXPHYADDR 36: PDE bits 16:13 are PA 35:32, bits 21:17 reserved */
	regs.maxphyaddr = 36;
	OK(0xc0812345, 0x501012345, 0x400000, ALL, 1);
	OK(0xc1400001, 0x801c00001, 0x400000, P_X, 1);
	ERR(0xc0c00000, -EFAULT, 1);
	/* MAXPHYADDR 32: no PSE-36 bits at all */
	regs.maxphyaddr = 32;
	ERR(0xc0812345, -EFAULT, 1);
	OK(0xc0400000, 0xc00000, 0x400000, P_W | P_X, 1);

	/* SMEP: a supervisor fetch from a user page faults; a user fetch does not */
	regs.maxphyaddr = 0;
	regs.cr4 = CR4_PSE | CR4_SMEP;
	OK(0xc0123000, 0xabc000, 0x1000, P_U | P_UX, 2);
	OK(0xc03ff000, 0xfffff000, 0x1000, P_W | P_X, 2);

	/* the read callback's error is passed on */
	ram.fail_gpa = 0x2000 + 0x123 * 4;
	ram.fail_err = -EIO;
	ERR(0xc0123000, -EIO, 2);
	ram.fail_gpa = 0x1000 + 0x300 * 4 + 3;
	ERR(0xc0123000, -EIO, 1);
}

static void test_pae(void)
{
	ram_reset();
	ram_frame(0x3000, 0x1000); /* PDPT at 0x3020 */
	ram_frame(0x4000, 0x1000); /* PD */
	ram_frame(0x5000, 0x1000); /* PT */

	ram_put(0x3020 + 3 * 8, 0x4000 | P, 8, false);
	ram_put(0x3020 + 1 * 8, 0x6000 | P | 0x2, 8, false);	    /* reserved bit 1 */
	ram_put(0x3020 + 2 * 8, 0x7000 | P | 1ull << 63, 8, false); /* reserved bit 63 */
	set64(0x4000, 0xc0000000, 21, 0x5000 | P | RW | US | A);
	set64(0x5000, 0xc0001000, 12, 0x1234000 | P | RW | US | XD);
	set64(0x5000, 0xc0002000, 12, 0xffffff000 | P | A | D);
	set64(0x5000, 0xc0003000, 12, 0x1000 | P | 1ull << 62);
	set64(0x5000, 0xc0004000, 12, 0x10000002000 | P);
	set64(0x4000, 0xffe00000, 21, 0x7fe00000 | P | RW | PS);
	set64(0x4000, 0xffc00000, 21, 0x7fc00000 | P | PS | 1u << 13);
	set64(0x4000, 0xffa00000, 21, 0x7fa00000 | P | PS | 1u << 12 | A | D);

	regs = (struct walk_x86_regs){
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x3020, .cr4 = CR4_PAE, .efer = EFER_NXE
	};
	OK(0xc0001000, 0x1234000, 0x1000, P_W | P_U, 3);
	OK(0xc0001fff, 0x1234fff, 0x1000, P_W | P_U, 3);
	/* above 4 GiB, supervisor read-only */
	OK(0xc0002010, 0xffffff010, 0x1000, P_X, 3);
	OK(0xc0004000, 0x10000002000, 0x1000, P_X, 3);
	ERR(0xc0003000, -EFAULT, 3);
	ERR(0xc0005000, -EFAULT, 3);
	ERR(0xc0200000, -EFAULT, 2);
	OK(0xffe00000, 0x7fe00000, 0x200000, P_W | P_X, 2);
	OK(0xffe12345, 0x7fe12345, 0x200000, P_W | P_X, 2);
	OK(0xffffffff, 0x7fffffff, 0x200000, P_W | P_X, 2);
	ERR(0xffc00000, -EFAULT, 2);
	OK(0xffa00000, 0x7fa00000, 0x200000, P_X, 2);
	/* PDPTEs: not present, reserved bits */
	ERR(0x00001000, -EFAULT, 1);
	ERR(0x40000000, -EFAULT, 1);
	ERR(0x80000000, -EFAULT, 1);
	ERR(0x100000000, -EFAULT, 0);

	/* MAXPHYADDR 36: PA bit 40 in a PTE is reserved */
	regs.maxphyaddr = 36;
	ERR(0xc0004000, -EFAULT, 3);
	OK(0xc0002000, 0xffffff000, 0x1000, P_X, 3);

	/* without EFER.NXE bit 63 is reserved */
	regs.maxphyaddr = 0;
	regs.efer = 0;
	ERR(0xc0001000, -EFAULT, 3);
	OK(0xffe00000, 0x7fe00000, 0x200000, P_W | P_X, 2);

	/* the PDPTRs the CPU loaded win over what is in memory now */
	regs.efer = EFER_NXE;
	regs.pdptrs_valid = true;
	regs.pdptrs[0] = 0x4000 | P;
	regs.pdptrs[3] = 0;
	OK(0x00001000, 0x1234000, 0x1000, P_W | P_U, 2);
	ERR(0xc0001000, -EFAULT, 0);
	regs.pdptrs[3] = 0x4000 | P | 0x100; /* reserved bit 8 */
	ERR(0xc0001000, -EFAULT, 0);

	/* the read callback's error is passed on */
	regs.pdptrs_valid = false;
	ram.fail_gpa = 0x3020 + 3 * 8;
	ram.fail_err = -EIO;
	ERR(0xc0001000, -EIO, 1);
}

static void test_long4(void)
{
	const uint64_t kla = 0xffffffff81234567;

	ram_reset();
	ram_frame(0x10000, 0x1000); /* PML4 */
	ram_frame(0x11000, 0x1000); /* kernel PDPT */
	ram_frame(0x12000, 0x1000); /* kernel PD */
	ram_frame(0x13000, 0x1000); /* kernel PT */
	ram_frame(0x14000, 0x1000); /* user PDPT */
	ram_frame(0x15000, 0x1000); /* user PD */
	ram_frame(0x16000, 0x1000); /* user PT */
	ram_frame(0x17000, 0x1000); /* PDPT under an XD PML4E */
	ram_frame(0x18000, 0x1000); /* read-only PDPTE */
	ram_frame(0x19000, 0x1000);

	set64(0x10000, kla, 39, 0x11000 | P | RW | A);
	set64(0x11000, kla, 30, 0x12000 | P | RW | A);
	set64(0x12000, kla, 21, 0x13000 | P | RW | A);
	set64(0x13000, kla, 12, 0x2234000 | P | A | D | G);
	set64(0x13000, 0xffffffff81235000, 12, 0x2235000 | P | RW | XD);
	set64(0x13000, 0xffffffff81237000, 12, 0x2237000 | P | 0xfull << 59 | 1ull << 52);
	set64(0x13000, 0xffffffff81238000, 12, 1ull << 51 | 0x2238000 | P);
	set64(0x12000, 0xffffffff81400000, 21, 0x3400000 | P | RW | PS);
	set64(0x12000, 0xffffffff81600000, 21, 0x3600000 | P | PS | 1u << 20);
	set64(0x12000, 0xffffffff81800000, 21, 0x3800000 | P | PS | 1u << 12);
	set64(0x12000, 0xffffffff81a00000, 21, 1ull << 47 | 0x13000 | P);
	set64(0x11000, 0xffffffff40000000, 30, 0x40000000 | P | RW | PS | A | D);
	set64(0x11000, 0xffffffff00000000, 30, 0xc0000000 | P | PS | 1u << 29);
	set64(0x11000, 0xfffffffec0000000, 30, 0x100000000 | P | PS | 1u << 13);

	set64(0x10000, 0x00007fffffffe000, 39, 0x14000 | P | RW | US);
	set64(0x14000, 0x00007fffffffe000, 30, 0x15000 | P | RW | US);
	set64(0x15000, 0x00007fffffffe000, 21, 0x16000 | P | RW | US);
	set64(0x16000, 0x00007fffffffe000, 12, 0x9abc000 | P | RW | US | XD);
	set64(0x16000, 0x00007ffffffff000, 12, 0x9abd000 | P | US);
	set64(0x10000, 0x00007f0000000000, 39, 0x17000 | P | RW | US | XD);
	set64(0x17000, 0x00007f0000000000, 30, 0x80000000 | P | RW | US | PS);
	set64(0x10000, 0x00007e8000000000, 39, 0x18000 | P | RW | US);
	set64(0x18000, 0x00007e8000000000, 30, 0x19000 | P | US);
	set64(0x19000, 0x00007e8000000000, 21, 0x2000000 | P | RW | US | PS);
	set64(0x10000, 0x0000000000001000, 39, 0x1a000 | P | PS);

	/* CR3 bits 11:0 (PCID or PWT/PCD) and the LAM bits 62:61 are not part of the base */
	regs = (struct walk_x86_regs){
		.cr0 = CR0_PE | CR0_PG | CR0_WP,
		.cr3 = 0x10000 | 0x5 | 1ull << 61,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};
	OK(kla, 0x2234567, 0x1000, P_X, 4);
	OK(0xffffffff81234000, 0x2234000, 0x1000, P_X, 4);
	OK(0xffffffff81235000, 0x2235000, 0x1000, P_W, 4);
	OK(0xffffffff81235fff, 0x2235fff, 0x1000, P_W, 4);
	ERR(0xffffffff81236000, -EFAULT, 4);
	/* bits 62:52 (protection key, software) are ignored */
	OK(0xffffffff81237000, 0x2237000, 0x1000, P_X, 4);
	/* PA bit 51 with MAXPHYADDR 52 */
	OK(0xffffffff81238abc, 0x8000002238abc, 0x1000, P_X, 4);
	/* 2 MiB */
	OK(0xffffffff81400000, 0x3400000, 0x200000, P_W | P_X, 3);
	OK(0xffffffff815fffff, 0x35fffff, 0x200000, P_W | P_X, 3);
	ERR(0xffffffff81600000, -EFAULT, 3);
	OK(0xffffffff81812345, 0x3812345, 0x200000, P_X, 3);
	/* a page table at 2^47, not backed */
	ERR(0xffffffff81a00000, -EFAULT, 4);
	/* 1 GiB */
	OK(0xffffffff40000000, 0x40000000, 0x40000000, P_W | P_X, 2);
	OK(0xffffffff7fffffff, 0x7fffffff, 0x40000000, P_W | P_X, 2);
	ERR(0xffffffff00000000, -EFAULT, 2);
	ERR(0xfffffffec0000000, -EFAULT, 2);
	ERR(0xfffffffe80000000, -EFAULT, 2);
	/* user pages: XD, read-only, the highest canonical low address */
	OK(0x00007fffffffe000, 0x9abc000, 0x1000, P_W | P_U, 4);
	OK(0x00007ffffffff000, 0x9abd000, 0x1000, P_U | P_X | P_UX, 4);
	OK(0x00007fffffffffff, 0x9abdfff, 0x1000, P_U | P_X | P_UX, 4);
	/* XD in the PML4E, R/W clear in the PDPTE: they count for everything below */
	OK(0x00007f0000001234, 0x80001234, 0x40000000, P_W | P_U, 2);
	OK(0x00007e8000000000, 0x2000000, 0x200000, P_U | P_X | P_UX, 3);
	/* PS in a PML4E is reserved; a PML4E not present */
	ERR(0x0000000000001000, -EFAULT, 1);
	ERR(0x0000008000000000, -EFAULT, 1);
	/* non-canonical */
	ERR(0x0000800000000000, -EFAULT, 0);
	ERR(0xffff7fffffffffff, -EFAULT, 0);
	ERR(0x8000000000000000, -EFAULT, 0);
	ERR(0x00ff000000000000, -EFAULT, 0);

	/* SMEP */
	regs.cr4 = CR4_PAE | CR4_SMEP;
	OK(0x00007ffffffff000, 0x9abd000, 0x1000, P_U | P_UX, 4);
	OK(kla, 0x2234567, 0x1000, P_X, 4);

	/* without EFER.NXE, XD is a reserved bit */
	regs.cr4 = CR4_PAE;
	regs.efer = EFER_LME | EFER_LMA;
	ERR(0xffffffff81235000, -EFAULT, 4);
	ERR(0x00007f0000001234, -EFAULT, 1);
	OK(kla, 0x2234567, 0x1000, P_X, 4);

	/* MAXPHYADDR 46: PA bit 51 and a table at 2^47 are reserved bits */
	regs.efer = EFER_LME | EFER_LMA | EFER_NXE;
	regs.maxphyaddr = 46;
	ERR(0xffffffff81238000, -EFAULT, 4);
	ERR(0xffffffff81a00000, -EFAULT, 3);
	OK(kla, 0x2234567, 0x1000, P_X, 4);

	/* the read callback's error is passed on */
	regs.maxphyaddr = 0;
	ram.fail_gpa = 0x11000 + 510 * 8;
	ram.fail_err = -EIO;
	ERR(kla, -EIO, 2);
	ram.fail_err = -EFAULT;
	ERR(kla, -EFAULT, 2);
}

static void test_long5(void)
{
	const uint64_t la = 0xff11223344556677;

	ram_reset();
	ram_frame(0x20000, 0x1000); /* PML5 */
	ram_frame(0x21000, 0x1000);
	ram_frame(0x22000, 0x1000);
	ram_frame(0x23000, 0x1000);
	ram_frame(0x24000, 0x1000);
	ram_frame(0x25000, 0x1000);
	ram_frame(0x26000, 0x1000);
	ram_frame(0x27000, 0x1000);

	/* indexes 273, 68, 205, 34, 342 */
	set64(0x20000, la, 48, 0x21000 | P | RW);
	set64(0x21000, la, 39, 0x22000 | P | RW);
	set64(0x22000, la, 30, 0x23000 | P | RW);
	set64(0x23000, la, 21, 0x24000 | P | RW);
	set64(0x24000, la, 12, 0x4455000 | P | RW | XD);
	/* 0x0000800000000000: canonical only with 57 bits; indexes 0, 256, 0, 0 */
	set64(0x20000, 0x0000800000000000, 48, 0x25000 | P | RW | US);
	set64(0x25000, 0x0000800000000000, 39, 0x26000 | P | RW | US);
	set64(0x26000, 0x0000800000000000, 30, 0x27000 | P | RW | US);
	set64(0x27000, 0x0000800000000000, 21, 0x5000000 | P | RW | US | PS);
	/* PS in a PML5E is reserved */
	set64(0x20000, 0xff00000000000000, 48, 0x21000 | P | PS);

	regs = (struct walk_x86_regs){
		.cr0 = CR0_PE | CR0_PG,
		.cr3 = 0x20000,
		.cr4 = CR4_PAE | CR4_LA57,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};
	OK(la, 0x4455677, 0x1000, P_W, 5);
	OK(0xff11223344556000, 0x4455000, 0x1000, P_W, 5);
	OK(0xff11223344556fff, 0x4455fff, 0x1000, P_W, 5);
	ERR(0xff11223344557000, -EFAULT, 5);
	OK(0x0000800000000000, 0x5000000, 0x200000, ALL, 4);
	OK(0x00008000001fffff, 0x51fffff, 0x200000, ALL, 4);
	ERR(0x0000800000200000, -EFAULT, 4);
	ERR(0xff00000000000000, -EFAULT, 1);
	ERR(0x0001000000000000, -EFAULT, 1);
	/* non-canonical with 57 bits */
	ERR(0x0100000000000000, -EFAULT, 0);
	ERR(0xfeffffffffffffff, -EFAULT, 0);
	ERR(0x8000000000000000, -EFAULT, 0);

	/*
	 * The same tables as 4-level ones: the PML5 is read as a PML4, and 0x4000000000 takes
	 * PML5[0] -> [256] -> [0] -> [0], where the entry that was a 2 MiB PDE is now a PTE
	 * whose bit 7 is PAT: a 4 KiB page.
	 */
	regs.cr4 = CR4_PAE;
	ERR(0x0000800000000000, -EFAULT, 0);
	ERR(la, -EFAULT, 0);
	OK(0x0000004000000000, 0x5000000, 0x1000, ALL, 4);
	ERR(0x0000000000000000, -EFAULT, 2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/walk-x86/paging-off", test_paging_off);
	g_test_add_func("/kvmdbg/walk-x86/bad-registers", test_bad_registers);
	g_test_add_func("/kvmdbg/walk-x86/32bit", test_32bit);
	g_test_add_func("/kvmdbg/walk-x86/pae", test_pae);
	g_test_add_func("/kvmdbg/walk-x86/long-4level", test_long4);
	g_test_add_func("/kvmdbg/walk-x86/long-5level", test_long5);
	return g_test_run();
}
