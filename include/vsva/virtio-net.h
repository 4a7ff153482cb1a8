/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net (virtio 1.x section 5.1) with a pluggable network back end.
 *
 *   virtio/net-opts.c   `--network` parsing (pure)
 *   virtio/net-frame.c  TX chain -> frame, frame -> RX chain (pure)
 *   virtio/net.c        the device and its network thread
 *   virtio/net-slirp.c  the "user" back end (libslirp)
 *
 * One receiveq (0) and one transmitq (1); no control queue, no
 * multiqueue, no offloads: frames cross the device as plain Ethernet.
 * Features offered: MAC, STATUS (link always up), MTU (1500).  Not
 * MRG_RXBUF: a frame spread over several receive chains must appear in
 * the used ring all at once, and virtq__push() publishes one chain at a
 * time; a Linux driver without MRG_RXBUF and without guest offloads posts
 * "small" buffers of 12 + 1518 bytes, which hold any frame of a 1500-byte
 * MTU.  The header is the 12-byte VERSION_1 one, num_buffers = 1.
 *
 * Threads: the device's network thread owns the back end (libslirp is not
 * thread-safe) and does all queue work; driver kicks (any thread, under
 * the transport lock) only wake it.  See virtio/net.c.
 */
#ifndef VSVA_VIRTIO_NET_H
#define VSVA_VIRTIO_NET_H

#include <poll.h>
#include <stddef.h>

#include <vsva/types.h>
#include <vsva/virtio.h>
#include <vsva/virtqueue.h>

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16

#define VIRTIO_NET_S_LINK_UP		1

/* struct virtio_net_config (5.1.4), the part vsva implements. */
#define VIRTIO_NET_CFG_MAC		0	/* u8[6] */
#define VIRTIO_NET_CFG_STATUS		6	/* le16 */
#define VIRTIO_NET_CFG_MAX_PAIRS	8	/* le16 */
#define VIRTIO_NET_CFG_MTU		10	/* le16 */
#define VIRTIO_NET_CFG_SIZE		12

/* struct virtio_net_hdr (5.1.6), VERSION_1 layout: always 12 bytes. */
struct virtio_net_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 num_buffers;
} __packed;

#define VIRTIO_NET_HDR_LEN		12
#define VIRTIO_NET_HDR_GSO_NONE		0

#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1

#define NET_ETH_HLEN			14
#define NET_ETH_ALEN			6
#define NET_MTU				1500
/* The largest frame either way: a 64 KiB IP packet, Ethernet + VLAN. */
#define NET_FRAME_MAX			(65535 + NET_ETH_HLEN + 4)

/* --- options (net-opts.c, pure) --- */

#define NET_MAX_HOSTFWD			16
#define NET_DEFAULT_MAC			{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }
/* The user-mode network (host byte order). */
#define NET_USER_NET			0x0a000200u	/* 10.0.2.0/24 */
#define NET_USER_MASK			0xffffff00u
#define NET_USER_GATEWAY		0x0a000202u	/* 10.0.2.2 */
#define NET_USER_DNS			0x0a000203u	/* 10.0.2.3 */
#define NET_USER_GUEST			0x0a00020fu	/* 10.0.2.15 */

/* hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
struct net_hostfwd {
	bool udp;
	u32 host_addr;		/* host order; default 127.0.0.1 */
	u16 host_port;
	u32 guest_addr;		/* host order; default 10.0.2.15 */
	u16 guest_port;
};

struct net_config {
	const char *backend;	/* "user" */
	u8 mac[NET_ETH_ALEN];
	unsigned int nr_hostfwd;
	struct net_hostfwd hostfwd[NET_MAX_HOSTFWD];
	bool no_iommu;		/* iommu=off: not behind --viommu */
};

/*
 * Parse `--network` text:
 * BACKEND[,mac=XX:XX:XX:XX:XX:XX][,hostfwd=RULE]...[,iommu=on|off]
 * 0, or -EINVAL with a one-line reason in @err.
 */
int net_config__parse(struct net_config *cfg, const char *s, char *err,
		      size_t errlen);
/* One hostfwd rule (the text after "hostfwd="). */
int net_hostfwd__parse(struct net_hostfwd *fwd, const char *s, char *err,
		       size_t errlen);

/* --- frames over chains (net-frame.c, pure) --- */

/*
 * The frame a transmit chain carries, copied to @buf (@size bytes):
 * returns its length, or
 *   -EINVAL    the chain has device-writable buffers
 *   -EBADMSG   shorter than the 12-byte header
 *   -EPROTO    header asks for an offload nobody negotiated (flags set,
 *              gso_type not NONE)
 *   -EMSGSIZE  frame shorter than an Ethernet header
 *   -E2BIG     frame longer than NET_FRAME_MAX or @size
 */
