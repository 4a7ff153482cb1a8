#!/bin/sh
# make bench, relay part: the same synthetic storm through the io_uring
# relay and the poll()+read() relay (vsva inject --compare), in three
# shapes: the default storm (many groups in flight: each read returns
# many groups), a paced storm (100k requests/s offered: about one group
# per wake-up, where the per-wake cost shows), and a latency-bound one
# (one device, one request per group, four outstanding).
set -eu
vsva=${1:-./vsva}
# Pinned (relay alone on CPU 1, the sources and the fault queue on CPU 0):
# unpinned, where the scheduler puts the threads moves the numbers by 2-5x
# from run to run on a 2-CPU machine.
pin=
if [ "$(nproc)" -ge 2 ] && taskset -c 0,1 true 2>/dev/null; then
	pin=--pin
else
	echo "relay: fewer than 2 CPUs: not pinned (expect noisy numbers)"
fi
echo "relay: default storm"
"$vsva" inject $pin --compare -n 300000
echo "relay: paced storm, 100k requests/s offered"
"$vsva" inject $pin --compare -n 50000 -r 100000
echo "relay: latency-bound storm"
"$vsva" inject $pin --compare -n 100000 -g 1 -d 1 -w 4
