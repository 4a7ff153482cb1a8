#!/bin/sh
# The same L2 guest, disk and network without the vIOMMU (--viommu off):
# no virtio-iommu, no VIOT, no IOMMU groups; the disk copy and the L1
# httpd token must still work.
# lab-config: mock
# lab-timeout: 240
# lab-needs: vsva l2
. /lab/lib/l2-io.sh
l2io__start
l2io__vsva vsva-viommu-off-to-l2-io 'console=ttyS0 l2_viommu=0' \
	--rng --viommu off
l2io__check_disk
l2io__stop