int net_frame__from_tx(const struct virtq_chain *c, u8 *buf, size_t size);

/*
 * Write header (num_buffers = 1) + @frame into a receive chain: returns
 * the bytes written (the used length), or
 *   -EINVAL    the chain has driver-readable buffers
 *   -EMSGSIZE  @len is not a frame (shorter than an Ethernet header or
 *              longer than NET_FRAME_MAX)
 *   -ENOSPC    the chain is too small for header + frame (nothing written)
 */
int net_frame__to_rx(const struct virtq_chain *c, const u8 *frame,
		     size_t len);

/* --- back ends --- */

/*
 * The fds a back end wants polled, rebuilt by the network thread before
 * every poll().  Index 0 is the device's own wake-up eventfd.
 */
struct net_pollset {
	struct pollfd *fds;
	unsigned int nr, cap;
};

/* Adds @fd: returns its index, or -ENOMEM. */
int net_pollset__add(struct net_pollset *ps, int fd, short events);

struct net_port;

/*
 * A back end.  Everything but open and close runs on the device's network
 * thread, which is the only thread that ever touches the back end state.
 */
struct net_backend_ops {
	const char *name;		/* as given to --network */
	/* Set up from @cfg; frames for the guest go to net_port__receive(). */
	int (*open)(void **be, const struct net_config *cfg,
		    struct net_port *port);
	/* A frame from the guest (len in [NET_ETH_HLEN, NET_FRAME_MAX]). */
	void (*send)(void *be, const u8 *frame, size_t len);
	/* Add fds to @ps; lower *timeout_ms (-1: no timeout) as needed. */
	int (*poll_fill)(void *be, struct net_pollset *ps, int *timeout_ms);
	/* After poll() (@error: it failed): service fds and timers. */
	void (*poll_done)(void *be, const struct net_pollset *ps, bool error);
	/* The thread has stopped: free everything. */
	void (*close)(void *be);
};

extern const struct net_backend_ops net_slirp_ops;

/* A frame for the guest, from the back end (network thread only). */
void net_port__receive(struct net_port *port, const u8 *frame, size_t len);
/* Wake the network thread (any thread). */
void net_port__wake(struct net_port *port);

/* --- the device --- */

/* Every refusal and drop, counted (printed at exit with --loglevel info). */
struct net_stats {
	u64 tx_frames, tx_bytes;
	u64 tx_bad_chain;	/* refused by virtq__pop() */
	u64 tx_writable;	/* device-writable buffers in a TX chain */
	u64 tx_bad_hdr;		/* short header, or an offload asked for */
	u64 tx_bad_len;		/* frame too short or too long */
	u64 rx_frames, rx_bytes;
	u64 rx_bad_chain;	/* refused by virtq__pop() */
	u64 rx_readable;	/* driver-readable buffers in an RX chain */
	u64 rx_small;		/* chain too small: frame dropped */
	u64 rx_held;		/* frames that waited for buffers */
	u64 rx_drop_full;	/* dropped: backlog full */
	u64 rx_drop_down;	/* dropped: driver not running, queue broken */
	u64 rx_drop_bad;	/* dropped: not a frame, or over the MTU */
};

/* Frames (and bytes) held while the driver has posted no buffers. */
#define NET_RX_BACKLOG			64
#define NET_RX_BACKLOG_BYTES		(256 * 1024)
/* Transmit chains per pass before the back end's sockets get a turn. */
#define NET_TX_BUDGET			64

struct vm;
/* virtio-net on the vm's PCI bus, with the back end @spec names, and its
 * network thread. */
int virtio_net__init(struct vm *vm, const char *spec);
/* Stop its network thread (before pci__exit() frees the device). */
void virtio_net__exit(struct vm *vm);

/*
 * The device alone, its back end open, no thread: for a transport and a
 * back end of the caller's choosing (tests).  virtio_net__poll() is one
 * pass of the network thread (poll for at most @max_wait_ms, -1: until
 * something happens; then back-end events, transmit, held frames).
 */
int virtio_net__new(struct virtio_device **out, const struct net_config *cfg,
		    const struct net_backend_ops *be_ops);
void virtio_net__poll(struct virtio_device *vdev, int max_wait_ms);
const struct net_stats *virtio_net__stats(struct virtio_device *vdev);
void virtio_net__free(struct virtio_device *vdev);

#endif
