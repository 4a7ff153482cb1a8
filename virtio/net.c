// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio 1.x section 5.1): receiveq 0, transmitq 1, plain
 * Ethernet frames to and from a back end (net-slirp.c for `user`).
 *
 * Threads.  The back end wants one thread (libslirp is not thread-safe)
 * that sleeps in poll() on its sockets with a timeout for its timers, and
 * vsva's epoll loop offers neither a per-iteration fd set nor timeouts.
 * So the device runs its own network thread: poll() over the back end's
 * fds plus an eventfd.  Driver kicks arrive on whatever thread the
 * transport runs them (event loop, or a vCPU for MMIO kicks and
 * DRIVER_OK) with the transport lock held; notify() only marks the queue
 * pending and writes the eventfd.  All queue work (pop, push, signal)
 * happens on the network thread under n->lock, which queue_init,
 * queue_exit, status and reset also take: lock order is transport lock,
 * then n->lock, then the vIOMMU's and MSI-X's own locks.  The back end is
 * entered with n->lock dropped, because it may hand a frame back
 * (net_port__receive) from inside send().
 *
 * Receive: a frame goes into the next receive chain; when the driver has
 * posted none, up to NET_RX_BACKLOG frames wait (dropped beyond, counted)
 * and the driver is asked to kick when it adds buffers.  Transmit: each
 * chain is copied out (header checked) and handed to the back end; the
 * chain goes back with used length 0.  Every refusal is a counter,
 * printed when vsva exits (--loglevel info).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/virtio-net.h>
#include <vsva/virtio-pci.h>
#include <vsva/vm.h>

#define NET_QUEUE_SIZE		256

struct net_port {
	int wake_fd;
};

struct net_held {
	size_t len;
	u8 data[];
};

struct net_dev {
	struct virtio_device vdev;
	struct net_port port;
	u8 config[VIRTIO_NET_CFG_SIZE];	/* constant after set-up */

	pthread_mutex_t lock;		/* from here to stats */
	struct virtq *vq[2];
	bool driver_ok;
	size_t rx_max;		/* longest frame the driver takes */
	bool rx_pushed;		/* used entries not signalled */
	struct virtq_chain rx_chain, tx_chain;
	struct net_held *held[NET_RX_BACKLOG];
	unsigned int held_first, held_nr;
	size_t held_bytes;
	struct net_stats stats;

	u32 pending;		/* atomic: BIT(q) = queue q kicked */
	bool stop;			/* atomic */
	bool running;
	pthread_t thread;
	struct net_pollset ps;		/* network thread only */
	bool poll_warned;
	u8 *tx_buf;			/* network thread only */
	const struct net_backend_ops *be_ops;
	void *be;
};

static const struct net_backend_ops *const net_backend_list[] = {
	&net_slirp_ops,
};

static struct net_dev *to_net(struct virtio_device *vdev)
{
	return container_of(vdev, struct net_dev, vdev);
}

int net_pollset__add(struct net_pollset *ps, int fd, short events)
{
	if (ps->nr == ps->cap) {
		unsigned int cap = ps->cap ? 2 * ps->cap : 16;
		struct pollfd *fds = realloc(ps->fds, cap * sizeof(*fds));

		if (!fds)
			return -ENOMEM;
		ps->fds = fds;
		ps->cap = cap;
	}
	ps->fds[ps->nr] = (struct pollfd){ .fd = fd, .events = events };
	return (int)ps->nr++;
}

