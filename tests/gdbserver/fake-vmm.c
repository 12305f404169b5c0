// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fake VMM and the gdb client of the gdbserver suite (see fake-vmm.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "fake-vmm.h"

#define PORT_EXIT 0xf4
#define PORT_FAULT 0xf5
#define GDB_SIGSEGV 11

/* ------------------------------------------------------------------ the gdb end */

void gdb_init(struct gdb *g, int fd)
{
	struct stat st;

	g->fd = fd;
	g->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	g->noack = false;
	g->in = g_string_new(NULL);
	g->output = g_string_new(NULL);
}

void gdb_fini(struct gdb *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g_string_free(g->in, TRUE);
	g_string_free(g->output, TRUE);
}

void gdb_send_raw(struct gdb *g, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = g->is_socket ? send(g->fd, p, len, MSG_NOSIGNAL) : write(g->fd, p, len);

		g_assert_cmpint(n, >, 0);
		p += n;
		len -= (size_t)n;
	}
}

void gdb_send_packet(struct gdb *g, const void *payload, size_t len)
{
	GString *s = g_string_new("$");
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + ((const uint8_t *)payload)[i]);
	g_string_append_len(s, payload, (gssize)len);
	g_string_append_printf(s, "#%02x", sum);
	gdb_send_raw(g, s->str, s->len);
	g_string_free(s, TRUE);
}

/* More bytes within timeout_ms: true if some came. */
static bool fill(struct gdb *g, int timeout_ms)
{
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	n = read(g->fd, buf, sizeof(buf));
	if (n <= 0)
		return false;
	g_string_append_len(g->in, buf, n);
	return true;
}

int gdb_read_byte(struct gdb *g, int timeout_ms)
{
	int b;

	if (!g->in->len && !fill(g, timeout_ms))
		return -1;
	b = (unsigned char)g->in->str[0];
	g_string_erase(g->in, 0, 1);
	return b;
}

char *gdb_read_packet(struct gdb *g, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	for (;;) {
		const char *start = memchr(g->in->str, '$', g->in->len), *hash = NULL;

		if (start)
			hash = memchr(start, '#', g->in->len - (size_t)(start - g->in->str));

		if (hash && (size_t)(hash - g->in->str) + 3 <= g->in->len) {
			size_t off = (size_t)(start - g->in->str) + 1;
			size_t len = (size_t)(hash - start) - 1;
			char *payload = g_strndup(start + 1, len);
			unsigned int sum = 0, want;
			char cs[3] = { hash[1], hash[2], 0 };

			for (size_t i = 0; i < len; i++)
				sum += (unsigned char)payload[i];
			want = (unsigned int)strtoul(cs, NULL, 16);
			g_assert_cmphex(sum & 0xff, ==, want);
			g_string_erase(g->in, 0, (gssize)(off + len + 3));
			if (!g->noack)
				gdb_send_raw(g, "+", 1);
			return payload;
		}
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;

		if (left <= 0 || !fill(g, (int)left))
			return NULL;
	}
}

static char *reply_skipping_output(struct gdb *g, int timeout_ms)
{
	for (;;) {
		char *r = gdb_read_packet(g, timeout_ms);

		if (!r)
			return NULL;
		if (r[0] == 'O' && strcmp(r, "OK") && strspn(r + 1, "0123456789abcdef") ==
								    strlen(r + 1)) {
			for (size_t i = 1; r[i] && r[i + 1]; i += 2) {
				char hex[3] = { r[i], r[i + 1], 0 };

				g_string_append_c(g->output, (char)strtoul(hex, NULL, 16));
			}
			g_free(r);
			continue;
		}
		return r;
	}
}

char *gdb_cmd_len(struct gdb *g, const void *payload, size_t len)
{
	gdb_send_packet(g, payload, len);
	if (!g->noack)
		g_assert_cmpint(gdb_read_byte(g, 5000), ==, '+');
	return reply_skipping_output(g, 10000);
}

char *gdb_cmd(struct gdb *g, const char *payload)
{
	return gdb_cmd_len(g, payload, strlen(payload));
}

char *gdb_reply(struct gdb *g, int timeout_ms)
{
	return reply_skipping_output(g, timeout_ms);
}

