#!/bin/sh
# L1 has its own KVM (TCG's emulated AMD SVM under -cpu max) and 2 CPUs.
# lab-config: mock
# lab-timeout: 30
set -e
test -c /dev/kvm
grep -qw svm /proc/cpuinfo
grep -qw npt /proc/cpuinfo
test "$(grep -c ^processor /proc/cpuinfo)" = 2
ls -l /dev/kvm
