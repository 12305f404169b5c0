// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: every architecture backend's packer (struct arch ->pack) over debug
 * states built from the input the way the core builds them (lib/vcpu.c build_state(): slots
 * only below the VM's slot count, holding points that passed the backend's ->validate, in the
 * bank lib/point.c would put them in; the request bits the core derives from them).
 *
 * Input: the backend; the request bits the caller controls (step, block-irq, sw-bp, inject);
 * whether the guest's debug-register accesses trap; the slot counts a kernel reported, where
 * the backend takes them from capabilities (arm64); then records of one point each (type,
 * address, length, physical address, slot index).
 *
 * Checks: the image and the array it points to are written within guest_debug_size and
 * aux_size bytes (heap blocks of exactly that size); packing twice, into buffers filled with
 * different garbage, gives identical bytes; the control word has no bit outside what
 * ->control() gives for the request; and no slot entry is written beyond the slots in use
 * (the layout table below, from the comments at the top of each lib/arch file).
 */
#include "arch/arch.h"

#include "fuzz.h"

/* Where the slots of one backend live in its struct kvm_guest_debug (or the array of it). */
struct layout {
	const char *name;
	/*
	 * positional: slot n of bank b is entry n of that bank's arrays; compact: the slots in use
	 * are packed from entry 0 on, breakpoint bank first (ppc bp[], s390 kvm_hw_breakpoint[])
	 */
	bool compact;
	bool in_aux;	      /* the entries are in the array the image points to (s390) */
	unsigned int entries; /* entries per bank in the layout */
	unsigned int stride;
	unsigned int off[2][2]; /* per bank, up to two arrays (arm64 bcr and bvr), 0: none */
};

static const struct layout layouts[] = {
	/* debugreg[0..3] at 8; debugreg[4..6] are never used (checked below) */
	{ "x86_64", false, false, 4, 8, { { 8, 0 }, { 0, 0 } } },
	{ "s390x", true, true, 50, 32, { { 0, 0 }, { 0, 0 } } },
	{ "ppc64-book3s", true, false, 16, 16, { { 8, 0 }, { 0, 0 } } },
	{ "ppc64-booke", true, false, 16, 16, { { 8, 0 }, { 0, 0 } } },
	{ "ppc64le-book3s", true, false, 16, 16, { { 8, 0 }, { 0, 0 } } },
	{ "aarch64", false, false, 16, 8, { { 8, 136 }, { 264, 392 } } },
	{ "riscv64", false, false, 0, 0, { { 0, 0 }, { 0, 0 } } },
	{ "loongarch64", false, false, 0, 0, { { 0, 0 }, { 0, 0 } } },
};

static unsigned int nr_arches(void)
{
	unsigned int n = 0;

	while (arch_get(n))
		n++;
	return n;
}

static const struct layout *layout_of(const struct arch *arch)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (!strcmp(layouts[i].name, arch->name))
			return &layouts[i];
	FUZZ_CHECK(false, "no layout for backend %s: add it to fuzz-pack.c", arch->name);
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* As lib/point.c point_slot_kind() and point_bank(). */
static uint8_t slot_kind(enum kvmdbg_point_type type)
{
	switch (type) {
	case KVMDBG_POINT_HW_BREAK:
		return SLOT_EXEC;
	case KVMDBG_POINT_WATCH_WRITE:
		return SLOT_WRITE;
	case KVMDBG_POINT_WATCH_READ:
		return SLOT_READ;
	case KVMDBG_POINT_WATCH_ACCESS:
		return SLOT_ACCESS;
	default:
		return SLOT_OFF;
	}
}