bool gdb_quiet(struct gdb *g, int ms)
{
	return !g->in->len && !fill(g, ms);
}

char *gdb_take_output(struct gdb *g)
{
	char *s = g_strdup(g->output->str);

	g_string_truncate(g->output, 0);
	return s;
}

const char *le64(uint64_t v)
{
	static __thread char buf[17];

	for (int i = 0; i < 8; i++)
		snprintf(buf + 2 * i, 3, "%02x", (unsigned int)(v >> (8 * i)) & 0xff);
	return buf;
}

uint64_t stop_pc(const char *reply)
{
	const char *p = strstr(reply, ";10:");
	uint64_t v = 0;

	if (!p)
		return 0;
	for (int i = 7; i >= 0; i--) {
		char hex[3] = { p[4 + 2 * i], p[5 + 2 * i], 0 };

		v = v << 8 | strtoul(hex, NULL, 16);
	}
	return v;
}

/* ------------------------------------------------------------------ the VMM */

uint64_t fvm_pc(struct fvm *f, unsigned int i)
{
	uint64_t pc;

	pthread_mutex_lock(&f->machine);
	pc = model_pc(f->cpu[i].mv);
	pthread_mutex_unlock(&f->machine);
	return pc;
}

uint64_t fvm_retired(struct fvm *f, unsigned int i)
{
	uint64_t n;

	pthread_mutex_lock(&f->machine);
	n = model_retired(f->cpu[i].mv);
	pthread_mutex_unlock(&f->machine);
	return n;
}

void fvm_gate(struct fvm *f, unsigned int n, const unsigned int *order)
{
	pthread_mutex_lock(&f->gate_lock);
	f->gate_n = n;
	f->gate_arrived = 0;
	f->gate_turn = 0;
	memcpy(f->gate_order, order, n * sizeof(*order));
	pthread_mutex_unlock(&f->gate_lock);
}

/* A debug exit of a gated vCPU waits until all are there, then for its turn. */
static int gate_enter(struct fvm *f, unsigned int index)
{
	int pos = -1;

	pthread_mutex_lock(&f->gate_lock);
	for (unsigned int i = 0; i < f->gate_n; i++)
		if (f->gate_order[i] == index)
			pos = (int)i;
	if (pos < 0) {
		pthread_mutex_unlock(&f->gate_lock);
		return -1;
	}
	f->gate_arrived++;
	pthread_cond_broadcast(&f->gate_cond);
	while (f->gate_arrived < f->gate_n || f->gate_turn != (unsigned int)pos)
		pthread_cond_wait(&f->gate_cond, &f->gate_lock);
	pthread_mutex_unlock(&f->gate_lock);
	return pos;
}

static void gate_leave(struct fvm *f)
{
	pthread_mutex_lock(&f->gate_lock);
	if (++f->gate_turn == f->gate_n)
		f->gate_n = 0;
	pthread_cond_broadcast(&f->gate_cond);
	pthread_mutex_unlock(&f->gate_lock);
}

