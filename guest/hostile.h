/* SPDX-License-Identifier: MIT */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

/*
 * If the command line asks for fault=KIND, misbehave that way. Returns 0 when
 * no fault was asked for, -1 when the guest survived the one it tried.
 */
int hostile_run(const char *cmdline);

#endif
