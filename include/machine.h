/* SPDX-License-Identifier: MIT */
/*
 * How a run ends: one final line, "balloonvisor: finished: VERDICT (DETAIL)",
 * then "balloonvisor: halted; ..." unless the emulator ended it first. With
 * exit=emulator on the hypervisor's command line the outcome is reported to
 * the emulator so that scripts see it as the emulator's exit status (README
 * "Outcomes and exit statuses"; tools/bochs.sh, tools/qemu.sh):
 *   Bochs: failure = "Shutdown" to port 0x8900 -> status 1; anything else =
 *          magic breakpoint (xchg bx,bx) -> status 0, which tools/bochs.sh
 *          turns into 3 (refused input) or 4 (unsupported CPU) from the line
 *   QEMU (isa-debug-exit at 0xf4): status (code << 1) | 1:
 *          success 33, failure 35, unsupported CPU 37, refused input 39
 * Otherwise (real hardware) the CPU halts after the final lines.
 */
#ifndef MACHINE_H
#define MACHINE_H

#include <stdbool.h>

enum machine_outcome {
	MACHINE_SUCCESS,
	MACHINE_FAILURE,
	MACHINE_UNSUPPORTED,	/* no usable virtualization on this CPU */
	MACHINE_REFUSED,	/* no failure, but some input was refused */
};

void machine_set_emulator_exit(bool on);
/* detail: why, in a few words, or NULL / "" for none */
void machine_finish(enum machine_outcome outcome, const char *detail) __attribute__((noreturn));

#endif
