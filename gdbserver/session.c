// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One gdb session: the packets, their replies, and the loops that serve them.
 *
 * While the guest is stopped, every packet gets a reply: what we do not know gets the empty
 * reply the protocol means for "not supported", anything malformed "E22", memory that is not
 * there "E14", and so on (the numbers are errno values, as other stubs use them).  While it
 * runs, the only thing gdb sends is Ctrl-C (0x03); the stop that ends the run becomes a T
 * (or W) stop reply.
 *
 * Threads are the vCPUs: gdb's thread N is the vCPU of index N - 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MONITOR_MAX 256	       /* characters of a monitor command */
#define MONITOR_OUT 0x4000     /* bytes of its answer */
#define THREADS_PER_REPLY 1000 /* thread ids in one qfThreadInfo/qsThreadInfo reply */

struct gs_session {
	struct kvmdbg_gdbserver *server;
	struct gs_conn conn;
	char *out;		    /* a reply being built, GS_PACKET_MAX + 1 bytes */
	uint8_t *mem;		    /* GS_MEM_MAX bytes for m, M and registers */
	uint8_t *old;		    /* GS_MEM_MAX bytes: what an M or X overwrites */
	unsigned int g_thread;	    /* vCPU index for g, G, p, P, m, M, X */
	int c_thread;		    /* vCPU index for c and s, or -1 for all */
	unsigned int thread_cursor; /* where qsThreadInfo goes on */
	bool gdb_swbreak;	    /* gdb understands the swbreak and hwbreak stop reasons */
	bool gdb_hwbreak;
	bool sync;    /* served from a single-threaded VMM's hooks */
	bool begun;   /* the guest was stopped for this session */
	bool running; /* gdb waits for a stop reply */
	bool lost;    /* the connection closed while the guest ran (single-threaded VMM) */
	bool done;
	int end;
};

int session_new(struct kvmdbg_gdbserver *server, int fd, bool sync, struct gs_session **ret)
{
	struct gs_session *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->out = malloc(GS_PACKET_MAX + 1);
	s->mem = malloc(GS_MEM_MAX);
	s->old = malloc(GS_MEM_MAX);
	if (!s->out || !s->mem || !s->old) {
		free(s->out);
		free(s->mem);
		free(s->old);
		free(s);
		return -ENOMEM;
	}
	conn_init(&s->conn, server, fd);
	s->server = server;
	s->sync = sync;
	s->c_thread = -1;
	*ret = s;
	return 0;
}

void session_free(struct gs_session *s)
{
	if (!s)
		return;
	conn_fini(&s->conn);
	free(s->out);
	free(s->mem);
	free(s->old);
	free(s);
}

bool session_running(const struct gs_session *s)
{
	return s->running;
}

static struct gs_vcpu *current(struct gs_session *s)
{
	return s->server->vcpus[s->g_thread];
}

static int reply(struct gs_session *s, const char *text)
{
	return conn_send_str(&s->conn, text);
}

static int reply_error(struct gs_session *s, int err)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "E%02d", err < 0 && -err < 100 ? -err : 1);
	return reply(s, buf);
}

static void end_session(struct gs_session *s, int end)
{
	s->done = true;
	s->end = end;
}

/* "<hex>" that runs exactly to end. */
static int parse_hex_to(const char *p, const char *end, uint64_t *ret)
{
	if (hex_parse_u64(&p, end, ret) < 0 || p != end)
		return -EINVAL;
	return 0;
}

