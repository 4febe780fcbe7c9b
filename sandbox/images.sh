# shellcheck shell=bash
# Base images for the sandbox, built without a registry: a root filesystem is
# assembled from this host's own files (binaries plus the libraries ldd lists,
# a static busybox for the shell and tools) and loaded with `docker import`.
# Sourced by up.sh after lib.sh.
#
# Each image is tagged twice: NAME:TAG and NAME:TAG-<content key>. The key hashes
# this file, the entrypoint scripts and the versions of the Debian packages the
# files come from, so an unchanged host skips the build and an upgraded package
# (or an edited recipe) rebuilds it.

IMAGES_DIR=$SANDBOX_SRC/images

# ---- root filesystem helpers -------------------------------------------------

# rootfs_init ROOT: empty merged-/usr layout with busybox as /bin/sh and friends.
rootfs_init() {
	local root=$1
	rm -rf "$root"
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,tmp,var/tmp,dev,proc,sys,root,usr/local/bin}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	chmod 755 "$root"
	chmod 1777 "$root/tmp" "$root/var/tmp"
	chmod 700 "$root/root"
	cp /bin/busybox "$root/usr/bin/busybox"
	# One process for all applet links (a loop of ln would be hundreds); they point
	# at /usr/bin/busybox, which is where the copy lives inside the root too.
	/bin/busybox --install -s "$root/usr/bin" 2>/dev/null || true
	echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
}

