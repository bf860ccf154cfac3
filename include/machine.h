/* SPDX-License-Identifier: MIT */
/*
 * How a run ends. With exit=emulator on the hypervisor's command line the
 * outcome is reported to the emulator so that scripts see it as the
 * emulator's exit status (../docs and tools/bochs.sh, tools/qemu.sh):
 *   Bochs: success = magic breakpoint (xchg bx,bx) -> status 0;
 *          failure = "Shutdown" to port 0x8900 -> status 1
 *   QEMU (isa-debug-exit at 0xf4): status (code << 1) | 1:
 *          success 33, failure 35, unsupported CPU 37
 * Otherwise (real hardware) the CPU halts after a final message.
 */
#ifndef MACHINE_H
#define MACHINE_H

#include <stdbool.h>

enum machine_outcome {
	MACHINE_SUCCESS,
	MACHINE_FAILURE,
	MACHINE_UNSUPPORTED,	/* no usable virtualization on this CPU */
};

void machine_set_emulator_exit(bool on);
void machine_finish(enum machine_outcome outcome) __attribute__((noreturn));

#endif
