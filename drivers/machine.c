// SPDX-License-Identifier: MIT
/* Ending the run: report the outcome to an emulator, or halt on hardware. */
#include "cpu.h"
#include "machine.h"
#include "printk.h"
#include "uart.h"

#define QEMU_DEBUG_EXIT_PORT	0xf4
#define QEMU_EXIT_SUCCESS	0x10	/* QEMU exits with (v << 1) | 1 = 33 */
#define QEMU_EXIT_FAILURE	0x11	/* 35 */
#define QEMU_EXIT_UNSUPPORTED	0x12	/* 37 */
#define QEMU_EXIT_REFUSED	0x13	/* 39 */
#define BOCHS_SHUTDOWN_PORT	0x8900

static bool emulator_exit;

void machine_set_emulator_exit(bool on)
{
	emulator_exit = on;
}

static void bochs_shutdown(void)
{
	static const char msg[] = "Shutdown";

	for (unsigned int i = 0; i < sizeof(msg) - 1; i++)
		outb(BOCHS_SHUTDOWN_PORT, msg[i]);
}

void machine_finish(enum machine_outcome outcome, const char *detail)
{
	static const char *const names[] = {
		[MACHINE_SUCCESS] = "success",
		[MACHINE_FAILURE] = "failure",
		[MACHINE_UNSUPPORTED] = "unsupported CPU",
		[MACHINE_REFUSED] = "refused input",
	};
	static const uint8_t qemu_codes[] = {
		[MACHINE_SUCCESS] = QEMU_EXIT_SUCCESS,
		[MACHINE_FAILURE] = QEMU_EXIT_FAILURE,
		[MACHINE_UNSUPPORTED] = QEMU_EXIT_UNSUPPORTED,
		[MACHINE_REFUSED] = QEMU_EXIT_REFUSED,
	};

	if (detail && detail[0])
		printk("balloonvisor: finished: %s (%s)\n", names[outcome], detail);
	else
		printk("balloonvisor: finished: %s\n", names[outcome]);
	if (emulator_exit) {
		uart_drain();	/* an emulator exit drops bytes still in the UART */
		outb(QEMU_DEBUG_EXIT_PORT, qemu_codes[outcome]);
		if (outcome == MACHINE_FAILURE)
			bochs_shutdown();
		else
			asm volatile("xchg %bx, %bx");	/* Bochs magic breakpoint */
	}
	printk("balloonvisor: halted; it is safe to power off\n");
	cpu_halt_forever();
}
