/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure architecture layer: library debug state in, the exact bytes of one architecture's
 * struct kvm_guest_debug out; the bytes of one architecture's kvm_run debug exit in, decoded
 * fields out.  No ioctl, no allocation, no dependency on the host architecture: every backend
 * is compiled and unit-tested on every host, in the target's byte order.
 */
#ifndef KVMDBG_ARCH_H
#define KVMDBG_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmdbg/kvmdbg.h>

/* Largest slot bank any architecture has (arm64: 16 breakpoint and 16 watchpoint registers). */
#define KVMDBG_MAX_SLOTS 16
/* Largest struct kvm_guest_debug of any architecture (arm64: 520 bytes). */
#define KVMDBG_MAX_GUEST_DEBUG 520
/* Largest breakpoint instruction. */
#define KVMDBG_MAX_INSN 8

/* Architecture-neutral request bits, mapped to each architecture's control bits by ->control. */
enum kvmdbg_req {
	KVMDBG_REQ_ENABLE = 1u << 0,
	KVMDBG_REQ_STEP = 1u << 1,
	KVMDBG_REQ_SW_BP = 1u << 2,
	KVMDBG_REQ_HW = 1u << 3,
	KVMDBG_REQ_INJECT_BP = 1u << 4,
	KVMDBG_REQ_INJECT_DB = 1u << 5,
	KVMDBG_REQ_BLOCK_IRQ = 1u << 6,
};

/* What one slot does; 0 is an unused slot. */
enum kvmdbg_slot_kind {
	KVMDBG_SLOT_OFF = 0,
	KVMDBG_SLOT_EXEC = 1,
	KVMDBG_SLOT_WRITE = 2,
	KVMDBG_SLOT_READ = 3,
	KVMDBG_SLOT_ACCESS = 4,
};

struct kvmdbg_slot {
	uint8_t kind; /* enum kvmdbg_slot_kind */
	uint64_t addr;
	uint64_t len;
};

/* Slot banks: breakpoints and watchpoints; an architecture with shared slots uses bank 0. */
enum {
	KVMDBG_BANK_BP = 0,
	KVMDBG_BANK_WP = 1,
};

/* Everything ->pack needs to produce the arch part of struct kvm_guest_debug. */
struct kvmdbg_debug_state {
	uint32_t req; /* enum kvmdbg_req */
	bool trap_debug_regs;
	struct kvmdbg_slot slots[2][KVMDBG_MAX_SLOTS];
};

/* A decoded debug exit. */
enum kvmdbg_exit_cause {
	KVMDBG_CAUSE_STEP = 1u << 0,       /* single-step completed */
	KVMDBG_CAUSE_BP_INSN = 1u << 1,    /* a breakpoint instruction executed */
	KVMDBG_CAUSE_SLOT = 1u << 2,       /* one or more slots fired: slot_mask */
	KVMDBG_CAUSE_DEBUG_REG = 1u << 3,  /* guest touched a debug register */
};

struct kvmdbg_arch_exit {
	uint32_t causes;    /* enum kvmdbg_exit_cause */
	uint32_t slot_mask; /* bit n: slot n of ->slot_bank fired */
	int slot_bank;
	bool has_pc;
	uint64_t pc;
	bool has_data_addr;
	uint64_t data_addr;
	bool has_raw;
	uint32_t exception;
	uint64_t status;
};

struct kvmdbg_arch {
	const char *name;
	bool big_endian;
	/* sizeof(struct kvm_guest_debug) and sizeof(struct kvm_debug_exit_arch) on this arch */
	size_t guest_debug_size;
	size_t exit_size;
	/* slots per bank; shared_slots: breakpoints and watchpoints draw from bank 0 */
	unsigned int slots[2];
	bool shared_slots;
	/* control bits accepted by kernels that do not report KVM_CAP_SET_GUEST_DEBUG2 */
	uint32_t legacy_mask;
	/* the software-breakpoint instruction, in guest memory byte order */
	uint8_t sw_insn[KVMDBG_MAX_INSN];
	size_t sw_insn_len;

	/* enum kvmdbg_req bits -> this arch's control bits */
	uint32_t (*control)(uint32_t req);
	/*
	 * Check a point request: 0, -EINVAL (bad length or alignment) or -EOPNOTSUPP (the arch
	 * cannot do this kind at all).
	 */
	int (*validate)(enum kvmdbg_point_type type, uint64_t addr, uint64_t len);
	/* state -> exactly guest_debug_size bytes at buf; control must be ->control(state->req) */
	void (*pack)(const struct kvmdbg_debug_state *state, uint32_t control, uint8_t *buf);
	/* exit_size bytes of kvm_run's debug.arch -> out */
	void (*decode)(const uint8_t *exit, struct kvmdbg_arch_exit *out);
};

extern const struct kvmdbg_arch kvmdbg_arch_x86;

/* The backend of the architecture this library was built for (the ioctl edge's). */
const struct kvmdbg_arch *kvmdbg_arch_native(void);

/* Byte-order helpers for backends. */
static inline void kvmdbg_put_u32(uint8_t *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline void kvmdbg_put_u64(uint8_t *p, uint64_t v, bool be)
{
	for (int i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t kvmdbg_get_u32(const uint8_t *p, bool be)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[be ? 3 - i : i] << (8 * i);
	return v;
}

static inline uint64_t kvmdbg_get_u64(const uint8_t *p, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[be ? 7 - i : i] << (8 * i);
	return v;
}

#endif /* KVMDBG_ARCH_H */