/* The VMM's own exits: the ports of the guest programs, hlt. */
static bool vmm_exit(struct fcpu *c)
{
	struct fvm *f = c->f;
	const struct model_exit *e;
	int kind;
	uint16_t port;

	pthread_mutex_lock(&f->machine);
	e = model_last_exit(c->mv);
	kind = e->kind;
	pthread_mutex_unlock(&f->machine);
	if (kind == ME_HALT) {
		atomic_store(&c->last_error, kvmdbg_gdbserver_vcpu_halt(f->srv, c->index));
		return false;
	}
	if (kind != ME_IO)
		return true;
	port = c->run->io.port;
	if (port == PORT_EXIT)
		kvmdbg_gdbserver_vcpu_report_exit(f->srv, c->index, FV_EXIT_STATUS);
	else if (port == PORT_FAULT)
		kvmdbg_gdbserver_vcpu_report_stop(f->srv, c->index, GDB_SIGSEGV,
						  "a triple fault of the fake guest");
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct fcpu *c = arg;
	struct fvm *f = c->f;

	for (;;) {
		int ret = kvmdbg_gdbserver_vcpu_pre_run(f->srv, c->index), run, gated;

		if (ret == -ENOTCONN && f->sync) {
			/* the single-threaded VMM's gdb went away: wait for the next one */
			pthread_mutex_lock(&f->gate_lock);
			while (f->sync_next_fd == -1)
				pthread_cond_wait(&f->sync_cond, &f->gate_lock);
			/* -2: the test has no new connection, the VMM ends */
			if (f->sync_next_fd == -2) {
				pthread_mutex_unlock(&f->gate_lock);
				atomic_store(&c->last_error, -ENOTCONN);
				break;
			}
			ret = kvmdbg_gdbserver_attach(f->srv, f->sync_next_fd);
			f->sync_next_fd = -1;
			pthread_mutex_unlock(&f->gate_lock);
			g_assert_cmpint(ret, ==, 0);
			continue;
		}
		if (ret < 0) {
			atomic_store(&c->last_error, ret);
			break;
		}
		pthread_mutex_lock(&f->machine);
		run = model_run(c->mv);
		pthread_mutex_unlock(&f->machine);
		atomic_fetch_add(&c->runs, 1);
		gated = run == 0 && c->run->exit_reason == KVM_EXIT_DEBUG ? gate_enter(f, c->index)
									  : -1;
		ret = kvmdbg_gdbserver_vcpu_handle_exit(f->srv, c->index, run);
		if (gated >= 0)
			gate_leave(f);
		if (ret < 0) {
			atomic_store(&c->last_error, ret);
			continue;
		}
		if (ret == KVMDBG_EXIT_NOT_DEBUG && !vmm_exit(c))
			break;
	}
	return NULL;
}

static void log_fn(void *user_data, int level, const char *message)
{
	struct fvm *f = user_data;

	pthread_mutex_lock(&f->log_lock);
	g_string_append_printf(f->log, "%d %s\n", level, message);
	pthread_mutex_unlock(&f->log_lock);
}

static void on_pause(void *data)
{
	atomic_fetch_add(&((struct fvm *)data)->pauses, 1);
}

static void on_resume(void *data)
{
	struct fvm *f = data;

	atomic_fetch_add(&f->resumes, 1);
	if (atomic_exchange(&f->exit_on_resume, false))
		atomic_store(&f->exit_on_resume_ret,
			     kvmdbg_gdbserver_vcpu_report_exit(f->srv, 0, FV_EXIT_STATUS));
}

static void on_end(void *data, int fd, int end)
{
	struct fvm *f = data;
	int n = 0;

	(void)fd;
	while (n < 7 && atomic_load(&f->sync_ends[n]))
		n++;
	atomic_store(&f->sync_ends[n], end);
	atomic_store(&f->sync_last_end, end);
}

static void build_program(struct model *m)
{
	uint64_t pc;

	pc = model_nop(m, FV_LOOP0);
	pc = model_store(m, pc, FV_DATA, 4);
	pc = model_nop(m, pc);
	pc = model_nop(m, pc);
	model_jump(m, pc, FV_LOOP0);
	pc = model_nop(m, FV_LOOP1);
	pc = model_nop(m, pc);
	model_jump(m, pc, FV_LOOP1);
	model_simple(m, FV_EXIT, MI_OUT, PORT_EXIT);
	model_simple(m, FV_FAULT, MI_OUT, PORT_FAULT);
	model_simple(m, FV_HALT, MI_HALT, 0);
	pc = model_simple(m, FV_BRK, MI_BRK, 0);
	model_jump(m, pc, pc);
}

static struct fvm *create(unsigned int nr, const uint64_t *pcs, bool sync)
{
	struct fvm *f = g_new0(struct fvm, 1);