/* "<hex><sep>" at *p. */
static int parse_hex_sep(const char **p, const char *end, char sep, uint64_t *ret)
{
	if (hex_parse_u64(p, end, ret) < 0 || *p >= end || **p != sep)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* A thread-id: "-1" (all), "0" (any), "N" or "pP.N": -1, 0, or N of a vCPU; else -EINVAL. */
static int parse_thread(struct gs_session *s, const char *p, const char *end)
{
	uint64_t tid;

	if (p < end && *p == 'p') {
		const char *dot = memchr(p, '.', (size_t)(end - p));

		if (!dot)
			return -EINVAL;
		p = dot + 1;
	}
	if (end - p == 2 && p[0] == '-' && p[1] == '1')
		return -1;
	if (parse_hex_to(p, end, &tid) < 0 || tid > s->server->nr_vcpus)
		return -EINVAL;
	return (int)tid;
}

static void select_thread(struct gs_session *s, unsigned int index)
{
	s->g_thread = index;
	/* gdb's addresses are the selected thread's: translated through its vCPU */
	kvmdbg_vm_set_translate_vcpu(s->server->vm, s->server->vcpus[index]->vcpu);
}

/* "NN:value;" for each register gdb needs first at a stop. */
static size_t expedite(struct gs_session *s, unsigned int index, char *out, size_t size)
{
	struct gs_vcpu *v = s->server->vcpus[index];
	size_t n = 0;

	for (unsigned int i = 0; i < 3; i++) {
		unsigned int regno = gs_arch.expedite[i], len = regs_size(regno);
		char hex[2 * 16 + 1];
		uint8_t buf[16];

		if (regs_read(v->regs, v->fd, regno, buf) < 0)
			return 0;
		hex_encode(buf, len, hex);
		if (n < size)
			n += (size_t)snprintf(out + n, size - n, "%02x:%s;", regno, hex);
	}
	return n < size ? n : 0;
}

static void send_stop(struct gs_session *s, const struct gs_stop *stop, bool new)
{
	char *out = s->out;
	size_t n;

	/* a new stop, not the answer to '?': gdb shows the note first */
	if (new && stop->note[0]) {
		char line[sizeof(stop->note) + 2];

		gs_log(s->server, KVMDBG_GDBSERVER_LOG_INFO, "%s", stop->note);
		snprintf(line, sizeof(line), "%s\n", stop->note);
		conn_send_output(&s->conn, line);
	}
	if (stop->kind == GS_STOP_EXITED) {
		snprintf(out, GS_PACKET_MAX, "W%02x", stop->status & 0xff);
		reply(s, out);
		end_session(s, KVMDBG_GDBSERVER_END_EXITED);
		return;
	}
	if (stop->vcpu < s->server->nr_vcpus)
		select_thread(s, stop->vcpu);
	n = (size_t)snprintf(out, GS_PACKET_MAX, "T%02xthread:%x;", stop->signal & 0xff,
			     s->g_thread + 1);
	switch (stop->reason) {
	case GS_REASON_SWBREAK:
		if (s->gdb_swbreak)
			n += (size_t)snprintf(out + n, GS_PACKET_MAX - n, "swbreak:;");
		break;
	case GS_REASON_HWBREAK:
		if (s->gdb_hwbreak)
			n += (size_t)snprintf(out + n, GS_PACKET_MAX - n, "hwbreak:;");
		break;
	case GS_REASON_WATCH:
	case GS_REASON_RWATCH:
	case GS_REASON_AWATCH:
		n += (size_t)snprintf(out + n, GS_PACKET_MAX - n, "%s:%" PRIx64 ";",
				      stop->reason == GS_REASON_WATCH	 ? "watch"
				      : stop->reason == GS_REASON_RWATCH ? "rwatch"
									 : "awatch",
				      stop->data_addr);
		break;
	case GS_REASON_NONE:
		break;
	}
	n += expedite(s, s->g_thread, out + n, GS_PACKET_MAX - n);
	conn_send(&s->conn, out, n);
}

/* Start a resume; a stop that is ready at once is reported at once. */
static void do_resume(struct gs_session *s, const enum gs_action *actions, const int *signals)
{
	struct gs_stop stop;
	int ret;

	ret = resume_vcpus(s->server, actions, signals, &stop);
	if (ret < 0) {
		gs_log(s->server, KVMDBG_GDBSERVER_LOG_ERROR, "cannot resume: %s", strerror(-ret));
		reply_error(s, ret);
	} else if (ret == 1) {
		send_stop(s, &stop, true);
	} else {
		s->running = true;
	}
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr]: the Hc thread, or every one for c. */
static void handle_old_resume(struct gs_session *s, char cmd, const char *p, const char *end)
{
	unsigned int nr = s->server->nr_vcpus, target;
	bool step = cmd == 's' || cmd == 'S';
	enum gs_action *actions;
	int *signals;
	uint64_t sig = 0, addr;
	bool has_addr = false;

	if (cmd == 'C' || cmd == 'S') {
		if (hex_parse_u64(&p, end, &sig) < 0 || sig > 0xff)
			goto bad;
		if (p < end && *p++ != ';')
			goto bad;
	}
	if (p < end) {
		if (parse_hex_to(p, end, &addr) < 0)
			goto bad;
		has_addr = true;
	}
	target = s->c_thread >= 0 ? (unsigned int)s->c_thread : s->g_thread;
	if (has_addr) {
		struct gs_vcpu *v = s->server->vcpus[target];
		bool moved = false;
		uint8_t le[8];
		int ret;

		for (int i = 0; i < 8; i++)
			le[i] = (uint8_t)(addr >> (8 * i));
		ret = regs_write(v->regs, v->fd, gs_arch.expedite[2], 1, le, &moved);
		if (moved)
			vcpu_pc_moved(v);
		if (ret < 0) {
			reply_error(s, ret);
			return;
		}
	}
	actions = calloc(nr, sizeof(*actions));
	signals = calloc(nr, sizeof(*signals));
	if (!actions || !signals) {
		free(actions);
		free(signals);
		reply_error(s, -ENOMEM);
		return;
	}
	for (unsigned int i = 0; i < nr; i++) {
		/* a step moves one thread; a continue of "all" moves every one */
		if (i == target)
			actions[i] = step ? GS_ACT_STEP : GS_ACT_CONTINUE;
		else if (!step && s->c_thread < 0)
			actions[i] = GS_ACT_CONTINUE;
	}
	signals[target] = (int)sig;
	do_resume(s, actions, signals);
	free(actions);
	free(signals);
	return;
bad:
	reply_error(s, -EINVAL);
}

/* vCont;action[:thread-id]...: the leftmost action that names a thread applies to it. */
static void handle_vcont(struct gs_session *s, const char *p, const char *end)
{
	unsigned int nr = s->server->nr_vcpus;
	enum gs_action *actions = calloc(nr, sizeof(*actions));
	int *signals = calloc(nr, sizeof(*signals));
	bool *assigned = calloc(nr, sizeof(*assigned));
	bool any = false;

	if (!actions || !signals || !assigned) {
		reply_error(s, -ENOMEM);
		goto out;
	}
	if (p == end)
		goto bad;
	while (p < end) {
		enum gs_action act;
		const char *next;
		uint64_t sig = 0;
		int tid = -1;

		if (*p++ != ';' || p == end)
			goto bad;
		switch (*p++) {
		case 'c':
			act = GS_ACT_CONTINUE;
			break;
		case 's':
			act = GS_ACT_STEP;
			break;
		case 'C':
			act = GS_ACT_CONTINUE;
			if (hex_parse_u64(&p, end, &sig) < 0 || sig > 0xff)
				goto bad;
			break;
		case 'S':
			act = GS_ACT_STEP;
			if (hex_parse_u64(&p, end, &sig) < 0 || sig > 0xff)
				goto bad;
			break;
		case 't':
			/* stop: all-stop keeps every thread not named otherwise stopped anyway */
			act = GS_ACT_NONE;
			break;
		default:
			goto bad;
		}
		next = memchr(p, ';', (size_t)(end - p));
		if (!next)
			next = end;
		if (p < next) {
			if (*p != ':')
				goto bad;
			tid = parse_thread(s, p + 1, next);
			if (tid < -1)
				goto bad;
			if (tid == 0)
				tid = (int)s->g_thread + 1;
		}
		for (unsigned int i = 0; i < nr; i++) {
			if (assigned[i] || (tid > 0 && (unsigned int)tid != i + 1))
				continue;
			assigned[i] = true;
			actions[i] = act;
			signals[i] = (int)sig;
			any |= act != GS_ACT_NONE;
		}
		p = next;
	}
	/* nothing to run: no stop reply would ever come */
	if (!any)
		goto bad;
	do_resume(s, actions, signals);
	goto out;
bad:
	reply_error(s, -EINVAL);
out:
	free(actions);
	free(signals);
	free(assigned);
}

static void handle_read_memory(struct gs_session *s, const char *p, const char *end)
{
	struct gs_vcpu *v = current(s);
	uint64_t addr, len;
	size_t done = 0;

	if (parse_hex_sep(&p, end, ',', &addr) < 0 || parse_hex_to(p, end, &len) < 0 ||
	    len > GS_MEM_MAX) {
		reply_error(s, -EINVAL);
		return;
	}
	/* page by page: a read that runs into an unmapped page gives the bytes before it */
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = 0x1000 - (size_t)(a & 0xfff);
		int ret;

		if (done && a == 0)
			break; /* the end of the address space */
		if (n > len - done)
			n = (size_t)len - done;
		ret = kvmdbg_vm_read_memory(s->server->vm, v->vcpu, a, s->mem + done, n);
		if (ret < 0) {
			if (!done) {
				reply_error(s, ret == -EINVAL ? -EFAULT : ret);
				return;
			}
			break;
		}
		done += n;
	}
	hex_encode(s->mem, done, s->out);
	reply(s, s->out);
}

