// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * All-stop run control: the vCPU hooks, parking, the stops and their queue, resuming.
 *
 * A round starts when gdb resumes some vCPUs (resume()): those are "in the round", the others
 * stay held.  It ends when one of them stops: its thread records the stop, holds every other
 * vCPU (kvmdbg_vcpu_kick() for those that may be inside KVM_RUN) and wakes the serving
 * thread, which waits until every vCPU has parked, takes the stop to report
 * (take_stop_locked()) and tells gdb.  Other vCPUs of the round that stopped at the same time
 * keep their stops queued; resume() reports each at once when gdb resumes its vCPU, if it
 * still means something (the breakpoint or watchpoint is still there; a step only when gdb
 * steps that vCPU again).  The kick of the others is answered by KVMDBG_EVENT_INTERRUPTED,
 * which is never a stop: the vCPU just parks.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static struct gs_vcpu *get_vcpu(struct kvmdbg_gdbserver *server, unsigned int index)
{
	if (!server || index >= server->nr_vcpus)
		return NULL;
	return server->vcpus[index];
}

static void wait_fd(int efd)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	/* a signal ends the wait early: the caller looks at its state again */
	if (poll(&pfd, 1, -1) > 0)
		drain(efd);
}

void hold_all_locked(struct kvmdbg_gdbserver *server, struct gs_vcpu *self)
{
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		if (v->halted)
			continue;
		v->hold = true;
		atomic_store(&v->attention, true);
		/* a vCPU in the serving thread's single-threaded VMM is never inside KVM_RUN */
		if (!v->parked && v != self && server->session_kind != GS_SESSION_SYNC)
			kvmdbg_vcpu_kick(v->vcpu);
	}
}

int wait_parked(struct kvmdbg_gdbserver *server)
{
	for (;;) {
		bool done = true, down;
		sigset_t old;

		lock(server, &old);
		down = server->shutdown;
		for (unsigned int i = 0; i < server->nr_vcpus; i++)
			done &= server->vcpus[i]->parked || server->vcpus[i]->halted;
		unlock(server, &old);
		if (down)
			return -ESHUTDOWN;
		if (done)
			return 0;
		wait_fd(server->notify_fd);
	}
}

bool round_has_stop_locked(struct kvmdbg_gdbserver *server)
{
	bool any = false, all_halted = true;

	if (server->shutdown)
		return true;
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		if (!v->in_round)
			continue;
		if (v->has_stop)
			return true;
		any = true;
		all_halted &= v->halted;
	}
	/* every vCPU gdb resumed has halted since: nothing will ever stop */
	return any && all_halted;
}

bool round_running_locked(struct kvmdbg_gdbserver *server)
{
	for (unsigned int i = 0; i < server->nr_vcpus; i++)
		if (server->vcpus[i]->in_round)
			return true;
	return false;
}

static void stop_init(struct gs_stop *stop, unsigned int vcpu, int signal)
{
	memset(stop, 0, sizeof(*stop));
	stop->kind = GS_STOP_SIGNAL;
	stop->signal = signal;
	stop->vcpu = vcpu;
	stop->event = -1;
}

static void halted_stop(struct gs_stop *stop, unsigned int vcpu, const char *what)
{
	stop_init(stop, vcpu, GDB_SIGTRAP);
	snprintf(stop->note, sizeof(stop->note), "vCPU %u has halted: it %s", vcpu, what);
}

/* Which stop gdb hears of first: the guest's end, then the stops in the order they came. */
static bool stop_before(const struct gs_stop *a, const struct gs_stop *b)
{
	if ((a->kind == GS_STOP_EXITED) != (b->kind == GS_STOP_EXITED))
		return a->kind == GS_STOP_EXITED;
	return a->seq < b->seq;
}

