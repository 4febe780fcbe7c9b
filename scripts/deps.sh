#!/usr/bin/env bash
# What the tests need from Debian beyond Go and the sandbox (which installs
# Docker and friends itself): tmux for the end-to-end TUI tests, zsh for
# the tests of zsh fences, openssh-server (sshd) for the remote-engine test
# (DOCKER_HOST=ssh://), and for `make dist` (a static cgo build: libpg_query)
# the arm64 cross compiler and file(1). Idempotent: installs only what is missing, in one
# apt run, and keeps package scripts from starting services (no sshd on
# port 22: the test starts its own on a spare loopback port).
set -euo pipefail
declare -A need=([tmux]=tmux [zsh]=zsh [sshd]=openssh-server [file]=file
	[aarch64-linux-gnu-gcc]="gcc-aarch64-linux-gnu libc6-dev-arm64-cross")
missing=()
for cmd in "${!need[@]}"; do
	# shellcheck disable=SC2206 # a value may name several packages
	command -v "$cmd" >/dev/null || [[ -x /usr/sbin/$cmd ]] || missing+=(${need[$cmd]})
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) != 0 ]]; then
	echo "deps: ${missing[*]} missing, and I am not root to install them" >&2
	exit 1
fi
policy=/usr/sbin/policy-rc.d ours=0
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	ours=1
fi
echo "deps: installing ${missing[*]}"
log=$(mktemp /tmp/planner-deps.XXXXXX.log)
rc=0
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 || rc=$?
((ours)) && rm -f "$policy"
if ((rc != 0)); then
	tail -n 30 "$log" >&2
	echo "deps: apt-get failed (exit $rc); log $log" >&2
	exit $rc
fi
rm -f "$log"
