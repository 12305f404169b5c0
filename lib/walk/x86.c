// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * x86 page walker (Intel SDM vol. 3A ch. 4 "Paging"; AMD APM vol. 2 ch. 5).
 *
 * Entries are little-endian: 4 bytes under 32-bit paging, 8 bytes under PAE and long mode.
 * Bits: P 0, R/W 1, U/S 2, PS 7 (a leaf above level 1), XD 63 (with EFER.NXE).
 *   32-bit: CR3[31:12] -> PDE (la[31:22]) -> PTE (la[21:12]); a PDE with PS under CR4.PSE
 *           maps 4 MiB: PA[31:22] = PDE[31:22], PA[M-1:32] = PDE[M-20:13] (PSE-36, M =
 *           MIN(MAXPHYADDR, 40)), PDE[21:M-19] reserved.
 *   PAE:    CR3[31:5] -> PDPTE (la[31:30]; or the PDPTRs the CPU loaded) -> PDE (la[29:21])
 *           -> PTE (la[20:12]); a PDPTE has no R/W, U/S or XD and reserves 63:M, 8:5, 2:1.
 *   long:   CR3[M-1:12] -> [PML5E la[56:48]] -> PML4E la[47:39] -> PDPTE la[38:30] (PS: 1
 *           GiB) -> PDE la[29:21] (PS: 2 MiB) -> PTE la[20:12].
 * Reserved bits, as arch/x86/kvm/mmu/mmu.c __reset_rsvds_bits_mask() lists them: XD without
 * EFER.NXE; M..51 in long mode, M..62 under PAE; PS in a PML5E or PML4E; 29:13 in a 1 GiB
 * leaf, 20:13 in a 2 MiB one.  Bit 8 of a PML4E, reserved on AMD only, is not checked.  KVM
 * models PSE-36 as 36 bits (PT32_DIR_PSE36_SIZE 4 in paging_tmpl.h, reserving PDE bits
 * 21:17); this walker follows the SDM's MIN(MAXPHYADDR, 40).
 */
#include <errno.h>

#include "arch/arch.h"
#include "walk.h"

#define CR0_PE (1ull << 0)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define PTE_XD (1ull << 63)

/* Bits hi..lo, none when lo > hi. */
static uint64_t bits(int hi, int lo)
{
	if (lo > hi)
		return 0;
	return (~0ull >> (63 - hi)) & (~0ull << lo);
}

struct x86_walk {
	walk_read_fn read;
	void *ctx;
	unsigned int m;	    /* MAXPHYADDR */
	uint64_t addr_mask; /* bits M-1:12 */
	bool nxe;
	/* accumulated over the levels */
	bool w, u, xd;
};

static int read_entry(const struct x86_walk *w, uint64_t gpa, size_t size, uint64_t *ret)
{
	uint8_t b[8];
	int err = w->read(w->ctx, gpa, b, size);

	if (err)
		return err < 0 ? err : -EIO;
	*ret = size == 4 ? get_u32(b, false) : get_u64(b, false);
	return 0;
}

static void accumulate(struct x86_walk *w, uint64_t e)
{
	w->w = w->w && (e & PTE_RW);
	w->u = w->u && (e & PTE_US);
	w->xd = w->xd || (w->nxe && (e & PTE_XD));
}

static void finish(const struct walk_x86_regs *r, const struct x86_walk *w, uint64_t gpa,
		   uint64_t size, struct walk_result *ret)
{
	ret->gpa = gpa;
	ret->page_size = size;
	ret->writable = w->w;
	ret->user = w->u;
	/* SMEP: supervisor-mode fetches from user pages fault */
	ret->executable = !w->xd && !((r->cr4 & CR4_SMEP) && w->u);
	ret->user_executable = !w->xd && w->u;
}

static int walk_32bit(const struct walk_x86_regs *r, struct x86_walk *w, uint64_t la,
		      struct walk_result *ret)
{
	uint64_t pde, pte;
	int err;

	err = read_entry(w, (r->cr3 & 0xfffff000u) + ((la >> 22) & 0x3ff) * 4, 4, &pde);
	if (err)
		return err;
	if (!(pde & PTE_P))
		return -EFAULT;
	accumulate(w, pde);

	if ((r->cr4 & CR4_PSE) && (pde & PTE_PS)) {
		unsigned int m = w->m < 40 ? w->m : 40;
		uint64_t high = (pde >> 13) & bits((int)m - 33, 0);

		if (pde & bits(21, (int)m - 19))
			return -EFAULT;
		finish(r, w, (pde & 0xffc00000u) | high << 32 | (la & 0x3fffff), 1ull << 22, ret);
		return 0;
	}

	err = read_entry(w, (pde & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4, 4, &pte);
	if (err)
		return err;
	if (!(pte & PTE_P))
		return -EFAULT;
	accumulate(w, pte);
	finish(r, w, (pte & 0xfffff000u) | (la & 0xfff), 1ull << 12, ret);
	return 0;
}

static int walk_pae(const struct walk_x86_regs *r, struct x86_walk *w, uint64_t la,
		    struct walk_result *ret)
{
	unsigned int i = (la >> 30) & 3;
	uint64_t pdpte, e = 0, table;
	int shift;
	int err;

