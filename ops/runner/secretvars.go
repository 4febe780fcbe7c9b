package runner

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"planner-tui/ops/envfile"
	"planner-tui/ops/fsutil"
	"planner-tui/ops/mask"
)

// Secret variables. A variable a step sets is a secret when its name looks
// like one (envfile.IsSecretKey: NEW_KEY, TOKEN, DB_PASSWORD) or its value
// holds a known secret or something the masker's rules catch
// (SAVED_PW="$POSTGRES_PASSWORD", RESP='{"access_token":...}'). Its value
// is never written to disk: vars.sh gets a marker comment in its place,
// result.json "***".
//
//   - A value equal to a secret of the .env is kept as a reference to that
//     key ("from .env $POSTGRES_PASSWORD") and resolved from Spec.EnvSecrets
//     when the next command starts: it survives anything.
//   - Any other secret value is handed to the starting process in the
//     result it reads from the supervisor's stdout (Result.SecretVars, never
//     in result.json); it passes it back in Spec.SecretVars. It lives in
//     that process's memory only: after a restart the next command runs
//     without it and its output says so.
//
// Bash gets the secret variables on fd 4 (a memory file it sources after
// vars.sh) and writes its dump on fd 5 (another memory file): neither
// touches the disk.

// secretMarker starts the vars.sh line standing for a secret variable.
const secretMarker = "# planner-tui secret: "

var secretRefRE = regexp.MustCompile(`^# planner-tui secret: declare (-\S*) ([A-Za-z_][A-Za-z0-9_]*) (?:from \.env \$(\S+)|kept in memory)`)

// secretRef is a secret variable as vars.sh records it.
type secretRef struct {
	name, flags string
	envKey      string // "" when the value is kept in the starting process's memory
}

func (r secretRef) line() string {
	if r.envKey != "" {
		return fmt.Sprintf("%sdeclare %s %s from .env $%s\n", secretMarker, r.flags, r.name, r.envKey)
	}
	return fmt.Sprintf("%sdeclare %s %s kept in memory by planner-tui (gone when it stops: run the step that set it again)\n", secretMarker, r.flags, r.name)
}

// parseSecretRefs reads the marker lines of a vars file.
func parseSecretRefs(src []byte) []secretRef {
	var out []secretRef
	for line := range strings.SplitSeq(string(src), "\n") {
		if m := secretRefRE.FindStringSubmatch(line); m != nil {
			out = append(out, secretRef{flags: m[1], name: m[2], envKey: m[3]})
		}
	}
	return out
}

// varsIO is one job's variables: what vars.sh held before, the secret
// variables given to bash (fd 4) and the dump bash writes (fd 5).
type varsIO struct {
	file       string
	old        []byte
	names      []string
	in, dump   *os.File
	unresolved map[string]secretRef // secret variables this job runs without
	notes      []string             // said in the output before the command's own
}

// openVarsIO reads the vars file, resolves its secret variables and
// prepares the memory files.
func openVarsIO(spec Spec) (*varsIO, error) {
	v := &varsIO{file: spec.VarsFile, unresolved: map[string]secretRef{}}
	old, err := os.ReadFile(spec.VarsFile)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	v.old = old
	names, err := varNames(old, spec.Sets)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.VarsFile, err)
	}
	var decls strings.Builder
	for _, r := range parseSecretRefs(old) {
		if !slices.Contains(names, r.name) {
			names = append(names, r.name)
		}
		var stmt string
		if r.envKey != "" {
			if val, ok := spec.EnvSecrets[r.envKey]; ok {
				stmt = fmt.Sprintf("declare %s %s=%s", r.flags, r.name, shellQuote(val))
			} else {
				v.note(spec, r.name, fmt.Sprintf("planner-tui: %s is not set: it was the .env's %s, which is gone from .env\n", r.name, r.envKey))
			}
		} else if s, ok := spec.SecretVars[r.name]; ok {
			stmt = s
		} else if inEnv(spec, r.name) {
			// Given in the environment (headless, each run a new process:
			// `TOKEN=… planner-tui run …`): bash inherits it.
			continue
		} else {
			v.note(spec, r.name, fmt.Sprintf("planner-tui: %s is not set: it holds a secret an earlier step made, kept only in the memory of the planner-tui that ran it (gone since it stopped); run that step again\n", r.name))
		}
		if stmt == "" {
			v.unresolved[r.name] = r
			continue
		}
		decls.WriteString(stmt + "\n")
	}
	v.names = names
	if v.in, err = memFile("planner-tui-secret-vars"); err != nil {
		return nil, err
	}
	if _, err := v.in.WriteString(decls.String()); err != nil {
		v.close()
		return nil, fmt.Errorf("secret variables: %w", err)
	}
	if v.dump, err = memFile("planner-tui-vars-dump"); err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