static void check_layout(const struct arch *arch, const struct debug_state *st,
			 const uint8_t *buf, const uint8_t *aux, unsigned int used)
{
	const struct layout *l = layout_of(arch);
	const uint8_t *base = l->in_aux ? aux : buf;
	size_t limit = l->in_aux ? arch->aux_size : arch->guest_debug_size;

	if (l->compact) {
		/* entries from the number of slots in use on are untouched */
		for (unsigned int e = used; e < l->entries; e++) {
			size_t at = l->off[0][0] + (size_t)l->stride * e;

			FUZZ_CHECK(at + l->stride <= limit, "%s: layout table out of bounds",
				   arch->name);
			FUZZ_CHECK(all_zero(base + at, l->stride),
				   "%s: entry %u written, %u slots in use", arch->name, e, used);
		}
		if (l->in_aux) {
			/* s390: nr_hw_bp, a u32 at 8 of the image, counts the entries */
			uint32_t nr = get_u32(buf + 8, arch->big_endian);

			FUZZ_CHECK(nr <= used, "%s: nr_hw_bp %u, %u slots in use", arch->name, nr,
				   used);
		}
		return;
	}
	for (int bank = 0; bank < 2; bank++) {
		for (unsigned int n = 0; n < l->entries; n++) {
			if (st->slots[bank][n].kind != SLOT_OFF)
				continue;
			for (int k = 0; k < 2; k++) {
				size_t at = l->off[bank][k] + (size_t)l->stride * n;

				if (!l->off[bank][k])
					continue;
				FUZZ_CHECK(at + l->stride <= limit,
					   "%s: layout table out of bounds", arch->name);
				FUZZ_CHECK(all_zero(base + at, l->stride),
					   "%s: bank %d entry %u written for an unused slot",
					   arch->name, bank, n);
			}
		}
	}
	if (!strcmp(arch->name, "x86_64")) {
		uint64_t dr7 = get_u64(buf + 64, false);

		/* debugreg[4..6] */
		FUZZ_CHECK(all_zero(buf + 40, 24), "x86_64: debugreg[4..6] written");
		/* L0-L3 never, Gn only for a slot in use */
		for (unsigned int n = 0; n < 4; n++) {
			FUZZ_CHECK(!(dr7 & 1ull << (2 * n)), "x86_64: DR7.L%u set", n);
			FUZZ_CHECK(!(dr7 & 1ull << (2 * n + 1)) ||
					   st->slots[BANK_BP][n].kind != SLOT_OFF,
				   "x86_64: DR7.G%u set for an unused slot", n);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct arch *arch = arch_get(fuzz_u8(&in) % nr_arches());
	uint8_t reqbits = fuzz_u8(&in);
	uint8_t flags = fuzz_u8(&in);
	struct debug_state st;
	unsigned int count[2], used = 0;
	uint8_t *buf[2], *aux[2];
	uint64_t aux_addr;
	uint32_t req = 0, control, got;

	memset(&st, 0, sizeof(st));
	for (int bank = 0; bank < 2; bank++) {
		uint8_t c = fuzz_u8(&in);

		count[bank] = arch->slots[bank];
		/* arm64: KVM_CAP_GUEST_DEBUG_HW_BPS/WPS, at most what the layout has */
		if (arch->slot_caps[bank] && c % 17 < count[bank])
			count[bank] = c % 17;
	}
	aux_addr = fuzz_uint(&in, 8);

	/* points, each in the slot the input names if that one is free */
	while (!fuzz_empty(&in)) {
		enum kvmdbg_point_type type = (enum kvmdbg_point_type)(fuzz_u8(&in) % 5);
		uint64_t addr = fuzz_uint(&in, 8);
		uint8_t l = fuzz_u8(&in);
		uint64_t len = l & 0x80 ? l & 0x7f : l % 9;
		uint64_t phys = fuzz_uint(&in, 8);
		uint8_t at = fuzz_u8(&in);
		int bank = arch->shared_slots || type == KVMDBG_POINT_HW_BREAK ? BANK_BP
									       : BANK_WP;
		unsigned int n;

		if (type == KVMDBG_POINT_SW_BREAK || !count[bank] ||
		    arch->validate(type, addr, len) != 0)
			continue;
		n = at % count[bank];
		if (st.slots[bank][n].kind != SLOT_OFF)
			continue;
		st.slots[bank][n] = (struct hw_slot){
			.kind = slot_kind(type),
			.addr = addr,
			/* lib/point.c: an execute breakpoint covers one address */
			.len = type == KVMDBG_POINT_HW_BREAK || !len ? 1 : len,
			.phys = arch_has_quirk(arch, QUIRK_HW_NEEDS_PHYS) ? phys : 0,
		};
		st.ids[bank][n] = ++used;
		req |= REQ_HW;
	}
	/* as build_state() in lib/apply.c */
	if ((flags & 1) && arch_has_quirk(arch, QUIRK_DEBUG_REG_TRAP)) {
		st.trap_debug_regs = !(flags & 2);
		req |= REQ_HW;
	}
	req |= reqbits & (REQ_INJECT_BP | REQ_INJECT_DB | REQ_SW_BP);
	if (reqbits & REQ_STEP)
		req |= REQ_STEP | (reqbits & REQ_BLOCK_IRQ);
	if (req)
		req |= REQ_ENABLE;
	st.req = req;
	control = arch_control(arch, req);

	for (int i = 0; i < 2; i++) {
		/* exactly the sizes the backend declares: a write past them is an ASan report */
		buf[i] = malloc(arch->guest_debug_size);
		aux[i] = malloc(arch->aux_size ? arch->aux_size : 1);
		FUZZ_CHECK(buf[i] && aux[i], "out of memory");
		memset(buf[i], i ? 0xa5 : 0x00, arch->guest_debug_size);
		memset(aux[i], i ? 0xa5 : 0x00, arch->aux_size ? arch->aux_size : 1);
		arch->pack(arch, &st, control, buf[i], arch->aux_size ? aux[i] : NULL, aux_addr);
	}
	FUZZ_CHECK(!memcmp(buf[0], buf[1], arch->guest_debug_size),
		   "%s: two packs of one state differ", arch->name);
	FUZZ_CHECK(!arch->aux_size || !memcmp(aux[0], aux[1], arch->aux_size),
		   "%s: two packs of one state differ in the array", arch->name);

	/* control is a u32 at offset 0 on every architecture */
	got = get_u32(buf[0], arch->big_endian);
	FUZZ_CHECK(!(got & ~control), "%s: control %#x, ->control() allows %#x", arch->name, got,
		   control);
	check_layout(arch, &st, buf[0], aux[0], used);

	for (int i = 0; i < 2; i++) {
		free(buf[i]);
		free(aux[i]);
	}
	return 0;
}
