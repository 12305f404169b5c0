// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One gdb session: the packets, their replies, and the all-stop run control around them.
 *
 * While the guest is stopped, every packet gets a reply: what we do not know gets the
 * empty reply the protocol means for "not supported", anything malformed gets "E22",
 * memory that is not there "E14", and so on.  While it runs, the only thing gdb sends is
 * Ctrl-C (0x03); the stop that ends the run comes from a libkvmdbg event and becomes a T
 * (or W) stop reply.
 *
 * Threads are the vCPUs: gdb's thread N is vCPU N - 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub.h"

#define MAX_MEM_XFER (PACKET_MAX / 2) /* bytes of memory in one m, M or X packet */

struct session {
	struct stub *stub;
	struct vm *vm;
	struct conn conn;
	char *out;
	unsigned int g_thread; /* vCPU index for g, G, p, P, m, M, X */
	int c_thread;	       /* vCPU index for c and s, or -1 for all */
	bool gdb_swbreak;      /* gdb understands the swbreak and hwbreak stop reasons */
	bool gdb_hwbreak;
	bool running;
	bool done;
	enum session_end end;
	int exit_status;
};

static int reply(struct session *s, const char *text)
{
	return conn_send_str(&s->conn, text);
}

static int reply_error(struct session *s, int err)
{
	char buf[8];

	/* the number is the errno, as other stubs do: E14 memory, E22 invalid, ... */
	snprintf(buf, sizeof(buf), "E%02d", err < 0 && -err < 100 ? -err : 1);
	return reply(s, buf);
}

/* Parse "<hex>" that runs exactly to @end. */
static int parse_hex_to(const char *p, const char *end, uint64_t *ret)
{
	if (hex_parse_u64(&p, end, ret) < 0 || p != end)
		return -EINVAL;
	return 0;
}

/* Parse "<hex><sep>" at *p. */
static int parse_hex_sep(const char **p, const char *end, char sep, uint64_t *ret)
{
	if (hex_parse_u64(p, end, ret) < 0 || *p >= end || **p != sep)
		return -EINVAL;
	(*p)++;
	return 0;
}

/*
 * A thread-id: "-1" (all), "0" (any), "N" or "pP.N".  Returns -1, 0, or N for a vCPU that
 * exists; -EINVAL otherwise.
 */
static int parse_thread(struct session *s, const char *p, const char *end)
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
	if (parse_hex_to(p, end, &tid) < 0 || tid > s->vm->nr_vcpus)
		return -EINVAL;
	return (int)tid;
}

/* The vCPU a thread-id means for reading state: "any" and "all" mean the current one. */
static unsigned int thread_index(struct session *s, int tid)
{
	return tid > 0 ? (unsigned int)tid - 1 : s->g_thread;
}

static void send_stop(struct session *s, const struct stop *stop, bool running)
{
	struct stub *stub = s->stub;
	char regs[128];
	size_t n;

	/* a new stop, not the answer to '?': gdb waits, and may get output first */
	if (running && stop->note[0]) {
		char line[sizeof(stop->note) + 8];

		stub_log("%s", stop->note);
		snprintf(line, sizeof(line), "%s\n", stop->note);
		conn_send_output(&s->conn, line);
	}
	stub->last_stop = *stop;
	if (stop->kind == STOP_EXITED) {
		snprintf(s->out, PACKET_MAX, "W%02x", stop->status & 0xff);
		reply(s, s->out);
		s->done = true;
		s->end = SESSION_EXITED;
		s->exit_status = stop->status;
		return;
	}
	s->g_thread = stop->vcpu;
	n = (size_t)snprintf(s->out, PACKET_MAX, "T%02xthread:%x;", stop->signal & 0xff,
			     stop->vcpu + 1);
	switch (stop->reason) {
	case REASON_SWBREAK:
		if (s->gdb_swbreak)
			n += (size_t)snprintf(s->out + n, PACKET_MAX - n, "swbreak:;");
		break;
	case REASON_HWBREAK:
		if (s->gdb_hwbreak)
			n += (size_t)snprintf(s->out + n, PACKET_MAX - n, "hwbreak:;");
		break;
	case REASON_WATCH:
	case REASON_RWATCH:
	case REASON_AWATCH:
		n += (size_t)snprintf(s->out + n, PACKET_MAX - n, "%s:%" PRIx64 ";",
				      stop->reason == REASON_WATCH    ? "watch"
				      : stop->reason == REASON_RWATCH ? "rwatch"
								      : "awatch",
				      stop->data_addr);
		break;
	case REASON_NONE:
		break;
	}
	if (regs_expedite(s->vm, stop->vcpu, regs, sizeof(regs)) == 0)
		snprintf(s->out + n, PACKET_MAX - n, "%s", regs);
	reply(s, s->out);
}

