/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The gdbserver suite's fixture: a VMM without /dev/kvm, and a gdb client.
 *
 * The VMM runs x86 guests of the unit tier's model (tests/unit/model.c, upstream KVM's rules,
 * model_run() for KVM_RUN) under the unit tier's fake kernel edge for libkvmdbg; the server's
 * own register ioctls go to fake-edge.c, which keeps each vCPU's registers and moves the
 * model's pc.  Each vCPU has a thread with the run loop a VMM would have; the threaded
 * server runs kvmdbg_gdbserver_serve() in a thread of its own on one end of a socketpair, and
 * the test is gdb on the other end.
 *
 * The guest programs (x86 model instructions, RAM 64 KiB at FV_RAM):
 *   FV_LOOP0  vCPU 0: nop; store 4 bytes at FV_DATA; nop; nop; jmp FV_LOOP0
 *   FV_LOOP1  vCPU 1: nop; nop; jmp FV_LOOP1
 *   FV_EXIT   out 0xf4 (the VMM reports the guest's exit, status 5)
 *   FV_FAULT  out 0xf5 (the VMM reports a SIGSEGV stop with a note)
 *   FV_HALT   hlt (the VMM halts the vCPU)
 *   FV_BRK    int3 of the guest's own; then jmp . (FV_BRK + 1)
 */
#ifndef KVMDBG_TEST_FAKE_VMM_H
#define KVMDBG_TEST_FAKE_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <linux/kvm.h>

#include <kvmdbg/gdbserver.h>
#include <kvmdbg/kvmdbg.h>

#include "model.h"

#define FV_MAX 4
#define FV_FD 900
#define FV_VM_FD 899
#define FV_RAM 0x100000ull
#define FV_RAM_SIZE 0x10000u
#define FV_LOOP0 (FV_RAM + 0x1000)
#define FV_LOOP1 (FV_RAM + 0x2000)
#define FV_EXIT (FV_RAM + 0x3000)
#define FV_FAULT (FV_RAM + 0x3100)
#define FV_HALT (FV_RAM + 0x3200)
#define FV_BRK (FV_RAM + 0x3300)
#define FV_DATA (FV_RAM + 0x8000)
#define FV_EXIT_STATUS 5

/* The instructions of the loops, by address (x86 model lengths: nop 1, store 4, jmp 2). */
#define FV_L0_STORE (FV_LOOP0 + 1)
#define FV_L0_NOP2 (FV_LOOP0 + 5)
#define FV_L0_NOP3 (FV_LOOP0 + 6)
#define FV_L0_JMP (FV_LOOP0 + 7)
#define FV_L1_NOP2 (FV_LOOP1 + 1)
#define FV_L1_JMP (FV_LOOP1 + 2)

struct fvm;

struct fcpu {
	struct fvm *f;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	struct model_vcpu *mv;
	struct kvmdbg_vcpu *dbg;
	pthread_t thread;
	bool started;
	atomic_int last_error;	 /* the last error a hook returned */
	atomic_uint runs;	 /* model_run() calls */
	/* fake-edge.c: the registers KVM would hold (the model has the pc) */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	atomic_uint set_regs, set_sregs, set_fpu;
};

struct fvm {
	struct model *m;
	struct kvmdbg_vm *vm;
	struct kvmdbg_gdbserver *srv;
	unsigned int nr;
	struct fcpu cpu[FV_MAX];
	pthread_mutex_t machine; /* model_run() and the model's shared state */
	bool sync;		 /* single-threaded VMM: kvmdbg_gdbserver_attach() */

	/* the threaded server: kvmdbg_gdbserver_serve() on sv[1], gdb on sv[0] */
	int sv[2];
	int serve_fd;
	pthread_t server;
	bool serving;
	atomic_int end;

	/* a gate that lines vCPUs' debug exits up: gate_n threads, handled in gate_order */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	unsigned int gate_n, gate_arrived, gate_turn;
	unsigned int gate_order[FV_MAX];

	/* single-threaded VMM: a new connection after -ENOTCONN, and the session ends */
	pthread_cond_t sync_cond;
	int sync_next_fd;
	atomic_int sync_ends[8];
	atomic_int sync_last_end;

	atomic_uint pauses, resumes;
	/*
	 * The next resume_fn reports the guest's end of vCPU 0, as a vCPU let go at that instant
	 * would, and keeps what kvmdbg_gdbserver_vcpu_report_exit() returned (-1000 before).
	 */
	atomic_bool exit_on_resume;
	atomic_int exit_on_resume_ret;
	GString *log;
	pthread_mutex_t log_lock;
};

/* nr vCPUs at pcs[i]; the server stopped (gdb finds them at their pcs); threads started. */
struct fvm *fvm_new(unsigned int nr, const uint64_t *pcs);
/* The same, for a single-threaded VMM: one vCPU, its thread serves gdb from the hooks. */
struct fvm *fvm_new_sync(uint64_t pc);
/* Start kvmdbg_gdbserver_serve() on a new socketpair; the gdb end. */
int fvm_serve(struct fvm *f);
/* Start it on fd (which stays the caller's). */
void fvm_serve_fd(struct fvm *f, int fd);
/* Wait for the serve thread to end (after k, D, a closed connection): its result. */
int fvm_serve_end(struct fvm *f);
void fvm_free(struct fvm *f);
/* Line the next debug exits of n vCPUs up and hand them to the server in this order. */
void fvm_gate(struct fvm *f, unsigned int n, const unsigned int *order);
/* The model's pc of a vCPU, read under the machine lock. */
uint64_t fvm_pc(struct fvm *f, unsigned int i);
uint64_t fvm_retired(struct fvm *f, unsigned int i);

/* fake-edge.c: register ioctls of the vCPU fds the tests create. */
void fake_edge_register(struct fcpu *c);
void fake_edge_reset(void);

/* The gdb end of a connection. */
struct gdb {
	int fd;
	bool is_socket;
	bool noack;
	GString *in;	 /* bytes received, not consumed yet */
	GString *output; /* the text of O packets since the last gdb_take_output() */
};

void gdb_init(struct gdb *g, int fd);
void gdb_fini(struct gdb *g);
void gdb_send_raw(struct gdb *g, const void *data, size_t len);
/* "$payload#cs" */
void gdb_send_packet(struct gdb *g, const void *payload, size_t len);
/* The next byte, or -1 after timeout_ms. */
int gdb_read_byte(struct gdb *g, int timeout_ms);
/* The next packet's payload (checksum checked, acked unless noack); NULL after timeout_ms. */
char *gdb_read_packet(struct gdb *g, int timeout_ms);
/* Send a packet, expect its '+', and return the reply (O packets collected on the way). */
char *gdb_cmd(struct gdb *g, const char *payload);
char *gdb_cmd_len(struct gdb *g, const void *payload, size_t len);
/* The reply to a packet that makes the guest run: waits up to timeout_ms. */
char *gdb_reply(struct gdb *g, int timeout_ms);
/* Nothing arrives for ms. */
bool gdb_quiet(struct gdb *g, int ms);
char *gdb_take_output(struct gdb *g);

/* Assert that a packet gets exactly this reply. */
#define assert_reply(g, pkt, want)                                                           \
	do {                                                                                 \
		g_autofree char *r_ = gdb_cmd((g), (pkt));                                   \
		g_assert_cmpstr(r_, ==, (want));                                             \
	} while (0)

/* The little-endian hex of a 64-bit value, as in g, p and stop replies (a static buffer). */
const char *le64(uint64_t v);
/* The pc in a T stop reply's "10:" field; 0 if none. */
uint64_t stop_pc(const char *reply);

#endif /* KVMDBG_TEST_FAKE_VMM_H */
