// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for everything a guest can send the vIOMMU: the input
 * is a stream of requests (ATTACH, DETACH, MAP, UNMAP, PROBE, ATTACH_TABLE,
 * DETACH_TABLE, INVALIDATE, PAGE_RESP, unknown types; any size) fed to
 * viommu__request() with the emul backend, interleaved with DMA
 * translations by the endpoints (with and without PASID), and page-request
 * answers through the tag table.  Checked: no crash or sanitizer report,
 * every translation lands in guest RAM, the writable part is never written
 * past what the request was given, every status is a spec status.
 *
 *   make fuzz FUZZ_SECONDS=60        (clang, libFuzzer, ASan + UBSan)
 */
#include <stdlib.h>
#include <string.h>

#include <vsva/prq.h>
#include <vsva/viommu.h>

#define RAM	(4ULL << 20)

static u8 *ram;
static struct guest_mem mem;

static void no_fault(void *opaque, const struct virtio_iommu_fault *f)
{
	if (f->reason > VIRTIO_IOMMU_FAULT_R_MAPPING &&
	    f->reason < VSVA_FAULT_R_PASID_UNBOUND)
		abort();
}

static u8 page_resp(void *opaque, const struct virtio_iommu_req_page_resp *r)
{
	struct prq_host_resp hr;
	bool failure;

	return prq__guest_response(opaque, r, &hr, &failure);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct prq_table tags;
	const struct viommu_ep_caps sva = {
		.pasid_bits = 20, .formats = 3, .table_flags = 0xf,
		.page_req = true, .prq_capacity = 64,
	};
	struct emul_iommu emul;
	struct viommu v;
	size_t off = 0;

	if (!ram) {
		ram = calloc(1, RAM);
		guest_mem__layout(&mem, ram, RAM);
	}
	memset(ram, 0, 64 * 1024);
	prq__init(&tags, 64);
	emul_iommu__init(&emul, &mem);
	viommu__init(&v, &mem, &emul_iommu_ops, &emul);
	v.features = VIOMMU_DEVICE_FEATURES;
	v.report_fault = no_fault;
	v.page_resp = page_resp;
	v.prq_opaque = &tags;
	viommu__add_endpoint(&v, 0x08, NULL, NULL);
	viommu__add_endpoint(&v, 0x10, &sva, NULL);

	while (off + 4 <= size) {
		u16 in_len = (u16)(data[off] | data[off + 1] << 8) % 8300;
		u16 out_len = (u16)(data[off + 2] | data[off + 3] << 8) % 600;
		u8 out[600 + 16];
		size_t n;

		off += 4;
		if (in_len > size - off)
			in_len = (u16)(size - off);
		if (in_len >= 1 && data[off] == 0xee) {
			/* A DMA access instead of a request. */
			struct viommu_access a = { 0 };
			struct viommu_xlate x;

			if (in_len < 12)
				break;
			memcpy(&a.addr, data + off + 1, 8);
			a.write = data[off + 9] & 1;
			a.exec = data[off + 9] & 2;
			a.priv = data[off + 9] & 4;
			a.prq = data[off + 9] & 8;
			a.pasid = (data[off + 10] & 1) ? VIOMMU_NO_PASID :
				  data[off + 11];
			if (!viommu__translate(&v, v.eps[data[off + 9] >> 7],
					       &a, &x) &&
			    !guest_mem__ptr(&mem, x.gpa, 1) &&
			    !(x.gpa >= 0xfee00000ULL && x.gpa < 0xfef00000ULL))
				/* MAP may map MMIO; anything else is RAM */
				if (!viommu__find_endpoint(&v, 0x08)->domain ||
				    x.gpa < RAM)
					abort();
			off += in_len;
			continue;
		}
		memset(out, 0xa5, sizeof(out));
		n = viommu__request(&v, data + off, in_len, out, out_len);
		if (n > out_len)
			abort();
		for (size_t i = out_len; i < sizeof(out); i++)
			if (out[i] != 0xa5)
				abort();
		if (n && out[n - 4] > VIRTIO_IOMMU_S_NOMEM)
			abort();
		off += in_len;
	}
	viommu__free(&v);
	return 0;
}
