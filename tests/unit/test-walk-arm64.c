// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The arm64 stage-1 walker (lib/walk/arm64.c) against translation tables written byte by
 * byte into a small sparse guest RAM (test-walk.h), little-endian unless SCTLR_EL1.EE says
 * big, from the Arm ARM's VMSAv8-64 formats:
 *   TCR_EL1: T0SZ 5:0, EPD0 7, TG0 15:14 (00 4K, 01 64K, 10 16K), T1SZ 21:16, EPD1 23, TG1
 *     31:30 (01 16K, 10 4K, 11 64K), IPS 34:32 (5: 48 bits, 6: 52), TBI0 37, TBI1 38, HD 40,
 *     HPD0 41, HPD1 42, DS 59; SCTLR_EL1: M 0, WXN 19, EE 25
 *   TTBRn: ASID 63:48, BADDR 47:1 (52-bit OA: BADDR[51:48] in 5:2), CnP 0
 *   descriptor: 0b11 table/page, 0b01 block; AP[1] 6, AP[2] 7, SH 9:8, AF 10, nG 11, DBM 51,
 *     PXN 53, UXN 54, PXNTable 59, UXNTable 60, APTable 62:61; 64K+LPA: OA[51:48] in 15:12;
 *     LPA2: OA[49:48] in 49:48, OA[51:50] in 9:8
 * The descriptors below carry SH = 0b11 and AttrIndx bits where the format has them, so an
 * attribute bit read as an address bit would show.  Every walk is checked to leave the RAM
 * byte-identical (AF, DBM and AP[2] included), to read exactly the descriptors its levels
 * need, and to leave the result untouched when it fails.
 *
 * For the lead, a comparison with real kernels (the vm tier, arm64 guests under upstream KVM;
 * the kernel has no KVM_TRANSLATE on arm64, kvm_arch_vcpu_ioctl_translate() returns -EINVAL):
 * from inside a guest, write these tables into guest RAM, load TCR_EL1/TTBRn_EL1/SCTLR_EL1
 * with each case's values, and for each address execute AT S1E1R (and AT S1E0R) then read
 * PAR_EL1: PAR_EL1.F = 0 exactly where walk_arm64() returns 0, and PAR_EL1.PA (bits 47:12,
 * 51:48 in bits 55:52 with 52-bit PAs) equal to .gpa's page.  Or from the host: pause the
 * vCPU, KVM_GET_ONE_REG the registers (WALK_ARM64_REG_*), call walk_arm64() on guest
 * addresses whose GPA the guest printed (its own AT result or a known linear map).  Expected
 * differences: the AT instructions report an Access flag fault for AF = 0 (at.c does too;
 * walk_arm64() translates such a page); FEAT_LPA2, FEAT_LVA and FEAT_TTST cases only where the
 * CPU (or QEMU's -cpu max) has them; a reserved TG encoding is IMPLEMENTATION DEFINED on
 * hardware (at.c takes it as 64K), -EINVAL here.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "test-walk.h"

#if defined(__aarch64__)
#include <asm/kvm.h>
#include <linux/kvm.h>
#endif

#define SCTLR_M 0x1ull
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EE (1ull << 25)

#define T0SZ(n) ((uint64_t)(n))
#define T1SZ(n) ((uint64_t)(n) << 16)
#define EPD0 (1ull << 7)
#define EPD1 (1ull << 23)
#define TG0_4K (0ull << 14)
#define TG0_64K (1ull << 14)
#define TG0_16K (2ull << 14)
#define TG1_16K (1ull << 30)
#define TG1_4K (2ull << 30)
#define TG1_64K (3ull << 30)
#define IPS(n) ((uint64_t)(n) << 32)
#define TBI0 (1ull << 37)
#define TBI1 (1ull << 38)
#define HA (1ull << 39)
#define HD (1ull << 40)
#define HPD0 (1ull << 41)
#define DS (1ull << 59)

#define TABLE 0x3ull
#define PAGE 0x3ull
#define BLOCK 0x1ull
#define ATTR (0x3ull << 8 | 0x1ull << 2) /* SH inner shareable, AttrIndx 1 */
#define AP_EL1_RW 0x0ull
#define AP_RW 0x40ull
#define AP_EL1_RO 0x80ull
#define AP_RO 0xc0ull
#define AF 0x400ull
#define NG 0x800ull
#define DBM (1ull << 51)
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define PXNT (1ull << 59)
#define UXNT (1ull << 60)
#define APT_NO_EL0 (1ull << 61)
#define APT_RO (1ull << 62)

#define ALL (P_W | P_U | P_X | P_UX)

static struct walk_arm64_regs regs;
static bool be_tables;

static void check_ok(int line, uint64_t va, uint64_t gpa, uint64_t size, unsigned int perms,
		     unsigned int reads)
{
	struct walk_result res;
	int err;

	ram_begin(&res);
	err = walk_arm64(&regs, ram_read, &ram, va, &res);
	ram_end(err, &res);
	if (err || res.gpa != gpa || res.page_size != size || perm_bits(&res) != perms ||
	    ram.reads != reads)
		g_test_message("line %d: va 0x%" PRIx64 ": err %d gpa 0x%" PRIx64 " size 0x%" PRIx64
			       " perms %u reads %u",
			       line, va, err, res.gpa, res.page_size, perm_bits(&res), ram.reads);
	g_assert_cmpint(err, ==, 0);
	g_assert_cmphex(res.gpa, ==, gpa);
	g_assert_cmphex(res.page_size, ==, size);
	g_assert_cmpuint(perm_bits(&res), ==, perms);
	g_assert_cmpuint(ram.reads, ==, reads);
}

static void check_err(int line, uint64_t va, int expect, unsigned int reads)
{
	struct walk_result res;
	int err;

	ram_begin(&res);
	err = walk_arm64(&regs, ram_read, &ram, va, &res);
	ram_end(err, &res);
	if (err != expect || ram.reads != reads)
		g_test_message("line %d: va 0x%" PRIx64 ": err %d (want %d) reads %u (want %u)",
			       line, va, err, expect, ram.reads, reads);
	g_assert_cmpint(err, ==, expect);
	g_assert_cmpuint(ram.reads, ==, reads);
}

#define OK(va, gpa, size, perms, reads) check_ok(__LINE__, va, gpa, size, perms, reads)
#define ERR(va, err, reads) check_err(__LINE__, va, err, reads)

/* The descriptor for va in the table at table, whose index is va[shift + nbits - 1:shift]. */
static void set(uint64_t table, uint64_t va, int shift, int nbits, uint64_t d)
{
	ram_put(table + ((va >> shift) & ((1ull << nbits) - 1)) * 8, d, 8, be_tables);
}

/* 4K granule levels: index shifts 39, 30, 21, 12, 9 bits each */
#define L0_4K(t, va, d) set(t, va, 39, 9, d)
#define L1_4K(t, va, d) set(t, va, 30, 9, d)
#define L2_4K(t, va, d) set(t, va, 21, 9, d)
#define L3_4K(t, va, d) set(t, va, 12, 9, d)

static void test_mmu_off(void)
{
	ram_reset();
	regs = (struct walk_arm64_regs){ .tcr_el1 = T0SZ(16) | T1SZ(16) | TG1_4K | IPS(5) };
	OK(0x40001234, 0x40001234, 1ull << 52, ALL, 0);
	OK(0x000fffffffffffff, 0x000fffffffffffff, 1ull << 52, ALL, 0);
	ERR(0x0010000000000000, -EFAULT, 0);
	ERR(0xffff000000000000, -EFAULT, 0);
	/* the top byte counts unless TBI0 ignores it */
	ERR(0x5a00000040001234, -EFAULT, 0);
	regs.tcr_el1 |= TBI0;
	OK(0x5a00000040001234, 0x40001234, 1ull << 52, ALL, 0);
	/* the implemented PA size bounds the flat map */
	regs.pa_bits = 40;
	OK(0xffffffffff, 0xffffffffff, 1ull << 40, ALL, 0);
	ERR(0x10000000000, -EFAULT, 0);
	regs.pa_bits = 33;
	ERR(0, -EINVAL, 0);
}

static void build_4k(void)
{
	const uint64_t va = 0x0000004012345678;

	ram_reset();
	/* TTBR0 walk: L0 0x80000, L1 0x81000, L2 0x82000, L3 0x83000 */
	ram_frame(0x80000, 0x1000);
	ram_frame(0x81000, 0x1000);
	ram_frame(0x82000, 0x1000);
	ram_frame(0x83000, 0x1000);
	L0_4K(0x80000, va, 0x81000 | TABLE);
	L1_4K(0x81000, va, 0x82000 | TABLE);
	L2_4K(0x82000, va, 0x83000 | TABLE);
	L3_4K(0x83000, va, 0x456789000 | PAGE | ATTR | AF | AP_EL1_RW | UXN);
	/* a level-3 descriptor 0b01 is reserved */
	L3_4K(0x83000, 0x0000004012347000, 0x45678b000 | BLOCK | ATTR | AF);
	/* AF clear: still a mapping; EL0 may execute what it may not read */
	L3_4K(0x83000, 0x0000004012348000, 0x45678c000 | PAGE | ATTR | AP_EL1_RO);
	/* an output address at 2^41 */
	L3_4K(0x83000, 0x0000004012349000, 1ull << 41 | PAGE | ATTR | AF);
	/* 2 MiB block, EL0 read-write (so never executable at EL1) */
	L2_4K(0x82000, 0x0000004012400000, 0x80000000 | BLOCK | ATTR | AF | AP_RW | NG);
	/* 1 GiB block, read-only, PXN */
	L1_4K(0x81000, 0x0000004100000000, 0x140000000 | BLOCK | ATTR | AF | AP_RO | PXN);
	/* a next-level table at 2^41 */
	L1_4K(0x81000, 0x0000004140000000, 1ull << 41 | TABLE);
	/* a block at level 0 needs DS */
	L0_4K(0x80000, 0x0000008000000000, 0x8000000000 | BLOCK | ATTR | AF);

	/* TTBR1 walk: L0 0x90000, L1 0x91000, L2 0x92000 */
	ram_frame(0x90000, 0x1000);
	ram_frame(0x91000, 0x1000);
	ram_frame(0x92000, 0x1000);
	L0_4K(0x90000, 0xffff000012345678, 0x91000 | TABLE);
	L1_4K(0x91000, 0xffff000012345678, 0x92000 | TABLE);
	L2_4K(0x92000, 0xffff000012345678, 0x40000000 | BLOCK | ATTR | AF | UXN | NG);
}

static void test_4k(void)
{
	build_4k();
	/* ASID and CnP in the TTBRs are not part of the base */
	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(16) | TG0_4K | T1SZ(16) | TG1_4K | IPS(5),
		.ttbr0_el1 = 0x1234ull << 48 | 0x80000 | 1,
		.ttbr1_el1 = 0xabcdull << 48 | 0x90000 | 1,
	};
	OK(0x0000004012345678, 0x456789678, 0x1000, P_W | P_X, 4);
	OK(0x0000004012345000, 0x456789000, 0x1000, P_W | P_X, 4);
	OK(0x0000004012345fff, 0x456789fff, 0x1000, P_W | P_X, 4);
	ERR(0x0000004012346000, -EFAULT, 4);
	ERR(0x0000004012347000, -EFAULT, 4);
	OK(0x0000004012348010, 0x45678c010, 0x1000, P_X | P_UX, 4);
	OK(0x0000004012349000, 0x20000000000, 0x1000, P_W | P_X | P_UX, 4);
	OK(0x0000004012400000, 0x80000000, 0x200000, P_W | P_U | P_UX, 3);
	OK(0x00000040125fffff, 0x801fffff, 0x200000, P_W | P_U | P_UX, 3);
	ERR(0x0000004012600000, -EFAULT, 3);
	OK(0x0000004100000000, 0x140000000, 0x40000000, P_U | P_UX, 2);
	OK(0x000000413fffffff, 0x17fffffff, 0x40000000, P_U | P_UX, 2);
	ERR(0x0000004140000000, -EFAULT, 3);
	ERR(0x0000008000000000, -EFAULT, 1);
	ERR(0x0000010000000000, -EFAULT, 1);
	/* outside the 48-bit TTBR0 range, and tags without TBI0 */
	ERR(0x0001000000000000, -EFAULT, 0);
	ERR(0x0080000000000000, -EFAULT, 0);
	ERR(0x1200004012345678, -EFAULT, 0);

	/* TTBR1: bit 55 picks it; 0xffff000000000000 up is its 48-bit range */
	OK(0xffff000012345678, 0x40145678, 0x200000, P_W | P_X, 3);
	ERR(0xffff000012545678, -EFAULT, 3);
	ERR(0xfffffffffffff000, -EFAULT, 1);
	ERR(0xfffeffffffffffff, -EFAULT, 0);
	ERR(0x00ff000012345678, -EFAULT, 0);

	/* TBI: the top byte is ignored, and bit 55 still picks the TTBR */
	regs.tcr_el1 |= TBI0 | TBI1;
	OK(0x1200004012345678, 0x456789678, 0x1000, P_W | P_X, 4);
	OK(0xff00004012345678, 0x456789678, 0x1000, P_W | P_X, 4);
	OK(0x00ff000012345678, 0x40145678, 0x200000, P_W | P_X, 3);
	OK(0x5aff000012345678, 0x40145678, 0x200000, P_W | P_X, 3);
	ERR(0x12fe000012345678, -EFAULT, 0);

	/* EPD0: TTBR0 walks fault, TTBR1 ones go on */
	regs.tcr_el1 = T0SZ(16) | TG0_4K | T1SZ(16) | TG1_4K | IPS(5) | EPD0;
	ERR(0x0000004012345678, -EFAULT, 0);
	OK(0xffff000012345678, 0x40145678, 0x200000, P_W | P_X, 3);
	/* EPD1 with T1SZ and TG1 left 0 (TG1 0 is reserved): that half faults */
	regs.tcr_el1 = T0SZ(16) | TG0_4K | IPS(5) | EPD1;
	ERR(0xffff000012345678, -EFAULT, 0);
	OK(0x0000004012345678, 0x456789678, 0x1000, P_W | P_X, 4);
	/* the same without EPD1: the reserved TG1 is refused */
	regs.tcr_el1 = T0SZ(16) | TG0_4K | IPS(5);
	ERR(0xffff000012345678, -EINVAL, 0);

	/* IPS 40 bits: an output address or a next table at 2^41 is an address size fault */
	regs.tcr_el1 = T0SZ(16) | TG0_4K | T1SZ(16) | TG1_4K | IPS(2);
	OK(0x0000004012345678, 0x456789678, 0x1000, P_W | P_X, 4);
	ERR(0x0000004012349000, -EFAULT, 4);
	ERR(0x0000004140000000, -EFAULT, 2);
	/* a TTBR base above it is the register's fault */
	regs.ttbr0_el1 = 1ull << 41 | 0x80000;
	ERR(0x0000004012345678, -EINVAL, 0);
	/* the implemented PA size bounds IPS */
	regs.ttbr0_el1 = 0x80000;
	regs.tcr_el1 = T0SZ(16) | TG0_4K | T1SZ(16) | TG1_4K | IPS(5);
	regs.pa_bits = 36;
	OK(0x0000004012345678, 0x456789678, 0x1000, P_W | P_X, 4);
	ERR(0x0000004012349000, -EFAULT, 4);
	ERR(0x0000004140000000, -EFAULT, 2);
	regs.pa_bits = 32;
	ERR(0x0000004012345678, -EFAULT, 4);
	OK(0x0000004012400000, 0x80000000, 0x200000, P_W | P_U | P_UX, 3);

	/* the read callback's error is passed on */
	regs.pa_bits = 0;
	ram.fail_gpa = 0x82000 + ((0x0000004012345678 >> 21) & 0x1ff) * 8;
	ram.fail_err = -EIO;
	ERR(0x0000004012345678, -EIO, 3);
	ram.fail_err = -EFAULT;
	ERR(0x0000004012345678, -EFAULT, 3);
}