/* M addr,len:hex and X addr,len:binary */
static void handle_write_memory(struct gs_session *s, bool binary, char *p, char *end)
{
	const char *q = p;
	uint64_t addr, len;
	const uint8_t *data;
	int ret;

	if (parse_hex_sep(&q, end, ',', &addr) < 0 || parse_hex_sep(&q, end, ':', &len) < 0 ||
	    len > GS_MEM_MAX) {
		reply_error(s, -EINVAL);
		return;
	}
	p += q - p; /* past "addr,len:", where the data starts (X decodes it in place) */
	if (binary) {
		long n = binary_unescape(p, (size_t)(end - p));

		if (n < 0 || (uint64_t)n != len) {
			reply_error(s, -EINVAL);
			return;
		}
		data = (const uint8_t *)p;
	} else {
		if (hex_decode(p, (size_t)(end - p), s->mem, len) < 0) {
			reply_error(s, -EINVAL);
			return;
		}
		data = s->mem;
	}
	if (!len) {
		reply(s, "OK"); /* gdb's probe for X */
		return;
	}
	/* past the end of the address space is unmapped too */
	if (addr + len - 1 < addr) {
		reply_error(s, -EFAULT);
		return;
	}
	/*
	 * All or nothing: libkvmdbg translates every page before it writes, but finds a page
	 * that translates to no guest RAM only when it gets there, after writing the pages
	 * before it.  A read of the whole range first finds it.
	 */
	ret = kvmdbg_vm_read_memory(s->server->vm, current(s)->vcpu, addr, s->old, len);
	/* the bytes under a breakpoint become its saved original: it keeps working */
	if (ret == 0)
		ret = kvmdbg_vm_write_memory(s->server->vm, current(s)->vcpu, addr, data, len);
	if (ret < 0)
		reply_error(s, ret);
	else
		reply(s, "OK");
}

