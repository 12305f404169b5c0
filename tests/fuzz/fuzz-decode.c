// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: every architecture backend's exit decoder (struct arch ->decode) over
 * arbitrary struct kvm_run bytes.
 *
 * Input: one byte picks the backend, one byte the exit reason (kept as in the input, or forced
 * to KVM_EXIT_DEBUG or KVM_EXIT_S390_SIEIC so that the fuzzer starts inside the decoders), the
 * rest is the kvm_run image (zeros past the end of the input).
 *
 * Checks: the decoder reads nothing past run_size (the image is a heap block of exactly that
 * size, which ASan guards) and does not write the image; decoding twice, into output structs
 * filled with different garbage, gives the same answer and the same fields (deterministic,
 * and every field set); what it reports is in range for the backend (known cause bits, a slot
 * bank and a slot mask the backend has, an access kind of enum kvmdbg_access, a pc or a way to
 * read it).  Also ->set_pc and ->pick_alt_insn stay inside their buffers.
 */
#include "arch/arch.h"

#include "fuzz.h"

#define ALL_CAUSES                                                                      \
	(CAUSE_STEP | CAUSE_BP_INSN | CAUSE_SLOT | CAUSE_DEBUG_REG | CAUSE_STEP_OR_BP | \
	 CAUSE_FOREIGN)

static unsigned int nr_arches(void)
{
	unsigned int n = 0;

	while (arch_get(n))
		n++;
	return n;
}

#define SAME(field) FUZZ_CHECK(a->field == b->field, "%s: " #field " differs", arch->name)

static void check_same(const struct arch *arch, const struct arch_exit *a,
		       const struct arch_exit *b)
{
	SAME(causes);
	SAME(slot_mask);
	SAME(slot_bank);
	SAME(slot_by_pc);
	SAME(slot_addr);
	SAME(access);
	SAME(has_pc);
	SAME(pc);
	SAME(has_data_addr);
	SAME(data_addr);
	SAME(has_exception);
	SAME(exception);
	SAME(has_status);
	SAME(status);
	SAME(intercept);
	SAME(foreign_insn);
}

static void check_range(const struct arch *arch, const struct arch_exit *ex)
{
	FUZZ_CHECK(!(ex->causes & ~(uint32_t)ALL_CAUSES), "%s: causes %#x", arch->name, ex->causes);
	FUZZ_CHECK(ex->slot_bank == BANK_BP || ex->slot_bank == BANK_WP,
		   "%s: slot bank %d", arch->name, ex->slot_bank);
	if (ex->slot_mask) {
		unsigned int nr = arch->slots[ex->slot_bank];

		FUZZ_CHECK(ex->causes & CAUSE_SLOT, "%s: slot mask without CAUSE_SLOT",
			   arch->name);
		FUZZ_CHECK(nr >= 64 || !(ex->slot_mask >> nr),
			   "%s: slot mask %#llx, bank %d has %u slots", arch->name,
			   (unsigned long long)ex->slot_mask, ex->slot_bank, nr);
	}
	FUZZ_CHECK(ex->access >= 0 && ex->access <= KVMDBG_ACCESS_READ_WRITE, "%s: access %d",
		   arch->name, ex->access);
	FUZZ_CHECK(ex->has_pc || arch->pc_reg || arch->pc_from_regs,
		   "%s: no pc and no way to read it", arch->name);
	FUZZ_CHECK(!ex->intercept || arch->set_pc, "%s: an intercept without ->set_pc", arch->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct arch *arch = arch_get(fuzz_u8(&in) % nr_arches());
	uint8_t mode = fuzz_u8(&in);
	/* whether the vCPU ran stepping: a bit of mode the exit-reason choice (mode % 3) leaves */
	bool stepping = mode & 0x80;
	struct arch_exit a, b;
	uint8_t *run, *copy;
	bool ra, rb;

	/* exactly run_size bytes: a read past the end is an ASan report */
	run = malloc(arch->run_size);
	copy = malloc(arch->run_size);
	FUZZ_CHECK(run && copy, "out of memory");
	fuzz_bytes(&in, run, arch->run_size);
	if (mode % 3 == 1)
		put_u32(run + RUN_EXIT_REASON, EXIT_REASON_DEBUG,
			       arch->big_endian);
	else if (mode % 3 == 2)
		put_u32(run + RUN_EXIT_REASON, EXIT_REASON_S390_SIEIC,
			       arch->big_endian);
	memcpy(copy, run, arch->run_size);

	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	ra = arch->decode(arch, run, stepping, &a);
	FUZZ_CHECK(!memcmp(run, copy, arch->run_size), "%s: decode wrote the kvm_run image",
		   arch->name);
	rb = arch->decode(arch, run, stepping, &b);
	FUZZ_CHECK(ra == rb, "%s: decode said %d, then %d", arch->name, ra, rb);
	if (ra) {
		check_same(arch, &a, &b);
		check_range(arch, &a);
		if (arch->set_pc) {
			arch->set_pc(copy, a.pc);
			FUZZ_CHECK(arch->decode(arch, copy, stepping, &b),
				   "%s: not a debug exit after set_pc", arch->name);
		}
	}
	if (arch->pick_alt_insn && arch->sw_insn_alt_len) {
		/* the site holds sw_insn_alt_len bytes: the decoder may look at no more */
		uint8_t *site = malloc(arch->sw_insn_alt_len);

		FUZZ_CHECK(site, "out of memory");
		memcpy(site, run + RUN_EXIT_REASON, arch->sw_insn_alt_len);
		(void)arch->pick_alt_insn(site);
		free(site);
	}
	free(copy);
	free(run);
	return 0;
}