static void test_permissions(void)
{
	const uint64_t va = 0x0000004b00000000; /* L0[0] -> L1[300] -> L2[0] -> L3[i] */
	const uint64_t l1e = 0x84000 | TABLE;

	ram_reset();
	ram_frame(0x80000, 0x1000);
	ram_frame(0x81000, 0x1000);
	ram_frame(0x84000, 0x1000);
	ram_frame(0x85000, 0x1000);
	L0_4K(0x80000, va, 0x81000 | TABLE);
	L1_4K(0x81000, va, l1e);
	L2_4K(0x84000, va, 0x85000 | TABLE);
	L3_4K(0x85000, va + 0x0000, 0xa000000 | PAGE | ATTR | AF | AP_RW);
	L3_4K(0x85000, va + 0x1000, 0xa001000 | PAGE | ATTR | AF | AP_EL1_RW);
	L3_4K(0x85000, va + 0x2000, 0xa002000 | PAGE | ATTR | AF | AP_EL1_RO);
	L3_4K(0x85000, va + 0x3000, 0xa003000 | PAGE | ATTR | AF | AP_RO);
	L3_4K(0x85000, va + 0x4000, 0xa004000 | PAGE | ATTR | AF | AP_EL1_RW | PXN | UXN);
	L3_4K(0x85000, va + 0x5000, 0xa005000 | PAGE | ATTR | AF | AP_RO | DBM);
	L3_4K(0x85000, va + 0x6000, 0xa006000 | PAGE | ATTR | AF | AP_RW | UXN);

	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(16) | TG0_4K | IPS(5) | EPD1,
		.ttbr0_el1 = 0x80000,
	};
	/* EL0-writable: never executable at EL1 */
	OK(va + 0x0000, 0xa000000, 0x1000, P_W | P_U | P_UX, 4);
	/* EL1-only pages: EL0 may still execute them (UXN clear), though it cannot read them */
	OK(va + 0x1000, 0xa001000, 0x1000, P_W | P_X | P_UX, 4);
	OK(va + 0x2000, 0xa002000, 0x1000, P_X | P_UX, 4);
	OK(va + 0x3000, 0xa003000, 0x1000, P_U | P_X | P_UX, 4);
	OK(va + 0x4000, 0xa004000, 0x1000, P_W, 4);
	/* DBM: writable-clean only when the hardware manages dirty state */
	OK(va + 0x5000, 0xa005000, 0x1000, P_U | P_X | P_UX, 4);
	OK(va + 0x6000, 0xa006000, 0x1000, P_W | P_U, 4);
	regs.tcr_el1 |= HA | HD;
	OK(va + 0x5000, 0xa005000, 0x1000, ALL, 4);

	/* WXN: writable means not executable, at each EL by its own write permission */
	regs.sctlr_el1 |= SCTLR_WXN;
	OK(va + 0x0000, 0xa000000, 0x1000, P_W | P_U, 4);
	OK(va + 0x1000, 0xa001000, 0x1000, P_W | P_UX, 4);
	OK(va + 0x3000, 0xa003000, 0x1000, P_U | P_X | P_UX, 4);
	/* a writable-clean page is judged by the AP[2] it has now */
	OK(va + 0x5000, 0xa005000, 0x1000, ALL, 4);
	regs.sctlr_el1 = SCTLR_M;

	/* APTable[0]: no EL0 access below; PXN from the EL0 write permission stays */
	L1_4K(0x81000, va, l1e | APT_NO_EL0);
	OK(va + 0x0000, 0xa000000, 0x1000, P_W | P_UX, 4);
	OK(va + 0x3000, 0xa003000, 0x1000, P_X | P_UX, 4);
	/* APTable[1]: no writes below, DBM included */
	L1_4K(0x81000, va, l1e | APT_RO);
	OK(va + 0x1000, 0xa001000, 0x1000, P_X | P_UX, 4);
	OK(va + 0x0000, 0xa000000, 0x1000, P_U | P_UX, 4);
	OK(va + 0x5000, 0xa005000, 0x1000, P_U | P_X | P_UX, 4);
	L1_4K(0x81000, va, l1e | PXNT);
	OK(va + 0x1000, 0xa001000, 0x1000, P_W | P_UX, 4);
	L1_4K(0x81000, va, l1e | UXNT);
	OK(va + 0x1000, 0xa001000, 0x1000, P_W | P_X, 4);
	/* all of them: a mapping nobody may use; under TCR_EL1.HPD0 the table bits mean nothing */
	L1_4K(0x81000, va, l1e | APT_NO_EL0 | APT_RO | PXNT | UXNT);
	OK(va + 0x1000, 0xa001000, 0x1000, 0, 4);
	regs.tcr_el1 |= HPD0;
	OK(va + 0x1000, 0xa001000, 0x1000, P_W | P_X | P_UX, 4);
	OK(va + 0x0000, 0xa000000, 0x1000, P_W | P_U | P_UX, 4);
}

