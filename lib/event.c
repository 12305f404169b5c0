// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Events are values: one type getter, per-type getters that refuse the wrong type, and copies
 * the caller owns.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

_public_ enum kvmdbg_event_type kvmdbg_event_get_type(const struct kvmdbg_event *event)
{
	return event ? event->type : KVMDBG_EVENT_UNKNOWN;
}

_public_ const char *kvmdbg_event_type_name(enum kvmdbg_event_type type)
{
	static const char *const names[] = {
		[KVMDBG_EVENT_UNKNOWN] = "unknown",
		[KVMDBG_EVENT_STEP] = "step",
		[KVMDBG_EVENT_SW_BREAKPOINT] = "sw-breakpoint",
		[KVMDBG_EVENT_HW_BREAKPOINT] = "hw-breakpoint",
		[KVMDBG_EVENT_WATCHPOINT] = "watchpoint",
		[KVMDBG_EVENT_DEBUG_REG_ACCESS] = "debug-reg-access",
		[KVMDBG_EVENT_GUEST_BREAKPOINT] = "guest-breakpoint",
		[KVMDBG_EVENT_GUEST_DEBUG] = "guest-debug",
		[KVMDBG_EVENT_INTERRUPTED] = "interrupted",
	};

	if ((unsigned int)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}

_public_ struct kvmdbg_vcpu *kvmdbg_event_get_vcpu(const struct kvmdbg_event *event)
{
	return event ? event->vcpu : NULL;
}

_public_ uint64_t kvmdbg_event_get_pc(const struct kvmdbg_event *event)
{
	return event ? event->pc : 0;
}

_public_ uint64_t kvmdbg_event_get_seqno(const struct kvmdbg_event *event)
{
	return event ? event->seqno : 0;
}

_public_ uint64_t kvmdbg_event_get_point_id(const struct kvmdbg_event *event)
{
	return event ? event->point_id : 0;
}

_public_ int kvmdbg_event_get_point_type(const struct kvmdbg_event *event)
{
	if (!event || !event->point_id)
		return -EINVAL;
	return event->point_type;
}

_public_ uint64_t kvmdbg_event_get_point_addr(const struct kvmdbg_event *event)
{
	return event && event->point_id ? event->point_addr : 0;
}

_public_ uint64_t kvmdbg_event_get_point_len(const struct kvmdbg_event *event)
{
	return event && event->point_id ? event->point_len : 0;
}

_public_ unsigned int kvmdbg_event_get_point_flags(const struct kvmdbg_event *event)
{
	return event && event->point_id ? event->point_flags : 0;
}

_public_ void *kvmdbg_event_get_user_data(const struct kvmdbg_event *event)
{
	return event && event->point_id ? event->user_data : NULL;
}

_public_ uint64_t kvmdbg_event_get_hit_count(const struct kvmdbg_event *event)
{
	return event && event->point_id ? event->hits : 0;
}

_public_ int kvmdbg_event_copy(const struct kvmdbg_event *event, struct kvmdbg_event **ret_copy)
{
	struct kvmdbg_event *copy;

	if (!event || !ret_copy)
		return -EINVAL;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = *event;
	copy->copy = true;
	*ret_copy = copy;
	return 0;
}

_public_ void kvmdbg_event_free(struct kvmdbg_event *event)
{
	/* a borrowed event lives in its vCPU object: not the caller's to free */
	if (event && event->copy)
		free(event);
}

_public_ int kvmdbg_event_get_slot(const struct kvmdbg_event *event)
{
	if (!event ||
	    (event->type != KVMDBG_EVENT_HW_BREAKPOINT && event->type != KVMDBG_EVENT_WATCHPOINT))
		return -EINVAL;
	return event->slot;
}

_public_ int kvmdbg_event_get_access(const struct kvmdbg_event *event)
{
	if (!event || event->type != KVMDBG_EVENT_WATCHPOINT)
		return -EINVAL;
	return event->access;
}

_public_ int kvmdbg_event_get_data_addr(const struct kvmdbg_event *event, uint64_t *ret_addr)
{
	if (!event || !ret_addr || event->type != KVMDBG_EVENT_WATCHPOINT)
		return -EINVAL;
	*ret_addr = event->data_addr;
	return 0;
}

_public_ int kvmdbg_event_get_raw_exception(const struct kvmdbg_event *event,
					    uint32_t *ret_exception)
{
	if (!event || !ret_exception)
		return -EINVAL;
	if (!event->has_exception)
		return -ENODATA;
	*ret_exception = event->exception;
	return 0;
}

_public_ int kvmdbg_event_get_raw_status(const struct kvmdbg_event *event, uint64_t *ret_status)
{
	if (!event || !ret_status)
		return -EINVAL;
	if (!event->has_status)
		return -ENODATA;
	*ret_status = event->status;
	return 0;
}
