/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmdbg-gdbserver internals.
 *
 *   server.c     the object, its settings, the log, the lock
 *   run.c        all-stop: the vCPU hooks, parking, stops and their queue, resuming
 *   session.c    one gdb session: the packets and their replies
 *   packet.c     framing: $...#cs, acks, escapes, hex; reading and writing the connection
 *   points.c     gdb's Z/z packets onto libkvmdbg points
 *   monitor.c    qRcmd: what the host delivers, the points, the vCPUs
 *   regs-*.c     each architecture's registers and target description (the native one only)
 *   kernel.c     the only call of ioctl() (the unit tests link a fake instead)
 *   transport.c  TCP and Unix listeners, accept, a raw serial line
 *
 * Threads.  The server's lock (server->lock) guards every field marked "locked" below; it is
 * always taken with every signal blocked (lock()/unlock()), so that a VMM's signal whose
 * handler blocks never parks a thread that holds it.  Nobody waits with it held: a vCPU that
 * gdb holds waits in poll() on its own eventfd, the serving thread in poll() on the
 * connection and server->notify_fd.  The serving thread touches a vCPU's registers and its
 * libkvmdbg object only while that vCPU is parked (or halted), and the vCPU's thread applies
 * what gdb asked for (single-step, a hand-back, a cancelled step-over) itself, after it
 * unparks.
 */
#ifndef KVMDBG_GDBSERVER_INTERNAL_H
#define KVMDBG_GDBSERVER_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmdbg/gdbserver.h>
#include <kvmdbg/kvmdbg.h>

#define GS_EXPORT __attribute__((visibility("default")))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _must_check_ __attribute__((warn_unused_result))

/* The PacketSize we advertise, and the size of our buffers. */
#define GS_PACKET_MAX 0x4000
/* Bytes of memory in one m, M or X packet: their hex fills a packet. */
#define GS_MEM_MAX (GS_PACKET_MAX / 2)
/* A watched range is cut into at most this many libkvmdbg points. */
#define GS_MAX_PIECES 4

/* gdb's signal numbers (not the host's). */
#define GDB_SIGINT 2
#define GDB_SIGTRAP 5

/* ---- framing (packet.c) ---- */

enum gs_rx {
	GS_RX_NONE = 0,
	GS_RX_PACKET,	 /* conn->rx holds a packet of rx_len bytes, NUL-terminated */
	GS_RX_TOO_LONG,	 /* longer than GS_PACKET_MAX, checksum right: its content is dropped */
	GS_RX_INTERRUPT, /* the byte 0x03 */
};

struct gs_conn {
	struct kvmdbg_gdbserver *server; /* for the log */
	int fd;
	bool is_socket;
	bool noack;
	enum {
		GS_IDLE,
		GS_DATA,
		GS_CSUM1,
		GS_CSUM2,
	} state;
	char rx[GS_PACKET_MAX + 1];
	size_t rx_len;
	bool rx_overflow;
	uint8_t rx_sum;
	int rx_csum_hi;
	uint8_t in[4096];
	size_t in_pos, in_len;
	/* the last packet sent, for a '-' */
	char *tx;
	size_t tx_len, tx_cap;
};

void conn_init(struct gs_conn *c, struct kvmdbg_gdbserver *server, int fd);
void conn_fini(struct gs_conn *c);
/* The next event out of the bytes read so far; acks are handled here. */
enum gs_rx conn_parse(struct gs_conn *c);
/* Read: 1 if bytes came, 0 at the end of the stream, -EAGAIN (!wait), or -errno. */
int conn_fill(struct gs_conn *c, bool wait);
bool conn_has_input(const struct gs_conn *c);
int conn_send(struct gs_conn *c, const char *data, size_t len);
int conn_send_str(struct gs_conn *c, const char *s);
/* An "O" packet of console text (cut to what fits). */
int conn_send_output(struct gs_conn *c, const char *text);

/* At most 16 hex digits at *p, advancing it; -EINVAL if none or too many. */
int hex_parse_u64(const char **p, const char *end, uint64_t *ret);
/* Exactly 2 * len hex digits; -EINVAL on any bad digit or another length. */
int hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len);
void hex_encode(const uint8_t *buf, size_t len, char *out);
/* The escapes of binary data (X), decoded in place: the new length or -EINVAL. */
long binary_unescape(char *data, size_t len);

/* ---- registers (regs-<arch>.c) ---- */

/* What an architecture's registers are, for gdb. */
struct gs_arch {
	const char *target_xml;
	unsigned int nr_regs;
	/* registers a stop reply carries: frame pointer, stack pointer, pc */
	unsigned int expedite[3];
	/* the kind gdb gives Z0 and Z1: the breakpoint instruction's length */
	uint64_t bp_kind;
	/* watchpoint pieces: naturally aligned 1/2/4/8 (x86), or any bytes of a doubleword */
	bool watch_any_bytes;
	/* what a Z3 (read watchpoint) can be */
	bool watch_read;
	/* why it cannot, for monitor output */
	const char *no_watch_read;
};