/* Why a Z packet was refused, for the log: gdb's own message may not say. */
static const char *refusal(struct gs_session *s, int type, int err)
{
	const char *why = "";

	switch (err) {
	case -ENOSPC:
		return "every hardware debug slot is in use";
	case -EFAULT:
		return "the address is not mapped";
	case -ENODEV:
		points_watch_allowed(s->server, type, &why);
		return why;
	default:
		return strerror(-err);
	}
}

static void handle_point(struct gs_session *s, bool insert, const char *p, const char *end)
{
	uint64_t type, addr, kind;
	int ret;

	if (parse_hex_sep(&p, end, ',', &type) < 0 || parse_hex_sep(&p, end, ',', &addr) < 0 ||
	    parse_hex_to(p, end, &kind) < 0) {
		reply_error(s, -EINVAL);
		return;
	}
	if (type > 4) {
		reply(s, "");
		return;
	}
	if (insert)
		ret = points_insert(s->server, (int)type, addr, kind);
	else
		ret = points_remove(s->server, (int)type, addr, kind);
	/*
	 * What the architecture cannot do at all (x86 Z3) gets the protocol's "not
	 * supported".  Never for Z0: gdb would then write breakpoint instructions itself.
	 */
	if (ret == -EOPNOTSUPP && type != 0) {
		reply(s, "");
		return;
	}
	if (ret < 0) {
		/* gdb says "Cannot access memory" for any refused Z0 */
		gs_log(s->server, KVMDBG_GDBSERVER_LOG_INFO, "Z%d at 0x%" PRIx64 " refused: %s",
		       (int)type, addr, refusal(s, (int)type, ret));
		reply_error(s, ret);
		return;
	}
	reply(s, "OK");
}

static void handle_registers(struct gs_session *s, char cmd, const char *p, const char *end)
{
	struct gs_vcpu *v = current(s);
	bool moved = false;
	uint64_t regno;
	size_t n = 0;
	int ret = 0;

	switch (cmd) {
	case 'g':
		if (p != end) {
			ret = -EINVAL;
			break;
		}
		for (unsigned int i = 0; i < gs_arch.nr_regs && ret == 0; i++) {
			ret = regs_read(v->regs, v->fd, i, s->mem);
			hex_encode(s->mem, regs_size(i), s->out + n);
			n += 2 * regs_size(i);
		}
		if (ret == 0)
			reply(s, s->out);
		break;
	case 'G':
		if ((size_t)(end - p) != 2 * regs_g_size() ||
		    hex_decode(p, (size_t)(end - p), s->mem, regs_g_size()) < 0) {
			ret = -EINVAL;
			break;
		}
		ret = regs_write(v->regs, v->fd, 0, gs_arch.nr_regs, s->mem, &moved);
		if (ret == 0)
			reply(s, "OK");
		break;
	case 'p':
		ret = parse_hex_to(p, end, &regno);
		if (ret == 0 && regno >= gs_arch.nr_regs)
			ret = -EINVAL;
		if (ret == 0)
			ret = regs_read(v->regs, v->fd, (unsigned int)regno, s->mem);
		if (ret == 0) {
			hex_encode(s->mem, regs_size((unsigned int)regno), s->out);
			reply(s, s->out);
		}
		break;
	default: /* 'P' */
		ret = parse_hex_sep(&p, end, '=', &regno);
		if (ret == 0 &&
		    (regno >= gs_arch.nr_regs ||
		     hex_decode(p, (size_t)(end - p), s->mem, regs_size((unsigned int)regno)) < 0))
			ret = -EINVAL;
		if (ret == 0)
			ret = regs_write(v->regs, v->fd, (unsigned int)regno, 1, s->mem, &moved);
		if (ret == 0)
			reply(s, "OK");
		break;
	}
	if (moved)
		vcpu_pc_moved(v);
	if (ret < 0)
		reply_error(s, ret);
}