/* Start a resume; replies at once when vm_resume() has a stop ready. */
static void resume(struct session *s, const enum action *actions, const int *signals)
{
	struct stop stop;
	int ret;

	ret = vm_resume(s->vm, actions, signals, &stop);
	if (ret < 0) {
		stub_log("cannot resume: %s", strerror(-ret));
		reply_error(s, ret);
	} else if (ret == 1) {
		send_stop(s, &stop, true);
	} else {
		s->running = true;
	}
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr]: the Hc thread, or all for c. */
static void handle_old_resume(struct session *s, char cmd, const char *p, const char *end)
{
	enum action actions[MAX_VCPUS] = { ACT_NONE };
	int signals[MAX_VCPUS] = { 0 };
	bool step = cmd == 's' || cmd == 'S';
	unsigned int target;
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
		char hex[17];
		uint8_t le[8];
		int ret;

		for (int i = 0; i < 8; i++)
			le[i] = (uint8_t)(addr >> (8 * i));
		hex_encode(le, 8, hex);
		ret = regs_write_one(s->vm, target, 16, hex, 16);
		if (ret < 0) {
			reply_error(s, ret);
			return;
		}
	}
	for (unsigned int i = 0; i < s->vm->nr_vcpus; i++) {
		/* a step moves one thread; a continue of "all" moves every one */
		if (i == target)
			actions[i] = step ? ACT_STEP : ACT_CONTINUE;
		else if (!step && s->c_thread < 0)
			actions[i] = ACT_CONTINUE;
	}
	signals[target] = (int)sig;
	resume(s, actions, signals);
	return;
bad:
	reply_error(s, -EINVAL);
}

/* vCont;action[:thread-id]...: the leftmost action that names a thread applies to it. */
static void handle_vcont(struct session *s, const char *p, const char *end)
{
	enum action actions[MAX_VCPUS] = { ACT_NONE };
	int signals[MAX_VCPUS] = { 0 };
	bool assigned[MAX_VCPUS] = { false };

	if (p == end)
		goto bad;
	while (p < end) {
		const char *next;
		enum action act;
		uint64_t sig = 0;
		int tid = -1;

		if (*p++ != ';' || p == end)
			goto bad;
		switch (*p++) {
		case 'c':
			act = ACT_CONTINUE;
			break;
		case 's':
			act = ACT_STEP;
			break;
		case 'C':
			act = ACT_CONTINUE;
			if (hex_parse_u64(&p, end, &sig) < 0 || sig > 0xff)
				goto bad;
			break;
		case 'S':
			act = ACT_STEP;
			if (hex_parse_u64(&p, end, &sig) < 0 || sig > 0xff)
				goto bad;
			break;
		default:
			/* t (stop) and r (range step) are not offered in vCont? */
			goto bad;
		}
		next = memchr(p, ';', (size_t)(end - p));
		if (!next)
			next = end;
		if (p < next) {
			if (*p != ':')
				goto bad;
			tid = parse_thread(s, p + 1, next);
			if (tid < 0 && tid != -1)
				goto bad;
			if (tid == 0)
				tid = (int)s->g_thread + 1;
		}
		for (unsigned int i = 0; i < s->vm->nr_vcpus; i++) {
			if (assigned[i] || (tid > 0 && (unsigned int)tid != i + 1))
				continue;
			assigned[i] = true;
			actions[i] = act;
			signals[i] = (int)sig;
		}
		p = next;
	}
	resume(s, actions, signals);
	return;
bad:
	reply_error(s, -EINVAL);
}

