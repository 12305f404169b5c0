// SPDX-License-Identifier: LGPL-2.1-or-later
/* The adapter between the model-tier tests and the library's API (see client.h). */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "client.h"
#include "fake-kernel.h"
#include "u64map.h"

#define VM_FD 499

struct client_pt {
	uint64_t key;
	int vcpu;
	int type;
	uint64_t addr;
	uint64_t id;
};

struct client {
	struct model *m;
	struct kvmdbg_vm *vm;
	unsigned int nr;
	struct kvmdbg_vcpu *vcpu[CLIENT_MAX_VCPUS];
	struct kvm_run *run[CLIENT_MAX_VCPUS];
	struct model_vcpu *mv[CLIENT_MAX_VCPUS];
	struct u64map pts; /* key -> struct client_pt: the points the client inserted */
	const struct kvmdbg_event *last[CLIENT_MAX_VCPUS];
};

static void clear_pts(struct client *c);

struct client *client_new(struct model *m, unsigned int nr_vcpus, uint64_t pc)
{
	struct client *c = g_new0(struct client, 1);

	g_assert_cmpuint(nr_vcpus, <=, CLIENT_MAX_VCPUS);
	c->m = m;
	c->nr = nr_vcpus;
	u64map_init(&c->pts, 64);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &c->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(c->vm, model_ram_gpa(m), model_ram_size(m),
					     model_ram(m)), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(c->vm, NULL, NULL, model_translate_cb, m), ==, 0);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		c->run[i] = fake_run_new();
		c->mv[i] = model_vcpu_new(m, CLIENT_VCPU_FD + (int)i, c->run[i], pc);
		g_assert_cmpint(kvmdbg_vcpu_new(c->vm, CLIENT_VCPU_FD + (int)i, c->run[i],
						&c->vcpu[i]), ==, 0);
	}
	return c;
}

void client_free(struct client *c)
{
	if (!c)
		return;
	kvmdbg_vm_free(c->vm);
	for (unsigned int i = 0; i < c->nr; i++)
		g_free(c->run[i]);
	clear_pts(c);
	u64map_fini(&c->pts);
	g_free(c);
}

struct model_vcpu *client_mvcpu(struct client *c, unsigned int i)
{
	return c->mv[i];
}

struct kvm_run *client_run_buf(struct client *c, unsigned int i)
{
	return c->run[i];
}

static uint64_t pt_key(int vcpu, int type, uint64_t addr)
{
	return addr << 6 | (uint64_t)type << 3 | (uint64_t)(vcpu + 1);
}

static struct client_pt *find_pt(struct client *c, int vcpu, int type, uint64_t addr)
{
	return u64map_get(&c->pts, pt_key(vcpu, type, addr));
}

static void clear_pts(struct client *c)
{
	for (size_t i = 0; i < c->pts.cap; i++) {
		if (c->pts.used[i]) {
			g_free(c->pts.vals[i]);
			c->pts.used[i] = false;
		}
	}
	c->pts.count = 0;
}

int client_insert(struct client *c, int vcpu, int type, uint64_t addr, uint64_t len,
		  unsigned int flags)
{
	struct client_pt t = { .vcpu = vcpu, .type = type, .addr = addr };
	int ret;

	if (vcpu < 0)
		ret = kvmdbg_vm_insert(c->vm, type, addr, len, flags, NULL, &t.id);
	else
		ret = kvmdbg_vcpu_insert(c->vcpu[vcpu], type, addr, len, flags, NULL, &t.id);
	if (ret == 0) {
		struct client_pt *n = g_memdup2(&t, sizeof(t));

		n->key = pt_key(vcpu, type, addr);
		g_free(u64map_del(&c->pts, n->key));
		u64map_put(&c->pts, n->key, n);
	}
	return ret;
}

int client_remove(struct client *c, int vcpu, int type, uint64_t addr)
{
	uint64_t key = pt_key(vcpu, type, addr);
	int ret;

	if (vcpu < 0)
		ret = kvmdbg_vm_remove(c->vm, type, addr);
	else
		ret = kvmdbg_vcpu_remove(c->vcpu[vcpu], type, addr);
	if (ret >= 0)
		g_free(u64map_del(&c->pts, key));
	return ret;
}

int client_remove_all(struct client *c)
{
	int ret = kvmdbg_vm_remove_all(c->vm);

	if (ret >= 0 && kvmdbg_vm_get_point_count(c->vm) == 0)
		clear_pts(c);
	return ret;
}