# rootfs_users ROOT "name:uid" ...: /etc/passwd and /etc/group with root plus these.
rootfs_users() {
	local root=$1 u name uid
	shift
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	for u in "$@"; do
		name=${u%%:*} uid=${u##*:}
		echo "$name:x:$uid:$uid:$name:/nonexistent:/bin/sh" >>"$root/etc/passwd"
		echo "$name:x:$uid:" >>"$root/etc/group"
	done
}

# rootfs_copy ROOT PATH...: copy host paths (files or trees) to the same place,
# keeping symlinks inside trees as they are.
rootfs_copy() {
	local root=$1 p real
	shift
	for p in "$@"; do
		real=$(realpath -s "$p")
		mkdir -p "$root$(dirname "$real")"
		cp -a "$real" "$root$(dirname "$real")/"
	done
}

# rootfs_libs ROOT FILE...: copy the shared libraries ldd lists for each ELF file,
# dereferenced, to their canonical directory (the root has the same merged /usr).
rootfs_libs() {
	local root=$1 f lib dir
	shift
	for f in "$@"; do
		ldd "$f" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'
	done | sort -u | while read -r lib; do
		[[ -e $lib ]] || continue
		dir=$(realpath "$(dirname "$lib")")
		[[ -e $root$dir/$(basename "$lib") ]] && continue
		mkdir -p "$root$dir"
		cp -L "$lib" "$root$dir/$(basename "$lib")"
	done
}

# so_files PATH...: the shared objects under the paths (ldd ignores anything else).
so_files() { find "$@" -type f \( -name '*.so' -o -name '*.so.*' \); }

# image_key BUILDER NAME PKG...: content key from the recipe (the builder function,
# the shared helpers, the image's entrypoint) and the package versions.
image_key() {
	local builder=$1 name=$2
	shift 2
	{
		declare -f "$builder" rootfs_init rootfs_users rootfs_copy rootfs_libs import_rootfs
		cat "$IMAGES_DIR/$name"-* 2>/dev/null || true
		dpkg-query -W -f='${Package} ${Version}\n' busybox-static "$@"
	} | sha256sum | cut -c1-12
}

# drop_old_keys IMAGE KEY: remove IMAGE's keyed tags other than KEY (older builds).
drop_old_keys() {
	local image=$1 key=$2 ref
	docker images --format '{{.Repository}}:{{.Tag}}' "${image%%:*}" | while read -r ref; do
		[[ $ref == "$image"-* && $ref != "$image-$key" ]] || continue
		docker rmi "$ref" >/dev/null 2>&1 || true
	done
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# import_rootfs ROOT IMAGE KEY CHANGE...: tar the root into docker import.
import_rootfs() {
	local root=$1 image=$2 key=$3 c
	shift 3
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	args+=(-c "LABEL org.planner.sandbox.key=$key")
	tar --numeric-owner -C "$root" -c . | docker import "${args[@]}" - "$image-$key" >/dev/null
	docker tag "$image-$key" "$image"
	rm -rf "$root"
}

# ensure_image IMAGE BUILDER PKG...: build IMAGE with BUILDER unless the keyed tag exists.
ensure_image() {
	local image=$1 builder=$2 key recipe
	shift 2
	recipe=${image#planner-sandbox/}
	recipe=${recipe%%:*}
	key=$(image_key "$builder" "$recipe" "$@")
	if image_exists "$image-$key"; then
		# Keep the plain tag on the keyed image (a reset or manual tag may have moved it).
		docker tag "$image-$key" "$image"
		log "image $image is current (key $key)"
		return
	fi
	log "building $image (key $key)"
	"$builder" "$image" "$key"
	drop_old_keys "$image" "$key"
	log "built $image: $(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}

# ---- recipes --------------------------------------------------------------------

PG=/usr/lib/postgresql/15
PG_UID=999
REDIS_UID=998
APP_UID=1000

build_postgres() {
	local image=$1 key=$2 root=$BUILD_DIR/postgres b
	rootfs_init "$root"
	rootfs_users "$root" "postgres:$PG_UID"
	mkdir -p "$root$PG/bin" "$root$PG/lib"
	for b in postgres initdb pg_ctl pg_isready psql pg_dump pg_dumpall pg_restore createdb dropdb; do
		cp -a "$PG/bin/$b" "$root$PG/bin/"
	done
	# Server modules without the LLVM JIT (it alone would pull in ~100 MB of libLLVM).
	find "$PG/lib" -maxdepth 1 -name '*.so' ! -name 'llvmjit*' -exec cp -a -t "$root$PG/lib/" {} +
	rootfs_copy "$root" /usr/share/postgresql/15 /usr/share/zoneinfo
	rootfs_libs "$root" "$root$PG"/bin/* "$root$PG"/lib/*.so
	for b in "$root$PG"/bin/*; do ln -s "$PG/bin/$(basename "$b")" "$root/usr/local/bin/"; done
	install -m 755 "$IMAGES_DIR/postgres-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
	mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
	chown -R "$PG_UID:$PG_UID" "$root/var/lib/postgresql" "$root/var/run/postgresql"
	chmod 700 "$root/var/lib/postgresql/data"
	chmod 2775 "$root/var/run/postgresql"
	import_rootfs "$root" "$image" "$key" \
		'ENV PATH=/usr/local/bin:/usr/bin:/usr/sbin PGDATA=/var/lib/postgresql/data PGHOST=/var/run/postgresql TZ=UTC LANG=C.UTF-8' \
		'USER postgres' \
		'VOLUME /var/lib/postgresql/data' \
		'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]'
}

build_redis() {
	local image=$1 key=$2 root=$BUILD_DIR/redis
	rootfs_init "$root"
	rootfs_users "$root" "redis:$REDIS_UID"
	cp -L /usr/bin/redis-server /usr/bin/redis-cli "$root/usr/local/bin/"
	rootfs_libs "$root" /usr/bin/redis-server /usr/bin/redis-cli
	install -m 755 "$IMAGES_DIR/redis-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
	mkdir -p "$root/data"
	chown "$REDIS_UID:$REDIS_UID" "$root/data"
	import_rootfs "$root" "$image" "$key" \
		'ENV PATH=/usr/local/bin:/usr/bin:/usr/sbin' \
		'USER redis' \
		'WORKDIR /data' \
		'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]'
}

# python_packages PKG...: the installed python3-* packages these depend on, recursively.
python_packages() {
	local -A seen=()
	local queue=("$@") p deps d
	while ((${#queue[@]})); do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		[[ -n ${seen[$p]:-} ]] && continue
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || continue
		seen[$p]=1
		deps=$(dpkg-query -W -f='${Depends}' "$p" | tr ',|' '\n\n' | sed 's/([^)]*)//; s/:any//; s/ //g')
		for d in $deps; do
			[[ $d == python3-* ]] && queue+=("$d")
		done
	done
	printf '%s\n' "${!seen[@]}" | sort
}

PY_PKGS=(python3-fastapi python3-uvicorn python3-sqlalchemy python3-psycopg2 python3-alembic python3-redis)

build_python() {
	local image=$1 key=$2 root=$BUILD_DIR/python
	rootfs_init "$root"
	rootfs_users "$root" "app:$APP_UID"
	# The interpreter and its standard library, without tests, IDLE, Tk and friends.
	cp -a /usr/bin/python3.11 "$root/usr/bin/"
	ln -s python3.11 "$root/usr/bin/python3"
	ln -s python3.11 "$root/usr/bin/python"
	tar -C / -c --exclude='usr/lib/python3.11/test' --exclude='usr/lib/python3.11/idlelib' \
		--exclude='usr/lib/python3.11/tkinter' --exclude='usr/lib/python3.11/turtledemo' \
		--exclude='usr/lib/python3.11/lib2to3' --exclude='usr/lib/python3.11/ensurepip' \
		--exclude='usr/lib/python3.11/config-3.11-*' --exclude='usr/lib/python3.11/pydoc_data' \
		usr/lib/python3.11 | tar -C "$root" -x
	# Debian's packages for the app and everything they depend on.
	python_packages "${PY_PKGS[@]}" | xargs dpkg-query -L |
		grep -E '^/usr/(lib/python3/dist-packages/|bin/)' | sed 's|^/||' |
		tar -C / -c --no-recursion --ignore-failed-read -T - 2>/dev/null | tar -C "$root" -x
	local sos
	mapfile -t sos < <(so_files "$root/usr/lib/python3.11/lib-dynload" "$root/usr/lib/python3/dist-packages")
	rootfs_libs "$root" /usr/bin/python3.11 "${sos[@]}"
	# Debian ships the alembic and uvicorn commands in separate packages; the
	# modules run the same with -m.
	local cmd
	for cmd in alembic uvicorn; do
		printf '#!/bin/sh\nexec python3 -m %s "$@"\n' "$cmd" >"$root/usr/local/bin/$cmd"
		chmod 755 "$root/usr/local/bin/$cmd"
	done
	mkdir -p "$root/app"
	import_rootfs "$root" "$image" "$key" \
		'ENV PATH=/usr/local/bin:/usr/bin:/usr/sbin LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1' \
		'WORKDIR /app' \
		'USER app' \
		'CMD ["python3"]'
}

build_base_images() {
	ensure_image "$IMG_POSTGRES" build_postgres postgresql-15 postgresql-client-15 libpq5
	ensure_image "$IMG_REDIS" build_redis redis-server redis-tools
	# shellcheck disable=SC2046
	ensure_image "$IMG_PYTHON" build_python python3.11 libpython3.11-stdlib $(python_packages "${PY_PKGS[@]}")
}
