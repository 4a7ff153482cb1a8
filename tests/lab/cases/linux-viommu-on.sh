#!/bin/sh
# vsva boots the lab kernel as L2 with virtio-blk, virtio-net (slirp),
# virtio-rng and virtio-console behind the virtio-iommu (ACPI VIOT); the L2
# /l2-io checks the IOMMU groups, copies data on the disk, fetches a token
# from an L1 httpd through slirp's gateway and writes the token to hvc0;
# L1 then checks the disk image and the hvc0 line.  (The kernel console
# stays on ttyS0: see the power-off note in tests/lab/init/l2-io.c.)
# lab-config: mock
# lab-timeout: 240
# lab-needs: vsva l2
. /lab/lib/l2-io.sh
l2io__start
l2io__vsva vsva-viommu-on-to-l2-io \
	'console=ttyS0 l2_viommu=1 l2_hvc=1' \
	--rng --console virtio --viommu on
l2io__check_disk
l2io__check_hvc
l2io__stop
