/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A circular doubly-linked list whose nodes live inside the objects they link: O(1) insert at
 * either end and O(1) removal of any node, no allocation.  An empty list is a head that points
 * to itself; so is a node that is on no list (list_init() it, and list_del() leaves it so).
 */
#ifndef KVMDBG_LIST_H
#define KVMDBG_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
	struct list *next, *prev;
};

/* through void *: the member's address is the object's, suitably aligned (-Wcast-align) */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool list_empty(const struct list *head)
{
	return head->next == head;
}

static inline void list_add_tail(struct list *head, struct list *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void list_del(struct list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

#define list_entry(node, type, member) container_of(node, type, member)
#define list_first(head, type, member) list_entry((head)->next, type, member)

/* pos: a pointer to the containing type; the body may not remove pos (see _safe) */
#define list_for_each(pos, head, member)                                                       \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/* the body may remove pos; tmp is a second pointer of the same type */
#define list_for_each_safe(pos, tmp, head, member)                        \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),    \
	    tmp = list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head);                                      \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*pos), member))

#endif /* KVMDBG_LIST_H */
