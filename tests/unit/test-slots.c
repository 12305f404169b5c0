// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hardware slots, over the fake kernel edge (fixture.h): taken lowest-free-first on each vCPU,
 * freed by a removal, -ENOSPC when a VM-wide point does not fit on every vCPU; per-vCPU points
 * in their vCPU's slots only, VM-wide points on every vCPU (attached later too, in slots of
 * its own); and which point a slot holds when an exit names it, however the points were
 * replaced meanwhile.  Images are x86's: DR7 bit 10 always, Gn = bit 2n+1, nibble n at bit
 * 16+4n = RW | LEN << 2 (test-run.c has the control bits).
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

#define NR_VCPUS 3

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Which DR slot of an x86 image holds addr and is enabled; -1 if none. */
static int image_slot_of(const uint8_t *img, uint64_t addr)
{
	uint64_t dr7 = le64(img + 64);
	int found = -1;

	for (int n = 0; n < 4; n++) {
		if (!(dr7 & (1ull << (2 * n + 1))))
			continue;
		if (le64(img + 8 + 8 * n) == addr) {
			g_assert_cmpint(found, ==, -1);
			found = n;
		}
	}
	return found;
}

/*
 * An x86 image that is exactly as expected except for which slot holds which point: control,
 * every point at some enabled slot with its RW/LEN nibble, nothing else enabled or set.
 */
static void assert_image_any_slots(const uint8_t *img, uint32_t control, unsigned int n,
				   const uint64_t *addrs, const unsigned int *nibbles)
{
	uint64_t dr7 = le64(img + 64), want = 0x400;
	bool used[4] = { false };

	g_assert_cmphex(img[0] | img[1] << 8 | img[2] << 16 | (uint32_t)img[3] << 24, ==,
			control);
	for (int i = 4; i < 8; i++)
		g_assert_cmphex(img[i], ==, 0);
	for (unsigned int i = 0; i < n; i++) {
		int slot = image_slot_of(img, addrs[i]);

		if (slot < 0)
			fake_dump_image("image", img, 72);
		g_assert_cmpint(slot, >=, 0);
		g_assert_false(used[slot]);
		used[slot] = true;
		want |= 1ull << (2 * slot + 1) | (uint64_t)nibbles[i] << (16 + 4 * slot);
	}
	for (int slot = 0; slot < 4; slot++)
		if (!used[slot])
			g_assert_cmphex(le64(img + 8 + 8 * slot), ==, 0);
	for (int i = 40; i < 64; i++)
		g_assert_cmphex(img[i], ==, 0);
	g_assert_cmphex(dr7, ==, want);
}

/* ------------------------------------------------------------------------------------------ */
/* Allocation */

static void test_hw_remove_frees_slot(struct fx *f, gconstpointer data)
{
	uint8_t img[72];
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x3000, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x4000, 1, 0);
	x86_image(img, 0x00020001, 0x1000, 0x2000, 0x3000, 0x4000, 0x4aa);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000), ==, 0);
	x86_image(img, 0x00020001, 0x1000, 0, 0x3000, 0x4000, 0x4a2);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* the freed slot is taken again: write len 8 -> nibble 1 = 01|10<<2 = 0x9 */
	fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x5000, 8, 0);
	x86_image(img, 0x00020001, 0x1000, 0x5000, 0x3000, 0x4000, 0x009004aa);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
}

static void test_hw_enospc(struct fx *f, gconstpointer data)
{
	uint64_t p = 0xdeadbeef;
	uint8_t img[72];
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x3000, 4, 0);
	fx_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x4000, 1, 0);
	/* nibble 2 = 0xd, nibble 3 = 11|00<<2 = 0x3; DR7 = 0x3d0004aa */
	x86_image(img, 0x00020001, 0x1000, 0x2000, 0x3000, 0x4000, 0x3d0004aa);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x5000, 1, 0, NULL, &p), ==,
			-ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x6000, 8, 0, NULL, &p),
			==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x6000, 8, 0, NULL,
					 &p), ==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x5000, 1, 0, NULL,
					   &p), ==, -ENOSPC);
	g_assert_true(p == 0xdeadbeef);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_HW_BREAK, 0x5000));
	fx_pre_run_none(f->vcpu[0]);

	/* a software breakpoint needs no slot */
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x10), 1, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 5);
}