	f->nr = nr;
	f->sync = sync;
	f->sv[0] = f->sv[1] = -1;
	f->sync_next_fd = -1;
	f->log = g_string_new(NULL);
	pthread_mutex_init(&f->machine, NULL);
	pthread_mutex_init(&f->gate_lock, NULL);
	pthread_mutex_init(&f->log_lock, NULL);
	pthread_cond_init(&f->gate_cond, NULL);
	pthread_cond_init(&f->sync_cond, NULL);
	fake_kernel_reset();
	fake_edge_reset();
	f->m = model_new(MODEL_X86, FV_RAM, FV_RAM_SIZE);
	build_program(f->m);
	model_install(f->m);
	g_assert_cmpint(kvmdbg_vm_new(FV_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FV_RAM, FV_RAM_SIZE, model_ram(f->m)), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_new(f->vm, &f->srv), ==, 0);
	kvmdbg_gdbserver_set_log_fn(f->srv, log_fn, f);
	kvmdbg_gdbserver_set_vmm_fns(f->srv, on_pause, on_resume, f);
	kvmdbg_gdbserver_set_end_fn(f->srv, on_end, f);
	for (unsigned int i = 0; i < nr; i++) {
		struct fcpu *c = &f->cpu[i];

		c->f = f;
		c->index = i;
		c->fd = FV_FD + (int)i;
		c->run = fake_run_new();
		c->mv = model_vcpu_new(f->m, c->fd, c->run, pcs[i]);
		c->regs.rbp = 0x1000 + i;
		c->regs.rsp = 0x2000 + i;
		c->regs.rflags = 0x2;
		c->sregs.cs.selector = 0x8;
		c->sregs.ss.selector = 0x10;
		c->sregs.cr0 = 0x80010033;
		c->sregs.cr3 = 0x2000;
		c->sregs.efer = 0x500;
		fake_edge_register(c);
		g_assert_cmpint(kvmdbg_vcpu_new(f->vm, c->fd, c->run, &c->dbg), ==, 0);
		g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(f->srv, c->dbg, c->fd), ==, (int)i);
	}
	return f;
}

static void start(struct fvm *f)
{
	for (unsigned int i = 0; i < f->nr; i++) {
		g_assert_cmpint(pthread_create(&f->cpu[i].thread, NULL, vcpu_thread, &f->cpu[i]),
				==, 0);
		f->cpu[i].started = true;
	}
}

struct fvm *fvm_new(unsigned int nr, const uint64_t *pcs)
{
	struct fvm *f = create(nr, pcs, false);

	g_assert_cmpint(kvmdbg_gdbserver_stop(f->srv), ==, 0);
	start(f);
	return f;
}

struct fvm *fvm_new_sync(uint64_t pc)
{
	struct fvm *f = create(1, &pc, true);

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sv), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_attach(f->srv, f->sv[1]), ==, 0);
	start(f);
	return f;
}

static void *server_thread(void *arg)
{
	struct fvm *f = arg;

	atomic_store(&f->end, kvmdbg_gdbserver_serve(f->srv, f->serve_fd));
	return NULL;
}

void fvm_serve_fd(struct fvm *f, int fd)
{
	f->serve_fd = fd;
	atomic_store(&f->end, 0);
	g_assert_cmpint(pthread_create(&f->server, NULL, server_thread, f), ==, 0);
	f->serving = true;
}

int fvm_serve(struct fvm *f)
{
	if (f->sv[1] >= 0)
		close(f->sv[1]);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sv), ==, 0);
	fvm_serve_fd(f, f->sv[1]);
	return f->sv[0];
}

int fvm_serve_end(struct fvm *f)
{
	g_assert_true(f->serving);
	pthread_join(f->server, NULL);
	f->serving = false;
	return atomic_load(&f->end);
}

void fvm_free(struct fvm *f)
{
	/* the test has closed its gdb end: a single-threaded VMM's session has ended */
	kvmdbg_gdbserver_shutdown(f->srv);
	if (f->serving)
		fvm_serve_end(f);
	for (unsigned int i = 0; i < f->nr; i++) {
		if (f->cpu[i].started) {
			kvmdbg_vcpu_kick(f->cpu[i].dbg);
			pthread_join(f->cpu[i].thread, NULL);
		}
	}
	kvmdbg_gdbserver_free(f->srv);
	for (unsigned int i = 0; i < f->nr; i++) {
		kvmdbg_vcpu_free(f->cpu[i].dbg);
		g_free(f->cpu[i].run);
	}
	kvmdbg_vm_free(f->vm);
	model_free(f->m);
	fake_kernel_reset();
	fake_edge_reset();
	if (f->sv[1] >= 0)
		close(f->sv[1]);
	g_string_free(f->log, TRUE);
	pthread_mutex_destroy(&f->machine);
	pthread_mutex_destroy(&f->gate_lock);
	pthread_mutex_destroy(&f->log_lock);
	pthread_cond_destroy(&f->gate_cond);
	pthread_cond_destroy(&f->sync_cond);
	g_free(f);
}
