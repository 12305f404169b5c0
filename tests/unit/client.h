/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one adapter between the model-tier tests (test-model.c, test-props.c) and the library's
 * public API.  Every call of the API those tests make goes through here, and what an event
 * says is copied into a value (struct client_event), so that a change of the API (0.2: events
 * as values with the point's id, type, address, length, flags, user data and hit count) is
 * ported in client.c alone.
 */
#ifndef KVMDBG_TEST_CLIENT_H
#define KVMDBG_TEST_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define CLIENT_MAX_VCPUS 4
#define CLIENT_VCPU_FD 500

/* What one turn of the run loop gave. */
struct client_event {
	int pre_ret;      /* kvmdbg_vcpu_pre_run() */
	int run_ret;      /* model_run(): 0 or -errno; not run when pre_ret < 0 */
	int ret;          /* kvmdbg_vcpu_handle_exit(): enum kvmdbg_exit, or -errno */
	/* for ret == KVMDBG_EXIT_EVENT: */
	int type;         /* enum kvmdbg_event_type */
	uint64_t pc;
	bool has_point;
	int point_type;
	uint64_t point_addr, point_len;
	unsigned int point_flags;
	void *point_user_data;
	uint64_t point_hits;
	bool point_armed;
	int slot;         /* -EINVAL when not a hardware event */
	int access;
	bool has_data_addr;
	uint64_t data_addr;
	bool has_exception;
	uint32_t exception;
	bool has_status;
	uint64_t status;
};

struct client;

/*
 * A VM object over the model with nr_vcpus vCPUs (fds CLIENT_VCPU_FD + i), all starting at pc;
 * the model's RAM is registered with kvmdbg_vm_add_memory() and its translation set as the
 * translate callback.  The model must be installed (model_install) already.
 */
struct client *client_new(struct model *m, unsigned int nr_vcpus, uint64_t pc);
void client_free(struct client *c);
struct model_vcpu *client_mvcpu(struct client *c, unsigned int i);
struct kvm_run *client_run_buf(struct client *c, unsigned int i);

/* Points: vcpu < 0 for VM-wide.  The library's return value. */
int client_insert(struct client *c, int vcpu, int type, uint64_t addr, uint64_t len,
		  unsigned int flags);
int client_remove(struct client *c, int vcpu, int type, uint64_t addr);
int client_remove_all(struct client *c);
int client_rearm(struct client *c);
int client_mark_all_armed(struct client *c);
long client_point_count(struct client *c);
/* A point the client inserted: whether it exists, is armed, and its hit count. */
bool client_point_state(struct client *c, int vcpu, int type, uint64_t addr, bool *armed,
			uint64_t *hits);
int client_hw_slots(struct client *c, bool watch);
int client_has_feature(struct client *c, int feature);

int client_set_step(struct client *c, unsigned int i, bool on);
int client_set_trap_debug_regs(struct client *c, unsigned int i, bool on);
int client_kick(struct client *c, unsigned int i);
int client_cancel_resume(struct client *c, unsigned int i);
int client_reinject(struct client *c, unsigned int i);

/* kvmdbg_vcpu_pre_run() alone. */
int client_pre_run(struct client *c, unsigned int i);
/* kvmdbg_vcpu_handle_exit() of a KVM_RUN result the caller produced. */
struct client_event client_handle(struct client *c, unsigned int i, int run_ret);
/* One turn: pre_run, model_run, handle_exit. */
struct client_event client_turn(struct client *c, unsigned int i);

const char *client_event_name(int type);

#endif /* KVMDBG_TEST_CLIENT_H */
