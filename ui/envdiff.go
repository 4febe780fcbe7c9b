package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"planner-tui/ops/envfile"
	"planner-tui/ops/mask"
)

// envSnapshot is an env file as it was before an editor step: nil File when
// the file did not exist (or could not be read: err says why).
type envSnapshot struct {
	path string
	file *envfile.File
	err  error
}

// isEnvFile says whether an editor's argument is an env file whose keys
// are worth a diff: .env, .env.production, prod.env.
func isEnvFile(arg string) bool {
	base := filepath.Base(arg)
	return base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env")
}

// readEnvFiles reads the env files among files (relative to dir). I/O: in
// a Cmd only.
func readEnvFiles(dir string, files []string) []envSnapshot {
	var out []envSnapshot
	for _, f := range files {
		if !isEnvFile(f) {
			continue
		}
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, f)
		}
		snap := envSnapshot{path: path}
		src, err := os.ReadFile(path)
		switch {
		case os.IsNotExist(err):
		case err != nil:
			snap.err = err
		default:
			snap.file = envfile.Parse(path, src)
		}
		out = append(out, snap)
	}
	return out
}

// envKeyChanges says which keys an edit added, removed or changed, one a
// line, for the output pane. A secret key's value is never shown (***);
// other values go through a masker made of both versions' secrets and then
// through mask (the session's), so a password inside a URL stays hidden.
// name is how the file is called in the lines (".env").
func envKeyChanges(name string, before, after *envfile.File, maskFn func(string) string) []string {
	if maskFn == nil {
		maskFn = func(s string) string { return s }
	}
	var secrets []string
	for _, f := range []*envfile.File{before, after} {
		if f != nil {
			secrets = append(secrets, f.Secrets()...)
		}
	}
	m := mask.New(secrets)
	show := func(key, value string) string {
		if envfile.IsSecretKey(key) {
			return mask.Replacement
		}
		return maskFn(m.String(value))
	}
	old, cur := map[string]string{}, map[string]string{}
	if before != nil {
		old = before.Map()
	}
	if after != nil {
		cur = after.Map()
	}
	var added, removed, changed []string
	for k, v := range cur {
		ov, ok := old[k]
		switch {
		case !ok:
			added = append(added, k)
		case ov != v:
			changed = append(changed, k)
		}
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			removed = append(removed, k)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(changed)
	var lines []string
	switch {
	case after == nil && before != nil:
		return []string{name + ": the file is gone after the edit (" + fmt.Sprint(len(old)) + " keys before)"}
	case len(added)+len(removed)+len(changed) == 0:
		lines = append(lines, name+": no key added, removed or changed")
	default:
		lines = append(lines, fmt.Sprintf("%s: %d added, %d removed, %d changed (secret values shown as %s)", name, len(added), len(removed), len(changed), mask.Replacement))
	}
	for _, k := range added {
		lines = append(lines, "  + "+k+"="+show(k, cur[k]))
	}
	for _, k := range removed {
		lines = append(lines, "  - "+k)
	}
	for _, k := range changed {
		if envfile.IsSecretKey(k) {
			lines = append(lines, "  ~ "+k+" changed (secret: "+mask.Replacement+" → "+mask.Replacement+")")
			continue
		}
		lines = append(lines, "  ~ "+k+": "+show(k, old[k])+" → "+show(k, cur[k]))
	}
	if after != nil {
		for _, p := range after.Problems {
			lines = append(lines, "  ! "+maskFn(m.String(p.String())))
		}
	}
	return lines
}
