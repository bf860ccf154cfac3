/* SPDX-License-Identifier: MIT */
/*
 * Host interrupt stubs (drivers/lapic.c). The slice timer's interrupt has
 * already done its work (a guest's INTR exit) when the host takes it: only
 * EOI remains (SDM 3A 11.8.5). A spurious interrupt needs no EOI (11.9).
 *
 * An NMI (a watchdog, a BMC's button, QEMU's "nmi") means nothing to this
 * host: it is counted for the summary and dismissed. On SVM one that came
 * while a guest ran exits as NMI and stays pending until STGI, so the host
 * takes it here right after the exit (APM Vol. 2 15.17); on VT-x the NMI
 * exit consumes it (SDM 3C 27.2.2). IRETQ ends the NMI blocking (6.7.1).
 */
	.text
	.globl lapic_timer_stub
lapic_timer_stub:
	push %rax
	mov lapic_eoi_reg(%rip), %rax
	movl $0, (%rax)
	pop %rax
	iretq

	.globl host_nmi_stub
host_nmi_stub:
	lock incq host_nmi_count(%rip)
	iretq

	.globl lapic_spurious_stub
lapic_spurious_stub:
	iretq