static void test_16k(void)
{
	const uint64_t va = 0x0000800012345678;

	ram_reset();
	/* 48-bit VA with 16K: level 0 has two entries (va bit 47), a 16-byte table */
	ram_frame(0xa0000, 0x4000);
	ram_frame(0xa4000, 0x4000);
	ram_frame(0xa8000, 0x4000);
	ram_frame(0xac000, 0x4000);
	set(0xa0010, va, 47, 1, 0xa4000 | TABLE);
	set(0xa4000, va, 36, 11, 0xa8000 | TABLE);
	set(0xa8000, va, 25, 11, 0xac000 | TABLE);
	set(0xac000, va, 14, 11, 0x123454000 | PAGE | ATTR | AF);
	/* 32 MiB block at level 2; a level-1 block needs DS */
	set(0xa8000, 0x0000800014000000, 25, 11, 0x200000000 | BLOCK | ATTR | AF | AP_RO | UXN);
	set(0xa4000, 0x0000801000000000, 36, 11, 0x1000000000 | BLOCK | ATTR | AF);
	/* TTBR1, TG1 = 0b01 (16K; 0b01 would be 64K in TG0) */
	ram_frame(0xb0000, 0x4000);
	ram_frame(0xb4000, 0x4000);
	ram_frame(0xb8000, 0x4000);
	set(0xb0000, 0xffff800000001234, 47, 1, 0xb4000 | TABLE);
	set(0xb4000, 0xffff800000001234, 36, 11, 0xb8000 | TABLE);
	set(0xb8000, 0xffff800000001234, 25, 11, 0x3e000000 | BLOCK | ATTR | AF | PXN);

	/* TTBR0 bit 3 is below the table's 16-byte alignment: ignored */
	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(16) | TG0_16K | T1SZ(16) | TG1_16K | IPS(5),
		.ttbr0_el1 = 0xa0018,
		.ttbr1_el1 = 0xb0000,
	};
	OK(va, 0x123455678, 0x4000, P_W | P_X | P_UX, 4);
	OK(0x0000800012344000, 0x123454000, 0x4000, P_W | P_X | P_UX, 4);
	OK(0x0000800012347fff, 0x123457fff, 0x4000, P_W | P_X | P_UX, 4);
	ERR(0x0000800012348000, -EFAULT, 4);
	OK(0x0000800014000000, 0x200000000, 0x2000000, P_U | P_X, 3);
	OK(0x0000800015ffffff, 0x201ffffff, 0x2000000, P_U | P_X, 3);
	ERR(0x0000801000000000, -EFAULT, 2);
	ERR(0x0000000012345678, -EFAULT, 1);
	OK(0xffff800000001234, 0x3e001234, 0x2000000, P_W | P_UX, 3);
	ERR(0xffff000000001234, -EFAULT, 1);
	/* 52-bit VAs need DS with 16K */
	regs.tcr_el1 = T0SZ(12) | TG0_16K | IPS(5);
	ERR(va, -EINVAL, 0);
}

