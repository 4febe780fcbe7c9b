# shellcheck shell=bash
# Docker Compose v2 for the sandbox. Debian bookworm packages only compose
# v1 (docker-compose 1.29.2); v2 is built here from its Go module, as served
# by the Go module proxy, once per version, and cached outside the sandbox
# (a reset keeps it). Sourced by up.sh.
#
# PLANNER_SANDBOX_COMPOSE selects what the sandbox offers:
#   both (default)  Debian's docker-compose v1 and the v2 plugin (`docker compose`)
#   v1              only docker-compose v1
#   v2              only the v2 plugin (Debian's docker-compose is not
#                   installed; one already installed is left alone)
# v2 is installed as the docker CLI plugin and as a standalone binary in
# $COMPOSE_V2_STANDALONE_DIR (not on PATH: v1 keeps the name there).

SANDBOX_COMPOSE=${PLANNER_SANDBOX_COMPOSE:-both}
COMPOSE_V2_VERSION=${PLANNER_SANDBOX_COMPOSE_V2_VERSION:-v2.40.3}
COMPOSE_V2_CACHE=${PLANNER_SANDBOX_CACHE:-/var/cache/planner-sandbox}/compose-$COMPOSE_V2_VERSION
COMPOSE_V2_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
COMPOSE_V2_STANDALONE_DIR=$PLANNER_SANDBOX/compose-v2/bin

case $SANDBOX_COMPOSE in
both | v1 | v2) ;;
*) die "PLANNER_SANDBOX_COMPOSE=$SANDBOX_COMPOSE: want both, v1 or v2" ;;
esac

wants_compose() { [[ $SANDBOX_COMPOSE == both || $SANDBOX_COMPOSE == "$1" ]]; }

# build_compose_v2 builds the cached binary if it is not there. `go install`
# refuses the module (its go.mod has exclude directives), so the module's
# directory is copied and built in place.
build_compose_v2() {
	local bin=$COMPOSE_V2_CACHE/docker-compose
	[[ -x $bin ]] && return 0
	have go || PATH=/usr/local/go/bin:$PATH
	have go || die "building compose $COMPOSE_V2_VERSION needs Go (/usr/local/go/bin/go)"
	local src work
	src=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_V2_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -d $src ]] || die "go mod download github.com/docker/compose/v2@$COMPOSE_V2_VERSION gave no module directory"
	work=$(mktemp -d)
	cp -r "$src/." "$work"
	chmod -R u+w "$work"
	mkdir -p "$COMPOSE_V2_CACHE"
	log "building compose $COMPOSE_V2_VERSION (minutes, once per machine; log $PLANNER_SANDBOX/compose-v2-build.log)"
	if ! (cd "$work" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_V2_VERSION" \
		-o "$bin.tmp" ./cmd) >"$PLANNER_SANDBOX/compose-v2-build.log" 2>&1; then
		rm -rf "$work" "$bin.tmp"
		tail -n 30 "$PLANNER_SANDBOX/compose-v2-build.log" >&2
		die "building compose $COMPOSE_V2_VERSION failed; log tail above"
	fi
	rm -rf "$work"
	mv "$bin.tmp" "$bin"
}

install_compose_v2() {
	phase "compose v2"
	if ! wants_compose v2; then
		phase_done "not wanted (PLANNER_SANDBOX_COMPOSE=$SANDBOX_COMPOSE)"
		return
	fi
	local bin=$COMPOSE_V2_CACHE/docker-compose
	if [[ -x $COMPOSE_V2_PLUGIN ]] && cmp -s "$bin" "$COMPOSE_V2_PLUGIN" && [[ -x $COMPOSE_V2_STANDALONE_DIR/docker-compose ]]; then
		phase_done "$COMPOSE_V2_VERSION already installed"
		return
	fi
	need_root "installing compose v2"
	build_compose_v2
	mkdir -p "$(dirname "$COMPOSE_V2_PLUGIN")" "$COMPOSE_V2_STANDALONE_DIR"
	install -m 755 "$bin" "$COMPOSE_V2_PLUGIN"
	install -m 755 "$bin" "$COMPOSE_V2_STANDALONE_DIR/docker-compose"
	docker compose version --short >/dev/null 2>&1 || die "docker compose does not answer after installing $COMPOSE_V2_PLUGIN"
	phase_done "$COMPOSE_V2_VERSION: docker compose, and $COMPOSE_V2_STANDALONE_DIR/docker-compose"
}
