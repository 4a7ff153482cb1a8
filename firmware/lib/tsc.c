// SPDX-License-Identifier: GPL-2.0
/* TSC frequency discovery and deadlines. */
#include "cpu.h"
#include "tsc.h"

#define TSC_GUESS_KHZ	2000000
#define HV_LEAF_BASE	0x40000000
#define HV_LEAF_TSC	0x40000010	/* eax: TSC kHz (KVM/VMware use) */

static u64 tsc_khz = TSC_GUESS_KHZ;
static bool tsc_guessed = true;

static u64 tsc_khz_from_cpuid(void)
{
	u32 max = cpuid(0, 0).eax;
	struct cpuid_regs r;

	if (max >= 0x15) {
		r = cpuid(0x15, 0);	/* crystal Hz * ebx / eax */
		if (r.eax && r.ebx && r.ecx)
			return (u64)r.ecx * r.ebx / r.eax / 1000;
	}
	if (max >= 0x16) {
		r = cpuid(0x16, 0);	/* base MHz */
		if (r.eax & 0xffff)
			return (u64)(r.eax & 0xffff) * 1000;
	}
	if (cpuid(1, 0).ecx & BIT(31)) {	/* hypervisor present */
		if (cpuid(HV_LEAF_BASE, 0).eax >= HV_LEAF_TSC) {
			r = cpuid(HV_LEAF_TSC, 0);
			if (r.eax)
				return r.eax;
		}
	}
	return 0;
}

void tsc__init(void)
{
	u64 khz = tsc_khz_from_cpuid();

	if (khz) {
		tsc_khz = khz;
		tsc_guessed = false;
	}
}

bool tsc__guessed(void)
{
	return tsc_guessed;
}

u64 tsc__khz(void)
{
	return tsc_khz;
}

u64 tsc__deadline(u32 ms)
{
	return rdtsc() + (u64)ms * tsc_khz;
}

bool tsc__expired(u64 deadline)
{
	return (s64)(rdtsc() - deadline) >= 0;
}

u64 tsc__ms_since(u64 start)
{
	return (rdtsc() - start) / tsc_khz;
}
