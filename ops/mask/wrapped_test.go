package mask

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// wrap breaks s into lines of width, as base64 -w does.
func wrap(s string, width int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += width {
		b.WriteString(s[i:min(i+width, len(s))])
		b.WriteByte('\n')
	}
	return b.String()
}

// The base64 of a whole .env, wrapped at 76 or 64 columns, shows none of
// its secret, wherever the secret falls against the 3-byte groups and the
// line breaks, in String and in a stream cut anywhere.
func TestBase64WrappedBlobMasked(t *testing.T) {
	for _, secret := range []string{"s3cr3t-Value-9f8e7d", "a-database-password-long-enough-to-span-more-than-one-line-of-base64-output-xyz"} {
		m := New([]string{secret})
		var cores []string
		for shift := 0; shift < 3; shift++ {
			cores = append(cores, base64Core(base64.StdEncoding.WithPadding(base64.NoPadding), []byte(secret), shift))
		}
		leaks := func(out string) string {
			flat := strings.ReplaceAll(out, "\n", "")
			for _, c := range cores {
				if strings.Contains(flat, c) {
					return c
				}
			}
			return ""
		}
		r := rand.New(rand.NewPCG(7, 8))
		for prefix := 0; prefix < 80; prefix++ {
			env := "# x\n" + strings.Repeat("P", prefix) + "=1\nSECRET_KEY=" + secret + "\nDEBUG=false\n"
			for _, width := range []int{76, 64} {
				text := wrap(base64.StdEncoding.EncodeToString([]byte(env)), width)
				if c := leaks(m.String(text)); c != "" {
					t.Fatalf("prefix %d width %d: String leaks %q:\n%s", prefix, width, c, m.String(text))
				}
				for try := 0; try < 5; try++ {
					var buf bytes.Buffer
					w := m.Writer(&buf)
					for rest := text; len(rest) > 0; {
						n := 1 + r.IntN(len(rest))
						if try == 0 {
							n = 1 // byte by byte
						}
						w.Write([]byte(rest[:n]))
						rest = rest[n:]
					}
					w.Flush()
					if c := leaks(buf.String()); c != "" {
						t.Fatalf("prefix %d width %d: stream leaks %q:\n%s", prefix, width, c, buf.String())
					}
				}
			}
		}
	}
}

// What the base64 tool itself prints for the step.
func TestBase64ToolOutputMasked(t *testing.T) {
	secret := "pg-" + strings.Repeat("Xy7", 24)
	out, err := exec.Command("bash", "-c", `printf %s "$1" | base64 -w 76; printf 'x=1\n%s\n' "$1" | base64`, "bash", secret).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := New([]string{secret})
	var buf bytes.Buffer
	w := m.Writer(&buf)
	for i := 0; i < len(out); i += 5 {
		w.Write(out[i:min(i+5, len(out))])
	}
	w.Flush()
	if strings.Count(buf.String(), "***") < 2 || strings.Contains(strings.ReplaceAll(buf.String(), "\n", ""), base64.StdEncoding.EncodeToString([]byte(secret))[8:40]) {
		t.Errorf("base64 output masked to:\n%s", buf.String())
	}
}

// Ordinary lines that happen to be base64 characters are not held back
// unless they have a wrapping tool's width.
func TestWrappedHoldOnlyFullWidthLines(t *testing.T) {
	m := New([]string{"some-secret-value"})
	var buf bytes.Buffer
	w := m.Writer(&buf)
	w.Write([]byte("12345\nabcdef\n"))
	if buf.String() != "12345\nabcdef\n" {
		t.Errorf("short lines held: %q", buf.String())
	}
}
