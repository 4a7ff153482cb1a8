// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (virtio 1.x section 5.3), a single port: the guest's
 * transmitq goes to the terminal, the terminal's input fills the guest's
 * receiveq.  Input that arrives while the driver has posted no receive
 * buffer waits in a FIFO (CONSOLE_FIFO_SIZE bytes; more is dropped and
 * counted).  No feature is offered: no MULTIPORT (so no control queues),
 * no SIZE, no EMERG_WRITE.
 *
 * Locking: c->lock guards both queues and the FIFO; it nests inside the
 * transport's lock and is the only lock the input path (event loop) takes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/term.h>
#include <vsva/virtio-console.h>
#include <vsva/virtio-pci.h>
#include <vsva/vm.h>

#define CONSOLE_QUEUE_SIZE	64

/* --- pure data path --- */

size_t console_fifo__put(struct console_fifo *f, const u8 *buf, size_t len)
{
	size_t n = MIN(len, (size_t)(CONSOLE_FIFO_SIZE - f->count));

	for (size_t i = 0; i < n; i++)
		f->buf[(f->head + f->count + i) % CONSOLE_FIFO_SIZE] = buf[i];
	f->count += n;
	return n;
}

u32 virtio_console__rx(struct console_fifo *f, const struct virtq_chain *c)
{
	u32 done = 0;

	for (u16 i = c->nr_out; i < c->nr_segs && f->count; i++) {
		const struct virtq_seg *s = &c->seg[i];
		u32 off = 0;

		while (off < s->len && f->count) {
			/* The oldest bytes, up to the end of the buffer. */
			u32 run = MIN(f->count, CONSOLE_FIFO_SIZE - f->head);

			run = MIN(run, s->len - off);
			memcpy((u8 *)s->ptr + off, f->buf + f->head, run);
			f->head = (f->head + run) % CONSOLE_FIFO_SIZE;
			f->count -= run;
			off += run;
			done += run;
		}
	}
	return done;
}

u32 virtio_console__tx(const struct virtq_chain *c,
		       void (*out)(void *opaque, const u8 *buf, size_t len),
		       void *opaque)
{
	u32 done = 0;

	for (u16 i = 0; i < c->nr_out; i++) {
		out(opaque, c->seg[i].ptr, c->seg[i].len);
		done += c->seg[i].len;
	}
	return done;
}

/* --- the device --- */

struct console_dev {
	struct virtio_device vdev;
	pthread_mutex_t lock;
	struct virtq *vq[2];
	struct virtq_chain chain;
	struct console_fifo fifo;
	void (*out)(void *opaque, const u8 *buf, size_t len);
	void *out_opaque;
	bool driver_ok;		/* buffers may be used (3.1.2) */

	u64 rx_bytes, tx_bytes;
	u64 rx_dropped;		/* FIFO full */
	u64 bad_chains;		/* refused by the virtqueue */
	u64 rx_no_room;		/* receive buffer with nothing writable */
};

static struct console_dev *to_console(struct virtio_device *vdev)
{
	return container_of(vdev, struct console_dev, vdev);
}

/* Move FIFO bytes into receive buffers.  Under c->lock; true if pushed. */
static bool console__flush_rx(struct console_dev *c)
{
	struct virtq *vq = c->vq[VIRTIO_CONSOLE_RX_QUEUE];
	bool pushed = false;
	int ret = 0;

	/* Input arrives on its own: no buffer is used before DRIVER_OK. */
	if (!vq || !c->driver_ok)
		return false;
	do {
		while (c->fifo.count) {
			u32 len = 0;

			ret = virtq__pop(vq, &c->chain);
			if (ret == -EAGAIN || ret == -EIO)
				break;
			if (ret)
				c->bad_chains++;
			else if (!c->chain.in_len)
				c->rx_no_room++;
			else
				len = virtio_console__rx(&c->fifo, &c->chain);
			c->rx_bytes += len;
			virtq__push(vq, c->chain.head, len);
			pushed = true;
		}
		/* Bytes left and no buffer: ask to be told of new ones. */
	} while (c->fifo.count && ret != -EIO && virtq__enable_notify(vq));
	return pushed;
}

/* Send every transmit buffer.  Under c->lock; true if pushed. */
static bool console__tx(struct console_dev *c)
{
	struct virtq *vq = c->vq[VIRTIO_CONSOLE_TX_QUEUE];
	bool pushed = false;
	int ret;

	do {
		while ((ret = virtq__pop(vq, &c->chain)) != -EAGAIN &&
		       ret != -EIO) {
			if (ret)
				c->bad_chains++;
			else
				c->tx_bytes += virtio_console__tx(
					&c->chain, c->out, c->out_opaque);
			/* Nothing written into a transmit buffer. */
			virtq__push(vq, c->chain.head, 0);
			pushed = true;
		}
	} while (ret != -EIO && virtq__enable_notify(vq));
	return pushed;
}

