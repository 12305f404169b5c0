/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite on arm64 and ppc64: data watchpoints, where the kernel offers them (the capability
 * probe; Book3S has none) and delivers them (a raw probe).
 *
 * An arm64 watchpoint stops the vCPU before the access: the pc is the load or store, memory is
 * not yet written, and FAR (kvmdbg_event_get_data_addr()) is the address accessed.  Running on
 * must let the access happen once and go on.
 */
#include <inttypes.h>

#include "rtest.h"

/*
 * Check a watchpoint event for @point at @pc that reports @access at @data_addr, and return its
 * slot.
 */
static int check_watch_event(struct kc_test *t, const struct kvmdbg_event *ev,
			     uint64_t point, int access, uint64_t data_addr)
{
	uint64_t addr = 0;
	int slot;

	g_assert_true(kvmdbg_event_get_point_id(ev) == point);
	slot = kvmdbg_event_get_slot(ev);
	g_assert_cmpint(slot, >=, 0);
	g_assert_cmpint(slot, <, kvmdbg_vm_get_hw_slots(t->vm, true));
#if defined(__aarch64__)
	/* ISS.WnR says whether it was a write */
	rt_assert_raw(ev, RT_EC_WATCHPOINT, 1u << 6, access == KVMDBG_ACCESS_WRITE ? 1u << 6 : 0);
#endif
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, access);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, 0);
	g_assert_cmphex(addr, ==, data_addr);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
	g_assert_cmphex(rt_pc(t, 0), ==, kvmdbg_event_get_pc(ev));
	return slot;
}

/* A write watchpoint stops at the store, before it writes; loads pass; running on stores. */
static void test_write(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_watch;
	uint64_t len = GPOINTER_TO_UINT(data);
	uint64_t store = rg_prog_addr(prog, WATCH_STORE);
	const struct kvmdbg_event *ev;
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	rt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, len, 0, NULL, &p), ==,
		0);
	g_assert_cmpint(kc_point(t->vm, p).type, ==, KVMDBG_POINT_WATCH_WRITE);
	g_assert_cmpuint(kc_point(t->vm, p).len, ==, len);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, store);
	check_watch_event(t, ev, p, KVMDBG_ACCESS_WRITE, WATCH_DATA);
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, 0);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, WATCH_VALUE);

	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, WATCH_VALUE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, WATCH_VALUE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
}

/* A write watchpoint on the last two bytes of the word: the data address is in the store. */
static void test_write_part(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_watch;
	uint64_t store = rg_prog_addr(prog, WATCH_STORE);
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t addr = 0;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	rt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_WATCH_WRITE, WATCH_DATA + 2, 2,
					   0, NULL, &p),
			==, 0);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, store);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, 0);
	g_test_message("a 4-byte store at 0x%llx, watched 2 bytes at 0x%llx: data address 0x%llx",
		       (unsigned long long)WATCH_DATA, (unsigned long long)WATCH_DATA + 2,
		       (unsigned long long)addr);
	/* the architecture lets FAR be any address the access touched */
	g_assert_cmphex(addr, >=, WATCH_DATA);
	g_assert_cmphex(addr, <, WATCH_DATA + 4);
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, WATCH_VALUE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
}

/* A read watchpoint stops at the load only, before it reads. */
static void test_read(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_watch;
	uint64_t load = rg_prog_addr(prog, WATCH_LOAD);
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	rt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_READ, WATCH_DATA, 4, 0, NULL, &p), ==,
		0);
	check_watch_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, load), p,
			  KVMDBG_ACCESS_READ, WATCH_DATA);
	/* the store before it ran, the load has not */
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, WATCH_VALUE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, WATCH_VALUE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
}

/* A read-or-write watchpoint stops at the store and at the load, naming each access. */
static void test_access(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_watch;
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	rt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA, 8, 0,
					   NULL, &p),
			==, 0);
	check_watch_event(
		t, kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, rg_prog_addr(prog, WATCH_STORE)),
		p, KVMDBG_ACCESS_WRITE, WATCH_DATA);
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, 0);
	check_watch_event(
		t, kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, rg_prog_addr(prog, WATCH_LOAD)),
		p, KVMDBG_ACCESS_READ, WATCH_DATA);
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, WATCH_VALUE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 2);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, WATCH_VALUE);
}

/* A one-shot watchpoint fires on the store only, and the program ends. */
static void test_oneshot(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_watch;
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	rt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA, 4,
					 KVMDBG_POINT_ONESHOT, NULL, &p),
			==, 0);
	check_watch_event(
		t, kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, rg_prog_addr(prog, WATCH_STORE)),
		p, KVMDBG_ACCESS_WRITE, WATCH_DATA);
	g_assert_false(kc_point(t->vm, p).armed);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, WATCH_VALUE);
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
	g_assert_true(kc_point(t->vm, p).armed);
}

/*
 * As many write watchpoints as there are slots, one per doubleword of the sled's data: each
 * store stops once, with a slot no other watchpoint has and its own data address.
 */
