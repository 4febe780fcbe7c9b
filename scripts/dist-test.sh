#!/usr/bin/env bash
# dist-test.sh: builds the release artefacts (scripts/dist.sh) into a temp
# dir, checks SHA256SUMS and the archives, installs the amd64 .deb into a
# throwaway root with dpkg --root (its own dpkg database), and runs the
# installed binary: version, --help, and the man pages and completions
# where the package says they are. Called by `make dist-test` (and so by
# `make test`) with the Makefile's VERSION, COMMIT, GO_LDFLAGS, NFPM.
#
# Without nfpm (and no way to install it) or dpkg it skips, except under
# CI=true, where it fails: a release that cannot be tested is broken there.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "dist-test: FAIL: $*" >&2; exit 1; }
unavailable() {
  [ "${CI:-}" = true ] && fail "$* (CI=true: needed)"
  echo "dist-test: SKIP: $*" >&2
  exit 0
}

: "${VERSION:?}" "${COMMIT:?}" "${NFPM:?}" "${NFPM_VERSION:=pinned}"
for tool in dpkg dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null || unavailable "$tool is not installed"
done
"${MAKE:-make}" --no-print-directory nfpm >&2 || unavailable "nfpm $NFPM_VERSION cannot be installed (go install failed)"
[ -x "$NFPM" ] || unavailable "no nfpm at $NFPM"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dist=$tmp/dist
start=$(date +%s)
scripts/dist.sh "$dist" >"$tmp/dist.log" 2>&1 || { cat "$tmp/dist.log" >&2; fail "scripts/dist.sh failed"; }
echo "dist-test: built in $(($(date +%s) - start))s"

# Every artefact, and only those, with a checksum that holds.
(cd "$dist" && sha256sum --check --strict --quiet SHA256SUMS) || fail "SHA256SUMS does not verify"
for arch in amd64 arm64; do
  deb=$(ls "$dist"/planner-tui_*_"$arch".deb 2>/dev/null) || fail "no $arch .deb in $(ls "$dist")"
  tgz=$(ls "$dist"/planner-tui_*_linux_"$arch".tar.gz 2>/dev/null) || fail "no $arch tarball"
  grep -q " $(basename "$deb")\$" "$dist/SHA256SUMS" || fail "$(basename "$deb") is not in SHA256SUMS"
  grep -q " $(basename "$tgz")\$" "$dist/SHA256SUMS" || fail "$(basename "$tgz") is not in SHA256SUMS"
  [ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "$deb: Architecture $(dpkg-deb -f "$deb" Architecture)"
  list=$(tar -tzf "$tgz")
  for f in planner-tui completions/planner-tui.bash completions/_planner-tui completions/planner-tui.fish man/man1/planner-tui.1.gz doc/user-guide.md; do
    grep -qE "^planner-tui_[^/]+_linux_${arch}/$f\$" <<<"$list" || fail "$(basename "$tgz") lacks $f"
  done
done

# Install the amd64 package into a throwaway root, as dpkg would on a host.
deb=$(ls "$dist"/planner-tui_*_amd64.deb)
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg --root="$root" --log=/dev/null --force-not-root --force-script-chrootless -i "$deb" >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log" >&2; fail "dpkg --root -i $(basename "$deb")"; }
dpkg --root="$root" -s planner-tui | grep -q '^Status: install ok installed' || fail "dpkg does not list planner-tui as installed"

# The files are where the package says: what dpkg installed, checked on disk.
installed=$(dpkg --root="$root" -L planner-tui)
for f in /usr/bin/planner-tui \
  /usr/share/bash-completion/completions/planner-tui \
  /usr/share/zsh/vendor-completions/_planner-tui \
  /usr/share/fish/vendor_completions.d/planner-tui.fish \
  /usr/share/man/man1/planner-tui.1.gz \
  /usr/share/man/man1/planner-tui-doctor.1.gz \
  /usr/share/doc/planner-tui/user-guide.md; do
  grep -qx "$f" <<<"$installed" || fail "the package does not list $f"
  [ -s "$root$f" ] || fail "$f is listed but missing or empty in the root"
done
[ -x "$root/usr/bin/planner-tui" ] || fail "/usr/bin/planner-tui is not executable"
zcat "$root/usr/share/man/man1/planner-tui.1.gz" | grep -q '^\.TH "PLANNER-TUI" "1"' || fail "planner-tui.1 is not a man page"
grep -q 'complete -o default -F __start_planner-tui planner-tui' "$root/usr/share/bash-completion/completions/planner-tui" ||
  fail "the bash completion does not complete planner-tui"
grep -q '^#compdef planner-tui' "$root/usr/share/zsh/vendor-completions/_planner-tui" || fail "the zsh completion has no #compdef"
grep -q 'complete -c planner-tui' "$root/usr/share/fish/vendor_completions.d/planner-tui.fish" || fail "the fish completion does not complete planner-tui"

# The installed binary runs and says what it is.
bin=$root/usr/bin/planner-tui
v=$("$bin" version) || fail "planner-tui version: exit $?"
grep -qF "planner-tui $VERSION (commit ${COMMIT:0:12}, built " <<<"$v" || fail "planner-tui version says: $v (want $VERSION, commit $COMMIT)"
help=$("$bin" --help) || fail "planner-tui --help: exit $?"
for cmd in doctor run list version; do
  grep -qE "^  $cmd " <<<"$help" || fail "--help lists no $cmd command"
done
# The packaged binary has the migration lint (a cgo build with libpg_query):
# a DROP COLUMN is destructive, exit 1.
printf 'ALTER TABLE resources DROP COLUMN role;\n' >"$tmp/drop.sql"
lint=$("$bin" op sql-lint "$tmp/drop.sql" 2>&1) && fail "op sql-lint passed a DROP COLUMN: $lint"
grep -q "ban-drop-column" <<<"$lint" || fail "op sql-lint of a DROP COLUMN says: $lint"

# An upgrade (the same package again) goes through, and removal leaves nothing.
dpkg --root="$root" --log=/dev/null --force-not-root --force-script-chrootless -i "$deb" >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log" >&2; fail "reinstalling over itself"; }
dpkg --root="$root" --log=/dev/null --force-not-root --force-script-chrootless -r planner-tui >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log" >&2; fail "dpkg -r"; }
[ ! -e "$root/usr/bin/planner-tui" ] || fail "dpkg -r left /usr/bin/planner-tui"

echo "dist-test: ok ($(ls "$dist" | tr '\n' ' '))"
