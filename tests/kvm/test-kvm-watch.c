/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite: data watchpoints, where the kernel delivers them (probed once with a raw write
 * watchpoint on a single long-mode store; skipped with the probe's finding otherwise).
 */
#include "kvmtest.h"

static bool require_watchpoints(void)
{
	const char *why;

	if (kt_probe_watchpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver watchpoints: %s", why);
	return false;
}

/* Check a watchpoint event at @pc for @point and return its slot. */
static int check_watch_event(struct kc_test *t, uint64_t pc, uint64_t point,
			     int access)
{
	const struct kvmdbg_event *ev;
	uint64_t status = 0, data_addr = 0;
	int slot;

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_WATCHPOINT, pc);
	g_assert_true(kvmdbg_event_get_point_id(ev) == point);
	slot = kvmdbg_event_get_slot(ev);
	g_assert_cmpint(slot, >=, 0);
	g_assert_cmpint(slot, <, 4);
	kt_assert_raw(ev, 1, 0);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, 0);
	g_assert_cmphex(status & (1u << slot), ==, 1u << slot);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, access);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data_addr), ==, 0);
	g_assert_cmphex(data_addr, ==, kc_point(t->vm, point).addr);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
	return slot;
}

/* A write watchpoint stops after the store, names slot, access and address; loads pass. */
static void test_write(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_watch_long64;
	uint64_t len = GPOINTER_TO_UINT(data);
	/* Watch the last @len bytes of the 4-byte word (naturally aligned). */
	uint64_t addr = WATCH_DATA + (len < 4 ? 4 - len : 0);
	uint64_t p;
	uint32_t value;

	KC_REQUIRE(t);
	if (!require_watchpoints())
		return;
	kt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_WRITE, addr, len, 0, NULL, &p),
			==, 0);
	g_assert_cmpint(kc_point(t->vm, p).type, ==, KVMDBG_POINT_WATCH_WRITE);
	g_assert_cmpuint(kc_point(t->vm, p).len, ==, len);

	check_watch_event(t, guest_prog_addr(prog, WATCH_AFTER_STORE), p, KVMDBG_ACCESS_WRITE);
	memcpy(&value, t->g.mem + WATCH_DATA, sizeof(value));
	g_assert_cmphex(value, ==, WATCH_VALUE);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
	g_assert_cmphex(kt_regs(t, 0).rbx & 0xffffffff, ==, WATCH_VALUE);
}

/* A read-or-write watchpoint stops after the store and after the load. */
static void test_access(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_watch_long64;
	uint64_t p;

	KC_REQUIRE(t);
	if (!require_watchpoints())
		return;
	kt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA, 4, 0,
					   NULL, &p),
			==, 0);
	check_watch_event(t, guest_prog_addr(prog, WATCH_AFTER_STORE), p, KVMDBG_ACCESS_READ_WRITE);
	check_watch_event(t, guest_prog_addr(prog, WATCH_AFTER_LOAD), p, KVMDBG_ACCESS_READ_WRITE);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 2);
	g_assert_cmphex(kt_regs(t, 0).rbx & 0xffffffff, ==, WATCH_VALUE);
}

/* A one-shot watchpoint fires on the store only, and the program ends. */
static void test_oneshot(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_watch_long64;
	uint64_t p;

	KC_REQUIRE(t);
	if (!require_watchpoints())
		return;
	kt_start(t, 0, prog, WATCH_START);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA, 8,
					 KVMDBG_POINT_ONESHOT, NULL, &p),
			==, 0);
	check_watch_event(t, guest_prog_addr(prog, WATCH_AFTER_STORE), p, KVMDBG_ACCESS_READ_WRITE);
	g_assert_false(kc_point(t->vm, p).armed);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
	g_assert_true(kc_point(t->vm, p).armed);
}

int main(int argc, char **argv)
{
	static const unsigned int lens[] = { 1, 2, 4, 8 };

	kt_init(&argc, &argv);

	for (size_t k = 0; k < G_N_ELEMENTS(lens); k++) {
		g_autofree char *path = g_strdup_printf("/kvmdbg/kvm/watch/write/len%u", lens[k]);

		g_test_add(path, struct kc_test, GUINT_TO_POINTER(lens[k]), kc_setup1, test_write,
			   kc_teardown);
	}
	g_test_add("/kvmdbg/kvm/watch/access", struct kc_test, NULL, kc_setup1, test_access,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/watch/oneshot", struct kc_test, NULL, kc_setup1, test_oneshot,
		   kc_teardown);
	return g_test_run();
}
