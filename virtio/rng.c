// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng (virtio 1.x section 5.4): one request queue of device-writable
 * buffers, each filled from the host's getrandom().  A request gets at
 * most RNG_MAX_REQUEST bytes (the driver accepts short fills), so a
 * hostile driver cannot make one kick cost more than that per buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include <vsva/log.h>
#include <vsva/virtio-pci.h>

#define RNG_QUEUE_SIZE		256
#define RNG_MAX_REQUEST		65536

struct rng_dev {
	struct virtio_device vdev;
	struct virtq *vq;
	struct virtq_chain chain;
	u64 bytes;		/* entropy handed out */
	u64 bad_chains;		/* refused chains, returned with len 0 */
	u64 errors;		/* getrandom failures */
};

static struct rng_dev *to_rng(struct virtio_device *vdev)
{
	return container_of(vdev, struct rng_dev, vdev);
}

/* Fill the writable part of the chain; returns the bytes written. */
static u32 rng__fill(struct rng_dev *rng, const struct virtq_chain *c)
{
	u32 done = 0;

	for (u16 i = c->nr_out; i < c->nr_segs; i++) {
		const struct virtq_seg *s = &c->seg[i];
		u32 want = MIN(s->len, RNG_MAX_REQUEST - done);
		u32 got = 0;

		while (got < want) {
			ssize_t n = getrandom((u8 *)s->ptr + got, want - got,
					      0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rng->errors++;
				return done + got;
			}
			got += n;
		}
		done += got;
		if (done == RNG_MAX_REQUEST)
			break;
	}
	return done;
}

static void rng__notify(struct virtio_device *vdev, u16 q)
{
	struct rng_dev *rng = to_rng(vdev);
	struct virtq *vq = rng->vq;
	bool pushed = false;
	u32 len;
	int ret;

	if (!vq)
		return;
	do {
		while ((ret = virtq__pop(vq, &rng->chain)) != -EAGAIN &&
		       ret != -EIO) {
			len = 0;
			if (!ret)
				len = rng__fill(rng, &rng->chain);
			else
				rng->bad_chains++;
			rng->bytes += len;
			virtq__push(vq, rng->chain.head, len);
			pushed = true;
		}
	} while (ret != -EIO && virtq__enable_notify(vq));

	if (pushed && virtq__should_notify(vq))
		virtio__signal_vq(vdev, 0);
}

static int rng__queue_init(struct virtio_device *vdev, u16 q,
			   struct virtq *vq)
{
	to_rng(vdev)->vq = vq;
	return 0;
}

static void rng__queue_exit(struct virtio_device *vdev, u16 q)
{
	to_rng(vdev)->vq = NULL;
}

static void rng__release(struct virtio_device *vdev);

static const struct virtio_device_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.class_code = 0xff0000,		/* unclassified device */
	.nr_queues = 1,
	.queue_max_size = RNG_QUEUE_SIZE,
	.config_size = 0,
	.features = 0,
	.queue_init = rng__queue_init,
	.queue_exit = rng__queue_exit,
	.notify = rng__notify,
	.release = rng__release,
};

struct virtio_device *virtio_rng__new(void)
{
	struct rng_dev *rng = calloc(1, sizeof(*rng));

	if (!rng)
		return NULL;
	rng->vdev.ops = &rng_ops;
	rng->vdev.priv = rng;
	return &rng->vdev;
}

void virtio_rng__free(struct virtio_device *vdev)
{
	if (vdev)
		free(to_rng(vdev));
}

static void rng__release(struct virtio_device *vdev)
{
	struct rng_dev *rng = to_rng(vdev);

	pr_info("virtio-rng: %llu bytes of entropy, %llu refused chains",
		(unsigned long long)rng->bytes,
		(unsigned long long)rng->bad_chains);
	virtio_rng__free(vdev);
}

int virtio_rng__init(struct vm *vm)
{
	struct virtio_device *vdev = virtio_rng__new();
	int ret;

	if (!vdev)
		return -ENOMEM;
	ret = virtio_pci__init(vm, vdev);
	if (ret)
		virtio_rng__free(vdev);
	return ret;
}