	if (r->pdptrs_valid) {
		pdpte = r->pdptrs[i];
	} else {
		err = read_entry(w, (r->cr3 & 0xffffffe0u) + i * 8, 8, &pdpte);
		if (err)
			return err;
	}
	if (!(pdpte & PTE_P))
		return -EFAULT;
	/* the CPU would have refused the CR3 load (#GP) with these */
	if (pdpte & (bits(63, (int)w->m) | bits(8, 5) | bits(2, 1)))
		return -EFAULT;
	table = pdpte & w->addr_mask;

	for (shift = 21;; shift -= 9) {
		uint64_t rsvd = bits(62, (int)w->m) | (w->nxe ? 0 : PTE_XD);
		bool leaf;

		err = read_entry(w, table + ((la >> shift) & 0x1ff) * 8, 8, &e);
		if (err)
			return err;
		if (!(e & PTE_P))
			return -EFAULT;
		leaf = shift == 12 || (e & PTE_PS);
		if (leaf && shift > 12)
			rsvd |= bits(shift - 1, 13);
		if (e & rsvd)
			return -EFAULT;
		accumulate(w, e);
		if (leaf)
			break;
		table = e & w->addr_mask;
	}
	finish(r, w, (e & w->addr_mask & ~bits(shift - 1, 0)) | (la & bits(shift - 1, 0)),
	       1ull << shift, ret);
	return 0;
}

static int walk_long(const struct walk_x86_regs *r, struct x86_walk *w, uint64_t la,
		     struct walk_result *ret)
{
	int levels = (r->cr4 & CR4_LA57) ? 5 : 4;
	int top = 12 + 9 * levels - 1; /* 47 or 56 */
	uint64_t e = 0, table;
	int level, shift;
	int err;

	/* canonical: bits 63:top all equal to bit top */
	if ((uint64_t)((int64_t)(la << (63 - top)) >> (63 - top)) != la)
		return -EFAULT;
	/* KVM stores CR3 without the PCID no-flush bit 63; bits 62:61 are LAM's */
	if (r->cr3 & (bits(63, 63) | bits(60, (int)w->m)))
		return -EINVAL;
	table = r->cr3 & w->addr_mask;

	for (level = levels;; level--) {
		uint64_t rsvd = bits(51, (int)w->m) | (w->nxe ? 0 : PTE_XD);
		bool leaf;

		shift = 12 + 9 * (level - 1);
		err = read_entry(w, table + ((la >> shift) & 0x1ff) * 8, 8, &e);
		if (err)
			return err;
		if (!(e & PTE_P))
			return -EFAULT;
		leaf = level == 1 || (level <= 3 && (e & PTE_PS));
		if (level >= 4)
			rsvd |= PTE_PS;
		else if (leaf && level > 1)
			rsvd |= bits(shift - 1, 13);
		if (e & rsvd)
			return -EFAULT;
		accumulate(w, e);
		if (leaf)
			break;
		table = e & w->addr_mask;
	}
	finish(r, w, (e & w->addr_mask & ~bits(shift - 1, 0)) | (la & bits(shift - 1, 0)),
	       1ull << shift, ret);
	return 0;
}

int walk_x86(const struct walk_x86_regs *r, walk_read_fn read, void *ctx, uint64_t la,
	     struct walk_result *ret)
{
	struct x86_walk w = {
		.read = read,
		.ctx = ctx,
		.m = r->maxphyaddr ? r->maxphyaddr : 52,
		.nxe = r->efer & EFER_NXE,
		.w = true,
		.u = true,
	};

	if (w.m < 32 || w.m > 52)
		return -EINVAL;
	w.addr_mask = bits((int)w.m - 1, 12);

	/* kvm_is_valid_sregs() and kvm_is_valid_cr0() (arch/x86/kvm/x86.c) */
	if ((r->efer & EFER_LME) && (r->cr0 & CR0_PG)) {
		if (!(r->cr4 & CR4_PAE) || !(r->efer & EFER_LMA))
			return -EINVAL;
	} else if (r->efer & EFER_LMA) {
		return -EINVAL;
	}
	if ((r->cr0 & CR0_PG) && !(r->cr0 & CR0_PE))
		return -EINVAL;

	if (r->efer & EFER_LMA)
		return walk_long(r, &w, la, ret);
	/* outside long mode linear addresses have 32 bits */
	if (la >> 32)
		return -EFAULT;
	if (!(r->cr0 & CR0_PG)) {
		ret->gpa = la;
		ret->page_size = 1ull << 32;
		ret->writable = ret->user = ret->executable = ret->user_executable = true;
		return 0;
	}
	if (r->cr4 & CR4_PAE)
		return walk_pae(r, &w, la, ret);
	return walk_32bit(r, &w, la, ret);
}