int take_stop_locked(struct kvmdbg_gdbserver *server, struct gs_stop *ret)
{
	struct gs_vcpu *best = NULL;
	int first_run = -1, first_halted = -1;
	bool all_halted = server->nr_vcpus > 0;

	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		all_halted &= v->halted;
		if (!v->in_round)
			continue;
		if (v->halted && first_halted < 0)
			first_halted = (int)i;
		if (!v->halted && first_run < 0)
			first_run = (int)i;
		if (v->has_stop && (!best || stop_before(&v->stop, &best->stop)))
			best = v;
	}
	if (best) {
		*ret = best->stop;
		best->has_stop = false;
	} else if (all_halted) {
		memset(ret, 0, sizeof(*ret));
		ret->kind = GS_STOP_EXITED;
		ret->event = -1;
		snprintf(ret->note, sizeof(ret->note), "every vCPU has halted: the guest is over");
	} else if (first_run >= 0) {
		/* gdb's Ctrl-C, or a new gdb that found the guest running */
		stop_init(ret, (unsigned int)first_run, GDB_SIGINT);
	} else if (first_halted >= 0) {
		halted_stop(ret, (unsigned int)first_halted, "will not run again");
	} else {
		return 1;
	}
	for (unsigned int i = 0; i < server->nr_vcpus; i++)
		server->vcpus[i]->in_round = false;
	server->interrupt = false;
	server->last_stop = *ret;
	return 0;
}

/* Whether a queued stop still means something when gdb resumes its vCPU with action. */
static bool stop_still_valid(struct kvmdbg_gdbserver *server, const struct gs_stop *stop,
			     enum gs_action action)
{
	switch (stop->event) {
	case KVMDBG_EVENT_STEP:
		return action == GS_ACT_STEP;
	case KVMDBG_EVENT_SW_BREAKPOINT:
	case KVMDBG_EVENT_HW_BREAKPOINT:
		/* gone: the vCPU runs on from the breakpoint's address, which it never ran */
		return points_has_break(server, stop->pc);
	case KVMDBG_EVENT_WATCHPOINT:
		return points_has_watch(server, stop->point_type, stop->point_addr);
	default:
		return true;
	}
}

int resume_vcpus(struct kvmdbg_gdbserver *server, const enum gs_action *actions, const int *signals,
		 struct gs_stop *ret)
{
	unsigned int nr_run = 0;
	int first_halted = -1;
	sigset_t old;

	lock(server, &old);
	/* a stop kept from an earlier round comes first, as if it happened at once */
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		if (actions[i] == GS_ACT_NONE || !v->has_stop)
			continue;
		v->has_stop = false;
		if (stop_still_valid(server, &v->stop, actions[i])) {
			*ret = v->stop;
			server->last_stop = *ret;
			unlock(server, &old);
			return 1;
		}
		gs_log(server, KVMDBG_GDBSERVER_LOG_DEBUG,
		       "vCPU %u: its queued stop is void now: dropped", i);
	}
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		if (actions[i] == GS_ACT_NONE)
			continue;
		if (!v->halted) {
			nr_run++;
			continue;
		}
		if (first_halted < 0)
			first_halted = (int)i;
		if (actions[i] == GS_ACT_STEP) {
			halted_stop(ret, i, "cannot step");
			server->last_stop = *ret;
			unlock(server, &old);
			return 1;
		}
	}
	if (!nr_run) {
		unlock(server, &old);
		if (first_halted < 0)
			return -EINVAL;
		halted_stop(ret, (unsigned int)first_halted, "will not run again");
		server->last_stop = *ret;
		return 1;
	}
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		if (actions[i] == GS_ACT_STEP &&
		    kvmdbg_vm_has_feature(server->vm, KVMDBG_FEATURE_SINGLE_STEP) != 1) {
			unlock(server, &old);
			return -EOPNOTSUPP;
		}
	}
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		if (v->halted)
			continue;
		v->in_round = actions[i] != GS_ACT_NONE;
		v->hold = !v->in_round;
		if (!v->in_round)
			continue;
		v->set_step = true;
		v->step = actions[i] == GS_ACT_STEP;
		/* gdb passes SIGTRAP on: the guest's own exception goes back to it */
		v->reinject = signals[i] == GDB_SIGTRAP && v->guest_event;
		atomic_store(&v->attention, true);
		regs_invalidate(v->regs);
	}
	server->interrupt = false;
	unlock(server, &old);

	vmm_resume(server);

	lock(server, &old);
	for (unsigned int i = 0; i < server->nr_vcpus; i++)
		if (server->vcpus[i]->in_round)
			notify(server->vcpus[i]->wake_fd);
	unlock(server, &old);
	return 0;
}