/* Does queue @q's driver want an interrupt?  Under c->lock. */
static bool console__want_signal(struct console_dev *c, u16 q, bool pushed)
{
	return pushed && c->vq[q] && virtq__should_notify(c->vq[q]);
}

static void console__notify(struct virtio_device *vdev, u16 q)
{
	struct console_dev *c = to_console(vdev);
	bool pushed = false, signal;

	if (q > VIRTIO_CONSOLE_TX_QUEUE)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->vq[q]) {
		if (q == VIRTIO_CONSOLE_RX_QUEUE)
			pushed = console__flush_rx(c);
		else
			pushed = console__tx(c);
	}
	signal = console__want_signal(c, q, pushed);
	pthread_mutex_unlock(&c->lock);
	if (signal)
		virtio__signal_vq(vdev, q);
}

void virtio_console__input(void *opaque, const u8 *buf, size_t len)
{
	struct console_dev *c = to_console(opaque);
	bool signal;
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = console_fifo__put(&c->fifo, buf, len);
	c->rx_dropped += len - n;
	signal = console__want_signal(c, VIRTIO_CONSOLE_RX_QUEUE,
				      console__flush_rx(c));
	pthread_mutex_unlock(&c->lock);
	if (signal)
		virtio__signal_vq(&c->vdev, VIRTIO_CONSOLE_RX_QUEUE);
}

static int console__queue_init(struct virtio_device *vdev, u16 q,
			       struct virtq *vq)
{
	struct console_dev *c = to_console(vdev);

	pthread_mutex_lock(&c->lock);
	c->vq[q] = vq;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static void console__queue_exit(struct virtio_device *vdev, u16 q)
{
	struct console_dev *c = to_console(vdev);

	pthread_mutex_lock(&c->lock);
	c->vq[q] = NULL;
	pthread_mutex_unlock(&c->lock);
}

static void console__status(struct virtio_device *vdev, u8 status)
{
	struct console_dev *c = to_console(vdev);

	pthread_mutex_lock(&c->lock);
	c->driver_ok = status & VIRTIO_STATUS_DRIVER_OK;
	pthread_mutex_unlock(&c->lock);
}

static void console__reset(struct virtio_device *vdev)
{
	struct console_dev *c = to_console(vdev);

	pthread_mutex_lock(&c->lock);
	c->driver_ok = false;
	pthread_mutex_unlock(&c->lock);
}

static void console__release(struct virtio_device *vdev)
{
	struct console_dev *c = to_console(vdev);

	pr_info("virtio-console: %llu bytes in, %llu out, %llu input bytes dropped, %llu refused chains",
		(unsigned long long)c->rx_bytes,
		(unsigned long long)c->tx_bytes,
		(unsigned long long)c->rx_dropped,
		(unsigned long long)c->bad_chains);
	virtio_console__free(vdev);
}

/* No feature offered: cols, rows, max_nr_ports read as 0; emerg_wr is
 * write-only and ignored. */
static const struct virtio_device_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000,		/* simple communication, other */
	.nr_queues = 2,
	.queue_max_size = CONSOLE_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_console_config),
	.features = 0,
	.queue_init = console__queue_init,
	.queue_exit = console__queue_exit,
	.notify = console__notify,
	.status = console__status,
	.reset = console__reset,
	.release = console__release,
};

struct virtio_device *virtio_console__new(void (*out)(void *opaque,
						      const u8 *buf,
						      size_t len),
					  void *opaque)
{
	struct console_dev *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->vdev.ops = &console_ops;
	c->vdev.priv = c;
	c->out = out;
	c->out_opaque = opaque;
	return &c->vdev;
}

void virtio_console__free(struct virtio_device *vdev)
{
	struct console_dev *c;

	if (!vdev)
		return;
	c = to_console(vdev);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

u64 virtio_console__dropped(struct virtio_device *vdev)
{
	struct console_dev *c = to_console(vdev);
	u64 n;

	pthread_mutex_lock(&c->lock);
	n = c->rx_dropped;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void console__term_out(void *opaque, const u8 *buf, size_t len)
{
	term__write(buf, len);
}

int virtio_console__init(struct vm *vm)
{
	struct virtio_device *vdev;
	int ret;

	vdev = virtio_console__new(console__term_out, NULL);
	if (!vdev)
		return -ENOMEM;
	ret = virtio_pci__init(vm, vdev);
	if (ret) {
		virtio_console__free(vdev);
		return ret;
	}
	/* From now on stdin goes here, not to the 8250. */
	term__set_input(virtio_console__input, vdev);
	return 0;
}
