// SPDX-License-Identifier: GPL-2.0
/*
 * Frames over virtio-net chains.  Pure: a chain is host segments already
 * validated against guest RAM by virtq__pop(); what is checked here is
 * what the device makes of them.  The driver may lay the header and the
 * frame out over any number of descriptors (VERSION_1 implies
 * ANY_LAYOUT), so everything is read and written by chain offset.  The
 * driver can rewrite its buffers under us: lengths come from the chain,
 * never from the buffer contents, and the header is copied before it is
 * looked at.
 */
#include <errno.h>
#include <string.h>

#include <vsva/virtio-net.h>

_Static_assert(sizeof(struct virtio_net_hdr) == VIRTIO_NET_HDR_LEN,
	       "virtio_net_hdr is 12 bytes with VERSION_1");

int net_frame__from_tx(const struct virtq_chain *c, u8 *buf, size_t size)
{
	struct virtio_net_hdr hdr;
	size_t len;

	if (c->nr_in || c->in_len)
		return -EINVAL;
	if (c->out_len < VIRTIO_NET_HDR_LEN)
		return -EBADMSG;
	if (virtq_chain__read(c, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return -EBADMSG;
	/* Without CSUM or any GSO feature the header must say "nothing". */
	if (hdr.flags || hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return -EPROTO;
	len = c->out_len - VIRTIO_NET_HDR_LEN;
	if (len < NET_ETH_HLEN)
		return -EMSGSIZE;
	if (len > NET_FRAME_MAX || len > size)
		return -E2BIG;
	if (virtq_chain__read(c, VIRTIO_NET_HDR_LEN, buf, len) != len)
		return -EBADMSG;
	return (int)len;
}

int net_frame__to_rx(const struct virtq_chain *c, const u8 *frame,
		     size_t len)
{
	struct virtio_net_hdr hdr = { .num_buffers = 1 };

	if (c->nr_out || c->out_len)
		return -EINVAL;
	if (len < NET_ETH_HLEN || len > NET_FRAME_MAX)
		return -EMSGSIZE;
	if (c->in_len < VIRTIO_NET_HDR_LEN + len)
		return -ENOSPC;
	if (virtq_chain__write(c, 0, &hdr, sizeof(hdr)) != sizeof(hdr) ||
	    virtq_chain__write(c, sizeof(hdr), frame, len) != len)
		return -ENOSPC;	/* not reached: in_len said it fits */
	return (int)(VIRTIO_NET_HDR_LEN + len);
}
