#!/bin/sh
# The harness itself: L1 booted, /init mounted the file systems and runs
# cases from /lab with a shell.
# lab-config: mock
# lab-timeout: 30
set -e
ls /
test -d /proc/1
test -d /sys/devices/system/cpu
test -c /dev/null
test "$(pwd)" = /lab
test -n "$LAB_CASE"
touch /tmp/lab-smoke && rm /tmp/lab-smoke
grep -q ' /tmp tmpfs ' /proc/mounts