void net_port__wake(struct net_port *port)
{
	u64 one = 1;

	/* EAGAIN: the counter is saturated, the thread wakes anyway. */
	if (write(port->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("virtio-net: cannot wake the network thread: %s",
			strerror(errno));
}

/* May the device touch the queues?  Under n->lock. */
static bool net__live(struct net_dev *n)
{
	struct pci_device *pdev = virtio_pci__pdev(&n->vdev);

	return n->driver_ok && pdev &&
	       (pci_cfg__get(pdev, PCI_REG_COMMAND, 2) & PCI_CMD_MASTER);
}

/* --- receive --- */

static void net__rx_signal(struct net_dev *n)
{
	struct virtq *vq = n->vq[VIRTIO_NET_RXQ];

	if (n->rx_pushed && vq && virtq__should_notify(vq))
		virtio__signal_vq(&n->vdev, VIRTIO_NET_RXQ);
	n->rx_pushed = false;
}

/*
 * Put one frame into the next receive chain.  0: the frame is gone
 * (delivered, or dropped and counted); -EAGAIN: no buffer, keep it.
 */
static int net__rx_one(struct net_dev *n, const u8 *frame, size_t len)
{
	struct virtq *vq = n->vq[VIRTIO_NET_RXQ];
	/* Each pass takes a chain, or finds the ring empty once more. */
	u32 tries = vq ? vq->size + 1u : 0;
	int ret;

	if (!vq || !net__live(n)) {
		n->stats.rx_drop_down++;
		return 0;
	}
	while (tries--) {
		ret = virtq__pop(vq, &n->rx_chain);
		if (ret == -EAGAIN) {
			/* Ask for a kick; buffers may have come meanwhile. */
			if (virtq__enable_notify(vq))
				continue;
			return -EAGAIN;
		}
		if (ret == -EIO)
			break;
		if (ret) {
			virtq__push(vq, n->rx_chain.head, 0);
			n->rx_pushed = true;
			n->stats.rx_bad_chain++;
			continue;
		}
		ret = net_frame__to_rx(&n->rx_chain, frame, len);
		virtq__push(vq, n->rx_chain.head, ret < 0 ? 0 : (u32)ret);
		n->rx_pushed = true;
		if (ret == -EINVAL) {
			n->stats.rx_readable++;
			continue;
		}
		if (ret < 0) {
			n->stats.rx_small++;
			return 0;
		}
		n->stats.rx_frames++;
		n->stats.rx_bytes += len;
		return 0;
	}
	/* Broken queue, or a driver posting nothing but bad chains. */
	n->stats.rx_drop_down++;
	return 0;
}

static void net__rx_hold(struct net_dev *n, const u8 *frame, size_t len)
{
	struct net_held *h;

	if (n->held_nr == NET_RX_BACKLOG ||
	    n->held_bytes + len > NET_RX_BACKLOG_BYTES ||
	    !(h = malloc(sizeof(*h) + len))) {
		n->stats.rx_drop_full++;
		return;
	}
	h->len = len;
	memcpy(h->data, frame, len);
	n->held[(n->held_first + n->held_nr) % NET_RX_BACKLOG] = h;
	n->held_nr++;
	n->held_bytes += len;
	n->stats.rx_held++;
}

static void net__rx_drop_held(struct net_dev *n)
{
	while (n->held_nr) {
		free(n->held[n->held_first]);
		n->held_first = (n->held_first + 1) % NET_RX_BACKLOG;
		n->held_nr--;
	}
	n->held_first = 0;
	n->held_bytes = 0;
}

/* Deliver held frames while buffers last.  Under n->lock. */
static void net__rx_flush(struct net_dev *n)
{
	while (n->held_nr) {
		struct net_held *h = n->held[n->held_first];

		if (net__rx_one(n, h->data, h->len) == -EAGAIN)
			break;
		n->held_first = (n->held_first + 1) % NET_RX_BACKLOG;
		n->held_nr--;
		n->held_bytes -= h->len;
		free(h);
	}
	net__rx_signal(n);
}

void net_port__receive(struct net_port *port, const u8 *frame, size_t len)
{
	struct net_dev *n = container_of(port, struct net_dev, port);

	pthread_mutex_lock(&n->lock);
	if (!net__live(n))
		n->stats.rx_drop_down++;
	else if (len < NET_ETH_HLEN || len > n->rx_max)
		n->stats.rx_drop_bad++;
	else if (n->held_nr || net__rx_one(n, frame, len) == -EAGAIN)
		net__rx_hold(n, frame, len);
	net__rx_signal(n);
	pthread_mutex_unlock(&n->lock);
}

/* --- transmit --- */

static void net__tx_count(struct net_dev *n, int err)
{
	switch (err) {
	case -EINVAL:
		n->stats.tx_writable++;
		break;
	case -EBADMSG:
	case -EPROTO:
		n->stats.tx_bad_hdr++;
		break;
	default:
		n->stats.tx_bad_len++;
		break;
	}
}

static void net__tx(struct net_dev *n)
{
	unsigned int budget = NET_TX_BUDGET;
	bool pushed = false;
	struct virtq *vq;
	int ret, len;

	pthread_mutex_lock(&n->lock);
	while ((vq = net__live(n) ? n->vq[VIRTIO_NET_TXQ] : NULL)) {
		if (!budget--) {
			/* Let the sockets have a turn; come back at once. */
			__atomic_or_fetch(&n->pending, BIT(VIRTIO_NET_TXQ),
					  __ATOMIC_SEQ_CST);
			break;
		}
		ret = virtq__pop(vq, &n->tx_chain);
		if (ret == -EAGAIN) {
			if (virtq__enable_notify(vq))
				continue;
			break;
		}
		if (ret == -EIO)
			break;
		len = ret ? ret : net_frame__from_tx(&n->tx_chain, n->tx_buf,
						     NET_FRAME_MAX);
		/* The frame is copied out: the buffers go back now. */
		virtq__push(vq, n->tx_chain.head, 0);
		pushed = true;
		if (ret) {
			n->stats.tx_bad_chain++;
			continue;
		}
		if (len < 0) {
			net__tx_count(n, len);
			continue;
		}
		n->stats.tx_frames++;
		n->stats.tx_bytes += (u64)len;
		pthread_mutex_unlock(&n->lock);
		n->be_ops->send(n->be, n->tx_buf, (size_t)len);
		pthread_mutex_lock(&n->lock);
	}
	vq = n->vq[VIRTIO_NET_TXQ];
	if (pushed && vq && virtq__should_notify(vq))
		virtio__signal_vq(&n->vdev, VIRTIO_NET_TXQ);
	pthread_mutex_unlock(&n->lock);
}

/* --- the network thread --- */

static void net__work(struct net_dev *n)
{
	u32 kicked = __atomic_exchange_n(&n->pending, 0, __ATOMIC_SEQ_CST);

	if (kicked & BIT(VIRTIO_NET_TXQ))
		net__tx(n);
	pthread_mutex_lock(&n->lock);
	if (n->held_nr)
		net__rx_flush(n);
	pthread_mutex_unlock(&n->lock);
}

void virtio_net__poll(struct virtio_device *vdev, int max_wait_ms)
{
	struct net_dev *n = to_net(vdev);
	struct net_pollset *ps = &n->ps;
	int timeout = max_wait_ms, r;
	u64 cnt;

	ps->nr = 0;
	/* Out of memory: some fd is not polled, so come back soon. */
	if (net_pollset__add(ps, n->port.wake_fd, POLLIN) < 0 ||
	    n->be_ops->poll_fill(n->be, ps, &timeout))
		timeout = timeout < 0 ? 10 : MIN(timeout, 10);
	if (__atomic_load_n(&n->pending, __ATOMIC_SEQ_CST))
		timeout = 0;
	r = poll(ps->fds, ps->nr, timeout);
	if (r < 0 && errno != EINTR) {
		if (!n->poll_warned)
			pr_warn("virtio-net: poll: %s", strerror(errno));
		n->poll_warned = true;
		poll(NULL, 0, 10);	/* do not spin on it */
	}
	if (r > 0 && ps->nr && (ps->fds[0].revents & POLLIN) &&
	    read(n->port.wake_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		pr_debug("virtio-net: wake read: %s", strerror(errno));
	n->be_ops->poll_done(n->be, ps, r < 0);
	net__work(n);
}

static void *net__thread(void *arg)
{
	struct net_dev *n = arg;

	while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE))
		virtio_net__poll(&n->vdev, -1);
	return NULL;
}

/* --- virtio ops --- */

static void net__config_read(struct virtio_device *vdev, u32 off, void *buf,
			     u32 len)
{
	memcpy(buf, to_net(vdev)->config + off, len);
}

static int net__queue_init(struct virtio_device *vdev, u16 q,
			   struct virtq *vq)
{
	struct net_dev *n = to_net(vdev);

	pthread_mutex_lock(&n->lock);
	n->vq[q] = vq;
	pthread_mutex_unlock(&n->lock);
	return 0;
}

static void net__queue_exit(struct virtio_device *vdev, u16 q)
{
	struct net_dev *n = to_net(vdev);

	pthread_mutex_lock(&n->lock);
	n->vq[q] = NULL;
	if (q == VIRTIO_NET_RXQ)
		n->rx_pushed = false;
	pthread_mutex_unlock(&n->lock);
}

/* Transport lock held: only mark and wake. */
static void net__notify(struct virtio_device *vdev, u16 q)
{
	struct net_dev *n = to_net(vdev);

	__atomic_or_fetch(&n->pending, BIT(q), __ATOMIC_SEQ_CST);
	net_port__wake(&n->port);
}

static void net__status(struct virtio_device *vdev, u8 status)
{
	struct net_dev *n = to_net(vdev);

	pthread_mutex_lock(&n->lock);
	n->driver_ok = (status & (VIRTIO_STATUS_DRIVER_OK |
				  VIRTIO_STATUS_FAILED)) ==
		       VIRTIO_STATUS_DRIVER_OK;
	/* With MTU negotiated no frame may exceed it (5.1.6.3.2); a VLAN
	 * tag is part of the link-level header. */
	n->rx_max = virtio__has_feature(vdev, VIRTIO_NET_F_MTU) ?
		    NET_ETH_HLEN + 4 + NET_MTU : NET_FRAME_MAX;
	pthread_mutex_unlock(&n->lock);
}

static void net__reset(struct virtio_device *vdev)
{
	struct net_dev *n = to_net(vdev);

	pthread_mutex_lock(&n->lock);
	n->driver_ok = false;
	n->rx_pushed = false;
	net__rx_drop_held(n);
	pthread_mutex_unlock(&n->lock);
}

static void net__release(struct virtio_device *vdev);

static const struct virtio_device_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.class_code = 0x020000,		/* Ethernet controller */
	.nr_queues = 2,
	.queue_max_size = NET_QUEUE_SIZE,
	.config_size = VIRTIO_NET_CFG_SIZE,
	.features = BIT_ULL(VIRTIO_NET_F_MAC) | BIT_ULL(VIRTIO_NET_F_STATUS) |
		    BIT_ULL(VIRTIO_NET_F_MTU),
	.config_read = net__config_read,
	.queue_init = net__queue_init,
	.queue_exit = net__queue_exit,
	.notify = net__notify,
	.reset = net__reset,
	.status = net__status,
	.release = net__release,
};

/* --- set-up and tear-down --- */

static void net__stop(struct net_dev *n)
{
	if (n->running) {
		__atomic_store_n(&n->stop, true, __ATOMIC_RELEASE);
		net_port__wake(&n->port);
		pthread_join(n->thread, NULL);
		n->running = false;
	}
	if (n->be) {
		n->be_ops->close(n->be);
		n->be = NULL;
	}
}

void virtio_net__free(struct virtio_device *vdev)
{
	struct net_dev *n;

	if (!vdev)
		return;
	n = to_net(vdev);
	net__stop(n);
	net__rx_drop_held(n);
	if (n->port.wake_fd >= 0)
		close(n->port.wake_fd);
	pthread_mutex_destroy(&n->lock);
	free(n->ps.fds);
	free(n->tx_buf);
	free(n);
}

const struct net_stats *virtio_net__stats(struct virtio_device *vdev)
{
	return &to_net(vdev)->stats;
}

static void net__release(struct virtio_device *vdev)
{
	struct net_dev *n = to_net(vdev);
	const struct net_stats *s = &n->stats;

	net__stop(n);
	pr_info("virtio-net: tx %llu frames %llu bytes, refused: %llu chains, %llu writable, %llu headers, %llu lengths",
		(unsigned long long)s->tx_frames,
		(unsigned long long)s->tx_bytes,
		(unsigned long long)s->tx_bad_chain,
		(unsigned long long)s->tx_writable,
		(unsigned long long)s->tx_bad_hdr,
		(unsigned long long)s->tx_bad_len);
	pr_info("virtio-net: rx %llu frames %llu bytes, %llu held; refused: %llu chains, %llu readable; dropped: %llu too big for the buffer, %llu backlog full, %llu driver down, %llu bad",
		(unsigned long long)s->rx_frames,
		(unsigned long long)s->rx_bytes,
		(unsigned long long)s->rx_held,
		(unsigned long long)s->rx_bad_chain,
		(unsigned long long)s->rx_readable,
		(unsigned long long)s->rx_small,
		(unsigned long long)s->rx_drop_full,
		(unsigned long long)s->rx_drop_down,
		(unsigned long long)s->rx_drop_bad);
	virtio_net__free(vdev);
}

static void net__set_config(struct net_dev *n, const struct net_config *cfg)
{
	u8 *c = n->config;

	memcpy(c + VIRTIO_NET_CFG_MAC, cfg->mac, NET_ETH_ALEN);
	c[VIRTIO_NET_CFG_STATUS] = VIRTIO_NET_S_LINK_UP;
	c[VIRTIO_NET_CFG_MAX_PAIRS] = 1;
	c[VIRTIO_NET_CFG_MTU] = NET_MTU & 0xff;
	c[VIRTIO_NET_CFG_MTU + 1] = NET_MTU >> 8;
}

int virtio_net__new(struct virtio_device **out, const struct net_config *cfg,
		    const struct net_backend_ops *be_ops)
{
	struct net_dev *n = calloc(1, sizeof(*n));
	int ret;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	pthread_mutex_init(&n->lock, NULL);
	n->vdev.ops = &net_ops;
	n->vdev.priv = n;
	n->be_ops = be_ops;
	n->rx_max = NET_FRAME_MAX;
	n->port.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->port.wake_fd < 0) {
		ret = -errno;
		goto err;
	}
	n->tx_buf = malloc(NET_FRAME_MAX);
	if (!n->tx_buf) {
		ret = -ENOMEM;
		goto err;
	}
	net__set_config(n, cfg);
	ret = be_ops->open(&n->be, cfg, &n->port);
	if (ret) {
		n->be = NULL;
		goto err;
	}
	*out = &n->vdev;
	return 0;
err:
	virtio_net__free(&n->vdev);
	return ret;
}

