package compose

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	v1 := &Flavour{Kind: Standalone, Version: "1.29.2", Path: "/usr/bin/docker-compose"}
	v2 := &Flavour{Kind: Plugin, Version: "2.40.3", Path: "/usr/bin/docker"}
	tests := []struct {
		name     string
		mode     string
		found    Found
		wantShim bool
		wantErr  string
		wantNote string
	}{
		{"auto with v1 uses it", "", Found{Standalone: v1, Plugin: v2}, false, "", ""},
		{"auto with only the plugin shims", "auto", Found{Plugin: v2}, true, "", "docker-compose is not installed"},
		{"auto with nothing says so", "", Found{}, false, "", "will fail"},
		{"plugin forces the shim over v1", "plugin", Found{Standalone: v1, Plugin: v2}, true, "", "PLANNER_TUI_COMPOSE=plugin"},
		{"plugin without the plugin is an error", "plugin", Found{Standalone: v1}, false, "does not answer", ""},
		{"standalone without one is an error", "standalone", Found{Plugin: v2}, false, "not on PATH", ""},
		{"a bad mode is an error", "v3", Found{Standalone: v1}, false, `want auto, plugin or standalone`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bin")
			d, err := Decide(tt.mode, tt.found, dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (d.ShimDir != "") != tt.wantShim {
				t.Errorf("ShimDir = %q, want shim %v", d.ShimDir, tt.wantShim)
			}
			if !strings.Contains(d.Note, tt.wantNote) {
				t.Errorf("Note = %q, want it to contain %q", d.Note, tt.wantNote)
			}
			if tt.wantShim {
				fi, err := os.Stat(filepath.Join(dir, "docker-compose"))
				if err != nil || fi.Mode()&0o111 == 0 {
					t.Errorf("shim not written executable: %v %v", fi, err)
				}
			}
		})
	}
}

// needPlugin skips with -short; without the plugin it skips, or fails
// under CI, where the sandbox (make test) installs it.
func needPlugin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the docker compose plugin: not with -short")
	}
	docker, err := exec.LookPath("docker")
	if err == nil {
		err = exec.Command(docker, "compose", "version").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no docker compose plugin (sandbox/up.sh installs it): %v", err)
		}
		t.Skipf("no docker compose plugin: %v", err)
	}
	return docker
}

// On a host whose PATH has docker (with the plugin) and no docker-compose,
// auto mode finds the plugin and the shim runs it: `docker-compose
// version` answers with the plugin's version.
func TestShimRunsThePlugin(t *testing.T) {
	docker := needPlugin(t)
	bin := t.TempDir()
	if err := os.Symlink(docker, filepath.Join(bin, "docker")); err != nil {
		t.Fatal(err)
	}
	// sh for the shim itself; nothing else.
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sh, filepath.Join(bin, "sh")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	found := Detect(ctx, bin)
	if found.Standalone != nil || found.Plugin == nil {
		t.Fatalf("Detect on a PATH with docker only = %+v, want the plugin alone", found)
	}
	if found.Plugin.Major() != "v2" {
		t.Errorf("plugin version %q is not v2", found.Plugin.Version)
	}
	shimDir := filepath.Join(t.TempDir(), "shim")
	d, err := Decide("", found, shimDir)
	if err != nil || d.ShimDir != shimDir {
		t.Fatalf("Decide = %+v, %v; want the shim in %s", d, err, shimDir)
	}
	cmd := exec.CommandContext(ctx, "docker-compose", "version", "--short")
	cmd.Env = append(os.Environ(), "PATH="+shimDir+string(os.PathListSeparator)+bin)
	cmd.Path = filepath.Join(shimDir, "docker-compose")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the shim: %v\n%s", err, out)
	}
	if got := strings.TrimPrefix(strings.TrimSpace(string(out)), "v"); got != found.Plugin.Version {
		t.Errorf("docker-compose version through the shim = %q, want the plugin's %q", got, found.Plugin.Version)
	}
}

// The shim keeps v1's meaning of `ps`: stopped containers are listed too.
// Read off the arguments the shim hands to docker, with a docker that
// prints them.
func TestShimArguments(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\nfor a do printf '[%s]' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	shimDir := filepath.Join(t.TempDir(), "shim")
	if err := WriteShim(shimDir); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-f", "docker-compose.yml", "-f", "docker-compose.prod.yml", "ps"}, "[compose][-f][docker-compose.yml][-f][docker-compose.prod.yml][ps][--all]"},
		{[]string{"ps", "app"}, "[compose][ps][app][--all]"},
		{[]string{"-p", "ps", "logs", "--tail=100"}, "[compose][-p][ps][logs][--tail=100]"},
		{[]string{"exec", "-T", "db", "ps"}, "[compose][exec][-T][db][ps]"},
		{[]string{"up", "-d"}, "[compose][up][-d]"},
		{[]string{"run", "--rm", "app", "sh", "-c", "a b"}, "[compose][run][--rm][app][sh][-c][a b]"},
	}
	for _, tt := range tests {
		cmd := exec.Command(filepath.Join(shimDir, "docker-compose"), tt.args...)
		cmd.Env = append(os.Environ(), "PATH="+bin+":/usr/bin:/bin")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, out)
		}
		if string(out) != tt.want {
			t.Errorf("docker-compose %v ran docker %s, want %s", tt.args, out, tt.want)
		}
	}
}

// Detect tells a version, "not installed" (a docker CLI without the plugin
// prints its usage and fails), "not on PATH" and "no answer" apart, using
// only the PATH it is given.
func TestDetect(t *testing.T) {
	script := func(dir, name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	both := t.TempDir()
	script(both, "docker-compose", "echo 1.29.2")
	script(both, "docker", `[ "$1" = compose ] && echo v2.40.3`)
	noPlugin := t.TempDir()
	script(noPlugin, "docker", "echo 'Usage: docker [OPTIONS] COMMAND' >&2; exit 1")
	slow := t.TempDir()
	script(slow, "docker-compose", "exec /bin/sleep 30")

	f := Detect(context.Background(), both)
	if f.Standalone == nil || f.Standalone.Version != "1.29.2" || f.Plugin == nil || f.Plugin.Version != "2.40.3" {
		t.Errorf("both: %+v", f)
	}
	if got, want := f.String(), "docker-compose 1.29.2 (v1); docker compose 2.40.3 (v2)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	f = Detect(context.Background(), noPlugin)
	if f.Plugin != nil || f.PluginErr != "not installed" || f.Standalone != nil || f.StandaloneErr != "docker-compose not on PATH" {
		t.Errorf("no plugin: %+v", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	f = Detect(ctx, slow)
	if f.Standalone != nil || !strings.HasPrefix(f.StandaloneErr, "no answer") {
		t.Errorf("slow: %+v", f)
	}
}