/* Whether the packet starts with name; *rest is then what follows it. */
static bool is_cmd(const char *pkt, size_t len, const char *name, const char **rest)
{
	size_t n = strlen(name);

	if (len < n || memcmp(pkt, name, n))
		return false;
	*rest = pkt + n;
	return true;
}

static void handle_qsupported(struct gs_session *s, const char *p, const char *end)
{
	/* gdb lists what it understands: "swbreak+;hwbreak+;..." */
	while (p < end) {
		const char *next = memchr(p, ';', (size_t)(end - p));
		size_t n;

		if (!next)
			next = end;
		n = (size_t)(next - p);
		if (n == 8 && !memcmp(p, "swbreak+", 8))
			s->gdb_swbreak = true;
		if (n == 8 && !memcmp(p, "hwbreak+", 8))
			s->gdb_hwbreak = true;
		p = next < end ? next + 1 : end;
	}
	snprintf(s->out, GS_PACKET_MAX,
		 "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+",
		 GS_PACKET_MAX);
	reply(s, s->out);
}

/* qXfer:features:read:target.xml:offset,length */
static void handle_qxfer_features(struct gs_session *s, const char *p, const char *end)
{
	static const char annex[] = "target.xml:";
	const char *xml = gs_arch.target_xml;
	size_t total = strlen(xml), n, o = 1;
	uint64_t offset, length;

	if ((size_t)(end - p) < sizeof(annex) - 1 || memcmp(p, annex, sizeof(annex) - 1)) {
		reply(s, "E00");
		return;
	}
	p += sizeof(annex) - 1;
	if (parse_hex_sep(&p, end, ',', &offset) < 0 || parse_hex_to(p, end, &length) < 0) {
		reply(s, "E00");
		return;
	}
	if (offset >= total) {
		reply(s, "l");
		return;
	}
	n = total - offset < length ? total - (size_t)offset : (size_t)length;
	/* escaping may double the size: stay inside the packet */
	if (n > (GS_PACKET_MAX - 1) / 2)
		n = (GS_PACKET_MAX - 1) / 2;
	s->out[0] = offset + n < total ? 'm' : 'l';
	for (size_t i = 0; i < n; i++) {
		char ch = xml[offset + i];

		if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
			s->out[o++] = '}';
			ch ^= 0x20;
		}
		s->out[o++] = ch;
	}
	conn_send(&s->conn, s->out, o);
}

/* qRcmd,<hex>: gdb's "monitor" command; the answer in O packets, then OK. */
static void handle_monitor(struct gs_session *s, const char *p, const char *end)
{
	size_t len = (size_t)(end - p) / 2, done = 0, total;
	char cmd[MONITOR_MAX + 1], *text;
	int ret;

	if ((size_t)(end - p) % 2 || len > MONITOR_MAX ||
	    hex_decode(p, (size_t)(end - p), (uint8_t *)cmd, len) < 0 || memchr(cmd, 0, len)) {
		reply_error(s, -EINVAL);
		return;
	}
	cmd[len] = '\0';
	text = malloc(MONITOR_OUT);
	if (!text) {
		reply_error(s, -ENOMEM);
		return;
	}
	ret = monitor_run(s->server, cmd, text, MONITOR_OUT);
	if (ret < 0) {
		free(text);
		reply_error(s, ret);
		return;
	}
	total = strlen(text);
	while (done < total) {
		size_t n = total - done;
		char saved;

		if (n > (GS_PACKET_MAX - 1) / 2)
			n = (GS_PACKET_MAX - 1) / 2;
		saved = text[done + n];
		text[done + n] = '\0';
		conn_send_output(&s->conn, text + done);
		text[done + n] = saved;
		done += n;
	}
	free(text);
	reply(s, "OK");
}

