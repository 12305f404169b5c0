/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm-gdbstub: a tiny x86-64 VMM with a GDB remote serial protocol server, built on
 * libkvmdbg.
 *
 * The pieces, one file each:
 *   main.c      command line, the listening socket, one gdb session after another
 *   session.c   the packets of a session, their replies, all-stop run control
 *   protocol.c  framing: $packet#checksum, acks, escapes, hex
 *   vm.c        the VM: guest RAM, the ELF image, long mode, a thread per vCPU
 *   points.c    gdb's Z/z packets onto libkvmdbg breakpoints and watchpoints
 *   regs.c      the register file gdb sees (g/G/p/P) and its target description
 *   probe.c     what this host's KVM really delivers, found with tiny real-mode guests
 *
 * Threads: the main thread talks to gdb and owns every decision; each vCPU has a thread
 * that runs KVM_RUN until something stops it, then parks.  The main thread only touches a
 * vCPU (its registers, its libkvmdbg object) while that vCPU is parked: the hand-over
 * under vm->lock orders the two threads' accesses.
 */
#ifndef KVM_GDBSTUB_STUB_H
#define KVM_GDBSTUB_STUB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <kvmdbg/kvmdbg.h>

#define EXIT_SKIP 77

#define MAX_VCPUS 8

/* Guest-physical memory: one slot of RAM at 0, mapped 1:1 into linear addresses. */
#define RAM_SIZE 0x400000ull /* 4 MiB */
#define GDT_ADDR 0x1000ull
#define TSS_ADDR 0x1100ull
#define PML4_ADDR 0x2000ull
#define PDPT_ADDR 0x3000ull
#define PD_ADDR 0x4000ull
#define PT_ADDR 0x5000ull	  /* 4 KiB pages for the first 2 MiB */
#define LOAD_MIN 0x100000ull	  /* the ELF image must lie in [LOAD_MIN, RAM_SIZE) */
#define UNMAPPED_PAGE 0x1ff000ull /* RAM, but no linear address reaches it */

/* I/O ports of the guest. */
#define PORT_CONSOLE 0xe9
#define PORT_EXIT 0xf4

/* GDB's signal numbers (they are not the host's). */
#define GDB_SIGINT 2
#define GDB_SIGILL 4
#define GDB_SIGTRAP 5
#define GDB_SIGSEGV 11

/* How gdb's software breakpoints (Z0) are done. */
enum bp_policy {
	BP_AUTO, /* software if the probe saw KVM report an int3, else hardware */
	BP_SW,	 /* always software: int3 in guest memory */
	BP_HW,	 /* always a hardware execute breakpoint */
};

/* Whether gdb's hardware watchpoints (Z2, Z4) are accepted. */
enum wp_policy {
	WP_AUTO, /* if the probe saw KVM deliver them */
	WP_ON,
	WP_OFF,
};

struct options {
	const char *elf_path;
	unsigned int nr_vcpus;
	int port;
	enum bp_policy breakpoints;
	enum wp_policy watchpoints;
	bool once;
	bool verbose;
};

/* What the probes found (probe.c).  Each "why" says how the answer was found. */
struct caps {
	bool step;
	bool hw_break;
	bool sw_break;
	bool watch_write;
	bool watch_access;
	int hw_slots;
	char why_step[200];
	char why_hw_break[200];
	char why_sw_break[200];
	char why_watch_write[200];
	char why_watch_access[200];
};

int probe_host(struct caps *caps, char *why, size_t size);

/* Why a vCPU stopped, in gdb's terms. */
enum stop_kind {
	STOP_NONE = 0,
	STOP_SIGNAL, /* a T stop reply */
	STOP_EXITED, /* a W reply: the guest ended */
};

enum stop_reason {
	REASON_NONE = 0,
	REASON_SWBREAK,
	REASON_HWBREAK,
	REASON_WATCH,
	REASON_RWATCH,
	REASON_AWATCH,
};