static void test_64k(void)
{
	const uint64_t va = 0x0000123456789abc;

	ram_reset();
	/* 48-bit VA with 64K: start at level 1 (va[47:42], a 512-byte table) */
	ram_frame(0x100000, 0x1000);
	ram_frame(0x110000, 0x10000);
	ram_frame(0x120000, 0x10000);
	set(0x100000, va, 42, 6, 0x110000 | TABLE);
	set(0x110000, va, 29, 13, 0x120000 | TABLE);
	/* bits 15:12 are OA[51:48] only with 52-bit PAs */
	set(0x120000, va, 16, 13, 0x765430000 | 0x3000 | PAGE | ATTR | AF | AP_RO);
	set(0x110000, 0x0000123460000000, 29, 13, 0x120000000 | BLOCK | ATTR | AF | AP_RW);
	/* a 4 TiB level-1 block: only when the implemented PA size is 52 bits */
	set(0x100000, 0x0000040000001234, 42, 6, 0x40000000000 | BLOCK | ATTR | AF | PXN | UXN);
	/* TTBR1, TG1 = 0b11 */
	ram_frame(0x130000, 0x1000);
	ram_frame(0x140000, 0x10000);
	set(0x130000, 0xfffffc0000005678, 42, 6, 0x140000 | TABLE);
	set(0x140000, 0xfffffc0000005678, 29, 13, 0x60000000 | BLOCK | ATTR | AF);

	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(16) | TG0_64K | T1SZ(16) | TG1_64K | IPS(5),
		.ttbr0_el1 = 0x100000,
		.ttbr1_el1 = 0x130000,
	};
	OK(va, 0x765439abc, 0x10000, P_U | P_X | P_UX, 3);
	OK(0x000012345678ffff, 0x76543ffff, 0x10000, P_U | P_X | P_UX, 3);
	ERR(0x0000123456790000, -EFAULT, 3);
	OK(0x0000123460000000, 0x120000000, 0x20000000, P_W | P_U | P_UX, 2);
	OK(0x000012347fffffff, 0x13fffffff, 0x20000000, P_W | P_U | P_UX, 2);
	OK(0x0000040000001234, 0x40000001234, 1ull << 42, P_W, 1);
	OK(0x000007ffffffffff, 0x7ffffffffff, 1ull << 42, P_W, 1);
	OK(0xfffffc0000005678, 0x60005678, 0x20000000, P_W | P_X | P_UX, 2);
	ERR(0xfffff80000005678, -EFAULT, 1);
	regs.pa_bits = 48;
	ERR(0x0000040000001234, -EFAULT, 1);
	OK(va, 0x765439abc, 0x10000, P_U | P_X | P_UX, 3);
	/* TnSZ up to 47 with 64K */
	regs.tcr_el1 = T0SZ(48) | TG0_64K | IPS(5);
	ERR(va, -EINVAL, 0);
}