/* Thread ids from the cursor on: "m1,2,3" or "l" at the end. */
static void thread_list(struct gs_session *s)
{
	unsigned int nr = s->server->nr_vcpus, i = s->thread_cursor, last;
	size_t n;

	if (i >= nr) {
		reply(s, "l");
		return;
	}
	last = nr - i > THREADS_PER_REPLY ? i + THREADS_PER_REPLY : nr;
	n = (size_t)snprintf(s->out, GS_PACKET_MAX, "m");
	for (; i < last; i++)
		n += (size_t)snprintf(s->out + n, GS_PACKET_MAX - n, "%s%x",
				      i == s->thread_cursor ? "" : ",", i + 1);
	s->thread_cursor = last;
	reply(s, s->out);
}

static void handle_query(struct gs_session *s, const char *pkt, size_t len)
{
	const char *end = pkt + len, *rest;
	int tid;

	if (is_cmd(pkt, len, "qSupported", &rest)) {
		handle_qsupported(s, *rest == ':' ? rest + 1 : rest, end);
	} else if (is_cmd(pkt, len, "qXfer:features:read:", &rest)) {
		handle_qxfer_features(s, rest, end);
	} else if (len == 2 && !memcmp(pkt, "qC", 2)) {
		snprintf(s->out, GS_PACKET_MAX, "QC%x", s->g_thread + 1);
		reply(s, s->out);
	} else if (is_cmd(pkt, len, "qAttached", &rest)) {
		/* the guest was there before gdb: quitting gdb detaches, not kills */
		reply(s, "1");
	} else if (len == 12 && !memcmp(pkt, "qfThreadInfo", 12)) {
		s->thread_cursor = 0;
		thread_list(s);
	} else if (len == 12 && !memcmp(pkt, "qsThreadInfo", 12)) {
		thread_list(s);
	} else if (is_cmd(pkt, len, "qThreadExtraInfo,", &rest)) {
		char text[128];

		tid = parse_thread(s, rest, end);
		if (tid <= 0) {
			reply_error(s, -EINVAL);
			return;
		}
		vcpu_describe(s->server, (unsigned int)tid - 1, text, sizeof(text));
		hex_encode((const uint8_t *)text, strlen(text), s->out);
		reply(s, s->out);
	} else if (is_cmd(pkt, len, "qRcmd,", &rest)) {
		handle_monitor(s, rest, end);
	} else if (is_cmd(pkt, len, "qSymbol:", &rest)) {
		reply(s, "OK");
	} else {
		reply(s, "");
	}
}

static void handle_packet(struct gs_session *s, char *pkt, size_t len)
{
	char *end = pkt + len;
	const char *rest;
	int tid;

	if (!len) {
		reply(s, "");
		return;
	}
	switch (pkt[0]) {
	case '?':
		send_stop(s, &s->server->last_stop, false);
		break;
	case 'g':
	case 'G':
	case 'p':
	case 'P':
		handle_registers(s, pkt[0], pkt + 1, end);
		break;
	case 'm':
		handle_read_memory(s, pkt + 1, end);
		break;
	case 'M':
	case 'X':
		handle_write_memory(s, pkt[0] == 'X', pkt + 1, end);
		break;
	case 'c':
	case 's':
	case 'C':
	case 'S':
		handle_old_resume(s, pkt[0], pkt + 1, end);
		break;
	case 'Z':
	case 'z':
		handle_point(s, pkt[0] == 'Z', pkt + 1, end);
		break;
	case 'H':
		if (len < 3 || (pkt[1] != 'g' && pkt[1] != 'c')) {
			reply(s, "");
			break;
		}
		tid = parse_thread(s, pkt + 2, end);
		if (tid < -1 || (tid == -1 && pkt[1] == 'g')) {
			reply_error(s, -EINVAL);
			break;
		}
		if (pkt[1] == 'g' && tid > 0)
			select_thread(s, (unsigned int)tid - 1);
		else if (pkt[1] == 'c')
			s->c_thread = tid > 0 ? tid - 1 : -1;
		reply(s, "OK");
		break;
	case 'T':
		tid = parse_thread(s, pkt + 1, end);
		if (tid > 0)
			reply(s, "OK");
		else
			reply_error(s, -ESRCH);
		break;
	case 'q':
		handle_query(s, pkt, len);
		break;
	case 'Q':
		if (len == 15 && !memcmp(pkt, "QStartNoAckMode", 15)) {
			reply(s, "OK");
			s->conn.noack = true;
		} else {
			reply(s, "");
		}
		break;
	case 'v':
		if (len == 6 && !memcmp(pkt, "vCont?", 6)) {
			reply(s, "vCont;c;C;s;S;t");
		} else if (is_cmd(pkt, len, "vCont", &rest) && (rest == end || *rest == ';')) {
			handle_vcont(s, rest, end);
		} else if (len == 5 && !memcmp(pkt, "vKill", 5)) {
			reply(s, "OK");
			end_session(s, KVMDBG_GDBSERVER_END_KILLED);
		} else if (is_cmd(pkt, len, "vKill;", &rest)) {
			reply(s, "OK");
			end_session(s, KVMDBG_GDBSERVER_END_KILLED);
		} else {
			reply(s, "");
		}
		break;
	case 'D':
		reply(s, "OK");
		end_session(s, KVMDBG_GDBSERVER_END_DETACHED);
		break;
	case 'k':
		/* no reply: the target is gone */
		end_session(s, KVMDBG_GDBSERVER_END_KILLED);
		break;
	default:
		reply(s, "");
		break;
	}
}