struct stop {
	enum stop_kind kind;
	int signal; /* GDB signal number, for STOP_SIGNAL */
	int status; /* exit status, for STOP_EXITED */
	enum stop_reason reason;
	uint64_t data_addr; /* for the watch reasons */
	unsigned int vcpu;  /* index of the vCPU the stop is about */
	int event;	    /* the libkvmdbg event type behind it, or -1 */
	/* for a watchpoint: the libkvmdbg point, to tell whether it still exists */
	enum kvmdbg_point_type point_type;
	uint64_t point_addr;
	char note[160]; /* said to gdb (an O packet) and logged, if not empty */
};

enum action {
	ACT_NONE = 0, /* stays stopped */
	ACT_CONTINUE,
	ACT_STEP,
};

struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct kvmdbg_vcpu *dbg;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop_requested;

	/* under vm->lock */
	bool in_round; /* resumed by the last vm_resume(), its stop not reported */
	bool running;  /* handed to its thread, not parked yet */
	bool halted;   /* executed hlt with interrupts off: never runs again */
	bool has_stop; /* stop holds a stop not reported yet */
	struct stop stop;
	uint64_t stop_seq; /* when the stop came, to report the first one */

	/* owned by the main thread while parked */
	const struct kvmdbg_event *last_event; /* for handing a guest trap back */
	bool regs_valid;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
};

struct vm {
	int kvm_fd;
	int vm_fd;
	uint8_t *ram;
	uint64_t entry;
	struct kvmdbg_vm *dbg;
	unsigned int nr_vcpus;
	struct vcpu vcpus[MAX_VCPUS];
	bool verbose;

	pthread_mutex_t lock;
	pthread_cond_t cond; /* vCPU threads wait for work, the main thread for parking */
	int notify_fd;	     /* eventfd: readable when a vCPU parked */
	bool quit;
	uint64_t seq;

	/* the guest's console line, printed by whichever vCPU ends it */
	pthread_mutex_t console_lock;
	char console[256];
	size_t console_len;
};

int vm_open(struct vm *vm, const struct options *opts, char *why, size_t size);
void vm_close(struct vm *vm);

/*
 * Start the vCPUs as actions[] (indexed by vCPU) and signals[] (GDB signal numbers to
 * deliver, 0 for none) say.  Returns 1 with *ret filled when there is a stop to report at
 * once (a stop kept from before, or nothing that can run), 0 when vCPUs run, or a
 * negative errno.
 */
int vm_resume(struct vm *vm, const enum action *actions, const int *signals,
	      struct stop *ret);
/*
 * After vm->notify_fd became readable: 1 with *ret filled when the running vCPUs stopped
 * (all of them: the first stop kicks the others), 0 when there is nothing to report yet.
 */
int vm_poll_stop(struct vm *vm, struct stop *ret);
/* Stop every running vCPU (gdb's Ctrl-C, or a new connection) and fill *ret. */
void vm_interrupt(struct vm *vm, struct stop *ret);

/* Registers of a parked vCPU, read once per stop. */
int vm_fetch_regs(struct vm *vm, unsigned int index);
/* Write back the cached registers; rip_changed forgets a planned step-over. */
int vm_store_regs(struct vm *vm, unsigned int index, bool rip_changed);
int vm_store_sregs(struct vm *vm, unsigned int index);
int vm_store_fpu(struct vm *vm, unsigned int index);

/*
 * Guest-virtual (x86: linear) memory through the page tables of vCPU @index.  Reads
 * return the byte count read (less than @len when an unmapped page comes first) or
 * -EFAULT when the first byte is not mapped; writes are all or nothing: 0 or -EFAULT.
 */
long vm_read_virt(struct vm *vm, unsigned int index, uint64_t addr, void *buf,
		  size_t len);
int vm_write_virt(struct vm *vm, unsigned int index, uint64_t addr, const void *buf,
		  size_t len);

/* gdb's points (points.c). */
struct points;

struct points *points_new(struct vm *vm, const struct caps *caps,
			  const struct options *opts);
void points_free(struct points *pts);
/*
 * A Z (insert) or z (remove) packet.  Returns 0, -EOPNOTSUPP when the type is not
 * supported at all (an empty reply), or another negative errno (an error reply).
 */
int points_insert(struct points *pts, int type, uint64_t addr, uint64_t kind);
int points_remove(struct points *pts, int type, uint64_t addr, uint64_t kind);
void points_remove_all(struct points *pts);
/* Show guest memory as it is without the stub's software breakpoints. */
void points_mask_read(struct points *pts, uint64_t addr, uint8_t *buf, size_t len);
/* Write guest memory under which software breakpoints may sit. */
int points_write(struct points *pts, unsigned int index, uint64_t addr, const void *buf,
		 size_t len);
