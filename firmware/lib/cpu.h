/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 instructions the firmware may use: port I/O, MSRs, CPUID, TSC,
 * hlt/pause and barriers. Only instructions the host's KVM emulator runs
 * belong here (no int3, popcnt, BMI, SSE arithmetic; see check-insns.sh).
 */
#ifndef FW_CPU_H
#define FW_CPU_H

#include <vsva/types.h>

#define MSR_FS_BASE	0xc0000100

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline __attribute__((noreturn)) void ud2(void)
{
	for (;;)
		asm volatile("ud2");
}

/* Compiler barrier: enough on x86 for ordering stores with stores and loads
 * with loads (TSO). */
#define barrier()	asm volatile("" : : : "memory")

/* Full barrier (store->load ordering), without mfence (an SSE2 opcode). */
static inline void mb(void)
{
	asm volatile("lock; addl $0, (%%rsp)" : : : "memory", "cc");
}

#endif
