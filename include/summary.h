/* SPDX-License-Identifier: MIT */
#ifndef SUMMARY_H
#define SUMMARY_H

#include "machine.h"

/*
 * Prints the per-VM report and the frame accounting. Success means: no VM
 * hit a hypervisor error or powered off with a non-zero status, and every
 * frame is accounted for. A guest stopped for a fault it caused (contained)
 * does not fail the run: tests check those from the log.
 */
enum machine_outcome summary_print(void);

#endif