static void handle_read_memory(struct session *s, const char *p, const char *end)
{
	uint64_t addr, len;
	uint8_t *buf;
	long n;

	if (parse_hex_sep(&p, end, ',', &addr) < 0 || parse_hex_to(p, end, &len) < 0) {
		reply_error(s, -EINVAL);
		return;
	}
	if (len > MAX_MEM_XFER) {
		reply_error(s, -EINVAL);
		return;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		reply_error(s, -ENOMEM);
		return;
	}
	n = vm_read_virt(s->vm, s->g_thread, addr, buf, len);
	if (n < 0) {
		reply_error(s, (int)n);
	} else {
		/* a short read means the rest is not mapped: gdb asks again from there */
		points_mask_read(s->stub->points, addr, buf, (size_t)n);
		hex_encode(buf, (size_t)n, s->out);
		reply(s, s->out);
	}
	free(buf);
}

/* M addr,len:hex and X addr,len:binary */
static void handle_write_memory(struct session *s, bool binary, char *p, char *end)
{
	const char *q = p;
	uint64_t addr, len;
	uint8_t *buf = NULL;
	long data_len;
	int ret;

	if (parse_hex_sep(&q, end, ',', &addr) < 0 ||
	    parse_hex_sep(&q, end, ':', &len) < 0 || len > MAX_MEM_XFER) {
		reply_error(s, -EINVAL);
		return;
	}
	p += q - p; /* past "addr,len:", where the data starts (X decodes it in place) */
	if (binary) {
		data_len = binary_unescape(p, (size_t)(end - p));
		if (data_len < 0 || (uint64_t)data_len != len) {
			reply_error(s, -EINVAL);
			return;
		}
		buf = (uint8_t *)p;
	} else {
		buf = malloc(len ? len : 1);
		if (!buf) {
			reply_error(s, -ENOMEM);
			return;
		}
		if (hex_decode(p, (size_t)(end - p), buf, len) < 0) {
			free(buf);
			reply_error(s, -EINVAL);
			return;
		}
	}
	ret = len ? points_write(s->stub->points, s->g_thread, addr, buf, len) : 0;
	if (!binary)
		free(buf);
	if (ret < 0)
		reply_error(s, ret);
	else
		reply(s, "OK");
}

/* Why a Z packet was refused, for the stub's log: gdb's own message may not say. */
static const char *refusal(struct session *s, int type, int err)
{
	switch (err) {
	case -ENOSPC:
		return "every debug register is in use";
	case -EFAULT:
		return "the address is not mapped";
	case -ENODEV:
		return type == 2 ? s->stub->caps.why_watch_write
				 : s->stub->caps.why_watch_access;
	default:
		return strerror(-err);
	}
}

static void handle_point(struct session *s, bool insert, const char *p, const char *end)
{
	uint64_t type, addr, kind;
	int ret;

	if (parse_hex_sep(&p, end, ',', &type) < 0 ||
	    parse_hex_sep(&p, end, ',', &addr) < 0 || parse_hex_to(p, end, &kind) < 0) {
		reply_error(s, -EINVAL);
		return;
	}
	if (type > 4) {
		reply(s, "");
		return;
	}
	if (insert)
		ret = points_insert(s->stub->points, (int)type, addr, kind);
	else
		ret = points_remove(s->stub->points, (int)type, addr, kind);
	/*
	 * What x86 cannot do at all (Z3) gets the protocol's "not supported".  Never
	 * for Z0: gdb would then write int3 into guest memory itself.
	 */
	if (ret == -EOPNOTSUPP && type != 0) {
		reply(s, "");
		return;
	}
	if (ret < 0) {
		/* gdb says "Cannot access memory" for any refused Z0 */
		stub_log("Z%d at 0x%" PRIx64 " refused: %s", (int)type, addr,
			 refusal(s, (int)type, ret));
		reply_error(s, ret);
		return;
	}
	reply(s, "OK");
}