static void test_64k_52bit(void)
{
	const uint64_t l1 = 0x0005000000170000; /* TTBR0 BADDR[51:48] = 5 in bits 5:2 */
	const uint64_t l2 = 0x0007000000180000;

	ram_reset();
	ram_frame(l1, 0x1000);
	ram_frame(l2, 0x10000);
	/* FEAT_LPA: a 4 TiB block at OA 0x000a040000000000, a table at 0x0007000000180000 */
	set(l1, 0x0000040000001234, 42, 6, 1ull << 42 | 0xaull << 12 | BLOCK | ATTR | AF);
	set(l1, 0x0000080000005678, 42, 6, 0x180000 | 0x7ull << 12 | TABLE);
	set(l2, 0x0000080000005678, 29, 13, 0xffffe0000000 | 0xfull << 12 | BLOCK | ATTR | AF);
	/* FEAT_LVA: 52-bit VAs, level 1 indexed by va[51:42] (an 8 KiB table) */
	ram_frame(0x150000, 0x2000);
	ram_frame(0x160000, 0x10000);
	set(0x150000, 0x000fffff00001234, 42, 10, 0x160000 | TABLE);
	set(0x160000, 0x000fffff00001234, 29, 13, 0x20000000 | BLOCK | ATTR | AF);

	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(16) | TG0_64K | IPS(6) | EPD1,
		.ttbr0_el1 = 0x170000 | 0x5 << 2,
	};
	OK(0x0000040000001234, 0x000a040000001234, 1ull << 42, P_W | P_X | P_UX, 1);
	OK(0x0000080000005678, 0x000fffffe0005678, 0x20000000, P_W | P_X | P_UX, 2);
	/* with a 48-bit IPS, or a CPU without 52-bit PAs, TTBR bits 5:2 are no address bits */
	regs.tcr_el1 = T0SZ(16) | TG0_64K | IPS(5) | EPD1;
	ERR(0x0000040000001234, -EFAULT, 1);
	regs.tcr_el1 = T0SZ(16) | TG0_64K | IPS(6) | EPD1;
	regs.pa_bits = 48;
	ERR(0x0000040000001234, -EFAULT, 1);

	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(12) | TG0_64K | IPS(5) | EPD1,
		.ttbr0_el1 = 0x150000,
	};
	OK(0x000fffff00001234, 0x20001234, 0x20000000, P_W | P_X | P_UX, 2);
	ERR(0x000ffffe00001234, -EFAULT, 2);
	ERR(0x000bffff00001234, -EFAULT, 1);
	ERR(0x0010000000000000, -EFAULT, 0);
	regs.tcr_el1 = T0SZ(11) | TG0_64K | IPS(5) | EPD1;
	ERR(0x000fffff00001234, -EINVAL, 0);
}

