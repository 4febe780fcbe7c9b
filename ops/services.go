package ops

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// Services lists the services the compose files define (their union, as
// compose merges them), so that a service with no container at all can be
// reported as down rather than silently absent.
func Services(t Target) ([]string, error) {
	seen := map[string]bool{}
	for _, f := range t.ComposeFiles {
		if !filepath.IsAbs(f) {
			f = filepath.Join(t.Dir, f)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("compose services: %w", err)
		}
		var doc struct {
			Services map[string]yaml.Node `yaml:"services"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("compose services: %s: %w", f, err)
		}
		for name := range doc.Services {
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}
