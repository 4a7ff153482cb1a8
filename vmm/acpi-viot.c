// SPDX-License-Identifier: GPL-2.0
/*
 * The VIOT (virtio-iommu topology), when cfg->viot.present: a virtio-pci
 * IOMMU node, then one PCI range node per run of consecutive endpoint
 * BDFs, each sending its BDFs to the IOMMU with endpoint ID = BDF.  Pure:
 * no I/O, no globals.
 */
#include <errno.h>

#include "acpi-priv.h"

/*
 * VIOT, revision 0: the Virtual I/O Translation Table (a separate
 * specification, linked from the ACPI spec's list of reserved table
 * signatures).  After the header: node count, offset of the first node
 * from the table start, 8 reserved bytes.  Every node starts with type, a
 * reserved byte and its length.  Output nodes are named by their offset
 * from the table start.
 */
struct acpi_viot {
	struct acpi_table_header header;
	u16 node_count;
	u16 node_offset;
	u8 reserved[8];
} __packed;
_Static_assert(offsetof(struct acpi_viot, node_count) == 36, "viot");
_Static_assert(offsetof(struct acpi_viot, node_offset) == 38, "viot");
_Static_assert(sizeof(struct acpi_viot) == 48, "viot");

struct acpi_viot_node {
	u8 type;
	u8 reserved;
	u16 length;
} __packed;

/* Type 1: PCI range.  BDFs bdf_start..bdf_end of the segments go to the
 * output node, endpoint IDs from endpoint_start on. */
struct acpi_viot_pci_range {
	struct acpi_viot_node node;
	u32 endpoint_start;
	u16 segment_start;
	u16 segment_end;
	u16 bdf_start;
	u16 bdf_end;
	u16 output_node;
	u8 reserved[6];
} __packed;
_Static_assert(offsetof(struct acpi_viot_pci_range, endpoint_start) == 4,
	       "viot");
_Static_assert(offsetof(struct acpi_viot_pci_range, bdf_start) == 12, "viot");
_Static_assert(offsetof(struct acpi_viot_pci_range, output_node) == 16,
	       "viot");
_Static_assert(sizeof(struct acpi_viot_pci_range) == 24, "viot");

/* Type 3: a virtio-iommu that is a PCI function. */
struct acpi_viot_virtio_pci {
	struct acpi_viot_node node;
	u16 segment;
	u16 bdf;
	u8 reserved[8];
} __packed;
_Static_assert(offsetof(struct acpi_viot_virtio_pci, bdf) == 6, "viot");
_Static_assert(sizeof(struct acpi_viot_virtio_pci) == 16, "viot");

#define VIOT_REVISION		0
#define VIOT_NODE_PCI_RANGE	1
#define VIOT_NODE_VIRTIO_PCI	3

/* Runs of consecutive BDFs in the (ascending) endpoint list. */
static int acpi__viot_nr_ranges(const struct acpi_config *cfg)
{
	int i, n = 0;

	for (i = 0; i < cfg->viot.nr_endpoints; i++)
		if (!i || cfg->viot.endpoints[i] !=
			  cfg->viot.endpoints[i - 1] + 1)
			n++;
	return n;
}

int acpi__build_viot(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx __unused, u64 *gpa)
{
	struct acpi_viot_pci_range *r;
	struct acpi_viot_virtio_pci *io;
	struct acpi_viot *v;
	int i, nr_ranges;
	size_t len;

	if (!cfg->viot.present)
		return 0;
	nr_ranges = acpi__viot_nr_ranges(cfg);
	len = sizeof(*v) + sizeof(*io) + (size_t)nr_ranges * sizeof(*r);
	v = acpi__table_alloc(b, "VIOT", len, VIOT_REVISION);
	if (!v)
		return -ENOSPC;
	v->node_count = (u16)(1 + nr_ranges);
	v->node_offset = sizeof(*v);

	/* The IOMMU first: every range names it by this offset. */
	io = (struct acpi_viot_virtio_pci *)(v + 1);
	io->node.type = VIOT_NODE_VIRTIO_PCI;
	io->node.length = sizeof(*io);
	io->segment = 0;
	io->bdf = cfg->viot.iommu_bdf;

	r = (struct acpi_viot_pci_range *)(io + 1);
	for (i = 0; i < cfg->viot.nr_endpoints; i++) {
		u16 bdf = cfg->viot.endpoints[i];

		if (i && bdf == cfg->viot.endpoints[i - 1] + 1) {
			r[-1].bdf_end = bdf;	/* extends the last run */
			continue;
		}
		r->node.type = VIOT_NODE_PCI_RANGE;
		r->node.length = sizeof(*r);
		r->endpoint_start = bdf;	/* endpoint ID = BDF */
		r->segment_start = 0;
		r->segment_end = 0;
		r->bdf_start = bdf;
		r->bdf_end = bdf;
		r->output_node = sizeof(*v);
		r++;
	}
	acpi__table_seal(v);
	*gpa = acpi_buf__gpa(b, v);
	return 0;
}