static void test_lpa2(void)
{
	const uint64_t lm1 = 0x0003000000190000; /* level -1: TTBR0 BADDR[51:48] = 3 */
	const uint64_t l0 = 0x000c0000001a0000;	 /* OA[51:50] = 3 from descriptor bits 9:8 */
	const uint64_t page = 0x000f008000000abc;

	ram_reset();
	ram_frame(lm1, 0x1000);
	ram_frame(l0, 0x1000);
	ram_frame(0x1b0000, 0x1000);
	ram_frame(0x1c0000, 0x1000);
	ram_frame(0x1d0000, 0x1000);
	/* level -1 (va[51:48], 16 entries) -> level 0: a 512 GiB block at 2^48 */
	set(lm1, 0x000f000000001234, 48, 4, 0x1a0000 | 0x3ull << 8 | TABLE);
	set(l0, 0x000f000000001234, 39, 9, 1ull << 48 | BLOCK | AF | 0x4);
	/* a block at level -1 is invalid */
	set(lm1, 0x000e000000000000, 48, 4, 0x5000000 | BLOCK | AF);
	/* five levels down to a 4 KiB page at 0x000b000012345000 */
	set(l0, page, 39, 9, 0x1b0000 | TABLE);
	L1_4K(0x1b0000, page, 0x1c0000 | TABLE);
	L2_4K(0x1c0000, page, 0x1d0000 | TABLE);
	L3_4K(0x1d0000, page, 0x0003000012345000 | 0x2ull << 8 | PAGE | AF | 0x4);

	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(12) | TG0_4K | IPS(6) | DS | EPD1,
		.ttbr0_el1 = 0x190000 | 0x3 << 2,
	};
	OK(0x000f000000001234, 0x0001000000001234, 1ull << 39, P_W | P_X | P_UX, 2);
	OK(0x000f007fffffffff, 0x0001007fffffffff, 1ull << 39, P_W | P_X | P_UX, 2);
	OK(page, 0x000b000012345abc, 0x1000, P_W | P_X | P_UX, 5);
	ERR(0x000e000000000000, -EFAULT, 1);
	ERR(0x000d000000000000, -EFAULT, 1);
	ERR(0x0010000000000000, -EFAULT, 0);
	/* DS with a 48-bit IPS: the TTBR base at 2^48 and up is out of range */
	regs.tcr_el1 = T0SZ(12) | TG0_4K | IPS(5) | DS | EPD1;
	ERR(page, -EINVAL, 0);
	/* without DS there are no 52-bit VAs with 4K */
	regs.tcr_el1 = T0SZ(12) | TG0_4K | IPS(6) | EPD1;
	ERR(page, -EINVAL, 0);

	/* 16K with DS: level 0 is va[51:47], and level 1 may hold a 64 GiB block */
	ram_frame(0x1e0000, 0x1000);
	ram_frame(0x1e4000, 0x4000);
	set(0x1e0000, 0x0008000000004321, 47, 5, 0x1e4000 | TABLE);
	set(0x1e4000, 0x0008000000004321, 36, 11, 0x0001001000000000 | BLOCK | AF | 0x4);
	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(12) | TG0_16K | IPS(6) | DS | EPD1,
		.ttbr0_el1 = 0x1e0000,
	};
	OK(0x0008000000004321, 0x0001001000004321, 1ull << 36, P_W | P_X | P_UX, 2);
	ERR(0x0000000000004321, -EFAULT, 1);
}