static void test_hw_enospc_one_vcpu_full(struct fx *f, gconstpointer data)
{
	uint64_t p = 0xdeadbeef;
	uint8_t img0[72], img1[72];
	(void)data;

	fx_attach(f, 1);
	fx_settle(f, 1);

	fx_vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	fx_vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);
	fx_vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x3000, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x8000, 1, 0);
	x86_image(img0, 0x00020001, 0x1000, 0x2000, 0x3000, 0x8000, 0x4aa);
	x86_image(img1, 0x00020001, 0x8000, 0, 0, 0, 0x402);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img0);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);

	/* vCPU 0 is full: a VM-wide point goes nowhere, although vCPU 1 has room */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000, 4, 0, NULL, &p),
			==, -ENOSPC);
	g_assert_true(p == 0xdeadbeef);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000));
	fx_pre_run_none(f->vcpu[0]);
	fx_pre_run_none(f->vcpu[1]);

	/* vCPU 1's own still fit */
	fx_vinsert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	x86_image(img1, 0x00020001, 0x8000, 0x1000, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img1);
	fx_pre_run_none(f->vcpu[0]);

	/* freeing a slot on vCPU 0 makes room */
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x2000), ==, 0);
	fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000, 4, 0);
	/* write len 4 nibble = 0xd: at slot 1 on vCPU 0 (bits 20-23), slot 2 on vCPU 1 */
	x86_image(img0, 0x00020001, 0x1000, 0x9000, 0x3000, 0x8000, 0x00d004aa);
	x86_image(img1, 0x00020001, 0x8000, 0x1000, 0x9000, 0, 0x0d00042a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img0);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img1);
}

/* ------------------------------------------------------------------------------------------ */
/* Per-vCPU and VM-wide points */

static void test_vcpu_scoped_hw(struct fx *f, gconstpointer data)
{
	uint64_t pv;
	const struct kvmdbg_event *ev;
	uint8_t img0[72], img1[72];
	int dummy;
	(void)data;

	fx_attach(f, 1);
	fx_settle(f, 1);

	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img0, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img0);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img0);

	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0,
					   &dummy, &pv), ==, 0);
	g_assert_true(fx_point(f->vm, pv).vcpu == f->vcpu[0]);
	g_assert_true(fx_point(f->vm, pv).user_data == &dummy);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_HW_BREAK, 0x402000));
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);

	x86_image(img1, 0x00020001, 0x401000, 0x402000, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img1);
	/* only on that vCPU */
	fx_pre_run_none(f->vcpu[1]);

	fx_x86_event(f, 0, 1, 0x402000, FX_DR6_SLOT(1), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pv);

	/* a VM-wide remove does not reach it; the vCPU remove does */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x402000), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x402000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);
	/* the pending step-over of the removed point must not bring it back */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img0);
	fx_pre_run_none(f->vcpu[1]);
}

