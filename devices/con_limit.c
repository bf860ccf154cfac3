// SPDX-License-Identifier: MIT
/* The per-VM console budget (see include/con_limit.h). */
#include "con_limit.h"

void con_limit_init(struct con_limit *l)
{
	*l = (struct con_limit){ .left = CON_TICK_BYTES };
}

bool con_limit_take(struct con_limit *l, uint32_t bytes)
{
	if (bytes > l->left) {
		/* whole lines only: a cut line would read as something the guest never wrote */
		l->dropped += bytes;
		l->dropped_tick += bytes;
		return false;
	}
	l->left -= bytes;
	l->used += bytes;
	l->printed += bytes;
	if (l->used > l->peak)
		l->peak = l->used;
	return true;
}

uint64_t con_limit_tick(struct con_limit *l)
{
	uint64_t dropped = l->dropped_tick;

	l->left = CON_TICK_BYTES;
	l->used = 0;
	l->dropped_tick = 0;
	return dropped;
}
