/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers of the per-architecture golden tests (test-s390.c, test-ppc.c, test-arm64.c,
 * test-riscv.c): pack into garbage-filled buffers and check nothing is written past the end,
 * compare with byte-exact expectations (hex dumps on a mismatch), and write exits into a
 * struct kvm_run image byte by byte.  Nothing here uses the library's byte-order helpers: the
 * expected bytes are the tests' own.
 */
#ifndef KVMDBG_TEST_GOLDEN_H
#define KVMDBG_TEST_GOLDEN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "arch/arch.h"

#define GOLDEN_GARBAGE 0x5a
#define GOLDEN_RUN_SIZE 2368 /* the largest struct kvm_run (s390) */

static inline void golden_dump(const char *what, const uint8_t *b, size_t n)
{
	GString *s = g_string_new(what);

	for (size_t i = 0; i < n; i++) {
		if (i % 32 == 0)
			g_string_append_printf(s, "\n    %03zx:", i);
		g_string_append_printf(s, "%s%02x", i % 8 ? " " : "  ", b[i]);
	}
	g_test_message("%s", s->str);
	g_string_free(s, TRUE);
}

#define assert_bytes(actual, expected, n)                                                    \
	do {                                                                                 \
		if (memcmp((actual), (expected), (n)) != 0) {                                \
			golden_dump("expected:", (const uint8_t *)(expected), (n));          \
			golden_dump("actual:", (const uint8_t *)(actual), (n));              \
		}                                                                            \
		g_assert_cmpmem((actual), (n), (expected), (n));                             \
	} while (0)

/*
 * arch->pack into buffers filled with garbage; asserts that exactly guest_debug_size bytes of
 * buf and aux_size bytes of aux were written (nothing after them), and copies them out.
 */
static inline void golden_pack(const struct arch *arch,
			       const struct debug_state *st, uint32_t control,
			       uint64_t aux_addr, uint8_t *out, uint8_t *out_aux)
{
	static uint8_t buf[MAX_GUEST_DEBUG + 64];
	static uint8_t aux[MAX_AUX + 64];

	memset(buf, GOLDEN_GARBAGE, sizeof(buf));
	memset(aux, GOLDEN_GARBAGE, sizeof(aux));
	arch->pack(arch, st, control, buf, aux, aux_addr);
	for (size_t i = arch->guest_debug_size; i < sizeof(buf); i++)
		g_assert_cmphex(buf[i], ==, GOLDEN_GARBAGE);
	for (size_t i = arch->aux_size; i < sizeof(aux); i++)
		g_assert_cmphex(aux[i], ==, GOLDEN_GARBAGE);
	memcpy(out, buf, arch->guest_debug_size);
	if (out_aux)
		memcpy(out_aux, aux, arch->aux_size);
}

static inline void golden_slot(struct debug_state *st, int bank, unsigned int n,
			       enum slot_kind kind, uint64_t addr, uint64_t len,
			       uint64_t phys)
{
	st->slots[bank][n].kind = (uint8_t)kind;
	st->slots[bank][n].addr = addr;
	st->slots[bank][n].len = len;
	st->slots[bank][n].phys = phys;
}

/* Big- or little-endian writes into a run image, independent of the library. */
static inline void golden_put(uint8_t *p, uint64_t v, int n, bool be)
{
	for (int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* A struct kvm_run image full of garbage but for exit_reason (u32 at 8). */
static inline uint8_t *golden_run(uint32_t exit_reason, bool be)
{
	static uint8_t run[GOLDEN_RUN_SIZE];

	memset(run, 0x6b, sizeof(run));
	golden_put(run + 8, exit_reason, 4, be);
	return run;
}

/* decode into garbage: decode must set every field it reports; the vCPU was not stepping */
static inline bool golden_decode_stepping(const struct arch *arch, const uint8_t *run,
					  bool stepping, struct arch_exit *e)
{
	memset(e, 0xa5, sizeof(*e));
	return arch->decode(arch, run, stepping, e);
}

static inline bool golden_decode(const struct arch *arch, const uint8_t *run,
				 struct arch_exit *e)
{
	return golden_decode_stepping(arch, run, false, e);
}

#endif /* KVMDBG_TEST_GOLDEN_H */
