// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gdb's "monitor" commands (qRcmd): what this host really delivers, how gdb's breakpoints
 * and watchpoints are done here, the points gdb holds, and the vCPUs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char help_text[] =
	"monitor commands:\n"
	"  info      all of the below\n"
	"  support   what this host delivers, and how gdb's points are done\n"
	"  points    the breakpoints and watchpoints gdb holds\n"
	"  vcpus     the vCPUs and their state\n"
	"  help      this text\n";

/* Append to out; a full buffer cuts the text short. */
static void put(char *out, size_t size, size_t *n, const char *fmt, ...) _printf_(4, 5);

static void put(char *out, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= size)
		return;
	va_start(ap, fmt);
	r = vsnprintf(out + *n, size - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n = *n + (size_t)r < size ? *n + (size_t)r : size - 1;
}

static const char *support_text(struct kvmdbg_gdbserver *server, enum kvmdbg_feature feature)
{
	switch (kvmdbg_vm_get_support(server->vm, feature)) {
	case KVMDBG_SUPPORT_NONE:
		return "not offered by this kernel";
	case KVMDBG_SUPPORT_ACCEPTED:
		return "accepted by the kernel (delivery not probed)";
	case KVMDBG_SUPPORT_NOT_DELIVERED:
		return "accepted, but not delivered here (kvmdbg_vm_probe)";
	case KVMDBG_SUPPORT_DELIVERED:
		return "delivered";
	default:
		return "unknown";
	}
}

static const char *watch_text(struct kvmdbg_gdbserver *server, int type)
{
	enum kvmdbg_feature feature = type == 2	  ? KVMDBG_FEATURE_WATCH_WRITE
				      : type == 3 ? KVMDBG_FEATURE_WATCH_READ
						  : KVMDBG_FEATURE_WATCH_ACCESS;
	const char *why = "";

	if (type == 3 && !gs_arch.watch_read)
		return NULL;
	if (kvmdbg_vm_get_support(server->vm, feature) == KVMDBG_SUPPORT_NONE)
		return "refused, this kernel does not offer them (gdb watches in software)";
	if (!points_watch_allowed(server, type, &why))
		return "refused (not delivered here; 'set can-use-hw-watchpoints 0' in gdb "
		       "gives software watchpoints)";
	return "accepted";
}

static void describe_support(struct kvmdbg_gdbserver *server, char *out, size_t size, size_t *n)
{
	bool z0_hw = points_z0_type(server) == KVMDBG_POINT_HW_BREAK;
	int slots = kvmdbg_vm_get_hw_slots(server->vm, false);
	int wslots = kvmdbg_vm_get_hw_slots(server->vm, true);
	const char *w;

	put(out, size, n, "libkvmdbg %s, %u vCPU%s\n", kvmdbg_version_string(), server->nr_vcpus,
	    server->nr_vcpus == 1 ? "" : "s");
	put(out, size, n, "what this host delivers:\n");
	put(out, size, n, "  single-step: %s\n", support_text(server, KVMDBG_FEATURE_SINGLE_STEP));
	put(out, size, n, "  hardware breakpoints: %s, %d slot%s\n",
	    support_text(server, KVMDBG_FEATURE_HW_BREAKPOINT), slots, slots == 1 ? "" : "s");
	put(out, size, n, "  software breakpoints: %s\n",
	    support_text(server, KVMDBG_FEATURE_SW_BREAKPOINT));
	put(out, size, n, "  write watchpoints: %s, %d slot%s\n",
	    support_text(server, KVMDBG_FEATURE_WATCH_WRITE), wslots, wslots == 1 ? "" : "s");
	put(out, size, n, "  read watchpoints: %s\n",
	    support_text(server, KVMDBG_FEATURE_WATCH_READ));
	put(out, size, n, "  access watchpoints: %s\n",
	    support_text(server, KVMDBG_FEATURE_WATCH_ACCESS));
	if (!z0_hw)
		put(out, size, n, "gdb 'break' (Z0): software breakpoints\n");
	else if (server->break_mode == KVMDBG_GDBSERVER_BREAK_HARDWARE)
		put(out, size, n, "gdb 'break' (Z0): hardware breakpoints (the VMM's choice)\n");
	else
		put(out, size, n,
		    "gdb 'break' (Z0): hardware breakpoints, because software breakpoints are "
		    "not delivered here: each takes a slot, shared with 'hbreak' and the "
		    "watchpoints; the stops say 'hwbreak'\n");
	put(out, size, n, "gdb 'hbreak' (Z1): hardware breakpoints, %d slot%s\n", slots,
	    slots == 1 ? "" : "s");
	put(out, size, n, "gdb 'watch' (Z2): %s\n", watch_text(server, 2));
	w = watch_text(server, 3);
	if (w)
		put(out, size, n, "gdb 'rwatch' (Z3): %s\n", w);
	else
		put(out, size, n, "gdb 'rwatch' (Z3): refused, %s\n", gs_arch.no_watch_read);
	put(out, size, n, "gdb 'awatch' (Z4): %s\n", watch_text(server, 4));
}

