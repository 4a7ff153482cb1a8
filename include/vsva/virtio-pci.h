/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio 1.x PCI transport, modern only (virtio 1.x section 4.1).
 *
 * One 32-bit memory BAR (BAR 0) holds everything:
 *   0x0000 common config      0x1000 ISR            0x2000 device config
 *   0x3000 notify (4 bytes per queue, queue_notify_off = queue index)
 *   0x4000 MSI-X table        0x5000 MSI-X PBA
 * MSI-X has one vector per queue plus one for config changes.  Queues are
 * processed only while the command register's bus master bit is set.  Queue
 * notifications arrive through an ioeventfd per queue (the event loop
 * thread), or as MMIO writes if KVM refused the ioeventfd.
 */
#ifndef VSVA_VIRTIO_PCI_H
#define VSVA_VIRTIO_PCI_H

#include <pthread.h>
#include <vsva/pci.h>
#include <vsva/virtio.h>

#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_BASE		0x1040
#define VIRTIO_PCI_REVISION		1

#define VIRTIO_PCI_BAR			0
#define VIRTIO_PCI_BAR_SIZE		0x8000
#define VIRTIO_PCI_COMMON_OFF		0x0000
#define VIRTIO_PCI_COMMON_LEN		0x38
#define VIRTIO_PCI_ISR_OFF		0x1000
#define VIRTIO_PCI_DEVCFG_OFF		0x2000
#define VIRTIO_PCI_NOTIFY_OFF		0x3000
#define VIRTIO_PCI_NOTIFY_MULT		4
#define VIRTIO_PCI_MSIX_TABLE_OFF	0x4000
#define VIRTIO_PCI_MSIX_PBA_OFF		0x5000

/* virtio_pci_cap.cfg_type */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* Common configuration structure offsets (4.1.4.3). */
#define VIRTIO_PCI_DFSELECT		0x00
#define VIRTIO_PCI_DF			0x04
#define VIRTIO_PCI_GFSELECT		0x08
#define VIRTIO_PCI_GF			0x0c
#define VIRTIO_PCI_MSIX_CONFIG		0x10
#define VIRTIO_PCI_NUM_QUEUES		0x12
#define VIRTIO_PCI_STATUS		0x14
#define VIRTIO_PCI_CFG_GENERATION	0x15
#define VIRTIO_PCI_Q_SELECT		0x16
#define VIRTIO_PCI_Q_SIZE		0x18
#define VIRTIO_PCI_Q_MSIX		0x1a
#define VIRTIO_PCI_Q_ENABLE		0x1c
#define VIRTIO_PCI_Q_NOFF		0x1e
#define VIRTIO_PCI_Q_DESC		0x20
#define VIRTIO_PCI_Q_DRIVER		0x28
#define VIRTIO_PCI_Q_DEVICE		0x30

#define VIRTIO_ISR_QUEUE		0x1
#define VIRTIO_ISR_CONFIG		0x2

struct virtio_pci;

struct virtio_pci_queue {
	struct virtio_pci *vp;
	u16 idx;
	u16 size;
	u16 msix_vector;
	bool enabled;
	bool ioeventfd;		/* notifications come via the event loop */
	u64 desc, driver, device;
	struct virtq vq;
	u64 notifies;
};

struct virtio_pci_stats {
	u64 features_refused;	/* FEATURES_OK refused */
	u64 queue_refused;	/* queue_enable refused */
	u64 mmio_notifies;	/* notifies without ioeventfd */
	u64 bad_notifies;	/* unknown or disabled queue */
	u64 no_bus_master;	/* kicks held: bus mastering off */
	u64 needs_reset;	/* broken queues */
};

struct virtio_pci {
	struct pci_device pdev;
	struct virtio_device *vdev;
	pthread_mutex_t lock;	/* registers and device callbacks */

	u32 dfselect, gfselect;
	u64 device_features;
	u64 driver_features;
	u16 msix_config;
	u16 queue_select;
	u8 status;
	u8 config_generation;
	u8 isr;
	u16 pci_cfg_cap;	/* VIRTIO_PCI_CAP_PCI_CFG offset */
	bool bus_master;	/* command register, as last seen */

	u16 nr_queues;
	struct virtio_pci_queue *queues;
	struct virtio_pci_stats stats;
};

/*
 * Build the PCI function for @vdev (config space, capabilities, MSI-X)
 * without touching a vm: pure, for unit tests.  virtio_pci__free() undoes.
 */
int virtio_pci__setup(struct virtio_pci *vp, struct virtio_device *vdev);
void virtio_pci__free(struct virtio_pci *vp);
/* setup + DMA over the vm's RAM + pci__register(). */
int virtio_pci__init(struct vm *vm, struct virtio_device *vdev);
/* The PCI function carrying @vdev (set up by virtio_pci__setup()). */
struct pci_device *virtio_pci__pdev(struct virtio_device *vdev);
/* A driver kick for queue @q (ioeventfd callback or MMIO write). */
void virtio_pci__notify(struct virtio_pci *vp, u16 q);

#endif