static void test_big_endian(void)
{
	const uint64_t va = 0x0000007fc0201abc; /* 39-bit VA: L1[511] -> L2[1] -> L3[1] */

	ram_reset();
	be_tables = true;
	ram_frame(0x200000, 0x1000);
	ram_frame(0x201000, 0x1000);
	ram_frame(0x202000, 0x1000);
	L1_4K(0x200000, va, 0x201000 | TABLE);
	L2_4K(0x201000, va, 0x202000 | TABLE);
	L3_4K(0x202000, va, 0x33333000 | PAGE | ATTR | AF | AP_RW | PXN);
	L1_4K(0x200000, 0x40000000, 0xc0000000 | BLOCK | ATTR | AF);
	be_tables = false;

	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M | SCTLR_EE,
		.tcr_el1 = T0SZ(25) | TG0_4K | IPS(5) | EPD1,
		.ttbr0_el1 = 0x200000,
	};
	OK(va, 0x33333abc, 0x1000, P_W | P_U | P_UX, 3);
	OK(0x000000007fffffff, 0xffffffff, 0x40000000, P_W | P_X | P_UX, 1);
	ERR(0x0000008000000000, -EFAULT, 0);
	ERR(0x0000000000000000, -EFAULT, 1);
	/* the same tables read little-endian: 0x201003 is 0x0310200000000000, bit 0 clear */
	regs.sctlr_el1 = SCTLR_M;
	ERR(va, -EFAULT, 1);
}

static void test_bad_registers(void)
{
	ram_reset();
	/* a valid configuration reads TTBR0's table at 0, which is not backed */
	regs = (struct walk_arm64_regs){
		.sctlr_el1 = SCTLR_M,
		.tcr_el1 = T0SZ(16) | TG0_4K | T1SZ(16) | TG1_4K | IPS(5),
	};
	ERR(0x1000, -EFAULT, 1);
	ERR(0xffff000000001000, -EFAULT, 1);
	regs.tcr_el1 = T0SZ(16) | 3ull << 14 | T1SZ(16) | TG1_4K | IPS(5);
	ERR(0x1000, -EINVAL, 0);
	ERR(0xffff000000001000, -EFAULT, 1);
	regs.tcr_el1 = T0SZ(16) | TG0_4K | T1SZ(16) | IPS(5);
	ERR(0xffff000000001000, -EINVAL, 0);
	regs.tcr_el1 = T0SZ(16) | TG0_4K | IPS(7) | EPD1;
	ERR(0x1000, -EINVAL, 0);
	/* TnSZ: 16..48 for 4K and 16K (12.. with DS), 12..47 for 64K */
	regs.tcr_el1 = T0SZ(15) | TG0_4K | IPS(5) | EPD1;
	ERR(0x1000, -EINVAL, 0);
	regs.tcr_el1 = T0SZ(49) | TG0_4K | IPS(5) | EPD1;
	ERR(0x1000, -EINVAL, 0);
	regs.tcr_el1 = T0SZ(48) | TG0_4K | IPS(5) | EPD1;
	ERR(0x1000, -EFAULT, 1);
	ERR(0x10000, -EFAULT, 0);
	regs.tcr_el1 = T0SZ(48) | TG0_16K | IPS(5) | EPD1;
	ERR(0x1000, -EFAULT, 1);
	regs.tcr_el1 = T0SZ(47) | TG0_64K | IPS(5) | EPD1;
	ERR(0x1000, -EFAULT, 1);
	regs.tcr_el1 = T0SZ(12) | TG0_16K | IPS(5) | DS | EPD1;
	ERR(0x1000, -EFAULT, 1);
	/* pa_bits must be a PARange size */
	regs.pa_bits = 50;
	ERR(0x1000, -EINVAL, 0);
}