static void describe_points(struct kvmdbg_gdbserver *server, char *out, size_t size, size_t *n)
{
	static const char *const names[] = { "break", "hbreak", "watch", "rwatch", "awatch" };
	const struct gs_points *pts = &server->points;

	if (!pts->count)
		put(out, size, n, "gdb holds no breakpoints or watchpoints\n");
	for (size_t i = 0; i < pts->count; i++) {
		const struct gs_point *p = &pts->list[i];
		uint64_t id;
		bool in = kvmdbg_vm_find(server->vm, p->lib_type, p->piece_addr[0], &id) == 0;

		put(out, size, n, "  %s at 0x%" PRIx64 ", %" PRIu64 " byte%s, %s (%s%s)\n",
		    names[p->type], p->addr, p->kind, p->kind == 1 ? "" : "s",
		    in ? "inserted" : "not inserted",
		    p->lib_type == KVMDBG_POINT_SW_BREAK   ? "software breakpoint"
		    : p->lib_type == KVMDBG_POINT_HW_BREAK ? "hardware breakpoint"
							   : "watchpoint",
		    p->nr_pieces > 1 ? ", in pieces" : "");
	}
}

void vcpu_describe(struct kvmdbg_gdbserver *server, unsigned int index, char *out, size_t size)
{
	struct gs_vcpu *v = server->vcpus[index];
	bool halted;
	sigset_t old;

	lock(server, &old);
	halted = v->halted;
	unlock(server, &old);
	snprintf(out, size, "vCPU %u%s", index, halted ? ", halted" : "");
}

static void describe_vcpus(struct kvmdbg_gdbserver *server, char *out, size_t size, size_t *n)
{
	sigset_t old;

	lock(server, &old);
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		const struct gs_vcpu *v = server->vcpus[i];

		put(out, size, n, "vCPU %u (thread %u): %s%s\n", i, i + 1,
		    v->halted ? "halted" : "stopped", v->has_stop ? ", a stop queued" : "");
	}
	unlock(server, &old);
}

int monitor_run(struct kvmdbg_gdbserver *server, const char *cmd, char *out, size_t size)
{
	size_t n = 0;
	int ret;

	out[0] = '\0';
	if (!strcmp(cmd, "info")) {
		describe_support(server, out, size, &n);
		describe_points(server, out, size, &n);
		describe_vcpus(server, out, size, &n);
	} else if (!strcmp(cmd, "support")) {
		describe_support(server, out, size, &n);
	} else if (!strcmp(cmd, "points")) {
		describe_points(server, out, size, &n);
	} else if (!strcmp(cmd, "vcpus")) {
		describe_vcpus(server, out, size, &n);
	} else if (!strcmp(cmd, "help")) {
		put(out, size, &n, "%s", help_text);
		if (server->monitor_fn &&
		    server->monitor_fn(server->monitor_data, "help", out + n, size - n) > 0)
			n += strlen(out + n);
	} else {
		if (server->monitor_fn) {
			ret = server->monitor_fn(server->monitor_data, cmd, out, size);
			if (ret != 0) {
				out[size - 1] = '\0';
				return ret < 0 ? ret : 0;
			}
			out[0] = '\0';
		}
		put(out, size, &n, "unknown monitor command '%s'\n%s", cmd, help_text);
	}
	return 0;
}