void release_all(struct kvmdbg_gdbserver *server)
{
	sigset_t old;

	lock(server, &old);
	for (unsigned int i = 0; i < server->nr_vcpus; i++) {
		struct gs_vcpu *v = server->vcpus[i];

		if (v->halted)
			continue;
		/* queued stops are gdb's, and gdb is gone */
		v->has_stop = false;
		v->in_round = true;
		v->hold = false;
		v->set_step = true;
		v->step = false;
		v->reinject = false;
		atomic_store(&v->attention, true);
		regs_invalidate(v->regs);
	}
	server->interrupt = false;
	unlock(server, &old);

	vmm_resume(server);

	lock(server, &old);
	for (unsigned int i = 0; i < server->nr_vcpus; i++)
		notify(server->vcpus[i]->wake_fd);
	unlock(server, &old);
}

void vmm_pause(struct kvmdbg_gdbserver *server)
{
	if (server->vmm_paused)
		return;
	server->vmm_paused = true;
	if (server->pause_fn)
		server->pause_fn(server->vmm_data);
}

void vmm_resume(struct kvmdbg_gdbserver *server)
{
	if (!server->vmm_paused)
		return;
	server->vmm_paused = false;
	if (server->resume_fn)
		server->resume_fn(server->vmm_data);
}

void vcpu_pc_moved(struct gs_vcpu *v)
{
	sigset_t old;

	/* elsewhere now: no step over the breakpoint it stopped at, no stop kept for it */
	lock(v->server, &old);
	v->cancel_resume = true;
	v->has_stop = false;
	atomic_store(&v->attention, true);
	unlock(v->server, &old);
}