static void handle_registers(struct session *s, char cmd, const char *p, const char *end)
{
	uint64_t regno;
	int ret;

	switch (cmd) {
	case 'g':
		if (p != end) {
			ret = -EINVAL;
			break;
		}
		ret = regs_read_all(s->vm, s->g_thread, s->out);
		if (ret == 0)
			reply(s, s->out);
		break;
	case 'G':
		ret = regs_write_all(s->vm, s->g_thread, p, (size_t)(end - p));
		if (ret == 0)
			reply(s, "OK");
		break;
	case 'p':
		ret = parse_hex_to(p, end, &regno);
		if (ret == 0)
			ret = regno < REGS_COUNT
				      ? regs_read_one(s->vm, s->g_thread,
						      (unsigned int)regno, s->out)
				      : -EINVAL;
		if (ret == 0)
			reply(s, s->out);
		break;
	default: /* 'P' */
		ret = parse_hex_sep(&p, end, '=', &regno);
		if (ret == 0)
			ret = regno < REGS_COUNT ? regs_write_one(s->vm, s->g_thread,
								  (unsigned int)regno, p,
								  (size_t)(end - p))
						 : -EINVAL;
		if (ret == 0)
			reply(s, "OK");
		break;
	}
	if (ret < 0)
		reply_error(s, ret);
}

/* Whether the packet starts with @name; *rest is then what follows it. */
static bool is_cmd(const char *pkt, size_t len, const char *name, const char **rest)
{
	size_t n = strlen(name);

	if (len < n || memcmp(pkt, name, n))
		return false;
	*rest = pkt + n;
	return true;
}

static void handle_qsupported(struct session *s, const char *p, const char *end)
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
	snprintf(s->out, PACKET_MAX,
		 "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+",
		 PACKET_MAX);
	reply(s, s->out);
}

/* qXfer:features:read:target.xml:offset,length */
static void handle_qxfer_features(struct session *s, const char *p, const char *end)
{
	static const char annex[] = "target.xml:";
	size_t total = strlen(target_xml), n, o = 1;
	uint64_t offset, length;

	if ((size_t)(end - p) < sizeof(annex) - 1 ||
	    memcmp(p, annex, sizeof(annex) - 1)) {
		reply(s, "E00");
		return;
	}
	p += sizeof(annex) - 1;
	if (parse_hex_sep(&p, end, ',', &offset) < 0 ||
	    parse_hex_to(p, end, &length) < 0) {
		reply(s, "E00");
		return;
	}
	if (offset >= total) {
		reply(s, "l");
		return;
	}
	n = total - offset < length ? total - (size_t)offset : (size_t)length;
	/* escaping may double the size: stay inside the packet */
	if (n > (PACKET_MAX - 1) / 2)
		n = (PACKET_MAX - 1) / 2;
	s->out[0] = offset + n < total ? 'm' : 'l';
	for (size_t i = 0; i < n; i++) {
		char ch = target_xml[offset + i];

		if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
			s->out[o++] = '}';
			ch ^= 0x20;
		}
		s->out[o++] = ch;
	}
	conn_send(&s->conn, s->out, o);
}

