#!/bin/sh
# Guest-driven page requests through the real kernel: vsva in L1 boots the
# mock-pri firmware as L2 with the iommufd backend and the mock SVA device.
# Every doorbell ring is a page request L1's kernel raises
# (IOMMU_TEST_OP_TRIGGER_IOPF -> IOPF core -> fault FD); it must reach the
# guest through vsva's relay and be answered exactly once, the answer
# written back by cookie and accepted by the kernel.  The firmware's
# counts, the device's counters and vsva's host-side accounting must agree.
# lab-config: mock
# lab-timeout: 180
# lab-needs: vsva firmware
log=/tmp/pri-mock-iommufd.log
rcf=/tmp/pri-mock-iommufd.rc

# The output goes to the console as it comes (a hang still shows how far
# the run got) and to $log for the checks below.
{
	lab-expect -t run-to-pass -f 'WRONG' 'mock-pri: PASS' \
		timeout -k 10 150 ./vsva run -f mock-pri --viommu on \
		--mock-sva-dev --iommu-backend iommufd -m 64 --loglevel info
	echo $? >"$rcf"
} 2>&1 | tee "$log"
[ "$(cat "$rcf" 2>/dev/null)" = 0 ] || exit 1

# num LINE-PATTERN VALUE-PATTERN: the number after VALUE-PATTERN on the
# first line matching LINE-PATTERN (empty if none).
num() {
	grep -a -m 1 -- "$1" "$log" |
		sed -n "s/.*$2\\([0-9][0-9]*\\).*/\\1/p"
}

bad=0
want() {	# WHAT GOT WANTED
	if [ -z "$2" ] || [ "$2" != "$3" ]; then
		echo "pri-mock-iommufd: $1: ${2:-missing}, want $3"
		bad=1
	fi
}

raised=$(num 'mock-pri: accounting' 'raised=')
answered=$(num 'mock-pri: accounting' 'answered=')
dropped=$(num 'mock-pri: accounting' 'dropped=')
bykernel=$(num 'mock-pri: accounting' 'by-kernel=')
if [ -z "$raised" ] || [ "$raised" -lt 100 ]; then
	echo "pri-mock-iommufd: the firmware raised ${raised:-nothing}"
	exit 1
fi

# The device: what it raised in the kernel.
dev='mock-sva: [0-9]* page requests raised'
want "mock-sva raised" "$(num "$dev" 'mock-sva: ')" "$raised"
want "TRIGGER_IOPF errors" "$(num "$dev" 'rejected, ')" 0
# vsva, per endpoint: delivered to the guest, answers forwarded, dropped.
ep='virtio-iommu: endpoint .*host device'
want "records delivered" "$(num "$ep" 'device [0-9]*): ')" "$raised"
s=$(num "$ep" 'forwarded: ')
i=$(num "$ep" 'success, ')
f=$(num "$ep" 'invalid, ')
want "answers forwarded" "$((s + i + f))" "$answered"
want "answers dropped" "$(num "$ep" 'failure; ')" "$dropped"
# vsva, the kernel's fault queue: read, written, accepted, refused.
fq='host fault queue:'
want "groups read from the fault FD" "$(num "$fq" 'queue: ')" "$raised"
want "answers written from the guest" "$(num "$fq" 'written: ')" "$answered"
want "answers written by vsva" "$(num "$fq" 'guest, ')" 0
want "answers the kernel accepted" "$(num "$fq" 'accepted ')" "$answered"
want "answers the kernel refused" "$(num "$fq" 'refused ')" 0
want "write errors" "$(num "$fq" 'refused [0-9]*; ')" 0
# Outstanding at DETACH_TABLE: the kernel answered those itself.
want "groups the kernel answered on detach" \
	"$(num 'answered by vsva: detach' 'detach ')" "$bykernel"
want "groups answered at VM exit" "$(num 'answered by vsva: detach' 'VM exit ')" 0
want "groups answered for a full queue" \
	"$(num 'answered by vsva: detach' 'queue full ')" 0
# Exactly once: raised = answered by the guest + answered by the kernel.
want "raised = guest answers + kernel answers" "$((answered + bykernel))" \
	"$raised"

[ $bad -eq 0 ] || exit 1
echo "pri-mock-iommufd: accounting exact: $raised page requests, $answered answered by the guest, $bykernel by the kernel on detach, $dropped late or duplicate answers refused, 0 refused by the kernel"