/* The slow path of the pre_run hook: park while held, then take what gdb asked for. */
static int pre_run_slow(struct kvmdbg_gdbserver *server, struct gs_vcpu *v)
{
	bool set_step, step, cancel, reinject;
	struct kvmdbg_event *event;
	sigset_t old;
	int ret;

	lock(server, &old);
	for (;;) {
		if (server->shutdown) {
			unlock(server, &old);
			return -ESHUTDOWN;
		}
		if (!v->hold)
			break;
		if (server->session_kind == GS_SESSION_SYNC) {
			struct gs_session *s = server->session;

			/* a single-threaded VMM: talk to gdb here, until it resumes us */
			unlock(server, &old);
			session_sync(s);
			lock(server, &old);
			continue;
		}
		if (server->sync_end) {
			/* a single-threaded VMM's gdb ended the session and left us stopped */
			ret = server->sync_end == KVMDBG_GDBSERVER_END_DISCONNECTED ? -ENOTCONN
										    : -ESHUTDOWN;
			unlock(server, &old);
			return ret;
		}
		v->parked = true;
		notify(server->notify_fd);
		unlock(server, &old);
		wait_fd(v->wake_fd);
		lock(server, &old);
		v->parked = false;
	}
	set_step = v->set_step;
	step = v->step;
	cancel = v->cancel_resume;
	reinject = v->reinject;
	event = v->guest_event;
	v->set_step = v->cancel_resume = v->reinject = false;
	v->guest_event = NULL;
	atomic_store(&v->attention, false);
	unlock(server, &old);

	ret = 0;
	if (cancel)
		ret = kvmdbg_vcpu_cancel_resume(v->vcpu);
	if (ret == 0 && set_step)
		ret = kvmdbg_vcpu_set_single_step(v->vcpu, step);
	if (ret == 0 && reinject && event)
		ret = kvmdbg_vcpu_reinject(v->vcpu, event);
	if (ret < 0)
		gs_log(server, KVMDBG_GDBSERVER_LOG_ERROR,
		       "vCPU %u: cannot apply gdb's request: %s", v->index, strerror(-ret));
	kvmdbg_event_free(event);
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_vcpu_pre_run(struct kvmdbg_gdbserver *server, unsigned int index)
{
	struct gs_vcpu *v = get_vcpu(server, index);
	int ret;

	if (!v)
		return -EINVAL;
	if (!atomic_load_explicit(&server->started, memory_order_relaxed))
		atomic_store(&server->started, true);
	if (atomic_load(&v->attention)) {
		ret = pre_run_slow(server, v);
		if (ret < 0)
			return ret;
	}
	return kvmdbg_vcpu_pre_run(v->vcpu);
}

/* The stop gdb hears of for a libkvmdbg event. */
static void stop_from_event(struct gs_vcpu *v, const struct kvmdbg_event *ev, struct gs_stop *stop)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	uint64_t data_addr = 0;

	stop_init(stop, v->index, GDB_SIGTRAP);
	stop->event = (int)type;
	stop->pc = kvmdbg_event_get_pc(ev);
	switch (type) {
	case KVMDBG_EVENT_STEP:
		break;
	case KVMDBG_EVENT_SW_BREAKPOINT:
		stop->reason = GS_REASON_SWBREAK;
		break;
	case KVMDBG_EVENT_HW_BREAKPOINT:
		stop->reason = GS_REASON_HWBREAK;
		break;
	case KVMDBG_EVENT_WATCHPOINT:
		kvmdbg_event_get_data_addr(ev, &data_addr);
		stop->data_addr = data_addr;
		/* the event carries its point's type and address, by value */
		stop->point_type = (enum kvmdbg_point_type)kvmdbg_event_get_point_type(ev);
		stop->point_addr = kvmdbg_event_get_point_addr(ev);
		switch (stop->point_type) {
		case KVMDBG_POINT_WATCH_WRITE:
			stop->reason = GS_REASON_WATCH;
			break;
		case KVMDBG_POINT_WATCH_READ:
			stop->reason = GS_REASON_RWATCH;
			break;
		default:
			stop->reason = GS_REASON_AWATCH;
			break;
		}
		break;
	case KVMDBG_EVENT_GUEST_BREAKPOINT:
		snprintf(stop->note, sizeof(stop->note),
			 "vCPU %u: the guest's own breakpoint instruction at 0x%" PRIx64
			 " ('signal SIGTRAP' hands it to the guest)",
			 v->index, stop->pc);
		break;
	case KVMDBG_EVENT_GUEST_DEBUG:
		snprintf(stop->note, sizeof(stop->note),
			 "vCPU %u: a debug exception of the guest's own at 0x%" PRIx64
			 " ('signal SIGTRAP' hands it to the guest)",
			 v->index, stop->pc);
		break;
	default:
		snprintf(stop->note, sizeof(stop->note), "vCPU %u: a %s debug exit at 0x%" PRIx64,
			 v->index, kvmdbg_event_type_name(type), stop->pc);
		break;
	}
}

/* Queue a stop of vCPU v and stop the others; locked. */
static void record_stop_locked(struct kvmdbg_gdbserver *server, struct gs_vcpu *v,
			       const struct gs_stop *stop)
{
	v->stop = *stop;
	v->stop.seq = ++server->seq;
	v->has_stop = true;
	v->hold = true;
	atomic_store(&v->attention, true);
	hold_all_locked(server, v);
	notify(server->notify_fd);
}

static int take_event(struct kvmdbg_gdbserver *server, struct gs_vcpu *v,
		      const struct kvmdbg_event *ev)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	bool guest_exception =
		type == KVMDBG_EVENT_GUEST_BREAKPOINT || type == KVMDBG_EVENT_GUEST_DEBUG;
	struct kvmdbg_event *copy = NULL;
	struct gs_stop stop;
	sigset_t old;

	/* a kick: a held vCPU parks at its next pre_run, a late one just runs on */
	if (type == KVMDBG_EVENT_INTERRUPTED)
		return KVMDBG_EXIT_RESUME;
	/* kept for a hand-back later; copied before the lock, it allocates */
	if (guest_exception && kvmdbg_event_copy(ev, &copy) < 0)
		copy = NULL;
	lock(server, &old);
	if (server->session_kind == GS_SESSION_NONE && !v->hold) {
		unlock(server, &old);
		/* no debugger: the guest's own exceptions are the guest's, the rest is stale */
		if (guest_exception && kvmdbg_vcpu_reinject(v->vcpu, ev) == 0) {
			kvmdbg_event_free(copy);
			return KVMDBG_EXIT_RESUME;
		}
		if (!guest_exception) {
			kvmdbg_event_free(copy);
			return KVMDBG_EXIT_RESUME;
		}
		/* a hand-back the kernel cannot do (arm64): the guest waits for gdb */
		lock(server, &old);
	}
	stop_from_event(v, ev, &stop);
	if (guest_exception) {
		kvmdbg_event_free(v->guest_event);
		v->guest_event = copy;
	}
	record_stop_locked(server, v, &stop);
	unlock(server, &old);
	return KVMDBG_EXIT_RESUME;
}