/* ARM64_SYS_REG() of arch/arm64/include/uapi/asm/kvm.h, spelled out */
#define SYSREG_ID(op0, op1, crn, crm, op2)                                                       \
	(0x6000000000000000ull | 0x0030000000000000ull | 0x13ull << 16 | (uint64_t)(op0) << 14 | \
	 (uint64_t)(op1) << 11 | (uint64_t)(crn) << 7 | (uint64_t)(crm) << 3 | (uint64_t)(op2))

static void test_registers(void)
{
	static const unsigned int bits[16] = { 32, 36, 40, 42, 44, 48, 52, 52,
					       52, 52, 52, 52, 52, 52, 52, 52 };

	for (unsigned int i = 0; i < 16; i++)
		g_assert_cmpuint(walk_arm64_pa_bits(0x1122334455667700ull | i), ==, bits[i]);

	g_assert_cmphex(SYSREG_ID(3, 0, 1, 0, 0), ==, WALK_ARM64_REG_SCTLR_EL1);
	g_assert_cmphex(SYSREG_ID(3, 0, 2, 0, 0), ==, WALK_ARM64_REG_TTBR0_EL1);
	g_assert_cmphex(SYSREG_ID(3, 0, 2, 0, 1), ==, WALK_ARM64_REG_TTBR1_EL1);
	g_assert_cmphex(SYSREG_ID(3, 0, 2, 0, 2), ==, WALK_ARM64_REG_TCR_EL1);
	g_assert_cmphex(SYSREG_ID(3, 0, 0, 7, 0), ==, WALK_ARM64_REG_ID_AA64MMFR0_EL1);
	g_assert_cmphex(WALK_ARM64_REG_SCTLR_EL1, ==, 0x603000000013c080ull);
	g_assert_cmphex(WALK_ARM64_REG_TTBR0_EL1, ==, 0x603000000013c100ull);
	g_assert_cmphex(WALK_ARM64_REG_TTBR1_EL1, ==, 0x603000000013c101ull);
	g_assert_cmphex(WALK_ARM64_REG_TCR_EL1, ==, 0x603000000013c102ull);
	g_assert_cmphex(WALK_ARM64_REG_ID_AA64MMFR0_EL1, ==, 0x603000000013c038ull);
#if defined(__aarch64__)
	/* the real uapi macro, on arm64 hosts (the cross tier) */
	g_assert_cmphex(ARM64_SYS_REG(3, 0, 1, 0, 0), ==, WALK_ARM64_REG_SCTLR_EL1);
	g_assert_cmphex(ARM64_SYS_REG(3, 0, 2, 0, 0), ==, WALK_ARM64_REG_TTBR0_EL1);
	g_assert_cmphex(ARM64_SYS_REG(3, 0, 2, 0, 1), ==, WALK_ARM64_REG_TTBR1_EL1);
	g_assert_cmphex(ARM64_SYS_REG(3, 0, 2, 0, 2), ==, WALK_ARM64_REG_TCR_EL1);
	g_assert_cmphex(ARM64_SYS_REG(3, 0, 0, 7, 0), ==, WALK_ARM64_REG_ID_AA64MMFR0_EL1);
#endif
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/walk-arm64/mmu-off", test_mmu_off);
	g_test_add_func("/kvmdbg/walk-arm64/4k", test_4k);
	g_test_add_func("/kvmdbg/walk-arm64/permissions", test_permissions);
	g_test_add_func("/kvmdbg/walk-arm64/16k", test_16k);
	g_test_add_func("/kvmdbg/walk-arm64/64k", test_64k);
	g_test_add_func("/kvmdbg/walk-arm64/64k-52bit", test_64k_52bit);
	g_test_add_func("/kvmdbg/walk-arm64/lpa2", test_lpa2);
	g_test_add_func("/kvmdbg/walk-arm64/big-endian", test_big_endian);
	g_test_add_func("/kvmdbg/walk-arm64/bad-registers", test_bad_registers);
	g_test_add_func("/kvmdbg/walk-arm64/registers", test_registers);
	return g_test_run();
}