static void test_slots(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_sled;
	uint64_t p[SLED_LEN];
	uint64_t start = rg_prog_addr(prog, SLED_START);
	uint32_t seen = 0;
	int n;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	n = kvmdbg_vm_get_hw_slots(t->vm, true);
	g_test_message("%d watchpoint slots", n);
	g_assert_cmpint(n, <=, SLED_LEN - 1);
	rt_start(t, 0, prog, SLED_START);
	for (int k = 0; k < n; k++)
		g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_WRITE,
						 SLED_DATA + 8 * (uint64_t)k, 8, 0, NULL, &p[k]),
				==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_WRITE,
					 SLED_DATA + 8 * (uint64_t)n, 8, 0, NULL, NULL),
			==, -ENOSPC);
	/* Breakpoints have slots of their own. */
	if (kvmdbg_vm_get_hw_slots(t->vm, false) > 0)
		g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK,
						 rg_prog_addr(prog, SLED_DONE), 0, 0, NULL, NULL),
				==, 0);

	for (int k = 0; k < n; k++) {
		const struct kvmdbg_event *ev;
		int slot;

		ev = kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, start + RG_INSN * (uint64_t)k);
		slot = check_watch_event(t, ev, p[k], KVMDBG_ACCESS_WRITE,
					 SLED_DATA + 8 * (uint64_t)k);
		g_test_message("watchpoint %d: slot %d", k, slot);
		g_assert_cmphex(seen & (1u << slot), ==, 0);
		seen |= 1u << slot;
	}
	g_assert_cmphex(seen, ==, (1u << n) - 1);
	if (kvmdbg_vm_get_hw_slots(t->vm, false) > 0)
		kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, rg_prog_addr(prog, SLED_DONE));
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	for (int k = 0; k < n; k++)
		g_assert_cmpuint(kc_point(t->vm, p[k]).hits, ==, 1);
}

#if defined(__aarch64__)
/*
 * Regression: an STP whose base lies 8 below the watched doubleword may report a FAR below the
 * watched bytes (Linux's own arm64 watchpoint handler gives such a hit to the closest
 * watchpoint); 0.1 did not attribute it, answered RESUME, and the access trapped again
 * forever.  Whatever FAR this KVM reports (printed), the hit is the watchpoint's and running
 * on stores both halves once.
 */
static void test_stp_below(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_stp;
	const struct kvmdbg_event *ev;
	uint64_t p, far = 0;

	KC_REQUIRE(t);
	if (!rt_require_watchpoints(t))
		return;
	rt_start(t, 0, prog, STP_START);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 8, 0, NULL,
					 &p), ==, 0);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, rg_prog_addr(prog, STP_STP));
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, p);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &far), ==, 0);
	g_test_message("STP at WATCH_DATA - 8: this KVM reports FAR 0x%" PRIx64
		       " (WATCH_DATA 0x%llx)", far, (unsigned long long)WATCH_DATA);
	g_assert_cmpuint(far, >=, WATCH_DATA - 8);
	g_assert_cmpuint(far, <, WATCH_DATA + 8);
	/* the watched half is not written yet; running on steps the store and goes on */
	g_assert_cmphex(rt_word(t, WATCH_DATA), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	/*
	 * Not asserted: what the stepped store wrote.  In the vm tier, after other tests have
	 * single-stepped other code at this address, QEMU's TCG (7.2) runs that code's cached
	 * one-instruction block for the step (seen: "str w0" of the watch program instead of
	 * this stp); run alone, the test finds both halves written.  The step-over itself is
	 * asserted by the write tests above.
	 */
	g_test_message("after the run: 0x%x at WATCH_DATA - 8, 0x%x at WATCH_DATA",
		       rt_word(t, WATCH_DATA - 8), rt_word(t, WATCH_DATA));
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
}
#endif

int main(int argc, char **argv)
{
	static const unsigned int lens[] = { 1, 2, 4, 8 };

	rt_init(&argc, &argv);

	for (size_t k = 0; k < G_N_ELEMENTS(lens); k++) {
		g_autofree char *path = g_strdup_printf("/kvmdbg/kvm/watch/write/len%u", lens[k]);

		g_test_add(path, struct kc_test, GUINT_TO_POINTER(lens[k]), kc_setup1, test_write,
			   kc_teardown);
	}
	g_test_add("/kvmdbg/kvm/watch/write/part", struct kc_test, NULL, kc_setup1, test_write_part,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/watch/read", struct kc_test, NULL, kc_setup1, test_read,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/watch/access", struct kc_test, NULL, kc_setup1, test_access,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/watch/oneshot", struct kc_test, NULL, kc_setup1, test_oneshot,
		   kc_teardown);
#if defined(__aarch64__)
	g_test_add("/kvmdbg/kvm/watch/regress/stp-below", struct kc_test, NULL, kc_setup1,
		   test_stp_below, kc_teardown);
#endif
	g_test_add("/kvmdbg/kvm/watch/slots", struct kc_test, NULL, kc_setup1, test_slots,
		   kc_teardown);
	return g_test_run();
}
