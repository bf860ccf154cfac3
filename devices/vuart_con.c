// SPDX-License-Identifier: MIT
/*
 * An attached console's view of a guest's COM1 output (include/vuart.h):
 * the exact bytes, in chunks printed as "con name: TEXT". A chunk ends
 * after a newline, when VUART_CON_CHUNK bytes are collected, or when the
 * VM's slice ends (vuart_con_flush from the scheduler), so a prompt or an
 * echoed key reaches the person within one slice. Chunks cost the VM's
 * console budget like lines do.
 */
#include <string.h>

#include "mon_text.h"
#include "vuart.h"

void vuart_con_flush(struct vuart *u, const char *name)
{
	char text[VUART_CON_CHUNK * MON_TEXT_ESC_MAX + 1];
	size_t n;

	if (!u->con_len)
		return;
	n = mon_text_encode(u->con_buf, u->con_len, text, sizeof(text));
	u->con_len = 0;
	/* "con ", ": ", the newline */
	if (con_limit_take(&u->limit, (uint32_t)(n + 7 + strlen(name))) && u->w.print)
		u->w.print("con %s: %s\n", name, text);
}

void vuart_con_put(struct vuart *u, const char *name, uint8_t c)
{
	/* full already: attaching took a prompt of VUART_CON_CHUNK bytes or more */
	if (u->con_len == VUART_CON_CHUNK)
		vuart_con_flush(u, name);
	u->con_buf[u->con_len++] = c;
	if (c == '\n' || u->con_len == VUART_CON_CHUNK)
		vuart_con_flush(u, name);
}

int vuart_con_attach(struct vuart *u)
{
	if (u->con_attached >= VUART_CON_MAX)
		return -1;
	if (!u->con_attached) {
		unsigned int n = u->len < VUART_CON_CHUNK ? u->len : VUART_CON_CHUNK;

		/* the line so far (its last VUART_CON_CHUNK bytes): the prompt */
		for (unsigned int i = 0; i < n; i++)
			u->con_buf[i] = (uint8_t)u->line[u->len - n + i];
		u->con_len = n;
	}
	return (int)++u->con_attached;
}

int vuart_con_detach(struct vuart *u, const char *name)
{
	if (!u->con_attached)
		return -1;
	if (!--u->con_attached)
		vuart_con_flush(u, name);
	return (int)u->con_attached;
}