static void test_vcpu_vm_wide_later(struct fx *f, gconstpointer data)
{
	/* exec (nibble 0) and access len 8 (nibble 11|10<<2 = 0xb) */
	static const uint64_t addrs[2] = { 0x401000, 0x2000 };
	static const unsigned int nibbles[2] = { 0x0, 0xb };
	uint64_t pe, pw;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	uint8_t img[72];
	(void)data;

	pe = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	pw = fx_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x2000, 8, 0);
	/* nibble 1 = 0xb; DR7 = 0x00b0040a */
	x86_image(img, 0x00020001, 0x401000, 0x2000, 0, 0, 0x00b0040a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* vCPUs attached later get every VM-wide hardware point, in slots of their choosing */
	for (unsigned int v = 1; v < NR_VCPUS; v++) {
		int se, sw;

		fx_attach(f, v);
		c = fx_pre_run_one(f->vcpu[v], FX_VCPU_FD + (int)v, 72);
		assert_image_any_slots(c.bytes, 0x00020001, 2, addrs, nibbles);
		se = image_slot_of(c.bytes, 0x401000);
		sw = image_slot_of(c.bytes, 0x2000);
		fx_x86_event(f, v, 1, 0x401000, FX_DR6_SLOT(se), ev,
			   KVMDBG_EVENT_HW_BREAKPOINT);
		g_assert_true(kvmdbg_event_get_point_id(ev) == pe);
		g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, se);
		g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[v]), ==, 0);
		fx_x86_event(f, v, 1, 0x401007, FX_DR6_SLOT(sw), ev,
			   KVMDBG_EVENT_WATCHPOINT);
		g_assert_true(kvmdbg_event_get_point_id(ev) == pw);
		g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, sw);
	}
	fx_pre_run_none(f->vcpu[0]);
	fx_pre_run_none(f->vcpu[1]);
	fx_pre_run_none(f->vcpu[2]);

	/* and VM-wide changes reach all of them */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000), ==, 0);
	x86_image(img, 0x00020001, 0, 0x2000, 0, 0, 0x00b00408);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	for (unsigned int v = 1; v < NR_VCPUS; v++) {
		c = fx_pre_run_one(f->vcpu[v], FX_VCPU_FD + (int)v, 72);
		assert_image_any_slots(c.bytes, 0x00020001, 1, addrs + 1, nibbles + 1);
	}
}

static void test_vcpu_vm_wide_slots_differ(struct fx *f, gconstpointer data)
{
	/*
	 * A VM-wide point may sit in a different slot on each vCPU; whichever slot the library
	 * chose, the event names the point and the slot that fired.
	 */
	uint64_t px, py;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	int slot0, slot1;
	(void)data;

	fx_attach(f, 1);
	fx_settle(f, 1);
	px = fx_vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	py = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	assert_log_len(2);
	c = fake_log_get(0);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmpint(image_slot_of(c.bytes, 0x1000), >=, 0);
	slot0 = image_slot_of(c.bytes, 0x2000);
	g_assert_cmpint(slot0, >=, 0);
	c = fake_log_get(1);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD + 1);
	g_assert_cmpint(image_slot_of(c.bytes, 0x1000), ==, -1);
	slot1 = image_slot_of(c.bytes, 0x2000);
	g_assert_cmpint(slot1, >=, 0);

	fx_x86_event(f, 0, 1, 0x2000, FX_DR6_SLOT(slot0), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == py);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, slot0);
	fx_x86_event(f, 1, 1, 0x2000, FX_DR6_SLOT(slot1), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == py);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, slot1);
	g_assert_cmpuint(fx_point_hits(f->vm, py), ==, 2);
	g_assert_cmpuint(fx_point_hits(f->vm, px), ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Which point a slot holds */

/*
 * Regression: a hardware point removed and inserted again at the same address was never
 * recognised.  gdb's all-stop mode removes every point at each stop and inserts them again
 * before it resumes.  After a Ctrl-C (a kick, not a stop at the breakpoint), the bytes the vCPU
 * needs are the ones the kernel already has, so pre_run sends nothing, and the slot was not
 * known to hold the new point: its next hit was taken for a stale one and answered RESUME
 * forever (a livelock at the breakpoint).  Fix: pre_run's "bytes unchanged" path records which
 * point owns each applied slot.
 */
static void test_hw_reinsert_same_address(void)
{
	const uint64_t a = fx_addr(0x100);
	const struct kvmdbg_event *ev;
	uint64_t p;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_HW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);

	/* Ctrl-C: the kick makes KVM_RUN fail with -EINTR */
	g_assert_cmpint(kvmdbg_vcpu_kick(f.vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);

	/* gdb: z1 then Z1 at the same address, then continue */
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_HW_BREAK, a), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_HW_BREAK, a, 0, 0, NULL, &p), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 0);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);

	fx_x86_db(f.run[0], a, FX_DR6_SLOT(0));
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_HW_BREAKPOINT, a);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	fx_fini(&f);
}

