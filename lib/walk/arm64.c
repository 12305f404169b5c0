// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * arm64 stage-1 page walker for the EL1&0 regime (Arm ARM D8 "The AArch64 Virtual Memory
 * System Architecture"; the kernel's own software walk of the same regime is
 * arch/arm64/kvm/at.c, setup_s1_walk() and walk_s1(), which the rules below follow).
 *
 * SCTLR_EL1: M bit 0 (stage 1 on), WXN bit 19, EE bit 25 (tables big-endian).
 * TCR_EL1: T0SZ 5:0, EPD0 7, TG0 15:14 (00 4K, 01 64K, 10 16K), T1SZ 21:16, EPD1 23,
 *   TG1 31:30 (01 16K, 10 4K, 11 64K), IPS 34:32 (32, 36, 40, 42, 44, 48, 52 bits), TBI0 37,
 *   TBI1 38, HD 40, HPD0 41, HPD1 42, DS 59 (arch/arm64/include/asm/pgtable-hwdef.h).
 * TTBRn_EL1: ASID 63:48, BADDR 47:1, CnP 0; with 52-bit output addresses BADDR[51:48] is in
 *   bits 5:2 and the table is at least 64-byte aligned (phys_to_ttbr() in the kernel).
 * Descriptors (8 bytes): bit 0 valid; bit 1 table (levels < 3) or page (level 3; 0 there is
 *   reserved); a block is bit 1 clear.  Output address bits 47:granule, plus with 52-bit
 *   output bits 15:12 = OA[51:48] (64K, FEAT_LPA) or bits 49:48 = OA[49:48] and 9:8 =
 *   OA[51:50] (4K/16K under DS, FEAT_LPA2; KVM_PTE_ADDR_51_50_LPA2 in kvm_pgtable.h).
 *   Leaf: AP[1] bit 6 (EL0 access), AP[2] bit 7 (read-only), AF 10, DBM 51, PXN 53, UXN 54.
 *   Table: PXNTable 59, UXNTable 60, APTable 62:61 (bit 61: no EL0 access, bit 62: no write).
 * Start level: 3 - ((ia_bits - 1 - granule_shift) / (granule_shift - 3)) (AArch64.S1StartLevel).
 * Blocks: 4K at levels 1 and 2 (and 0 under DS), 16K at level 2 (and 1 under DS), 64K at
 *   level 2 (and 1 when the implemented PA size is 52 bits), as AArch64.BlockDescSupported()
 *   gives them: 512 GiB with 4K and 64 GiB with 16K arrive with LPA2 (the kernel's "KVM:
 *   arm64: Use LPA2 page-tables for stage2" says so), 4 TiB with 64K with LPA (nested.c's
 *   compute_tlb_inval_range() names it).
 */
#include <errno.h>

#include "arch/arch.h"
#include "walk.h"

#define SCTLR_M (1ull << 0)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EE (1ull << 25)

#define TCR_EPD0 (1ull << 7)
#define TCR_EPD1 (1ull << 23)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_HD (1ull << 40)
#define TCR_HPD0 (1ull << 41)
#define TCR_HPD1 (1ull << 42)
#define TCR_DS (1ull << 59)

#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1)
#define DESC_AP1 (1ull << 6)
#define DESC_AP2 (1ull << 7)
#define DESC_DBM (1ull << 51)
#define DESC_PXN (1ull << 53)
#define DESC_UXN (1ull << 54)
#define DESC_PXNTABLE (1ull << 59)
#define DESC_UXNTABLE (1ull << 60)
#define DESC_APTABLE_NO_EL0 (1ull << 61)
#define DESC_APTABLE_RO (1ull << 62)

/* Bits hi..lo, none when lo > hi. */
static uint64_t bits(int hi, int lo)
{
	if (lo > hi)
		return 0;
	return (~0ull >> (63 - hi)) & (~0ull << lo);
}

/* TCR_EL1.IPS and ID_AA64MMFR0_EL1.PARange share this encoding. */
static const unsigned int size_bits[7] = { 32, 36, 40, 42, 44, 48, 52 };