/* Handle what has arrived while the guest is stopped, until it runs or the session ends. */
static void handle_input(struct gs_session *s)
{
	while (!s->done && !s->running) {
		enum gs_rx ev = conn_parse(&s->conn);

		if (ev == GS_RX_NONE)
			break;
		if (ev == GS_RX_PACKET)
			handle_packet(s, s->conn.rx, s->conn.rx_len);
		else if (ev == GS_RX_TOO_LONG)
			reply_error(s, -EMSGSIZE);
		/* GS_RX_INTERRUPT while stopped: nothing to interrupt */
	}
}

/* The guest was stopped for this session (every vCPU parked): what '?' says now. */
static void begin(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	struct gs_stop stop;
	sigset_t old;

	lock(server, &old);
	/* it ran (after a detach): a new stop, or a SIGINT as if gdb had interrupted it */
	if (round_running_locked(server))
		take_stop_locked(server, &stop);
	unlock(server, &old);
	vmm_pause(server);
	s->begun = true;
	select_thread(s, server->last_stop.kind == GS_STOP_SIGNAL &&
					 server->last_stop.vcpu < server->nr_vcpus
				 ? server->last_stop.vcpu
				 : 0);
}

/* Every vCPU of the round parked: report the stop. */
static void report_round(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	struct gs_stop stop;
	sigset_t old;
	int ret;

	lock(server, &old);
	ret = take_stop_locked(server, &stop);
	unlock(server, &old);
	if (ret)
		stop = server->last_stop;
	vmm_pause(server);
	s->running = false;
	send_stop(s, &stop, true);
}

/* Stop every vCPU and wait for them (threaded sessions); false after a shutdown. */
static bool stop_all(struct gs_session *s)
{
	sigset_t old;

	lock(s->server, &old);
	hold_all_locked(s->server, NULL);
	unlock(s->server, &old);
	if (wait_parked(s->server) < 0) {
		end_session(s, KVMDBG_GDBSERVER_END_SHUTDOWN);
		return false;
	}
	return true;
}

/* gdb went away while the guest ran: stop it for the next one. */
static void lost_while_running(struct gs_session *s)
{
	struct gs_stop stop;
	sigset_t old;

	lock(s->server, &old);
	take_stop_locked(s->server, &stop);
	unlock(s->server, &old);
	vmm_pause(s->server);
	s->running = false;
	end_session(s, KVMDBG_GDBSERVER_END_DISCONNECTED);
}

/* After the session: gdb's points go, and the guest runs on or stays stopped. */
static void finish(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	int fd = s->conn.fd, end = s->end;
	sigset_t old;

	/*
	 * From here the session reports nothing: a vCPU that a detach lets go may end the guest
	 * before the slot is free, and its VMM must hear that no debugger was told.
	 */
	lock(server, &old);
	server->session_ending = true;
	unlock(server, &old);
	points_remove_all(server);
	if (end == KVMDBG_GDBSERVER_END_DETACHED)
		release_all(server);
	lock(server, &old);
	server->session_kind = GS_SESSION_NONE;
	server->session_ending = false;
	server->session = NULL;
	if (s->sync)
		server->sync_end = end == KVMDBG_GDBSERVER_END_DETACHED ? 0 : end;
	atomic_store(&server->sync_watch, false);
	unlock(server, &old);
	session_free(s);
	gs_log(server, KVMDBG_GDBSERVER_LOG_DEBUG, "session ended (%d)", end);
	/* last: a single-threaded VMM may attach a new connection from here */
	if (server->end_fn)
		server->end_fn(server->end_data, fd, end);
}

