// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Print the architecture table of doc/guide.md from the library's own backend data
 * (lib/arch/arch.h), so that check-arch-table.py can compare the two and the page cannot
 * drift from the code.  One row per backend, in the order arch_get() lists them; every
 * cell is computed from the backend's fields and callbacks, the way lib/vm.c derives
 * kvmdbg_vm_has_feature() from them: "yes" where the bits it needs are in the backend's legacy
 * mask (every kernel with guest debug takes them), a note where only a kernel whose
 * KVM_CAP_SET_GUEST_DEBUG2 mask has them does.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"

/* Does a request bit add a control bit, that is: does the architecture have it? */
static bool has_control(const struct arch *arch, uint32_t req)
{
	return arch_control(arch, REQ_ENABLE | req) != arch_control(arch, REQ_ENABLE);
}

/*
 * Whether the library uses a request: 0 no, 1 on every kernel that has guest debug (its bits
 * are in the backend's legacy mask), 2 only where the kernel's KVM_CAP_SET_GUEST_DEBUG2 mask
 * has its bits.  need_bit: the request means nothing without a control bit of its own.
 */
static int offered(const struct arch *arch, uint32_t req, bool need_bit)
{
	if (need_bit && !has_control(arch, req))
		return 0;
	return arch_control(arch, REQ_ENABLE | req) & ~arch->legacy_mask ? 2 : 1;
}

static const char *const with_debug2 = "where the `KVM_CAP_SET_GUEST_DEBUG2` mask has it";

static bool has_slots(const struct arch *arch, int bank)
{
	return arch->slots[bank] > 0 || arch->slot_caps[bank];
}

/* A hardware point of this type: a slot bank for it, and a 1-byte point at 0 validates. */
static bool has_point(const struct arch *arch, enum kvmdbg_point_type type)
{
	int bank = type == KVMDBG_POINT_HW_BREAK || arch->shared_slots ? BANK_BP
									: BANK_WP;

	return has_slots(arch, bank) && arch->validate(type, 0, 1) == 0 &&
	       offered(arch, REQ_HW, true) == 1;
}

static const char *cap_name(unsigned long cap)
{
	switch (cap) {
	case CAP_GUEST_DEBUG_HW_BPS:
		return "KVM_CAP_GUEST_DEBUG_HW_BPS";
	case CAP_GUEST_DEBUG_HW_WPS:
		return "KVM_CAP_GUEST_DEBUG_HW_WPS";
	case CAP_S390_USER_INSTR0:
		return "KVM_CAP_S390_USER_INSTR0";
	case CAP_PPC_GUEST_DEBUG_SSTEP:
		return "KVM_CAP_PPC_GUEST_DEBUG_SSTEP";
	default:
		return "an unnamed capability";
	}
}

/* The ONE_REG register a kernel hands its software-breakpoint instruction out in. */
static const char *reg_name(uint64_t id)
{
	switch (id) {
	case 0x102000000000008bull:
		return "KVM_REG_PPC_DEBUG_INST";
	case 0x9030000000020003ull:
		return "KVM_REG_LOONGARCH_DEBUG_INST";
	default:
		return "an unnamed register";
	}
}