unsigned int walk_arm64_pa_bits(uint64_t id_aa64mmfr0_el1)
{
	unsigned int enc = id_aa64mmfr0_el1 & 0xf;

	return enc < 7 ? size_bits[enc] : 52;
}

static bool valid_pa_bits(unsigned int n)
{
	for (unsigned int i = 0; i < 7; i++)
		if (size_bits[i] == n)
			return true;
	return false;
}

/* The output (next table or leaf) address a descriptor holds, bits 51:granule. */
static uint64_t desc_oa(uint64_t d, int pgshift, bool pa52)
{
	if (!pa52)
		return d & bits(47, pgshift);
	if (pgshift == 16)
		return (d & bits(47, 16)) | ((d >> 12) & 0xf) << 48;
	return (d & bits(49, pgshift)) | ((d >> 8) & 0x3) << 50;
}

static bool block_allowed(int pgshift, int level, bool ds, unsigned int pa_bits)
{
	switch (pgshift) {
	case 12:
		return level == 1 || level == 2 || (level == 0 && ds);
	case 14:
		return level == 2 || (level == 1 && ds);
	default:
		return level == 2 || (level == 1 && pa_bits == 52);
	}
}

int walk_arm64(const struct walk_arm64_regs *r, walk_read_fn read, void *ctx, uint64_t va,
	       struct walk_result *ret)
{
	const uint64_t tcr = r->tcr_el1;
	unsigned int pa_bits = r->pa_bits ? r->pa_bits : 52;
	bool hi = (va >> 55) & 1;
	uint64_t sva = (uint64_t)((int64_t)(va << 8) >> 8);
	unsigned int ips, oa_bits, txsz, ia_bits, aptable = 0;
	bool ds, pa52, hpd, pxntable = false, uxntable = false;
	bool pr_w, u_r, u_w, p_x, u_x, dirty_w;
	int pgshift, stride, level, top, bottom, x;
	uint64_t ttbr, table, d = 0, oa;

	if (!valid_pa_bits(pa_bits))
		return -EINVAL;

	/* the top byte must be bit 55's sign extension unless TBI ignores it */
	if (!(tcr & (hi ? TCR_TBI1 : TCR_TBI0)) && sva != va)
		return -EFAULT;
	va = sva;

	if (!(r->sctlr_el1 & SCTLR_M)) {
		/* stage 1 off: flat, up to the implemented PA size (at.c: S1_MMU_DISABLED) */
		if (va >> pa_bits)
			return -EFAULT;
		ret->gpa = va;
		ret->page_size = 1ull << pa_bits;
		ret->writable = ret->user = ret->executable = ret->user_executable = true;
		return 0;
	}

	/*
	 * EPDn first: a guest that never uses one half (EPD1 set, say) may leave that half's
	 * TnSZ and TGn unset, and the CPU faults there without looking at them.
	 */
	if (tcr & (hi ? TCR_EPD1 : TCR_EPD0))
		return -EFAULT;

	if (hi) {
		static const int tg1_shift[4] = { 0, 14, 12, 16 };

		pgshift = tg1_shift[(tcr >> 30) & 3];
		txsz = (tcr >> 16) & 0x3f;
		hpd = tcr & TCR_HPD1;
		ttbr = r->ttbr1_el1;
	} else {
		static const int tg0_shift[4] = { 12, 16, 14, 0 };

		pgshift = tg0_shift[(tcr >> 14) & 3];
		txsz = tcr & 0x3f;
		hpd = tcr & TCR_HPD0;
		ttbr = r->ttbr0_el1;
	}
	/* reserved granule encodings are IMPLEMENTATION DEFINED: not guessed */
	if (!pgshift)
		return -EINVAL;