/* While the guest runs: a stop, Ctrl-C, or gdb going away. */
static void wait_running(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	struct pollfd pfd[2] = {
		{ .fd = s->conn.fd, .events = POLLIN },
		{ .fd = server->notify_fd, .events = POLLIN },
	};
	bool stopped;
	sigset_t old;
	int ret;

	if (!conn_has_input(&s->conn) && poll(pfd, 2, -1) < 0)
		return;
	drain(server->notify_fd);
	lock(server, &old);
	stopped = round_has_stop_locked(server);
	if (stopped)
		hold_all_locked(server, NULL);
	unlock(server, &old);
	if (stopped) {
		if (wait_parked(server) < 0)
			end_session(s, KVMDBG_GDBSERVER_END_SHUTDOWN);
		else
			report_round(s);
		return;
	}
	if (!conn_has_input(&s->conn) && !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	ret = conn_fill(&s->conn, false);
	if (ret == -EAGAIN)
		return;
	if (ret <= 0) {
		if (stop_all(s))
			lost_while_running(s);
		return;
	}
	for (;;) {
		enum gs_rx ev = conn_parse(&s->conn);

		if (ev == GS_RX_NONE)
			break;
		if (ev == GS_RX_INTERRUPT) {
			lock(server, &old);
			server->interrupt = true;
			unlock(server, &old);
			if (stop_all(s))
				report_round(s);
			return;
		}
		/* gdb sends nothing else while the target runs (all-stop) */
		gs_log(server, KVMDBG_GDBSERVER_LOG_INFO, "a packet while the guest runs: dropped");
	}
}

/* While the guest is stopped: wait for gdb's next bytes, or for a shutdown. */
static void wait_stopped(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	struct pollfd pfd[2] = {
		{ .fd = s->conn.fd, .events = POLLIN },
		{ .fd = server->notify_fd, .events = POLLIN },
	};
	bool down;
	sigset_t old;
	int ret;

	if (!conn_has_input(&s->conn)) {
		if (poll(pfd, 2, -1) < 0)
			return;
		if (pfd[1].revents & POLLIN) {
			drain(server->notify_fd);
			lock(server, &old);
			down = server->shutdown;
			unlock(server, &old);
			if (down) {
				end_session(s, KVMDBG_GDBSERVER_END_SHUTDOWN);
				return;
			}
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			return;
	}
	ret = conn_fill(&s->conn, false);
	if (ret == -EAGAIN)
		return;
	if (ret <= 0) {
		end_session(s, KVMDBG_GDBSERVER_END_DISCONNECTED);
		return;
	}
	handle_input(s);
}

int session_serve(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	sigset_t old;
	int end;

	lock(server, &old);
	server->session = s;
	unlock(server, &old);
	/* gdb always finds the guest stopped */
	if (stop_all(s))
		begin(s);
	while (!s->done) {
		if (s->running)
			wait_running(s);
		else
			wait_stopped(s);
	}
	end = s->end;
	finish(s);
	return end;
}

int session_sync(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	bool down;
	sigset_t old;
	int ret;

	if (!s->begun) {
		begin(s);
	} else if (s->running) {
		if (s->lost)
			lost_while_running(s);
		else
			report_round(s);
	}
	while (!s->done && !s->running) {
		lock(server, &old);
		down = server->shutdown;
		unlock(server, &old);
		if (down) {
			end_session(s, KVMDBG_GDBSERVER_END_SHUTDOWN);
			break;
		}
		ret = conn_fill(&s->conn, true);
		if (ret <= 0 && ret != -EAGAIN) {
			end_session(s, KVMDBG_GDBSERVER_END_DISCONNECTED);
			break;
		}
		handle_input(s);
	}
	if (s->done)
		finish(s);
	return 0;
}

void session_sync_poll(struct gs_session *s)
{
	struct kvmdbg_gdbserver *server = s->server;
	sigset_t old;
	int ret;

	if (!s->running || s->lost)
		return;
	ret = conn_fill(&s->conn, false);
	if (ret == -EAGAIN)
		return;
	if (ret <= 0) {
		s->lost = true;
		lock(server, &old);
		hold_all_locked(server, NULL);
		unlock(server, &old);
		return;
	}
	for (;;) {
		enum gs_rx ev = conn_parse(&s->conn);

		if (ev == GS_RX_NONE)
			return;
		if (ev == GS_RX_INTERRUPT) {
			lock(server, &old);
			server->interrupt = true;
			hold_all_locked(server, NULL);
			unlock(server, &old);
			return;
		}
		gs_log(server, KVMDBG_GDBSERVER_LOG_INFO, "a packet while the guest runs: dropped");
	}
}