GS_EXPORT int kvmdbg_gdbserver_vcpu_handle_exit(struct kvmdbg_gdbserver *server, unsigned int index,
						int run_result)
{
	struct gs_vcpu *v = get_vcpu(server, index);
	const struct kvmdbg_event *ev = NULL;
	int ret;

	if (!v)
		return -EINVAL;
	ret = kvmdbg_vcpu_handle_exit(v->vcpu, run_result, &ev);
	if (ret == KVMDBG_EXIT_NOT_DEBUG) {
		/* a single-threaded VMM: gdb's Ctrl-C can only be seen here */
		if (atomic_load_explicit(&server->sync_watch, memory_order_relaxed) &&
		    server->session)
			session_sync_poll(server->session);
		return ret;
	}
	if (ret != KVMDBG_EXIT_EVENT)
		return ret;
	return take_event(server, v, ev);
}

GS_EXPORT int kvmdbg_gdbserver_vcpu_report_stop(struct kvmdbg_gdbserver *server, unsigned int index,
						int gdb_signal, const char *note)
{
	struct gs_vcpu *v = get_vcpu(server, index);
	struct gs_stop stop;
	sigset_t old;

	if (!v || gdb_signal < 1 || gdb_signal > 255)
		return -EINVAL;
	stop_init(&stop, index, gdb_signal);
	if (note)
		snprintf(stop.note, sizeof(stop.note), "%s", note);
	lock(server, &old);
	record_stop_locked(server, v, &stop);
	/* with no debugger, this is what the next one finds */
	if (server->session_kind == GS_SESSION_NONE)
		v->in_round = true;
	unlock(server, &old);
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_vcpu_report_exit(struct kvmdbg_gdbserver *server, unsigned int index,
						int status)
{
	struct gs_vcpu *v = get_vcpu(server, index);
	struct gs_session *sync = NULL;
	struct gs_stop stop;
	sigset_t old;

	if (!v || status < 0 || status > 255)
		return -EINVAL;
	lock(server, &old);
	if (server->session_kind == GS_SESSION_NONE || server->session_ending) {
		unlock(server, &old);
		return 0;
	}
	stop_init(&stop, index, 0);
	stop.kind = GS_STOP_EXITED;
	stop.status = status;
	record_stop_locked(server, v, &stop);
	if (server->session_kind == GS_SESSION_SYNC)
		sync = server->session;
	unlock(server, &old);
	/* a single-threaded VMM is told now: it may end before its next pre_run */
	if (sync)
		session_sync(sync);
	return 1;
}

GS_EXPORT int kvmdbg_gdbserver_vcpu_halt(struct kvmdbg_gdbserver *server, unsigned int index)
{
	struct gs_vcpu *v = get_vcpu(server, index);
	sigset_t old;

	if (!v)
		return -EINVAL;
	lock(server, &old);
	if (server->session_kind == GS_SESSION_SYNC) {
		unlock(server, &old);
		return -EOPNOTSUPP;
	}
	v->halted = true;
	v->hold = true;
	notify(server->notify_fd);
	while (!server->shutdown) {
		unlock(server, &old);
		wait_fd(v->wake_fd);
		lock(server, &old);
	}
	unlock(server, &old);
	return -ESHUTDOWN;
}