static const struct net_backend_ops *net__backend(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(net_backend_list); i++)
		if (!strcmp(net_backend_list[i]->name, name))
			return net_backend_list[i];
	return NULL;
}

int virtio_net__init(struct vm *vm, const char *spec)
{
	const struct net_backend_ops *be_ops;
	struct virtio_device *vdev;
	struct net_config cfg;
	struct net_dev *n;
	char err[160];
	int ret;

	if (net_config__parse(&cfg, spec, err, sizeof(err))) {
		pr_err("virtio-net: --network %s: %s", spec, err);
		return -EINVAL;
	}
	be_ops = net__backend(cfg.backend);
	if (!be_ops)
		return -EINVAL;
	ret = virtio_net__new(&vdev, &cfg, be_ops);
	if (ret)
		return ret;
	ret = virtio_pci__init(vm, vdev);
	if (ret) {
		virtio_net__free(vdev);
		return ret;
	}
	virtio_pci__pdev(vdev)->no_iommu = cfg.no_iommu;
	/* From here the transport owns the device: net__release() frees it. */
	n = to_net(vdev);
	ret = -pthread_create(&n->thread, NULL, net__thread, n);
	if (ret) {
		pr_err("virtio-net: cannot start the network thread");
		return ret;
	}
	pthread_setname_np(n->thread, "vsva-net");
	n->running = true;
	vm->net = n;
	pr_info("virtio-net: %s network, mac %02x:%02x:%02x:%02x:%02x:%02x, %u port forwards",
		cfg.backend, cfg.mac[0], cfg.mac[1], cfg.mac[2], cfg.mac[3],
		cfg.mac[4], cfg.mac[5], cfg.nr_hostfwd);
	return 0;
}

void virtio_net__exit(struct vm *vm)
{
	if (vm->net)
		net__stop(vm->net);
	/* pci__exit() frees the device through net__release(). */
	vm->net = NULL;
}