/* Append printf-style text to a cell. */
__attribute__((format(printf, 3, 4))) static void add(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static void add_bytes(char *buf, size_t size, const uint8_t *bytes, size_t len)
{
	add(buf, size, "`");
	for (size_t i = 0; i < len; i++)
		add(buf, size, "%s%02x", i ? " " : "", bytes[i]);
	add(buf, size, "`");
}

static void cell_size(const struct arch *arch, char *buf, size_t size)
{
	add(buf, size, "%zu bytes", arch->guest_debug_size);
	if (arch->aux_size)
		add(buf, size, " and an array of up to %zu", arch->aux_size);
	add(buf, size, ", %s", arch->big_endian ? "big-endian" : "little-endian");
}

static void cell_sw(const struct arch *arch, char *buf, size_t size)
{
	if (offered(arch, REQ_SW_BP, false) != 1) {
		add(buf, size, "no");
		return;
	}
	if (arch->sw_insn_reg) {
		add(buf, size, "the one `%s` gives", reg_name(arch->sw_insn_reg));
		return;
	}
	if (!arch->sw_insn_len) {
		add(buf, size, "no");
		return;
	}
	add_bytes(buf, size, arch->sw_insn, arch->sw_insn_len);
	if (arch->sw_insn_alt_len && arch->alt_insn_cap) {
		add(buf, size, "; ");
		add_bytes(buf, size, arch->sw_insn_alt, arch->sw_insn_alt_len);
		add(buf, size, " with `%s`", cap_name(arch->alt_insn_cap));
	} else if (arch->sw_insn_alt_len) {
		add(buf, size, "; ");
		add_bytes(buf, size, arch->sw_insn_alt, arch->sw_insn_alt_len);
		add(buf, size, " where the instruction is %zu bytes", arch->sw_insn_alt_len);
	}
}

static void add_count(const struct arch *arch, int bank, char *buf, size_t size)
{
	if (arch->slot_caps[bank])
		add(buf, size, "up to %u, as `%s` says", arch->slots[bank],
		    cap_name(arch->slot_caps[bank]));
	else
		add(buf, size, "%u", arch->slots[bank]);
}

static void cell_hw(const struct arch *arch, char *buf, size_t size)
{
	if (!has_point(arch, KVMDBG_POINT_HW_BREAK)) {
		add(buf, size, "no");
		return;
	}
	add_count(arch, BANK_BP, buf, size);
}

static void cell_watch(const struct arch *arch, char *buf, size_t size)
{
	static const struct {
		enum kvmdbg_point_type type;
		const char *name;
	} kinds[] = {
		{ KVMDBG_POINT_WATCH_WRITE, "write" },
		{ KVMDBG_POINT_WATCH_READ, "read" },
		{ KVMDBG_POINT_WATCH_ACCESS, "read-or-write" },
	};
	bool any = false;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (has_point(arch, kinds[i].type)) {
			add(buf, size, "%s%s", any ? ", " : "", kinds[i].name);
			any = true;
		}
	}
	if (!any) {
		add(buf, size, "no");
		return;
	}
	if (arch->shared_slots) {
		add(buf, size, "; in the breakpoint slots");
	} else {
		add(buf, size, "; ");
		add_count(arch, BANK_WP, buf, size);
	}
}

static void cell_offered(char *buf, size_t size, int how)
{
	add(buf, size, "%s", how == 1 ? "yes" : how == 2 ? with_debug2 : "no");
}

static void cell_step(const struct arch *arch, char *buf, size_t size)
{
	int how = offered(arch, REQ_STEP, true);

	if (how != 1)
		cell_offered(buf, size, how);
	else if (arch->step_cap)
		add(buf, size, "where `%s` says so", cap_name(arch->step_cap));
	else
		add(buf, size, "yes");
}

static void cell_block_irq(const struct arch *arch, char *buf, size_t size)
{
	cell_offered(buf, size, offered(arch, REQ_BLOCK_IRQ, true));
}

static void cell_reinject(const struct arch *arch, char *buf, size_t size)
{
	int bp = offered(arch, REQ_INJECT_BP, true);
	int db = offered(arch, REQ_INJECT_DB, true);

	cell_offered(buf, size, bp && db ? (bp > db ? bp : db) : 0);
}

static void cell_dr_trap(const struct arch *arch, char *buf, size_t size)
{
	add(buf, size, "%s", arch_has_quirk(arch, QUIRK_DEBUG_REG_TRAP) ? "yes" : "no");
}

static void cell_legacy(const struct arch *arch, char *buf, size_t size)
{
	add(buf, size, "`0x%08x`", arch->legacy_mask);
}

static const struct {
	const char *heading;
	void (*cell)(const struct arch *arch, char *buf, size_t size);
} columns[] = {
	{ "`struct kvm_guest_debug`", cell_size },
	{ "software breakpoint instruction", cell_sw },
	{ "hardware breakpoints", cell_hw },
	{ "watchpoints", cell_watch },
	{ "single-step", cell_step },
	{ "no interrupts while stepping", cell_block_irq },
	{ "hand-back of the guest's own", cell_reinject },
	{ "debug-register trap", cell_dr_trap },
	{ "control bits without `KVM_CAP_SET_GUEST_DEBUG2`", cell_legacy },
};

#define NR_COLUMNS (sizeof(columns) / sizeof(columns[0]))

int main(void)
{
	const struct arch *arch;

	printf("| backend |");
	for (size_t c = 0; c < NR_COLUMNS; c++)
		printf(" %s |", columns[c].heading);
	printf("\n|---|");
	for (size_t c = 0; c < NR_COLUMNS; c++)
		printf("---|");
	printf("\n");
	for (unsigned int i = 0; (arch = arch_get(i)) != NULL; i++) {
		printf("| `%s` |", arch->name);
		for (size_t c = 0; c < NR_COLUMNS; c++) {
			char buf[256] = "";

			columns[c].cell(arch, buf, sizeof(buf));
			printf(" %s |", buf);
		}
		printf("\n");
	}
	return 0;
}
