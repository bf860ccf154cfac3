/* SPDX-License-Identifier: MIT */
#ifndef GUEST_EXITBENCH_H
#define GUEST_EXITBENCH_H

/* exitbench=N on the command line: time N CPUID and N hypercall round trips */
void exitbench_run(const char *cmdline);

#endif
