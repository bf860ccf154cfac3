// SPDX-License-Identifier: MIT
/* Timer queues (include/timer.h): a list kept in deadline order. */
#include <stddef.h>
#include "timer.h"

void timer_init(struct timer *t, timer_fn *fn, void *ctx)
{
	*t = (struct timer) { .deadline = TIMER_NEVER, .fn = fn, .ctx = ctx };
}

void timer_cancel(struct timer_queue *q, struct timer *t)
{
	if (!t->armed)
		return;
	for (struct timer **p = &q->head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void timer_arm(struct timer_queue *q, struct timer *t, uint64_t deadline)
{
	struct timer **p = &q->head;

	timer_cancel(q, t);
	/* after the timers with the same deadline: they fire in the order armed */
	while (*p && (*p)->deadline <= deadline)
		p = &(*p)->next;
	t->deadline = deadline;
	t->next = *p;
	t->armed = true;
	*p = t;
}

uint64_t timer_next(const struct timer_queue *q)
{
	return q->head ? q->head->deadline : TIMER_NEVER;
}

uint64_t timer_run(struct timer_queue *q, uint64_t now)
{
	/*
	 * One pass over what was due at now: a callback that re-arms for a
	 * deadline still <= now runs again on the next call, not in a loop here.
	 */
	unsigned int budget = 0;

	for (struct timer *t = q->head; t && t->deadline <= now; t = q->head) {
		if (++budget > 64)
			break;
		timer_cancel(q, t);
		q->fired++;
		t->fn(t, now);
	}
	return timer_next(q);
}

void timer_cancel_all(struct timer_queue *q)
{
	while (q->head)
		timer_cancel(q, q->head);
}

#ifdef HOST_TEST
/* Host tests drive time by hand. */
uint64_t timer_fake_now;

uint64_t timer_now(void)
{
	return timer_fake_now;
}
#endif