struct gs_regs;

extern const struct gs_arch gs_arch;
/* A register cache for one vCPU; NULL without memory. */
struct gs_regs *regs_new(void);
void regs_free(struct gs_regs *r);
/* Forget what was read: the vCPU ran. */
void regs_invalidate(struct gs_regs *r);
unsigned int regs_size(unsigned int regno);
/* Bytes of the 'g' packet. */
size_t regs_g_size(void);
/* Register regno into out (regs_size() bytes, target byte order). */
int regs_read(struct gs_regs *r, int fd, unsigned int regno, uint8_t *out) _must_check_;
/*
 * Set registers first..first + count - 1 from in (their sizes one after another), all or
 * nothing where the kernel takes the registers in one call; *ret_pc_changed is set to true
 * once a new pc was written (the caller sets it false first).  -EINVAL for a value that
 * cannot be set (an x86 segment selector).
 */
int regs_write(struct gs_regs *r, int fd, unsigned int first, unsigned int count, const uint8_t *in,
	       bool *ret_pc_changed) _must_check_;

/* ---- the kernel edge (kernel.c) ---- */

/* ioctl(fd, request, arg): 0 or -errno. */
int gs_kernel_ioctl(int fd, unsigned long request, void *arg);

/* ---- gdb's points (points.c) ---- */

struct gs_point {
	int type; /* the Z packet type */
	uint64_t addr;
	uint64_t kind;
	enum kvmdbg_point_type lib_type;
	unsigned int nr_pieces;
	uint64_t piece_addr[GS_MAX_PIECES];
	uint64_t piece_len[GS_MAX_PIECES];
};

struct gs_points {
	struct gs_point *list;
	size_t count, cap;
};

/*
 * A Z (insert) or z (remove) packet: 0; -EOPNOTSUPP when the kind is not supported at all
 * (the empty reply); -ENODEV when refused by the watch mode; another -errno.
 */
int points_insert(struct kvmdbg_gdbserver *server, int type, uint64_t addr, uint64_t kind);
int points_remove(struct kvmdbg_gdbserver *server, int type, uint64_t addr, uint64_t kind);
void points_remove_all(struct kvmdbg_gdbserver *server);
/* Whether gdb has a breakpoint (Z0 or Z1) at addr, or the watchpoint piece still exists. */
bool points_has_break(struct kvmdbg_gdbserver *server, uint64_t addr);
/* Whether a watchpoint gdb set still covers data address addr. */
bool points_has_watch(struct kvmdbg_gdbserver *server, enum kvmdbg_point_type type,
		      uint64_t point_addr);
/* The libkvmdbg type Z0 becomes. */
enum kvmdbg_point_type points_z0_type(struct kvmdbg_gdbserver *server);
/* Whether Z2 (write) / Z4 (access) / Z3 (read) are accepted; the reason when not. */
bool points_watch_allowed(struct kvmdbg_gdbserver *server, int type, const char **ret_why);
void points_free(struct gs_points *pts);

/* ---- stops ---- */

enum gs_stop_kind {
	GS_STOP_NONE = 0,
	GS_STOP_SIGNAL, /* a T stop reply */
	GS_STOP_EXITED, /* W */
};

enum gs_reason {
	GS_REASON_NONE = 0,
	GS_REASON_SWBREAK,
	GS_REASON_HWBREAK,
	GS_REASON_WATCH,
	GS_REASON_RWATCH,
	GS_REASON_AWATCH,
};

struct gs_stop {
	enum gs_stop_kind kind;
	int signal;
	int status;
	enum gs_reason reason;
	uint64_t data_addr;
	unsigned int vcpu;
	int event; /* the libkvmdbg event type behind it, or -1 */
	enum kvmdbg_point_type point_type;
	uint64_t point_addr;
	uint64_t pc;
	uint64_t seq;
	char note[160];
};

/* ---- the server ---- */

enum gs_action {
	GS_ACT_NONE = 0, /* stays stopped */
	GS_ACT_CONTINUE,
	GS_ACT_STEP,
};

struct gs_vcpu {
	struct kvmdbg_gdbserver *server;
	unsigned int index;
	struct kvmdbg_vcpu *vcpu;
	int fd;
	int wake_fd;
	/* the hooks take the slow path (a hold, an action to apply, a session to watch) */
	atomic_bool attention;

	/* locked */
	bool hold;     /* park at the next pre_run hook */
	bool parked;   /* inside a hook's wait, or halted */
	bool halted;   /* kvmdbg_gdbserver_vcpu_halt(): never runs again */
	bool in_round; /* resumed in the current round, its stop not taken yet */
	bool has_stop; /* stop holds a stop not reported yet */
	struct gs_stop stop;
	/* what the vCPU's thread applies before it runs again */
	bool set_step;
	bool step;
	bool cancel_resume;
	bool reinject;
	struct kvmdbg_event *guest_event; /* a guest exception, for a hand-back */

	/* the serving thread's, while the vCPU is parked */
	struct gs_regs *regs;
};

