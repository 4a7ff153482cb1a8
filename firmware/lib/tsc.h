/* SPDX-License-Identifier: GPL-2.0 */
/* Time from the TSC, for timeouts: the frequency comes from CPUID when the
 * CPU or hypervisor reports it, else a 2 GHz guess. */
#ifndef FW_TSC_H
#define FW_TSC_H

#include <vsva/types.h>

void tsc__init(void);
u64 tsc__khz(void);
/* True if no CPUID leaf gave the frequency. */
bool tsc__guessed(void);
/* The TSC value ms milliseconds from now. */
u64 tsc__deadline(u32 ms);
bool tsc__expired(u64 deadline);
u64 tsc__ms_since(u64 start);

#endif
