// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical memory layout and bounds-checked access.  Pure: no I/O.
 */
#include <errno.h>
#include <string.h>

#include <vsva/guest-mem.h>

void guest_mem__layout(struct guest_mem *mem, u8 *hva, u64 ram_size)
{
	u64 low = MIN(ram_size, GUEST_MMIO_HOLE_START);

	memset(mem, 0, sizeof(*mem));
	mem->ram_size = ram_size;
	mem->regions[0] = (struct guest_mem_region){ 0, low, hva };
	mem->nr_regions = 1;
	if (ram_size > low) {
		mem->regions[1] = (struct guest_mem_region){
			GUEST_MMIO_HOLE_END, ram_size - low, hva + low };
		mem->nr_regions = 2;
	}
}

void *guest_mem__ptr(const struct guest_mem *mem, u64 gpa, u64 len)
{
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len == 0 || len > r->size - (gpa - r->gpa))
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

/* Bytes of RAM contiguous from @gpa within its region, 0 if not RAM. */
static u64 guest_mem__contig(const struct guest_mem *mem, u64 gpa, u8 **hva)
{
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			*hva = r->hva + (gpa - r->gpa);
			return r->size - (gpa - r->gpa);
		}
	}
	return 0;
}

static int guest_mem__copy(const struct guest_mem *mem, u64 gpa, void *buf,
			   u64 len, bool write)
{
	u8 *p = buf;

	if (gpa + len < gpa)
		return -EFAULT;
	while (len) {
		u8 *hva;
		u64 n = guest_mem__contig(mem, gpa, &hva);

		if (!n)
			return -EFAULT;
		n = MIN(n, len);
		if (write)
			memcpy(hva, p, n);
		else
			memcpy(p, hva, n);
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int guest_mem__read(const struct guest_mem *mem, u64 gpa, void *buf, u64 len)
{
	return guest_mem__copy(mem, gpa, buf, len, false);
}

int guest_mem__write(const struct guest_mem *mem, u64 gpa, const void *buf,
		     u64 len)
{
	return guest_mem__copy(mem, gpa, (void *)buf, len, true);
}

/* Resolve one contiguous piece of a DMA access: GPA and its length. */
static int dma_space__resolve(const struct dma_space *ds, u64 addr, bool write,
			      u64 *gpa, u64 *contig)
{
	if (!ds->translate) {
		*gpa = addr;
		*contig = ~0ULL - addr + 1;
		if (!*contig)
			*contig = ~0ULL;
		return 0;
	}
	return ds->translate(ds->opaque, addr, write, gpa, contig);
}

void *dma_space__ptr(const struct dma_space *ds, u64 addr, u64 len, bool write)
{
	u64 gpa, contig;

	if (!len || addr + len - 1 < addr)
		return NULL;
	if (dma_space__resolve(ds, addr, write, &gpa, &contig) || contig < len)
		return NULL;
	return guest_mem__ptr(ds->mem, gpa, len);
}

static int dma_space__copy(const struct dma_space *ds, u64 addr, void *buf,
			   u64 len, bool write)
{
	u8 *p = buf;

	if (len && addr + len - 1 < addr)
		return -EFAULT;
	while (len) {
		u64 gpa, contig;
		int ret = dma_space__resolve(ds, addr, write, &gpa, &contig);

		if (ret)
			return ret;
		contig = MIN(contig, len);
		ret = guest_mem__copy(ds->mem, gpa, p, contig, write);
		if (ret)
			return ret;
		p += contig;
		addr += contig;
		len -= contig;
	}
	return 0;
}

int dma_space__read(const struct dma_space *ds, u64 addr, void *buf, u64 len)
{
	return dma_space__copy(ds, addr, buf, len, false);
}

int dma_space__write(const struct dma_space *ds, u64 addr, const void *buf,
		     u64 len)
{
	return dma_space__copy(ds, addr, (void *)buf, len, true);
}
