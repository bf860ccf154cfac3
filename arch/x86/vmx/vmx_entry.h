/* SPDX-License-Identifier: MIT */
/* Constants vmx_entry.S needs, checked against the C definitions in vmx_regs.c. */
#ifndef VMX_ENTRY_H
#define VMX_ENTRY_H

#define VMX_ENTRY_HOST_RSP_FIELD	0x6c14	/* HOST_RSP, SDM 3C appendix B.4.4 */

#endif
