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
#include "svm/svm_defs.h"
#include "x86_defs.h"

const struct hv_ops *hv_ops;

const struct hv_ops *cpu_detect_backend(void)
{
	struct cpuid_regs r;
	char vendor[13];
	bool vmx, svm = false, np = false;
	uint32_t max_ext;

	cpuid(0, 0, &r);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	cpuid(1, 0, &r);
	vmx = r.ecx & CPUID_1_ECX_VMX;
	cpuid(0x80000000, 0, &r);
	max_ext = r.eax;
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, &r);
		svm = r.ecx & CPUID_80000001_ECX_SVM;
	}
	/* nested paging: CPUID Fn8000_000A EDX[0] (APM Vol. 2 15.4) */
	if (svm && max_ext >= SVM_CPUID_FEATURES) {
		cpuid(SVM_CPUID_FEATURES, 0, &r);
		np = r.edx & SVM_FEATURE_NP;
	}
	printk("cpu: %s, VT-x %s, AMD SVM %s%s\n", vendor, vmx ? "yes" : "no",
	       svm ? "yes" : "no", svm ? (np ? " with nested paging" : " without nested paging") : "");
	/* VT-x first where both exist: its backend is the complete one */
	if (vmx)
		return &vmx_ops;
	if (svm && np)
		return &svm_ops;
	printk("balloonvisor: no VT-x and no AMD SVM with nested paging on this CPU.\n");
	printk("balloonvisor: run it where one exists: Bochs with a VT-x model (make run), "
	       "QEMU TCG with -cpu max or EPYC (SVM), "
	       "QEMU/KVM with nested VT-x on an Intel host (-accel kvm -cpu host), "
	       "or bare metal with VT-x or SVM enabled in the firmware.\n");
	return NULL;
}