static void monitor_info(struct session *s)
{
	const struct caps *c = &s->stub->caps;
	char *text = malloc(PACKET_MAX);
	size_t n = 0;

	if (!text)
		return;
	n += (size_t)snprintf(text + n, PACKET_MAX - n,
			      "kvm-gdbstub, libkvmdbg %s, %u vCPUs\n"
			      "what this KVM delivers (probed with real-mode guests):\n"
			      "  single-step: %s\n  hw breakpoints: %s\n  int3: %s\n"
			      "  write watchpoints: %s\n  access watchpoints: %s\n",
			      kvmdbg_version_string(), s->vm->nr_vcpus, c->why_step,
			      c->why_hw_break, c->why_sw_break, c->why_watch_write,
			      c->why_watch_access);
	points_describe(s->stub->points, text + n, PACKET_MAX - n);
	n = strlen(text);
	for (unsigned int i = 0; i < s->vm->nr_vcpus && n < PACKET_MAX; i++)
		n += (size_t)snprintf(text + n, PACKET_MAX - n,
				      "vCPU %u (thread %u): %s\n", i, i + 1,
				      s->vm->vcpus[i].halted ? "halted" : "stopped");
	conn_send_output(&s->conn, text);
	free(text);
}

/* qRcmd,<hex>: gdb's "monitor" command. */
static void handle_monitor(struct session *s, const char *p, const char *end)
{
	char cmd[64];
	size_t len = (size_t)(end - p) / 2;

	if ((size_t)(end - p) % 2 || len >= sizeof(cmd) ||
	    hex_decode(p, (size_t)(end - p), (uint8_t *)cmd, len) < 0) {
		reply_error(s, -EINVAL);
		return;
	}
	cmd[len] = '\0';
	if (!strcmp(cmd, "info")) {
		monitor_info(s);
	} else {
		char text[sizeof(cmd) + 200];

		snprintf(text, sizeof(text),
			 "%s%s%smonitor commands of kvm-gdbstub:\n"
			 "  info   what this KVM delivers, the breakpoints, the vCPUs\n"
			 "  help   this text\n",
			 strcmp(cmd, "help") ? "unknown monitor command '" : "",
			 strcmp(cmd, "help") ? cmd : "",
			 strcmp(cmd, "help") ? "'\n" : "");
		conn_send_output(&s->conn, text);
	}
	reply(s, "OK");
}

static void handle_query(struct session *s, const char *pkt, size_t len)
{
	const char *end = pkt + len, *rest;
	int tid;

	if (is_cmd(pkt, len, "qSupported", &rest)) {
		handle_qsupported(s, *rest == ':' ? rest + 1 : rest, end);
	} else if (is_cmd(pkt, len, "qXfer:features:read:", &rest)) {
		handle_qxfer_features(s, rest, end);
	} else if (len == 2 && !memcmp(pkt, "qC", 2)) {
		snprintf(s->out, PACKET_MAX, "QC%x", s->g_thread + 1);
		reply(s, s->out);
	} else if (is_cmd(pkt, len, "qAttached", &rest)) {
		/* the guest was there before gdb: quitting gdb detaches, not kills */
		reply(s, "1");
	} else if (len == 12 && !memcmp(pkt, "qfThreadInfo", 12)) {
		size_t n = (size_t)snprintf(s->out, PACKET_MAX, "m");

		for (unsigned int i = 0; i < s->vm->nr_vcpus; i++)
			n += (size_t)snprintf(s->out + n, PACKET_MAX - n, "%s%x",
					      i ? "," : "", i + 1);
		reply(s, s->out);
	} else if (len == 12 && !memcmp(pkt, "qsThreadInfo", 12)) {
		reply(s, "l");
	} else if (is_cmd(pkt, len, "qThreadExtraInfo,", &rest)) {
		char text[64];

		tid = parse_thread(s, rest, end);
		if (tid <= 0) {
			reply_error(s, -EINVAL);
			return;
		}
		snprintf(text, sizeof(text), "vCPU %d%s", tid - 1,
			 s->vm->vcpus[tid - 1].halted ? ", halted" : "");
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

static void handle_packet(struct session *s, char *pkt, size_t len)
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
		send_stop(s, &s->stub->last_stop, false);
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
		if (pkt[1] == 'g')
			s->g_thread = thread_index(s, tid);
		else
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
			reply(s, "vCont;c;C;s;S");
		} else if (is_cmd(pkt, len, "vCont", &rest) &&
			   (rest == end || *rest == ';')) {
			handle_vcont(s, rest, end);
		} else if (is_cmd(pkt, len, "vKill", &rest)) {
			reply(s, "OK");
			s->done = true;
			s->end = SESSION_KILLED;
		} else {
			reply(s, "");
		}
		break;
	case 'D':
		reply(s, "OK");
		s->done = true;
		s->end = SESSION_DETACHED;
		break;
	case 'k':
		/* no reply: the target is gone */
		s->done = true;
		s->end = SESSION_KILLED;
		break;
	default:
		reply(s, "");
		break;
	}
}

