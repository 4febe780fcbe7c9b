package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/docker/docker/client"
)

// Endpoint is the engine address New uses and where it came from.
type Endpoint struct {
	Host    string // unix:///var/run/docker.sock, tcp://…, ssh://user@host
	Context string // the docker context it came from, "" for DOCKER_HOST or the default
}

// ResolveEndpoint finds the engine as the docker CLI does: DOCKER_HOST
// first; else the docker context named by DOCKER_CONTEXT or by
// config.json's currentContext (in DOCKER_CONFIG, default ~/.docker); else
// the default socket. A context's TLS material is not read: contexts
// with tcp+TLS need DOCKER_HOST/DOCKER_CERT_PATH instead (docs/user-guide.md).
func ResolveEndpoint(getenv func(string) string) (Endpoint, error) {
	if h := getenv("DOCKER_HOST"); h != "" {
		return Endpoint{Host: h}, nil
	}
	cfgDir := getenv("DOCKER_CONFIG")
	if cfgDir == "" {
		home := getenv("HOME")
		if home == "" {
			return Endpoint{Host: client.DefaultDockerHost}, nil
		}
		cfgDir = filepath.Join(home, ".docker")
	}
	name := getenv("DOCKER_CONTEXT")
	if name == "" {
		b, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
		if errors.Is(err, fs.ErrNotExist) {
			return Endpoint{Host: client.DefaultDockerHost}, nil
		}
		if err != nil {
			return Endpoint{}, fmt.Errorf("docker config: %w", err)
		}
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return Endpoint{}, fmt.Errorf("docker config %s: %w", filepath.Join(cfgDir, "config.json"), err)
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return Endpoint{Host: client.DefaultDockerHost}, nil
	}
	// The CLI keeps a context's metadata under the sha256 of its name.
	sum := sha256.Sum256([]byte(name))
	path := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: %w (docker context ls lists the contexts)", name, err)
	}
	var meta struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q: %s: %w", name, path, err)
	}
	h := meta.Endpoints["docker"].Host
	if h == "" {
		return Endpoint{}, fmt.Errorf("docker context %q has no docker endpoint (%s)", name, path)
	}
	return Endpoint{Host: h, Context: name}, nil
}