/* Regression: the same with a watchpoint, whose hit the livelock swallowed silently. */
static void test_watch_reinsert_same_address(void)
{
	const uint64_t w = fx_addr(0x800);
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t data;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_WATCH_WRITE, w, 4, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_kick(f.vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_WATCH_WRITE, w), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_WATCH_WRITE, w, 4, 0, NULL, &p), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 0);

	/* a trap after the store: pc is the next instruction */
	fx_x86_db(f.run[0], fx_addr(0x104), FX_DR6_SLOT(0));
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_WATCHPOINT, fx_addr(0x104));
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, w);
	fx_fini(&f);
}

/*
 * Regression: a hit on a slot whose point was replaced meanwhile (another thread removed it
 * and inserted one that took the same slot, before the vCPU's next pre_run) was reported as
 * the new point, hit at the old one's address.  Fix: the core records which point each slot
 * the kernel holds belongs to, and attributes a hit by that, not by the pending state.
 */
static void test_replaced_while_running(void)
{
	const struct kvmdbg_event *ev;
	struct fx fix, *f = &fix;
	uint64_t p2;
	int r;

	fx_init(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 0, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1); /* DR0 = 0x1000 in the kernel */
	/* another thread replaces it while the vCPU runs; the new one takes slot 0 */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x5000, 0, 0, NULL, &p2),
			==, 0);
	/* the vCPU exits on the OLD DR0 (0x1000) before its next pre_run */
	fx_x86_db(f->run[0], 0x1000, FX_DR6_SLOT(0));
	r = fx_exit(f, 0, &ev);
	g_test_message("ret %d type %s pc %#llx point addr %#llx", r,
		       r == 1 ? kvmdbg_event_type_name(kvmdbg_event_get_type(ev)) : "-",
		       r == 1 ? (unsigned long long)kvmdbg_event_get_pc(ev) : 0ull,
		       r == 1 ? (unsigned long long)kvmdbg_event_get_point_addr(ev) : 0ull);
	/* a breakpoint at 0x5000 must not be reported as hit at 0x1000 */
	g_assert_false(r == KVMDBG_EXIT_EVENT && kvmdbg_event_get_point_id(ev) == p2);
	fx_fini(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	fx_test_add("/kvmdbg/unit/slots/remove-frees-slot", fx_setup_x86,
		    test_hw_remove_frees_slot);
	fx_test_add("/kvmdbg/unit/slots/enospc", fx_setup_x86, test_hw_enospc);
	fx_test_add("/kvmdbg/unit/slots/enospc-one-vcpu-full", fx_setup_x86,
		    test_hw_enospc_one_vcpu_full);

	fx_test_add("/kvmdbg/unit/slots/vcpu-scoped", fx_setup_x86, test_vcpu_scoped_hw);
	fx_test_add("/kvmdbg/unit/slots/vm-wide-later", fx_setup_x86, test_vcpu_vm_wide_later);
	fx_test_add("/kvmdbg/unit/slots/vm-wide-slots-differ", fx_setup_x86,
		    test_vcpu_vm_wide_slots_differ);

	g_test_add_func("/kvmdbg/unit/slots/hw-reinsert-same-address",
			test_hw_reinsert_same_address);
	g_test_add_func("/kvmdbg/unit/slots/watch-reinsert-same-address",
			test_watch_reinsert_same_address);
	g_test_add_func("/kvmdbg/unit/slots/replaced-while-running", test_replaced_while_running);

	return g_test_run();
}
