// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The server object: its vCPUs, its settings, its log and its lock, and the calls that start
 * and end sessions.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

void gs_log(struct kvmdbg_gdbserver *server, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!server->log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	server->log_fn(server->log_data, level, line);
}

/*
 * Every signal is blocked while the lock is held: a VMM's pause signal whose handler blocks
 * (kvmtool) must never park a thread that holds it.  The signal is handled right after.
 */
void lock(struct kvmdbg_gdbserver *server, sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
	pthread_mutex_lock(&server->lock);
}

void unlock(struct kvmdbg_gdbserver *server, const sigset_t *old)
{
	pthread_mutex_unlock(&server->lock);
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

void notify(int efd)
{
	uint64_t one = 1;

	/* an eventfd's counter does not overflow in practice: a failure loses nothing */
	if (write(efd, &one, sizeof(one)) < 0) {
	}
}

void drain(int efd)
{
	uint64_t count;

	if (read(efd, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing was pending */
	}
}

static void vcpu_free(struct gs_vcpu *v)
{
	if (!v)
		return;
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	regs_free(v->regs);
	kvmdbg_event_free(v->guest_event);
	free(v);
}

GS_EXPORT int kvmdbg_gdbserver_new(struct kvmdbg_vm *vm, struct kvmdbg_gdbserver **ret_server)
{
	struct kvmdbg_gdbserver *server;
	int ret;

	if (!vm || !ret_server)
		return -EINVAL;
	if (!gs_arch.target_xml)
		return -EOPNOTSUPP;
	server = calloc(1, sizeof(*server));
	if (!server)
		return -ENOMEM;
	server->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (server->notify_fd < 0) {
		ret = -errno;
		free(server);
		return ret;
	}
	pthread_mutex_init(&server->lock, NULL);
	server->vm = vm;
	/* before any stop, gdb finds the guest as a new process: SIGTRAP in thread 1 */
	server->last_stop.kind = GS_STOP_SIGNAL;
	server->last_stop.signal = GDB_SIGTRAP;
	server->last_stop.event = -1;
	*ret_server = server;
	return 0;
}

GS_EXPORT void kvmdbg_gdbserver_free(struct kvmdbg_gdbserver *server)
{
	if (!server)
		return;
	points_remove_all(server);
	points_free(&server->points);
	if (server->session)
		session_free(server->session);
	for (unsigned int i = 0; i < server->nr_vcpus; i++)
		vcpu_free(server->vcpus[i]);
	free(server->vcpus);
	close(server->notify_fd);
	pthread_mutex_destroy(&server->lock);
	free(server);
}

GS_EXPORT int kvmdbg_gdbserver_add_vcpu(struct kvmdbg_gdbserver *server, struct kvmdbg_vcpu *vcpu,
					int vcpu_fd)
{
	struct gs_vcpu *v, **vcpus;

	if (!server || !vcpu || vcpu_fd < 0 || kvmdbg_vcpu_get_vm(vcpu) != server->vm)
		return -EINVAL;
	if (atomic_load(&server->started))
		return -EBUSY;
	for (unsigned int i = 0; i < server->nr_vcpus; i++)
		if (server->vcpus[i]->vcpu == vcpu || server->vcpus[i]->fd == vcpu_fd)
			return -EEXIST;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->regs = regs_new();
	vcpus = realloc(server->vcpus, (server->nr_vcpus + 1) * sizeof(*vcpus));
	if (v->wake_fd < 0 || !v->regs || !vcpus) {
		int ret = v->wake_fd < 0 ? -errno : -ENOMEM;

		vcpu_free(v);
		if (vcpus)
			server->vcpus = vcpus;
		return ret;
	}
	v->server = server;
	v->index = server->nr_vcpus;
	v->vcpu = vcpu;
	v->fd = vcpu_fd;
	server->vcpus = vcpus;
	server->vcpus[server->nr_vcpus++] = v;
	return (int)v->index;
}

GS_EXPORT int kvmdbg_gdbserver_set_log_fn(struct kvmdbg_gdbserver *server,
					  kvmdbg_gdbserver_log_fn fn, void *user_data)
{
	if (!server)
		return -EINVAL;
	server->log_fn = fn;
	server->log_data = user_data;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_set_break_mode(struct kvmdbg_gdbserver *server,
					      enum kvmdbg_gdbserver_break_mode mode)
{
	if (!server ||
	    (mode != KVMDBG_GDBSERVER_BREAK_AUTO && mode != KVMDBG_GDBSERVER_BREAK_SOFTWARE &&
	     mode != KVMDBG_GDBSERVER_BREAK_HARDWARE))
		return -EINVAL;
	server->break_mode = mode;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_get_break_type(struct kvmdbg_gdbserver *server)
{
	if (!server)
		return -EINVAL;
	return (int)points_z0_type(server);
}

GS_EXPORT int kvmdbg_gdbserver_set_watch_mode(struct kvmdbg_gdbserver *server,
					      enum kvmdbg_gdbserver_watch_mode mode)
{
	if (!server || (mode != KVMDBG_GDBSERVER_WATCH_AUTO && mode != KVMDBG_GDBSERVER_WATCH_ON &&
			mode != KVMDBG_GDBSERVER_WATCH_OFF))
		return -EINVAL;
	server->watch_mode = mode;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_set_vmm_fns(struct kvmdbg_gdbserver *server,
					   kvmdbg_gdbserver_vmm_fn pause,
					   kvmdbg_gdbserver_vmm_fn resume, void *user_data)
{
	if (!server)
		return -EINVAL;
	server->pause_fn = pause;
	server->resume_fn = resume;
	server->vmm_data = user_data;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_set_monitor_fn(struct kvmdbg_gdbserver *server,
					      kvmdbg_gdbserver_monitor_fn fn, void *user_data)
{
	if (!server)
		return -EINVAL;
	server->monitor_fn = fn;
	server->monitor_data = user_data;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_set_end_fn(struct kvmdbg_gdbserver *server,
					  kvmdbg_gdbserver_end_fn fn, void *user_data)
{
	if (!server)
		return -EINVAL;
	server->end_fn = fn;
	server->end_data = user_data;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_stop(struct kvmdbg_gdbserver *server)
{
	sigset_t old;

	if (!server)
		return -EINVAL;
	atomic_store(&server->started, true);
	lock(server, &old);
	hold_all_locked(server, NULL);
	unlock(server, &old);
	return 0;
}

/* Claim the one session slot; 0 or -errno.  locked */
static int claim_session_locked(struct kvmdbg_gdbserver *server, enum gs_session_kind kind)
{
	if (server->shutdown)
		return -ESHUTDOWN;
	if (server->session_kind != GS_SESSION_NONE)
		return -EBUSY;
	server->session_kind = kind;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_serve(struct kvmdbg_gdbserver *server, int fd)
{
	struct gs_session *s;
	sigset_t old;
	int ret;

	/* with no vCPU there is no thread to show gdb (every packet names one) */
	if (!server || fd < 0 || !server->nr_vcpus)
		return -EINVAL;
	atomic_store(&server->started, true);
	lock(server, &old);
	ret = claim_session_locked(server, GS_SESSION_THREAD);
	unlock(server, &old);
	if (ret < 0)
		return ret;
	ret = session_new(server, fd, false, &s);
	if (ret < 0) {
		lock(server, &old);
		server->session_kind = GS_SESSION_NONE;
		unlock(server, &old);
		return ret;
	}
	return session_serve(s);
}

GS_EXPORT int kvmdbg_gdbserver_attach(struct kvmdbg_gdbserver *server, int fd)
{
	struct gs_session *s;
	sigset_t old;
	int ret;

	if (!server || fd < 0 || !server->nr_vcpus)
		return -EINVAL;
	if (server->nr_vcpus > 1)
		return -EOPNOTSUPP;
	atomic_store(&server->started, true);
	lock(server, &old);
	ret = claim_session_locked(server, GS_SESSION_SYNC);
	unlock(server, &old);
	if (ret < 0)
		return ret;
	ret = session_new(server, fd, true, &s);
	lock(server, &old);
	if (ret < 0) {
		server->session_kind = GS_SESSION_NONE;
	} else {
		server->session = s;
		hold_all_locked(server, NULL);
		atomic_store(&server->sync_watch, true);
	}
	unlock(server, &old);
	return ret;
}

GS_EXPORT int kvmdbg_gdbserver_shutdown(struct kvmdbg_gdbserver *server)
{
	sigset_t old;

	if (!server)
		return -EINVAL;
	lock(server, &old);
	server->shutdown = true;
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		atomic_store(&v->attention, true);
		notify(v->wake_fd);
	}
	notify(server->notify_fd);
	unlock(server, &old);
	return 0;
}