/* How Z0 is done ("software" or "hardware") and a line for each kind of point. */
const char *points_z0_mode(const struct points *pts);
void points_describe(const struct points *pts, char *buf, size_t size);

/* Registers (regs.c).  gdb numbers them as in the target description. */
#define REGS_COUNT 65
extern const char target_xml[];
/* Hex of all registers in 'g' order into out (PACKET_MAX bytes is plenty). */
int regs_read_all(struct vm *vm, unsigned int index, char *out);
int regs_write_all(struct vm *vm, unsigned int index, const char *hex, size_t len);
/* One register: hex into out (at least 33 bytes); -EINVAL for an unknown number. */
int regs_read_one(struct vm *vm, unsigned int index, unsigned int regno, char *out);
int regs_write_one(struct vm *vm, unsigned int index, unsigned int regno, const char *hex,
		   size_t len);
/* The registers a stop reply carries, "06:...;07:...;10:...;", into out. */
int regs_expedite(struct vm *vm, unsigned int index, char *out, size_t size);

/* Framing and hex (protocol.c). */
#define PACKET_MAX 16384 /* the PacketSize we advertise, and our buffers */

struct conn {
	int fd;
	bool noack;
	bool verbose;
	/* the packet being received */
	enum {
		RX_IDLE,
		RX_DATA,
		RX_CSUM1,
		RX_CSUM2,
	} rx_state;
	char rx[PACKET_MAX + 1];
	size_t rx_len;
	bool rx_overflow;
	uint8_t rx_sum;
	int rx_csum_hi;
	/* bytes read from the socket, not parsed yet */
	uint8_t in[4096];
	size_t in_pos, in_len;
	/* the last packet sent, for a '-' */
	char *tx_last;
	size_t tx_last_len;
};

enum rx_event {
	RX_NONE = 0,
	RX_PACKET,   /* conn->rx holds a packet of conn->rx_len bytes (NUL-terminated) */
	RX_TOO_LONG, /* longer than PACKET_MAX (checksum right): its content is dropped */
	RX_INTERRUPT, /* gdb's Ctrl-C, the byte 0x03 */
};

void conn_init(struct conn *c, int fd, bool verbose);
void conn_fini(struct conn *c);
/*
 * Parse the next event out of the bytes read so far; RX_NONE when more bytes are needed.
 * Acks are handled here: a bad checksum is answered with '-', a '-' resends the last
 * packet.
 */
enum rx_event conn_parse(struct conn *c);
/* Read what the socket has (blocking when @wait): 1 if bytes came, 0 at end, -errno. */
int conn_fill(struct conn *c, bool wait);
bool conn_has_input(const struct conn *c);
int conn_send(struct conn *c, const char *data, size_t len);
int conn_send_str(struct conn *c, const char *s);
/* "O" console-output packet. */
int conn_send_output(struct conn *c, const char *text);

/* Parse at most 16 hex digits at *p and advance it; -EINVAL if none or too many. */
int hex_parse_u64(const char **p, const char *end, uint64_t *ret);
/* Decode 2*len hex digits; -EINVAL on any bad digit. */
int hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len);
void hex_encode(const uint8_t *buf, size_t len, char *out);
/* Decode the binary escapes of an X packet in place; the new length or -EINVAL. */
long binary_unescape(char *data, size_t len);

/* The session (session.c): serve one gdb connection.  Returns how it ended. */
enum session_end {
	SESSION_DISCONNECTED, /* gdb went away: the VM stays stopped for the next one */
	SESSION_DETACHED,     /* D: the guest runs on without a debugger */
	SESSION_KILLED,	      /* k */
	SESSION_EXITED,	      /* the guest ended; exit status in *ret_status */
};

struct stub {
	struct options opts;
	struct caps caps;
	struct vm vm;
	struct points *points;
	struct stop last_stop; /* for '?' */
};

enum session_end session_serve(struct stub *stub, int fd, int *ret_status);
void stub_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* KVM_GDBSTUB_STUB_H */
