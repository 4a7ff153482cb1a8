#!/bin/sh
# vsva boots the lab kernel as L2 with virtio-blk, virtio-net (slirp),
# virtio-rng and virtio-console behind the virtio-iommu (ACPI VIOT); the L2
# /l2-io checks the IOMMU groups, copies data on the disk, fetches a token
# from an L1 httpd through slirp's gateway, and reports on hvc0 (so through
# the vIOMMU too); L1 then checks the disk image.
# lab-config: mock
# lab-timeout: 240
# lab-needs: vsva l2
. /lab/lib/l2-io.sh
l2io__start
l2io__vsva vsva-viommu-on-to-l2-io \
	'console=ttyS0 console=hvc0 l2_viommu=1' \
	--rng --console virtio --viommu on
l2io__check_disk
l2io__stop
