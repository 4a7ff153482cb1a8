/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console (virtio 1.x section 5.3): one port, no MULTIPORT.
 * Queue 0 (receiveq) takes the terminal's input, queue 1 (transmitq)
 * carries the guest's output to the terminal.  A Linux guest sees it as
 * hvc0.
 *
 * The data path is pure: a FIFO of input bytes the driver has no buffer
 * for yet, and two copy functions over popped chains.
 */
#ifndef VSVA_VIRTIO_CONSOLE_H
#define VSVA_VIRTIO_CONSOLE_H

#include <vsva/types.h>
#include <vsva/virtqueue.h>

#define VIRTIO_CONSOLE_F_SIZE		0
#define VIRTIO_CONSOLE_F_MULTIPORT	1
#define VIRTIO_CONSOLE_F_EMERG_WRITE	2

#define VIRTIO_CONSOLE_RX_QUEUE		0
#define VIRTIO_CONSOLE_TX_QUEUE		1

struct virtio_console_config {
	u16 cols;
	u16 rows;
	u32 max_nr_ports;
	u32 emerg_wr;
} __packed;

_Static_assert(sizeof(struct virtio_console_config) == 12,
	       "console config size");

/* Input bytes waiting for a receive buffer; beyond this they are dropped. */
#define CONSOLE_FIFO_SIZE	4096

struct console_fifo {
	u8 buf[CONSOLE_FIFO_SIZE];
	u32 head;		/* oldest byte */
	u32 count;
};

/* Append up to @len bytes; returns how many fitted. */
size_t console_fifo__put(struct console_fifo *f, const u8 *buf, size_t len);

/* Move the oldest bytes into the device-writable segments of @c; returns
 * the bytes moved (the used length). */
u32 virtio_console__rx(struct console_fifo *f, const struct virtq_chain *c);

/* Hand the device-readable bytes of @c to @out, segment by segment;
 * returns the bytes handed over. */
u32 virtio_console__tx(const struct virtq_chain *c,
		       void (*out)(void *opaque, const u8 *buf, size_t len),
		       void *opaque);

/* --- the device (virtio/console.c) --- */
struct vm;
struct virtio_device;

/* With --console virtio: the device on the vm's PCI bus, taking the
 * terminal's input from the 8250. */
int virtio_console__init(struct vm *vm);

/* The device alone: output goes to @out (tests). */
struct virtio_device *virtio_console__new(void (*out)(void *opaque,
						      const u8 *buf,
						      size_t len),
					  void *opaque);
void virtio_console__free(struct virtio_device *vdev);
/* Input from the terminal (the term__init() sink; opaque is the vdev). */
void virtio_console__input(void *opaque, const u8 *buf, size_t len);
/* Input bytes dropped because the FIFO was full. */
u64 virtio_console__dropped(struct virtio_device *vdev);

#endif
