/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest physical memory: a small set of RAM regions, each a host mapping.
 * Everything here is pure (no I/O), so unit tests build a guest_mem over a
 * malloc'd buffer.  Every access a device makes on behalf of the guest goes
 * through guest_mem__ptr(), which refuses ranges that leave guest RAM.
 */
#ifndef VSVA_GUEST_MEM_H
#define VSVA_GUEST_MEM_H

#include <vsva/types.h>

#define GUEST_MEM_MAX_REGIONS	4

struct guest_mem_region {
	u64 gpa;
	u64 size;
	u8 *hva;
};

struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
	int nr_regions;
	u64 ram_size;		/* total bytes of RAM (all regions) */
};

/* x86 layout: RAM up to 3 GiB below 4 GiB, the rest from 4 GiB. */
#define GUEST_MMIO_HOLE_START	0xC0000000ULL
#define GUEST_MMIO_HOLE_END	0x100000000ULL

/* Split @ram_size bytes of host memory at @hva into regions around the hole. */
void guest_mem__layout(struct guest_mem *mem, u8 *hva, u64 ram_size);

/*
 * Host pointer for [gpa, gpa + len) if the whole range is guest RAM within
 * one region, else NULL.  len == 0 is refused.
 */
void *guest_mem__ptr(const struct guest_mem *mem, u64 gpa, u64 len);

/* Copy helpers that may cross region boundaries; -EFAULT outside RAM. */
int guest_mem__read(const struct guest_mem *mem, u64 gpa, void *buf, u64 len);
int guest_mem__write(const struct guest_mem *mem, u64 gpa, const void *buf,
		     u64 len);

/*
 * A DMA address space: how a device's bus addresses reach guest RAM.
 * translate == NULL means identity (no vIOMMU, or bypass).  A vIOMMU
 * installs its own translate hook; it returns 0 and the GPA of @addr with
 * the number of bytes contiguous from there (>= 1), or a negative errno.
 */
struct dma_space {
	const struct guest_mem *mem;
	int (*translate)(void *opaque, u64 addr, bool write, u64 *gpa,
			 u64 *contig);
	void *opaque;
	/*
	 * Bumped by the translator whenever an existing translation may have
	 * changed (unmap, detach): users that cache host pointers (virtqueue
	 * rings) translate again.  NULL: translations never change.
	 */
	const u32 *gen;
};

/* Host pointer for a range that is contiguous in guest RAM, else NULL. */
void *dma_space__ptr(const struct dma_space *ds, u64 addr, u64 len, bool write);
int dma_space__read(const struct dma_space *ds, u64 addr, void *buf, u64 len);
int dma_space__write(const struct dma_space *ds, u64 addr, const void *buf,
		     u64 len);

#endif
