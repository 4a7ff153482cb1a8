#!/bin/sh
# --viommu on with the disk kept out (--disk PATH,iommu=off): the VIOT
# leaves its BDF out, so L2 puts the network and rng in IOMMU groups but
# not the disk, and the disk works with untranslated DMA.
# lab-config: mock
# lab-timeout: 240
# lab-needs: vsva l2
. /lab/lib/l2-io.sh
L2IO_DISK_OPTS=,iommu=off
l2io__start
l2io__vsva vsva-viommu-optout-to-l2-io \
	'console=ttyS0 l2_viommu=1 l2_noiommu=2' --rng --viommu on
l2io__check_disk
l2io__stop