// note says why a secret variable is missing, in the output of a command
// whose script reads it; every other command runs as if it were never set,
// without a word that would only be noise in its output.
func (v *varsIO) note(spec Spec, name, text string) {
	if readsVar(spec.Script, name) {
		v.notes = append(v.notes, text)
	}
}

// readsVar says whether script mentions $name, ${name...}, ${#name} or
// ${!name}: a cheap over-approximation (a mention in a comment or an inner
// script counts too).
func readsVar(script, name string) bool {
	re := regexp.MustCompile(`\$\{?[#!]?` + regexp.QuoteMeta(name) + `([^A-Za-z0-9_]|$)`)
	return re.MatchString(script)
}

// inEnv says whether bash gets name from its environment: planner-tui's
// own (which the supervisor inherits) or the spec's.
func inEnv(spec Spec, name string) bool {
	if _, ok := os.LookupEnv(name); ok {
		return true
	}
	for _, kv := range spec.Env {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			return true
		}
	}
	return false
}

// memFile is a file in memory (memfd), or, where there is none, an
// unlinked temporary file.
func memFile(name string) (*os.File, error) {
	if fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC); err == nil {
		return os.NewFile(uintptr(fd), name), nil
	}
	f, err := os.CreateTemp("", name+"-*")
	if err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	os.Remove(f.Name())
	return f, nil
}

func (v *varsIO) close() {
	if v == nil {
		return
	}
	for _, f := range []*os.File{v.in, v.dump} {
		if f != nil {
			f.Close()
		}
	}
}

// varNames are the variables to dump after the command.
func (v *varsIO) varNames() []string {
	if v == nil {
		return nil
	}
	return v.names
}

// files are bash's fds 4 and 5 (after the script on fd 3).
func (v *varsIO) files() []*os.File {
	if v == nil {
		return nil
	}
	return []*os.File{v.in, v.dump}
}

// writeNotes says which secret variables the command runs without.
func (v *varsIO) writeNotes(w io.Writer) {
	if v == nil {
		return
	}
	for _, n := range v.notes {
		io.WriteString(w, n)
	}
}

// save installs bash's dump as the new vars file, secrets replaced by
// markers, and returns the variables (secret ones as "***") and the secret
// ones' declare statements. A dump that is missing (bash killed before its
// EXIT trap) or cut short leaves the file as it was.
func (v *varsIO) save(spec Spec) (vars, secret map[string]string, err error) {
	dump, err := io.ReadAll(io.NewSectionReader(v.dump, 0, 1<<40))
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("variables: %w", err)
	case len(dump) == 0:
		// bash died before its EXIT trap (SIGKILL): keep the old file.
	case !bytes.HasSuffix(dump, []byte(varsEnd)):
		err = fmt.Errorf("variables: the dump was cut short; %s left as it was", v.file)
	default:
		var file []byte
		file, secret, err = splitDump(bytes.TrimSuffix(dump, []byte(varsEnd)), spec, v.unresolved)
		if err != nil {
			return nil, nil, fmt.Errorf("variables: %w", err)
		}
		// Most steps set nothing: leave the file (and its fsyncs) alone.
		if !bytes.Equal(v.old, file) {
			if err := fsutil.WriteFileAtomic(v.file, file, 0o600); err != nil {
				return nil, nil, fmt.Errorf("variables: %w", err)
			}
		}
	}
	vars, rerr := ReadVars(v.file)
	if rerr != nil {
		return nil, secret, rerr
	}
	return vars, secret, err
}