enum gs_session_kind {
	GS_SESSION_NONE = 0,
	GS_SESSION_THREAD, /* kvmdbg_gdbserver_serve() */
	GS_SESSION_SYNC,   /* kvmdbg_gdbserver_attach() */
};

struct gs_session;

struct kvmdbg_gdbserver {
	struct kvmdbg_vm *vm;
	pthread_mutex_t lock;
	int notify_fd; /* readable when a vCPU parked or stopped, or at shutdown */
	struct gs_vcpu **vcpus;
	unsigned int nr_vcpus;
	atomic_bool started; /* no more vCPUs */

	/* settings, before the start */
	kvmdbg_gdbserver_log_fn log_fn;
	void *log_data;
	enum kvmdbg_gdbserver_break_mode break_mode;
	enum kvmdbg_gdbserver_watch_mode watch_mode;
	kvmdbg_gdbserver_vmm_fn pause_fn, resume_fn;
	void *vmm_data;
	kvmdbg_gdbserver_monitor_fn monitor_fn;
	void *monitor_data;
	kvmdbg_gdbserver_end_fn end_fn;
	void *end_data;

	/* locked */
	bool shutdown;
	enum gs_session_kind session_kind;
	/* the session is ending: a detach may have let the guest go, and no stop is reported */
	bool session_ending;
	bool interrupt; /* gdb's Ctrl-C: the round ends with SIGINT if nothing else stops */
	uint64_t seq;
	struct gs_stop last_stop; /* what '?' answers */
	/* how a single-threaded VMM's last session ended, if it left the guest stopped */
	int sync_end;

	/* the serving thread's */
	bool vmm_paused; /* pause_fn called, resume_fn not yet */

	struct gs_session *session;
	struct gs_points points;
	/* a single-threaded VMM's session: look for Ctrl-C at every exit */
	atomic_bool sync_watch;
};

/* server.c */
void gs_log(struct kvmdbg_gdbserver *server, int level, const char *fmt, ...) _printf_(3, 4);
void lock(struct kvmdbg_gdbserver *server, sigset_t *old);
void unlock(struct kvmdbg_gdbserver *server, const sigset_t *old);
void notify(int efd);
void drain(int efd);

/* run.c: all called by the serving thread, without the lock unless said */
/* Hold every vCPU and kick the running ones but self (the caller's own, or NULL); locked. */
void hold_all_locked(struct kvmdbg_gdbserver *server, struct gs_vcpu *self);
/* Wait until every vCPU not halted is parked (threaded sessions); 0 or -ESHUTDOWN. */
int wait_parked(struct kvmdbg_gdbserver *server);
/* Whether a resumed vCPU has a stop (or the server shut down); locked. */
bool round_has_stop_locked(struct kvmdbg_gdbserver *server);
/* Whether any vCPU runs or may run (a round is on); locked. */
bool round_running_locked(struct kvmdbg_gdbserver *server);
/*
 * End the round, every vCPU parked: the stop to report into *ret.  0 when there is one, 1
 * when no vCPU was in the round (nothing to say).  locked.
 */
int take_stop_locked(struct kvmdbg_gdbserver *server, struct gs_stop *ret);
/*
 * Resume as gdb asked: 1 with *ret when a stop is to be reported at once (a queued one, a
 * halted vCPU), 0 when vCPUs run, or -errno.
 */
int resume_vcpus(struct kvmdbg_gdbserver *server, const enum gs_action *actions, const int *signals,
		 struct gs_stop *ret);
/* Detach: every vCPU runs on, nothing queued, no single-step. */
void release_all(struct kvmdbg_gdbserver *server);
/* The VMM's pause and resume callbacks, once each way. */
void vmm_pause(struct kvmdbg_gdbserver *server);
void vmm_resume(struct kvmdbg_gdbserver *server);
/* The register cache of a parked vCPU; a new register value moved the pc. */
void vcpu_pc_moved(struct gs_vcpu *v);

/* session.c */
int session_new(struct kvmdbg_gdbserver *server, int fd, bool sync, struct gs_session **ret);
void session_free(struct gs_session *s);
/* The threaded serve loop: returns the end. */
int session_serve(struct gs_session *s);
/*
 * Talk to gdb in a single-threaded VMM's pre_run hook until gdb resumes the vCPU or the
 * session ends: 0 (resumed, or ended: see server->session).
 */
int session_sync(struct gs_session *s);
/* A single-threaded VMM's exit: look for Ctrl-C or a closed connection; locked not. */
void session_sync_poll(struct gs_session *s);
/* Whether the session wants a stop reply (gdb waits for the guest). */
bool session_running(const struct gs_session *s);

/* monitor.c */
/* The text of 'monitor <cmd>' into out; 0, or -errno. */
int monitor_run(struct kvmdbg_gdbserver *server, const char *cmd, char *out, size_t size);
/* The thread-extra-info text of a vCPU. */
void vcpu_describe(struct kvmdbg_gdbserver *server, unsigned int index, char *out, size_t size);

#endif /* KVMDBG_GDBSERVER_INTERNAL_H */
