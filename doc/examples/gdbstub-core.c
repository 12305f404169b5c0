// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gdbstub-core: the libkvmdbg half of a GDB remote stub, without the socket and the packet
 * framing: Z/z packets, m/M packets, stop replies, continue and step, and the interrupt from
 * the stub thread while the vCPU thread is inside KVM_RUN.
 *
 * A scripted session plays the part of GDB and checks every reply.  doc/guide.md shows the
 * parts between the snippet markers.  Exit status: 0, 1 on a wrong reply, 77 without KVM.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The guest: two increments, then it announces itself at TINYVM_DATA and spins. */
__asm__(".pushsection .rodata.gdbstub_guest, \"a\"\n"
	".code16\n"
	"gdb_guest:\n"
	"	mov $1, %ax\n"
	"gdb_guest_bp:\n"
	"	inc %ax\n"
	"gdb_guest_next:\n"
	"	inc %ax\n"
	"	movb $1, " STR(TINYVM_DATA) "\n"
	"gdb_guest_spin:\n"
	"	jmp gdb_guest_spin\n"
	"gdb_guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char gdb_guest[], gdb_guest_bp[], gdb_guest_next[], gdb_guest_end[];

#define GUEST_ADDR(label) tinyvm_addr((uint16_t)((label) - gdb_guest))

/* snippet: gdb-z-packet */
/* "Z<type>,<addr>,<kind>" inserts, "z..." removes; GDB's types are kvmdbg's point types. */
static const char *gdb_z_packet(struct kvmdbg_vm *vm, const char *packet)
{
	unsigned int type;
	uint64_t addr, kind;
	int ret;

	if (sscanf(packet + 1, "%u,%" SCNx64 ",%" SCNx64, &type, &addr, &kind) != 3)
		return "E01";
	if (packet[0] == 'Z') {
		/* kind: the length of a watchpoint, of the breakpoint instruction for Z0/Z1 */
		ret = kvmdbg_vm_insert(vm, (enum kvmdbg_point_type)type, addr, kind, 0, NULL, NULL);
		if (ret == -EEXIST)
			ret = 0;	/* GDB may send the same Z twice: it must succeed */
	} else {
		ret = kvmdbg_vm_remove(vm, (enum kvmdbg_point_type)type, addr);
		if (ret == -ENOENT || ret == 1)
			ret = 0;	/* 1: removed, the guest had overwritten the breakpoint */
	}
	if (ret == -EOPNOTSUPP)
		return "";		/* "not supported": GDB tries another kind */
	return ret < 0 ? "E22" : "OK";
}
/* snippet end */

/* snippet: gdb-memory */
/* "m<addr>,<len>": guest memory as the program sees it, through the vCPU GDB selected. */
static void gdb_m_packet(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, const char *packet,
			 char *reply, size_t size)
{
	uint8_t buf[32];
	uint64_t addr, len;

	if (sscanf(packet + 1, "%" SCNx64 ",%" SCNx64, &addr, &len) != 2 || len > sizeof(buf) ||
	    2 * len >= size) {
		snprintf(reply, size, "E01");
		return;
	}
	/* each page translated on its own; the original bytes where a breakpoint is planted */
	if (kvmdbg_vm_read_memory(vm, vcpu, addr, buf, len) < 0) {
		snprintf(reply, size, "E14");	/* EFAULT: not mapped */
		return;
	}
	for (uint64_t i = 0; i < len; i++)
		snprintf(reply + 2 * i, size - 2 * i, "%02x", buf[i]);
}

/* "M<addr>,<len>:<hex>": under a planted breakpoint the bytes become its saved original. */
static const char *gdb_M_packet(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu,
				const char *packet)
{
	uint8_t buf[32];
	uint64_t addr, len;
	int data = -1;

	if (sscanf(packet + 1, "%" SCNx64 ",%" SCNx64 ":%n", &addr, &len, &data) != 2 ||
	    data < 0 || len > sizeof(buf) || strlen(packet + 1 + data) != 2 * len)
		return "E01";
	for (uint64_t i = 0; i < len; i++)
		if (sscanf(packet + 1 + data + 2 * i, "%2hhx", &buf[i]) != 1)
			return "E01";
	/* all pages translated first: a range that does not translate whole changes nothing */
	return kvmdbg_vm_write_memory(vm, vcpu, addr, buf, len) < 0 ? "E14" : "OK";
}
/* snippet end */

/* snippet: gdb-stop-reply */
static void gdb_stop_reply(const struct kvmdbg_event *ev, char *buf, size_t size)
{
	static const char *const watch[] = {
		[KVMDBG_ACCESS_WRITE] = "watch",
		[KVMDBG_ACCESS_READ] = "rwatch",
		[KVMDBG_ACCESS_READ_WRITE] = "awatch",
	};
	uint64_t data_addr = 0;

	switch (kvmdbg_event_get_type(ev)) {
	case KVMDBG_EVENT_SW_BREAKPOINT:
		snprintf(buf, size, "T05swbreak:;");
		break;
	case KVMDBG_EVENT_HW_BREAKPOINT:
		snprintf(buf, size, "T05hwbreak:;");
		break;
	case KVMDBG_EVENT_WATCHPOINT:
		kvmdbg_event_get_data_addr(ev, &data_addr);
		snprintf(buf, size, "T05%s:%" PRIx64 ";", watch[kvmdbg_event_get_access(ev)],
			 data_addr);
		break;
	case KVMDBG_EVENT_INTERRUPTED:
		snprintf(buf, size, "T02");	/* SIGINT: the answer to GDB's ^C */
		break;
	default:
		snprintf(buf, size, "T05");	/* SIGTRAP: a step, a debug-register access */
		break;
	}
}
/* snippet end */

/* snippet: gdb-resume */
/* "c" and "s": run until a stop for GDB; 1 with the stop reply, 0 if the guest ended. */
static int gdb_resume(struct vmm *v, bool step, char *reply, size_t size)
{
	const struct kvmdbg_event *ev;
	int ret;

	ret = kvmdbg_vcpu_set_single_step(v->dbg_vcpu, step);
	if (ret < 0)
		return ret;
	for (;;) {
		/* Stopped at a breakpoint?  Running again steps over it. */
		ret = run_until_event(v, &ev);
		if (ret <= 0)
			return ret;
		switch (kvmdbg_event_get_type(ev)) {
		case KVMDBG_EVENT_GUEST_BREAKPOINT:
		case KVMDBG_EVENT_GUEST_DEBUG:
			/* The guest's own int3 or #DB (a kprobe, say): hand it back. */
			ret = kvmdbg_vcpu_reinject(v->dbg_vcpu, ev);
			if (ret < 0)
				return ret;
			continue;
		default:
			gdb_stop_reply(ev, reply, size);
			return 1;
		}
	}
}
/* snippet end */

/* snippet: gdb-interrupt */
/* A signal makes KVM_RUN return -EINTR; the handler has nothing to do. */
static void on_kick_signal(int sig)
{
	(void)sig;
}

static void kick_vcpu_thread(void *data)
{
	pthread_kill(*(pthread_t *)data, SIGUSR1);
}

/* Once, for the vCPU thread; kvmdbg_vcpu_kick() from any thread then interrupts it. */
static int setup_kick(struct kvmdbg_vcpu *vcpu, pthread_t *vcpu_thread)
{
	struct sigaction sa = { .sa_handler = on_kick_signal };	/* no SA_RESTART */

	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	return kvmdbg_vcpu_set_kick(vcpu, kick_vcpu_thread, vcpu_thread);
}
/* snippet end */

/* The vCPU thread takes one resume command at a time from the stub thread. */
struct stub {
	struct vmm v;
	pthread_t vcpu_thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char cmd;		/* 'c', 's', 'q' (quit), or 0 when idle */
	bool running;		/* inside gdb_resume() */
	int result;
	char reply[64];
};

static void *vcpu_main(void *data)
{
	struct stub *s = data;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		char cmd;

		while (!s->cmd)
			pthread_cond_wait(&s->cond, &s->lock);
		cmd = s->cmd;
		if (cmd == 'q')
			break;
		s->running = true;
		pthread_mutex_unlock(&s->lock);
		s->result = gdb_resume(&s->v, cmd == 's', s->reply, sizeof(s->reply));
		pthread_mutex_lock(&s->lock);
		s->running = false;
		s->cmd = 0;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void send_cmd(struct stub *s, char cmd)
{
	pthread_mutex_lock(&s->lock);
	s->cmd = cmd;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void wait_reply(struct stub *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->cmd)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

static int expect(const char *what, const char *got, const char *want)
{
	printf("%-24s -> \"%s\"\n", what, got);
	if (strcmp(got, want) == 0)
		return 0;
	fprintf(stderr, "gdbstub-core: %s: \"%s\", expected \"%s\"\n", what, got, want);
	return -1;
}

static int session(struct stub *s)
{
	char packet[64], reply[64];
	uint16_t ip = 0;
	int bad = 0;

	/* Z1: a hardware breakpoint at the first inc; twice, as GDB may do; Z3 on x86. */
	snprintf(packet, sizeof(packet), "Z1,%" PRIx64 ",1", GUEST_ADDR(gdb_guest_bp));
	bad |= expect(packet, gdb_z_packet(s->v.dbg, packet), "OK");
	bad |= expect(packet, gdb_z_packet(s->v.dbg, packet), "OK");
	snprintf(packet, sizeof(packet), "Z3,%x,2", TINYVM_DATA);
	bad |= expect(packet, gdb_z_packet(s->v.dbg, packet), "");

	/*
	 * m and M around a planted software breakpoint (inserted while the vCPU is stopped, and
	 * removed before it runs, since some KVMs never report int3): m shows the original
	 * "inc %ax" (0x40), M replaces it by "inc %cx" (0x41) under the breakpoint, and the
	 * removal then leaves what M wrote.
	 */
	snprintf(packet, sizeof(packet), "Z0,%" PRIx64 ",1", GUEST_ADDR(gdb_guest_next));
	bad |= expect(packet, gdb_z_packet(s->v.dbg, packet), "OK");
	snprintf(packet, sizeof(packet), "m%" PRIx64 ",1", GUEST_ADDR(gdb_guest_next));
	gdb_m_packet(s->v.dbg, s->v.dbg_vcpu, packet, reply, sizeof(reply));
	bad |= expect(packet, reply, "40");
	snprintf(packet, sizeof(packet), "M%" PRIx64 ",1:41", GUEST_ADDR(gdb_guest_next));
	bad |= expect(packet, gdb_M_packet(s->v.dbg, s->v.dbg_vcpu, packet), "OK");
	if (s->v.ram[GUEST_ADDR(gdb_guest_next)] != 0xcc)
		bad |= expect("guest RAM", "no int3", "int3");
	snprintf(packet, sizeof(packet), "m%" PRIx64 ",1", GUEST_ADDR(gdb_guest_next));
	gdb_m_packet(s->v.dbg, s->v.dbg_vcpu, packet, reply, sizeof(reply));
	bad |= expect(packet, reply, "41");
	snprintf(packet, sizeof(packet), "z0,%" PRIx64 ",1", GUEST_ADDR(gdb_guest_next));
	bad |= expect(packet, gdb_z_packet(s->v.dbg, packet), "OK");
	snprintf(reply, sizeof(reply), "%02x", s->v.ram[GUEST_ADDR(gdb_guest_next)]);
	bad |= expect("guest RAM after z0", reply, "41");
	/* m across the end of guest RAM: nothing there to read */
	snprintf(packet, sizeof(packet), "m%x,2", TINYVM_RAM_SIZE - 1);
	gdb_m_packet(s->v.dbg, s->v.dbg_vcpu, packet, reply, sizeof(reply));
	bad |= expect(packet, reply, "E14");

	send_cmd(s, 'c');
	wait_reply(s);
	bad |= expect("c", s->result == 1 ? s->reply : "(no stop)", "T05hwbreak:;");

	/* One instruction: from the breakpoint to the next one. */
	send_cmd(s, 's');
	wait_reply(s);
	bad |= expect("s", s->result == 1 ? s->reply : "(no stop)", "T05");
	if (tinyvm_get_ip(&s->v.t, &ip) < 0)
		return -1;
	printf("%-24s    pc 0x%" PRIx64 "\n", "", tinyvm_addr(ip));
	if (tinyvm_addr(ip) != GUEST_ADDR(gdb_guest_next))
		bad = -1;

	snprintf(packet, sizeof(packet), "z1,%" PRIx64 ",1", GUEST_ADDR(gdb_guest_bp));
	bad |= expect(packet, gdb_z_packet(s->v.dbg, packet), "OK");

	/* "c" into the spin loop; GDB's ^C arrives once the guest spins. */
	send_cmd(s, 'c');
	for (int i = 0; i < 10000 && !__atomic_load_n(&s->v.ram[TINYVM_DATA], __ATOMIC_ACQUIRE);
	     i++)
		usleep(1000);
	usleep(20 * 1000);
	kvmdbg_vcpu_kick(s->v.dbg_vcpu);
	wait_reply(s);
	bad |= expect("^C", s->result == 1 ? s->reply : "(no stop)", "T02");
	return bad;
}

int main(void)
{
	struct stub s = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	int ret;

	alarm(30);
	ret = vmm_open(&s.v, "gdbstub-core", gdb_guest, (size_t)(gdb_guest_end - gdb_guest));
	if (ret != 0)
		return ret == TINYVM_EXIT_SKIP ? TINYVM_EXIT_SKIP : 1;
	if (pthread_create(&s.vcpu_thread, NULL, vcpu_main, &s) != 0) {
		vmm_close(&s.v);
		return 1;
	}
	ret = setup_kick(s.v.dbg_vcpu, &s.vcpu_thread);
	if (ret == 0)
		ret = session(&s);
	send_cmd(&s, 'q');
	pthread_join(s.vcpu_thread, NULL);
	vmm_close(&s.v);
	return ret < 0 ? 1 : 0;
}
