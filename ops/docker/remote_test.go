package docker_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/docker"
	"planner-tui/ops/docker/dockertest"
)

// writeContext makes a docker config dir with a context named name whose
// docker endpoint is host, laid out as `docker context create` does.
func writeContext(t *testing.T, cfgDir, name, host string, current bool) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	dir := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	meta := fmt.Sprintf(`{"Name":%q,"Metadata":{},"Endpoints":{"docker":{"Host":%q,"SkipTLSVerify":false}}}`, name, host)
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o600); err != nil {
		t.Fatal(err)
	}
	if current {
		cfg := fmt.Sprintf(`{"auths":{},"currentContext":%q}`, name)
		if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResolveEndpoint(t *testing.T) {
	cfg := t.TempDir()
	writeContext(t, cfg, "prod", "ssh://deploy@prod-host", true)
	writeContext(t, cfg, "other", "tcp://127.0.0.1:2375", false)
	empty := t.TempDir()
	tests := []struct {
		name    string
		env     map[string]string
		want    docker.Endpoint
		wantErr string
	}{
		{"DOCKER_HOST wins over a context", map[string]string{"DOCKER_HOST": "unix:///x.sock", "DOCKER_CONFIG": cfg}, docker.Endpoint{Host: "unix:///x.sock"}, ""},
		{"the current context of config.json", map[string]string{"DOCKER_CONFIG": cfg}, docker.Endpoint{Host: "ssh://deploy@prod-host", Context: "prod"}, ""},
		{"DOCKER_CONTEXT over config.json", map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "other"}, docker.Endpoint{Host: "tcp://127.0.0.1:2375", Context: "other"}, ""},
		{"the default context is the socket", map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "default"}, docker.Endpoint{Host: "unix:///var/run/docker.sock"}, ""},
		{"no config is the socket", map[string]string{"DOCKER_CONFIG": empty}, docker.Endpoint{Host: "unix:///var/run/docker.sock"}, ""},
		{"an unknown context says so", map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "nope"}, docker.Endpoint{}, `docker context "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := docker.ResolveEndpoint(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ResolveEndpoint = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// sshd is an OpenSSH server on a spare loopback port, for this test only:
// its own host key, one authorized key (made here), no PAM, stopped at the
// end. The ssh client reaches it through a wrapper first on PATH that
// gives it the key and skips host-key pinning; the docker client's ssh
// helper runs that `ssh`, which runs `docker system dial-stdio` there.
func sshd(t *testing.T) (user, port string) {
	t.Helper()
	bin := "/usr/sbin/sshd"
	if _, err := os.Stat(bin); err != nil {
		dockertest.Unavailable(t, "no sshd (openssh-server; make deps installs it): %v", err)
	}
	dir := t.TempDir()
	keygen := func(name string) {
		out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, name)).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	keygen("host_key")
	keygen("user_key")
	pub, err := os.ReadFile(filepath.Join(dir, "user_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ = net.SplitHostPort(l.Addr().String())
	l.Close()
	cfg := fmt.Sprintf(`Port %s
ListenAddress 127.0.0.1
HostKey %s/host_key
AuthorizedKeysFile %s/authorized_keys
PidFile %s/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
`, port, dir, dir, dir)
	if err := os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// sshd wants its privilege separation directory.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(bin, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	var logs strings.Builder
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		srv.Process.Kill()
		srv.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", logs.String())
		}
	})
	dockertest.Eventually(t, 10*time.Second, "sshd listening on 127.0.0.1:"+port, func() (bool, string) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
		if err != nil {
			return false, err.Error()
		}
		c.Close()
		return true, ""
	})

	client := fmt.Sprintf("Host *\n  IdentityFile %s/user_key\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  BatchMode yes\n  LogLevel ERROR\n", dir)
	if err := os.WriteFile(filepath.Join(dir, "ssh_config"), []byte(client), 0o600); err != nil {
		t.Fatal(err)
	}
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		dockertest.Unavailable(t, "no ssh client: %v", err)
	}
	wrap := filepath.Join(dir, "bin")
	os.MkdirAll(wrap, 0o755)
	script := fmt.Sprintf("#!/bin/sh\nexec %s -F %s/ssh_config \"$@\"\n", sshBin, dir)
	if err := os.WriteFile(filepath.Join(wrap, "ssh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", wrap+string(os.PathListSeparator)+os.Getenv("PATH"))
	return "root", port
}

// The engine reached over ssh:// (DOCKER_HOST, and a docker context that
// names it) reads the same stack as the local socket: the sandbox's
// containers, found by their compose labels, and their logs.
func TestRemoteEngineOverSSH(t *testing.T) {
	local := dockertest.Stack(t) // the sandbox, through the local socket
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	want, err := local.Client.ServiceContainer(ctx, local.Target.Project, local.Target.DBService)
	if err != nil {
		t.Fatal(err)
	}
	user, port := sshd(t)
	host := fmt.Sprintf("ssh://%s@127.0.0.1:%s", user, port)

	check := func(t *testing.T, wantContext string) {
		t.Helper()
		c, err := docker.New(ctx)
		if err != nil {
			t.Fatalf("docker.New over %s: %v", host, err)
		}
		defer c.Close()
		if c.Host() != host || c.Context() != wantContext {
			t.Errorf("client host %q context %q, want %q %q", c.Host(), c.Context(), host, wantContext)
		}
		got, err := c.ServiceContainer(ctx, local.Target.Project, local.Target.DBService)
		if err != nil {
			t.Fatalf("the db container over ssh: %v", err)
		}
		if got.ID != want.ID || !got.Ready() {
			t.Errorf("over ssh the db container is %+v, want %s and healthy", got, want.ID)
		}
		cs, err := c.Containers(ctx, local.Target.Project)
		if err != nil || len(cs) < 3 {
			t.Errorf("over ssh the project has %d containers (%v), want db, redis and app", len(cs), err)
		}
	}
	t.Run("DOCKER_HOST", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", host)
		check(t, "")
	})
	t.Run("docker context", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", "")
		cfg := t.TempDir()
		writeContext(t, cfg, "sandbox-over-ssh", host, true)
		t.Setenv("DOCKER_CONFIG", cfg)
		check(t, "sandbox-over-ssh")
	})
}