/* While the guest runs: a stop, Ctrl-C, or gdb going away. */
static void wait_running(struct session *s)
{
	struct pollfd pfd[2] = {
		{ .fd = s->conn.fd, .events = POLLIN },
		{ .fd = s->vm->notify_fd, .events = POLLIN },
	};
	struct stop stop;
	int ret;

	if (!conn_has_input(&s->conn)) {
		if (poll(pfd, 2, -1) < 0)
			return;
		if (pfd[1].revents & POLLIN && vm_poll_stop(s->vm, &stop) == 1) {
			s->running = false;
			send_stop(s, &stop, true);
			return;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			return;
	}
	ret = conn_fill(&s->conn, false);
	if (ret == -EAGAIN)
		return;
	if (ret <= 0) {
		vm_interrupt(s->vm, &stop);
		s->stub->last_stop = stop;
		s->running = false;
		s->done = true;
		s->end = stop.kind == STOP_EXITED ? SESSION_EXITED : SESSION_DISCONNECTED;
		s->exit_status = stop.status;
		return;
	}
	for (;;) {
		enum rx_event ev = conn_parse(&s->conn);

		if (ev == RX_NONE)
			break;
		if (ev == RX_INTERRUPT) {
			vm_interrupt(s->vm, &stop);
			s->running = false;
			send_stop(s, &stop, true);
			return;
		}
		/* gdb sends nothing else while the target runs (all-stop) */
		stub_log("a packet while the guest runs: dropped");
	}
}

enum session_end session_serve(struct stub *stub, int fd, int *ret_status)
{
	struct session *s;
	enum session_end end;

	s = calloc(1, sizeof(*s));
	if (!s)
		return SESSION_DISCONNECTED;
	s->out = malloc(PACKET_MAX + 1);
	if (!s->out) {
		free(s);
		return SESSION_DISCONNECTED;
	}
	s->stub = stub;
	s->vm = &stub->vm;
	s->g_thread = stub->last_stop.kind == STOP_SIGNAL ? stub->last_stop.vcpu : 0;
	s->c_thread = -1;
	conn_init(&s->conn, fd, stub->opts.verbose);

	while (!s->done) {
		if (s->running) {
			wait_running(s);
			continue;
		}
		if (conn_fill(&s->conn, true) <= 0) {
			s->end = SESSION_DISCONNECTED;
			break;
		}
		while (!s->done && !s->running) {
			enum rx_event ev = conn_parse(&s->conn);

			if (ev == RX_NONE)
				break;
			if (ev == RX_PACKET)
				handle_packet(s, s->conn.rx, s->conn.rx_len);
			else if (ev == RX_TOO_LONG)
				reply_error(s, -EMSGSIZE);
			/* RX_INTERRUPT while stopped: nothing to interrupt */
		}
	}
	end = s->end;
	*ret_status = s->exit_status;
	conn_fini(&s->conn);
	free(s->out);
	free(s);
	return end;
}
