/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO accessors: one plain `mov` of the access size each, so the VMM sees
 * exactly the access the driver meant. Guest physical == virtual here
 * (identity map), so an address from a BAR is used as a pointer directly.
 */
#ifndef FW_MMIO_H
#define FW_MMIO_H

#include <vsva/types.h>

static inline void *mmio__ptr(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static inline u8 readb(const void *p)
{
	u8 v;

	asm volatile("movb %1, %0" : "=q"(v) : "m"(*(volatile u8 *)p)
		     : "memory");
	return v;
}

static inline u16 readw(const void *p)
{
	u16 v;

	asm volatile("movw %1, %0" : "=r"(v) : "m"(*(volatile u16 *)p)
		     : "memory");
	return v;
}

static inline u32 readl(const void *p)
{
	u32 v;

	asm volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile u32 *)p)
		     : "memory");
	return v;
}

static inline u64 readq(const void *p)
{
	u64 v;

	asm volatile("movq %1, %0" : "=r"(v) : "m"(*(volatile u64 *)p)
		     : "memory");
	return v;
}

static inline void writeb(void *p, u8 v)
{
	asm volatile("movb %1, %0" : "=m"(*(volatile u8 *)p) : "q"(v)
		     : "memory");
}

static inline void writew(void *p, u16 v)
{
	asm volatile("movw %1, %0" : "=m"(*(volatile u16 *)p) : "r"(v)
		     : "memory");
}

static inline void writel(void *p, u32 v)
{
	asm volatile("movl %1, %0" : "=m"(*(volatile u32 *)p) : "r"(v)
		     : "memory");
}

static inline void writeq(void *p, u64 v)
{
	asm volatile("movq %1, %0" : "=m"(*(volatile u64 *)p) : "r"(v)
		     : "memory");
}

#endif