// splitDump sorts the variables of a declare -p dump: plain ones are kept
// as bash printed them, secret ones become markers (and their statements
// are returned, unless the marker refers to the .env). Markers of secret
// variables this job ran without are kept: the next command says so too.
func splitDump(dump []byte, spec Spec, unresolved map[string]secretRef) ([]byte, map[string]string, error) {
	decls, err := parseDecls(dump)
	if err != nil {
		return nil, nil, err
	}
	m := mask.New(spec.Secrets)
	envKeys := make([]string, 0, len(spec.EnvSecrets))
	for k := range spec.EnvSecrets {
		envKeys = append(envKeys, k)
	}
	sort.Strings(envKeys)
	var out bytes.Buffer
	secret := map[string]string{}
	seen := map[string]bool{}
	for _, d := range decls {
		seen[d.name] = true
		isSecret := d.value != "" && (envfile.IsSecretKey(d.name) || m.String(d.value) != d.value)
		if !isSecret {
			out.WriteString(d.stmt + "\n")
			continue
		}
		ref := secretRef{name: d.name, flags: d.flags}
		if !strings.ContainsAny(d.flags, "aA") {
			for _, k := range envKeys {
				if spec.EnvSecrets[k] == d.value {
					ref.envKey = k
					break
				}
			}
		}
		if ref.envKey == "" {
			secret[d.name] = d.stmt
		}
		out.WriteString(ref.line())
	}
	for _, name := range slices.Sorted(maps.Keys(unresolved)) {
		if !seen[name] {
			out.WriteString(unresolved[name].line())
		}
	}
	return out.Bytes(), secret, nil
}

// reportLine is what the supervisor sends the starting process: the
// result plus the secret variables, which result.json never holds.
type reportLine struct {
	Result
	SecretVars map[string]string `json:"secret_vars,omitempty"`
}

// DeclValue is the value a declare statement (from Result.SecretVars)
// assigns: the plain value of a scalar, the text after '=' of an array.
func DeclValue(stmt string) (string, error) {
	d, err := parseDecls([]byte(stmt))
	if err != nil {
		return "", err
	}
	if len(d) != 1 {
		return "", fmt.Errorf("want one declare statement, got %d", len(d))
	}
	return d[0].value, nil
}

// remaskLog masks, in output.log, the secret variables' values the job made
// (known only once it ended, so the stream could not mask them: a step
// that prints the key it generates). The log is copied through a masking
// Writer to a temporary file renamed over it, only when it holds one. It
// returns the new size and whether it rewrote the log.
func (v *varsIO) remaskLog(logPath string, spec Spec, secret map[string]string) (int64, bool) {
	if v == nil || len(secret) == 0 {
		return 0, false
	}
	known := map[string]bool{}
	for _, s := range spec.Secrets {
		known[s] = true
	}
	var fresh []string
	for _, stmt := range secret {
		if val, err := DeclValue(stmt); err == nil && !known[val] {
			fresh = append(fresh, val)
		}
	}
	m := mask.New(fresh)
	if m.Empty() {
		return 0, false
	}
	n, err := rewriteMasked(logPath, m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "supervisor: masking the new secrets in %s: %v\n", logPath, err)
		return 0, false
	}
	return n, n >= 0
}

// rewriteMasked rewrites path masked by m, if anything in it is; -1 when
// nothing was.
func rewriteMasked(path string, m *mask.Masker) (int64, error) {
	src, err := os.Open(path)
	if err != nil {
		return -1, err
	}
	defer src.Close()
	// A first pass that only counts: a masked secret (4 bytes or more)
	// becomes "***", so the masked log is shorter exactly when it held
	// one. Most steps never print the secret they make, and their log
	// stays as it is.
	var in, out countWriter
	w := m.Writer(&out)
	if _, err := io.Copy(io.MultiWriter(&in, w), src); err != nil {
		return -1, err
	}
	w.Flush()
	if out.n == in.n {
		return -1, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return -1, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return -1, err
	}
	mw := m.Writer(tmp)
	if _, err := io.Copy(mw, io.NewSectionReader(src, 0, 1<<62)); err != nil {
		tmp.Close()
		return -1, err
	}
	if err := mw.Flush(); err != nil {
		tmp.Close()
		return -1, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return -1, err
	}
	fi, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return -1, err
	}
	if err := tmp.Close(); err != nil {
		return -1, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return -1, err
	}
	return fi.Size(), fsutil.SyncDir(filepath.Dir(path))
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