	ips = (tcr >> 32) & 7;
	if (ips == 7)
		return -EINVAL;
	ds = pgshift != 16 && (tcr & TCR_DS);
	pa52 = pgshift == 16 ? pa_bits == 52 && size_bits[ips] == 52 : ds;
	/* without pa52 no descriptor or TTBR can hold an address above 48 bits anyway */
	oa_bits = size_bits[ips] < pa_bits ? size_bits[ips] : pa_bits;

	/* 52-bit VAs: 64K with FEAT_LVA, 4K/16K with LPA2; down to 16 bits with FEAT_TTST */
	if (txsz < (pgshift == 16 || ds ? 12u : 16u) || txsz > (pgshift == 16 ? 47u : 48u))
		return -EINVAL;
	ia_bits = 64 - txsz;
	if (hi ? (~va >> ia_bits) != 0 : (va >> ia_bits) != 0)
		return -EFAULT;

	stride = pgshift - 3;
	level = 3 - (int)((ia_bits - 1 - (unsigned int)pgshift) / (unsigned int)stride);

	/*
	 * The first table's size, 2^x bytes, is its alignment; with 52-bit output addresses
	 * TTBR bits 5:2 are BADDR[51:48], so such a table is 64-byte aligned at least.
	 */
	x = 3 + (int)ia_bits - ((3 - level) * stride + pgshift);
	if (pa52)
		table = (ttbr & bits(47, 6)) | ((ttbr >> 2) & 0xf) << 48;
	else
		table = ttbr & bits(47, 1);
	if (table >> oa_bits)
		return -EINVAL;
	table &= ~bits(x - 1, 0);

	for (top = (int)ia_bits - 1;; top = bottom - 1, level++) {
		uint8_t b[8];
		int err;

		bottom = (3 - level) * stride + pgshift;
		err = read(ctx, table + ((va & bits(top, bottom)) >> bottom) * 8, b, 8);
		if (err)
			return err < 0 ? err : -EIO;
		d = get_u64(b, r->sctlr_el1 & SCTLR_EE);

		if (!(d & DESC_VALID))
			return -EFAULT;
		if (level == 3) {
			if (!(d & DESC_TABLE))
				return -EFAULT;
			break;
		}
		if (!(d & DESC_TABLE)) {
			if (!block_allowed(pgshift, level, ds, pa_bits))
				return -EFAULT;
			break;
		}
		if (!hpd) {
			aptable |= (d >> 61) & 3;
			pxntable = pxntable || (d & DESC_PXNTABLE);
			uxntable = uxntable || (d & DESC_UXNTABLE);
		}
		table = desc_oa(d, pgshift, pa52);
		if (table >> oa_bits)
			return -EFAULT;
	}

	oa = desc_oa(d, pgshift, pa52) & ~bits(bottom - 1, 0);
	if (oa >> oa_bits)
		return -EFAULT;

	/* AArch64.S1DirectBasePermissions(), as at.c's compute_s1_*_permissions() */
	pr_w = !(d & DESC_AP2);
	u_r = d & DESC_AP1;
	u_w = u_r && pr_w;
	/* an EL0-writable page is never executable at EL1 */
	p_x = !(d & DESC_PXN) && !u_w;
	u_x = !(d & DESC_UXN);
	/* writable-clean: the first write sets AP[2] to 0 under TCR_EL1.HD */
	dirty_w = (tcr & TCR_HD) && (d & DESC_DBM);
	if (aptable & (DESC_APTABLE_NO_EL0 >> 61))
		u_r = u_w = false;
	if (aptable & (DESC_APTABLE_RO >> 61))
		pr_w = u_w = dirty_w = false;
	p_x = p_x && !pxntable;
	u_x = u_x && !uxntable;
	if (r->sctlr_el1 & SCTLR_WXN) {
		p_x = p_x && !pr_w;
		u_x = u_x && !u_w;
	}

	ret->gpa = oa | (va & bits(bottom - 1, 0));
	ret->page_size = 1ull << bottom;
	ret->writable = pr_w || dirty_w;
	ret->user = u_r;
	ret->executable = p_x;
	ret->user_executable = u_x;
	return 0;
}