int client_rearm(struct client *c)
{
	return kvmdbg_vm_rearm(c->vm);
}

int client_mark_all_armed(struct client *c)
{
	return kvmdbg_vm_mark_all_armed(c->vm);
}

long client_point_count(struct client *c)
{
	return kvmdbg_vm_get_point_count(c->vm);
}

bool client_point_state(struct client *c, int vcpu, int type, uint64_t addr, bool *armed,
			uint64_t *hits)
{
	struct client_pt *t = find_pt(c, vcpu, type, addr);
	struct kvmdbg_point *p;

	if (!t)
		return false;
	g_assert_cmpint(kvmdbg_vm_get_point(c->vm, t->id, &p), ==, 0);
	if (armed)
		*armed = kvmdbg_point_is_armed(p);
	if (hits)
		*hits = kvmdbg_point_get_hit_count(p);
	kvmdbg_point_free(p);
	return true;
}

int client_hw_slots(struct client *c, bool watch)
{
	return kvmdbg_vm_get_hw_slots(c->vm, watch);
}

int client_has_feature(struct client *c, int feature)
{
	return kvmdbg_vm_has_feature(c->vm, feature);
}

int client_set_step(struct client *c, unsigned int i, bool on)
{
	return kvmdbg_vcpu_set_single_step(c->vcpu[i], on);
}

int client_set_trap_debug_regs(struct client *c, unsigned int i, bool on)
{
	return kvmdbg_vcpu_set_trap_debug_regs(c->vcpu[i], on);
}

int client_kick(struct client *c, unsigned int i)
{
	return kvmdbg_vcpu_kick(c->vcpu[i]);
}

int client_cancel_resume(struct client *c, unsigned int i)
{
	return kvmdbg_vcpu_cancel_resume(c->vcpu[i]);
}

int client_reinject(struct client *c, unsigned int i)
{
	return kvmdbg_vcpu_reinject(c->vcpu[i], c->last[i]);
}

int client_pre_run(struct client *c, unsigned int i)
{
	return kvmdbg_vcpu_pre_run(c->vcpu[i]);
}

struct client_event client_handle(struct client *c, unsigned int i, int run_ret)
{
	struct client_event e = { .run_ret = run_ret, .slot = -EINVAL, .access = -EINVAL };
	const struct kvmdbg_event *ev = NULL;
	struct kvmdbg_point *p;

	e.ret = kvmdbg_vcpu_handle_exit(c->vcpu[i], run_ret, &ev);
	c->last[i] = NULL;
	if (e.ret != KVMDBG_EXIT_EVENT)
		return e;
	c->last[i] = ev;
	e.type = kvmdbg_event_get_type(ev);
	e.pc = kvmdbg_event_get_pc(ev);
	/* 0.2: what the event says of its point is a copy; armed comes from a snapshot */
	if (kvmdbg_event_get_point_id(ev)) {
		e.has_point = true;
		e.point_type = kvmdbg_event_get_point_type(ev);
		e.point_addr = kvmdbg_event_get_point_addr(ev);
		e.point_len = kvmdbg_event_get_point_len(ev);
		e.point_flags = kvmdbg_event_get_point_flags(ev);
		e.point_user_data = kvmdbg_event_get_user_data(ev);
		e.point_hits = kvmdbg_event_get_hit_count(ev);
		if (kvmdbg_vm_get_point(c->vm, kvmdbg_event_get_point_id(ev), &p) == 0) {
			e.point_armed = kvmdbg_point_is_armed(p);
			kvmdbg_point_free(p);
		}
	}
	e.slot = kvmdbg_event_get_slot(ev);
	e.access = kvmdbg_event_get_access(ev);
	e.has_data_addr = kvmdbg_event_get_data_addr(ev, &e.data_addr) == 0;
	e.has_exception = kvmdbg_event_get_raw_exception(ev, &e.exception) == 0;
	e.has_status = kvmdbg_event_get_raw_status(ev, &e.status) == 0;
	return e;
}

struct client_event client_turn(struct client *c, unsigned int i)
{
	struct client_event e;
	int pre = kvmdbg_vcpu_pre_run(c->vcpu[i]);
	int run;

	if (pre < 0) {
		memset(&e, 0, sizeof(e));
		e.pre_ret = pre;
		e.ret = pre;
		return e;
	}
	run = model_run(c->mv[i]);
	e = client_handle(c, i, run);
	e.pre_ret = pre;
	return e;
}

const char *client_event_name(int type)
{
	return kvmdbg_event_type_name(type);
}
