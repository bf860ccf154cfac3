// SPDX-License-Identifier: MIT
/*
 * Choosing the virtualization backend from CPUID alone (PLATFORM.md: some
 * emulators answer VMX MSRs on CPUs without VT-x, and QEMU TCG hangs when
 * CR4.VMXE is set without it, so nothing else is touched before this says yes).
 */
#include <string.h>
#include "cpu.h"
#include "hv_ops.h"
#include "printk.h"
#include "x86_defs.h"

const struct hv_ops *hv_ops;

const struct hv_ops *cpu_detect_backend(void)
{
	struct cpuid_regs r;
	char vendor[13];
	bool vmx, svm = false;

	cpuid(0, 0, &r);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	cpuid(1, 0, &r);
	vmx = r.ecx & CPUID_1_ECX_VMX;
	cpuid(0x80000000, 0, &r);
	if (r.eax >= 0x80000001) {
		cpuid(0x80000001, 0, &r);
		svm = r.ecx & CPUID_80000001_ECX_SVM;
	}
	printk("cpu: %s, VT-x %s, AMD SVM %s\n", vendor, vmx ? "yes" : "no", svm ? "yes" : "no");
	if (vmx)
		return &vmx_ops;
	printk("balloonvisor: no VT-x on this CPU%s.\n",
	       svm ? " (it has AMD SVM, whose backend is planned but not written yet)" : "");
	printk("balloonvisor: run it where VT-x exists: Bochs with a VT-x model (make run), "
	       "QEMU/KVM with nested VT-x on an Intel host (-accel kvm -cpu host), "
	       "or bare metal with VT-x enabled in the firmware.\n");
	return NULL;
}
